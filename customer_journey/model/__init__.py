"""The compiled, immutable journey model and the event type."""

from customer_journey.model._context import (
    MISSING,
    AttributeCondition,
    Condition,
    ConditionContext,
    Missing,
)
from customer_journey.model._event import EMPTY, Event, EventFields
from customer_journey.model._journey import (
    DEFAULT_CHANNELS,
    DEFAULT_PHASES,
    Action,
    ContactPolicy,
    FrictionRule,
    Goal,
    JourneyModel,
    Stage,
    Touchpoint,
    Transition,
)

__all__ = [
    "DEFAULT_CHANNELS",
    "DEFAULT_PHASES",
    "EMPTY",
    "MISSING",
    "Action",
    "AttributeCondition",
    "Condition",
    "ConditionContext",
    "ContactPolicy",
    "Event",
    "EventFields",
    "FrictionRule",
    "Goal",
    "JourneyModel",
    "Missing",
    "Stage",
    "Touchpoint",
    "Transition",
]

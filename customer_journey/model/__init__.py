"""The compiled, immutable journey model, its condition trees and operators, and the event type."""

from customer_journey.model._conditions import (
    AllOf,
    AnyOf,
    ConditionTree,
    GroupForm,
    Not,
    PathTest,
    conjuncts,
    path_tests,
)
from customer_journey.model._context import (
    MISSING,
    AttributeCondition,
    Condition,
    ConditionContext,
    Missing,
)
from customer_journey.model._event import EMPTY, Event, EventFields
from customer_journey.model._flow_text import WrittenDuration, flow_text
from customer_journey.model._journey import (
    DEFAULT_CHANNELS,
    DEFAULT_PHASES,
    SUPPRESSION_REASONS,
    Action,
    ContactPolicy,
    FrictionRule,
    Goal,
    JourneyModel,
    Stage,
    Touchpoint,
    Transition,
)
from customer_journey.model._kinds import Kind, ValueTest, kind_of
from customer_journey.model._operators import (
    BARE,
    OPERATORS,
    Bound,
    Operator,
    PatternCompiler,
    Shape,
)

__all__ = [
    "BARE",
    "DEFAULT_CHANNELS",
    "DEFAULT_PHASES",
    "EMPTY",
    "MISSING",
    "OPERATORS",
    "SUPPRESSION_REASONS",
    "Action",
    "AllOf",
    "AnyOf",
    "AttributeCondition",
    "Bound",
    "Condition",
    "ConditionContext",
    "ConditionTree",
    "ContactPolicy",
    "Event",
    "EventFields",
    "FrictionRule",
    "Goal",
    "GroupForm",
    "JourneyModel",
    "Kind",
    "Missing",
    "Not",
    "Operator",
    "PathTest",
    "PatternCompiler",
    "Shape",
    "Stage",
    "Touchpoint",
    "Transition",
    "ValueTest",
    "WrittenDuration",
    "conjuncts",
    "flow_text",
    "kind_of",
    "path_tests",
]

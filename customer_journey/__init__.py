"""customer_journey: executable customer journeys.

Declare a journey in YAML, load it once, and replay each customer's events to learn where
they are, what happened on the way, and which goals they reached.
"""

from customer_journey._batch import ReplayBatch, ReplayTotals
from customer_journey.analytics import Analysis, Comparison, analyze, compare
from customer_journey.engine import (
    CustomerState,
    FrictionPoint,
    GoalStatus,
    Recommendation,
    ReplayResult,
    Suppression,
    TraceStep,
    Visit,
)
from customer_journey.errors import (
    CustomerJourneyError,
    JourneyError,
    Location,
    OutOfOrderEventError,
    Problem,
    RecordError,
    Severity,
    UngroupedInputError,
)
from customer_journey.journey import Journey, from_mapping, load, loads
from customer_journey.model import Event, EventFields, JourneyModel
from customer_journey.readers import EventSource, Rejection

__all__ = [
    "Analysis",
    "Comparison",
    "CustomerJourneyError",
    "CustomerState",
    "Event",
    "EventFields",
    "EventSource",
    "FrictionPoint",
    "GoalStatus",
    "Journey",
    "JourneyError",
    "JourneyModel",
    "Location",
    "OutOfOrderEventError",
    "Problem",
    "Recommendation",
    "RecordError",
    "Rejection",
    "ReplayBatch",
    "ReplayResult",
    "ReplayTotals",
    "Severity",
    "Suppression",
    "TraceStep",
    "UngroupedInputError",
    "Visit",
    "analyze",
    "compare",
    "from_mapping",
    "load",
    "loads",
]

"""The replay engine: a pure step over a customer's state, and the results it yields."""

from customer_journey.engine._advice import weigh_actions
from customer_journey.engine._plan import ReplayPlan, build_plan
from customer_journey.engine._replay import Judgement, advance, fold, judge, result_of, step
from customer_journey.engine._results import (
    FrictionPoint,
    GoalStatus,
    Recommendation,
    ReplayResult,
    Suppression,
    TraceStep,
    Visit,
)
from customer_journey.engine._state import CustomerState, VisitRecord

__all__ = [
    "CustomerState",
    "FrictionPoint",
    "GoalStatus",
    "Judgement",
    "Recommendation",
    "ReplayPlan",
    "ReplayResult",
    "Suppression",
    "TraceStep",
    "Visit",
    "VisitRecord",
    "advance",
    "build_plan",
    "fold",
    "judge",
    "result_of",
    "step",
    "weigh_actions",
]

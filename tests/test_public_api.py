"""Pins every public `__all__`: a change to the API is a deliberate change to this file."""

from __future__ import annotations

import importlib

import pytest

PUBLIC = {
    "customer_journey": [
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
        "from_mapping",
        "load",
        "loads",
    ],
    "customer_journey.cli": ["main"],
    "customer_journey.dsl": [
        "Expectation",
        "Locator",
        "Path",
        "Scenario",
        "ScenarioFile",
        "compile_journey",
        "compile_mapping",
        "format_value",
        "journey_schema",
        "parse_scenario_file",
        "parse_yaml",
    ],
    "customer_journey.engine": [
        "CustomerState",
        "FrictionPoint",
        "GoalStatus",
        "Recommendation",
        "ReplayPlan",
        "ReplayResult",
        "Suppression",
        "TraceStep",
        "Visit",
        "advance",
        "build_plan",
        "fold",
        "result_of",
        "step",
    ],
    "customer_journey.errors": [
        "CustomerJourneyError",
        "JourneyError",
        "Location",
        "OutOfOrderEventError",
        "Problem",
        "RecordError",
        "Severity",
        "UngroupedInputError",
    ],
    "customer_journey.model": [
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
    ],
    "customer_journey.readers": [
        "FORMATS",
        "EventSource",
        "MissingDependencyError",
        "ReadReport",
        "Rejection",
        "UnknownFormatError",
        "from_file",
        "from_records",
    ],
    "customer_journey.render": ["explain_text"],
    "customer_journey.testing": [
        "CHECKS",
        "FRICTION_KINDS",
        "Failure",
        "ScenarioFileResult",
        "ScenarioResult",
        "load_scenario_file",
        "run_scenario",
        "run_scenario_file",
    ],
}


@pytest.mark.parametrize("name", sorted(PUBLIC))
def test_all_is_exactly_the_pinned_names_in_sorted_order(name: str) -> None:
    module = importlib.import_module(name)
    assert module.__all__ == PUBLIC[name]


@pytest.mark.parametrize("name", sorted(PUBLIC))
def test_every_public_name_exists(name: str) -> None:
    module = importlib.import_module(name)
    assert [n for n in module.__all__ if not hasattr(module, n)] == []

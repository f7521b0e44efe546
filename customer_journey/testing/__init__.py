"""Testing journeys: run scenario files (spec section 9) and check what they expect."""

from customer_journey.testing._scenarios import (
    CHECKS,
    FRICTION_KINDS,
    Failure,
    ScenarioFileResult,
    ScenarioResult,
    load_scenario_file,
    run_scenario,
    run_scenario_file,
)

__all__ = [
    "CHECKS",
    "FRICTION_KINDS",
    "Failure",
    "ScenarioFileResult",
    "ScenarioResult",
    "load_scenario_file",
    "run_scenario",
    "run_scenario_file",
]

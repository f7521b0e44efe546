"""Testing journeys: scenario files, assertions, paths and coverage, and simulated customers.

The hypothesis strategies and ready-made properties live in the public modules
`customer_journey.testing.strategies` and `customer_journey.testing.properties`; they are
not imported here, because hypothesis is a test dependency and this package is not.
"""

from customer_journey.testing._assertions import (
    JourneyAssertion,
    JourneyAssertionError,
    assert_journey,
)
from customer_journey.testing._coverage import (
    COVERAGE_KINDS,
    Coverage,
    CoverageItem,
    coverage_of,
    scenario_coverage,
    total_percent,
)
from customer_journey.testing._paths import (
    PATHS_START,
    History,
    PathReport,
    PathTarget,
    shortest_paths,
    transition_name,
)
from customer_journey.testing._scenarios import (
    CHECKS,
    FRICTION_KINDS,
    Failure,
    ScenarioFileResult,
    ScenarioResult,
    describe_trace,
    load_scenario_file,
    run_scenario,
    run_scenario_file,
)
from customer_journey.testing._simulate import (
    Simulation,
    SimulationError,
    read_settings,
    simulate,
)

__all__ = [
    "CHECKS",
    "COVERAGE_KINDS",
    "FRICTION_KINDS",
    "PATHS_START",
    "Coverage",
    "CoverageItem",
    "Failure",
    "History",
    "JourneyAssertion",
    "JourneyAssertionError",
    "PathReport",
    "PathTarget",
    "ScenarioFileResult",
    "ScenarioResult",
    "Simulation",
    "SimulationError",
    "assert_journey",
    "coverage_of",
    "describe_trace",
    "load_scenario_file",
    "read_settings",
    "run_scenario",
    "run_scenario_file",
    "scenario_coverage",
    "shortest_paths",
    "simulate",
    "total_percent",
    "transition_name",
]

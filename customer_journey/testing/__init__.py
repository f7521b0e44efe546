"""Testing journeys: scenario files, assertions, paths, coverage, mutants, simulated customers.

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
from customer_journey.testing._mutant_making import MAX_RETARGETS, mutants_of
from customer_journey.testing._mutants import MUTATION_OPERATORS, ModelElement, Mutant
from customer_journey.testing._mutation_run import MutationReport, run_mutants
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
    "MAX_RETARGETS",
    "MUTATION_OPERATORS",
    "PATHS_START",
    "Coverage",
    "CoverageItem",
    "Failure",
    "History",
    "JourneyAssertion",
    "JourneyAssertionError",
    "ModelElement",
    "Mutant",
    "MutationReport",
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
    "mutants_of",
    "read_settings",
    "run_mutants",
    "run_scenario",
    "run_scenario_file",
    "scenario_coverage",
    "shortest_paths",
    "simulate",
    "total_percent",
    "transition_name",
]

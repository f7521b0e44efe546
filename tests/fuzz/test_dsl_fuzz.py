"""Mutated journey and scenario files end in a load, or in our own located errors, quickly.

Each test runs one target of `fuzz_dsl` under the suite's small, deterministic budget
(`fuzz_support.CI`); `benchmarks/fuzz_long.py` runs the same targets for minutes.
"""

from __future__ import annotations

import pytest
from fuzz_dsl import (
    EXAMPLE_JOURNEYS,
    SHARED_JOURNEYS,
    SHARED_SCENARIOS,
    SHIPPED_SCENARIOS,
    JourneyCase,
    ScenarioCase,
    check_journey,
    check_scenarios,
    journey_cases,
    missing,
    scenario_cases,
)
from fuzz_support import CI
from hypothesis import given


@CI
@given(journey_cases(EXAMPLE_JOURNEYS))
def test_mutants_of_the_example_journeys_load_or_raise_located_journey_errors(
    case: JourneyCase,
) -> None:
    check_journey(case)


@pytest.mark.skipif(bool(missing(SHARED_JOURNEYS)), reason=str(missing(SHARED_JOURNEYS)))
@CI
@given(journey_cases(SHARED_JOURNEYS))
def test_mutants_of_the_reference_journeys_load_or_raise_located_journey_errors(
    case: JourneyCase,
) -> None:
    check_journey(case)


@CI
@given(scenario_cases(SHIPPED_SCENARIOS))
def test_mutants_of_the_shipped_scenario_file_run_or_raise_our_own_errors(
    case: ScenarioCase,
) -> None:
    check_scenarios(case)


@pytest.mark.skipif(bool(missing(SHARED_SCENARIOS)), reason=str(missing(SHARED_SCENARIOS)))
@CI
@given(scenario_cases(SHARED_SCENARIOS))
def test_mutants_of_the_reference_scenario_files_run_or_raise_our_own_errors(
    case: ScenarioCase,
) -> None:
    check_scenarios(case)

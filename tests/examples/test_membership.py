"""The worked example of section 10: the gym membership journey and its scenarios."""

from __future__ import annotations

from pathlib import Path

from customer_journey.testing import run_scenario_file

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def test_the_membership_example_s_scenarios_all_pass() -> None:
    outcome = run_scenario_file(EXAMPLES / "membership.scenarios.yaml")
    assert [result.describe() for result in outcome.failed] == []
    assert len(outcome.results) == 12

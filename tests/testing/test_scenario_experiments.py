"""Scenario files and section 10: `customer`, `assign`, `arms`, and every mistake at once."""

from __future__ import annotations

import shutil
import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner

from customer_journey.cli import main
from customer_journey.errors import JourneyError
from customer_journey.testing import load_scenario_file, run_scenario_file

pytest_plugins = ["pytester"]

SHARED = Path(__file__).resolve().parents[2].parent / "shared" / "dsl"
STREAMING = ("streaming.journey.yaml", "streaming.scenarios.yaml")
needs_shared = pytest.mark.skipif(
    not all((SHARED / name).is_file() for name in STREAMING),
    reason="../shared/dsl (the streaming reference journey) is missing",
)

JOURNEY = """\
journey: split
touchpoints:
  visit: { event: page.viewed, channel: web }
stages:
  visitor:
    entry: [visit]
    actions:
      - { id: discount, channel: email, if: { experiment.offer: discount } }
experiments:
  offer:
    arms: { discount: 1, content: 1 }
"""


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / "split.journey.yaml").write_text(JOURNEY, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def write(text: str) -> str:
    Path("s.yaml").write_text(textwrap.dedent(text), encoding="utf-8")
    return "s.yaml"


def problems(path: str) -> list[str]:
    with pytest.raises(JourneyError) as raised:
        load_scenario_file(path)
    return [str(problem) for problem in raised.value.problems]


def test_a_scenario_names_its_customer_and_the_arms_follow(workdir: Path) -> None:
    path = write(
        """\
        journey: split.journey.yaml
        scenarios:
          - name: c-2 is in the content arm
            customer: c-2
            events: [{ type: page.viewed, at: 2026-01-01T00:00:00Z }]
            expect: { arms: { offer: content }, next_action: null }
          - name: the default customer is 'customer'
            events: [{ type: page.viewed, at: 2026-01-01T00:00:00Z }]
            expect: { arms: { offer: discount } }
          - name: a whole number id is read as its digits
            customer: 7
            events: [{ type: email.opened, at: 2026-01-01T00:00:00Z }]
            expect: { stage: null, arms: { offer: content } }
        """
    )
    outcome = run_scenario_file(path)
    assert [r.describe() for r in outcome.results] == [
        "PASS c-2 is in the content arm",
        "PASS the default customer is 'customer'",
        "PASS a whole number id is read as its digits",
    ]
    assert [r.result.customer for r in outcome.results] == ["c-2", "customer", "7"]


def test_assign_forces_an_arm_and_a_wrong_arm_expectation_fails(workdir: Path) -> None:
    path = write(
        """\
        journey: split.journey.yaml
        scenarios:
          - name: forced
            customer: c-2
            assign: { offer: discount }
            events: [{ type: page.viewed, at: 2026-01-01T00:00:00Z }]
            expect: { arms: { offer: content }, next_action: discount }
        """
    )
    (result,) = run_scenario_file(path).results
    assert [failure.describe() for failure in result.failures] == [
        "s.yaml:7:15: arms: expected {offer: content}, got {offer: discount}"
    ]


def test_structure_and_name_mistakes_are_reported_in_one_round(workdir: Path) -> None:
    path = write(
        """\
        journey: split.journey.yaml
        scenarios:
          - name: broken
            customer: [a]
            assign: { ofer: discount }
            events: [{ type: page.viewed, at: 2026-01-01T00:00:00Z }]
            expect: { stage: visiter }
          - name: names only
            assign: { offer: discont }
            events: [{ type: page.viewed }]
            expect: { arms: { offer: nothing }, suppressed: { discount: send_window } }
        """
    )
    assert problems(path) == [
        "s.yaml:4:15: 'customer' must be a customer id such as viewer-1 (got [a]) [bad-type]",
        "s.yaml:5:15: unknown experiment 'ofer' in 'assign'; did you mean 'offer'? "
        "[unknown-experiment]",
        "s.yaml:7:15: unknown stage 'visiter' in 'stage'; did you mean 'visitor'? [unknown-stage]",
        "s.yaml:9:22: unknown arm 'discont' of experiment 'offer' in 'assign'; "
        "did you mean 'discount'? [unknown-arm]",
        "s.yaml:10:14: the event has no 'at'; add it [missing-key]",
        "s.yaml:11:15: unknown arm 'nothing' of experiment 'offer' in 'arms' [unknown-arm]",
    ]


def test_assign_must_be_a_mapping_of_experiments_to_arms(workdir: Path) -> None:
    path = write(
        """\
        journey: split.journey.yaml
        scenarios:
          - name: bad
            assign: [offer]
            events: [{ type: page.viewed, at: 2026-01-01T00:00:00Z }]
            expect: { arms: [offer] }
        """
    )
    assert problems(path) == [
        "s.yaml:4:13: 'assign' must be a mapping of experiments to arms, such as "
        "{ trial_offer: discount } (got [offer]) [bad-type]",
        "s.yaml:6:21: 'arms' must be a mapping of experiments to arms, such as "
        "{ trial_offer: discount } (got [offer]) [bad-type]",
    ]


@needs_shared
def test_the_streaming_reference_scenarios_pass_from_the_command_line() -> None:
    result = CliRunner().invoke(main, ["test", str(SHARED / "streaming.scenarios.yaml")])
    assert result.stdout.splitlines()[-1] == "19 passed, 0 failed"
    assert result.exit_code == 0


@needs_shared
def test_the_streaming_reference_scenarios_run_as_19_passing_plugin_items(
    pytester: pytest.Pytester,
) -> None:
    for name in STREAMING:
        shutil.copy(SHARED / name, pytester.path)
    result = pytester.runpytest("-p", "no:hypothesispytest", "-v")
    result.assert_outcomes(passed=19)
    items = [line for line in result.outlines if line.startswith("streaming.scenarios.yaml::")]
    assert items[0] == (
        "streaming.scenarios.yaml::five quiet days in the trial lapse a trialist PASSED [  5%]"
    )

"""Running scenarios: each expectation checked, failures with expected, actual and trace."""

from __future__ import annotations

import shutil
import textwrap
from datetime import datetime, timezone
from pathlib import Path

import pytest

import customer_journey
from customer_journey.dsl._scenario_file import EXPECTATION_KEYS
from customer_journey.errors import JourneyError, Location
from customer_journey.testing import (
    CHECKS,
    Failure,
    load_scenario_file,
    run_scenario,
    run_scenario_file,
)

DATA = Path(__file__).parent / "data"
SHARED = Path(__file__).resolve().parents[2].parent / "shared" / "dsl"


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A directory holding the shop journey, as the current directory (short locations)."""
    shutil.copy(DATA / "shop.journey.yaml", tmp_path)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def write(name: str, text: str) -> str:
    Path(name).write_text(textwrap.dedent(text), encoding="utf-8")
    return name


def test_a_file_whose_expectations_hold_passes(workdir: Path) -> None:
    shutil.copy(DATA / "shop.scenarios.yaml", workdir)
    outcome = run_scenario_file("shop.scenarios.yaml")
    assert outcome.passed
    assert [r.describe() for r in outcome.results] == [
        "PASS a cart makes a shopper",
        "PASS an abandoned cart times out",
    ]
    assert outcome.failed == ()
    assert outcome.journey.name == "shop"


def test_a_wrong_expectation_shows_expected_actual_and_the_trace(workdir: Path) -> None:
    shutil.copy(DATA / "shop.failing.scenarios.yaml", workdir)
    outcome = run_scenario_file("shop.failing.scenarios.yaml")
    assert not outcome.passed
    (failed,) = outcome.failed
    assert failed.failures == (
        Failure("stage", "buyer", "shopper", Location("shop.failing.scenarios.yaml", 16, 7)),
        Failure(
            "goals",
            failed.scenario.expect[2].value,
            {"purchase": "pending"},
            Location("shop.failing.scenarios.yaml", 18, 7),
        ),
    )
    assert failed.describe().splitlines() == [
        "FAIL a deliberately wrong expectation",
        "  at shop.failing.scenarios.yaml:10:5",
        "  shop.failing.scenarios.yaml:16:7: stage: expected buyer, got shopper",
        "  shop.failing.scenarios.yaml:18:7: goals: expected {purchase: reached}, "
        "got {purchase: pending}",
        "  trace, as of 2026-01-01T12:00:00Z:",
        "    2026-01-01T10:00:00Z  page.viewed [visit]: entered the journey at 'visitor'",
        "    2026-01-01T11:00:00Z  cart.added [cart]: moved visitor -> shopper",
        "    2026-01-01T12:00:00Z  cart.added [no touchpoint]: duplicate event id, ignored",
    ]


def test_path_is_the_list_of_stages_entered(workdir: Path) -> None:
    write(
        "s.yaml",
        """\
        journey: shop.journey.yaml
        scenarios:
          - name: path
            events: [{ type: page.viewed, at: 2026-01-01T10:00:00Z }]
            expect: { path: [visitor, buyer] }
        """,
    )
    (result,) = run_scenario_file("s.yaml").results
    assert [f.describe() for f in result.failures] == [
        "s.yaml:5:15: path: expected [visitor, buyer], got [visitor]"
    ]


def test_a_customer_outside_the_journey_has_a_null_stage(workdir: Path) -> None:
    write(
        "s.yaml",
        """\
        journey: shop.journey.yaml
        scenarios:
          - name: outside
            events: [{ type: cart.added, at: 2026-01-01T10:00:00Z }]
            expect: { stage: null, phase: null, path: [], terminal: false }
        """,
    )
    assert run_scenario_file("s.yaml").passed


def test_only_the_listed_goals_are_checked(workdir: Path) -> None:
    journey = customer_journey.load("shop.journey.yaml")
    scenario_file, _ = load_scenario_file(
        write(
            "s.yaml",
            """\
            journey: shop.journey.yaml
            scenarios:
              - name: goals
                events: [{ type: page.viewed, at: 2026-01-01T10:00:00Z }]
                expect: { goals: { browse: pending } }
            """,
        )
    )
    result = run_scenario(journey, scenario_file.scenarios[0])
    assert result.passed
    assert result.result.goals["purchase"].status == "pending"


def test_every_expectation_key_of_the_spec_has_a_check() -> None:
    assert set(CHECKS) == set(EXPECTATION_KEYS)


def test_names_the_journey_does_not_have_are_problems_with_a_suggestion(workdir: Path) -> None:
    write(
        "s.yaml",
        """\
        journey: shop.journey.yaml
        scenarios:
          - name: typos
            events: [{ type: page.viewed, at: 2026-01-01T10:00:00Z }]
            expect:
              stage: shoper
              path: [visitor, buyr]
              phase: loyalty
              goals: { purchse: reached }
              next_action: call_back
              friction: [stalled, Sticker shock]
        """,
    )
    with pytest.raises(JourneyError) as caught:
        load_scenario_file("s.yaml")
    assert [str(p) for p in caught.value.problems] == [
        "s.yaml:6:7: unknown stage 'shoper' in 'stage'; did you mean 'shopper'? [unknown-stage]",
        "s.yaml:7:7: unknown stage 'buyr' in 'path'; did you mean 'buyer'? [unknown-stage]",
        "s.yaml:8:7: unknown phase 'loyalty' in 'phase' [unknown-phase]",
        "s.yaml:9:7: unknown goal 'purchse' in 'goals'; did you mean 'purchase'? [unknown-goal]",
        "s.yaml:10:7: unknown action 'call_back' in 'next_action' [unknown-action]",
        "s.yaml:11:7: unknown friction 'Sticker shock' in 'friction' [unknown-friction]",
    ]


def test_a_missing_journey_file_is_a_located_problem(workdir: Path) -> None:
    write(
        "s.yaml",
        """\
        journey: nowhere.journey.yaml
        scenarios:
          - name: x
            events: [{ type: page.viewed, at: 2026-01-01T10:00:00Z }]
            expect: { stage: null }
        """,
    )
    with pytest.raises(JourneyError) as caught:
        load_scenario_file("s.yaml")
    assert [str(p) for p in caught.value.problems] == [
        "s.yaml:1:10: journey file 'nowhere.journey.yaml' not found (looked for "
        "nowhere.journey.yaml) [missing-journey]"
    ]


def test_the_journey_path_is_relative_to_the_scenario_file(workdir: Path) -> None:
    (workdir / "tests").mkdir()
    write(
        "tests/s.yaml",
        """\
        journey: ../shop.journey.yaml
        scenarios:
          - name: x
            events: [{ type: page.viewed, at: 2026-01-01T10:00:00Z }]
            expect: { stage: visitor }
        """,
    )
    assert run_scenario_file(Path("tests/s.yaml")).passed


def test_naive_scenario_times_are_read_in_the_journeys_timezone(workdir: Path) -> None:
    text = (workdir / "shop.journey.yaml").read_text(encoding="utf-8")
    (workdir / "paris.journey.yaml").write_text(
        text.replace("journey: shop", "journey: shop\ntimezone: Europe/Paris"), encoding="utf-8"
    )
    write(
        "s.yaml",
        """\
        journey: paris.journey.yaml
        scenarios:
          - name: paris
            events: [{ type: page.viewed, at: 2026-07-01T10:00:00 }]
            expect: { stage: visitor }
        """,
    )
    scenario_file, _ = load_scenario_file("s.yaml")
    event = scenario_file.scenarios[0].events[0]
    assert event.at == datetime(2026, 7, 1, 8, tzinfo=timezone.utc)


@pytest.mark.skipif(not SHARED.is_dir(), reason="../shared/dsl (the reference journey) is missing")
def test_the_retail_scenarios_fail_only_for_keys_not_supported_yet() -> None:
    outcome = run_scenario_file(SHARED / "retail.scenarios.yaml")
    assert len(outcome.results) == 29
    for result in outcome.results:
        unchecked = [e.key for e in result.scenario.expect if e.key not in CHECKS]
        assert [f.key for f in result.failures] == unchecked, result.describe()
        assert all(f.message for f in result.failures), result.describe()

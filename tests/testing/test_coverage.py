"""Scenario coverage: stages entered, transitions fired, friction flagged, actions offered."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from customer_journey import Journey, loads
from customer_journey.testing import run_scenario_file
from customer_journey.testing._coverage import coverage_of, scenario_coverage, total_percent

DATA = Path(__file__).parent / "data"
SHARED = Path(__file__).resolve().parents[2].parent / "shared" / "dsl"

STORE = """\
journey: store
touchpoints:
  visit: { event: page.viewed, channel: web }
  fail: { event: payment.failed, channel: web }
  order: { event: order.completed, channel: web }
stages:
  browsing:
    entry: [visit]
    transitions:
      - { to: bought, when: order }
      - { to: gone, after: 30d }
    friction:
      - { label: Payment trouble, when: fail }
    actions:
      - { id: help, channel: web, priority: 2, if: { stage_count.fail: { gte: 1 } } }
      - { id: nudge, channel: web, priority: 1 }
  bought: { terminal: true }
  gone: { terminal: true }
goals:
  purchase: { reach: bought }
"""


@pytest.fixture(scope="module")
def store() -> Journey:
    return loads(STORE, source="store.journey.yaml")


def test_an_empty_suite_covers_nothing(store: Journey) -> None:
    coverage = coverage_of(store, [])
    assert coverage.counts() == (0, 8)
    assert coverage.percent() == 0.0


def test_each_kind_is_covered_by_what_the_replays_did(store: Journey) -> None:
    results = [
        store.replay(
            [
                {"type": "page.viewed", "timestamp": "2026-01-01T10:00:00Z"},
                {"type": "payment.failed", "timestamp": "2026-01-01T10:05:00Z"},
            ],
            trace=True,
        ),
        store.replay([{"type": "page.viewed", "timestamp": "2026-01-01T10:00:00Z"}], trace=True),
    ]
    coverage = coverage_of(store, results)
    assert coverage.describe() == (
        "coverage of 'store' (store.journey.yaml), 2 scenarios\n"
        "  kind         covered total percent\n"
        "  stages             1     3   33.3%\n"
        "  transitions        0     2    0.0%\n"
        "  friction           1     1  100.0%\n"
        "  actions            2     2  100.0%\n"
        "  total              4     8   50.0%\n"
        "not covered:\n"
        "  store.journey.yaml:17:3: stage bought\n"
        "  store.journey.yaml:18:3: stage gone\n"
        "  store.journey.yaml:10:9: transition browsing -> bought on order\n"
        "  store.journey.yaml:11:9: transition browsing -> gone after 30d"
    )


def test_transitions_are_seen_in_traces_and_suppressed_actions_are_noted(store: Journey) -> None:
    moved = store.replay(
        [{"type": "page.viewed", "timestamp": "2026-01-01T10:00:00Z"}],
        "2026-03-01T00:00:00Z",
        trace=True,
    )
    stayed = store.replay([{"type": "page.viewed", "timestamp": "2026-01-01T10:00:00Z"}])
    coverage = coverage_of(store, [moved, stayed])
    assert [item.describe() for item in coverage.items if item.kind != "stage"] == [
        "store.journey.yaml:10:9: transition browsing -> bought on order",
        "store.journey.yaml:11:9: transition browsing -> gone after 30d",
        "store.journey.yaml:13:9: friction browsing: Payment trouble",
        "store.journey.yaml:15:9: action help (suppressed: if)",
        "store.journey.yaml:16:9: action nudge",
    ]
    covered = [item.covered for item in coverage.items]
    assert covered == [True, False, True, False, True, False, False, True]
    assert coverage.percent("transition") == 50.0


def test_to_dict_has_totals_per_kind_and_every_item(store: Journey) -> None:
    data = coverage_of(store, []).to_dict()
    assert list(data) == ["journey", "source", "replays", "kinds", "total", "items"]
    assert data["kinds"]["friction"] == {"covered": 0, "total": 1, "percent": 0.0}
    assert data["items"][0] == {
        "kind": "stage",
        "name": "browsing",
        "location": "store.journey.yaml:7:3",
        "covered": False,
        "suppressed": [],
    }


def test_scenario_files_of_one_journey_add_up(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for path in DATA.iterdir():
        shutil.copy(path, tmp_path)
    monkeypatch.chdir(tmp_path)
    outcomes = [
        run_scenario_file("shop.scenarios.yaml"),
        run_scenario_file("shop.failing.scenarios.yaml"),
    ]
    (coverage,) = scenario_coverage(outcomes)
    assert coverage.replays == 4
    assert [item.name for item in coverage.uncovered] == ["shopper -> buyer on order"]
    assert total_percent([coverage]) == pytest.approx(100 * 6 / 7)


def test_nothing_to_cover_counts_as_full_coverage() -> None:
    assert total_percent([]) == 100.0


def test_the_reference_scenarios_cover_every_stage() -> None:
    if not SHARED.is_dir():
        pytest.skip(f"the reference files are not in {SHARED} (../shared is missing)")
    (coverage,) = scenario_coverage([run_scenario_file(SHARED / "retail.scenarios.yaml")])
    assert coverage.counts("stage") == (9, 9)
    assert coverage.replays == 29


def test_the_streaming_scenarios_cover_both_idle_timeouts_by_name() -> None:
    if not SHARED.is_dir():
        pytest.skip(f"the reference files are not in {SHARED} (../shared is missing)")
    (coverage,) = scenario_coverage([run_scenario_file(SHARED / "streaming.scenarios.yaml")])
    transitions = {item.name: item.covered for item in coverage.items if item.kind == "transition"}
    assert transitions == {
        "visitor -> trialist on trial_start": True,
        "trialist -> subscriber on subscribed": True,
        "trialist -> lapsed idle 5d": True,
        "subscriber -> binger on finished_show 2 times within 14d": True,
        "lapsed -> subscriber on subscribed": False,
        "anywhere -> cancelled on cancel": False,
        "anywhere -> lapsed idle 30d": True,
    }

"""`compare`: two versions of a journey over the same records, on a hand-built population."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

import customer_journey as cj
from customer_journey.analytics import FrictionShift, GoalShift, StageChange, StageShift, _compare
from customer_journey.render import comparison_text

VERSION = """\
journey: lapse-{days}d
{events}touchpoints:
  visit: {{ event: page.viewed, channel: web }}
stages:
  active:
    phase: retention
    entry: [visit]
    transitions:
      - {{ to: active, when: visit }}
      - {{ to: lapsed, after: {days}d }}
  lapsed:
    transitions:
      - {{ to: won_back, when: visit }}
  won_back:
    phase: advocacy
    transitions:
      - {{ to: won_back, when: visit }}
      - {{ to: lapsed, after: 30d }}
goals:
  win_back: {{ reach: won_back }}
"""


def version(days: int, events: str = "") -> cj.Journey:
    """The journey with the lapse timeout of 'active' set to `days`."""
    return cj.loads(VERSION.format(days=days, events=events), source=f"lapse-{days}d.yaml")


A = version(30)
B = version(20)
T0 = datetime(2026, 1, 1, tzinfo=timezone.utc)
AS_OF = T0 + timedelta(days=60)

# Customer groups by their visits (days after T0), and where each version puts them at day 60:
#   steady  10-day gaps                     active   | active
#   gap25   idle 25 days, then back         active   | won_back (lapsed at 40, back at 45)
#   gap35   idle 35 days, then back         won_back | won_back
#   idle25  idle 25 days at as_of           active   | lapsed   (lapsed at 55)
#   idle35  idle 35 days at as_of           lapsed   | lapsed
#   outside events, but never an entry      None     | None
GROUPS = {
    "steady": (40, 50, 59),
    "gap25": (20, 45, 55),
    "gap35": (10, 45, 55),
    "idle25": (35,),
    "idle35": (25,),
}
SIZES = {"steady": 2, "gap25": 3, "gap35": 2, "idle25": 7, "idle35": 4}
OUTSIDE = 2


def ids(group: str) -> list[str]:
    return [f"{group}-{number:02}" for number in range(1, SIZES[group] + 1)]


def records() -> list[dict[str, Any]]:
    """Every customer's visits, customers interleaved (the input is read in any order)."""
    out: list[dict[str, Any]] = []
    for group, days in GROUPS.items():
        for customer in ids(group):
            out += [
                {
                    "customer_id": customer,
                    "type": "page.viewed",
                    "timestamp": (T0 + timedelta(days=day)).isoformat(),
                }
                for day in days
            ]
    out += [
        {"customer_id": f"outside-{n}", "type": "order.completed", "timestamp": T0.isoformat()}
        for n in range(OUTSIDE)
    ]
    return out[::-1]


CUSTOMERS = sum(SIZES.values())
TIMEOUT = ("timeout", "active", "lapsed", None)


def test_a_shorter_lapse_timeout_lapses_exactly_the_customers_idle_between_the_two() -> None:
    comparison = cj.compare(A, B, records(), AS_OF)
    assert comparison.stages == (
        StageShift("active", 2 + 3 + 7, 2),
        StageShift("lapsed", 4, 7 + 4),
        StageShift("won_back", 2, 3 + 2),
        StageShift(None, OUTSIDE, OUTSIDE),
    )
    assert comparison.stages[1].difference == SIZES["idle25"]
    assert comparison.changes == (
        StageChange("active", "lapsed", 7, tuple(ids("idle25")[:5])),
        StageChange("active", "won_back", 3, tuple(ids("gap25"))),
    )
    assert comparison.changed == SIZES["idle25"] + SIZES["gap25"]
    assert comparison.as_of == AS_OF
    assert (comparison.a.customers, comparison.b.customers) == (CUSTOMERS, CUSTOMERS)


def test_goal_shift_counts_the_customers_won_back_only_under_the_shorter_timeout() -> None:
    comparison = cj.compare(A, B, records(), AS_OF)
    assert comparison.goals == (GoalShift("win_back", 2, 5, 2 / CUSTOMERS, 5 / CUSTOMERS),)


def test_friction_shift_counts_the_customers_who_timed_out_under_each_version() -> None:
    comparison = cj.compare(A, B, records(), AS_OF)
    # a: gap35 and idle35 lapse; b: also gap25 and idle25.
    assert comparison.friction == (FrictionShift(*TIMEOUT, 2 + 4, 3 + 2 + 7 + 4),)
    assert comparison.friction[0].to_dict() == {
        "kind": "timeout",
        "stage": "active",
        "label": "timed out of 'active' into 'lapsed'",
        "a": 6,
        "b": 16,
        "difference": 10,
    }


def test_the_default_as_of_is_the_latest_event_time() -> None:
    comparison = cj.compare(A, B, records())
    assert comparison.as_of == T0 + timedelta(days=59)
    assert comparison.a.as_of == comparison.b.as_of == comparison.as_of


def test_comparing_a_journey_with_itself_changes_nothing() -> None:
    comparison = cj.compare(A, A, records(), AS_OF)
    assert comparison.changed == 0
    assert comparison.changes == ()
    assert [shift.difference for shift in comparison.stages] == [0, 0, 0, 0]
    assert [(shift.a, shift.b) for shift in comparison.stages] == [(12, 12), (4, 4), (2, 2), (2, 2)]
    assert comparison.goals == (GoalShift("win_back", 2, 2, 2 / CUSTOMERS, 2 / CUSTOMERS),)
    assert comparison.friction == (FrictionShift(*TIMEOUT, 6, 6),)
    assert comparison.a.to_dict() == comparison.b.to_dict()


def test_to_dict_is_json_ready_in_a_stable_order() -> None:
    data = cj.compare(A, B, records(), AS_OF).to_dict()
    assert json.loads(json.dumps(data)) == data
    assert list(data) == [
        "as_of",
        "a",
        "a_file",
        "b",
        "b_file",
        "changed",
        "stages",
        "goals",
        "experiments",
        "friction",
        "changes",
    ]
    assert data["experiments"] == {"a": [], "b": []}  # neither version has experiments
    assert data["as_of"] == "2026-03-02T00:00:00Z"
    assert (data["a"], data["b"], data["changed"]) == ("lapse-30d", "lapse-20d", 10)
    assert (data["a_file"], data["b_file"]) == ("lapse-30d.yaml", "lapse-20d.yaml")
    assert data["stages"][1] == {"stage": "lapsed", "a": 4, "b": 11, "difference": 7}
    assert data["stages"][3] == {"stage": None, "a": 2, "b": 2, "difference": 0}
    assert data["changes"][1] == {
        "a_stage": "active",
        "b_stage": "won_back",
        "customers": 3,
        "examples": ["gap25-01", "gap25-02", "gap25-03"],
    }


def test_two_versions_with_one_journey_id_are_named_by_their_files() -> None:
    a = cj.loads(VERSION.format(days=30, events=""), source="v1/lapse.yaml")
    b = cj.loads(VERSION.format(days=30, events=""), source="v2/lapse.yaml")
    comparison = cj.compare(a, b, records(), AS_OF)
    assert (comparison.a.journey, comparison.b.journey) == ("lapse-30d", "lapse-30d")
    assert (comparison.a_file, comparison.b_file) == ("v1/lapse.yaml", "v2/lapse.yaml")
    assert comparison_text(comparison).splitlines()[0] == (
        "journey a 'lapse-30d' (v1/lapse.yaml) against b 'lapse-30d' (v2/lapse.yaml), "
        "as of 2026-03-02T00:00:00Z"
    )


def test_the_text_shows_as_of_in_the_given_timezone() -> None:
    comparison = cj.compare(A, B, records(), AS_OF)
    text = comparison_text(comparison, timezone=ZoneInfo("Europe/Berlin"))
    assert text.splitlines()[0].endswith(", as of 2026-03-02T01:00:00+01:00")


def test_to_json_is_to_dict_as_indented_json_text() -> None:
    comparison = cj.compare(A, B, records(), AS_OF)
    text = comparison.to_json()
    assert json.loads(text) == comparison.to_dict()
    assert text.startswith('{\n  "as_of": "2026-03-02T00:00:00Z",\n  "a": "lapse-30d",\n')
    assert comparison.to_json(indent=None).startswith('{"as_of": "2026-03-02T00:00:00Z", "a": ')


def test_each_version_reads_the_records_with_its_own_field_mapping() -> None:
    # Version b names customers by another field: the same people under other ids.
    renamed = version(20, events="events: { customer: user_id }\n")
    people = [{**item, "user_id": "u-" + item["customer_id"]} for item in records()]
    comparison = cj.compare(A, renamed, people, AS_OF)
    assert comparison.b.customers == CUSTOMERS
    assert comparison.stages[1] == StageShift("lapsed", 4, 11)
    found = [(change.a_stage, change.b_stage, change.customers) for change in comparison.changes]
    assert set(found) == {
        ("active", None, 12),
        (None, "lapsed", 11),
        (None, "won_back", 5),
        ("lapsed", None, 4),
        (None, "active", 2),
        ("won_back", None, 2),
    }
    assert [count for _, _, count in found] == [12, 11, 5, 4, 2, 2]  # most first
    assert comparison.changed == 2 * CUSTOMERS
    lapsed_under_b = next(c for c in comparison.changes if c.b_stage == "lapsed")
    assert lapsed_under_b.examples == (
        "u-idle25-01",
        "u-idle25-02",
        "u-idle25-03",
        "u-idle25-04",
        "u-idle25-05",
    )


ONE_SHOT = (
    "compare reads the records once for each version of the journey; "
    "pass a list or a file, not a one-shot stream"
)


@pytest.mark.parametrize("as_of", [None, AS_OF])
def test_a_one_shot_stream_is_refused_as_compare_reads_it_once_per_version(
    as_of: datetime | None,
) -> None:
    with pytest.raises(cj.UngroupedInputError) as raised:
        cj.compare(A, B, iter(records()), as_of)
    assert str(raised.value) == ONE_SHOT


def test_a_one_shot_event_source_is_refused_too() -> None:
    source = A.events_from(iter(records()))
    with pytest.raises(cj.UngroupedInputError) as raised:
        cj.compare(A, B, source, AS_OF)
    assert str(raised.value) == ONE_SHOT


def test_a_rereadable_event_source_is_accepted() -> None:
    comparison = cj.compare(A, A, A.events_from(records()), AS_OF)
    assert comparison.b.customers == comparison.a.customers == CUSTOMERS


def exported(tmp_path: Path) -> str:
    """The population as a JSONL file, with a duplicated line and a rejected one."""
    lines = [json.dumps(record) for record in records()]
    lines[5:5] = [lines[9], "not json"]
    path = tmp_path / "events.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return str(path)


@pytest.mark.parametrize("as_of", [None, AS_OF])
def test_two_and_three_worker_processes_give_the_one_process_comparison(
    tmp_path: Path, as_of: datetime | None
) -> None:
    path = exported(tmp_path)
    one = cj.compare(A, B, path, as_of, workers=1)
    assert (one.a.totals and one.a.totals.rejected, len(one.a.rejections)) == (1, 1)
    for workers in (2, 3):
        many = cj.compare(A, B, path, as_of, workers=workers)
        assert many.to_json() == one.to_json()
        assert comparison_text(many) == comparison_text(one)


def test_records_in_memory_are_compared_in_this_process_whatever_the_workers(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(_compare, "run_in_processes", None)
    many = cj.compare(A, B, records(), AS_OF, workers=4)
    assert many.to_dict() == cj.compare(A, B, records(), AS_OF).to_dict()


def test_workers_must_be_a_whole_number_of_one_or_more() -> None:
    with pytest.raises(cj.ArgumentError) as raised:
        cj.compare(A, B, records(), AS_OF, workers=0)
    assert str(raised.value) == "'workers' must be a whole number of 1 or more (got 0)"

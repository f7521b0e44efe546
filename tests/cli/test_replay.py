"""`customer-journey replay`: positions in three formats, the summary, rejects and exit codes."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import Result

import customer_journey

Run = Callable[..., Result]

RECORDS = [
    {"customer_id": "c2", "type": "page.viewed", "timestamp": "2026-01-01T09:00:00Z"},
    {"customer_id": "c1", "type": "page.viewed", "timestamp": "2026-01-01T09:00:00Z"},
    {"customer_id": "c1", "type": "cart.added", "timestamp": "2026-01-01T10:00:00Z"},
    {"customer_id": "c3", "type": "cart.added", "timestamp": "2026-01-01T11:00:00Z"},
    {"customer_id": "c2", "type": "order.completed", "timestamp": "2026-01-02T09:00:00Z"},
]

TABLE = """\
customer  stage    phase          entered_at            time_in_stage  terminal  stalled  next_action  friction  goal.purchase  goal.browse
c1        shopper  consideration  2026-01-01T10:00:00Z  23h            false     false    -            -         pending        reached
c2        buyer    conversion     2026-01-02T09:00:00Z  0s             true      false    -            -         reached        missed
c3        -        -              -                     -              false     false    -            -         pending        pending
"""  # noqa: E501 - a golden table is as wide as it is

SUMMARY = """\
records: 5 read, 5 accepted, 0 rejected, 0 duplicates, 0 after as_of
customers: 3, as of 2026-01-02T09:00:00Z
stage                 customers
visitor                       0
shopper                       1
buyer                         1
(not in the journey)          1
"""


def write_jsonl(path: Path, records: list[object]) -> str:
    lines = [r if isinstance(r, str) else json.dumps(r) for r in records]
    path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    return path.name


@pytest.fixture
def events(workdir: Path) -> str:
    return write_jsonl(workdir / "events.jsonl", list(RECORDS))


def test_the_table_shows_each_customers_position_sorted_by_customer(run: Run, events: str) -> None:
    result = run("replay", "shop.journey.yaml", events)
    assert result.exit_code == 0, result.stderr
    assert result.stdout == TABLE
    assert result.stderr == SUMMARY


def test_output_is_byte_identical_whatever_the_input_order(
    run: Run, workdir: Path, events: str
) -> None:
    shuffled = write_jsonl(workdir / "shuffled.jsonl", list(reversed(RECORDS)))
    for output_format in ("table", "jsonl", "csv"):
        first = run("replay", "shop.journey.yaml", events, "--format", output_format)
        second = run("replay", "shop.journey.yaml", shuffled, "--format", output_format)
        assert first.stdout_bytes == second.stdout_bytes


def test_csv_has_flat_columns_and_empty_cells_for_no_value(run: Run, events: str) -> None:
    result = run("replay", "shop.journey.yaml", events, "--format", "csv")
    assert result.stdout == (
        "customer,stage,phase,entered_at,time_in_stage,terminal,stalled,next_action,friction,"
        "goal.purchase,goal.browse\n"
        "c1,shopper,consideration,2026-01-01T10:00:00Z,23h,false,false,,,pending,reached\n"
        "c2,buyer,conversion,2026-01-02T09:00:00Z,0s,true,false,,,reached,missed\n"
        "c3,,,,,false,false,,,pending,pending\n"
    )


def test_jsonl_is_each_result_as_a_dict_without_the_trace(run: Run, events: str) -> None:
    result = run("replay", "shop.journey.yaml", events, "--format", "jsonl")
    journey = customer_journey.load("shop.journey.yaml")
    expected = []
    for result_ in journey.replay_all(journey.read_events(events)):
        data = result_.to_dict()
        del data["trace"]
        expected.append(data)
    assert [json.loads(line) for line in result.stdout.splitlines()] == expected
    assert "trace" not in result.stdout


def test_as_of_replays_up_to_that_moment(run: Run, events: str) -> None:
    result = run("replay", "shop.journey.yaml", events, "--as-of", "2026-01-01T10:30:00Z")
    assert result.exit_code == 0
    assert result.stdout.splitlines()[1:] == [
        "c1        shopper  consideration  2026-01-01T10:00:00Z  30m            false     false"
        "    -            -         pending        reached",
        "c2        visitor  awareness      2026-01-01T09:00:00Z  1h30m          false     false"
        "    -            -         pending        pending",
    ]
    assert result.stderr.splitlines()[:2] == [
        "records: 5 read, 5 accepted, 0 rejected, 0 duplicates, 2 after as_of",
        "customers: 2, as of 2026-01-01T10:30:00Z",
    ]


ADVISED_JOURNEY = """\
journey: advised
touchpoints:
  visit: { event: page.viewed, channel: web }
  cart: { event: cart.added, channel: web }
  price: { event: pricing.viewed, channel: web }
stages:
  visitor:
    entry: [visit]
    transitions:
      - { to: shopper, when: cart }
  shopper:
    expected_duration: 1d
    transitions:
      - { to: visitor, after: 3d }
    friction:
      - { label: Price hesitation, when: price }
      - { label: Second look, when: price }
    actions:
      - { id: call_back, channel: phone, priority: 80, if: { stalled: true } }
      - { id: cart_reminder, channel: email, priority: 70 }
"""


def test_each_customer_shows_the_top_action_and_friction_kinds_in_first_seen_order(
    run: Run, workdir: Path
) -> None:
    (workdir / "advised.journey.yaml").write_text(ADVISED_JOURNEY, encoding="utf-8")
    events = write_jsonl(
        workdir / "events.jsonl",
        [
            {"customer_id": "c1", "type": "page.viewed", "timestamp": "2026-01-01T09:00:00Z"},
            {"customer_id": "c1", "type": "cart.added", "timestamp": "2026-01-01T10:00:00Z"},
            {"customer_id": "c1", "type": "pricing.viewed", "timestamp": "2026-01-01T11:00:00Z"},
            {"customer_id": "c2", "type": "page.viewed", "timestamp": "2026-01-01T09:00:00Z"},
            {"customer_id": "c2", "type": "cart.added", "timestamp": "2026-01-02T12:00:00Z"},
            {"customer_id": "c3", "type": "page.viewed", "timestamp": "2026-01-03T09:00:00Z"},
        ],
    )
    result = run("replay", "advised.journey.yaml", events, "--format", "csv")
    assert result.exit_code == 0, result.stderr
    assert result.stdout == (
        "customer,stage,phase,entered_at,time_in_stage,terminal,stalled,next_action,friction\n"
        'c1,shopper,,2026-01-01T10:00:00Z,1d23h,false,true,call_back,"declared,stalled"\n'
        "c2,shopper,,2026-01-02T12:00:00Z,21h,false,false,cart_reminder,\n"
        "c3,visitor,,2026-01-03T09:00:00Z,0s,false,false,,\n"
    )
    later = run("replay", "advised.journey.yaml", events, "--as-of", "2026-01-05T00:00:00Z")
    assert later.stdout.splitlines()[1] == (
        "c1        visitor  -      2026-01-04T10:00:00Z  14h            false     false"
        "    -            declared,timeout"
    )


def test_a_bad_as_of_is_a_usage_error(run: Run, events: str) -> None:
    result = run("replay", "shop.journey.yaml", events, "--as-of", "soon")
    assert result.exit_code == 2
    assert "Invalid value for '--as-of': not a date and time" in result.stderr


def test_out_writes_the_positions_to_a_file(run: Run, workdir: Path, events: str) -> None:
    result = run("replay", "shop.journey.yaml", events, "--out", "positions.txt")
    assert result.exit_code == 0
    assert result.stdout == ""
    assert (workdir / "positions.txt").read_text(encoding="utf-8") == TABLE


def test_rejected_records_are_counted_and_written_as_jsonl(run: Run, workdir: Path) -> None:
    events = write_jsonl(
        workdir / "events.jsonl",
        [*RECORDS, "not json", {"type": "cart.added", "timestamp": "2026-01-02T09:00:00Z"}],
    )
    result = run("replay", "shop.journey.yaml", events, "--rejects", "rejects.jsonl")
    assert result.exit_code == 0
    assert result.stderr.splitlines()[0] == (
        "records: 7 read, 5 accepted, 2 rejected, 0 duplicates, 0 after as_of"
    )
    rejects = (workdir / "rejects.jsonl").read_text(encoding="utf-8").splitlines()
    assert [json.loads(line) for line in rejects] == [
        {
            "source": "events.jsonl",
            "row": 6,
            "code": "not-json",
            "reason": "not valid JSON: expecting value at column 1",
            "record": "not json",
        },
        {
            "source": "events.jsonl",
            "row": 7,
            "code": "missing-field",
            "reason": "missing 'customer_id'",
            "record": {"type": "cart.added", "timestamp": "2026-01-02T09:00:00Z"},
        },
    ]


def test_too_many_rejected_records_is_a_data_error_without_positions(
    run: Run, workdir: Path
) -> None:
    events = write_jsonl(workdir / "events.jsonl", [RECORDS[0], "bad", "worse"])
    result = run("replay", "shop.journey.yaml", events, "--max-reject-rate", "0.5")
    assert result.exit_code == 3
    assert result.stdout == ""
    assert result.stderr.splitlines()[-1] == (
        "error: 2 of 3 records were rejected (67%), more than --max-reject-rate 50%; "
        "see why with --rejects FILE"
    )


def test_strict_stops_at_the_first_bad_record(run: Run, workdir: Path) -> None:
    events = write_jsonl(workdir / "events.jsonl", [RECORDS[0], "bad"])
    result = run("replay", "shop.journey.yaml", events, "--strict")
    assert result.exit_code == 3
    assert result.stdout == ""
    assert result.stderr == ("error: events.jsonl:2: not valid JSON: expecting value at column 1\n")


def test_the_input_format_can_be_named(run: Run, workdir: Path) -> None:
    (workdir / "events.txt").write_text(
        "customer_id,type,timestamp\nc1,page.viewed,2026-01-01T09:00:00Z\n", encoding="utf-8"
    )
    result = run("replay", "shop.journey.yaml", "events.txt", "--input-format", "csv")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines()[1].split()[:2] == ["c1", "visitor"]


def test_a_missing_events_file_is_an_input_error(run: Run) -> None:
    result = run("replay", "shop.journey.yaml", "nowhere.jsonl")
    assert result.exit_code == 3
    assert result.stderr == "error: cannot read 'nowhere.jsonl': no such file\n"


def test_an_invalid_journey_is_an_input_error_with_its_problems(
    run: Run, workdir: Path, events: str
) -> None:
    (workdir / "bad.yaml").write_text("journey: x\nstages: {}\nextra: 1\n", encoding="utf-8")
    result = run("replay", "bad.yaml", events)
    assert result.exit_code == 3
    assert result.stdout == ""
    assert result.stderr.startswith("bad.yaml:")
    assert "Traceback" not in result.stderr

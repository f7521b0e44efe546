"""The one replay pipeline: `Runner` for one customer, `Runs` for a source of many."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from customer_journey import Journey, UngroupedInputError
from customer_journey._runner import Runner, Runs
from customer_journey.engine import build_plan
from customer_journey.readers._jsonl import jsonl_rows

from .conftest import at, record

#: a's records are not together: they come back after b's.
UNGROUPED = [
    record("page.viewed", at(0), customer="a"),
    record("page.viewed", at(0), customer="b"),
    record("page.viewed", at(1), customer="a", page="/pricing"),
    record("page.viewed", at(2), customer="c"),
]


def runner_of(journey: Journey, *, trace: bool = False) -> Runner:
    return Runner(build_plan(journey.model), trace=trace)


def walk(runs: Runs) -> list[Any]:
    """What iterating yields: each customer and their stage, or None to start over."""
    return [None if run is None else (run[0], run[1].stage) for run in runs]


def test_a_runner_replays_one_customer_as_journey_replay_does(journey: Journey) -> None:
    records = [
        record("page.viewed", at(2), page="/pricing"),
        record("page.viewed", at(0), event_id="v"),
        record("page.viewed", at(1), event_id="v"),
        record("cart.added", at(3)),
    ]
    events = list(journey.events_from(records))
    state, result = runner_of(journey, trace=True).replay("c1", events, at(9))
    assert result.to_dict() == journey.replay(records, at(9), trace=True).to_dict()
    assert (state.stage, state.events, state.duplicates) == ("aware", 3, 1)
    assert [event.at for event in events] == [at(0), at(1), at(2), at(3)]  # sorted in place


def test_a_runner_fold_leaves_out_the_events_after_as_of_and_says_how_many(
    journey: Journey,
) -> None:
    events = list(journey.events_from([record("page.viewed", at(n)) for n in (3, 0, 12, 5)]))
    state, left_out = runner_of(journey).fold("c1", events, at(4))
    assert (left_out, state.events, state.clock) == (2, 2, at(3))


def test_a_runner_fold_fires_the_timeouts_due_by_as_of(journey: Journey) -> None:
    events = list(journey.events_from([record("page.viewed", at(0))]))
    state, _ = runner_of(journey).fold("c1", events, at(10))
    assert (state.stage, state.clock) == ("gone", at(10))
    unsettled, _ = runner_of(journey).fold("c1", list(events))
    assert unsettled.stage == "aware"


def test_runs_yield_each_customer_as_their_records_end(journey: Journey) -> None:
    records = [
        record("page.viewed", at(0), customer="b"),
        record("page.viewed", at(1), customer="a", page="/pricing"),
        record("page.viewed", at(0), customer="a"),
    ]
    runs = Runs(runner_of(journey), journey.events_from(records))
    assert walk(runs) == [("b", "aware"), ("a", "interested")]
    assert runs.as_of == at(1)


def test_runs_start_over_when_a_customer_comes_back_and_hold_them_to_the_end(
    journey: Journey,
) -> None:
    runs = Runs(runner_of(journey), journey.events_from(UNGROUPED))
    assert walk(runs) == [
        ("a", "aware"),
        ("b", "aware"),
        None,
        ("b", "aware"),
        ("c", "aware"),
        ("a", "interested"),
    ]
    assert runs.totals.customers == 3


def test_runs_asked_to_find_as_of_read_once_first_and_never_start_over(
    journey: Journey,
) -> None:
    runs = Runs(runner_of(journey), journey.events_from(UNGROUPED), find_as_of=True)
    assert runs.as_of == at(2)
    assert walk(runs) == [("b", "aware"), ("c", "aware"), ("a", "interested")]


def test_runs_cannot_find_as_of_in_a_one_shot_stream(journey: Journey) -> None:
    source = journey.events_from(iter(UNGROUPED))
    with pytest.raises(UngroupedInputError) as raised:
        Runs(runner_of(journey), source, find_as_of=True)
    assert str(raised.value) == (
        "these records can be read only once; pass a list or a file, "
        "or pass an as_of to read it once"
    )


def test_runs_refuse_a_one_shot_stream_that_comes_back_to_a_customer(journey: Journey) -> None:
    runs = Runs(runner_of(journey), journey.events_from(iter(UNGROUPED)), at(5))
    with pytest.raises(UngroupedInputError) as raised:
        walk(runs)
    assert str(raised.value) == (
        "the records of customer 'a' are not together: they come back after other "
        "customers' records; pass a list or a file (read twice), or sort the records by "
        "customer first"
    )


def test_runs_count_customers_outside_the_journey_and_their_duplicates_too(
    journey: Journey,
) -> None:
    records = [
        record("cart.added", at(0), customer="out", event_id="x"),
        record("cart.added", at(1), customer="out", event_id="x"),
        record("page.viewed", at(0), customer="in"),
        record("page.viewed", at(9), customer="late"),
    ]
    runs = Runs(runner_of(journey), journey.events_from(records), at(5))
    assert walk(runs) == [("out", None), ("in", "aware")]
    assert runs.totals.to_dict() == {
        "read": 4,
        "accepted": 4,
        "rejected": 0,
        "duplicates": 1,
        "after_as_of": 1,
        "customers": 2,
        "events": 2,
    }


def test_runs_take_a_known_latest_time_as_as_of_without_a_first_pass_to_find_it(
    journey: Journey, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "e.jsonl"
    path.write_text("".join(f"{json.dumps(line)}\n" for line in UNGROUPED), encoding="utf-8")
    passes: list[str] = []

    def counted(name: str) -> Iterator[tuple[int, object]]:
        passes.append(name)
        return jsonl_rows(name)

    monkeypatch.setattr("customer_journey.readers._files.jsonl_rows", counted)
    source = journey.read_events(path)
    source.known_latest = lambda: at(2)
    runs = Runs(runner_of(journey), source, find_as_of=True)
    assert runs.as_of == at(2)  # known before reading
    assert walk(runs) == [
        ("a", "aware"),
        ("b", "aware"),
        None,  # 'a' came back: the rest is sorted outside memory, in customer order
        ("a", "interested"),
        ("b", "aware"),
        ("c", "aware"),
    ]
    assert passes == [str(path)] * 2  # one pass, and a second for the events before 'a' came back


def test_runs_start_over_once_when_the_known_latest_time_is_a_rejected_records(
    journey: Journey,
) -> None:
    records = [*UNGROUPED[1:], record("page.viewed", at(9), customer="")]  # rejected: no id
    source = journey.events_from(records)
    source.known_latest = lambda: at(9)
    runs = Runs(runner_of(journey), source, find_as_of=True)
    walked = walk(runs)
    assert runs.as_of == at(2)
    assert walked[walked.index(None) + 1 :] == walk(
        Runs(runner_of(journey), journey.events_from(records), at(2))
    )

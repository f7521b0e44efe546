"""`replay_all` in several processes gives the one-process batch, byte for byte."""

from __future__ import annotations

import json
import pickle
import random
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import customer_journey as cj
from customer_journey import _batch
from customer_journey._batch import ReplayBatch, _merged, _replay_share, _Task
from customer_journey._runner import Runner
from customer_journey._workers import FileInput
from customer_journey.engine import CustomerState, build_plan
from customer_journey.errors import ArgumentError, RecordError

from ..analytics.test_workers import (  # noqa: TID252 - the population of the analyze worker tests
    AS_OF,
    BAD_LINES,
    JOURNEY,
    exports,
    write,
)


def picture(batch: ReplayBatch) -> dict[str, Any]:
    """Everything a batch tells, as the bytes `replay --format jsonl` and `--rejects` write."""
    return {
        "results": [json.dumps(result.to_dict(), sort_keys=True) for result in batch],
        "traces": [result.trace for result in batch],
        "rejections": [json.dumps(r.to_dict(), default=str) for r in batch.rejections],
        "totals": batch.totals.to_dict(),
        "as_of": batch.as_of,
        "stages": batch.stage_counts(),
    }


def in_shares(path: str, parts: int, as_of: datetime | None, *, trace: bool) -> ReplayBatch:
    """The batch of `parts` shares, each replayed here as a worker would, then merged."""
    file = FileInput(path, None, path)
    text = JOURNEY.text or ""
    tasks = [
        _Task(text, JOURNEY.source, file, False, trace, as_of, part, parts) for part in range(parts)
    ]
    runner = Runner(build_plan(JOURNEY.model), trace=trace)
    return _merged(runner, [_replay_share(task) for task in tasks])


def shuffled_export(seed: int, customers: int = 40) -> list[str]:
    """Seeded JSONL lines of many customers, in time order (not grouped by customer), with
    repeated event ids and rejected lines."""
    chance = random.Random(seed)
    lines = []
    for number in range(customers * 4):
        customer = f"c{chance.randrange(customers):02d}"
        kind = chance.choice(["ad.clicked", "email.clicked", "page.viewed", "order.completed"])
        record = {
            "customer_id": customer,
            "type": kind,
            "timestamp": f"2026-03-{1 + number // 10:02d}T{number % 10:02d}:00:00Z",
            "event_id": f"e{chance.randrange(customers * 3)}",  # some ids repeat
            "page": chance.choice(["/pricing", "/"]),
        }
        lines.append(json.dumps(record))
    for bad in BAD_LINES * 2:
        lines.insert(chance.randrange(len(lines)), bad)
    return lines


@settings(
    max_examples=10, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(exports(), st.sampled_from([None, AS_OF]), st.booleans(), st.sampled_from([2, 3]))
def test_shares_merged_give_the_one_process_batch(
    tmp_path: Path, lines: list[str], as_of: datetime | None, trace: bool, parts: int
) -> None:
    path = write(tmp_path / "events.jsonl", lines)
    one = picture(JOURNEY.replay_all(path, as_of, trace=trace, workers=1))
    assert picture(in_shares(path, parts, as_of, trace=trace)) == one


def test_two_and_three_worker_processes_give_the_one_process_batch(tmp_path: Path) -> None:
    path = write(tmp_path / "events.jsonl", shuffled_export(seed=7))
    one = picture(JOURNEY.replay_all(path, workers=1))
    assert one["totals"]["rejected"] == 4
    assert one["totals"]["duplicates"] > 0
    assert len(one["results"]) == 40
    assert picture(JOURNEY.replay_all(path, workers=2)) == one
    traced = picture(JOURNEY.replay_all(path, AS_OF, trace=True, workers=1))
    assert traced["traces"][0]
    assert picture(JOURNEY.replay_all(path, AS_OF, trace=True, workers=3)) == traced


def test_records_that_are_not_a_file_are_replayed_in_this_process(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write(tmp_path / "events.jsonl", shuffled_export(seed=3, customers=5))
    one = picture(JOURNEY.replay_all(path, workers=1))

    def no_processes(*_args: object, **_kwargs: object) -> None:
        raise AssertionError("no process may start")

    monkeypatch.setattr(_batch, "run_in_processes", no_processes)
    records = [json.loads(line) for line in Path(path).read_text().splitlines() if "{" in line]
    from_list = JOURNEY.replay_all(records, workers=4)
    from_source = JOURNEY.replay_all(JOURNEY.read_events(path), workers=4)
    assert picture(from_list)["results"] == one["results"]
    assert picture(from_source) == one


def test_a_journey_without_its_text_replays_a_file_in_this_process(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write(tmp_path / "events.jsonl", shuffled_export(seed=5, customers=5))
    bare = cj.Journey(JOURNEY.model)
    monkeypatch.setattr(_batch, "run_in_processes", None)
    assert picture(bare.replay_all(path, workers=3)) == picture(JOURNEY.replay_all(path))


@pytest.mark.parametrize("workers", [0, -1, 1.5, True, "2"])
def test_workers_must_be_a_whole_number_of_one_or_more(workers: object) -> None:
    with pytest.raises(ArgumentError) as caught:
        JOURNEY.replay_all([], workers=workers)  # type: ignore[arg-type]
    assert str(caught.value).startswith("'workers' must be a whole number of 1 or more (got ")


def test_a_bad_record_in_strict_mode_raises_from_the_workers_as_in_one_process(
    tmp_path: Path,
) -> None:
    record = {"customer_id": "ann", "type": "ad.clicked", "timestamp": "2026-03-01T09:00:00Z"}
    path = write(tmp_path / "events.jsonl", [json.dumps(record), "not json"])
    with pytest.raises(RecordError) as one:
        JOURNEY.replay_all(path, strict=True, workers=1)
    with pytest.raises(RecordError) as two:
        JOURNEY.replay_all(path, strict=True, workers=2)
    assert str(two.value) == str(one.value)
    assert (two.value.source, two.value.row) == (path, 2)


def test_a_state_pickles_back_with_every_slots_value_and_no_slot_names(tmp_path: Path) -> None:
    lines = [
        json.dumps({"customer_id": "c1", "type": kind, "page": "/pricing", "timestamp": at})
        for kind, at in [
            ("ad.clicked", "2026-03-01T10:00:00Z"),
            ("email.clicked", "2026-03-02T10:00:00Z"),
            ("email.clicked", "2026-03-02T11:00:00Z"),
            ("page.viewed", "2026-03-03T10:00:00Z"),
        ]
    ]
    events = list(JOURNEY.read_events(write(tmp_path / "e.jsonl", lines)))
    state, _ = Runner(build_plan(JOURNEY.model)).fold("c1", events, AS_OF)
    data = pickle.dumps(state)
    again = pickle.loads(data)
    names = CustomerState.__slots__
    assert [getattr(again, name) for name in names] == [getattr(state, name) for name in names]
    assert (again.stage, len(again.path), len(again.friction)) == ("lapsed", 4, 3)
    assert b"first_entered" not in data  # the values only, not the slots' names

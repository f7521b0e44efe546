"""Inputs not grouped by customer, grouped by an external sort in DuckDB: same results."""

from __future__ import annotations

import json
import random
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path
from types import MappingProxyType
from typing import Any
from zoneinfo import ZoneInfo

import click
import pytest
from click.testing import CliRunner

from customer_journey import Journey
from customer_journey._grouping import (
    DEFAULT_MEMORY_LIMIT,
    MINIMUM_MEMORY_LIMIT,
    ExternalGroups,
    memory_share,
    parse_memory_size,
)
from customer_journey._runner import Runner, Runs
from customer_journey.cli._inputs import memory_limit_option
from customer_journey.engine import build_plan
from customer_journey.errors import ArgumentError, DataFileError
from customer_journey.model import EMPTY, Event
from customer_journey.readers import MissingDependencyError

from .conftest import T0

pytest.importorskip("duckdb")

KINDS = ("page.viewed", "cart.added", "order.completed", "call.ended", "account.closed")
#: Lines the reader rejects: no customer, not JSON, a time it cannot read.
BAD = (
    '{"type": "page.viewed", "timestamp": "2026-01-01T00:00:00Z"}',
    "not json",
    '{"customer_id": "c001", "type": "page.viewed", "timestamp": "soon"}',
)


def population(seed: int, customers: int = 40) -> list[list[str]]:
    """Each customer's JSON lines, in time order within the customer (roughly).

    Duplicate ids, times with microseconds, nested attributes and traits, a customer id
    not in ASCII, and bad lines (no customer, a bad time, not JSON).
    """
    rng = random.Random(seed)
    lines: list[list[str]] = []
    for number in range(customers):
        customer = f"c{number:03d}" if number != 7 else "c-\\u00e9lan"
        moment = T0 + timedelta(days=rng.randrange(30))
        own: list[str] = []
        for sequence in range(rng.randrange(1, 12)):
            moment += timedelta(hours=rng.randrange(1, 90), microseconds=rng.randrange(10**6))
            fields: dict[str, Any] = {
                "event_id": f"{number}-{sequence}",
                "type": rng.choice(KINDS),
                "timestamp": moment.isoformat(),
                "channel": "phone" if rng.random() < 0.2 else "web",
                "page": rng.choice(("/", "/pricing")),
                "total": rng.choice((0, 12.5, 2**70)),
                "basket": {"items": [1, {"sku": "b-1"}], "gift": rng.random() < 0.5},
            }
            if rng.random() < 0.3:
                fields["traits"] = {"tier": rng.choice(("gold", "new")), "tags": ["a", "b"]}
            text = json.dumps(fields)[1:]
            own.append(f'{{"customer_id": "{customer}", {text}')
            if rng.random() < 0.1:
                own.append(own[-1])  # delivered twice: a duplicate id
        if rng.random() < 0.2:
            own.insert(0, own.pop())  # out of order within the customer
        lines.append(own)
    lines.append(list(BAD))
    return lines


def write(path: Path, lines: list[str]) -> Path:
    path.write_text("".join(f"{line}\n" for line in lines), encoding="utf-8")
    return path


def time_ordered(lines: list[list[str]]) -> list[str]:
    """Every line in time order (bad lines where they sort), as an export usually is."""
    flat = [line for own in lines for line in own]

    def moment(line: str) -> str:
        try:
            return str(json.loads(line).get("timestamp", ""))
        except ValueError:
            return ""

    return sorted(flat, key=moment)


def replayed(journey: Journey, path: Path, **settings: object) -> dict[str, Any]:
    """Everything `replay_all` says about a file: results, totals, rejections with rows."""
    source = journey.read_events(path)
    for name, value in settings.items():
        setattr(source, name, value)
    batch = journey.replay_all(source)
    return {
        "as_of": batch.as_of,
        "results": [result.to_dict() for result in batch],
        "totals": batch.totals.to_dict(),
        "rejections": [(rejection.row, rejection.code) for rejection in batch.rejections],
    }


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_a_time_ordered_file_grouped_externally_replays_as_the_grouped_file(
    journey: Journey, tmp_path: Path, seed: int
) -> None:
    lines = population(seed)
    grouped = replayed(journey, write(tmp_path / "g.jsonl", [x for own in lines for x in own]))
    ordered = write(tmp_path / "t.jsonl", time_ordered(lines))
    external = replayed(journey, ordered, temp_directory=str(tmp_path))
    assert {key: external[key] for key in ("as_of", "results", "totals")} == {
        key: grouped[key] for key in ("as_of", "results", "totals")
    }
    assert external["totals"]["rejected"] == 3
    assert sorted(path.name for path in tmp_path.iterdir()) == ["g.jsonl", "t.jsonl"]


def test_external_grouping_rejects_the_same_rows_as_grouping_in_memory(
    journey: Journey, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    rng = random.Random(4)
    flat = [line for own in population(4) for line in own]
    rng.shuffle(flat)
    path = write(tmp_path / "shuffled.jsonl", flat)
    external = replayed(journey, path)
    monkeypatch.setattr("customer_journey._runner.can_group_externally", lambda: False)
    assert replayed(journey, path) == external
    assert [row for row, _ in external["rejections"]] == [
        row for row, line in enumerate(flat, 1) if line in BAD
    ]


def test_runs_asked_to_find_as_of_group_a_time_ordered_file_in_one_replay_pass(
    journey: Journey, tmp_path: Path
) -> None:
    lines = population(5)
    path = write(tmp_path / "t.jsonl", time_ordered(lines))
    runner = Runner(build_plan(journey.model))
    runs = Runs(runner, journey.read_events(path), find_as_of=True)
    walked = [None if run is None else run[0] for run in runs]
    batch = journey.replay_all(write(tmp_path / "g.jsonl", [x for own in lines for x in own]))
    assert runs.as_of == batch.as_of
    assert walked == sorted(result.customer for result in batch)  # customer order, no None
    assert runs.totals == batch.totals


def test_a_memory_limit_of_32mib_spills_to_the_temporary_folder_and_removes_it(
    tmp_path: Path,
) -> None:
    note = "x" * 300  # 60,000 events of about 400 bytes (in DuckDB): past 32 MiB
    events = [
        Event(
            f"c{n % 997:04d}", "page.viewed", T0 + timedelta(seconds=n), f"e{n}", None, {"n": note}
        )
        for n in range(60_000)
    ]
    with ExternalGroups("big.jsonl", parse_memory_size("32MiB"), str(tmp_path)) as spill:
        spill.add(events)
        groups = spill.groups()
        first, first_events = next(groups)
        (folder,) = tmp_path.iterdir()
        assert any(folder.iterdir())  # DuckDB spilled there
        rest = list(groups)
    assert list(tmp_path.iterdir()) == []
    assert (first, len(rest) + 1) == ("c0000", 997)
    assert first_events == events[::997]


def test_events_come_back_exactly_as_they_went_in(tmp_path: Path) -> None:
    paris = ZoneInfo("Europe/Paris")
    events = [
        Event("b", "t", T0.replace(microsecond=7), "1", "web", {"v": [1, (2, 3)], "n": 2**80}),
        Event("a\ud800", "t\udcff", T0, None, None, EMPTY, {"tier": {"x": None}}),
        Event("b", "t", datetime(2026, 3, 29, 2, 30, tzinfo=paris), "2", None, EMPTY, EMPTY),
        Event("a\ud800", "u", T0, "i", "c", MappingProxyType({"k": float("nan")}), EMPTY),
        Event("b", "t", T0.astimezone(timezone(timedelta(hours=-5))), None, None, {"d": T0}),
    ]
    with ExternalGroups("<records>", parse_memory_size("64MB"), str(tmp_path)) as spill:
        spill.add(events)
        groups = list(spill.groups())
    assert [customer for customer, _ in groups] == ["a\ud800", "b"]
    back = [event for _, own in groups for event in own]
    as_dict = events[3]._replace(attributes=dict(events[3].attributes))
    expected = [events[1], as_dict, events[0], events[2], events[4]]
    assert [repr(event) for event in back] == [repr(event) for event in expected]
    assert [event.at.tzinfo for event in back] == [event.at.tzinfo for event in expected]


def test_without_duckdb_an_ungrouped_file_is_grouped_in_memory_as_before(
    journey: Journey, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write(tmp_path / "t.jsonl", time_ordered(population(6)))
    external = replayed(journey, path)
    monkeypatch.setitem(sys.modules, "duckdb", None)  # import duckdb raises ImportError
    assert replayed(journey, path) == external


def test_a_memory_limit_asked_for_without_duckdb_says_what_to_install(
    journey: Journey, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write(tmp_path / "t.jsonl", time_ordered(population(7)))
    monkeypatch.setitem(sys.modules, "duckdb", None)
    with pytest.raises(MissingDependencyError) as raised:
        replayed(journey, path, memory_limit=parse_memory_size("1GB"))
    assert str(raised.value) == (
        "grouping records by customer under a memory limit needs DuckDB 2.0 or later: "
        "pip install 'customer-journey[duckdb]'"
    )


def test_a_grouped_file_never_needs_duckdb_even_with_a_memory_limit(
    journey: Journey, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write(tmp_path / "g.jsonl", [line for own in population(8) for line in own])
    external = replayed(journey, path)
    monkeypatch.setitem(sys.modules, "duckdb", None)
    assert replayed(journey, path, memory_limit=parse_memory_size("1GB")) == external


@pytest.mark.parametrize(
    ("text", "size"),
    [("1GB", 10**9), ("512MB", 512 * 10**6), ("1.5GiB", 3 << 29), ("64 mib", 64 << 20)],
)
def test_memory_sizes_read_in_decimal_and_binary_units(text: str, size: int) -> None:
    assert parse_memory_size(text) == size


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("lots", "'memory_limit' must be a size such as 1GB or 512MB (got 'lots')"),
        ("1XB", "'memory_limit' must be a size such as 1GB or 512MB (got '1XB')"),
        ("10MB", "'memory_limit' must be at least 32MiB (got 10MB)"),
    ],
)
def test_a_memory_size_that_is_not_one_says_what_it_must_be(text: str, message: str) -> None:
    with pytest.raises(ArgumentError) as raised:
        parse_memory_size(text)
    assert str(raised.value) == message


@memory_limit_option
@click.command()
def _limited(memory_limit: int | None) -> None:
    click.echo(memory_limit)


@pytest.mark.parametrize(
    ("argument", "problem"),
    [
        ("1XB", "must be a size such as 1GB or 512MB (got '1XB')"),
        ("1MB", "must be at least 32MiB (got 1MB)"),
    ],
)
def test_a_bad_memory_limit_option_is_a_usage_error(argument: str, problem: str) -> None:
    result = CliRunner().invoke(_limited, ["--memory-limit", argument])
    assert result.exit_code == 2
    assert f"Error: Invalid value for '--memory-limit': {problem}\n" in result.output


def test_the_memory_limit_option_gives_bytes_or_none() -> None:
    assert CliRunner().invoke(_limited, ["--memory-limit", "512MB"]).output == "512000000\n"
    assert CliRunner().invoke(_limited, ["--memory-limit", "1GiB"]).output == "1073741824\n"


def test_workers_share_the_memory_limit_but_never_go_under_the_minimum(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert memory_share(parse_memory_size("1GB"), 2) == 500_000_000
    assert memory_share(None, 4) == DEFAULT_MEMORY_LIMIT // 4
    assert memory_share(parse_memory_size("40MiB"), 2) == MINIMUM_MEMORY_LIMIT
    monkeypatch.setitem(sys.modules, "duckdb", None)
    assert memory_share(None, 2) is None
    assert memory_share(parse_memory_size("1GB"), 2) == 500_000_000  # asked for: DuckDB needed


def test_a_sort_that_outgrows_the_memory_limit_says_how_to_give_it_room(tmp_path: Path) -> None:
    note = "x" * 2000  # 30,000 events of 2 kB: DuckDB cannot sort them in 32 MiB
    events = [Event(f"c{n % 7}", "t", T0, None, None, {"n": note}) for n in range(30_000)]
    spill = ExternalGroups("big.jsonl", MINIMUM_MEMORY_LIMIT, str(tmp_path))
    with spill, pytest.raises(DataFileError) as raised:  # noqa: PT012 - adding or sorting
        spill.add(events)
        list(spill.groups())
    assert str(raised.value) == (
        "cannot read 'big.jsonl': grouping its records by customer needs more than the "
        "memory limit (32 MiB) and the free space in the temporary folder; raise the "
        "memory limit, or give a temporary folder with more space"
    )
    assert raised.value.code == "grouping-failed"
    assert list(tmp_path.iterdir()) == []

"""The bundled example: the bookshop journey loads, and the event generator is seeded."""

from __future__ import annotations

import importlib.util
import json
import sys
from collections import Counter
from itertools import groupby
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

import customer_journey
from customer_journey.model import DEFAULT_CHANNELS

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
JOURNEY = EXAMPLES / "bookshop.journey.yaml"


@pytest.fixture(scope="module")
def generator() -> ModuleType:
    # examples/ is not a package: import the script by path, registered as dataclasses need.
    name = "examples_generate_events"
    spec = importlib.util.spec_from_file_location(name, EXAMPLES / "generate_events.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def small(generator: ModuleType) -> Any:
    return generator.generate(60, seed=7)


def _write(generator: ModuleType, tmp_path: Path, name: str, *args: str) -> bytes:
    out = tmp_path / name
    assert generator.main(["--customers", "40", "--out", str(out), *args]) == 0
    return out.read_bytes()


def test_the_same_seed_writes_byte_identical_files(generator: ModuleType, tmp_path: Path) -> None:
    first = _write(generator, tmp_path, "first.jsonl", "--seed", "3")
    second = _write(generator, tmp_path, "second.jsonl", "--seed", "3")
    other = _write(generator, tmp_path, "other.jsonl", "--seed", "4")

    assert first == second
    assert first != other


def test_main_says_what_it_wrote(
    generator: ModuleType, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "events.jsonl"
    generator.main(["--customers", "10", "--seed", "1", "--out", str(out)])

    lines = len(out.read_text(encoding="utf-8").splitlines())
    assert capsys.readouterr().out == (
        f"wrote {lines:,} records for 10 customers to {out} (seed 1; 3 bad records planted)\n"
    )


def test_the_file_contains_each_kind_of_bad_record(small: Any) -> None:
    lines: list[str] = small.lines
    bad: dict[str, list[int]] = small.bad_lines

    assert sorted(bad) == ["bad_timestamp", "invalid_json", "missing_customer"]
    assert len(bad["invalid_json"]) == 1
    for row in bad["invalid_json"]:
        with pytest.raises(json.JSONDecodeError):
            json.loads(lines[row - 1])
    for row in bad["missing_customer"]:
        assert "customer_id" not in json.loads(lines[row - 1])
    for row in bad["bad_timestamp"]:
        timestamp = json.loads(lines[row - 1])["timestamp"]
        assert timestamp in ("yesterday", "2026-02-30T25:61:00Z", "31/12/2026")


def test_the_good_records_are_grouped_by_customer(small: Any) -> None:
    bad_rows = {row for rows in small.bad_lines.values() for row in rows}
    customers = [
        json.loads(line)["customer_id"]
        for number, line in enumerate(small.lines, 1)
        if number not in bad_rows
    ]
    runs = [customer for customer, _ in groupby(customers)]

    assert len(runs) == len(set(runs)) == 60


def test_the_file_has_every_channel_noise_duplicates_and_every_time_style(small: Any) -> None:
    unreadable = set(small.bad_lines["invalid_json"])
    records = [
        json.loads(line) for number, line in enumerate(small.lines, 1) if number not in unreadable
    ]
    channels = {record.get("channel") for record in records} - {None}
    ids = Counter(record["event_id"] for record in records)
    stamps = [record["timestamp"] for record in records]

    assert channels == set(DEFAULT_CHANNELS)
    assert {"search.performed", "email.opened"} <= {record["type"] for record in records}
    assert max(ids.values()) == 2
    assert any(isinstance(stamp, int) for stamp in stamps)
    assert any(isinstance(stamp, str) and stamp.endswith("Z") for stamp in stamps)
    assert any(isinstance(stamp, str) and stamp[-1].isdigit() for stamp in stamps)
    assert any("traits" in record for record in records)


def test_the_example_journey_loads_and_uses_every_default_channel() -> None:
    journey = customer_journey.load(JOURNEY)
    model = journey.model
    touchpoint_channels = {touchpoint.channel for touchpoint in model.touchpoints.values()}
    action_channels = {action.channel for action in model.actions} | {
        action.channel for stage in model.stages.values() for action in stage.actions
    }

    assert journey.name == "pageturn-bookshop"
    assert touchpoint_channels == set(DEFAULT_CHANNELS)
    assert action_channels == set(DEFAULT_CHANNELS)
    assert [stage.phase for stage in model.stages.values()] == [
        "awareness",
        "consideration",
        "conversion",
        "conversion",
        "retention",
        "retention",
        "advocacy",
        None,
        None,
    ]
    assert model.stages["churned"].is_terminal


def test_replay_all_rejects_exactly_the_planted_bad_records(
    generator: ModuleType, small: Any, tmp_path: Path
) -> None:
    path = tmp_path / "events.jsonl"
    path.write_text("".join(f"{line}\n" for line in small.lines), encoding="utf-8")
    journey = customer_journey.load(JOURNEY)

    batch = journey.replay_all(journey.read_events(path))
    planted = sorted(row for rows in small.bad_lines.values() for row in rows)

    assert sorted(rejection.row for rejection in batch.rejections) == planted
    assert batch.totals.rejected == len(planted)
    assert batch.totals.customers == 60
    assert batch.totals.duplicates > 0

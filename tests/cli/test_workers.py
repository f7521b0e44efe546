"""`--workers N` on `replay` and `compare`: the same bytes for any N."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from customer_journey.cli import main

from ..analytics.test_workers import JOURNEY  # noqa: TID252 - the analyze worker tests' journey

#: Version b of the journey: considering times out after 2 days instead of 4.
#: How many customers of the export version b puts in another stage.
CHANGED = 5
VERSION_B = (JOURNEY.text or "").replace("- { to: aware, after: 4d }", "- { to: aware, after: 2d }")


def invoke(*args: str) -> Result:
    return CliRunner().invoke(main, list(args), prog_name="customer-journey")


@pytest.fixture
def files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Both versions and a seeded export in time order (customers not grouped), with
    repeated event ids and rejected lines, in the current directory."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "a.yaml").write_text(JOURNEY.text or "", encoding="utf-8")
    (tmp_path / "b.yaml").write_text(VERSION_B, encoding="utf-8")
    chance = random.Random(11)
    lines = [
        json.dumps(
            {
                "customer_id": f"c{chance.randrange(30):02d}",
                "type": chance.choice(["ad.clicked", "email.clicked", "page.viewed"]),
                "page": chance.choice(["/pricing", "/"]),
                "timestamp": f"2026-03-{1 + number // 8:02d}T{number % 8:02d}:30:00Z",
                "event_id": f"e{chance.randrange(90)}",
            }
        )
        for number in range(150)
    ]
    lines[40:40] = ["not json", '{"customer_id": "c01", "type": "ad.clicked"}']
    (tmp_path / "events.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return tmp_path


def test_replay_writes_the_same_bytes_with_two_and_three_workers_as_with_one(files: Path) -> None:
    runs = {}
    for workers in ("1", "2", "3"):
        result = invoke(
            "replay", "a.yaml", "events.jsonl", "--format", "jsonl", "--out", f"out{workers}",
            "--rejects", f"rejects{workers}", "--workers", workers,
        )  # fmt: skip
        assert result.exit_code == 0, result.stderr
        runs[workers] = (
            (files / f"out{workers}").read_bytes(),
            (files / f"rejects{workers}").read_bytes(),
            result.stderr,
        )
    assert runs["2"] == runs["1"]
    assert runs["3"] == runs["1"]
    output, rejects, summary = runs["1"]
    assert len(output.splitlines()) == 30
    assert len(rejects.splitlines()) == 2
    assert summary.splitlines()[0].startswith("records: 152 read, 150 accepted, 2 rejected, ")


def test_replay_shows_as_of_in_the_journeys_timezone(files: Path) -> None:
    result = invoke("replay", "a.yaml", "events.jsonl", "--workers", "1")
    # The latest event, 2026-03-19T05:30:00Z, is 06:30 in Paris (the journey's timezone).
    assert result.stderr.splitlines()[1] == "customers: 30, as of 2026-03-19T06:30:00+01:00"


def test_compare_prints_the_same_bytes_with_two_workers_as_with_one(files: Path) -> None:
    for command in (
        ["compare", "a.yaml", "b.yaml", "events.jsonl"],
        ["compare", "a.yaml", "b.yaml", "events.jsonl", "--json", "-"],
    ):
        one = invoke(*command, "--workers", "1")
        assert one.exit_code == 0, one.stderr
        assert invoke(*command, "--workers", "2").stdout_bytes == one.stdout_bytes


def test_compare_names_both_versions_by_their_files(files: Path) -> None:
    text = invoke("compare", "a.yaml", "b.yaml", "events.jsonl", "--workers", "1").stdout
    assert text.splitlines()[0] == (
        "journey a 'workers' (a.yaml) against b 'workers' (b.yaml), as of 2026-03-19T06:30:00+01:00"
    )
    data = json.loads(invoke("compare", "a.yaml", "b.yaml", "events.jsonl", "--json", "-").stdout)
    assert (data["a"], data["a_file"], data["b"], data["b_file"]) == (
        "workers",
        "a.yaml",
        "workers",
        "b.yaml",
    )
    assert data["as_of"] == "2026-03-19T05:30:00Z"
    assert data["changed"] == CHANGED


@pytest.mark.parametrize("command", ["replay", "compare"])
def test_zero_workers_is_a_usage_error(files: Path, command: str) -> None:
    journeys = ["a.yaml"] if command == "replay" else ["a.yaml", "b.yaml"]
    result = invoke(command, *journeys, "events.jsonl", "--workers", "0")
    assert result.exit_code == 2
    assert "Invalid value for '--workers': 0 is not in the range x>=1." in result.stderr

"""`-` as the events file reads stdin, in every command, even where events are read twice."""

from __future__ import annotations

import json
import tempfile
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from customer_journey.cli import main

Run = Callable[..., Result]
Feed = Callable[..., Result]

#: c1's records are not together: replaying them needs a second pass over the input.
RECORDS = [
    {"customer_id": "c1", "type": "page.viewed", "timestamp": "2026-01-01T09:00:00Z"},
    {"customer_id": "c2", "type": "page.viewed", "timestamp": "2026-01-01T09:30:00Z"},
    {"customer_id": "c1", "type": "cart.added", "timestamp": "2026-01-01T10:00:00Z"},
    {"customer_id": "c2", "type": "order.completed", "timestamp": "2026-01-02T09:00:00Z"},
]
JSONL = "".join(json.dumps(record) + "\n" for record in RECORDS)


@pytest.fixture
def events(workdir: Path) -> str:
    (workdir / "events.jsonl").write_text(JSONL, encoding="utf-8")
    return "events.jsonl"


@pytest.fixture
def spool(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Where stdin is copied to: a folder of its own, to see that nothing is left in it."""
    folder = tmp_path / "spool"
    folder.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    return folder


@pytest.fixture
def feed(workdir: Path, spool: Path) -> Feed:
    """Run `customer-journey` with `stdin` as its standard input."""

    def invoke(*args: str, stdin: str | bytes) -> Result:
        return CliRunner().invoke(main, list(args), input=stdin, prog_name="customer-journey")

    return invoke


@pytest.mark.parametrize(
    "arguments",
    [
        ["replay", "shop.journey.yaml", "FILE"],
        ["replay", "shop.journey.yaml", "FILE", "--as-of", "2026-01-01T12:00:00Z"],
        ["explain", "shop.journey.yaml", "FILE", "--customer", "c1"],
        ["analyze", "shop.journey.yaml", "FILE"],
        ["compare", "shop.journey.yaml", "shop.journey.yaml", "FILE"],
        ["diagram", "shop.journey.yaml", "--events", "FILE"],
    ],
    ids=["replay", "replay-as-of", "explain", "analyze", "compare", "diagram"],
)
def test_stdin_gives_the_same_output_as_the_file(
    run: Run, feed: Feed, events: str, spool: Path, arguments: list[str]
) -> None:
    from_file = run(*[events if a == "FILE" else a for a in arguments])
    from_stdin = feed(*["-" if a == "FILE" else a for a in arguments], stdin=JSONL)
    assert from_file.exit_code == 0, from_file.stderr
    assert from_stdin.exit_code == 0, from_stdin.stderr
    assert from_stdin.stdout == from_file.stdout
    assert list(spool.iterdir()) == []


def test_a_report_reads_its_events_from_stdin(feed: Feed, workdir: Path) -> None:
    result = feed("report", "shop.journey.yaml", "-", "--out", "report.html", stdin=JSONL)
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith("wrote the report of 2 customers to report.html (")
    assert (workdir / "report.html").read_text(encoding="utf-8").startswith("<!DOCTYPE html>")


def test_stdin_is_read_in_the_given_input_format(feed: Feed) -> None:
    csv = "customer_id,type,timestamp\nc1,page.viewed,2026-01-01T09:00:00Z\n"
    result = feed("replay", "shop.journey.yaml", "-", "--input-format", "csv", stdin=csv)
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines()[1].split()[:2] == ["c1", "visitor"]


def test_rejections_of_stdin_name_it_stdin(feed: Feed, workdir: Path) -> None:
    stdin = JSONL + "not json\n"
    result = feed("replay", "shop.journey.yaml", "-", "--rejects", "rejects.jsonl", stdin=stdin)
    assert result.exit_code == 0, result.stderr
    rejects = (workdir / "rejects.jsonl").read_text(encoding="utf-8")
    assert json.loads(rejects)["source"] == "<stdin>"
    assert json.loads(rejects)["row"] == 5


def test_a_bad_record_on_stdin_with_strict_names_stdin(feed: Feed, spool: Path) -> None:
    result = feed(
        "compare", "shop.journey.yaml", "shop.journey.yaml", "-", "--strict", stdin="{}\n"
    )
    assert result.exit_code == 3
    assert result.stderr.startswith("error: <stdin>:1: ")
    assert list(spool.iterdir()) == []


def test_a_corrupt_parquet_stream_names_stdin(feed: Feed, spool: Path) -> None:
    result = feed(
        "replay", "shop.journey.yaml", "-", "--input-format", "parquet", stdin=b"PAR1 nonsense"
    )
    assert result.exit_code == 3, result.stderr
    assert result.stderr.startswith("error: cannot read '<stdin>': ")
    assert list(spool.iterdir()) == []


def test_explain_says_a_customer_is_not_on_stdin(feed: Feed) -> None:
    result = feed("explain", "shop.journey.yaml", "-", "--customer", "c9", stdin=JSONL)
    assert result.exit_code == 3
    assert result.stderr == "error: no events for customer 'c9' in <stdin>\n"

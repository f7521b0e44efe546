"""`customer-journey simulate`: JSONL and Parquet out, settings files, options, exit codes."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import Result

import customer_journey

Run = Callable[..., Result]

BOOKSHOP = Path(__file__).resolve().parents[2] / "examples" / "bookshop.journey.yaml"


@pytest.fixture
def bookshop(workdir: Path) -> str:
    shutil.copy(BOOKSHOP, workdir / "bookshop.journey.yaml")
    return "bookshop.journey.yaml"


def test_simulate_writes_jsonl_to_stdout_and_a_summary_to_stderr(run: Run, bookshop: str) -> None:
    result = run("simulate", bookshop, "--customers", "5", "--seed", "3")
    assert result.exit_code == 0, result.stderr
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert {r["customer_id"] for r in records} == {f"sim-0000{n}" for n in range(5)}
    assert result.stderr == f"simulated 5 customers: {len(records)} records (seed 3)\n"


def test_simulate_gives_the_same_file_for_the_same_seed(
    run: Run, bookshop: str, workdir: Path
) -> None:
    assert run("simulate", bookshop, "--customers", "20", "--out", "a.jsonl").exit_code == 0
    assert run("simulate", bookshop, "--customers", "20", "--out", "b.jsonl").exit_code == 0
    assert (
        run("simulate", bookshop, "--customers", "20", "--seed", "1", "--out", "c.jsonl").exit_code
        == 0
    )
    first = (workdir / "a.jsonl").read_bytes()
    assert first == (workdir / "b.jsonl").read_bytes()
    assert first != (workdir / "c.jsonl").read_bytes()


def test_simulate_reads_settings_from_a_file_and_options_override_them(
    run: Run, bookshop: str, workdir: Path
) -> None:
    (workdir / "sim.yaml").write_text(
        "customers: 50\nseed: 9\nentry: {ad_click: 1}\nprobabilities:\n  browsing: {end: 1}\n",
        encoding="utf-8",
    )
    result = run(
        "simulate", bookshop, "--config", "sim.yaml", "--customers", "4", "--start", "2026-05-01"
    )
    assert result.exit_code == 0, result.stderr
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["type"] for r in records] == ["ad.clicked"] * 4
    assert all(r["timestamp"] >= "2026-05-01T00:00:00Z" for r in records)
    assert result.stderr == "simulated 4 customers: 4 records (seed 9)\n"


def test_simulate_keeps_events_before_until(run: Run, bookshop: str) -> None:
    result = run("simulate", bookshop, "--customers", "30", "--until", "2026-02-15")
    assert result.exit_code == 0, result.stderr
    times = [json.loads(line)["timestamp"] for line in result.stdout.splitlines()]
    assert max(times) <= "2026-02-15T00:00:00Z"


def test_simulate_writes_parquet_told_by_the_extension(
    run: Run, bookshop: str, workdir: Path
) -> None:
    pytest.importorskip("pyarrow")
    result = run("simulate", bookshop, "--customers", "10", "--out", "events.parquet")
    assert result.exit_code == 0, result.stderr
    count = int(result.stderr.split(": ")[1].split()[0])
    assert result.stderr == f"simulated 10 customers: {count} records to events.parquet (seed 0)\n"
    journey = customer_journey.load(BOOKSHOP)
    assert len(list(journey.read_events(workdir / "events.parquet", strict=True))) == count


def test_simulate_refuses_parquet_on_stdout(run: Run, bookshop: str) -> None:
    result = run("simulate", bookshop, "--format", "parquet")
    assert result.exit_code == 2
    assert result.stderr.endswith("Error: --format parquet needs --out FILE\n")


def test_simulate_says_what_is_wrong_with_the_settings(
    run: Run, bookshop: str, workdir: Path
) -> None:
    (workdir / "sim.yaml").write_text("probabilities: {browsng: {end: 1}}\n", encoding="utf-8")
    result = run("simulate", bookshop, "--config", "sim.yaml")
    assert result.exit_code == 3
    assert result.stderr == (
        "error: unknown stage 'browsng' in probabilities; did you mean 'browsing'?\n"
    )
    (workdir / "bad.yaml").write_text("customer: 5\n", encoding="utf-8")
    result = run("simulate", bookshop, "--config", "bad.yaml")
    assert result.exit_code == 3
    assert (
        result.stderr == "error: bad.yaml: unknown setting 'customer'; did you mean 'customers'?\n"
    )


def test_simulate_says_when_a_file_is_missing(run: Run) -> None:
    result = run("simulate", "nowhere.journey.yaml")
    assert result.exit_code == 3
    assert result.stderr == "error: cannot read 'nowhere.journey.yaml': no such file\n"


def test_simulate_warns_about_touchpoints_it_cannot_produce(run: Run, workdir: Path) -> None:
    (workdir / "odd.journey.yaml").write_text(
        "journey: odd\n"
        "touchpoints:\n"
        "  visit: { event: page.viewed, channel: web }\n"
        "  never: { event: refund.issued, channel: web, where: { total: { gt: 5, lt: 3 } } }\n"
        "stages:\n"
        "  start: { entry: [visit], transitions: [{ to: done, when: never }] }\n"
        "  done: { terminal: true }\n",
        encoding="utf-8",
    )
    result = run("simulate", "odd.journey.yaml", "--customers", "2")
    assert result.exit_code == 0
    assert result.stderr == (
        "warning: no event can match touchpoint 'never'; it is left out\n"
        "simulated 2 customers: 2 records (seed 0)\n"
    )

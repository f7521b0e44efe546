"""Output files are written whole or not at all, and never over one of the inputs."""

from __future__ import annotations

import json
import os
import stat
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from click.testing import Result

from customer_journey.cli import _replay, _simulate
from customer_journey.cli._errors import InputError
from customer_journey.cli._files import write_lines

Run = Callable[..., Result]

RECORDS = [
    {"customer_id": "c1", "type": "page.viewed", "timestamp": "2026-01-01T09:00:00Z"},
    {"customer_id": "c2", "type": "cart.added", "timestamp": "2026-01-01T10:00:00Z"},
]
OLD = "the previous output\n"


@pytest.fixture
def events(workdir: Path) -> str:
    lines = "".join(json.dumps(record) + "\n" for record in RECORDS)
    (workdir / "events.jsonl").write_text(lines, encoding="utf-8")
    return "events.jsonl"


def names(folder: Path) -> list[str]:
    """The names of the files in `folder`, sorted."""
    return sorted(path.name for path in folder.iterdir())


def lines_then(error: BaseException, count: int = 3) -> Iterator[str]:
    """A producer that fails after a few lines."""
    for index in range(count):
        yield f"line {index}"
    raise error


# Written whole or not at all ----------------------------------------------------------------


def test_a_writer_that_fails_half_way_leaves_the_old_file_and_no_temporary_file(
    tmp_path: Path,
) -> None:
    out = tmp_path / "out.txt"
    out.write_text(OLD, encoding="utf-8")
    with pytest.raises(RuntimeError, match="half-way"):
        write_lines(lines_then(RuntimeError("half-way")), str(out))
    assert out.read_text(encoding="utf-8") == OLD
    assert names(tmp_path) == ["out.txt"]


def test_a_writer_that_fails_half_way_leaves_no_new_file(tmp_path: Path) -> None:
    with pytest.raises(RuntimeError):
        write_lines(lines_then(RuntimeError("half-way")), str(tmp_path / "out.txt"))
    assert names(tmp_path) == []


def test_a_writer_that_ends_well_replaces_the_file(tmp_path: Path) -> None:
    out = tmp_path / "out.txt"
    out.write_text(OLD, encoding="utf-8")
    write_lines(["a", "b"], str(out))
    assert out.read_text(encoding="utf-8") == "a\nb\n"
    assert names(tmp_path) == ["out.txt"]


def test_ctrl_c_while_replay_writes_keeps_the_old_positions(
    run: Run, workdir: Path, events: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    (workdir / "positions.csv").write_text(OLD, encoding="utf-8")
    monkeypatch.setattr(_replay, "position_lines", lambda *_, **__: lines_then(KeyboardInterrupt()))
    before = names(workdir)
    result = run("replay", "shop.journey.yaml", events, "--out", "positions.csv")
    assert result.exit_code == 130
    assert (workdir / "positions.csv").read_text(encoding="utf-8") == OLD
    assert names(workdir) == before


def test_a_simulation_that_fails_half_way_keeps_the_old_records(
    run: Run, workdir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (workdir / "records.jsonl").write_text(OLD, encoding="utf-8")

    class Failing:
        def __init__(self, records: object) -> None:
            self.count = 0

        def lines(self) -> Iterator[str]:
            return lines_then(RuntimeError("the simulation broke"))

    monkeypatch.setattr(_simulate, "_Counted", Failing)
    before = names(workdir)
    result = run("simulate", "shop.journey.yaml", "--out", "records.jsonl")
    assert result.exit_code == 4
    assert (workdir / "records.jsonl").read_text(encoding="utf-8") == OLD
    assert names(workdir) == before


def test_a_parquet_simulation_that_cannot_be_written_keeps_the_old_file_and_names_it(
    run: Run, workdir: Path
) -> None:
    pytest.importorskip("pyarrow")
    (workdir / "records.parquet").write_bytes(b"old parquet")
    (workdir / "mixed.yaml").write_text(
        "customers: 4\ntraits: { score: [1, 'a'] }\n", encoding="utf-8"
    )
    before = names(workdir)
    result = run(
        "simulate", "shop.journey.yaml", "--config", "mixed.yaml", "--out", "records.parquet"
    )
    assert result.exit_code == 3
    assert result.stderr.startswith("error: cannot write 'records.parquet' as Parquet: ")
    assert (workdir / "records.parquet").read_bytes() == b"old parquet"
    assert names(workdir) == before


def test_a_parquet_simulation_replaces_the_file_when_written(run: Run, workdir: Path) -> None:
    pytest.importorskip("pyarrow")
    (workdir / "records.parquet").write_bytes(b"old parquet")
    before = names(workdir)
    result = run("simulate", "shop.journey.yaml", "--customers", "2", "--out", "records.parquet")
    assert result.exit_code == 0, result.stderr
    assert (workdir / "records.parquet").read_bytes()[:4] == b"PAR1"
    assert names(workdir) == before


def test_a_failing_coverage_report_keeps_the_old_one(
    run: Run, workdir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (workdir / "coverage.json").write_text(OLD, encoding="utf-8")
    before = names(workdir)
    monkeypatch.setattr(os, "fsync", _no_space)
    result = run("test", "shop.scenarios.yaml", "--coverage-json", "coverage.json")
    assert result.exit_code == 3
    assert "error: cannot write 'coverage.json': no space left on device\n" in result.stderr
    assert (workdir / "coverage.json").read_text(encoding="utf-8") == OLD
    assert names(workdir) == before


def _no_space(_descriptor: int) -> None:
    raise OSError(28, "No space left on device")


def test_an_overwritten_file_keeps_its_permissions(tmp_path: Path) -> None:
    out = tmp_path / "out.txt"
    out.write_text(OLD, encoding="utf-8")
    out.chmod(0o640)
    write_lines(["new"], str(out))
    assert stat.S_IMODE(out.stat().st_mode) == 0o640


def test_a_file_we_may_not_write_is_not_replaced(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "out.txt"
    out.write_text(OLD, encoding="utf-8")
    monkeypatch.setattr(os, "access", lambda _path, _mode: False)
    with pytest.raises(InputError, match=f"^cannot write '{out}': permission denied$"):
        write_lines(["new"], str(out))
    assert out.read_text(encoding="utf-8") == OLD
    assert names(tmp_path) == ["out.txt"]


def test_writing_through_a_link_replaces_its_target_and_keeps_the_link(tmp_path: Path) -> None:
    target = tmp_path / "target.txt"
    target.write_text(OLD, encoding="utf-8")
    link = tmp_path / "link.txt"
    link.symlink_to(target)
    write_lines(["new"], str(link))
    assert link.is_symlink()
    assert target.read_text(encoding="utf-8") == "new\n"


def test_a_device_is_written_in_place_not_replaced() -> None:
    write_lines(["discarded"], os.devnull)
    assert stat.S_ISCHR(Path(os.devnull).stat().st_mode)


def test_a_folder_cannot_be_an_output_file(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=f"^cannot write '{tmp_path}': it is a directory$"):
        write_lines(["x"], str(tmp_path))


@pytest.mark.parametrize(
    ("arguments", "first"),
    [
        (
            ["replay", "shop.journey.yaml", "events.jsonl", "--format", "jsonl", "--out", "-"],
            '{"customer": "c1", ',
        ),
        (["simulate", "shop.journey.yaml", "--customers", "1", "--out", "-"], '{"event_id": '),
        (["diagram", "shop.journey.yaml", "--out", "-"], "flowchart LR\n"),
    ],
    ids=["replay", "simulate", "diagram"],
)
def test_a_dash_as_the_output_writes_to_stdout(
    run: Run, workdir: Path, events: str, arguments: list[str], first: str
) -> None:
    result = run(*arguments)
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith(first)
    assert not (workdir / "-").exists()


# Never over an input ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (
            ["replay", "shop.journey.yaml", "events.jsonl", "--out", "events.jsonl"],
            "Invalid value for '--out': 'events.jsonl' is the same file as EVENTS "
            "'events.jsonl'; write to another file",
        ),
        (
            ["replay", "shop.journey.yaml", "events.jsonl", "--rejects", "./shop.journey.yaml"],
            "Invalid value for '--rejects': './shop.journey.yaml' is the same file as JOURNEY "
            "'shop.journey.yaml'; write to another file",
        ),
        (
            ["replay", "shop.journey.yaml", "events.jsonl", "--out", "a.csv", "--rejects", "a.csv"],
            "Invalid value for '--rejects': 'a.csv' is the same file as --out 'a.csv'; "
            "write to another file",
        ),
        (
            ["analyze", "shop.journey.yaml", "events.jsonl", "--json", "events.jsonl"],
            "Invalid value for '--json': 'events.jsonl' is the same file as EVENTS "
            "'events.jsonl'; write to another file",
        ),
        (
            ["compare", "shop.journey.yaml", "b.yaml", "events.jsonl", "--json", "b.yaml"],
            "Invalid value for '--json': 'b.yaml' is the same file as JOURNEY_B 'b.yaml'; "
            "write to another file",
        ),
        (
            ["report", "shop.journey.yaml", "events.jsonl", "--out", "shop.journey.yaml"],
            "Invalid value for '--out': 'shop.journey.yaml' is the same file as JOURNEY "
            "'shop.journey.yaml'; write to another file",
        ),
        (
            ["diagram", "shop.journey.yaml", "--events", "events.jsonl", "--out", "events.jsonl"],
            "Invalid value for '--out': 'events.jsonl' is the same file as --events "
            "'events.jsonl'; write to another file",
        ),
        (
            ["simulate", "shop.journey.yaml", "--out", "shop.journey.yaml"],
            "Invalid value for '--out': 'shop.journey.yaml' is the same file as JOURNEY "
            "'shop.journey.yaml'; write to another file",
        ),
        (
            ["test", "shop.scenarios.yaml", "--coverage-json", "shop.scenarios.yaml"],
            "Invalid value for '--coverage-json': 'shop.scenarios.yaml' is the same file as "
            "FILE 'shop.scenarios.yaml'; write to another file",
        ),
        (
            ["test", "shop.scenarios.yaml", "--coverage-json", "shop.journey.yaml"],
            "Invalid value for '--coverage-json': 'shop.journey.yaml' is the same file as "
            "JOURNEY 'shop.journey.yaml'; write to another file",
        ),
    ],
    ids=[
        "replay-out",
        "replay-rejects",
        "replay-out-rejects",
        "analyze",
        "compare",
        "report",
        "diagram",
        "simulate",
        "test-scenarios",
        "test-journey",
    ],
)
def test_an_output_that_is_an_input_is_a_usage_error_and_leaves_it_alone(
    run: Run, workdir: Path, events: str, arguments: list[str], message: str
) -> None:
    (workdir / "b.yaml").write_bytes((workdir / "shop.journey.yaml").read_bytes())
    before = {path.name: path.read_bytes() for path in workdir.iterdir()}
    result = run(*arguments)
    assert result.exit_code == 2, result.stderr
    assert result.stderr.endswith(f"Error: {message}\n")
    assert {path.name: path.read_bytes() for path in workdir.iterdir()} == before


def test_a_hard_link_to_the_events_is_the_same_file(run: Run, workdir: Path, events: str) -> None:
    os.link(workdir / events, workdir / "alias.csv")
    result = run("replay", "shop.journey.yaml", events, "--out", "alias.csv")
    assert result.exit_code == 2
    assert "'alias.csv' is the same file as EVENTS 'events.jsonl'" in result.stderr


def test_a_symbolic_link_to_the_journey_is_the_same_file(
    run: Run, workdir: Path, events: str
) -> None:
    (workdir / "alias.csv").symlink_to(workdir / "shop.journey.yaml")
    result = run("replay", "shop.journey.yaml", events, "--out", "alias.csv")
    assert result.exit_code == 2
    assert "'alias.csv' is the same file as JOURNEY 'shop.journey.yaml'" in result.stderr


def test_a_copy_of_the_events_is_another_file(run: Run, workdir: Path, events: str) -> None:
    (workdir / "copy.jsonl").write_bytes((workdir / events).read_bytes())
    result = run("replay", "shop.journey.yaml", events, "--out", "copy.jsonl")
    assert result.exit_code == 0, result.stderr

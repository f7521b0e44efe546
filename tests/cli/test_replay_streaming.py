"""`replay --format jsonl|csv` streams: each customer's line as they come, merged by customer.

The output must be what `replay_all` (every state kept, then described in customer order)
gives, byte for byte, in one process and in several, whatever the order of the records.
"""

from __future__ import annotations

import json
import random
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from customer_journey import _batch, _runner
from customer_journey._grouping import MINIMUM_MEMORY_LIMIT
from customer_journey._workers import FileInput, SortedRuns, Spool, merged_runs
from customer_journey.cli import main
from customer_journey.cli._positions import position_lines

from ..analytics.test_workers import JOURNEY  # noqa: TID252 - the analyze worker tests' journey

#: Ids that sort apart from their input order, need CSV quoting or look like formulas.
IDS = ["c05", "c10", "Zoë", "é", "=cmd", 'say "hi"', "two\nlines", "a,b", "c1", "ü"]
KINDS = ["ad.clicked", "email.clicked", "page.viewed", "order.completed"]
#: Lines no reader accepts: they must be rejected with the same rows in every run.
BAD = ["not json", '{"customer_id": "c10", "type": "ad.clicked"}']


def invoke(*args: str) -> Result:
    return CliRunner().invoke(main, list(args), prog_name="customer-journey")


def records(seed: int, count: int = 160) -> list[dict[str, str]]:
    """Seeded records of 10 customers (plus generated ones), each event at its own time,
    with some repeated whole (duplicates, to be ignored)."""
    chance = random.Random(seed)
    customers = IDS + [f"x{number}" for number in range(chance.randrange(5, 15))]
    made = [
        {
            "customer_id": chance.choice(customers),
            "type": chance.choice(
                ["ad.clicked", "email.clicked", "page.viewed", "order.completed"]
            ),
            "page": chance.choice(["/pricing", "/"]),
            "timestamp": f"2026-03-{1 + number // 24:02d}T{number % 24:02d}:30:00Z",
            "event_id": f"e{number}",
        }
        for number in range(count)
    ]
    return made + [made[chance.randrange(count)] for _ in range(8)]


def write(path: Path, rows: list[dict[str, str]], seed: int) -> Path:
    """The rows as JSON lines, with the bad lines at seeded places."""
    lines = [json.dumps(row) for row in rows]
    chance = random.Random(seed)
    for bad in BAD:
        lines.insert(chance.randrange(len(lines)), bad)
    path.write_text("".join(f"{line}\n" for line in lines), encoding="utf-8")
    return path


def orders(folder: Path, seed: int) -> dict[str, Path]:
    """The same records sorted by customer, grouped in a shuffled customer order, and in
    time order (customers interleaved)."""
    rows = records(seed)
    chance = random.Random(seed)
    by_customer = sorted(rows, key=lambda row: row["customer_id"])
    customers = sorted({row["customer_id"] for row in rows})
    chance.shuffle(customers)
    place = {customer: index for index, customer in enumerate(customers)}
    shuffled = sorted(rows, key=lambda row: place[row["customer_id"]])
    in_time = sorted(rows, key=lambda row: row["timestamp"])
    return {
        "sorted": write(folder / "sorted.jsonl", by_customer, seed),
        "grouped": write(folder / "grouped.jsonl", shuffled, seed),
        "time": write(folder / "time.jsonl", in_time, seed),
    }


def expected(path: Path, output_format: str) -> bytes:
    """What `replay_all` (states kept, as before streaming) gives, as the command writes it."""
    batch = JOURNEY.replay_all(str(path), workers=1)
    lines = position_lines(batch, output_format, tuple(JOURNEY.model.goals))
    return "".join(f"{line}\n" for line in lines).encode()


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "j.yaml").write_text(JOURNEY.text or "", encoding="utf-8")
    return tmp_path


def replayed(path: Path, output_format: str, workers: str, *options: str) -> tuple[bytes, ...]:
    """The output, rejections and summary of one `replay` run."""
    out, rejects = path.with_suffix(f".{workers}.out"), path.with_suffix(f".{workers}.rej")
    result = invoke(
        "replay", "j.yaml", str(path), "--format", output_format, "--out", str(out),
        "--rejects", str(rejects), "--workers", workers, *options,
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    return out.read_bytes(), rejects.read_bytes(), result.stderr.encode()


@pytest.mark.parametrize("output_format", ["jsonl", "csv"])
@pytest.mark.parametrize("seed", [1, 2])
def test_one_two_and_three_workers_write_replay_alls_bytes_whatever_the_order(
    folder: Path, output_format: str, seed: int
) -> None:
    files = orders(folder, seed)
    want = expected(files["sorted"], output_format)
    runs = {
        (order, workers): replayed(path, output_format, workers)
        for order, path in files.items()
        for workers in ("1", "2", "3")
    }
    assert {output for output, _, _ in runs.values()} == {want}
    for order in files:  # the rejections name the file and its rows
        assert runs[order, "2"][1:] == runs[order, "3"][1:] == runs[order, "1"][1:]
    _, rejects, summary = runs["sorted", "1"]
    reasons = [json.loads(line)["code"] for line in rejects.splitlines()]
    assert reasons == ["not-json", "missing-field"]
    customers = len({row["customer_id"] for row in records(seed)})
    head = summary.decode().splitlines()
    assert head[0].startswith("records: 170 read, 168 accepted, 2 rejected, 8 duplicates, ")
    assert head[1].startswith(f"customers: {customers}, as of 2026-03-07T")


def test_an_as_of_goes_to_every_worker(folder: Path) -> None:
    files = orders(folder, 6)
    batch = JOURNEY.replay_all(str(files["sorted"]), "2026-03-03T10:00:00+01:00", workers=1)
    lines = position_lines(batch, "jsonl", tuple(JOURNEY.model.goals))
    want = "".join(f"{line}\n" for line in lines).encode()
    for workers in ("1", "2"):
        output, _, summary = replayed(
            files["time"], "jsonl", workers, "--as-of", "2026-03-03T10:00:00"
        )
        assert output == want
        assert "as of 2026-03-03T10:00:00+01:00" in summary.decode()


def test_csv_starts_with_the_header_and_quotes_a_line_break(folder: Path) -> None:
    files = orders(folder, 3)
    output, _, _ = replayed(files["time"], "csv", "2")
    assert output.decode().split("\r\n")[0].split("\n")[0].startswith("customer,stage,phase,")
    assert '\n"two\nlines",' in output.decode()
    assert "\n'=cmd," in output.decode()


def test_lines_out_of_customer_order_are_merged_from_many_small_runs(
    folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("customer_journey._workers.RUN_CHARACTERS", 300)  # a run a few lines
    monkeypatch.setattr("customer_journey._workers.SPOOL_BATCH", 3)  # states wait in a file
    files = orders(folder, 4)
    for workers in ("1", "2"):
        output, _, _ = replayed(files["grouped"], "jsonl", workers)
        assert output == expected(files["sorted"], "jsonl")


@pytest.fixture
def limits(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The memory limit of every external grouping started in this process."""
    given: list[int] = []

    class Spy(_runner.ExternalGroups):
        def __init__(self, name: str, memory_limit: int, temp_directory: str | None) -> None:
            given.append(memory_limit)
            super().__init__(name, memory_limit, temp_directory)

    monkeypatch.setattr(_runner, "ExternalGroups", Spy)
    return given


def test_a_tiny_memory_limit_groups_a_time_ordered_file_outside_memory(
    folder: Path, limits: list[int]
) -> None:
    files = orders(folder, 5)
    want = expected(files["sorted"], "csv")
    outputs = {replayed(files["time"], "csv", w, "--memory-limit", "32MiB") for w in "123"}
    assert {output for output, _, _ in outputs} == {want}
    assert limits[0] == MINIMUM_MEMORY_LIMIT  # the one-process run, in this process


def test_each_worker_groups_its_share_under_its_part_of_the_memory_limit(folder: Path) -> None:
    (folder / "e.jsonl").write_text("", encoding="utf-8")
    file = FileInput("e.jsonl", None, "events", 96 << 20, "/spill")
    share = file.share(JOURNEY.read_events("e.jsonl"), 1, 3)
    assert (share.memory_limit, share.temp_directory, share.source) == (
        32 << 20,
        "/spill",
        "events",
    )


def test_sorted_runs_merge_lines_by_key_keeping_the_order_of_equal_keys(tmp_path: Path) -> None:
    chance = random.Random(7)
    pairs = [(chance.choice("abcdef"), f"line {number}\nwith a break") for number in range(200)]
    runs = SortedRuns(str(tmp_path), limit=500)
    for key, line in pairs:
        runs.add(key, line)
    paths = runs.finish()
    assert len(paths) > 1
    assert list(merged_runs(paths)) == [line for _, line in sorted(pairs, key=lambda p: p[0])]


def test_sorted_runs_extend_one_run_while_keys_ascend(tmp_path: Path) -> None:
    runs = SortedRuns(str(tmp_path), limit=10)
    for number in range(50):
        runs.add(f"{number:03d}", f"line {number}")
    paths = runs.finish()
    assert len(paths) == 1
    assert list(merged_runs(paths)) == [f"line {number}" for number in range(50)]


def test_clearing_sorted_runs_removes_their_files(tmp_path: Path) -> None:
    runs = SortedRuns(str(tmp_path), limit=10)
    for key in "zyx":
        runs.add(key, "a line longer than ten")
    runs.clear()
    runs.add("b", "kept")
    assert list(merged_runs(runs.finish())) == ["kept"]
    assert len(list(tmp_path.iterdir())) == 1


def test_a_spool_gives_back_what_it_kept_in_order_and_removes_its_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("customer_journey._workers.SPOOL_BATCH", 4)
    path = tmp_path / "spool"
    with Spool[int](str(path)) as spool:
        for number in range(10):
            spool.add(number)
        assert path.exists()  # two batches of four written, two kept in memory
        assert list(spool) == list(range(10))
    assert not path.exists()


def test_ctrl_c_while_streamed_lines_are_written_keeps_the_old_output_and_no_temporary_file(
    folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    spill = folder / "tmp"
    spill.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(spill))

    def interrupted(paths: object) -> Iterator[str]:
        yield "a line"
        raise KeyboardInterrupt

    monkeypatch.setattr(_batch, "merged_runs", interrupted)
    files = orders(folder, 8)
    (folder / "old.csv").write_text("old\n", encoding="utf-8")
    result = invoke("replay", "j.yaml", str(files["time"]), "--format", "csv", "--out", "old.csv")
    assert result.exit_code == 130
    assert (folder / "old.csv").read_text(encoding="utf-8") == "old\n"
    assert sorted(path.name for path in folder.iterdir()) == [
        "grouped.jsonl",
        "j.yaml",
        "old.csv",
        "sorted.jsonl",
        "time.jsonl",
        "tmp",
    ]
    assert list(spill.iterdir()) == []


@pytest.mark.parametrize("command", ["analyze", "report"])
def test_analyze_and_report_group_a_time_ordered_file_under_the_memory_limit_given(
    folder: Path, limits: list[int], monkeypatch: pytest.MonkeyPatch, command: str
) -> None:
    files = orders(folder, 6)
    outputs = []
    for name, options in (("sorted", ()), ("time", ("--memory-limit", "40MiB"))):
        (folder / name).mkdir()
        files[name].rename(folder / name / "events.jsonl")  # the same name in each output
        monkeypatch.chdir(folder / name)
        out = ["--json", "out.json"] if command == "analyze" else ["--out", "out.html"]
        result = invoke(command, "../j.yaml", "events.jsonl", "--workers", "1", *out, *options)
        assert result.exit_code == 0, result.stderr
        outputs.append((folder / name / out[1]).read_text(encoding="utf-8"))
    assert outputs[0] == outputs[1]
    assert limits == [40 << 20]


def test_a_bad_memory_limit_is_a_usage_error_for_analyze(folder: Path) -> None:
    (folder / "e.jsonl").write_text("", encoding="utf-8")
    result = invoke("analyze", "j.yaml", "e.jsonl", "--memory-limit", "1XB")
    assert result.exit_code == 2
    assert (
        "Invalid value for '--memory-limit': must be a size such as 1GB or 512MB (got '1XB')"
        in result.stderr
    )

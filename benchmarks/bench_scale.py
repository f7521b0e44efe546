"""Exports in time order, grouped outside memory: time and peak memory, end to end.

(a) On the bookshop example's export (`examples/generate_events.py --customers 52000`:
about a million lines, grouped by customer; written once under `benchmarks/data/` and
reused), and on the same lines in time order (written beside it), side by side in one run:

- `orjson parse`: `orjson.loads` on every line of the file, and nothing else (the floor);
- `replay`: `customer-journey replay ... --format jsonl --out FILE`, wall and CPU
  seconds and peak memory (`ru_maxrss` of that process alone, from `os.wait4`);
- `replay, in memory`: the same with DuckDB hidden, so that a time-ordered file is
  grouped in memory as before the external sort;
- `Runs, find_as_of`: one process describing each customer as it comes (the default
  `as_of` found first), against `replay_all`, which keeps compact states and reads once.

The outputs of the grouped and time-ordered files are compared: they must be identical.

(b) With `--large N` (say 10000000), a time-ordered file of about N events (generated,
then deleted), replayed end to end in one process with the default memory limit: time
and peak memory.
"""

from __future__ import annotations

import argparse
import filecmp
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from datetime import datetime, timezone
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from _bookshop import CLI, DATA, JOURNEY, bookshop_export, timed  # noqa: E402

REPO = HERE.parent
TREE = [REPO]  # the package measured: this checkout, or `--tree DIR`
#: Hides DuckDB from the package, so that ungrouped input is grouped in memory.
NO_DUCKDB = "import sys; sys.modules['duckdb'] = None; "
EVENTS_PER_CUSTOMER = 19.1  # the bookshop export's mean


def _key(line: bytes) -> float:
    """The time of a line as the bookshop export writes it (bad lines first)."""
    import orjson

    try:
        value = orjson.loads(line).get("timestamp")
    except (ValueError, AttributeError):
        return float("-inf")
    if isinstance(value, (int, float)):
        return value / 1000  # epoch milliseconds
    try:
        moment = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return float("-inf")
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.timestamp()


def time_ordered(grouped: Path) -> Path:
    """The lines of `grouped` sorted by their time (stable), written once beside it.

    Sorted in a process of its own: a child forked from a process that held the lines
    would count them in its own peak memory.
    """
    path = grouped.with_name(grouped.stem + "-time-ordered.jsonl")
    if not path.exists():
        subprocess.run([sys.executable, __file__, "--order", str(grouped)], check=True)
    return path


def _order(grouped: Path) -> None:
    """Write `time_ordered(grouped)` in this process."""
    path = grouped.with_name(grouped.stem + "-time-ordered.jsonl")
    lines = grouped.read_bytes().splitlines(keepends=True)
    keys = [_key(line) for line in lines]
    order = sorted(range(len(lines)), key=keys.__getitem__)
    partial = path.with_suffix(".partial")
    with partial.open("wb") as out:
        out.writelines(lines[index] for index in order)
    partial.replace(path)


def _run(command: list[str], folder: str) -> tuple[float, float, float]:
    """Wall and CPU seconds and peak MiB of one process, on the package measured."""
    return timed(command, tree=TREE[0], cwd=folder)


def replay(
    path: Path, out: Path, *, duckdb: bool = True, workers: int | None = None
) -> tuple[float, float, float]:
    """`customer-journey replay ... --format jsonl --out out`, with or without DuckDB.

    By default in as many processes as the command chooses (`--workers`); the peak is
    then the largest of one process, not their sum.
    """
    args = ["replay", str(JOURNEY), str(path), "--format", "jsonl", "--out", str(out)]
    if workers is not None:
        args += ["--workers", str(workers)]
    code = CLI if duckdb else NO_DUCKDB + CLI
    return _run([sys.executable, "-c", code, *args], str(out.parent))


def orjson_parse(path: Path) -> tuple[float, float, float]:
    """orjson parsing every line, in its own process."""
    code = (
        "import orjson, sys\n"
        "for line in open(sys.argv[1], 'rb'):\n"
        "    try: orjson.loads(line)\n"
        "    except ValueError: pass\n"
    )
    return _run([sys.executable, "-c", code, str(path)], str(path.parent))


def streaming(path: Path, *, once: bool) -> tuple[float, float, float]:
    """Describing every customer: `Runs(find_as_of=True)` as they come, or `replay_all`."""
    code = (
        "import sys, customer_journey as cj\n"
        "from customer_journey._runner import Runner, Runs\n"
        "from customer_journey.engine import build_plan\n"
        f"j = cj.load({str(JOURNEY)!r})\n"
        "if sys.argv[2] == 'once':\n"
        "    n = sum(1 for _ in j.replay_all(sys.argv[1]))\n"
        "else:\n"
        "    runner = Runner(build_plan(j.model))\n"
        "    runs = Runs(runner, j.read_events(sys.argv[1]), find_as_of=True)\n"
        "    n = sum(1 for run in runs if run and runner.describe(run[1], runs.as_of))\n"
    )
    command = [sys.executable, "-c", code, str(path), "once" if once else "scan"]
    return _run(command, str(path.parent))


def _row(label: str, figures: tuple[float, float, float]) -> None:
    wall, cpu, peak = figures
    print(f"{label:<46} {wall:>8.1f} {cpu:>8.1f} {peak:>9.0f}", flush=True)


def bookshop(customers: int) -> None:
    """Part (a): the grouped export and the same lines in time order, side by side."""
    grouped = bookshop_export(customers)
    ordered = time_ordered(grouped)
    lines = sum(1 for _ in grouped.open("rb"))
    print(f"bookshop export: {customers:,} customers, {lines:,} lines")
    print(f"{'step':<46} {'wall s':>8} {'CPU s':>8} {'peak MiB':>9}")
    with tempfile.TemporaryDirectory() as folder:
        outs = {name: Path(folder) / f"{name}.jsonl" for name in ("g", "t", "m")}
        _row("orjson parse, grouped", orjson_parse(grouped))
        _row("replay --format jsonl --out, grouped", replay(grouped, outs["g"]))
        _row("orjson parse, time order", orjson_parse(ordered))
        _row("replay, time order (DuckDB, default limit)", replay(ordered, outs["t"]))
        _row("replay, time order, in memory (no DuckDB)", replay(ordered, outs["m"], duckdb=False))
        same = filecmp.cmp(outs["g"], outs["t"], shallow=False)
        same = same and filecmp.cmp(outs["g"], outs["m"], shallow=False)
        print(f"outputs identical: {same}")
    _row("grouped: Runs(find_as_of=True), describe each", streaming(grouped, once=False))
    _row("grouped: replay_all (one read, states kept)", streaming(grouped, once=True))


def large(events: int) -> None:
    """Part (b): a time-ordered file of about `events` events, generated then deleted."""
    customers = round(events / EVENTS_PER_CUSTOMER)
    with tempfile.TemporaryDirectory(dir=DATA) as folder:
        grouped = Path(folder) / f"bookshop-{customers}c.jsonl"
        generator = str(REPO / "examples" / "generate_events.py")
        command = [sys.executable, generator, "--customers", str(customers), "--out", str(grouped)]
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
        ordered = time_ordered(grouped)
        grouped.unlink()
        lines = sum(1 for _ in ordered.open("rb"))
        size = ordered.stat().st_size / 2**20
        print(f"time-ordered file: {customers:,} customers, {lines:,} lines, {size:,.0f} MiB")
        _row("orjson parse", orjson_parse(ordered))
        figures = replay(ordered, Path(folder) / "o", workers=1)
        _row("replay --format jsonl --out --workers 1 (default limit)", figures)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=52_000, help="bookshop customers")
    parser.add_argument("--large", type=int, default=0, help="events in part (b); 0: skip")
    parser.add_argument("--skip-bookshop", action="store_true", help="run part (b) only")
    parser.add_argument("--tree", type=Path, default=REPO, help="a copy of the package to run")
    parser.add_argument("--order", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.order:
        _order(args.order)
        return 0
    TREE[0] = args.tree
    if not args.skip_bookshop:
        bookshop(args.customers)
    if args.large:
        large(args.large)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""`customer-journey replay --workers N` on the bookshop export: wall time and peak memory.

The 52,000-customer export (about a million lines; see `_bookshop.py`) is replayed to
JSONL by the command line in a fresh subprocess for each number of workers, best of
`--repeat`, and the outputs are checked to be the same bytes. CPU seconds are the whole
process tree's (user and system, the workers' included); peak memory is the largest
resident set of the command's process tree that `getrusage` reports for a child (the
parent's or one worker's, whichever is larger). The machine's load average is printed
too: on a shared machine, wall times mean little without it. See benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import filecmp
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

from _bookshop import CLI, JOURNEY, REPO, bookshop_export, timed


def _replay(path: Path, out: Path, workers: int, tree: Path) -> tuple[float, float, float]:
    """Wall seconds, CPU seconds and peak MiB of one `replay` run, in its own process.

    The package measured is `tree`'s (this checkout, or a copy to compare with).
    """
    command = [sys.executable, "-c", CLI, "replay", str(JOURNEY), str(path)]
    options = ["--format", "jsonl", "--out", str(out), "--workers", str(workers)]
    # `python -c` imports from the current directory first: run it in `tree`.
    return timed([*command, *options], tree=tree, cwd=tree)


def main(argv: Sequence[str] | None = None) -> int:
    """Print the time and memory of each number of workers; exit 1 if the outputs differ."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=52_000)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--tree", type=Path, default=REPO, help="a copy of the package to run")
    args = parser.parse_args(argv)
    path = bookshop_export(args.customers)
    size = path.stat().st_size / 2**20
    print(f"{path.name}: {size:.0f} MiB; best of {args.repeat}")
    print(f"load average: {Path('/proc/loadavg').read_text().strip()}")
    print(f"{'workers':>7}  {'wall s':>7}  {'CPU s':>6}  {'peak MiB':>8}  {'speed-up':>8}")
    first: tuple[float, Path] | None = None
    same = True
    with tempfile.TemporaryDirectory() as folder:
        for workers in args.workers:
            out = Path(folder) / f"out-{workers}.jsonl"
            runs = [_replay(path, out, workers, args.tree) for _ in range(args.repeat)]
            wall = min(run[0] for run in runs)
            cpu = min(run[1] for run in runs)
            peak = max(run[2] for run in runs)
            if first is None:
                first = (wall, out)
            else:
                same = same and filecmp.cmp(first[1], out, shallow=False)
            print(
                f"{workers:>7}  {wall:>7.1f}  {cpu:>6.1f}  {peak:>8.0f}  {first[0] / wall:>7.2f}x"
            )
    print(f"load average: {Path('/proc/loadavg').read_text().strip()}")
    print("outputs: the same bytes" if same else "outputs DIFFER")
    return 0 if same else 1


if __name__ == "__main__":
    raise SystemExit(main())

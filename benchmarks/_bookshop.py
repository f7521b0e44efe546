"""The bookshop example's seeded export, the input of the scale benchmarks, and how a run
on it is timed.

`examples/generate_events.py --customers N` (seed 42) written once under
`benchmarks/data/` (gitignored) and reused while it exists: at 52,000 customers about a
million lines (166 MB), grouped by customer and in time order within each customer.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
DATA = HERE / "data"
JOURNEY = REPO / "examples" / "bookshop.journey.yaml"
#: The latest event of the 52,000-customer export: its default `as_of`.
AS_OF = "2026-07-02T20:18:03Z"
#: Runs the command line with the arguments after `-c CLI`.
CLI = "from customer_journey.cli import main; main(prog_name='customer-journey')"
RSS_UNIT = 1 if sys.platform == "darwin" else 1024  # ru_maxrss is in KiB on Linux, bytes on macOS


def bookshop_export(customers: int) -> Path:
    """The seeded bookshop export for `customers`, written once."""
    path = DATA / f"bookshop-{customers}c-seed42.jsonl"
    if not path.exists():
        DATA.mkdir(exist_ok=True)
        partial = path.with_suffix(".partial")
        generator = str(REPO / "examples" / "generate_events.py")
        command = [sys.executable, generator, "--customers", str(customers), "--out", str(partial)]
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
        partial.replace(path)
    return path


def timed(command: list[str], *, tree: Path, cwd: str | Path) -> tuple[float, float, float]:
    """Wall and CPU seconds and peak MiB of one process importing the package from `tree`.

    CPU seconds include the processes it started and waited for (its workers); the peak
    is the largest of them. A failure ends the benchmark with the end of its stderr.
    """
    env = {**os.environ, "PYTHONPATH": str(tree)}
    started = time.perf_counter()
    process = subprocess.Popen(
        command, env=env, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - started
    if os.waitstatus_to_exitcode(status) != 0:
        assert process.stderr is not None
        sys.exit(f"{' '.join(command[:4])} failed: {process.stderr.read().decode()[-2000:]}")
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss * RSS_UNIT / 2**20

"""Reading JSON Lines and writing positions, against orjson merely parsing the same file.

On the bookshop example's export (`examples/generate_events.py --customers 52000`: about
a million lines; written once under `benchmarks/data/`, gitignored, reused while it
exists), each figure comes from its own subprocess, so each has a fresh heap:

- `orjson parse`: `orjson.loads` on every line, and nothing else (the floor);
- `json parse`: Python's `json.loads` on every line (what the reader used before orjson);
- `rows`: the JSON Lines reader's (line, record) pairs, with every reject rule;
- `events`: `Journey.read_events` fully iterated: the rows turned into `Event`s;
- `to_dict`: `ReplayResult.to_dict` of every customer's result (the replay not timed);
- `jsonl lines`: the lines of `replay --format jsonl` for those results;
- `replay end to end`: `customer-journey replay ... --format jsonl --out FILE`, wall
  time and peak memory (`ru_maxrss`), with its ratio to `orjson parse`.

`--before DIR` measures another copy of the package side by side in the same run (for
example `git archive HEAD | tar -x -C /tmp/before`), so a change is shown before and
after on the same machine under the same load. Steps are timed in CPU seconds, steadier
than wall time on a busy machine; each figure is the best of `--repeat` runs.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from _bookshop import AS_OF, CLI, JOURNEY, REPO, bookshop_export, timed

STEPS = ("orjson parse", "json parse", "rows", "events", "to_dict", "jsonl lines")


def _step(step: str, path: str) -> float:
    """Run one step in this process (the child) and return its seconds."""
    import orjson

    import customer_journey as cj

    journey = cj.load(JOURNEY)
    if step in ("orjson parse", "json parse"):
        parse: Callable[[bytes], object] = orjson.loads if step == "orjson parse" else json.loads
        started = time.process_time()
        with Path(path).open("rb") as stream:
            for line in stream:
                try:  # noqa: SIM105 - `suppress` would cost a call on every line
                    parse(line)
                except ValueError:  # noqa: PERF203 - free unless raised (Python 3.11)
                    pass
        return time.process_time() - started
    if step == "rows":
        from customer_journey.readers._jsonl import jsonl_rows

        started = time.process_time()
        for _ in jsonl_rows(path):
            pass
        return time.process_time() - started
    if step == "events":
        started = time.process_time()
        for _ in journey.read_events(path):
            pass
        return time.process_time() - started
    from customer_journey.cli._positions import position_lines

    results = list(journey.replay_all(path, as_of=AS_OF))
    started = time.process_time()
    if step == "to_dict":
        for result in results:
            result.to_dict()
    else:
        for _ in position_lines(results, "jsonl", []):
            pass
    return time.process_time() - started


def _child_seconds(tree: Path, step: str, path: Path) -> float:
    """The seconds `step` takes in a subprocess that imports the package from `tree`."""
    env = {**os.environ, "PYTHONPATH": str(tree)}
    command = [sys.executable, __file__, "--child", step, str(path)]
    output = subprocess.run(command, env=env, check=True, capture_output=True, text=True)
    return float(output.stdout)


def _end_to_end(tree: Path, path: Path) -> tuple[float, float, float]:
    """Wall and CPU seconds and peak MiB of `replay --format jsonl --out` on `tree`'s package."""
    with tempfile.TemporaryDirectory() as folder:
        out = str(Path(folder) / "positions.jsonl")
        args = ["replay", str(JOURNEY), str(path), "--format", "jsonl", "--out", out]
        return timed([sys.executable, "-c", CLI, *args], tree=tree, cwd=folder)


def main(argv: Sequence[str] | None = None) -> int:
    """Print each step's time for this checkout (and `--before`'s), best of `--repeat`."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=52_000)
    parser.add_argument("--before", type=Path, help="another copy of the package to measure")
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--child", nargs=2, metavar=("STEP", "FILE"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        print(_step(*args.child))
        return 0
    path = bookshop_export(args.customers)
    trees = {"after": REPO} if args.before is None else {"before": args.before, "after": REPO}
    lines = sum(1 for _ in path.open("rb"))
    print(f"{path.name}: {lines:,} lines, {path.stat().st_size / 1e6:.0f} MB")
    print(f"{'step (CPU s)':<20}" + "".join(f"{name:>10}" for name in trees))
    figures: dict[str, dict[str, float]] = {name: {} for name in trees}
    for step in STEPS:
        for name, tree in trees.items():
            runs = (_child_seconds(tree, step, path) for _ in range(args.repeat))
            figures[name][step] = min(runs)
        print(f"{step:<20}" + "".join(f"{figures[name][step]:>10.2f}" for name in trees))
    for name, tree in trees.items():
        wall, cpu, peak = min(_end_to_end(tree, path) for _ in range(args.repeat))
        ratio = cpu / figures[name]["orjson parse"]
        print(
            f"replay end to end ({name}): {wall:.2f} s wall, {cpu:.2f} s CPU ({ratio:.1f}x "
            f"orjson parse), {peak:.0f} MiB peak"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Spark on the bookshop export: `spark.replay` and `spark.analyze` on one core and two.

The 52,000-customer export (about a million rows; see `_bookshop.py`) is read by Spark
(its schema inferred), cached and counted first, so that reading the JSON is not
timed. Then, in `local[1]` and `local[2]` (each in its own subprocess and JVM), best of
`--repeat`:

- `replay`: `spark.replay(journey, df, as_of)` written to Spark's no-op sink, so every
  customer's row is built and nothing is written;
- `analyze`: `spark.analyze(journey, df, as_of)`, the tallies merged on the driver.

Beside them, the local `Journey.replay_all` of the same file (every result turned into
its dict) in one process, for scale. Needs the `[spark]` extra and Java 17 or later.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from collections.abc import Sequence

from _bookshop import AS_OF, JOURNEY, REPO, bookshop_export


def _spark_child(cores: int, path: str, repeat: int) -> None:
    """Print the best replay and analyze seconds in `local[cores]`."""
    sys.path.insert(0, str(REPO))
    from pyspark.sql import SparkSession

    import customer_journey as cj
    from customer_journey import spark

    os.environ["PYSPARK_PYTHON"] = sys.executable  # the workers need this environment's packages
    session = (
        SparkSession.builder.master(f"local[{cores}]")
        .config("spark.sql.shuffle.partitions", str(4 * cores))
        .config("spark.ui.enabled", "false")
        .config("spark.driver.memory", "4g")
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    journey = cj.load(JOURNEY)
    frame = session.read.json(path).cache()  # the schema inferred, as a user would
    rows = frame.count()
    best = {"replay": float("inf"), "analyze": float("inf")}
    for _ in range(repeat):
        started = time.perf_counter()
        spark.replay(journey, frame, as_of=AS_OF).write.format("noop").mode("overwrite").save()
        best["replay"] = min(best["replay"], time.perf_counter() - started)
        started = time.perf_counter()
        spark.analyze(journey, frame, as_of=AS_OF)
        best["analyze"] = min(best["analyze"], time.perf_counter() - started)
    print(rows, best["replay"], best["analyze"])
    session.stop()


def _local_seconds(path: str) -> float:
    """Seconds of `replay_all` of the file, every result turned into its dict."""
    sys.path.insert(0, str(REPO))
    import customer_journey as cj

    journey = cj.load(JOURNEY)
    started = time.perf_counter()
    for result in journey.replay_all(path, as_of=AS_OF, workers=1):
        result.to_dict()
    return time.perf_counter() - started


def main(argv: Sequence[str] | None = None) -> int:
    """Print Spark's seconds on one core and two, and the local replay's."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=52_000)
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--child", nargs=2, metavar=("CORES", "FILE"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        _spark_child(int(args.child[0]), args.child[1], args.repeat)
        return 0
    path = str(bookshop_export(args.customers))
    print(f"{path}: as of {AS_OF}")
    print(f"{'run':<24}{'rows':>10}{'replay s':>10}{'analyze s':>11}")
    for cores in (1, 2):
        child = ["--repeat", str(args.repeat), "--child", str(cores), path]
        output = subprocess.run(
            [sys.executable, __file__, *child], check=True, capture_output=True, text=True
        )
        rows, replay, analyze = (float(figure) for figure in output.stdout.split()[-3:])
        run = f"spark local[{cores}]"
        print(f"{run:<24}{rows:>10,.0f}{replay:>10.1f}{analyze:>11.1f}")
    print(f"{'local replay_all, 1 core':<24}{'':>10}{_local_seconds(path):>10.1f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Mutation testing of the reference scenario suite: how many mutants, how many killed, how fast.

Runs `customer_journey.testing.run_mutants` on the reference suite
(`../shared/dsl/retail.scenarios.yaml`, 29 scenarios, read where it is) with 1 and 2
worker processes (`--workers`), and prints the mutants tested (M), killed (K), the score,
the survivors and the equivalent mutants left out, then the wall time of each run (the
best of `--repeat`), loading and the check that the suite passes included. The issue's
target is under 60 s on 2 cores. A table of the mutants by kind follows.
"""

from __future__ import annotations

import argparse
import time
from collections import Counter
from collections.abc import Sequence

from _workload import RETAIL_JOURNEY, use_working_tree

SUITE = RETAIL_JOURNEY.with_name("retail.scenarios.yaml")
TARGET_SECONDS = 60.0


def main(argv: Sequence[str] | None = None) -> int:
    """Print the figures; exit 1 when a run takes longer than the target."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    use_working_tree()
    # imported after use_working_tree()
    from customer_journey.testing import MUTATION_OPERATORS, run_mutants

    times = {}
    for workers in args.workers:
        best = float("inf")
        for _ in range(args.repeat):
            started = time.perf_counter()
            report = run_mutants([SUITE], workers=workers)
            best = min(best, time.perf_counter() - started)
        times[workers] = best
    print(f"suite: {SUITE}")
    print(f"mutants tested (M): {len(report.tested)}")
    print(f"killed (K):         {report.killed}")
    print(f"score:              {report.score:.1f}%")
    print(f"survivors:          {len(report.survivors)}")
    print(f"equivalent:         {len(report.equivalent)} (left out of M)")
    print()
    print(f"{'workers':>7}  {'wall s':>6}")
    for workers, seconds in times.items():
        print(f"{workers:>7}  {seconds:>6.2f}")
    print()
    made = Counter(m.operator for m in report.tested)
    survived = Counter(m.operator for m in report.survivors)
    equivalent = Counter(m.operator for m in report.equivalent)
    print(f"{'kind':<20}  {'tested':>6}  {'killed':>6}  {'equivalent':>10}")
    for kind in MUTATION_OPERATORS:
        killed = made[kind] - survived[kind]
        print(f"{kind:<20}  {made[kind]:>6}  {killed:>6}  {equivalent[kind]:>10}")
    return 1 if max(times.values()) > TARGET_SECONDS else 0


if __name__ == "__main__":
    raise SystemExit(main())

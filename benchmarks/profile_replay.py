"""Where customer_journey spends its time: contender a of bench_replay.py under cProfile.

Builds a smaller seeded workload (same simulation as the benchmark), replays it with
`journey.replay_all(records)` under cProfile and prints the top functions by own time.
Profiling slows Python code down several times, so read the shares, not the totals.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import sys
from collections.abc import Sequence

from _workload import RETAIL_JOURNEY, build_records, use_working_tree


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=2_000, help="customers (2000)")
    parser.add_argument("--events", type=int, default=100_000, help="events, approx (100000)")
    parser.add_argument("--seed", type=int, default=1, help="workload seed (1)")
    parser.add_argument("--top", type=int, default=20, help="how many functions to show (20)")
    parser.add_argument(
        "--sort", default="tottime", choices=["tottime", "cumtime", "ncalls"], help="(tottime)"
    )
    args = parser.parse_args(argv)
    if not RETAIL_JOURNEY.exists():
        sys.exit(f"the reference journey is missing: {RETAIL_JOURNEY}")

    use_working_tree()
    import customer_journey

    records = build_records(args.customers, args.events, args.seed)
    journey = customer_journey.load(RETAIL_JOURNEY)
    profiler = cProfile.Profile()
    profiler.enable()
    customers = sum(1 for _ in journey.replay_all(records))
    profiler.disable()

    text = io.StringIO()
    stats = pstats.Stats(profiler, stream=text)
    stats.sort_stats(args.sort).print_stats(args.top)
    print(f"replayed {len(records):,} records for {customers:,} customers under cProfile")
    print(text.getvalue())


if __name__ == "__main__":
    main()

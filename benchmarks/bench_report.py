"""The HTML report's size against the number of customers: it must not grow with them.

Seeded JSONL files for the reference retail journey (the workload of bench_analyze.py,
about 10 events per customer) are written under benchmarks/data/ (gitignored; reused
while they exist); each is analysed and rendered with `report_html`, and the page's size
printed with the time each step took. The page holds figures per stage, phase, goal and
action, and capped lists (paths, friction, trend snapshots), so its size depends on the
journey, not on the customers. The issue's bound is 5 MB for 100,000 customers.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Sequence
from datetime import datetime, timezone
from pathlib import Path

from _workload import END, RETAIL_JOURNEY, build_records, use_working_tree, write_jsonl

HERE = Path(__file__).resolve().parent
DATA = HERE / "data"
AS_OF = datetime.fromtimestamp(END, tz=timezone.utc)
EVENTS_PER_CUSTOMER = 10
LIMIT = 5_000_000


def _events_file(customers: int) -> Path:
    events = customers * EVENTS_PER_CUSTOMER
    path = DATA / f"retail-{customers}c-{events}e-seed1.jsonl"
    if not path.exists():
        partial = path.with_suffix(".partial")
        write_jsonl(build_records(customers, events, 1), partial)
        partial.replace(path)
    return path


def main(argv: Sequence[str] | None = None) -> int:
    """Print the report size for each population; exit 1 when one is over 5 MB."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, nargs="+", default=[1_000, 10_000, 100_000])
    args = parser.parse_args(argv)
    use_working_tree()
    import customer_journey as cj  # imported after use_working_tree()
    from customer_journey.render._report import report_html

    journey = cj.load(RETAIL_JOURNEY)
    print(f"{'customers':>10}  {'analyze s':>9}  {'render s':>8}  {'report bytes':>12}")
    over = False
    for customers in args.customers:
        path = _events_file(customers)
        started = time.perf_counter()
        analysis = cj.analyze(journey, path, AS_OF)
        analysed = time.perf_counter()
        page = report_html(journey.model, analysis)
        rendered = time.perf_counter()
        size = len(page.encode("utf-8"))
        over = over or size > LIMIT
        print(
            f"{analysis.customers:>10,}  {analysed - started:>9.1f}  "
            f"{rendered - analysed:>8.3f}  {size:>12,}"
        )
    return 1 if over else 0


if __name__ == "__main__":
    raise SystemExit(main())

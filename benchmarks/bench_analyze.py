"""Journey analytics at scale: time and peak memory of `analyze` on JSONL files of growing size.

Seeded JSONL files for the reference retail journey (the workload of bench_replay.py) are
written under benchmarks/data/ (gitignored; reused while they exist), each by its own
subprocess. Each file is then analysed by `customer_journey.analyze(journey, path,
as_of=...)` in a fresh subprocess, so that peak memory is that run's own maximum resident
set size. Two series:

- growing: events per customer fixed (50), so customers grow with events;
- fixed customers: customers fixed (20,000), so each customer's history grows.

Plus one run without `as_of` (the default as_of is found by a first pass, so the file is
read twice). `analyze` holds one customer's events at a time, so memory added by the
analysis should not grow with the number of events. See benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from collections.abc import Sequence
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from _workload import END, RETAIL_JOURNEY, build_records, use_working_tree, write_jsonl

HERE = Path(__file__).resolve().parent
DATA = HERE / "data"
KIB = 1024 if sys.platform != "darwin" else 1024 * 1024  # ru_maxrss is KiB on Linux
#: The export's end: every generated event is at or before it, so nothing is after as_of.
AS_OF = datetime.fromtimestamp(END, tz=timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _maxrss_mib() -> float:
    return float(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss) * (1024 / KIB) / 1024


def _data_file(customers: int, events: int, seed: int) -> Path:
    """The JSONL file of one workload; the same name bench_replay.py --end-to-end uses."""
    return DATA / f"retail-{customers}c-{events}e-seed{seed}.jsonl"


def _write_child(customers: int, events: int, seed: int) -> None:
    """Build one workload and write it as JSONL (atomically: a partial file is never reused)."""
    path = _data_file(customers, events, seed)
    partial = path.with_suffix(".partial")
    written = write_jsonl(build_records(customers, events, seed), partial)
    partial.replace(path)
    print(json.dumps({"written": written}))


def _analyze_child(path: Path, as_of: str | None) -> None:
    """Analyse one file and print its figures as JSON; runs in its own process."""
    use_working_tree()
    import customer_journey

    journey = customer_journey.load(RETAIL_JOURNEY)
    baseline = _maxrss_mib()
    started, cpu_started = time.perf_counter(), time.process_time()
    analysis = customer_journey.analyze(journey, path, as_of=as_of)
    seconds = time.perf_counter() - started
    cpu = time.process_time() - cpu_started
    totals = analysis.totals
    assert totals is not None
    report = {
        "read": totals.read,
        "customers": totals.customers,
        "placed": analysis.customers,
        "seconds": seconds,
        "cpu_seconds": cpu,
        "baseline_mib": baseline,
        "peak_mib": _maxrss_mib(),
        "as_of": analysis.as_of.isoformat(),
    }
    print(json.dumps(report))


def _run(command: list[str]) -> dict[str, Any]:
    """Run this script as a child and return the JSON it prints."""
    result = subprocess.run(command, stdout=subprocess.PIPE, text=True, check=False)
    if result.returncode != 0:
        sys.exit(f"{' '.join(command)} failed with exit code {result.returncode}")
    figures: dict[str, Any] = json.loads(result.stdout)
    return figures


def _ensure_file(customers: int, events: int, seed: int) -> Path:
    # Written by a child so that this process never holds the records: on Linux a child's
    # ru_maxrss can start from its parent's resident size at fork, which would blur it.
    path = _data_file(customers, events, seed)
    if not path.exists():
        started = time.perf_counter()
        command = [sys.executable, __file__, "--write-child", str(customers), str(events)]
        written = _run([*command, "--seed", str(seed)])["written"]
        print(
            f"wrote {written:,} records for {customers:,} customers to "
            f"{path.relative_to(HERE.parent)} in {time.perf_counter() - started:.0f} s",
            flush=True,
        )
    return path


class _Runs:
    """Analysis runs, each in a fresh subprocess; a run asked for twice is measured once."""

    def __init__(self, seed: int) -> None:
        self.seed = seed
        self.done: dict[tuple[int, int, bool], dict[str, Any]] = {}

    def measure(self, customers: int, events: int, *, as_of: bool) -> dict[str, Any]:
        key = (customers, events, as_of)
        if key not in self.done:
            path = _ensure_file(customers, events, self.seed)
            command = [sys.executable, __file__, "--analyze-child", str(path)]
            if as_of:
                command += ["--as-of", AS_OF]
            figures = _run(command)
            figures["as_of_given"] = as_of
            figures["file_mib"] = path.stat().st_size / 1024 / 1024
            self.done[key] = figures
            kind = f"as_of {AS_OF}" if as_of else "default as_of (two passes)"
            print(f"analysed {path.name}, {kind}", flush=True)
        return self.done[key]


def _print_table(title: str, rows: list[dict[str, Any]]) -> None:
    print(f"\n{title}\n")
    print(
        f"{'events':>10}{'customers':>11}{'ev/cust':>9}{'as_of':>9}{'wall s':>8}{'cpu s':>8}"
        f"{'events/s':>10}{'base MiB':>10}{'peak MiB':>10}{'added MiB':>11}{'file MiB':>10}"
    )
    for row in rows:
        added = row["peak_mib"] - row["baseline_mib"]
        print(
            f"{row['read']:>10,}{row['customers']:>11,}{row['read'] / row['customers']:>9.0f}"
            f"{'given' if row['as_of_given'] else 'default':>9}{row['seconds']:>8.1f}"
            f"{row['cpu_seconds']:>8.1f}{row['read'] / row['seconds']:>10,.0f}"
            f"{row['baseline_mib']:>10.1f}{row['peak_mib']:>10.1f}{added:>11.1f}"
            f"{row['file_mib']:>10.0f}"
        )
    measured = sorted((row for row in rows if row["as_of_given"]), key=lambda row: row["read"])
    if len(measured) > 1:
        low, high = measured[0], measured[-1]
        grown = (high["peak_mib"] - high["baseline_mib"]) - (low["peak_mib"] - low["baseline_mib"])
        print(
            f"\nevents x{high['read'] / low['read']:.1f}, customers "
            f"x{high['customers'] / low['customers']:.1f}: memory added by the analysis "
            f"{low['peak_mib'] - low['baseline_mib']:.1f} -> "
            f"{high['peak_mib'] - high['baseline_mib']:.1f} MiB ({grown:+.1f} MiB)"
        )


def _parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--events",
        type=int,
        nargs="+",
        default=[500_000, 1_000_000, 2_000_000],
        help="file sizes in events, approx (500000 1000000 2000000)",
    )
    parser.add_argument(
        "--per-customer",
        type=int,
        default=50,
        help="events per customer in the growing series; 0 skips it (50)",
    )
    parser.add_argument(
        "--fixed-customers",
        type=int,
        default=20_000,
        help="customers in the fixed-customers series; 0 skips it (20000)",
    )
    parser.add_argument(
        "--default-as-of",
        type=int,
        default=1_000_000,
        metavar="EVENTS",
        help="also analyse the growing series' file of this size without as_of; 0 skips (1000000)",
    )
    parser.add_argument("--seed", type=int, default=1, help="workload seed (1)")
    parser.add_argument("--write-child", type=int, nargs=2, help=argparse.SUPPRESS)
    parser.add_argument("--analyze-child", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--as-of", help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> None:
    args = _parse_args(argv)
    if not RETAIL_JOURNEY.exists():
        sys.exit(f"the reference journey is missing: {RETAIL_JOURNEY}")
    if args.write_child:
        customers, events = args.write_child
        _write_child(customers, events, args.seed)
        return
    if args.analyze_child:
        _analyze_child(args.analyze_child, args.as_of)
        return
    print(
        f"analyze on {RETAIL_JOURNEY.name}, seed {args.seed}, Python {sys.version.split()[0]}, "
        f"{os.cpu_count()} CPUs; each run in a fresh subprocess",
        flush=True,
    )
    runs = _Runs(args.seed)
    sizes = sorted(args.events)
    tables: list[tuple[str, list[dict[str, Any]]]] = []
    if args.per_customer:
        growing = [
            runs.measure(max(1, events // args.per_customer), events, as_of=True)
            for events in sizes
        ]
        if args.default_as_of:
            customers = max(1, args.default_as_of // args.per_customer)
            growing.append(runs.measure(customers, args.default_as_of, as_of=False))
        tables.append((f"customers grow with events ({args.per_customer} per customer)", growing))
    if args.fixed_customers:
        fixed = [runs.measure(args.fixed_customers, events, as_of=True) for events in sizes]
        tables.append((f"customers fixed at {args.fixed_customers:,}", fixed))
    for title, rows in tables:
        _print_table(title, rows)


if __name__ == "__main__":
    main()

"""The live store's speed and memory, on SQLite and (when a server can be had) PostgreSQL.

Figures printed, each from its own subprocess so that peak memory is that run's own:

1. file ingest: the seeded retail workload (bench_replay.py's, grouped by customer, in
   time order per customer) written as JSONL, ingested in chunks of 1,000 into a new
   store; events per second. Beside it, `Journey.replay_all` of the same file: the ratio
   is "live ingest within 3x of batch replay". The same again with the commands:
   `customer-journey ingest` against `customer-journey replay --format jsonl --out`.
2. one event at a time: after the file, single-event `ingest` calls for customers already
   in the store, each one event later than their last; p50 and p99 latency.
3. status: `Store.status` of random stored customers; p50 and p99.
4. tick: a store of 1,000,000 customers, 10,000 of them due; the time of one `tick`.
   The customers' rows are copied in SQL from real ones (ingesting a million customers
   would only time ingest again).
5. memory: peak resident memory of a file ingest at two sizes of the same population
   (events per customer doubled), to show it does not grow with the events stored.

PostgreSQL runs use a throw-away server (tests/store/postgres_server.py), skipped with a
note when its programs are not installed (`sh .ci/postgres`).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "tests" / "store"))

from _workload import RETAIL_JOURNEY, build_records, use_working_tree, write_jsonl  # noqa: E402

DATA = HERE / "data"


def workload(customers: int, events: int) -> Path:
    """The seeded workload as JSONL (written once, then reused)."""
    path = DATA / f"store-{customers}-{events}.jsonl"
    if not path.exists():
        DATA.mkdir(exist_ok=True)
        write_jsonl(build_records(customers, events, seed=7), path)
    return path


def peak_mib() -> float:
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_ingest(url: str, path: str) -> dict[str, Any]:
    """Subprocess body: ingest a file, then single events and status calls."""
    import customer_journey

    journey = customer_journey.load(RETAIL_JOURNEY)
    store = customer_journey.open_store(url, journey)
    started = time.perf_counter()
    report = store.ingest(path, chunk_size=1000, list_changes=False)
    ingest_seconds = time.perf_counter() - started
    customers = [result.customer for result in store.statuses()]
    rng = random.Random(3)
    chosen = rng.sample(customers, min(500, len(customers)))
    latencies = []
    for customer in chosen:
        last = store.events(customer)[-1].at
        record = {
            "customer_id": customer,
            "type": "page.viewed",
            "page": "/",
            "timestamp": (last + timedelta(minutes=1)).isoformat(),
        }
        started = time.perf_counter()
        store.ingest([record])
        latencies.append(time.perf_counter() - started)
    status_times = []
    for customer in chosen:
        started = time.perf_counter()
        store.status(customer)
        status_times.append(time.perf_counter() - started)
    store.close()
    return {
        "read": report.read,
        "ingest_s": ingest_seconds,
        "event_ms": quantiles(latencies),
        "status_ms": quantiles(status_times),
        "peak_mib": peak_mib(),
    }


def run_replay(path: str) -> dict[str, Any]:
    """Subprocess body: batch replay of the same file, every result built."""
    import customer_journey

    journey = customer_journey.load(RETAIL_JOURNEY)
    started = time.perf_counter()
    for _ in journey.replay_all(path):
        pass
    return {"replay_s": time.perf_counter() - started}


def run_cli(url: str, path: str, folder: str) -> dict[str, Any]:
    """Subprocess body: the commands `ingest` and `replay --format jsonl --out`, timed."""
    command = [str(Path(sys.executable).parent / "customer-journey")]
    started = time.perf_counter()
    subprocess.run(
        [*command, "ingest", RETAIL_JOURNEY, path, "--store", url], check=True, capture_output=True
    )
    ingest = time.perf_counter() - started
    started = time.perf_counter()
    out = str(Path(folder) / "positions.jsonl")
    subprocess.run(
        [*command, "replay", RETAIL_JOURNEY, path, "--format", "jsonl", "--out", out],
        check=True,
        capture_output=True,
    )
    return {"ingest_s": ingest, "replay_s": time.perf_counter() - started}


def quantiles(seconds: list[float]) -> tuple[float, float]:
    cuts = statistics.quantiles([s * 1000 for s in seconds], n=100)
    return cuts[49], cuts[98]


def run_tick(url: str, path: str, customers: int, due: int) -> dict[str, Any]:
    """Subprocess body: a store of `customers` rows, `due` of them due; time one tick."""
    import customer_journey
    from customer_journey.store._databases import connect

    journey = customer_journey.load(RETAIL_JOURNEY)
    store = customer_journey.open_store(url, journey)
    store.ingest(path, chunk_size=1000)
    db = connect(url)
    # Real customers' rows, each with the moment its next timeout (or deadline) is due: the
    # due customers are copies of them, so that the tick really fires what they have due.
    templates = db.run("SELECT state, view, clock, due FROM cj_customers WHERE due IS NOT NULL")
    horizon = max(row[3] for row in templates) + 10**12
    latest_due = max(row[3] for row in templates)
    with db.writing():
        db.run("DELETE FROM cj_customers")
        batch = []
        for number in range(customers):
            state, view, clock, when = templates[number % len(templates)]
            batch.append((f"t{number:07d}", state, view, clock, when if number < due else horizon))
            if len(batch) == 20000:
                db.run_many("INSERT INTO cj_customers VALUES (?, ?, ?, ?, ?)", batch)
                batch = []
        db.run_many("INSERT INTO cj_customers VALUES (?, ?, ?, ?, ?)", batch)
    db.close()
    now = customer_journey.store._codec.from_micros(latest_due)
    started = time.perf_counter()
    report = store.tick(now)
    seconds = time.perf_counter() - started
    store.close()
    return {"judged": report.judged, "changes": sum(report.changes.values()), "tick_s": seconds}


def new_store(folder: str, server: Any, name: str) -> str:
    """The URL of a new store: a SQLite file in `folder`, or a database on `server`."""
    if server is None:
        return f"sqlite:///{Path(folder) / (name + '.db')}"
    return str(server.create_database(name))


def child(arguments: list[str]) -> dict[str, Any]:
    output = subprocess.run(
        [sys.executable, __file__, "--child", *arguments],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return json.loads(output.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=4000)
    parser.add_argument("--events", type=int, default=200_000)
    parser.add_argument("--tick-customers", type=int, default=1_000_000)
    parser.add_argument("--tick-due", type=int, default=10_000)
    parser.add_argument("--no-postgres", action="store_true")
    parser.add_argument("--child", nargs="+")
    options = parser.parse_args()
    use_working_tree()
    if options.child:
        kind, *rest = options.child
        if kind == "ingest":
            print(json.dumps(run_ingest(*rest)))
        elif kind == "replay":
            print(json.dumps(run_replay(*rest)))
        elif kind == "cli":
            print(json.dumps(run_cli(*rest)))
        else:
            url, path, customers, due = rest
            print(json.dumps(run_tick(url, path, int(customers), int(due))))
        return
    path = str(workload(options.customers, options.events))
    double = str(workload(options.customers, options.events * 2))
    kinds = [("sqlite", None)]
    server = None
    if not options.no_postgres:
        from postgres_server import ServerUnavailableError, start_server

        try:
            server = start_server()
            kinds.append(("postgresql", server))
        except ServerUnavailableError as error:
            print(f"PostgreSQL skipped: {error}")
    try:
        with tempfile.TemporaryDirectory() as folder:
            for kind, pg in kinds:
                one = child(["ingest", new_store(folder, pg, "one"), path])
                two = child(["ingest", new_store(folder, pg, "two"), double])
                replay = child(["replay", path])["replay_s"]
                cli = child(["cli", new_store(folder, pg, "cli"), path, folder])
                print(f"\n{kind}: {one['read']:,} records, {options.customers:,} customers")
                rate = one["read"] / one["ingest_s"]
                seconds = one["ingest_s"]
                print(f"  file ingest (chunks of 1,000): {seconds:.2f} s, {rate:,.0f} events/s")
                print(
                    f"  batch replay of the same file: {replay:.2f} s; "
                    f"ingest / replay = {one['ingest_s'] / replay:.2f}x"
                )
                print(
                    f"  the commands: ingest {cli['ingest_s']:.2f} s, replay --format jsonl "
                    f"{cli['replay_s']:.2f} s; {cli['ingest_s'] / cli['replay_s']:.2f}x"
                )
                print(
                    f"  one event: p50 {one['event_ms'][0]:.2f} ms, p99 {one['event_ms'][1]:.2f} ms"
                )
                print(
                    f"  status: p50 {one['status_ms'][0]:.3f} ms, p99 {one['status_ms'][1]:.3f} ms"
                )
                print(
                    f"  peak memory: {one['peak_mib']:.0f} MiB for {one['read']:,} records, "
                    f"{two['peak_mib']:.0f} MiB for {two['read']:,}"
                )
                tick = child(
                    [
                        "tick",
                        new_store(folder, pg, "tick"),
                        path,
                        str(options.tick_customers),
                        str(options.tick_due),
                    ]
                )
                print(
                    f"  tick: {tick['tick_s']:.2f} s for {tick['judged']:,} due among "
                    f"{options.tick_customers:,} customers ({tick['changes']:,} changes written)"
                )
    finally:
        if server is not None:
            server.stop()


if __name__ == "__main__":
    os.environ.setdefault("PYTHONHASHSEED", "0")
    main()

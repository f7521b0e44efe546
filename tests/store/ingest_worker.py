"""The store's writer process for the durability and concurrency tests, and what it writes.

Run as a script,

    python tests/store/ingest_worker.py URL JOURNEY EVENTS [--chunk-size N] [--repeat K]

it opens the store at URL with the journey in the file JOURNEY, ingests EVENTS (a JSON
Lines file) K times in chunks of N records, and prints each ingest's counts as one JSON
line (read, accepted, rejected, duplicates, late), flushed at once. The durability tests
kill it with SIGKILL part-way; the concurrency tests run several at once and add up their
counts.

Imported (`conftest.py` puts this folder on `sys.path`), it gives those tests what they
share:

- `JOURNEY`: the engine tests' journey (every kind of transition, timeouts, goals with
  deadlines), copied, with a friction rule and two actions, so that the outbox gets every
  kind of change, and section 10's features: `idle` timeouts (a stage's, and one under
  `anywhere`), experiments (one with a holdout, one that an action's `if` reads) and a
  send window;
- `population`: a random population of customers, and `write_jsonl` to file it;
- `mismatches`: where a store's statuses differ from a replay of the records;
- `Peek`: a look at a store's tables from outside it, while a worker writes.
"""

from __future__ import annotations

import argparse
import json
import random
import sqlite3
import sys
from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import customer_journey
from customer_journey import Journey
from customer_journey.store import Store

JOURNEY = """\
journey: live-test
touchpoints:
  visit:   { event: page.viewed, channel: web }
  pricing: { event: page.viewed, channel: web, where: { page: /pricing } }
  cart:    { event: cart.added, channel: web }
  order:   { event: order.completed, channel: web, where: { total: { gt: 0 } } }
  close:   { event: account.closed, channel: web }
  call:    { event: call.ended, channel: phone }
stages:
  aware:
    phase: awareness
    entry: [visit]
    expected_duration: 2d
    transitions:
      - { to: interested, when: pricing }
      - { to: interested, when: visit, times: 3, within: 7d }
      - { to: buyer, when: order }
      - { to: gone, after: 10d }
      - { to: closed, after: 10d }
      - { to: gone, idle: 4d }
  interested:
    phase: consideration
    friction:
      - { label: calls again, when: call, times: 2, within: 10d }
    transitions:
      - { to: interested, when: call }
      - { to: buyer, when: [cart, order], if: { stage_count.cart: { gte: 2 } } }
      - { to: aware, after: 3d }
  buyer:
    phase: conversion
    entry: [order]
    transitions:
      - { to: gone, after: 30d }
  gone:
    transitions:
      - { to: buyer, when: order }
  closed:
    terminal: true
anywhere:
  - { to: closed, when: close }
  - { to: gone, idle: 20d }
goals:
  buy: { reach: buyer, within: 14d }
  ever: { reach: buyer }
experiments:
  control: { arms: { holdout: 1, treated: 3 }, holdout: holdout }
  reminder: { arms: { early: 1, late: 1 } }
actions:
  - { id: nudge, channel: email, stages: [interested], cooldown: 1d, max: 2 }
  - id: call_back
    channel: phone
    stages: [aware, interested]
    if: { count.call: { gte: 1 }, experiment.reminder: early }
send_windows:
  phone: { days: [mon, tue, wed, thu, fri], hours: "09:00-17:00" }
"""

#: The first moment of every population; its events fall within `SPAN` after it.
START = datetime(2026, 1, 1, tzinfo=timezone.utc)
SPAN = timedelta(days=60)

#: (event type, extra fields, weight): mostly page views, a few orders, rarely a closure.
_KINDS: list[tuple[str, dict[str, Any], int]] = [
    ("page.viewed", {"page": "/home"}, 30),
    ("page.viewed", {"page": "/pricing"}, 8),
    ("cart.added", {}, 10),
    ("order.completed", {"total": 40}, 5),
    ("order.completed", {"total": 0}, 2),
    ("call.ended", {}, 4),
    ("account.closed", {}, 1),
]


def population(seed: int, *, customers: int = 40, events: int = 600) -> list[dict[str, Any]]:
    """`events` records of `customers` customers, in random order, all distinct events.

    Each customer's events have distinct times (whole minutes within `SPAN`), so that
    replay's order does not depend on the order of the records; about one in five has no
    id (the store keys it by its content), the others have ids unique in the population.
    """
    rng = random.Random(seed)
    taken: set[tuple[str, int]] = set()
    records = []
    weights = [weight for _, _, weight in _KINDS]
    minutes = int(SPAN / timedelta(minutes=1))
    for number in range(events):
        customer = f"c{rng.randrange(customers):02d}"
        minute = rng.randrange(minutes)
        while (customer, minute) in taken:
            minute = rng.randrange(minutes)
        taken.add((customer, minute))
        kind, fields, _ = rng.choices(_KINDS, weights)[0]
        record: dict[str, Any] = {
            "customer_id": customer,
            "type": kind,
            "timestamp": (START + timedelta(minutes=minute)).isoformat(),
            **fields,
        }
        if rng.random() >= 0.2:
            record["event_id"] = f"e{number}"
        records.append(record)
    return records


def write_jsonl(records: list[dict[str, Any]], path: Path) -> Path:
    """Write `records` as a JSON Lines file at `path`; return the path."""
    path.write_text("".join(json.dumps(record) + "\n" for record in records))
    return path


def by_customer(records: Iterable[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    """The records of each customer, in their order."""
    grouped: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for record in records:
        grouped[record["customer_id"]].append(record)
    return dict(grouped)


def mismatches(
    store: Store, journey: Journey, records: list[dict[str, Any]], moments: Iterable[datetime]
) -> list[str]:
    """Where the store's status differs from a replay of the records, one line for each.

    For every customer of `records` and every moment T: `store.status(customer, T)` must
    be `journey.replay(their records, T)`, and the store must hold their events, once.
    """
    found = []
    histories = by_customer(records)
    for moment in moments:
        for customer, history in sorted(histories.items()):
            expected = journey.replay(history, moment)
            got = store.status(customer, moment)
            if got != expected:
                found.append(f"{customer} as of {moment}: {got} != {expected}")
    for customer, history in sorted(histories.items()):
        stored = len(store.events(customer))
        if stored != len(history):
            found.append(f"{customer}: {stored} events stored, {len(history)} given")
    return found


class Peek:
    """A look at a store's tables from outside the store, while other processes write.

    Each `count` sees what is committed at that moment (SQLite in WAL mode, PostgreSQL in
    autocommit): the durability tests watch a worker's progress with it, and check what
    a store's API cannot show, such as events without a customer state.
    """

    def __init__(self, url: str) -> None:
        if url.startswith("sqlite:///"):
            self._connection: Any = sqlite3.connect(url.removeprefix("sqlite:///"))
        else:
            import psycopg  # only where PostgreSQL runs: the `[postgres]` extra

            self._connection = psycopg.connect(url, autocommit=True)

    def count(self, sql: str) -> int:
        """The single number the query `sql` returns."""
        return int(self._connection.execute(sql).fetchone()[0])

    def events(self) -> int:
        """How many events the store holds."""
        return self.count("SELECT count(*) FROM cj_events")

    def stateless_events(self) -> int:
        """How many stored events belong to a customer without a stored state."""
        return self.count(
            "SELECT count(*) FROM cj_events e WHERE NOT EXISTS (SELECT 1 FROM cj_customers c "
            "WHERE c.customer = e.customer AND c.state IS NOT NULL)"
        )

    def close(self) -> None:
        """Close the connection."""
        self._connection.close()

    def __enter__(self) -> Peek:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


def main(argv: list[str] | None = None) -> int:
    """Run the ingests the arguments ask for; 0 when all of them ran."""
    parser = argparse.ArgumentParser(description="Ingest an events file into a live store.")
    parser.add_argument("url", help="the store's URL")
    parser.add_argument("journey", help="the journey's YAML file")
    parser.add_argument("events", help="the events, as a JSON Lines file")
    parser.add_argument("--chunk-size", type=int, default=1000, help="records per transaction")
    parser.add_argument("--repeat", type=int, default=1, help="how many times to ingest")
    arguments = parser.parse_args(argv)
    journey = customer_journey.load(arguments.journey)
    with customer_journey.open_store(arguments.url, journey) as store:
        for _ in range(arguments.repeat):
            report = store.ingest(arguments.events, chunk_size=arguments.chunk_size)
            counts = report.to_dict()
            del counts["customers"], counts["rejections"]
            print(json.dumps(counts), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())

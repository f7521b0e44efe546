"""A `kill -9` at any moment loses and doubles nothing (issue 13, part 4).

A worker process ingests a file of a random population, shuffled, in chunks of 20 records
(one transaction each), and is killed with SIGKILL at a random moment once it has
committed something. Ingesting the whole file again must then give the same store as one
ingest that was never interrupted:

- every customer's status, at several moments, is the replay of their records;
- each event is stored once, and every stored event's customer has a state;
- the outbox holds the same messages, in the same order, as the uninterrupted ingest's
  (the chunks committed before the kill are duplicates the second time and change
  nothing; the rest are the same chunks applied to the same state), and `tick` fires the
  same timeouts afterwards.

The uninterrupted ingest is made once, on SQLite; each kill is checked against it on both
databases, so the two must also agree with each other.
"""

from __future__ import annotations

import random
import signal
import subprocess
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import attrs
import pytest
from ingest_worker import JOURNEY, SPAN, START, Peek, mismatches, population, write_jsonl

import customer_journey
from customer_journey import Journey, open_store
from customer_journey.store import Store, TickReport

WORKER = Path(__file__).with_name("ingest_worker.py")
#: Records per transaction, for the killed worker and the ingests compared with it.
CHUNK = 20
#: Ingests the killed worker would run: it is still busy when the kill comes.
REPEAT = 3
#: How long a worker may take to commit what the test waits for before it fails.
PATIENCE = 60.0

_RANDOM = random.Random(13)
#: Where to kill: once this many events are committed, then after this many seconds.
KILLS = [(_RANDOM.randrange(1, 500), _RANDOM.uniform(0, 0.02)) for _ in range(3)]
#: When the tick after the ingests runs: every timeout and deadline has passed by then.
TICK = START + SPAN + timedelta(days=45)

Message = tuple[str, str, datetime, dict[str, Any]]


@attrs.frozen
class Reference:
    """What an ingest that was never interrupted leaves: its outbox, and a tick's report."""

    outbox: list[Message]
    tick: TickReport


@pytest.fixture(scope="module")
def journey() -> Journey:
    return customer_journey.loads(JOURNEY, source="live-test.yaml")


@pytest.fixture(scope="module")
def records() -> list[dict[str, Any]]:
    return population(13)


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory, records: list[dict[str, Any]]) -> Path:
    """A folder holding the journey (`journey.yaml`) and the records (`events.jsonl`)."""
    folder = tmp_path_factory.mktemp("durability")
    (folder / "journey.yaml").write_text(JOURNEY)
    write_jsonl(records, folder / "events.jsonl")
    return folder


def drained(store: Store) -> list[Message]:
    """Every message of the outbox, oldest first, without its id and attempts."""
    return [
        (message.customer, message.kind, message.at, dict(message.details))
        for message in store.claim(limit=1_000_000, lease=3600)
    ]


@pytest.fixture(scope="module")
def reference(tmp_path_factory: pytest.TempPathFactory, journey: Journey, files: Path) -> Reference:
    url = f"sqlite:///{tmp_path_factory.mktemp('reference') / 'store.db'}"
    with open_store(url, journey) as store:
        store.ingest(files / "events.jsonl", chunk_size=CHUNK)
        tick = store.tick(TICK)
        return Reference(drained(store), tick)


def moments(records: list[dict[str, Any]]) -> list[datetime]:
    """When to compare: before most events, mid-way, at the latest event, after all timeouts."""
    latest = max(datetime.fromisoformat(record["timestamp"]) for record in records)
    return [START + timedelta(days=3), START + timedelta(days=29, hours=7), latest, TICK]


def ingest_until_killed(url: str, files: Path, committed: int, delay: float) -> int:
    """Run a worker, kill it `delay` s after `committed` events are stored; return how many are.

    The worker ingests the file `REPEAT` times, so that it is still running when the kill
    comes, whichever ingest that falls in.
    """
    command = [sys.executable, str(WORKER), url, str(files / "journey.yaml")]
    command += [str(files / "events.jsonl"), "--chunk-size", str(CHUNK), "--repeat", str(REPEAT)]
    with (
        subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE) as worker,
        Peek(url) as peek,
    ):
        give_up = time.monotonic() + PATIENCE
        while peek.events() < committed:
            if worker.poll() is not None or time.monotonic() > give_up:
                worker.kill()
                _, stderr = worker.communicate()
                pytest.fail(f"the worker stopped before the kill: {stderr.decode()}")
            time.sleep(0.001)
        time.sleep(delay)
        worker.send_signal(signal.SIGKILL)
        worker.communicate()
        assert worker.returncode == -signal.SIGKILL
        return peek.events()


@pytest.mark.parametrize(
    ("committed", "delay"), KILLS, ids=[f"after-{count}-events" for count, _ in KILLS]
)
def test_ingesting_again_after_a_kill_gives_the_uninterrupted_store(
    store_url: str,
    journey: Journey,
    records: list[dict[str, Any]],
    files: Path,
    reference: Reference,
    committed: int,
    delay: float,
) -> None:
    open_store(store_url, journey).close()  # made here, so the worker's count can be read
    kept = ingest_until_killed(store_url, files, committed, delay)
    assert committed <= kept <= len(records)

    with open_store(store_url, journey) as store:
        report = store.ingest(files / "events.jsonl", chunk_size=CHUNK)
        assert (report.read, report.accepted, report.duplicates) == (
            len(records),
            len(records) - kept,
            kept,
        )
        assert mismatches(store, journey, records, moments(records)) == []
        with Peek(store_url) as peek:
            assert (peek.events(), peek.stateless_events()) == (len(records), 0)
        assert store.customers() == len({record["customer_id"] for record in records})
        assert store.tick(TICK) == reference.tick
        assert drained(store) == reference.outbox
        assert mismatches(store, journey, records, [TICK]) == []

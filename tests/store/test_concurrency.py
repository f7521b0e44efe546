"""Several processes ingest into one store at once, and claim its outbox (issue 13, part 4).

The writers are real processes (`ingest_worker.py`, `customer-journey ingest`) started
together on the same store, in small chunks, on customers they share. The store must come
out exact: each event stored once, every customer's status the replay of their records,
and the writers' counts adding up. One test is the issue's "Done when": a population
ingested in random order, in chunks, redelivered and from two processes at once gives, as
`status --format jsonl`, the very bytes `replay --format jsonl` prints for the same file.

Claims run from threads, each with its own connection, so that they meet in the database.
"""

from __future__ import annotations

import json
import random
import re
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from ingest_worker import JOURNEY, START, Peek, mismatches, population, write_jsonl

import customer_journey
from customer_journey import Journey, open_store
from customer_journey.cli import main
from customer_journey.store import Store

WORKER = Path(__file__).with_name("ingest_worker.py")
#: An earlier moment to compare at, mid-way through the populations' two months.
MIDWAY = START + timedelta(days=29, hours=7)

#: How long a test waits for another process or thread before it fails.
PATIENCE = 60.0

#: Runs `customer-journey` in a new process, with the arguments after it.
CLI = "from customer_journey.cli import main; main(prog_name='customer-journey')"
#: The counts in `customer-journey ingest`'s summary.
SUMMARY = re.compile(
    r"records: (?P<read>\d+) read, (?P<accepted>\d+) accepted, (?P<rejected>\d+) rejected, "
    r"(?P<duplicates>\d+) duplicates, (?P<late>\d+) late"
)

Counts = dict[str, int]


@pytest.fixture(scope="module")
def journey() -> Journey:
    return customer_journey.loads(JOURNEY, source="live-test.yaml")


@pytest.fixture
def journey_file(tmp_path: Path) -> Path:
    path = tmp_path / "journey.yaml"
    path.write_text(JOURNEY)
    return path


def shuffled(records: list[dict[str, Any]], seed: int) -> list[dict[str, Any]]:
    """The records in a random order of their own."""
    copy = list(records)
    random.Random(seed).shuffle(copy)
    return copy


def latest(records: list[dict[str, Any]]) -> datetime:
    """The time of the latest record."""
    return max(datetime.fromisoformat(record["timestamp"]) for record in records)


def worker(*arguments: str) -> list[str]:
    """The command that runs `ingest_worker.py` with `arguments`."""
    return [sys.executable, str(WORKER), *arguments]


def command_line(*arguments: str) -> list[str]:
    """The command that runs `customer-journey` with `arguments`."""
    return [sys.executable, "-c", CLI, *arguments]


def run_together(commands: list[list[str]]) -> list[str]:
    """Start every command at once, wait for all; what each printed, in order."""
    running = [
        subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for command in commands
    ]
    printed = []
    for process in running:
        with process:
            stdout, stderr = process.communicate()
        assert process.returncode == 0, stderr
        printed.append(stdout)
    return printed


def worker_counts(printed: str) -> list[Counts]:
    """A worker's counts, one for each of its ingests."""
    return [json.loads(line) for line in printed.splitlines()]


def cli_counts(printed: str) -> Counts:
    """The counts of `customer-journey ingest`'s summary line."""
    found = SUMMARY.search(printed)
    assert found is not None, printed
    return {name: int(value) for name, value in found.groupdict().items()}


def waiting_on_a_lock(peek: Peek) -> None:
    """Return once a PostgreSQL session of the database waits on a lock; fail after a while."""
    give_up = time.monotonic() + PATIENCE
    while not peek.count(
        "SELECT count(*) FROM pg_stat_activity "
        "WHERE datname = current_database() AND wait_event_type = 'Lock'"
    ):
        assert time.monotonic() < give_up, "no session waits on a lock"
        time.sleep(0.001)


def total(counts: list[Counts], name: str) -> int:
    """One count added up over several ingests."""
    return sum(each[name] for each in counts)


def test_two_processes_ingesting_halves_at_once_store_each_event_once(
    store_url: str, journey: Journey, journey_file: Path, tmp_path: Path
) -> None:
    records = population(21)
    halves = [shuffled(records[0::2], 1), shuffled(records[1::2], 2)]
    files = [write_jsonl(half, tmp_path / f"half{n}.jsonl") for n, half in enumerate(halves)]
    open_store(store_url, journey).close()

    printed = run_together(
        [worker(store_url, str(journey_file), str(path), "--chunk-size", "10") for path in files]
    )

    counts = [each for output in printed for each in worker_counts(output)]
    assert [each["accepted"] for each in counts] == [300, 300]
    assert total(counts, "duplicates") == 0
    with open_store(store_url, journey) as store:
        again = store.ingest(write_jsonl(records, tmp_path / "all.jsonl"), chunk_size=50)
        assert (again.read, again.accepted, again.duplicates) == (600, 0, 600)
        assert mismatches(store, journey, records, [MIDWAY, latest(records)]) == []
        with Peek(store_url) as peek:
            assert (peek.events(), peek.stateless_events()) == (600, 0)


def test_a_population_ingested_every_way_at_once_has_the_status_replay_gives(
    store_url: str, journey: Journey, journey_file: Path, tmp_path: Path
) -> None:
    """The issue's "Done when": `status --format jsonl` is `replay --format jsonl`, byte for byte.

    Two processes ingest the whole file at once, each in its own random order and chunk
    size: `customer-journey ingest` twice over (the file given twice), the worker once.
    Every event arrives three times, two of them from the two processes at once.
    """
    records = population(31, customers=50, events=700)
    events = write_jsonl(records, tmp_path / "events.jsonl")
    orders = [str(write_jsonl(shuffled(records, n), tmp_path / f"order{n}.jsonl")) for n in (1, 2)]
    open_store(store_url, journey).close()

    by_cli, by_worker = run_together(
        [
            command_line(
                "ingest",
                str(journey_file),
                orders[0],
                orders[0],
                "--store",
                store_url,
                "--chunk-size",
                "23",
            ),
            worker(store_url, str(journey_file), orders[1], "--chunk-size", "7"),
        ]
    )

    counts = [cli_counts(by_cli), *worker_counts(by_worker)]
    assert (total(counts, "accepted"), total(counts, "duplicates")) == (700, 2 * 700)
    for moment in (latest(records), MIDWAY):
        as_of = moment.isoformat()
        replayed = CliRunner().invoke(
            main, ["replay", str(journey_file), str(events), "--as-of", as_of, "--format", "jsonl"]
        )
        status = CliRunner().invoke(
            main, ["status", "--store", store_url, "--as-of", as_of, "--format", "jsonl"]
        )
        assert (replayed.exit_code, status.exit_code) == (0, 0), replayed.stderr + status.stderr
        assert status.stdout == replayed.stdout
        customers = {
            r["customer_id"] for r in records if datetime.fromisoformat(r["timestamp"]) <= moment
        }
        assert len(status.stdout.splitlines()) == len(customers) > 30


def test_claims_from_several_workers_never_overlap(store_url: str, journey: Journey) -> None:
    with open_store(store_url, journey) as store:
        store.ingest(population(41), chunk_size=100)
        with Peek(store_url) as peek:
            messages = peek.count("SELECT count(*) FROM cj_outbox")
        first = store.claim(3, lease=0)
        again = store.claim(3, lease=0)
        assert [message.id for message in again] == [message.id for message in first]
        assert [message.attempts for message in first + again] == [1, 1, 1, 2, 2, 2]

        start = threading.Barrier(3)

        def claim_all() -> list[tuple[int, int]]:
            """Claim with a long lease until nothing is left: (id, attempts) of each claimed."""
            with open_store(store_url) as own:
                start.wait()
                claimed = []
                while batch := own.claim(5, lease=600):
                    claimed += [(message.id, message.attempts) for message in batch]
                return claimed

        with ThreadPoolExecutor(3) as pool:
            results = [future.result() for future in [pool.submit(claim_all) for _ in range(3)]]

        claimed = dict(pair for result in results for pair in result)
        assert sum(len(result) for result in results) == len(claimed) == messages > 100
        assert [claimed[message.id] for message in first] == [3, 3, 3]
        assert store.claim(100, lease=600) == []
        assert store.ack(list(claimed)) == messages
        assert store.claim(100, lease=0) == []


def test_a_new_store_opened_from_two_places_at_once_opens_for_both(
    store_url: str,
    journey: Journey,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Two workers starting on a new store at once: the second waits, then opens it.

    The first opener is held inside its set-up transaction, just after writing the
    journey, until the second has started (on PostgreSQL: until it waits on a lock). The
    second must then find the store made, rather than make it again (on PostgreSQL it
    used to insert the schema row too, and fail on the primary key).
    """
    installed, release = threading.Event(), threading.Event()
    install = Store._install

    def held_install(store: Store, journey: Journey) -> None:
        install(store, journey)
        if not installed.is_set():
            installed.set()
            release.wait(PATIENCE)

    monkeypatch.setattr(Store, "_install", held_install)
    with ThreadPoolExecutor(2) as pool:
        first = pool.submit(open_store, store_url, journey)
        assert installed.wait(PATIENCE)
        second = pool.submit(open_store, store_url, journey)
        if store_url.startswith("postgresql"):
            with Peek(store_url) as peek:
                waiting_on_a_lock(peek)
        release.set()
        with first.result() as one, second.result() as two:
            assert one.journey.text == two.journey.text == JOURNEY
            assert two.ingest(population(51, customers=3, events=20)).accepted == 20
            assert one.customers() == 3

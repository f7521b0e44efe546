"""A small live app on a store: ingest from a queue, tick on a schedule, send the outbox.

It runs the trial journey of the docs (`docs/examples/trial.journey.yaml`) on an SQLite
store in a temporary folder. Records arrive on a `queue.Queue`, standing in for Kafka or
SQS: first the three records of `docs/examples/trial.events.jsonl` (one of them has a bad
timestamp), then a few more over the following days, one of them late and one delivered
twice. Each simulated day the app

1. ingests what is waiting on the queue (the ingester),
2. fires what is due by now (the ticker), and
3. claims the outbox and sends each message once, acknowledging it after sending (the
   sender).

The days pass at once, on a made-up clock, so the run takes a second and prints the same
thing every time. A real app runs the three roles on their own, each with its own store
(see the guide "Running journeys live"). Run it with `python examples/live_app.py`.
"""

from __future__ import annotations

import json
import queue
import tempfile
from pathlib import Path
from typing import Any

from customer_journey import Journey, Store, load, open_store
from customer_journey.store import OutboxMessage

EXAMPLES = Path(__file__).resolve().parents[1] / "docs" / "examples"
JOURNEY = EXAMPLES / "trial.journey.yaml"
EVENTS = EXAMPLES / "trial.events.jsonl"

Record = dict[str, Any]


def _record(customer: str, event_type: str, timestamp: str, event_id: str) -> Record:
    return {
        "customer_id": customer,
        "type": event_type,
        "timestamp": timestamp,
        "event_id": event_id,
    }


def days() -> list[tuple[str, list[Record]]]:
    """Each simulated day: the moment the app ticks at, and the records that arrived."""
    bundled = [json.loads(line) for line in EVENTS.read_text(encoding="utf-8").splitlines()]
    return [
        ("2026-03-02T12:00:00Z", bundled),
        (
            "2026-03-04T12:00:00Z",
            [
                _record("c3", "account.created", "2026-03-03T08:00:00Z", "e3"),
                _record("c1", "project.created", "2026-03-04T10:00:00Z", "e4"),
                # The source fixed c2's unreadable timestamp and sent the record again.
                _record("c2", "account.created", "2026-03-01T11:00:00Z", "e5"),
            ],
        ),
        (
            "2026-03-05T12:00:00Z",
            [
                # Held up somewhere: earlier than c1's latest event, so c1 is re-derived.
                _record("c1", "project.created", "2026-03-03T10:00:00Z", "e6"),
                _record("c3", "plan.upgraded", "2026-03-05T09:00:00Z", "e7"),
                bundled[0],  # delivered again (at least once): a duplicate
            ],
        ),
        ("2026-03-10T00:00:00Z", []),
        ("2026-04-01T00:00:00Z", []),
    ]


def ingest_waiting(store: Store, inbox: queue.Queue[Record], *, batch: int = 500) -> str:
    """Ingest every record waiting on `inbox`, `batch` at a time; say what happened."""
    read = accepted = rejected = duplicates = late = 0
    while not inbox.empty():
        records: list[Record] = []
        while len(records) < batch and not inbox.empty():
            records.append(inbox.get_nowait())
        report = store.ingest(records)
        read += report.read
        accepted += report.accepted
        rejected += report.rejected
        duplicates += report.duplicates
        late += report.late
    return (
        f"{read} read, {accepted} accepted, {rejected} rejected, "
        f"{duplicates} duplicates, {late} late"
    )


def describe(message: OutboxMessage) -> str:
    """What a message asks for, in a few words."""
    details = message.details
    if message.kind == "stage_entered":
        return f"entered {details['stage']} at {message.at:%Y-%m-%d %H:%M}"
    if message.kind == "next_action_changed":
        return f"next action {details['action']} on {details['channel']}"
    if message.kind in ("goal_reached", "goal_missed"):
        return f"{details['goal']} at {message.at:%Y-%m-%d %H:%M}"
    return str(details["label"])


class Sender:
    """Sends each outbox message once, however often it is handed out."""

    def __init__(self) -> None:
        # A real sender keeps this in its own database, or passes the message id to the
        # provider as an idempotency key.
        self.sent: set[int] = set()

    def send(self, message: OutboxMessage) -> None:
        """Deliver `message` (here: print it), unless it was delivered before."""
        if message.id in self.sent:
            return
        print(f"  sent #{message.id} to {message.customer}: {message.kind}, {describe(message)}")
        self.sent.add(message.id)

    def drain(self, store: Store) -> None:
        """Claim, send and acknowledge messages until the outbox is empty."""
        while messages := store.claim(limit=100, lease=60.0):
            for message in messages:
                self.send(message)
            store.ack([message.id for message in messages])


def same_as_batch_replay(journey: Journey, store: Store) -> bool:
    """Whether every customer's live status is the batch replay of their stored events."""
    return all(
        status.to_dict() == journey.replay(store.events(status.customer), status.as_of).to_dict()
        for status in store.statuses()
    )


def main() -> None:
    """Run the app over the simulated days and print what it did and sent."""
    journey = load(JOURNEY)
    inbox: queue.Queue[Record] = queue.Queue()
    sender = Sender()
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{folder}/live.db"
        # One store per role, as separate threads or processes would have.
        with (
            open_store(url, journey) as ingester,
            open_store(url) as ticker,
            open_store(url) as outbox,
        ):
            for now, arrived in days():
                for record in arrived:
                    inbox.put(record)
                print(f"{now}: {ingest_waiting(ingester, inbox)}")
                tick = ticker.tick(now)
                print(f"  tick: {tick.judged} due, {len(tick.customers)} changed")
                sender.drain(outbox)
            for status in ingester.statuses():
                goals = ", ".join(f"{goal} {g.status}" for goal, g in status.goals.items())
                print(f"{status.customer}: {status.stage} ({goals})")
            for rejection in ingester.rejections():
                print(f"rejected: {rejection.record} [{rejection.code}]")
            print(f"live status equals batch replay: {same_as_batch_replay(journey, ingester)}")


if __name__ == "__main__":
    main()

"""The store's write path: events into the log, states brought up to date, changes out.

`Writer` holds one journey's engine tables and a database, and does the work of a write
transaction that the store has opened:

- `write` inserts the events the log does not have yet (the key decides: the same
  customer and key is the same event), then brings each of their customers' states up to
  date: in order, one engine step per event; late (earlier than the state's clock), a
  re-fold of the customer's log up to the moment the old state had reached;
- `settle` describes a state, compares it with what the store last said of the customer,
  and queues its row: state, view, clock and when something next happens to them.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Iterator, Sequence
from datetime import datetime, timedelta
from typing import Any

import orjson

from customer_journey.engine import CustomerState, Judgement, build_plan, fold, judge
from customer_journey.journey import Journey
from customer_journey.model import Event
from customer_journey.readers import EventSource, Rejection
from customer_journey.store._changes import Change, View, changes_between, view_of
from customer_journey.store._codec import (
    UnstorableValueError,
    decode_event,
    decode_state,
    encode_event,
    encode_state,
    json_text,
    to_micros,
)
from customer_journey.store._databases import Database
from customer_journey.store._reports import CustomerChanges, Tally

__all__ = ["PAGE", "Keyed", "Writer", "chunks"]

#: Rows read or written at a time when going through many customers.
PAGE = 500

#: A chunk's events by (customer, key): (time in microseconds, body, event).
Keyed = dict[tuple[str, str], tuple[int, str, Event]]

_ONE = timedelta(microseconds=1)


def chunks(source: EventSource, report: Tally, size: int) -> Iterator[Keyed]:
    """The events of `source` by key, `size` records at a time (the last chunk may be empty).

    Of two events with one key in a chunk, the earlier (then the first) is kept and the
    other counted as a duplicate. An event a store cannot keep is rejected, with the number
    of records read so far as its row: exact for the inputs that can hold such values
    (Parquet files and records given in Python).
    """
    keyed: Keyed = {}
    count = 0
    for event in source:
        try:
            key, at, body = encode_event(event)
        except UnstorableValueError as error:
            report.unstorable.append(
                Rejection(
                    source.source,
                    source.report.read,
                    f"an attribute or trait holds {error}",
                    {"customer": event.customer, "type": event.type},
                    code="unstorable-value",
                )
            )
            continue
        pair = (event.customer, key)
        held = keyed.get(pair)
        if held is None:
            keyed[pair] = (at, body, event)
        else:
            report.duplicates += 1
            if at < held[0]:
                keyed[pair] = (at, body, event)
        count += 1
        if count == size:
            yield keyed
            keyed = {}
            count = 0
    yield keyed


class Writer:
    """One journey's write path over one database (see the module)."""

    def __init__(self, database: Database, journey: Journey) -> None:
        self.db = database
        self.model = journey.model
        self.plan = build_plan(journey.model)

    def write(self, keyed: Keyed, report: Tally) -> list[CustomerChanges]:
        """Store a chunk's new events and apply them: the work of one write transaction."""
        customers = sorted({customer for customer, _ in keyed})
        self.db.lock_customers(customers)
        saved = self.load(customers)
        touched = self._store_events(keyed, saved, report)
        return self._apply(touched, saved, report)

    def _store_events(
        self, keyed: Keyed, saved: dict[str, tuple[str, str | None]], report: Tally
    ) -> dict[str, tuple[list[Event], bool]]:
        """Insert the new events; return each touched customer's events and re-fold flag.

        Only customers the store has (`saved`) can have stored events to look up. A
        customer must be re-folded when an event replaced a later one of the same key (of
        two events with one id, the earlier is the event, as in batch replay).
        """
        db = self.db
        stored = db.stored_times([pair for pair in keyed if pair[0] in saved])
        touched: dict[str, tuple[list[Event], bool]] = {}
        rows = []
        for (customer, key), (at, body, event) in keyed.items():
            before = stored.get((customer, key))
            if before is not None:
                report.duplicates += 1
                if at >= before:
                    continue
                db.run("DELETE FROM cj_events WHERE customer = ? AND key = ?", (customer, key))
            else:
                report.accepted += 1
            rows.append((customer, key, at, body))
            events, replaced = touched.get(customer, ([], False))
            events.append(event)
            touched[customer] = (events, replaced or before is not None)
        db.insert_events(rows)
        return touched

    def _apply(
        self,
        touched: dict[str, tuple[list[Event], bool]],
        saved: dict[str, tuple[str, str | None]],
        report: Tally,
    ) -> list[CustomerChanges]:
        """Apply each touched customer's new events to their state; write states, outbox."""
        updates: list[tuple[Any, ...]] = []
        found = []
        for customer in sorted(touched):
            events, replaced = touched[customer]
            events.sort(key=_time_of)
            row = saved.get(customer)
            state = CustomerState(customer) if row is None else decode_state(customer, row[0])
            before = list(state.path)
            clock = state.clock
            late = 0 if clock is None else sum(1 for event in events if event.at < clock)
            report.late += late
            if late or replaced or self.is_stale(state):
                assert clock is not None
                state = self.refold(customer, until=max(clock, events[-1].at))
            else:
                fold(self.plan, state, events)
            assert state.clock is not None  # the customer has events
            changes = self.settle(state, row[1] if row else None, before, state.clock, updates)
            if changes:
                found.append(CustomerChanges(customer, tuple(changes)))
        self.save(updates, found)
        return found

    def settle(
        self,
        state: CustomerState,
        view_text: str | None,
        before: list[Any],
        as_of: datetime,
        updates: list[tuple[Any, ...]],
    ) -> list[Change]:
        """Describe `state` as of `as_of`, queue its row, and return what changed."""
        result = judge(self.plan, state, as_of)
        view = view_of(result)
        old_view: View | None = None if view_text is None else orjson.loads(view_text)
        changes = changes_between(
            self.model,
            before=before,
            old_view=old_view,
            after=state.path,
            result=result,
            new_view=view,
        )
        assert state.clock is not None  # the customer has events
        updates.append(
            (
                state.customer,
                encode_state(state),
                json_text(view),
                to_micros(state.clock),
                _next_due(state, result),
            )
        )
        return changes

    def is_stale(self, state: CustomerState) -> bool:
        """Whether a stored state must be re-derived from the log before it is used.

        That is a state written by the store's previous version that holds actions this
        journey does not define: that version kept them by action, not by the channel
        their records named, and they now count toward that channel's contact policy
        (caps across journeys). Any other state of that version reads back exactly.
        """
        channels = self.plan.action_channels
        return any(action not in channels for action in state.performed)

    def refold(self, customer: str, *, until: datetime | None) -> CustomerState:
        """The customer's state from their whole stored log, timeouts fired by `until`."""
        state = CustomerState(customer)
        fold(self.plan, state, self.events_of(customer), until=until)
        return state

    def events_of(self, customer: str, as_of: datetime | None = None) -> list[Event]:
        """The customer's stored events in processing order (time, then arrival)."""
        if as_of is None:
            rows = self.db.run(
                "SELECT at, body FROM cj_events WHERE customer = ? ORDER BY at, seq", (customer,)
            )
        else:
            rows = self.db.run(
                "SELECT at, body FROM cj_events WHERE customer = ? AND at <= ? ORDER BY at, seq",
                (customer, to_micros(as_of)),
            )
        return [decode_event(customer, at, body) for at, body in rows]

    def load(self, customers: Sequence[str]) -> dict[str, tuple[str, str | None]]:
        """Each stored customer's (state, view) among `customers`."""
        found: dict[str, tuple[str, str | None]] = {}
        for start in range(0, len(customers), PAGE):
            page = customers[start : start + PAGE]
            marks = ",".join("?" * len(page))
            for customer, state, view in self.db.run(
                f"SELECT customer, state, view FROM cj_customers WHERE customer IN ({marks}) "
                "AND state IS NOT NULL",
                page,
            ):
                found[customer] = (state, view)
        return found

    def save(self, updates: list[tuple[Any, ...]], found: list[CustomerChanges]) -> None:
        """Write the queued customer rows and the changes' outbox messages."""
        self.db.run_many(
            "INSERT INTO cj_customers (customer, state, view, clock, due) "
            "VALUES (?, ?, ?, ?, ?) ON CONFLICT (customer) DO UPDATE SET "
            "state = excluded.state, view = excluded.view, clock = excluded.clock, "
            "due = excluded.due",
            updates,
        )
        self.db.insert_messages(
            [
                (change.customer, change.kind, to_micros(change.at), json_text(change.details))
                for changed in found
                for change in changed.changes
            ],
        )

    def reject(self, rejections: Sequence[Rejection]) -> None:
        """Keep `rejections`, each once: the same refusal of the same record is not repeated."""
        now = time.time()
        rows = []
        for rejection in rejections:
            record = json.dumps(rejection.record, ensure_ascii=False, default=str)
            digest = hashlib.sha256(f"{rejection.reason}\n{record}".encode()).hexdigest()
            rows.append(
                (
                    rejection.source,
                    rejection.row,
                    rejection.code,
                    rejection.reason,
                    record,
                    digest,
                    now,
                )
            )
        self.db.run_many(
            "INSERT INTO cj_rejections "
            "(source, row_number, code, reason, record, digest, received_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
            rows,
        )


def _time_of(event: Event) -> datetime:
    return event.at


def _next_due(state: CustomerState, result: Judgement) -> int | None:
    """When something next happens to the customer without an event, or None.

    That is the first of: their stage's timeout (`after` or `idle`: the engine re-times
    it on each activity, and the index is rewritten on every write), a pending goal's
    deadline passing, the moment they stall (time in stage beyond the expected duration),
    and the moment a send window opens for an action it holds back (so that the outbox
    says when the action can be sent). `tick` fires or judges each at that moment; a goal
    is missed, and a customer stalled, one microsecond after the limit.
    """
    moments = [
        status.deadline + _ONE
        for status in result.goals.values()
        if status.status == "pending" and status.deadline is not None
    ]
    if state.due is not None:
        moments.append(state.due)
    moments.extend(held.available_at for held in result.suppressed if held.available_at)
    if not result.is_stalled and state.expected_duration is not None and state.entered_at:
        moments.append(state.entered_at + state.expected_duration + _ONE)
    later = [moment for moment in moments if moment > result.as_of]
    return to_micros(min(later)) if later else None

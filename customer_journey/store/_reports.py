"""What the store's methods return: reports of a write, outbox messages, rejections."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

import attrs

from customer_journey._timestamps import format_timestamp
from customer_journey.readers import EventSource, Rejection
from customer_journey.store._changes import CHANGE_KINDS, Change

__all__ = [
    "CustomerChanges",
    "IngestReport",
    "OutboxMessage",
    "StoredRejection",
    "Tally",
    "TickReport",
    "counted",
]


@attrs.frozen
class CustomerChanges:
    """What changed for one customer in one write, in the order it happened."""

    customer: str
    changes: tuple[Change, ...]

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready mapping with a stable key order."""
        return {"customer": self.customer, "changes": [c.to_dict() for c in self.changes]}


def counted(customers: Iterable[CustomerChanges]) -> dict[str, int]:
    """How many changes of each kind, in the order of `CHANGE_KINDS` (kinds with none left out)."""
    return _in_order(Counter(change.kind for changed in customers for change in changed.changes))


def _in_order(kinds: Counter[str]) -> dict[str, int]:
    return {kind: kinds[kind] for kind in CHANGE_KINDS if kinds[kind]}


@attrs.frozen
class IngestReport:
    """What `Store.ingest` did with every record: `read == accepted + rejected + duplicates`.

    Attributes:
        read: records read.
        accepted: new events stored and applied.
        rejected: records refused (kept in the store's rejections, with their reasons).
        duplicates: events the store already had (same customer and key), changing nothing.
        late: accepted events earlier than their customer's latest, which re-derived the
            customer from their stored events.
        changes: how many changes of each kind were written to the outbox.
        customers_changed: how many customers had a change.
        customers: for each customer with a change, what changed (empty when `ingest` was
            asked not to list them).
        rejections: the records refused, with their rows and reasons.
    """

    read: int
    accepted: int
    rejected: int
    duplicates: int
    late: int
    changes: Mapping[str, int]
    customers_changed: int
    customers: tuple[CustomerChanges, ...]
    rejections: tuple[Rejection, ...]

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready mapping with a stable key order."""
        return {
            "read": self.read,
            "accepted": self.accepted,
            "rejected": self.rejected,
            "duplicates": self.duplicates,
            "late": self.late,
            "changes": dict(self.changes),
            "customers_changed": self.customers_changed,
            "customers": [changed.to_dict() for changed in self.customers],
            "rejections": [rejection.to_dict() for rejection in self.rejections],
        }


@attrs.frozen
class TickReport:
    """What `Store.tick` did.

    Attributes:
        now: the moment it fired timeouts and judged customers up to.
        judged: customers that were due and judged.
        changes: how many changes of each kind were written to the outbox.
        customers: for each customer with a change, what changed.
    """

    now: datetime
    judged: int
    changes: Mapping[str, int]
    customers: tuple[CustomerChanges, ...]

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready mapping with a stable key order."""
        return {
            "now": format_timestamp(self.now),
            "judged": self.judged,
            "changes": dict(self.changes),
            "customers": [changed.to_dict() for changed in self.customers],
        }


@attrs.frozen
class OutboxMessage:
    """A change handed to a consumer by `Store.claim`; acknowledge it with `Store.ack`.

    Attributes:
        id: the message's id, increasing in the order changes were written (use it to
            make sending idempotent).
        customer, kind, at: the customer, what changed and when (see `Change`).
        details: what changed, by kind.
        attempts: how many times it has been claimed, this time included.
    """

    id: int
    customer: str
    kind: str
    at: datetime
    details: Mapping[str, Any]
    attempts: int

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready mapping with a stable key order."""
        return {
            "id": self.id,
            "customer": self.customer,
            "kind": self.kind,
            "at": format_timestamp(self.at),
            "attempts": self.attempts,
            **self.details,
        }


@attrs.frozen
class StoredRejection(Rejection):
    """A record the store refused, as kept in its rejections table: a `Rejection`, and when.

    Attributes:
        received_at: when the store refused it (seconds since the epoch, wall clock).
    """

    received_at: float = attrs.field(kw_only=True)


@attrs.define
class Tally:
    """The counts of one `ingest` while it runs, and how far its rejections are stored.

    Attributes:
        listing: whether the report lists each customer's changes (memory then grows with
            the changes; the counts alone do not).
    """

    listing: bool = True
    accepted: int = 0
    duplicates: int = 0
    late: int = 0
    changes: Counter[str] = attrs.Factory(Counter)
    changed: set[str] = attrs.Factory(set)
    customers: list[CustomerChanges] = attrs.Factory(list)
    unstorable: list[Rejection] = attrs.Factory(list)
    rejections_stored: int = 0
    unstorable_stored: int = 0

    def note(self, customers: list[CustomerChanges]) -> None:
        """Count one write's changes, and keep them when the report lists them."""
        for changed in customers:
            self.changed.add(changed.customer)
            self.changes.update(change.kind for change in changed.changes)
        if self.listing:
            self.customers.extend(customers)

    def finish(self, source: EventSource) -> IngestReport:
        """The report, once every record of `source` is read and written."""
        rejections = (*source.report.rejections, *self.unstorable)
        return IngestReport(
            read=source.report.read,
            accepted=self.accepted,
            rejected=len(rejections),
            duplicates=self.duplicates,
            late=self.late,
            changes=_in_order(self.changes),
            customers_changed=len(self.changed),
            customers=tuple(self.customers),
            rejections=rejections,
        )

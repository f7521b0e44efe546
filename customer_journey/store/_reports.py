"""What the store's methods return: reports of a write, outbox messages, rejections."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

import attrs

from customer_journey._timestamps import format_timestamp
from customer_journey.readers import EventSource, Rejection
from customer_journey.store._changes import Change

__all__ = [
    "CustomerChanges",
    "IngestReport",
    "OutboxMessage",
    "StoredRejection",
    "Tally",
    "TickReport",
]


@attrs.frozen
class CustomerChanges:
    """What changed for one customer in one write, in the order it happened."""

    customer: str
    changes: tuple[Change, ...]

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready mapping with a stable key order."""
        return {"customer": self.customer, "changes": [c.to_dict() for c in self.changes]}


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
        customers: for each customer whose position changed, what changed.
        rejections: the records refused, with their rows and reasons.
    """

    read: int
    accepted: int
    rejected: int
    duplicates: int
    late: int
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
            "customers": [changed.to_dict() for changed in self.customers],
            "rejections": [rejection.to_dict() for rejection in self.rejections],
        }


@attrs.frozen
class TickReport:
    """What `Store.tick` did: the moment it fired up to, customers judged, their changes."""

    now: datetime
    customers: int
    changed: tuple[CustomerChanges, ...]

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready mapping with a stable key order."""
        return {
            "now": format_timestamp(self.now),
            "customers": self.customers,
            "changed": [changed.to_dict() for changed in self.changed],
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
class StoredRejection:
    """A record the store refused, as kept in its rejections table.

    Attributes:
        source, row, code, reason, record: as in `Rejection`.
        received_at: when the store refused it (seconds since the epoch, wall clock).
    """

    source: str
    row: int
    code: str
    reason: str
    record: object
    received_at: float

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready mapping with a stable key order."""
        return {
            "source": self.source,
            "row": self.row,
            "code": self.code,
            "reason": self.reason,
            "record": self.record,
        }


@attrs.define
class Tally:
    """The counts of one `ingest` while it runs, and how far its rejections are stored."""

    accepted: int = 0
    duplicates: int = 0
    late: int = 0
    changes: list[CustomerChanges] = attrs.Factory(list)
    unstorable: list[Rejection] = attrs.Factory(list)
    rejections_stored: int = 0
    unstorable_stored: int = 0

    def finish(self, source: EventSource) -> IngestReport:
        """The report, once every record of `source` is read and written."""
        rejections = (*source.report.rejections, *self.unstorable)
        return IngestReport(
            read=source.report.read,
            accepted=self.accepted,
            rejected=len(rejections),
            duplicates=self.duplicates,
            late=self.late,
            customers=tuple(self.changes),
            rejections=rejections,
        )

"""The outbox: changes handed to consumers at least once, and never to two at a time.

A claim takes the oldest messages that nobody holds (never claimed, or whose lease has
ended) and holds them for the lease; an acknowledgement deletes them. On SQLite the claim
runs in a write transaction, which no other writer shares; on PostgreSQL it skips the rows
another claim is taking (`FOR UPDATE SKIP LOCKED`). Leases are timed by the wall clock of
the process that claims.
"""

from __future__ import annotations

import time
from collections.abc import Iterable

import orjson

from customer_journey._arguments import check_count, shown
from customer_journey.errors import ArgumentError
from customer_journey.store._codec import from_micros
from customer_journey.store._databases import Database
from customer_journey.store._reports import OutboxMessage
from customer_journey.store._writer import PAGE

__all__ = ["acknowledge", "claim_messages"]


def claim_messages(db: Database, limit: int, lease: float) -> list[OutboxMessage]:
    """Take up to `limit` messages for `lease` seconds (see `Store.claim`).

    Raises:
        ArgumentError: `limit` is not a whole number of 1 or more, or `lease` is not a
            number of seconds of 0 or more.
    """
    check_count("limit", limit, 1)
    if isinstance(lease, bool) or not isinstance(lease, (int, float)) or not lease >= 0:
        raise ArgumentError(f"'lease' must be a number of seconds, 0 or more (got {shown(lease)})")
    now = time.time()
    with db.writing():
        rows = db.run(
            "SELECT id, customer, kind, at, body, attempts FROM cj_outbox "
            "WHERE claimed_until IS NULL OR claimed_until <= ? "
            f"ORDER BY id LIMIT {int(limit)}{db.skip_locked()}",
            (now,),
        )
        db.run_many(
            "UPDATE cj_outbox SET claimed_until = ?, attempts = attempts + 1 WHERE id = ?",
            [(now + lease, row[0]) for row in rows],
        )
    return [
        OutboxMessage(ident, customer, kind, from_micros(at), orjson.loads(body), attempts + 1)
        for ident, customer, kind, at, body, attempts in rows
    ]


def acknowledge(db: Database, ids: Iterable[int]) -> int:
    """Delete the messages `ids` (see `Store.ack`); return how many there were.

    Raises:
        ArgumentError: `ids` is not an iterable of whole numbers.
    """
    chosen = list(ids) if isinstance(ids, Iterable) and not isinstance(ids, (str, bytes)) else None
    if chosen is None or any(
        isinstance(ident, bool) or not isinstance(ident, int) for ident in chosen
    ):
        raise ArgumentError(f"'ids' must be message ids (whole numbers) (got {shown(ids)})")
    removed = 0
    with db.writing():
        for start in range(0, len(chosen), PAGE):
            page = chosen[start : start + PAGE]
            marks = ",".join("?" * len(page))
            removed += len(
                db.run(f"DELETE FROM cj_outbox WHERE id IN ({marks}) RETURNING id", page)
            )
    return removed

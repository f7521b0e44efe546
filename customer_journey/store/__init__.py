"""A durable live store: events in as they arrive, timeouts on time, actions out.

`open_store` opens one on SQLite (the default, nothing to install) or PostgreSQL (the
`[postgres]` extra). Its state always equals a batch replay of its events.
"""

from customer_journey.store._changes import CHANGE_KINDS, Change, ChangeKind
from customer_journey.store._databases import sqlite_path
from customer_journey.store._reports import (
    CustomerChanges,
    IngestReport,
    OutboxMessage,
    StoredRejection,
    TickReport,
)
from customer_journey.store._store import SCHEMA_VERSION, Store, open_store

__all__ = [
    "CHANGE_KINDS",
    "SCHEMA_VERSION",
    "Change",
    "ChangeKind",
    "CustomerChanges",
    "IngestReport",
    "OutboxMessage",
    "Store",
    "StoredRejection",
    "TickReport",
    "open_store",
    "sqlite_path",
]

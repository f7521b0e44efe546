"""The two databases a store runs on, behind one small interface.

The store's logic writes SQL once, with `?` placeholders; each `Database` runs it on its
connection and supplies what differs between SQLite and PostgreSQL: how a write
transaction starts, how customers are locked while their events are applied, and how tick
and outbox claims take rows that no other writer holds.

- **SQLite** (the standard library's `sqlite3`): WAL journal, `synchronous=NORMAL`, a busy
  timeout, and `BEGIN IMMEDIATE` for every write, so writers queue instead of failing.
  One writer at a time holds the whole database, which is what makes its claims disjoint.
- **PostgreSQL** (psycopg 3, the `[postgres]` extra): each write transaction locks the rows
  of the customers it touches, in customer order so that two writers never wait on each
  other in a circle; tick and outbox claims skip the rows other writers hold (`FOR UPDATE
  SKIP LOCKED`).
"""

from __future__ import annotations

import functools
import os
import re
import sqlite3
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from typing import Any, TypeVar, cast
from urllib.parse import urlsplit, urlunsplit

from customer_journey.errors import ArgumentError, StoreError
from customer_journey.readers import MissingDependencyError

__all__ = ["Database", "connect", "shown_url", "sqlite_path"]

Row = tuple[Any, ...]

#: The store's tables: one row per customer (state, view, due time), the event log, the
#: outbox, rejected records, the journeys installed, and a few settings.
_TABLES = """
CREATE TABLE IF NOT EXISTS cj_settings (name TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS cj_journeys (
    version {serial}, name TEXT NOT NULL, digest TEXT NOT NULL, source TEXT NOT NULL,
    text TEXT NOT NULL, installed_at DOUBLE PRECISION NOT NULL, retired_at DOUBLE PRECISION);
CREATE TABLE IF NOT EXISTS cj_events (
    customer TEXT {text} NOT NULL, key TEXT {text} NOT NULL, seq {sequence}, at BIGINT NOT NULL,
    body TEXT NOT NULL, PRIMARY KEY (customer, key)){compact};
CREATE TABLE IF NOT EXISTS cj_customers (
    customer TEXT {text} PRIMARY KEY, state TEXT, view TEXT, clock BIGINT, due BIGINT);
CREATE INDEX IF NOT EXISTS cj_customers_by_due ON cj_customers (due, customer);
CREATE INDEX IF NOT EXISTS cj_customers_by_clock ON cj_customers (clock);
CREATE TABLE IF NOT EXISTS cj_outbox (
    id {serial}, customer TEXT NOT NULL, kind TEXT NOT NULL, at BIGINT NOT NULL,
    body TEXT NOT NULL, claimed_until DOUBLE PRECISION, attempts INTEGER NOT NULL DEFAULT 0);
CREATE INDEX IF NOT EXISTS cj_outbox_by_claim ON cj_outbox (claimed_until, id);
CREATE TABLE IF NOT EXISTS cj_rejections (
    id {serial}, source TEXT NOT NULL, row_number BIGINT NOT NULL, code TEXT NOT NULL,
    reason TEXT NOT NULL, record TEXT, digest TEXT NOT NULL,
    received_at DOUBLE PRECISION NOT NULL, UNIQUE (source, row_number, code, digest));
"""

_PLACEHOLDER = re.compile(r"\?")


def shown_url(url: str) -> str:
    """The URL without its password, for messages and `repr`."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.replace(f":{parts.password}@", ":***@")
    return urlunsplit(parts._replace(netloc=netloc))


_Method = TypeVar("_Method", bound=Callable[..., Any])


def _answering(method: _Method) -> _Method:
    """`method`, with the database's own errors raised as `StoreError`s.

    A busy timeout, a full disk or a lost connection then reaches callers (and the CLI) as
    one of ours, with the store's URL and the database's words.
    """

    @functools.wraps(method)
    def answered(self: Database, *args: Any, **kwargs: Any) -> Any:
        try:
            return method(self, *args, **kwargs)
        except self.errors as error:
            raise self.failed(error) from error

    return cast("_Method", answered)


class Database(ABC):
    """A connection to a store's database, with the SQL that differs by kind.

    Attributes:
        url: the store's URL (with its password: show it with `shown_url`).
        kind: `sqlite` or `postgresql`.
        errors: the exceptions the database's driver raises.
    """

    kind: str
    errors: tuple[type[Exception], ...]

    def __init__(self, url: str) -> None:
        self.url = url

    def failed(self, error: Exception) -> StoreError:
        """`error`, from the database, as a `StoreError` naming the store."""
        words = str(error).strip().splitlines()
        said = words[0] if words else type(error).__name__
        return StoreError(f"the store at '{shown_url(self.url)}' failed: {said}")

    @abstractmethod
    def has_tables(self) -> bool:
        """Whether the database has a store's tables."""

    @abstractmethod
    def tables(self) -> None:
        """Create the store's tables if they are not there yet."""

    @abstractmethod
    def writing(self) -> AbstractContextManager[None]:
        """A write transaction: committed when the block ends, rolled back on an error."""

    @abstractmethod
    def run(self, sql: str, params: Sequence[Any] = ()) -> list[Row]:
        """Run one statement and return its rows (none for a write)."""

    @abstractmethod
    def run_many(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        """Run one write statement for each row of parameters."""

    @abstractmethod
    def lock_customers(self, customers: Sequence[str]) -> None:
        """Hold the rows of `customers` (made if missing) until the transaction ends."""

    @abstractmethod
    def insert_events(self, rows: Sequence[tuple[str, str, int, str]]) -> None:
        """Append (customer, key, at, body) rows to the log, numbered in arrival order."""

    @abstractmethod
    def insert_messages(self, rows: Sequence[tuple[str, str, int, str]]) -> None:
        """Append (customer, kind, at, body) rows to the outbox."""

    @abstractmethod
    def lock_setup(self) -> None:
        """Be the only one making or checking the store's tables until the transaction ends."""

    @abstractmethod
    def lock_all(self) -> None:
        """Hold every customer until the transaction ends (no other writer goes on)."""

    @abstractmethod
    def stored_times(self, keys: Sequence[tuple[str, str]]) -> dict[tuple[str, str], int]:
        """The time of each stored event among (customer, key) pairs, by pair."""

    @abstractmethod
    def skip_locked(self) -> str:
        """What a claim's `SELECT` ends with so that rows another writer holds are skipped."""

    @abstractmethod
    def close(self) -> None:
        """Close the connection."""


class _SQLite(Database):
    kind = "sqlite"
    errors = (sqlite3.Error,)

    def __init__(self, url: str, path: str) -> None:
        super().__init__(url)
        try:
            self._connection = sqlite3.connect(
                path, timeout=60.0, isolation_level=None, check_same_thread=False
            )
            self._connection.execute("PRAGMA journal_mode=WAL")
        except sqlite3.Error as error:
            raise StoreError(f"cannot open the store at '{path}': {error}") from error
        self._connection.execute("PRAGMA synchronous=NORMAL")
        self._connection.execute("PRAGMA busy_timeout=60000")

    @_answering
    def tables(self) -> None:
        script = _TABLES.format(
            # AUTOINCREMENT: an id is never given twice, even once its row is gone (a
            # sender that remembers outbox ids it has sent must never skip a new one).
            serial="INTEGER PRIMARY KEY AUTOINCREMENT",
            sequence="INTEGER NOT NULL",
            compact=" WITHOUT ROWID",
            text="",  # SQLite compares text by its bytes, as Python sorts it
        )
        with self.writing():
            for statement in script.split(";"):
                if statement.strip():
                    self._connection.execute(statement)

    @contextmanager
    def writing(self) -> Iterator[None]:
        self.run("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            self.run("ROLLBACK")
            raise
        self.run("COMMIT")

    @_answering
    def run(self, sql: str, params: Sequence[Any] = ()) -> list[Row]:
        return self._connection.execute(sql, params).fetchall()

    @_answering
    def run_many(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        self._connection.executemany(sql, rows)

    @_answering
    def lock_customers(self, customers: Sequence[str]) -> None:
        """`BEGIN IMMEDIATE` already holds the whole database for this writer."""

    @_answering
    def has_tables(self) -> bool:
        return bool(
            self.run("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'cj_journeys'")
        )

    @_answering
    def lock_all(self) -> None:
        """`BEGIN IMMEDIATE` already holds the whole database for this writer."""

    def lock_setup(self) -> None:
        """`BEGIN IMMEDIATE` already holds the whole database for this writer."""

    @_answering
    def insert_events(self, rows: Sequence[tuple[str, str, int, str]]) -> None:
        """Number the rows from a counter in `cj_settings`, which only this writer holds.

        The log is a table without row ids, keyed by (customer, key): one B-tree to
        update per event instead of two.
        """
        if not rows:
            return
        execute = self._connection.execute
        found = execute("SELECT value FROM cj_settings WHERE name = 'seq'").fetchone()
        first = int(found[0]) + 1 if found else 1
        execute(
            "INSERT INTO cj_settings (name, value) VALUES ('seq', ?) "
            "ON CONFLICT (name) DO UPDATE SET value = excluded.value",
            (str(first + len(rows) - 1),),
        )
        self._connection.executemany(
            "INSERT INTO cj_events (customer, key, seq, at, body) VALUES (?, ?, ?, ?, ?)",
            [
                (customer, key, first + n, at, body)
                for n, (customer, key, at, body) in enumerate(rows)
            ],
        )

    @_answering
    def insert_messages(self, rows: Sequence[tuple[str, str, int, str]]) -> None:
        self._connection.executemany(
            "INSERT INTO cj_outbox (customer, kind, at, body) VALUES (?, ?, ?, ?)", rows
        )

    @_answering
    def stored_times(self, keys: Sequence[tuple[str, str]]) -> dict[tuple[str, str], int]:
        by_customer: dict[str, list[str]] = {}
        for customer, key in keys:
            by_customer.setdefault(customer, []).append(key)
        execute = self._connection.execute
        found = {}
        for customer, wanted in by_customer.items():
            for start in range(0, len(wanted), 500):
                page = wanted[start : start + 500]
                marks = ",".join("?" * len(page))
                for key, at in execute(
                    f"SELECT key, at FROM cj_events WHERE customer = ? AND key IN ({marks})",
                    (customer, *page),
                ):
                    found[customer, key] = at
        return found

    def skip_locked(self) -> str:
        return ""

    @_answering
    def close(self) -> None:
        self._connection.close()


class _PostgreSQL(Database):
    kind = "postgresql"

    def __init__(self, url: str) -> None:
        super().__init__(url)
        try:
            import psycopg  # noqa: PLC0415 - an optional extra, loaded only for PostgreSQL
        except ImportError as error:
            raise MissingDependencyError(
                "a PostgreSQL store needs psycopg 3: pip install 'customer-journey[postgres]'"
            ) from error
        self.errors = (psycopg.Error,)
        try:
            self._connection = psycopg.connect(url, autocommit=True)
        except psycopg.Error as error:
            message = str(error).strip().splitlines()[0] if str(error).strip() else "refused"
            raise StoreError(f"cannot open the store at '{shown_url(url)}': {message}") from error

    @_answering
    def tables(self) -> None:
        script = _TABLES.format(
            serial="BIGSERIAL PRIMARY KEY",
            sequence="BIGSERIAL",
            compact="",
            # Customers in the order Python sorts them (as replay lists them), whatever
            # the database's own collation.
            text='COLLATE "C"',
        )
        with self.writing():
            # One creator at a time: two processes opening a new store at once would
            # otherwise race on CREATE TABLE IF NOT EXISTS.
            self.lock_setup()
            for statement in script.split(";"):
                if statement.strip():
                    self._connection.execute(statement)

    @contextmanager
    def writing(self) -> Iterator[None]:
        try:
            with self._connection.transaction():
                yield
        except self.errors as error:  # raised by the commit, or by the driver in the block
            raise self.failed(error) from error

    @_answering
    def run(self, sql: str, params: Sequence[Any] = ()) -> list[Row]:
        cursor = self._connection.execute(_PLACEHOLDER.sub("%s", sql), params)
        return cursor.fetchall() if cursor.description is not None else []

    @_answering
    def run_many(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        if rows:
            with self._connection.cursor() as cursor:
                cursor.executemany(_PLACEHOLDER.sub("%s", sql), rows)

    @_answering
    def lock_customers(self, customers: Sequence[str]) -> None:
        ordered = sorted(customers)
        self._connection.execute(
            "INSERT INTO cj_customers (customer) SELECT unnest(%s::text[]) ORDER BY 1 "
            "ON CONFLICT (customer) DO NOTHING",
            (ordered,),
        )
        self._connection.execute(
            "SELECT customer FROM cj_customers WHERE customer = ANY(%s) "
            "ORDER BY customer FOR UPDATE",
            (ordered,),
        ).fetchall()

    @_answering
    def has_tables(self) -> bool:
        rows = self._connection.execute("SELECT to_regclass('cj_journeys') IS NOT NULL")
        return bool(rows.fetchall()[0][0])

    @_answering
    def lock_setup(self) -> None:
        self._connection.execute("SELECT pg_advisory_xact_lock(7411)")

    @_answering
    def lock_all(self) -> None:
        # EXCLUSIVE: it waits for writers holding customers' rows (ingest, tick) rather than
        # deadlock with them; readers go on.
        self._connection.execute("LOCK TABLE cj_customers IN EXCLUSIVE MODE")

    @_answering
    def insert_events(self, rows: Sequence[tuple[str, str, int, str]]) -> None:
        """With COPY: a tenth of the time of inserting row by row (measured)."""
        self._copy("cj_events (customer, key, at, body)", rows)

    @_answering
    def insert_messages(self, rows: Sequence[tuple[str, str, int, str]]) -> None:
        self._copy("cj_outbox (customer, kind, at, body)", rows)

    def _copy(self, target: str, rows: Sequence[tuple[str, str, int, str]]) -> None:
        if rows:
            with (
                self._connection.cursor() as cursor,
                cursor.copy(f"COPY {target} FROM STDIN") as copy,
            ):
                for row in rows:
                    copy.write_row(row)

    @_answering
    def stored_times(self, keys: Sequence[tuple[str, str]]) -> dict[tuple[str, str], int]:
        if not keys:
            return {}
        rows = self._connection.execute(
            "SELECT e.customer, e.key, e.at FROM cj_events e "
            "JOIN unnest(%s::text[], %s::text[]) AS k (customer, key) "
            "ON e.customer = k.customer AND e.key = k.key",
            ([customer for customer, _ in keys], [key for _, key in keys]),
        ).fetchall()
        return {(customer, key): at for customer, key, at in rows}

    def skip_locked(self) -> str:
        return " FOR UPDATE SKIP LOCKED"

    @_answering
    def close(self) -> None:
        self._connection.close()


def connect(url: str | os.PathLike[str]) -> Database:
    """The database `url` names: `sqlite:///path`, a bare path, or `postgresql://...`.

    Raises:
        ArgumentError: `url` is not a path or a `sqlite:` or `postgresql:` URL.
        MissingDependencyError: PostgreSQL without psycopg installed.
        StoreError: the database cannot be opened.
    """
    if isinstance(url, os.PathLike):
        url = os.fspath(url)
    if not isinstance(url, str) or not url:
        raise ArgumentError(
            "'url' must be a store's URL, such as 'sqlite:///journeys.db' or "
            f"'postgresql://host/db', or a file path (got {url!r:.40})"
        )
    scheme = url.split(":", 1)[0].lower() if "://" in url else ""
    if scheme in ("postgresql", "postgres"):
        return _PostgreSQL(url)
    path = sqlite_path(url)
    if path is not None:
        return _SQLite(url if scheme else f"sqlite:///{url}", path)
    if scheme == "sqlite":
        raise ArgumentError(
            "'url' must name a file after 'sqlite:///', such as 'sqlite:///journeys.db' "
            f"or 'sqlite:////var/lib/journeys.db' (got '{url}')"
        )
    raise ArgumentError(f"'url' must start with 'sqlite://' or 'postgresql://' (got '{scheme}://')")


def sqlite_path(url: str) -> str | None:
    """The file a SQLite store's URL names (a bare path is one); None for any other URL."""
    if url.startswith("sqlite:///"):
        return url.removeprefix("sqlite:///") or None
    return None if "://" in url else url

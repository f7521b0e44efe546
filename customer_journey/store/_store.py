"""A live store: events in as they arrive, timeouts on time, changes out through an outbox.

The store keeps every event (the log), and per customer the replay state after them, what
it last said of them (`_changes.View`) and when something next happens to them without an
event (a timeout, a goal's deadline, the moment they stall): the due-time index `tick`
reads. Its promise is exactness: `status(c, as_of=T)` is `Journey.replay` of the stored
events of `c` as of T, whatever order they arrived in.

- An event no earlier than its customer's state clock (their last event or fired timeout)
  is applied to the stored state, one engine step per event: the fast path.
- An earlier one (late) re-folds the customer from the log, brought up to the moment the
  old state had reached, so that timeouts already fired are not reported again.
- `status` describes the stored state when `as_of` is at or after its clock, and re-folds
  the log up to `as_of` otherwise.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import datetime, timezone
from typing import Any

from customer_journey._arguments import check_count, check_flag, check_name, check_optional_time
from customer_journey._runner import Runner
from customer_journey.analytics import Comparison, compare
from customer_journey.engine import ReplayResult, fold
from customer_journey.errors import ArgumentError, StoreJourneyError, StoreSchemaError
from customer_journey.journey import Input, Journey, check_journey, loads, open_events
from customer_journey.model import Event
from customer_journey.readers import EventSource
from customer_journey.store._codec import decode_state, from_micros, to_micros
from customer_journey.store._databases import Database, connect, shown_url
from customer_journey.store._outbox import acknowledge, claim_messages
from customer_journey.store._reports import (
    CustomerChanges,
    IngestReport,
    OutboxMessage,
    StoredRejection,
    Tally,
    TickReport,
    counted,
)
from customer_journey.store._writer import PAGE, Keyed, Writer, chunks

__all__ = ["SCHEMA_VERSION", "Store", "open_store"]

#: Customers `tick` judges in one transaction: commits cost most of a tick (each one writes
#: its pages to the write-ahead log, and SQLite checkpoints), so few large ones, while a
#: transaction still holds its customers (all of them, on SQLite) for about a second.
TICK_PAGE = 10000

#: The digest of the journey the store runs.
_CURRENT = "SELECT digest FROM cj_journeys WHERE retired_at IS NULL"

#: The layout of the store's tables; a store with another is refused with a clear message.
SCHEMA_VERSION = 1


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def open_store(url: str | os.PathLike[str], journey: Journey | None = None) -> Store:
    """Open (or create) the live store at `url` for `journey`.

    `url` is `sqlite:///path.db` (a bare path means SQLite too) or `postgresql://...`. A
    new store needs a journey; an existing one keeps its own and is opened with it when
    `journey` is None. A different journey is refused: `Store.upgrade` switches versions.

    Raises:
        ArgumentError: `url` is not a store URL or a path; `journey` is not a `Journey`,
            or one without its text (made from a bare model).
        StoreError: the database cannot be opened.
        StoreJourneyError: a new store without a journey, or the store runs another one.
        StoreSchemaError: the database is not a store, or one of another schema version.
        MissingDependencyError: PostgreSQL without psycopg installed.
    """
    if journey is not None:
        check_journey("journey", journey)
        if journey.text is None:
            raise ArgumentError(
                "'journey' must be one from load, loads or from_mapping, which keep its "
                "text for the store (got one made from a bare model)"
            )
    database = connect(url)
    try:
        return Store(database, journey)
    except BaseException:
        database.close()
        raise


class Store:
    """A durable live store of one journey's customers. Close it (or use `with`) when done.

    Attributes:
        journey: the journey it runs.
        url: where it is, without a password.
    """

    def __init__(self, database: Database, journey: Journey | None) -> None:
        self._db = database
        self.url = shown_url(database.url)
        new = StoreJourneyError(f"the store at '{self.url}' is new: give the journey it runs")
        if journey is None and not database.has_tables():
            raise new  # before making any table: refusing leaves the database as it was
        database.tables()
        with database.writing():
            database.lock_setup()
            self._check_schema()
            installed = database.run(
                "SELECT name, digest, source, text FROM cj_journeys WHERE retired_at IS NULL"
            )
            if not installed:
                if journey is None:
                    raise new
                self._install(journey)
            elif journey is None:
                _, _, source, text = installed[0]
                journey = loads(text, source=source)
            elif _digest(journey.text or "") != installed[0][1]:
                raise StoreJourneyError(
                    f"the store at '{self.url}' runs another version of journey "
                    f"'{installed[0][0]}' (from {installed[0][2]}); to switch to this "
                    "version, upgrade the store first"
                )
        self._use(journey)

    def _use(self, journey: Journey) -> None:
        self.journey = journey
        self._digest = _digest(journey.text or "")
        self._writer = Writer(self._db, journey)
        self._runner = Runner(self._writer.plan, name="records")

    def _check_schema(self) -> None:
        rows = self._db.run("SELECT value FROM cj_settings WHERE name = 'schema'")
        if not rows:
            self._db.run(
                "INSERT INTO cj_settings (name, value) VALUES ('schema', ?)",
                (str(SCHEMA_VERSION),),
            )
        elif rows[0][0] != str(SCHEMA_VERSION):
            raise StoreSchemaError(
                f"the store at '{self.url}' has schema version {rows[0][0]}; this version of "
                f"customer_journey reads version {SCHEMA_VERSION}: open it with the version "
                "that made it, or start a new store and ingest the events again"
            )

    def _install(self, journey: Journey) -> None:
        """Record `journey` as the one the store runs (within a write transaction)."""
        assert journey.text is not None
        self._db.run(
            "INSERT INTO cj_journeys (name, digest, source, text, installed_at) "
            "VALUES (?, ?, ?, ?, ?)",
            (journey.name, _digest(journey.text), journey.source, journey.text, time.time()),
        )

    def __repr__(self) -> str:
        return f"<Store '{self.url}' running journey '{self.journey.name}'>"

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        """Close the store's connection."""
        self._db.close()

    # Writing -----------------------------------------------------------------------------

    @contextmanager
    def _writing(self) -> Iterator[None]:
        """A write transaction, refused if another process has upgraded the journey since."""
        with self._db.writing():
            self._still_current(self._db.run(_CURRENT)[0][0])
            yield

    def _still_current(self, digest: str) -> None:
        """Refuse to go on when the store's journey is no longer the one opened here."""
        if digest != self._digest:
            raise StoreJourneyError(
                f"the store at '{self.url}' was upgraded to another version of journey "
                f"'{self.journey.name}' since it was opened here: open it again"
            )

    def ingest(
        self, records: Input, *, chunk_size: int = 1000, list_changes: bool = True
    ) -> IngestReport:
        """Store `records` and apply them, `chunk_size` records per transaction.

        `records` is a list or any iterable of mappings or `Event`s, an `EventSource`, or
        the path of a JSON Lines, CSV or Parquet file, read with the journey's fields. An
        event already stored (same customer and id, or for one without an id the same
        content) is a duplicate and changes nothing, so ingesting again is safe. Bad
        records are stored with their reason (`rejections`). The report lists each
        customer's changes; for a large file, `list_changes=False` keeps only their counts
        (the outbox has them all), so that memory stays flat.

        Raises:
            ArgumentError: `records` is not something events can be read from,
                `chunk_size` is not a whole number of 1 or more, or `list_changes` not a
                bool.
            DataFileError: `records` names a file that cannot be read.
            StoreJourneyError: another process upgraded the store's journey.
        """
        check_count("chunk_size", chunk_size, 1)
        check_flag("list_changes", list_changes)
        source = open_events(self.journey, "records", records, strict=False)
        report = Tally(listing=list_changes)
        for keyed in chunks(source, report, chunk_size):
            self._write(keyed, source, report)
        return report.finish(source)

    def _write(self, keyed: Keyed, source: EventSource, report: Tally) -> None:
        """One transaction: a chunk's events, their customers' states, changes, rejections."""
        rejections = [
            *source.report.rejections[report.rejections_stored :],
            *report.unstorable[report.unstorable_stored :],
        ]
        if not keyed and not rejections:
            return
        with self._writing():
            report.note(self._writer.write(keyed, report))
            self._writer.reject(rejections)
        report.rejections_stored = len(source.report.rejections)
        report.unstorable_stored = len(report.unstorable)

    def tick(self, now: datetime | str | None = None) -> TickReport:
        """Fire every timeout due by `now` (default: the current time) and store the changes.

        Goals whose deadline passes and customers who stall by `now` are judged too, so
        their changes reach the outbox without an event.

        Raises:
            ArgumentError: `now` is not a time in the years 1900 to 2999.
            StoreJourneyError: another process upgraded the store's journey.
        """
        moment = check_optional_time("now", now, self.journey.timezone)
        if moment is None:
            moment = datetime.now(timezone.utc)
        limit = to_micros(moment)
        found: list[CustomerChanges] = []
        customers = 0
        while True:
            with self._writing():
                rows = self._db.run(
                    "SELECT customer, state, view FROM cj_customers WHERE due <= ? "
                    f"ORDER BY due, customer LIMIT {TICK_PAGE}{self._db.skip_locked()}",
                    (limit,),
                )
                updates: list[tuple[Any, ...]] = []
                changed: list[CustomerChanges] = []
                for customer, text, view in rows:
                    state = decode_state(customer, text)
                    before = list(state.path)
                    if self._writer.is_stale(state):
                        state = self._writer.refold(customer, until=moment)
                    else:
                        fold(self._writer.plan, state, (), until=moment)
                    changes = self._writer.settle(state, view, before, moment, updates)
                    if changes:
                        changed.append(CustomerChanges(customer, tuple(changes)))
                self._writer.save(updates, changed)
                self._note_tick(limit)
            customers += len(rows)
            found.extend(changed)
            if len(rows) < TICK_PAGE:
                return TickReport(moment, customers, counted(found), tuple(found))

    def _note_tick(self, limit: int) -> None:
        self._db.run(
            "INSERT INTO cj_settings (name, value) VALUES ('ticked', ?) ON CONFLICT (name) "
            "DO UPDATE SET value = excluded.value WHERE CAST(cj_settings.value AS BIGINT) < "
            "CAST(excluded.value AS BIGINT)",
            (str(limit),),
        )

    # Reading -----------------------------------------------------------------------------

    @property
    def clock(self) -> datetime | None:
        """The store's now: the latest stored event or `tick`, whichever is later."""
        rows = self._db.run(
            "SELECT (SELECT max(clock) FROM cj_customers), "
            "(SELECT value FROM cj_settings WHERE name = 'ticked')"
        )
        latest, ticked = rows[0]
        moments = [int(value) for value in (latest, ticked) if value is not None]
        return from_micros(max(moments)) if moments else None

    def _moment(self, as_of: datetime | str | None) -> datetime:
        moment = check_optional_time("as_of", as_of, self.journey.timezone)
        if moment is None:
            moment = self.clock
            if moment is None:
                raise ArgumentError(
                    "'as_of' must be a time when the store has no events yet (got None)"
                )
        return moment

    def status(self, customer: str, as_of: datetime | str | None = None) -> ReplayResult:
        """The customer's position as of `as_of` (default: the store's `clock`).

        The same result as `Journey.replay` of the customer's stored events as of `as_of`;
        a customer the store has not seen is not in the journey.

        Raises:
            ArgumentError: `customer` is not a customer id; `as_of` is not a time in the
                years 1900 to 2999, or is None while the store has no events.
            StoreJourneyError: another process upgraded the store's journey.
        """
        check_name("customer", customer, "a customer id such as 'c1'")
        moment = self._moment(as_of)
        # One statement, so the state and the journey's version are read together.
        ((digest, text),) = self._db.run(
            f"SELECT ({_CURRENT}), (SELECT state FROM cj_customers WHERE customer = ?)",
            (customer,),
        )
        self._still_current(digest)
        return self._describe(customer, text, moment)

    def _describe(self, customer: str, text: str | None, as_of: datetime) -> ReplayResult:
        if text is not None:
            state = decode_state(customer, text)
            clock = state.clock
            if clock is not None and clock <= as_of and not self._writer.is_stale(state):
                return self._runner.describe(state, as_of)
        return self._runner.replay(customer, self._writer.events_of(customer, as_of), as_of)[1]

    def statuses(self, as_of: datetime | str | None = None) -> Iterator[ReplayResult]:
        """Every customer with events at or before `as_of`, in customer order.

        Each is what `status` gives; together, what `Journey.replay_all` gives of the
        stored events.

        Raises:
            ArgumentError: `as_of` is not a time in the years 1900 to 2999, or is None
                while the store has no events.
        """
        moment = self._moment(as_of)
        return self._statuses(moment)

    def _statuses(self, as_of: datetime) -> Iterator[ReplayResult]:
        after = ""
        while True:
            rows = self._db.run(
                f"SELECT customer, state, ({_CURRENT}) FROM cj_customers WHERE customer > ? "
                f"AND state IS NOT NULL ORDER BY customer LIMIT {PAGE}",
                (after,),
            )
            for customer, text, digest in rows:
                self._still_current(digest)
                result = self._describe(customer, text, as_of)
                if result.events or result.stage is not None:
                    yield result
            if len(rows) < PAGE:
                return
            after = rows[-1][0]

    def customers(self) -> int:
        """How many customers the store holds."""
        return int(self._db.run("SELECT count(*) FROM cj_customers WHERE state IS NOT NULL")[0][0])

    def events(self, customer: str) -> list[Event]:
        """The customer's stored events, in processing order (time, then arrival).

        Raises:
            ArgumentError: `customer` is not a customer id.
        """
        return self._writer.events_of(
            check_name("customer", customer, "a customer id such as 'c1'")
        )

    def rejections(self) -> list[StoredRejection]:
        """Every record the store refused, oldest first, with its source, row and reason."""
        return [
            StoredRejection(
                source, row, reason, json.loads(record), code=code, received_at=received
            )
            for source, row, code, reason, record, received in self._db.run(
                "SELECT source, row_number, code, reason, record, received_at "
                "FROM cj_rejections ORDER BY id"
            )
        ]

    # The outbox ---------------------------------------------------------------------------

    def claim(self, limit: int = 100, lease: float = 60.0) -> list[OutboxMessage]:
        """Take up to `limit` unacknowledged messages, oldest first, for `lease` seconds.

        No other claim gets them until the lease ends; a message not acknowledged by then
        is handed out again (delivery is at least once: make sending idempotent with the
        message id).

        Raises:
            ArgumentError: `limit` is not a whole number of 1 or more, or `lease` is not a
                number of seconds of 0 or more.
        """
        return claim_messages(self._db, limit, lease)

    def ack(self, ids: Iterable[int]) -> int:
        """Acknowledge messages as sent: they are deleted. Returns how many there were.

        Raises:
            ArgumentError: `ids` is not an iterable of whole numbers.
        """
        return acknowledge(self._db, ids)

    # Upgrades -----------------------------------------------------------------------------

    def upgrade(self, journey: Journey, *, apply: bool = False) -> Comparison:
        """Replay every stored history through `journey` and say who would move where.

        The comparison is `compare`'s (version a is the store's journey, b the new one),
        as of the store's clock. With `apply=True` the store then switches to `journey` in
        one transaction: every customer is re-derived from their events, the old version
        stays on record, and no outbox message is written for the moves (the views are
        brought up to date, so later changes are judged against the new version).

        Raises:
            ArgumentError: `journey` is not a `Journey` with its text, or `apply` not a
                bool.
            StoreJourneyError: another process upgraded the store's journey meanwhile.
        """
        check_journey("journey", journey)
        check_flag("apply", apply)
        if journey.text is None:
            raise ArgumentError(
                "'journey' must be one from load, loads or from_mapping (got one made from "
                "a bare model)"
            )
        # A store without events (every record rejected, say) can switch all the same.
        moment = self.clock or datetime.now(timezone.utc)
        comparison = compare(self.journey, journey, self._stored_source(), moment)
        if apply:
            self._switch(journey)
        return comparison

    def _stored_source(self) -> EventSource:
        """Every stored event, customer by customer, as a source that can be read again."""

        def rows() -> Iterator[tuple[int, object]]:
            row = 0
            for customer, _ in self._all_customers():
                for event in self._writer.events_of(customer):
                    row += 1
                    yield row, event

        return EventSource(rows, _as_event, source="<store>", strict=True, reiterable=True)

    def _all_customers(self) -> Iterator[tuple[str, int]]:
        """Every stored customer, in customer order, with their state's clock (microseconds)."""
        after = ""
        while True:
            rows = self._db.run(
                "SELECT customer, clock FROM cj_customers WHERE customer > ? AND state IS NOT NULL "
                f"ORDER BY customer LIMIT {PAGE}",
                (after,),
            )
            yield from rows
            if len(rows) < PAGE:
                return
            after = rows[-1][0]

    def _switch(self, journey: Journey) -> None:
        """Re-derive every customer under `journey` and make it the store's, atomically."""
        old = (self.journey, self._digest, self._writer, self._runner)
        with self._writing():
            self._db.lock_all()
            self._use(journey)
            try:
                updates: list[tuple[Any, ...]] = []
                for customer, clock in list(self._all_customers()):
                    moment = from_micros(clock)
                    state = self._writer.refold(customer, until=moment)
                    self._writer.settle(state, None, [], moment, updates)
                    if len(updates) >= PAGE:
                        self._writer.save(updates, [])
                        updates = []
                self._writer.save(updates, [])
                self._db.run(
                    "UPDATE cj_journeys SET retired_at = ? WHERE retired_at IS NULL", (time.time(),)
                )
                self._install(journey)
            except BaseException:
                self.journey, self._digest, self._writer, self._runner = old
                raise


def _as_event(record: object) -> Event:
    assert isinstance(record, Event)
    return record

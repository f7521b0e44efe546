"""Grouping events by customer outside memory: an external sort in DuckDB (the `duckdb` extra).

An export in time order (the usual case) or shuffled has each customer's records spread
over the whole file. Holding every customer in memory until the input ends costs as much
memory as the file; this sorts the events the readers accepted by (customer, input order)
in DuckDB instead, under a memory limit, spilling to a temporary folder that is removed at
the end, and reads them back one customer at a time.

Each event is spilled as a row of three columns: the customer (UTF-8 bytes, so that ids
holding lone surrogates keep their place and their order, Python's), the input sequence,
and the rest of the event pickled, its time as microseconds since the epoch. One
variable-size column besides the key: with more, DuckDB's sort ran out of memory under
small limits (measured with 2.0.1). Pickle keeps every value exactly as read (nested
values, whole numbers beyond 64 bits, NaN, tuples, datetimes); with the time as a whole
number it costs about 0.7 µs an event to write and 1.1 to read, where orjson took 5 to
write and a pickled `datetime` 6. A time not in UTC travels as the `datetime` itself;
attributes and traits that are mappings but not dicts come back as dicts.

duckdb is imported here only, and only when an input turns out not grouped.
"""

from __future__ import annotations

import os
import pickle
import re
import shutil
import tempfile
import weakref
from collections.abc import Iterable, Iterator
from datetime import datetime, timedelta, timezone
from itertools import groupby
from operator import itemgetter
from types import ModuleType
from typing import Any

from customer_journey.errors import ArgumentError, DataFileError
from customer_journey.model import EMPTY, Event
from customer_journey.readers import MissingDependencyError

__all__ = [
    "DEFAULT_MEMORY_LIMIT",
    "MINIMUM_MEMORY_LIMIT",
    "ExternalGroups",
    "can_group_externally",
    "check_memory_limit",
    "memory_share",
    "parse_memory_size",
]

_MB = 1 << 20
#: The memory DuckDB may use to group an input when none is asked for: 1 GiB. Fixed,
#: not a share of the machine's memory, so that a run behaves the same on every machine;
#: DuckDB's sort gains little from more (see docs/explanation/scaling.md).
DEFAULT_MEMORY_LIMIT = 1024 * _MB
#: Below this DuckDB runs out of memory on its own buffers before it sorts anything.
MINIMUM_MEMORY_LIMIT = 32 * _MB
#: Memory per DuckDB thread: fewer threads under a small limit, so that each has room.
_PER_THREAD = 256 * _MB
#: Events spilled, and rows read back, at a time.
_BATCH = 65_536

_UNITS = {
    "": 1,
    "b": 1,
    "kb": 1000,
    "mb": 1000**2,
    "gb": 1000**3,
    "tb": 1000**4,
    "kib": 1 << 10,
    "mib": 1 << 20,
    "gib": 1 << 30,
    "tib": 1 << 40,
}
_SIZE = re.compile(r"\s*(\d+(?:\.\d+)?)\s*([a-zA-Z]*)\s*")
_SIZE_EXAMPLE = "a size such as 1GB or 512MB"

_UTC = timezone.utc
_EPOCH = datetime(1970, 1, 1, tzinfo=_UTC)
_MICROSECOND = timedelta(microseconds=1)
_COLUMNS = "customer BLOB, seq BIGINT, event BLOB"


def parse_memory_size(text: str, name: str = "memory_limit") -> int:
    """Read a memory size such as `1GB`, `512MB` or `1.5GiB` as a number of bytes.

    KB, MB, GB and TB are powers of 1000, KiB, MiB, GiB and TiB of 1024 (as in DuckDB);
    the unit is not case-sensitive.

    Raises:
        ArgumentError: not such a size, or under `MINIMUM_MEMORY_LIMIT`.
    """
    match = _SIZE.fullmatch(text)
    unit = _UNITS.get(match.group(2).lower()) if match else None
    if match is None or unit is None:
        raise ArgumentError(f"'{name}' must be {_SIZE_EXAMPLE} (got {text!r})")
    return check_memory_limit(int(float(match.group(1)) * unit), name, shown=text)


def check_memory_limit(size: object, name: str = "memory_limit", *, shown: str = "") -> int:
    """Return `size` (bytes) if DuckDB can group in that much memory.

    Raises:
        ArgumentError: not a whole number of bytes, or under `MINIMUM_MEMORY_LIMIT`.
    """
    if not isinstance(size, int) or isinstance(size, bool):
        raise ArgumentError(f"'{name}' must be {_SIZE_EXAMPLE}, or bytes (got {size!r})")
    if size < MINIMUM_MEMORY_LIMIT:
        got = shown or f"{size} bytes"
        raise ArgumentError(f"'{name}' must be at least 32MiB (got {got})")
    return size


def can_group_externally() -> bool:
    """Whether DuckDB is installed, to group an input outside memory."""
    try:
        _duckdb()
    except MissingDependencyError:
        return False
    return True


def _duckdb() -> ModuleType:
    """Return `duckdb`, or say how to install it.

    Raises:
        MissingDependencyError: DuckDB (2.0 or later, for its appender) is not installed.
    """
    try:
        import duckdb  # noqa: PLC0415 - optional, and heavy to import
    except ImportError:
        appends = False
    else:
        appends = hasattr(duckdb.DuckDBPyConnection, "appender")
    if not appends:
        raise MissingDependencyError(
            "grouping records by customer under a memory limit needs DuckDB 2.0 or later: "
            "pip install 'customer-journey[duckdb]'"
        )
    module: ModuleType = duckdb
    return module


class ExternalGroups:
    """Events spilled into DuckDB, then read back grouped by customer, in input order.

    Use it as a context manager: the DuckDB database and its temporary folder go at the
    end. `add` events in input order (each call goes on numbering them), then iterate
    `groups()` once.

    Raises:
        MissingDependencyError: (on creation) DuckDB is not installed.
        DataFileError: (while adding or grouping) DuckDB ran out of memory or disk space;
            the message names `name`, the input.
    """

    def __init__(self, name: str, memory_limit: int, temp_directory: str | None = None) -> None:
        duckdb = _duckdb()
        self._name = name
        self._limit = memory_limit
        folder = tempfile.mkdtemp(prefix="customer-journey-sort-", dir=temp_directory)
        # The folder goes when the groups do, even if they are never closed.
        self._remove = weakref.finalize(self, shutil.rmtree, folder, ignore_errors=True)
        self._errors: tuple[type[Exception], ...] = (
            duckdb.OutOfMemoryException,
            duckdb.IOException,
        )
        threads = max(1, min(os.cpu_count() or 1, memory_limit // _PER_THREAD))
        try:
            self._database: Any = duckdb.connect(
                config={
                    "memory_limit": f"{memory_limit // _MB}MiB",
                    "temp_directory": folder,
                    "preserve_insertion_order": False,
                    "threads": threads,
                }
            )
            self._database.execute("SET enable_progress_bar = false")
            self._database.execute(f"CREATE TABLE events ({_COLUMNS})")
            self._appender: Any = self._database.appender("events")
        except BaseException:
            self._remove()
            raise
        self.count = 0

    def __enter__(self) -> ExternalGroups:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def close(self) -> None:
        """Drop the database and remove its temporary folder."""
        self._database.close()
        self._remove()

    def add(self, events: Iterable[Event]) -> None:
        """Spill `events`, numbered on from those added before, a batch at a time."""
        batch: list[Event] = []
        for event in events:
            batch.append(event)
            if len(batch) == _BATCH:
                self._spill(batch)
                batch = []
        if batch:
            self._spill(batch)

    def _spill(self, batch: list[Event]) -> None:
        """Append one batch of events to the table."""
        appender = self._appender
        try:
            appender.append_rows(_rows(batch, self.count))
            appender.flush()
        except self._errors:  # DuckDB's own words name its settings, not ours
            raise self._failure() from None
        except (pickle.PicklingError, TypeError, AttributeError) as error:
            raise ArgumentError(
                f"'{self._name}' must hold event attributes and traits that can be copied "
                f"to group them by customer (got {error})"
            ) from None
        self.count += len(batch)

    def groups(self) -> Iterator[tuple[str, list[Event]]]:
        """Each customer's events, in input order; customers in the order of their ids."""
        try:
            result = self._database.execute("SELECT * FROM events ORDER BY customer, seq")
            rows = _fetched(result)
            for key, run in groupby(rows, key=_KEY):
                customer = key.decode("utf-8", "surrogatepass")
                yield customer, [_event(customer, row) for row in run]
        except self._errors:  # DuckDB's own words name its settings, not ours
            raise self._failure() from None

    def _failure(self) -> DataFileError:
        """Say that grouping `name` needs more memory or disk than it had."""
        return DataFileError(
            self._name,
            f"grouping its records by customer needs more than the memory limit "
            f"({self._limit // _MB:,} MiB) and the free space in the temporary folder; "
            "raise the memory limit, or give a temporary folder with more space",
            "grouping-failed",
        )


_KEY = itemgetter(0)


def _fetched(result: Any) -> Iterator[tuple[Any, ...]]:
    """The rows of a DuckDB result, a batch at a time."""
    while True:
        rows = result.fetchmany(_BATCH)
        if not rows:
            return
        yield from rows


def _rows(batch: list[Event], start: int) -> list[tuple[bytes, int, bytes]]:
    """The table rows of `batch`, numbered from `start`."""
    dumps = pickle.dumps
    rows: list[tuple[bytes, int, bytes]] = []
    append = rows.append
    for seq, (customer, kind, at, event_id, channel, attributes, traits) in enumerate(batch, start):
        moment = (at - _EPOCH) // _MICROSECOND if at.tzinfo is _UTC else at
        if attributes and type(attributes) is not dict:
            attributes = dict(attributes)  # noqa: PLW2901 - a mapping proxy does not pickle
        if traits and type(traits) is not dict:
            traits = dict(traits)  # noqa: PLW2901 - a mapping proxy does not pickle
        rest = (kind, moment, event_id, channel, attributes or None, traits or None)
        append((customer.encode("utf-8", "surrogatepass"), seq, dumps(rest, 5)))
    return rows


def _event(customer: str, row: tuple[bytes, int, bytes]) -> Event:
    """The event a table row holds."""
    kind, moment, event_id, channel, attributes, traits = pickle.loads(row[2])
    at = _EPOCH + timedelta(microseconds=moment) if type(moment) is int else moment
    return tuple.__new__(
        Event, (customer, kind, at, event_id, channel, attributes or EMPTY, traits or EMPTY)
    )


def memory_share(memory_limit: int | None, parts: int) -> int | None:
    """The memory limit of one of `parts` worker processes grouping their share of an input.

    The limit asked for (or the default, when DuckDB is installed) divided between the
    workers, but never under `MINIMUM_MEMORY_LIMIT`; None, to group in memory, when none
    was asked for and DuckDB is not installed.
    """
    if memory_limit is None and not can_group_externally():
        return None
    return max(MINIMUM_MEMORY_LIMIT, (memory_limit or DEFAULT_MEMORY_LIMIT) // parts)

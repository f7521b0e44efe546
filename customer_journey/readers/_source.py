"""Event sources: records in, events out, and a report of what was read and rejected.

A bad record does not stop the stream: it becomes a `Rejection` (with its row, a reason a
marketer can act on and a stable code) and the rest go on, unless the source is strict.
Only an input that cannot be read at all stops it, with a `DataFileError`.

The report balances at every moment: `read == accepted + rejected`, in strict mode too (the
record that raises is counted as rejected first). Duplicates are not the readers' concern:
two records with the same event id are both accepted here, and the replay counts the second
as a duplicate (`ReplayTotals.duplicates`), so duplicates are part of `accepted`. Blank
lines are not records, and are not counted at all.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from datetime import datetime, tzinfo
from typing import Any

import attrs

from customer_journey.errors import RecordError
from customer_journey.model import Event, EventFields
from customer_journey.readers._records import RecordRejectedError, make_converter

__all__ = ["EventSource", "ReadReport", "Rejection", "from_records"]

#: What a reader produces: (1-based row, record) pairs, before conversion.
Rows = Iterable[tuple[int, object]]


@attrs.frozen
class Rejection:
    """A record that could not become an event.

    Attributes:
        source: the file (or `<records>`) it came from.
        row: 1-based; the file line for JSONL and CSV (the CSV header is line 1), the row
            number for Parquet and for records given in Python.
        reason: what is wrong, in the marketer's words.
        record: the record as read (for a line that is not JSON, its text; for a line too
            long to read, its first characters; None for a CSV row that cannot be split).
        code: a stable kebab-case name for the kind of reason (`missing-field`,
            `bad-timestamp`, `not-json`, ...), listed in the error reference. Keyword-only,
            so rejections built before codes existed still build.
    """

    source: str
    row: int
    reason: str
    record: object
    code: str = attrs.field(default="bad-record", kw_only=True)

    def __str__(self) -> str:
        return f"{self.source}:{self.row}: {self.reason}"

    def to_dict(self) -> dict[str, object]:
        """Return a mapping with a stable key order."""
        return {
            "source": self.source,
            "row": self.row,
            "code": self.code,
            "reason": self.reason,
            "record": self.record,
        }


@attrs.define
class ReadReport:
    """Counts for one pass over a source: `read == accepted + rejected` at every moment."""

    read: int = 0
    accepted: int = 0
    rejected: int = 0
    rejections: list[Rejection] = attrs.Factory(list)

    def to_dict(self) -> dict[str, object]:
        """Return a JSON-ready mapping with a stable key order (records are left as read)."""
        return {
            "read": self.read,
            "accepted": self.accepted,
            "rejected": self.rejected,
            "rejections": [rejection.to_dict() for rejection in self.rejections],
        }


class EventSource:
    """The events of a file or of records, with a `report` of what was read and rejected.

    Iterating counts into `report` on the first pass only (if that pass stops early, the
    report covers what it read). A re-iterable source (a file, or a list or tuple of records)
    yields the same events on every later pass without touching the report; a source over a
    one-shot iterator is itself one-shot: a second `for` loop goes on where the first stopped.

    Attributes:
        source: the file name, `<stdin>` or `<records>`, as rejections name it.
        report: counts and rejections of the first pass (so far).
        reiterable: whether every pass yields all the events.
        memory_limit: bytes that grouping these events by customer may use, when a
            customer's records turn out not to be together (a file in time order): they
            are then sorted outside memory, in DuckDB. None for the default: 1 GiB with
            DuckDB installed; without it, those customers' records are held in memory.
            Setting it asks for DuckDB (`MissingDependencyError` without it).
        temp_directory: where that sort spills, in a temporary folder of its own removed
            at the end; None for the system's temporary folder.
        in_memory: whether the records are in memory already (a list or tuple given in
            Python): without a `memory_limit`, they are grouped in memory.
        known_latest: what tells the latest event time without reading the events (a
            Parquet file's statistics), if anything; it may name a rejected record's time,
            so what is read is checked against it.
    """

    memory_limit: int | None = None
    temp_directory: str | None = None
    in_memory: bool = False
    known_latest: Callable[[], datetime | None] | None = None

    def __init__(
        self,
        rows: Callable[[], Rows],
        convert: Callable[[object], Event],
        *,
        source: str,
        strict: bool,
        reiterable: bool,
    ) -> None:
        self.source = source
        self.reiterable = reiterable
        self.report = ReadReport()
        self._rows = rows
        self._convert = convert
        self._strict = strict
        self._counted = False
        self._stream: Iterator[Event] | None = None

    def __repr__(self) -> str:
        return f"EventSource({self.source!r}, reiterable={self.reiterable})"

    def __iter__(self) -> Iterator[Event]:
        if not self.reiterable:
            if self._stream is None:
                self._stream = self._events(self.report)
            return self._stream
        if self._counted:
            return self._events(ReadReport())
        self._counted = True
        return self._events(self.report)

    def _events(self, report: ReadReport) -> Iterator[Event]:
        """Convert every row, counting into `report`; reject or (strict) raise on bad ones."""
        convert = self._convert
        for row, record in self._rows():
            report.read += 1
            try:
                event = convert(record)
            except RecordRejectedError as exc:
                report.rejected += 1
                report.rejections.append(
                    Rejection(self.source, row, exc.reason, exc.record, code=exc.code)
                )
                if self._strict:
                    raise RecordError(self.source, row, exc.reason, exc.code) from None
                continue
            report.accepted += 1
            yield event


def from_records(
    records: Iterable[Mapping[str, Any] | Event],
    *,
    fields: EventFields,
    timezone: tzinfo,
    source: str = "<records>",
    strict: bool = False,
    default_customer: str | None = None,
) -> EventSource:
    """Read events from mappings (e.g. parsed JSON) or `Event`s, which pass through.

    Args:
        records: the records; a list or tuple makes the source re-iterable.
        fields: which record field holds the customer, type, time, id, channel and traits.
        timezone: the timezone times without an offset are read in.
        source: the name rejections carry.
        strict: raise `RecordError` at the first bad record instead of rejecting it.
        default_customer: the customer of records that name none (e.g. one customer's events).
    """
    convert = make_converter(fields, timezone, default_customer)
    events = EventSource(
        lambda: enumerate(records, 1),
        convert,
        source=source,
        strict=strict,
        reiterable=isinstance(records, Sequence),
    )
    events.in_memory = events.reiterable
    return events

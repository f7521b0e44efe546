"""Events from Parquet files, and records to them, through pyarrow (the `parquet` extra).

pyarrow is imported here only, and only when a Parquet file is read or written: importing
customer_journey stays cheap and works without it.

A file pyarrow cannot read (not Parquet, cut short, damaged) raises `DataFileError` with
the code `corrupt-file`, whether the damage is in its footer (found when reading starts) or
in a later row group (after the rows before it were read). A row holding a value Python
cannot represent (a time in the year 60000) is rejected alone; its batch is then converted
row by row.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator, Mapping
from datetime import datetime, timedelta, timezone
from types import ModuleType
from typing import Any

from customer_journey._timestamps import EARLIEST, LATEST, SUPPORTED_RANGE
from customer_journey.errors import CustomerJourneyError, DataFileError
from customer_journey.readers._records import Unreadable
from customer_journey.readers._streams import opened

__all__ = [
    "BATCH_ROWS",
    "MissingDependencyError",
    "ParquetWriteError",
    "open_parquet",
    "parquet_latest",
    "parquet_rows",
    "write_parquet",
]

#: Rows converted to Python records at a time: memory stays flat whatever the file's size.
BATCH_ROWS = 65_536


class MissingDependencyError(CustomerJourneyError, ImportError):
    """An optional dependency is needed for what was asked; the message says what to install."""

    code = "missing-dependency"


class ParquetWriteError(CustomerJourneyError, ValueError):
    """Records cannot become a Parquet file: a field holds values of different kinds."""

    code = "parquet-write-failed"


def open_parquet(doing: str = "reading") -> ModuleType:
    """Return `pyarrow.parquet`, or say how to install it for `doing` Parquet.

    Raises:
        MissingDependencyError: pyarrow is not installed.
    """
    try:
        import pyarrow.parquet as pq  # noqa: PLC0415 - optional, and heavy to import
    except ImportError:
        raise MissingDependencyError(
            f"{doing} Parquet needs pyarrow: pip install 'customer-journey[parquet]'"
        ) from None
    module: ModuleType = pq
    return module


def parquet_rows(parquet: ModuleType, name: str) -> Iterator[tuple[int, object]]:
    """Yield (row, record) for each row of a Parquet file, one record batch at a time.

    Nanosecond timestamps are cut to microseconds, the precision of Python's datetimes.

    Raises:
        DataFileError: the file cannot be opened, or is not Parquet, or is damaged.
    """
    import pyarrow as pa  # noqa: PLC0415 - present: `open_parquet` imported pyarrow.parquet

    row = 0
    with opened(name) as stream:
        try:
            file = parquet.ParquetFile(stream)
            schema = file.schema_arrow
            types = [
                pa.timestamp("us", tz=field.type.tz)
                if pa.types.is_timestamp(field.type) and field.type.unit == "ns"
                else field.type
                for field in schema
            ]
            cast = types != list(schema.types)
            for batch in file.iter_batches(batch_size=BATCH_ROWS):
                if cast:
                    batch = pa.RecordBatch.from_arrays(  # noqa: PLW2901 - the same rows, re-typed
                        [
                            column.cast(kind, safe=False)
                            for column, kind in zip(batch.columns, types, strict=True)
                        ],
                        names=schema.names,
                    )
                for record in _records(pa, batch):
                    row += 1
                    yield row, record
        except DataFileError:
            raise
        except (pa.ArrowException, OSError, UnicodeDecodeError) as error:
            # A damaged text column decodes as bad UTF-8 only when its rows are read.
            if isinstance(error, OSError) and error.errno is not None:
                raise  # the file itself failed to read: `opened` says so in words
            raise DataFileError(name, _damaged(row), "corrupt-file") from None


_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
#: Microseconds per raw timestamp unit (nanoseconds are cut instead).
_MICROSECONDS = {"s": 1_000_000, "ms": 1000, "us": 1}


def parquet_latest(parquet: ModuleType, name: str, column: str) -> datetime | None:
    """The latest time in `column` from the file's statistics, without reading its rows.

    Only when every row group has statistics for it and the column holds instants
    (timestamps adjusted to UTC, whose statistics are exact): times without a zone are
    read in the journey's, where a clock change can reorder them, and times as text have
    statistics that compare text. Nanoseconds are cut to microseconds, as the rows are.
    A rejected row may hold the latest time: the caller checks what it reads.

    Returns:
        None when the statistics cannot say, or the file cannot be opened.
    """
    import pyarrow as pa  # noqa: PLC0415 - present: `open_parquet` imported pyarrow.parquet

    try:
        with opened(name) as stream:
            file = parquet.ParquetFile(stream)
            index = file.schema_arrow.get_field_index(column)
            kind = file.schema_arrow.field(index).type if index >= 0 else None
            if kind is None or not pa.types.is_timestamp(kind) or kind.tz is None:
                return None
            metadata = file.metadata
            raws = [
                metadata.row_group(group).column(index).statistics
                for group in range(metadata.num_row_groups)
            ]
    except (pa.ArrowException, OSError, CustomerJourneyError):
        return None  # reading says why, with its row
    if not raws or any(stats is None or not stats.has_min_max for stats in raws):
        return None
    raw = max(stats.max_raw for stats in raws)
    if kind.unit == "ns":
        micros = raw // 1000 if raw >= 0 else -(-raw // 1000)  # toward zero, as the cast
    else:
        micros = raw * _MICROSECONDS[kind.unit]
    try:
        latest = _EPOCH + timedelta(microseconds=micros)
    except OverflowError:
        return None
    return latest if EARLIEST <= latest < LATEST else None


def _damaged(row: int) -> str:
    """Say where a Parquet file stops being readable."""
    if row == 0:
        return "it is not a Parquet file, or it is damaged or cut short"
    return f"it is damaged: the rows after row {row:,} cannot be read"


def _records(pa: ModuleType, batch: Any) -> list[object]:
    """A batch's rows as records; a row with a value Python cannot hold is `Unreadable`."""
    try:
        records: list[object] = batch.to_pylist()
    except (OverflowError, ValueError):  # e.g. a time in the year 60000
        return [_row_record(pa, batch, index) for index in range(batch.num_rows)]
    return records


def _row_record(pa: ModuleType, batch: Any, index: int) -> object:
    """One row as a record, column by column, to find the value that cannot be read."""
    record: dict[str, object] = {}
    unread: tuple[str, Any, ValueError | OverflowError] | None = None  # the first such column
    for name, column in zip(batch.schema.names, batch.columns, strict=True):
        try:
            record[name] = column[index].as_py()
        except (OverflowError, ValueError) as failure:  # noqa: PERF203 - only for a batch that failed
            if unread is None:
                unread = (name, column.type, failure)
    if unread is None:
        return record
    name, kind, error = unread
    if pa.types.is_timestamp(kind) or pa.types.is_date(kind):
        reason = (
            f"the time in '{name}' is outside the supported range {SUPPORTED_RANGE}; check the year"
        )
        return Unreadable(record, reason, "time-out-of-range")
    if isinstance(error, UnicodeDecodeError):  # a damaged text column
        return Unreadable(record, f"the text in '{name}' is not UTF-8", "bad-encoding")
    return Unreadable(record, f"the value in '{name}' is too large to read", "bad-value")


def write_parquet(records: Iterable[Mapping[str, Any]], path: str | os.PathLike[str]) -> int:
    """Write records to a Parquet file, a column per field; return how many rows were written.

    A field missing from a record is null in its row; nested mappings (such as traits)
    become struct columns. The records are gathered in memory first, because each column's
    type is known only once every value has been seen.

    Raises:
        MissingDependencyError: pyarrow is not installed.
        ParquetWriteError: a field holds values of different kinds (a text in one record,
            a number in another).
    """
    parquet = open_parquet("writing")
    import pyarrow as pa  # noqa: PLC0415 - present: `open_parquet` imported pyarrow.parquet

    columns: dict[str, list[Any]] = {}
    rows = 0
    for record in records:
        for name, value in record.items():
            column = columns.get(name)
            if column is None:
                column = columns[name] = [None] * rows
            column.append(value)
        rows += 1
        for column in columns.values():
            if len(column) < rows:
                column.append(None)
    arrays = {name: _column(pa, name, values, path) for name, values in columns.items()}
    parquet.write_table(pa.table(arrays), os.fspath(path))
    return rows


def _column(pa: ModuleType, name: str, values: list[Any], path: str | os.PathLike[str]) -> Any:
    """One field's values as a pyarrow array, its type inferred from all of them."""
    try:
        return pa.array(values)
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        raise ParquetWriteError(
            f"cannot write '{os.fspath(path)}' as Parquet: field '{name}' holds values of "
            "different kinds (say a text in one record and a number in another); "
            "write JSON Lines instead"
        ) from None

"""Events from Parquet files, and records to them, through pyarrow (the `parquet` extra).

pyarrow is imported here only, and only when a Parquet file is read or written: importing
customer_journey stays cheap and works without it.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator, Mapping
from types import ModuleType
from typing import Any

from customer_journey.errors import CustomerJourneyError

__all__ = [
    "BATCH_ROWS",
    "MissingDependencyError",
    "ParquetWriteError",
    "open_parquet",
    "parquet_rows",
    "write_parquet",
]

#: Rows converted to Python records at a time: memory stays flat whatever the file's size.
BATCH_ROWS = 65_536


class MissingDependencyError(CustomerJourneyError, ImportError):
    """An optional dependency is needed for what was asked; the message says what to install."""


class ParquetWriteError(CustomerJourneyError, ValueError):
    """Records cannot become a Parquet file: a field holds values of different kinds."""


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
    """
    import pyarrow as pa  # noqa: PLC0415 - present: `open_parquet` imported pyarrow.parquet

    row = 0
    with parquet.ParquetFile(name) as file:
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
            for record in batch.to_pylist():
                row += 1
                yield row, record


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

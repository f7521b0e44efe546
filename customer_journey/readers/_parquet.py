"""Events from Parquet files, through pyarrow (the optional `parquet` extra).

pyarrow is imported here only, and only when a Parquet file is read: importing
customer_journey stays cheap and works without it.
"""

from __future__ import annotations

from collections.abc import Iterator
from types import ModuleType

from customer_journey.errors import CustomerJourneyError

__all__ = ["BATCH_ROWS", "MissingDependencyError", "open_parquet", "parquet_rows"]

#: Rows converted to Python records at a time: memory stays flat whatever the file's size.
BATCH_ROWS = 65_536


class MissingDependencyError(CustomerJourneyError, ImportError):
    """An optional dependency is needed for what was asked; the message says what to install."""


def open_parquet() -> ModuleType:
    """Return `pyarrow.parquet`, or say how to install it.

    Raises:
        MissingDependencyError: pyarrow is not installed.
    """
    try:
        import pyarrow.parquet as pq  # noqa: PLC0415 - optional, and heavy to import
    except ImportError:
        raise MissingDependencyError(
            "reading Parquet needs pyarrow: pip install 'customer-journey[parquet]'"
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

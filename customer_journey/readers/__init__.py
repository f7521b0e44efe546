"""Records and data files in, `Event`s and `Rejection`s out; records to Parquet files."""

from customer_journey.readers._files import FORMATS, UnknownFormatError, from_file
from customer_journey.readers._parquet import (
    MissingDependencyError,
    ParquetWriteError,
    write_parquet,
)
from customer_journey.readers._source import EventSource, ReadReport, Rejection, from_records

__all__ = [
    "FORMATS",
    "EventSource",
    "MissingDependencyError",
    "ParquetWriteError",
    "ReadReport",
    "Rejection",
    "UnknownFormatError",
    "from_file",
    "from_records",
    "write_parquet",
]

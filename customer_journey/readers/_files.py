"""Events from data files and standard input: JSON Lines, CSV and Parquet, streamed.

Rows are numbered the way a marketer finds them in the file: the line for JSON Lines and CSV
(the CSV header is line 1), the row number for Parquet. Blank lines are skipped, not counted.

What cannot be read is rejected alone, with its row, reason and code, and the reading goes
on: a line that is not UTF-8, not JSON, too long (`MAX_LINE_LENGTH`) or too deep
(`MAX_DEPTH`), a CSV row with too many values. Only an input that cannot be read at all
(missing, a directory, a device, not ours to read, a damaged Parquet file, an I/O error)
raises, with `DataFileError`.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from datetime import tzinfo
from functools import partial
from pathlib import Path

from customer_journey.errors import ArgumentError, CustomerJourneyError
from customer_journey.model import EventFields
from customer_journey.readers._csv import csv_rows
from customer_journey.readers._jsonl import jsonl_rows
from customer_journey.readers._parquet import open_parquet, parquet_latest, parquet_rows
from customer_journey.readers._records import make_converter
from customer_journey.readers._source import EventSource, Rows
from customer_journey.readers._streams import STDIN, STDIN_NAME, check_file

__all__ = ["FORMATS", "UnknownFormatError", "from_file"]

#: The formats `from_file` reads, and the file name suffixes that mean each.
FORMATS: dict[str, tuple[str, ...]] = {
    "jsonl": (".jsonl", ".ndjson", ".json"),
    "csv": (".csv",),
    "parquet": (".parquet", ".pq"),
}
_FORMAT_OF_SUFFIX = {suffix: name for name, suffixes in FORMATS.items() for suffix in suffixes}


class UnknownFormatError(CustomerJourneyError, ValueError):
    """The format of an events file is not one we read, or cannot be told from its name."""

    code = "unknown-format"


def from_file(
    path: str | os.PathLike[str],
    *,
    fields: EventFields,
    timezone: tzinfo,
    format: str | None = None,
    strict: bool = False,
) -> EventSource:
    """Read events from a JSON Lines, CSV or Parquet file, or from standard input (`-`).

    A file is re-opened on every pass. Standard input is read once, as it arrives: the
    source is one-shot, like one over an iterator, and its rows are named `<stdin>`.

    Args:
        path: the file, or `-` for standard input.
        fields: which field (column) holds the customer, type, time, id, channel and traits.
        timezone: the timezone times without an offset are read in.
        format: `jsonl`, `csv` or `parquet`; by default told from the file name's suffix
            (`.jsonl`, `.ndjson` and `.json` hold one JSON record per line), and `jsonl`
            for standard input.
        strict: raise `RecordError` at the first bad record instead of rejecting it.

    Raises:
        UnknownFormatError: the format is not one of those, or the suffix does not say.
        ArgumentError: Parquet from standard input (Parquet is read from its end, so it
            needs a file).
        DataFileError: the file is missing, a directory, not a regular file (such as
            `/dev/null`), or not readable; an `OSError`, so code catching that (or the
            `FileNotFoundError` of earlier versions, through `OSError`) keeps working.
            Iterating raises it too, for a damaged Parquet file or an I/O error.
        MissingDependencyError: a Parquet file, and pyarrow is not installed.
    """
    name = os.fspath(path)
    if name == STDIN:
        kind = "jsonl" if format is None else _format_of(name, format)
        if kind == "parquet":
            raise ArgumentError(
                "'format' must be 'jsonl' or 'csv' to read standard input (got 'parquet'); "
                "Parquet is read from its end, so save it to a file and give its path"
            )
    else:
        check_file(name)  # a missing file or a folder is that, whatever its name says
        kind = _format_of(name, format)
    rows_of: Callable[[], Rows]
    known_latest = None
    if kind == "jsonl":
        rows_of = partial(jsonl_rows, name)
    elif kind == "csv":
        rows_of = partial(csv_rows, name, fields.traits)
    else:
        parquet = open_parquet()
        rows_of = partial(parquet_rows, parquet, name)
        known_latest = partial(parquet_latest, parquet, name, fields.time)
    source = EventSource(
        rows_of,
        make_converter(fields, timezone, None),
        source=STDIN_NAME if name == STDIN else name,
        strict=strict,
        reiterable=name != STDIN,
    )
    source.known_latest = known_latest
    return source


def _format_of(name: str, format: str | None) -> str:
    """Return the format asked for, or the one the file name's suffix says."""
    choices = ", ".join(f"'{choice}'" for choice in FORMATS)
    if format is not None:
        if format not in FORMATS:
            raise UnknownFormatError(f"unknown events format '{format}'; use one of {choices}")
        return format
    suffix = Path(name).suffix.lower()
    if suffix not in _FORMAT_OF_SUFFIX:
        raise UnknownFormatError(
            f"cannot tell the format of '{name}' from its name; name it .jsonl, .csv or "
            f".parquet, or give the format ({choices})"
        )
    return _FORMAT_OF_SUFFIX[suffix]

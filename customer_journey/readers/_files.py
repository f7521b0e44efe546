"""Events from data files: JSON Lines, CSV and Parquet, streamed, never loaded whole.

Rows are numbered the way a marketer finds them in the file: the line for JSON Lines and CSV
(the CSV header is line 1), the row number for Parquet. Blank lines are skipped, not counted.
"""

from __future__ import annotations

import csv
import json
import os
from collections.abc import Callable, Iterator
from datetime import tzinfo
from functools import partial
from pathlib import Path

from customer_journey.errors import CustomerJourneyError
from customer_journey.model import EventFields
from customer_journey.readers._parquet import open_parquet, parquet_rows
from customer_journey.readers._records import Unreadable, make_converter
from customer_journey.readers._source import EventSource, Rows

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


def from_file(
    path: str | os.PathLike[str],
    *,
    fields: EventFields,
    timezone: tzinfo,
    format: str | None = None,
    strict: bool = False,
) -> EventSource:
    """Read events from a JSON Lines, CSV or Parquet file; every pass re-opens the file.

    Args:
        path: the file.
        fields: which field (column) holds the customer, type, time, id, channel and traits.
        timezone: the timezone times without an offset are read in.
        format: `jsonl`, `csv` or `parquet`; by default told from the file name's suffix
            (`.jsonl`, `.ndjson` and `.json` hold one JSON record per line).
        strict: raise `RecordError` at the first bad record instead of rejecting it.

    Raises:
        UnknownFormatError: the format is not one of those, or the suffix does not say.
        FileNotFoundError: there is no such file.
        MissingDependencyError: a Parquet file, and pyarrow is not installed.
    """
    name = os.fspath(path)
    kind = _format_of(name, format)
    if not Path(name).is_file():
        raise FileNotFoundError(f"no events file '{name}'; check the path")
    rows_of: Callable[[], Rows]
    if kind == "jsonl":
        rows_of = partial(_jsonl_rows, name)
    elif kind == "csv":
        rows_of = partial(_csv_rows, name, fields.traits)
    else:
        rows_of = partial(parquet_rows, open_parquet(), name)
    return EventSource(
        rows_of,
        make_converter(fields, timezone, None),
        source=name,
        strict=strict,
        reiterable=True,
    )


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


def _jsonl_rows(name: str) -> Iterator[tuple[int, object]]:
    """Yield (line, record) for each non-blank line; a line that is not JSON is `Unreadable`."""
    loads = json.loads
    with Path(name).open("rb") as stream:
        for line_number, line in enumerate(stream, 1):
            try:
                record = loads(line)
            except ValueError as exc:
                if not line.strip():
                    continue
                record = Unreadable(
                    line.decode("utf-8", "replace").rstrip("\r\n"), _json_problem(exc)
                )
            yield line_number, record


def _json_problem(exc: ValueError) -> str:
    """Say why a line is not JSON, in words (json's own messages start upper-case)."""
    if isinstance(exc, json.JSONDecodeError):
        message = exc.msg[:1].lower() + exc.msg[1:]
        return f"not valid JSON: {message} at column {exc.colno}"
    return "not valid JSON: the line is not UTF-8 text"


def _csv_rows(name: str, traits_key: str) -> Iterator[tuple[int, object]]:
    """Yield (line, record) for each data row; `<traits>.<name>` columns become traits."""
    trait_prefix = traits_key + "."
    with Path(name).open(newline="", encoding="utf-8-sig") as stream:
        reader = csv.reader(stream)
        header = next(reader, None)
        while header == []:
            header = next(reader, None)
        if header is None:
            return
        columns = [
            (column[len(trait_prefix) :], True)
            if column.startswith(trait_prefix)
            else (column, False)
            for column in header
        ]
        last_line = reader.line_num
        for cells in reader:
            line_number, last_line = last_line + 1, reader.line_num
            if not cells:
                continue
            if len(cells) > len(columns):
                yield (
                    line_number,
                    Unreadable(
                        cells,
                        f"has {len(cells)} values but the header names {len(columns)} columns",
                    ),
                )
                continue
            record: dict[str, object] = {}
            traits: dict[str, object] = {}
            for (column, is_trait), cell in zip(columns, cells, strict=False):
                if cell:
                    (traits if is_trait else record)[column] = _cell_value(cell)
            if traits:
                record[traits_key] = traits
            yield line_number, record


def _cell_value(text: str) -> object:
    """Read a CSV cell: numbers that round-trip exactly, `true`/`false`, else the text.

    `42` is 42 and `42.5` is 42.5, but `007`, `1e3` and `42.50` stay text: a cell becomes a
    number only when writing the number back gives the same text, so ids keep their zeros.
    """
    first = text[0]
    if first.isdigit() or (first == "-" and text[1:2].isdigit()):
        try:
            number: float = int(text)
        except ValueError:
            try:
                number = float(text)
            except ValueError:
                return text
        return number if repr(number) == text else text
    if text == "true":
        return True
    if text == "false":
        return False
    return text

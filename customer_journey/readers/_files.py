"""Events from data files: JSON Lines, CSV and Parquet, streamed, never loaded whole.

Rows are numbered the way a marketer finds them in the file: the line for JSON Lines and CSV
(the CSV header is line 1), the row number for Parquet. Blank lines are skipped, not counted.
"""

from __future__ import annotations

import codecs
import csv
import json
import os
from collections.abc import Callable, Iterator
from datetime import tzinfo
from functools import partial
from pathlib import Path
from typing import Any

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
#: A CSV cell may be a number or a boolean only if it starts with one of these.
_TYPED_START = "0123456789-tf"
_BOOLEANS = {"true": True, "false": False}
#: What `_reread` says of a blank line.
_BLANK = object()


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


# The decoder's C scanner (`json.loads` calls it too); typeshed does not declare the attribute.
_SCAN: Callable[[str, int], tuple[Any, int]] = json.JSONDecoder().scan_once  # type: ignore[attr-defined]


def _loads(text: str) -> object:
    """`json.loads` for one line, twice as fast on the usual line: an object, then a newline.

    `json.loads` wraps the C scanner in two whitespace regex matches and a Python call; a
    line that starts with `{` needs neither. Anything else, including every malformed line,
    goes through `json.loads` itself, so errors read the same.
    """
    if text[:1] == "{":
        try:
            record, end = _SCAN(text, 0)
        except (StopIteration, ValueError):
            return json.loads(text)
        if end == len(text) or text[end:].isspace():
            return record
    return json.loads(text)


def _jsonl_rows(name: str) -> Iterator[tuple[int, object]]:
    """Yield (line, record) for each non-blank line; a line that is not JSON is `Unreadable`."""
    loads = _loads
    with Path(name).open("rb") as stream:
        for line_number, line in enumerate(stream, 1):
            try:
                record = loads(line.decode())
            except ValueError as exc:
                record = _reread(line, exc, first=line_number == 1)
                if record is _BLANK:
                    continue
            yield line_number, record


def _reread(line: bytes, exc: ValueError, *, first: bool) -> object:
    """Look again at a line that did not parse: blank, a byte order mark, or not JSON."""
    if first and line.startswith(codecs.BOM_UTF8):
        line = line[len(codecs.BOM_UTF8) :]
        try:
            return json.loads(line.decode())
        except ValueError as again:
            exc = again
    if not line.strip():
        return _BLANK
    return Unreadable(line.decode("utf-8", "replace").rstrip("\r\n"), _json_problem(exc))


def _json_problem(exc: ValueError) -> str:
    """Say why a line is not JSON, in words (json's own messages start upper-case)."""
    if isinstance(exc, json.JSONDecodeError):
        message = exc.msg[:1].lower() + exc.msg[1:].removesuffix(" at")  # "...character at"
        return f"not valid JSON: {message} at column {exc.colno}"
    return "not valid JSON: the line is not UTF-8 text"


def _csv_rows(name: str, traits_key: str) -> Iterator[tuple[int, object]]:
    """Yield (line, record) for each data row; `<traits>.<name>` columns become traits."""
    with Path(name).open(newline="", encoding="utf-8-sig") as stream:
        reader = csv.reader(stream)
        header = next(reader, None)
        while header == []:
            header = next(reader, None)
        if header is None:
            return
        width = len(header)
        prefix = traits_key + "."
        trait_columns = [
            (column, column[len(prefix) :]) for column in header if column.startswith(prefix)
        ]
        last_line = reader.line_num
        for cells in reader:
            line_number, last_line = last_line + 1, reader.line_num
            if not cells:
                continue
            if len(cells) > width:
                reason = f"has {len(cells)} values but the header names {width} columns"
                yield line_number, Unreadable(cells, reason)
                continue
            record: dict[str, object] = {}
            for column, cell in zip(header, cells, strict=False):
                if cell:
                    record[column] = _cell_value(cell) if cell[0] in _TYPED_START else cell
            if trait_columns:
                traits = {
                    trait: record.pop(column) for column, trait in trait_columns if column in record
                }
                if traits:
                    record[traits_key] = traits
            yield line_number, record


def _cell_value(text: str) -> object:
    """Read a CSV cell: numbers that round-trip exactly, `true`/`false`, else the text.

    `42` is 42 and `42.5` is 42.5, but `007`, `1e3` and `42.50` stay text: a cell becomes a
    number only when writing the number back gives the same text, so ids keep their zeros.
    """
    if text in _BOOLEANS:
        return _BOOLEANS[text]
    digits = text[1:] if text[0] == "-" else text
    if digits.isdigit():
        try:
            whole = int(text)
        except ValueError:  # digits Python does not read (`²`), or too many of them
            return text
        return whole if str(whole) == text else text
    integral, dot, fraction = digits.partition(".")
    if dot and integral.isdigit() and fraction.isdigit():
        real = float(text)
        return real if repr(real) == text else text
    return text

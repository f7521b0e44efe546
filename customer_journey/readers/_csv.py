"""CSV rows: a header, then a record per row, and a rejection, never an abort, for a bad row.

Bytes are decoded with `surrogateescape`, so a byte that is not UTF-8 survives decoding as
a marker; the line that holds one is noted, and the row it belongs to is rejected alone
(`bad-encoding`), naming the byte and its column. A line longer than `MAX_LINE_LENGTH`
characters is skipped in bounded chunks and its row rejected (`line-too-long`); a value
longer than the csv module's `field_size_limit()` (`value-too-long`), or anything else the
csv module cannot split (`not-csv`), rejects its row and the reading goes on. A header that
cannot be read makes the whole file unreadable: `DataFileError`.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from functools import partial
from typing import TextIO

from customer_journey.errors import DataFileError
from customer_journey.readers._records import Unreadable
from customer_journey.readers._streams import (
    MAX_LINE_LENGTH,
    opened,
    skip_rest_of_line,
)

__all__ = ["csv_rows"]

#: A CSV cell may be a number or a boolean only if it starts with one of these.
_TYPED_START = "0123456789-tf"
_BOOLEANS = {"true": True, "false": False}
#: What bounds each `readline`: the longest line, and room for its line end (`\r\n`).
_READ_SIZE = MAX_LINE_LENGTH + 2
_LINE_ENDS = ("\n", "\r")
#: `surrogateescape` decodes the byte 0xNN that is not UTF-8 as the character U+DCNN.
_ESCAPED_BYTE = 0xDC00

#: A line that cannot be read: (its line number, the code, what is wrong with it).
Trouble = tuple[int, str, str]


def csv_rows(name: str, traits_key: str) -> Iterator[tuple[int, object]]:
    """Yield (line, record) for each data row; `<traits>.<name>` columns become traits."""
    with opened(name) as binary:
        stream = io.TextIOWrapper(
            binary, encoding="utf-8-sig", errors="surrogateescape", newline=""
        )
        try:
            yield from _rows(name, stream, traits_key)
        finally:
            stream.detach()  # `opened` closes the file, and never standard input


def _rows(name: str, stream: TextIO, traits_key: str) -> Iterator[tuple[int, object]]:
    """The rows of a decoded stream; the line numbers are those of each row's first line."""
    troubles: list[Trouble] = []
    reader = csv.reader(_lines(stream, troubles))
    header = _header(name, reader, troubles)
    if header is None:
        return
    width = len(header)
    prefix = traits_key + "."
    trait_columns = [
        (column, column[len(prefix) :]) for column in header if column.startswith(prefix)
    ]
    last_line = reader.line_num
    while True:
        try:
            for cells in reader:
                line_number, last_line = last_line + 1, reader.line_num
                if troubles:
                    yield line_number, _troubled(cells, troubles, line_number)
                    continue
                if not cells:
                    continue
                if len(cells) > width:
                    reason = f"has {len(cells)} values but the header names {width} columns"
                    yield line_number, Unreadable(cells, reason, "too-many-values")
                    continue
                record: dict[str, object] = {}
                for column, cell in zip(header, cells, strict=False):
                    if cell:
                        record[column] = _cell_value(cell) if cell[0] in _TYPED_START else cell
                if trait_columns:
                    traits = {
                        trait: record.pop(column)
                        for column, trait in trait_columns
                        if column in record
                    }
                    if traits:
                        record[traits_key] = traits
                yield line_number, record
        except csv.Error as error:
            # The csv reader starts afresh on the next line: reject this row, go on.
            line_number, last_line = last_line + 1, reader.line_num
            troubles.clear()
            yield line_number, Unreadable(None, *_csv_problem(error))
            continue
        return


def _lines(stream: TextIO, troubles: list[Trouble]) -> Iterator[str]:
    """The stream's lines for the csv reader, noting in `troubles` those it cannot read.

    A line too long is replaced by an empty one (after skipping the rest of it), so the
    csv reader still ends the row there and the row is the one rejected.
    """
    readline = partial(stream.readline, _READ_SIZE)
    for number, line in enumerate(iter(readline, ""), 1):
        if len(line) > MAX_LINE_LENGTH and len(line.rstrip("\r\n")) > MAX_LINE_LENGTH:
            skip_rest_of_line(stream.readline, line, _LINE_ENDS)
            what = f"is longer than {MAX_LINE_LENGTH:,} characters, the most a line may hold"
            troubles.append((number, "line-too-long", what))
            yield "\n"
            continue
        if not line.isascii():
            try:
                line.encode()
            except UnicodeEncodeError as error:
                byte = ord(line[error.start]) - _ESCAPED_BYTE
                what = f"is not UTF-8 text (byte 0x{byte:02x} at column {error.start + 1})"
                troubles.append((number, "bad-encoding", what))
        yield line


def _header(name: str, reader: Iterator[list[str]], troubles: list[Trouble]) -> list[str] | None:
    """The first non-blank row, or None for a file without one.

    Raises:
        DataFileError: the header line cannot be read: no row could be read right.
    """
    try:
        for cells in reader:
            if troubles:
                line, code, what = troubles[0]
                raise DataFileError(name, f"its header (line {line}) {what}", code)
            if cells:
                return cells
    except csv.Error as error:
        reason, code = _csv_problem(error)
        raise DataFileError(name, f"its header cannot be read: {reason}", code) from None
    return None


def _troubled(cells: list[str], troubles: list[Trouble], row: int) -> Unreadable:
    """The rejection of a row with a line that cannot be read, the first such line's."""
    line, code, what = troubles[0]
    troubles.clear()
    where = "the line" if line == row else f"line {line}"
    # Bytes that are not UTF-8 are shown as U+FFFD: the record must be writable as text.
    shown = [cell.encode("utf-8", "surrogateescape").decode("utf-8", "replace") for cell in cells]
    return Unreadable(shown, f"{where} {what}", code)


def _csv_problem(error: csv.Error) -> tuple[str, str]:
    """Say why the csv module could not split a row, in words, with its code."""
    message = str(error)
    if message.startswith("field larger than field limit"):
        return (
            f"a value is longer than {csv.field_size_limit():,} characters, the most a CSV "
            "value may hold; is a quote left open?",
            "value-too-long",
        )
    return f"not valid CSV: {message}", "not-csv"


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

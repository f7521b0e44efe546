"""JSON Lines rows: one record per line, and a rejection, never an abort, for a bad line.

A line is rejected alone when it is not UTF-8 (`bad-encoding`), not JSON (`not-json`),
longer than `MAX_LINE_LENGTH` bytes (`line-too-long`; it is skipped in bounded chunks,
never held whole), nested deeper than `MAX_DEPTH` (`too-deep`; Python's parser would
otherwise run out of stack), holds a number of more digits than Python reads
(`number-too-long`) or text that is not Unicode, an unpaired UTF-16 surrogate escape
(`bad-encoding`; it could not be written out again).

A line is parsed by orjson, about three times faster than Python's `json`; a line orjson
refuses, or reads differently, is read again the old way, so every reason reads the same.
orjson refuses `NaN` and `Infinity` (which `json` reads, and so do we), lone surrogate
escapes, byte order marks and bad lines; it would read an integer beyond 64 bits as a
float, so a line with a run of 19 digits (a number that may be that long) is read by
`json` alone, as is a line with enough brackets to nest more than `MAX_DEPTH` deep. These
checks cost the usual line two character searches and a translation.
"""

from __future__ import annotations

import codecs
import json
import re
from collections.abc import Callable, Iterator
from functools import partial
from typing import Any

import orjson

from customer_journey.readers._records import Unreadable, show
from customer_journey.readers._streams import MAX_LINE_LENGTH, opened, skip_rest_of_line

__all__ = ["MAX_DEPTH", "jsonl_rows"]

#: The deepest nesting a record may have: `{"traits": {"a": 1}}` is 2 levels deep.
MAX_DEPTH = 64

#: What `_reread` says of a blank line.
_BLANK = object()
#: What bounds each `readline`: the longest line, and room for its line end (`\r\n`).
_READ_SIZE = MAX_LINE_LENGTH + 2
_LINE_ENDS = (b"\n",)
#: Every digit made a 9, so that `_LONG_NUMBER` finds a run of 19 digits by a plain search:
#: the shortest integer orjson reads as a float (beyond -2**63 .. 2**64 - 1) has 19.
_DIGITS = bytes.maketrans(b"0123456789", b"9" * 10)
_LONG_NUMBER = b"9" * 19
#: The characters that matter when measuring how deep a line nests.
_JSON_SYNTAX = re.compile(r'[\[\]{}"\\]')
#: An escaped UTF-16 surrogate: paired it is one character (an emoji), alone it is not text.
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")


class _BadLineError(ValueError):
    """A line refused for a reason of our own (too deep, not Unicode) rather than json's."""

    def __init__(self, reason: str, code: str) -> None:
        super().__init__(reason)
        self.reason = reason
        self.code = code


def jsonl_rows(name: str) -> Iterator[tuple[int, object]]:
    """Yield (line, record) for each non-blank line; a bad line's record is `Unreadable`."""
    fast_loads = orjson.loads
    refused = orjson.JSONDecodeError
    digits, long_number = _DIGITS, _LONG_NUMBER
    with opened(name) as stream:
        readline = partial(stream.readline, _READ_SIZE)
        for line_number, line in enumerate(iter(readline, b""), 1):
            if len(line) > MAX_LINE_LENGTH and len(line.rstrip(b"\r\n")) > MAX_LINE_LENGTH:
                skip_rest_of_line(stream.readline, line, _LINE_ENDS)
                yield line_number, _too_long(line)
                continue
            # What orjson would read differently (see the module's docstring) goes to `json`.
            if (
                (line.rfind(b"{") > 0 or b"[" in line)
                and line.count(b"{") + line.count(b"[") > MAX_DEPTH
            ) or long_number in line.translate(digits):
                record = _read_slowly(line, line_number)
            else:
                try:
                    record = fast_loads(line)
                except refused:
                    record = _read_slowly(line, line_number)
            if record is not _BLANK:
                yield line_number, record


def _read_slowly(line: bytes, line_number: int) -> object:
    """A line read with Python's `json`: its record, an `Unreadable`, or `_BLANK`."""
    try:
        return _record(line.decode())
    except ValueError as exc:
        return _reread(line, exc, first=line_number == 1)


# The decoder's C scanner (`json.loads` calls it too); typeshed does not declare the attribute.
_SCAN: Callable[[str, int], tuple[Any, int]] = json.JSONDecoder().scan_once  # type: ignore[attr-defined]


def _record(text: str) -> object:
    """The record a line holds, or `ValueError` (or `_BadLineError`) saying why not."""
    record = _loads(text)
    if "\\" in text:
        _check_text(text, record)
    return record


def _loads(text: str) -> object:
    """`json.loads` for one line, twice as fast on the usual line: an object, then a newline.

    `json.loads` wraps the C scanner in two whitespace regex matches and a Python call; a
    line that starts with `{` needs neither. Anything else, including every malformed line,
    goes through `json.loads` itself, so errors read the same. A line nested too deep is
    refused before parsing.
    """
    # The usual line, one object and no array, cannot nest: two character searches say so,
    # several times cheaper than counting brackets.
    if (text.rfind("{") > 0 or "[" in text) and _too_deep(text):
        raise _BadLineError(f"the record is nested more than {MAX_DEPTH} levels deep", "too-deep")
    if text[:1] == "{":
        try:
            record, end = _SCAN(text, 0)
        except (StopIteration, ValueError):
            return json.loads(text)
        if end == len(text) or text[end:].isspace():
            return record
    return json.loads(text)


def _too_deep(text: str) -> bool:
    """Whether a line nests more than `MAX_DEPTH` levels, brackets in strings aside."""
    if text.count("{") + text.count("[") <= MAX_DEPTH:  # too few brackets to nest so deep
        return False
    depth = 0
    in_string = False
    escaped_at = -1
    for match in _JSON_SYNTAX.finditer(text):
        at = match.start()
        char = text[at]
        if in_string:
            if at == escaped_at:
                continue
            if char == "\\":
                escaped_at = at + 1
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            if depth > MAX_DEPTH:
                return True
        elif char in "]}":
            depth -= 1
    return False


def _check_text(text: str, record: object) -> None:
    """Refuse a record holding an unpaired surrogate: no UTF-8 output could write it."""
    if _SURROGATE_ESCAPE.search(text) is None:
        return
    try:
        json.dumps(record, ensure_ascii=False).encode()
    except UnicodeEncodeError:
        raise _BadLineError(
            "the line holds text that is not Unicode (an unpaired escape such as \\ud800)",
            "bad-encoding",
        ) from None


def _too_long(line: bytes) -> Unreadable:
    """The rejection of a line longer than `MAX_LINE_LENGTH`; its record is its start."""
    return Unreadable(
        show(line.decode("utf-8", "replace")),
        f"the line is longer than {MAX_LINE_LENGTH:,} bytes, the most a line may hold",
        "line-too-long",
    )


def _reread(line: bytes, exc: ValueError, *, first: bool) -> object:
    """Look again at a line that did not parse: blank, a byte order mark, or not JSON."""
    if first and line.startswith(codecs.BOM_UTF8):
        line = line[len(codecs.BOM_UTF8) :]
        try:
            return _record(line.decode())
        except ValueError as again:
            exc = again
    if not line.strip():
        return _BLANK
    return Unreadable(line.decode("utf-8", "replace").rstrip("\r\n"), *_json_problem(exc))


def _json_problem(exc: ValueError) -> tuple[str, str]:
    """Say why a line is not a record, in words, with its code."""
    if isinstance(exc, _BadLineError):
        return exc.reason, exc.code
    if isinstance(exc, json.JSONDecodeError):
        # json's own messages start upper-case and may end "...character at".
        message = exc.msg[:1].lower() + exc.msg[1:].removesuffix(" at")
        return f"not valid JSON: {message} at column {exc.colno}", "not-json"
    if isinstance(exc, UnicodeDecodeError):
        return "not valid JSON: the line is not UTF-8 text", "bad-encoding"
    # The one other refusal: an integer longer than Python reads (4,300 digits by default).
    return (
        "a number in the line has thousands of digits, more than can be read; write it as text",
        "number-too-long",
    )

"""JSON Lines rows: one record per line, and a rejection, never an abort, for a bad line.

A line is rejected alone when it is not UTF-8 (`bad-encoding`), not JSON (`not-json`),
longer than `MAX_LINE_LENGTH` bytes (`line-too-long`; it is skipped in bounded chunks,
never held whole), nested deeper than `MAX_DEPTH` (`too-deep`; Python's parser would
otherwise run out of stack), holds a number of more digits than Python reads
(`number-too-long`) or text that is not Unicode, an unpaired UTF-16 surrogate escape
(`bad-encoding`; it could not be written out again). The checks cost the usual line a
bracket count and two character searches.
"""

from __future__ import annotations

import codecs
import json
import re
from collections.abc import Callable, Iterator
from functools import partial
from typing import Any

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
    loads = _loads
    with opened(name) as stream:
        readline = partial(stream.readline, _READ_SIZE)
        for line_number, line in enumerate(iter(readline, b""), 1):
            if len(line) > MAX_LINE_LENGTH and len(line.rstrip(b"\r\n")) > MAX_LINE_LENGTH:
                skip_rest_of_line(stream.readline, line, _LINE_ENDS)
                yield line_number, _too_long(line)
                continue
            try:
                text = line.decode()
                record = loads(text)
                if "\\" in text:  # `_record`, inline: one call less on every line
                    _check_text(text, record)
            except ValueError as exc:
                record = _reread(line, exc, first=line_number == 1)
                if record is _BLANK:
                    continue
            yield line_number, record


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

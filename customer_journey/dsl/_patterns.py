r"""`matches` patterns, compiled with RE2 so that no text can make a match slow.

Python's `re` backtracks: `^(a+)+$` takes minutes on thirty characters. RE2 matches in time
linear in the text, and refuses what it cannot do so: backreferences, lookaround and
repetitions of more than 1000. Where Python and RE2 only spell a pattern differently,
Python's meaning is kept: `{,3}` is `{0,3}`, `{01}` is `{1}`, `\Z` is the end of the text.
What differs still: `\d`, `\w`, `\s` and `\b` are ASCII-only, and `$` matches only at the
very end (Python's also before a final newline).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from typing import Any

import re2  # type: ignore[import-untyped]  # google-re2 ships no type hints

from customer_journey.dsl import limits

__all__ = ["PatternError", "Patterns", "pattern_test"]

#: RE2's largest repetition count.
_MOST_REPEATS = 1000

_OPTIONS = re2.Options()
_OPTIONS.log_errors = False  # RE2 would print every refused pattern to stderr

#: Python's syntax, as far as braces go: escapes (with RE2's `\p{..}` and `\x{..}`),
#: character classes (with POSIX ones such as `[:alpha:]`), and repetitions.
_TOKEN = re.compile(
    r"""
    (?P<escape> \\[pPx]\{[^}]*\} | \\. )
    | \[\^?\]?(?:\[:\^?[a-z]+:\]|\\.|[^\]\\])*\]
    | \{ (?P<low>[0-9]*) (?P<comma>,?) (?P<high>[0-9]*) \}
    """,
    re.VERBOSE | re.DOTALL,
)
_NO_LINEAR_TIME = (
    "RE2, which matches in linear time, does not support backreferences or lookaround; "
    "test the text another way, or split the test into several conditions"
)
_HINTS = (
    ("invalid perl operator: (?=", _NO_LINEAR_TIME),
    ("invalid perl operator: (?!", _NO_LINEAR_TIME),
    ("invalid perl operator: (?<", _NO_LINEAR_TIME),
    ("invalid perl operator: (?P", _NO_LINEAR_TIME),
    *((f"invalid escape sequence: \\{digit}", _NO_LINEAR_TIME) for digit in "123456789"),
    ("invalid repetition size", "write {m,n} with m <= n <= 1000, nested ones multiplied"),
    ("pattern too large", "use fewer or smaller repetitions"),
)


class PatternError(ValueError):
    """A pattern RE2 cannot run: `reason` says why, `hint` what to write instead."""

    def __init__(self, reason: str, hint: str | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.hint = hint


class Patterns:
    """Compiles the `matches` patterns of one journey, within `MAX_PATTERN_SIZE` together."""

    def __init__(self) -> None:
        self._size = 0
        self._compiled: dict[str, Callable[[str], bool]] = {}

    def compile(self, pattern: str) -> Callable[[str], bool]:
        """Return a test of whether `pattern` is found in a text (`re.search`'s meaning).

        Raises:
            PatternError: RE2 cannot run the pattern, or the journey's patterns are too
                large together.
        """
        found = self._compiled.get(pattern)
        if found is not None:
            return found
        too_large = PatternError(
            f"the journey's patterns are larger than {limits.MAX_PATTERN_SIZE:,} RE2 "
            "instructions together",
            "use fewer or smaller repetitions ('.{1000}' alone is 8,000 instructions)",
        )
        if self._size >= limits.MAX_PATTERN_SIZE:
            raise too_large
        try:
            compiled = re2.compile(_as_python_means(pattern), _OPTIONS)
        except re2.error as error:
            raise _refused(error) from None
        self._size += compiled.programsize
        if self._size > limits.MAX_PATTERN_SIZE:
            raise too_large
        found = self._compiled[pattern] = _search(compiled)
        return found


@functools.lru_cache(maxsize=256)
def pattern_test(pattern: str) -> Callable[[str], bool] | None:
    """The test a `matches` condition runs for `pattern` alone, or None when RE2 refuses it.

    For tools that try texts against a journey's patterns (the simulator, path generation):
    the same compiled form and meaning as replay's, in linear time.
    """
    try:
        return Patterns().compile(pattern)
    except PatternError:
        return None


def _search(compiled: Any) -> Callable[[str], bool]:
    search = compiled.search

    def found(text: str) -> bool:
        try:
            return search(text) is not None
        except UnicodeEncodeError:  # a lone surrogate (JSON's "\ud800"): RE2 reads UTF-8
            return search(text.encode("utf-8", "surrogatepass")) is not None

    return found


def _as_python_means(pattern: str) -> str:
    r"""Spell the braces and `\Z` of `pattern` so that RE2 reads them as Python does.

    Raises:
        PatternError: a repetition of more than 1000.
    """
    parts: list[str] = []
    done = 0
    for token in _TOKEN.finditer(pattern):
        if token["escape"] == "\\Z":
            replacement = "\\z"
        elif token["low"] is not None and (token["low"] or token["comma"]):
            replacement = _repetition(token[0], token["low"], token["comma"], token["high"])
        else:
            continue
        parts += [pattern[done : token.start()], replacement]
        done = token.end()
    return "".join([*parts, pattern[done:]])


def _repetition(written: str, low: str, comma: str, high: str) -> str:
    """`{m}`, `{m,}` or `{m,n}` as RE2 writes them; `{,n}` means `{0,n}` as in Python."""
    for count in (low, high):
        if count and (len(count) > len(str(_MOST_REPEATS)) or int(count) > _MOST_REPEATS):
            raise PatternError(
                f"'{written}' repeats more than {_MOST_REPEATS} times",
                f"RE2, which matches in linear time, allows up to {{{_MOST_REPEATS}}}; "
                "use '+' or '*' for any number",
            )
    least = int(low or 0)
    if not comma:
        return f"{{{least}}}"
    return f"{{{least},{int(high)}}}" if high else f"{{{least},}}"


def _refused(error: Exception) -> PatternError:
    """Say RE2's error as a `PatternError`: `missing ): ^/a(` becomes `missing ) at '^/a('`."""
    raw = error.args[0] if error.args else ""
    text = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else str(raw)
    kind, _, fragment = text.partition(": ")
    reason = f"{kind} at '{fragment}'" if fragment else kind
    hint = next((hint for start, hint in _HINTS if text.startswith(start)), None)
    return PatternError(reason, hint)

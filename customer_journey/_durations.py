"""Durations as marketers write them: an integer and a unit (`90m`, `36h`, `30d`, `2w`)."""

from __future__ import annotations

import re
from datetime import timedelta

__all__ = [
    "DURATION_PATTERN",
    "LONGEST",
    "LONGEST_TEXT",
    "describe_duration",
    "format_duration",
    "is_too_long",
    "parse_duration",
]

#: The JSON Schema pattern and the parser agree on this form; there are no months.
DURATION_PATTERN = r"^[0-9]+[smhdw]$"

#: The longest duration a journey or a scenario may name: 100 years. Longer ones would
#: carry times past the year 9999, which Python's datetimes cannot hold.
LONGEST = timedelta(days=36500)
#: How `LONGEST` is spelled in messages.
LONGEST_TEXT = "36500d (100 years)"

_DURATION = re.compile(DURATION_PATTERN)
_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}
_LONGEST_SECONDS = int(LONGEST.total_seconds())
#: More digits than this make any unit longer than `LONGEST` (and are never parsed).
_MOST_DIGITS = len(str(_LONGEST_SECONDS))
_EXACT_UNITS = (("d", 86400), ("h", 3600), ("m", 60))
_COMPOUND_UNITS = (("d", 86400), ("h", 3600), ("m", 60), ("s", 1))


def parse_duration(text: object) -> timedelta | None:
    """Return the duration `text` spells, or None when it is not a duration.

    Integers without a unit are not durations: `7` could mean days or hours, so the
    marketer must say which. Durations longer than `LONGEST` are not either
    (`is_too_long` tells them apart, for messages).
    """
    seconds = _seconds(text)
    if seconds is None or seconds > _LONGEST_SECONDS:
        return None
    return timedelta(seconds=seconds)


def is_too_long(text: object) -> bool:
    """Whether `text` is written as a duration but is longer than `LONGEST`."""
    seconds = _seconds(text)
    return seconds is not None and seconds > _LONGEST_SECONDS


def _seconds(text: object) -> int | None:
    """The seconds `text` spells (more than `LONGEST` for absurdly many digits), else None."""
    # fullmatch: `$` alone would also accept a final newline (`7d\n`).
    if not isinstance(text, str) or not _DURATION.fullmatch(text):
        return None
    digits = text[:-1].lstrip("0")
    if len(digits) > _MOST_DIGITS:
        return _LONGEST_SECONDS + 1
    return int(digits or 0) * _UNIT_SECONDS[text[-1]]


def format_duration(value: timedelta) -> str:
    """Spell a duration the way the DSL writes it, in its largest exact unit (`36h`, `14d`).

    Weeks are shown as days, which reads more plainly. The result reads back with
    `parse_duration`. Sub-second parts are dropped; negative durations keep their sign.
    """
    seconds = int(value.total_seconds())
    sign = "-" if seconds < 0 else ""
    seconds = abs(seconds)
    for unit, size in _EXACT_UNITS:
        if seconds % size == 0:
            return f"{sign}{seconds // size}{unit}"
    return f"{sign}{seconds}s"


def describe_duration(value: timedelta) -> str:
    """Spell a measured duration for people, largest units first: `24d4h24m16s`, `1h30m`.

    Unlike `format_duration`, this never gives `2089456s` for an odd span.
    """
    seconds = int(value.total_seconds())
    sign = "-" if seconds < 0 else ""
    seconds = abs(seconds)
    parts = []
    for unit, size in _COMPOUND_UNITS:
        count, seconds = divmod(seconds, size)
        if count:
            parts.append(f"{count}{unit}")
    return sign + ("".join(parts) or "0s")

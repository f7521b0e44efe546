"""Instants as they arrive in event data, normalised to aware UTC datetimes.

Accepted forms, in the order they are tried:

- ISO-8601 text: `2026-01-01T10:00:00Z`, `2026-01-01T11:00:00+01:00`, `2026-01-01 10:00`,
  a date alone (`2026-01-01`, midnight), the basic form `20260101T100000Z`, any number of
  fraction digits (beyond microseconds they are cut). Text without an offset is read in the
  journey's timezone; a wall-clock time that occurs twice on a daylight-saving change is the
  first of the two, one that does not exist is read with the offset in force before the change.
- epoch numbers, as numbers or digit-only text (`1767225600`, `"1767225600.5"`): a magnitude
  above 1e11 means milliseconds, otherwise seconds. 1e11 seconds is in the year 5138 and 1e11
  milliseconds is in March 1973, so real data is never ambiguous. Digit-only text is always an
  epoch number: `20260101` is a moment in 1970, write the date as `2026-01-01`.
- `datetime` objects (naive ones are read in the journey's timezone) and `date` objects
  (midnight in the journey's timezone).

The common case, ISO text ending in `Z` or `+00:00`, takes one `fromisoformat` call.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable
from datetime import date, datetime, timedelta, timezone, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

__all__ = ["format_timestamp", "fromisoformat", "parse_timestamp", "to_zone"]

_UTC = timezone.utc
_EPOCH = datetime(1970, 1, 1, tzinfo=_UTC)

#: Epoch numbers with a larger magnitude are milliseconds (see the module docstring).
MILLISECONDS_ABOVE = 1e11

_EXPECTED = (
    "not a date and time; write it like 2026-01-01T10:00:00Z, 2026-01-01 "
    "or epoch seconds such as 1767225600"
)
_EPOCH_TEXT = re.compile(r"[+-]?[0-9]+(?:\.[0-9]*)?")
_ISO_TEXT = re.compile(
    r"""
    ([0-9]{4})-?([0-9]{2})-?([0-9]{2})
    (?:[T\ ]([0-9]{2})(?::?([0-9]{2})(?::?([0-9]{2})(?:[.,]([0-9]+))?)?)?)?
    \ ?(Z|[+-][0-9]{2}(?::?[0-9]{2})?)?
    """,
    re.IGNORECASE | re.VERBOSE,
)


def _fromisoformat_z(text: str) -> datetime:
    """Python 3.10's `fromisoformat` does not know `Z`; spell it `+00:00` first."""
    if text[-1:] == "Z":
        text = text[:-1] + "+00:00"
    return datetime.fromisoformat(text)


_fromisoformat: Callable[[str], datetime] = (
    datetime.fromisoformat if sys.version_info >= (3, 11) else _fromisoformat_z
)

#: `parse_timestamp`'s first step (`fromisoformat`, reading `Z` on Python 3.10 too), for hot
#: loops that try it inline and call `parse_timestamp` only when it does not give UTC.
fromisoformat = _fromisoformat


def to_zone(name: str) -> tzinfo:
    """Return the timezone an IANA name such as `Europe/Paris` stands for.

    Raises:
        ValueError: the name is not a known IANA timezone.
    """
    if name == "UTC":
        return _UTC
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(
            f"unknown timezone '{name}'; use an IANA name such as 'Europe/Paris' or 'UTC'"
        ) from None


def parse_timestamp(value: object, tz: tzinfo) -> datetime:  # noqa: PLR0911 - one flat dispatch, cheap for the common case
    """Return the instant `value` stands for, as an aware datetime in UTC.

    Args:
        value: ISO-8601 text, an epoch number (or digit-only text), a datetime or a date.
        tz: the timezone that text, datetimes and dates without an offset are read in.

    Raises:
        ValueError: `value` is not a time; the message says why, in the marketer's words.
    """
    if type(value) is str:
        try:
            parsed = _fromisoformat(value)
        except ValueError:
            return _parse_text(value, tz)
        zone = parsed.tzinfo
        if zone is _UTC:
            return parsed
        # `fromisoformat` also reads digits (3.11: `20260101`, an epoch number here) and any
        # character between date and time (`2026-01-01+05:00` would be 05:00): leave those
        # to the careful reader.
        if value[4:5] != "-" or value[10:11] not in "Tt ":
            return _parse_text(value, tz)
        if zone is None:
            if tz is _UTC and value[10:11]:
                # Ten times cheaper than `replace(tzinfo=...)`, and exactly the same instant.
                return _fromisoformat(value + "+00:00")
            return parsed.replace(tzinfo=tz).astimezone(_UTC)
        return parsed.astimezone(_UTC)
    if isinstance(value, str):
        return _parse_text(value, tz)
    if isinstance(value, bool):
        raise ValueError(_EXPECTED)
    if isinstance(value, (int, float)):
        return _from_epoch(value)
    if isinstance(value, datetime):
        return _from_datetime(value, tz)
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day, tzinfo=tz).astimezone(_UTC)
    raise ValueError(_EXPECTED)


def format_timestamp(dt: datetime) -> str:
    """Spell an aware datetime as ISO-8601 in UTC with `Z` (`2026-01-01T10:00:00Z`).

    Raises:
        ValueError: `dt` has no timezone, so the instant it means is unknown.
    """
    if dt.utcoffset() is None:
        raise ValueError(
            f"the time {dt.isoformat()} has no timezone; give it one, e.g. tzinfo=timezone.utc"
        )
    return dt.astimezone(_UTC).isoformat()[:-6] + "Z"


def _parse_text(value: str, tz: tzinfo) -> datetime:
    """Read the text forms the fast path leaves over (epoch digits, `Z` on 3.10, basic form)."""
    text = value.strip()
    if not text:
        raise ValueError("the time is empty; write it like 2026-01-01T10:00:00Z")
    if _EPOCH_TEXT.fullmatch(text):
        return _from_epoch(float(text) if "." in text else int(text))
    match = _ISO_TEXT.fullmatch(text)
    if match is None:
        raise ValueError(_EXPECTED)
    year, month, day, hour, minute, second, fraction, offset = match.groups()
    zone = tz if offset is None else _offset_zone(offset)
    try:
        parsed = datetime(
            int(year),
            int(month),
            int(day),
            int(hour or 0),
            int(minute or 0),
            int(second or 0),
            int((fraction or "0")[:6].ljust(6, "0")),
            tzinfo=zone,
        )
    except ValueError as exc:
        raise ValueError(str(exc)) from None
    return parsed.astimezone(_UTC)


def _offset_zone(offset: str) -> tzinfo:
    """Turn `Z`, `+01`, `+0130` or `+01:30` into a fixed-offset timezone."""
    if offset in ("Z", "z"):
        return _UTC
    digits = offset[1:].replace(":", "")
    hours, minutes = int(digits[:2]), int(digits[2:] or 0)
    if hours > 23 or minutes > 59:
        raise ValueError(f"the UTC offset {offset} is not a real offset; use one like +01:00")
    size = timedelta(hours=hours, minutes=minutes)
    return timezone(-size if offset[0] == "-" else size)


def _from_epoch(number: float) -> datetime:
    """Read epoch seconds, or milliseconds when the magnitude is above `MILLISECONDS_ABOVE`."""
    try:
        if abs(number) > MILLISECONDS_ABOVE:
            return _EPOCH + timedelta(milliseconds=number)
        return _EPOCH + timedelta(seconds=number)
    except (OverflowError, ValueError):
        raise ValueError(
            f"the epoch number {number} is not a time between the years 1 and 9999"
        ) from None


def _from_datetime(value: datetime, tz: tzinfo) -> datetime:
    """Normalise a datetime (or a subclass such as pandas' Timestamp) to a plain UTC one."""
    if type(value) is not datetime:
        value = datetime(
            value.year,
            value.month,
            value.day,
            value.hour,
            value.minute,
            value.second,
            value.microsecond,
            tzinfo=value.tzinfo,
            fold=value.fold,
        )
    if value.utcoffset() is None:
        value = value.replace(tzinfo=tz)
    return value.astimezone(_UTC)

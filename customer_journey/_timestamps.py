"""Instants as they arrive in event data, normalised to aware UTC datetimes.

Accepted forms, in the order they are tried:

- ISO-8601 text: `2026-01-01T10:00:00Z`, `2026-01-01T11:00:00+01:00`, `2026-01-01 10:00`,
  a date alone (`2026-01-01`, midnight), the basic form `20260101T100000Z`, any number of
  fraction digits (beyond microseconds they are cut). Text without an offset is read in the
  journey's timezone; a wall-clock time that occurs twice on a daylight-saving change is the
  first of the two, one that does not exist is read with the offset in force before the change.
- epoch numbers, as numbers or digit-only text (`1767225600`, `"1767225600.5"`): a magnitude
  above 1e11 means milliseconds, otherwise seconds. 1e11 seconds is in the year 5138 (outside
  the supported range) and 1e11 milliseconds is in March 1973, so real data is never
  ambiguous. Digit-only text is always an epoch number: `20260101` is a moment in 1970,
  write the date as `2026-01-01`.
- `datetime` objects (naive ones are read in the journey's timezone) and `date` objects
  (midnight in the journey's timezone).

Every instant must lie in the supported range, from `EARLIEST` (1900-01-01T00:00:00Z) up to,
not including, `LATEST` (3000-01-01T00:00:00Z); anything outside, however it is written
(year 1 with an offset, an epoch number in the year 5138, a `datetime` from Python), raises
`TimeOutOfRangeError`, a `ValueError`. No input makes `parse_timestamp` raise anything but
`ValueError`.

The common case, ISO text ending in `Z` or `+00:00`, takes one `fromisoformat` call and one
range comparison.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable
from datetime import date, datetime, timedelta, timezone, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

__all__ = [
    "EARLIEST",
    "LATEST",
    "SUPPORTED_RANGE",
    "TimeOutOfRangeError",
    "format_local",
    "format_timestamp",
    "fromisoformat",
    "parse_timestamp",
    "to_zone",
]

_UTC = timezone.utc
_EPOCH = datetime(1970, 1, 1, tzinfo=_UTC)

#: The earliest instant event data may hold.
EARLIEST = datetime(1900, 1, 1, tzinfo=_UTC)
#: The first instant after the supported range (exclusive).
LATEST = datetime(3000, 1, 1, tzinfo=_UTC)
#: The supported range in the words messages use.
SUPPORTED_RANGE = "1900-01-01 to 2999-12-31"

#: Epoch numbers with a larger magnitude are milliseconds (see the module docstring).
MILLISECONDS_ABOVE = 1e11

_EXPECTED = (
    "not a date and time; write it like 2026-01-01T10:00:00Z, 2026-01-01 "
    "or epoch seconds such as 1767225600"
)
_CHECK_YEAR = "check the year"
_CHECK_EPOCH = "epoch numbers count seconds since 1970-01-01, or milliseconds above 1e11"
#: Longest text a message quotes; longer text is cut, so a huge value makes a short message.
_SHOWN_CHARACTERS = 40
#: Epoch text this long is read as a float: `int` refuses thousands of digits, and any such
#: number, leading zeros aside, is far outside the range anyway.
_LONG_EPOCH_TEXT = 20
_EPOCH_TEXT = re.compile(r"[+-]?[0-9]+(?:\.[0-9]*)?")
_ISO_TEXT = re.compile(
    r"""
    ([0-9]{4})-?([0-9]{2})-?([0-9]{2})
    (?:[T\ ]([0-9]{2})(?::?([0-9]{2})(?::?([0-9]{2})(?:[.,]([0-9]+))?)?)?)?
    \ ?(Z|[+-][0-9]{2}(?::?[0-9]{2})?)?
    """,
    re.IGNORECASE | re.VERBOSE,
)


class TimeOutOfRangeError(ValueError):
    """A readable time outside the supported range (`EARLIEST` to `LATEST`).

    Attributes:
        shown: the value as the message spells it (ISO-8601, or text cut to a few words).
        fix: what to check; with `shown`, for messages that say where the value was.
    """

    def __init__(self, kind: str, shown: str, fix: str) -> None:
        super().__init__(
            f"the {kind} {shown} is outside the supported range {SUPPORTED_RANGE}; {fix}"
        )
        self.shown = shown
        self.fix = fix


def _fromisoformat_z(text: str) -> datetime:
    """Python 3.10's `fromisoformat` does not know `Z`; spell it `+00:00` first."""
    if text[-1:] == "Z":
        text = text[:-1] + "+00:00"
    return datetime.fromisoformat(text)


_fromisoformat: Callable[[str], datetime] = (
    datetime.fromisoformat if sys.version_info >= (3, 11) else _fromisoformat_z
)

#: `parse_timestamp`'s first step (`fromisoformat`, reading `Z` on Python 3.10 too), for hot
#: loops that try it inline and call `parse_timestamp` only when it does not give UTC (or
#: gives a time outside `EARLIEST` to `LATEST`).
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


def parse_timestamp(value: object, tz: tzinfo) -> datetime:  # noqa: PLR0911, PLR0912 - one flat dispatch, cheap for the common case
    """Return the instant `value` stands for, as an aware datetime in UTC.

    Args:
        value: ISO-8601 text, an epoch number (or digit-only text), a datetime or a date.
        tz: the timezone that text, datetimes and dates without an offset are read in.

    Raises:
        ValueError: `value` is not a time; the message says why, in the marketer's words.
            A `TimeOutOfRangeError` when it is a time outside `EARLIEST` to `LATEST`.
    """
    if type(value) is str:
        try:
            parsed = _fromisoformat(value)
        except ValueError:
            return _parse_text(value, tz)
        zone = parsed.tzinfo
        if zone is _UTC:
            if EARLIEST <= parsed < LATEST:
                return parsed
            raise _out_of_range(value)
        # `fromisoformat` also reads digits (3.11: `20260101`, an epoch number here) and any
        # character between date and time (`2026-01-01+05:00` would be 05:00): leave those
        # to the careful reader.
        if value[4:5] != "-" or value[10:11] not in "Tt ":
            return _parse_text(value, tz)
        if zone is None:
            if tz is _UTC and value[10:11]:
                # Ten times cheaper than `replace(tzinfo=...)`, and exactly the same instant.
                parsed = _fromisoformat(value + "+00:00")
                if EARLIEST <= parsed < LATEST:
                    return parsed
                raise _out_of_range(value)
            parsed = parsed.replace(tzinfo=tz)
        return _to_utc(parsed, value)
    if isinstance(value, str):
        return _parse_text(value, tz)
    if isinstance(value, bool):
        raise ValueError(_EXPECTED)
    if isinstance(value, (int, float)):
        return _from_epoch(value, value)
    if isinstance(value, datetime):
        return _from_datetime(value, tz)
    if isinstance(value, date):
        return _to_utc(datetime(value.year, value.month, value.day, tzinfo=tz), value)
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


def format_local(dt: datetime, zone: tzinfo) -> str:
    """Spell an instant for people: ISO-8601 in the journey's zone, with its offset.

    `2026-03-25T00:00:00+01:00` in Europe/Berlin; in UTC the same as `format_timestamp`
    (`2026-03-24T23:00:00Z`). Machine formats (JSONL, CSV, JSON) keep `format_timestamp`.

    Raises:
        ValueError: `dt` has no timezone, so the instant it means is unknown.
    """
    if zone is _UTC:
        return format_timestamp(dt)
    if dt.utcoffset() is None:
        raise ValueError(
            f"the time {dt.isoformat()} has no timezone; give it one, e.g. tzinfo=timezone.utc"
        )
    return dt.astimezone(zone).isoformat()


def _parse_text(value: str, tz: tzinfo) -> datetime:
    """Read the text forms the fast path leaves over (epoch digits, `Z` on 3.10, basic form)."""
    text = value.strip()
    if not text:
        raise ValueError("the time is empty; write it like 2026-01-01T10:00:00Z")
    if _EPOCH_TEXT.fullmatch(text):
        if "." in text or len(text) >= _LONG_EPOCH_TEXT:
            return _from_epoch(float(text), text)
        return _from_epoch(int(text), text)
    match = _ISO_TEXT.fullmatch(text)
    if match is None:
        raise ValueError(_EXPECTED)
    year, month, day, hour, minute, second, fraction, offset = match.groups()
    # An instant in range has a wall-clock year within one of the range's years, whatever
    # its offset (offsets are under a day); checking first keeps `datetime` from refusing
    # year 0 in its own words.
    if not EARLIEST.year - 1 <= int(year) <= LATEST.year:
        raise _out_of_range(text)
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
    return _to_utc(parsed, text)


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


def _from_epoch(number: float, given: object) -> datetime:
    """Read epoch seconds, or milliseconds when the magnitude is above `MILLISECONDS_ABOVE`."""
    if number != number:  # noqa: PLR0124 - NaN, the one number not equal to itself
        raise ValueError(_EXPECTED)
    try:
        if abs(number) > MILLISECONDS_ABOVE:
            instant = _EPOCH + timedelta(milliseconds=number)
        else:
            instant = _EPOCH + timedelta(seconds=number)
    except OverflowError:
        instant = None
    if instant is None or not EARLIEST <= instant < LATEST:
        raise TimeOutOfRangeError("epoch number", _shown(given), _CHECK_EPOCH)
    return instant


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
        return _to_utc(value.replace(tzinfo=tz), value)
    return _to_utc(value, value)


def _to_utc(local: datetime, given: object) -> datetime:
    """Convert an aware datetime to UTC, refusing instants outside the supported range.

    Near year 1 or year 9999 the conversion itself can leave what `datetime` holds.
    """
    try:
        instant = local.astimezone(_UTC)
    except OverflowError:
        raise _out_of_range(given) from None
    return _inside(instant, given)


def _inside(instant: datetime, given: object) -> datetime:
    """Return a UTC instant inside the supported range, or say that `given` is outside it."""
    if EARLIEST <= instant < LATEST:
        return instant
    raise _out_of_range(given)


def _out_of_range(given: object) -> TimeOutOfRangeError:
    """The error for a time (text, datetime or date) outside the supported range."""
    return TimeOutOfRangeError("time", _shown(given), _CHECK_YEAR)


def _shown(given: object) -> str:
    """Spell a value for a message: dates in ISO-8601, text and numbers cut to a few words."""
    if isinstance(given, date):
        return given.isoformat()
    try:
        text = given.strip() if isinstance(given, str) else str(given)
    except ValueError:  # an integer with more digits than Python spells
        return "with thousands of digits"
    if len(text) > _SHOWN_CHARACTERS:
        return text[: _SHOWN_CHARACTERS - 3] + "..."
    return text

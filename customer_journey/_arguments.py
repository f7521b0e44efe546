"""Checks of the arguments of public functions: "'name' must be X (got Y)".

The Python boundary checks each argument once per call, here, and refuses a bad one with
an `ArgumentError`, so that the engine's per-event loop can trust what it is given. The
facade and analytics share these checks.
"""

from __future__ import annotations

import math
import os
from collections.abc import Iterable, Mapping
from datetime import date, datetime, tzinfo

from customer_journey._timestamps import SUPPORTED_RANGE, TimeOutOfRangeError, parse_timestamp
from customer_journey.errors import ArgumentError

__all__ = [
    "check_count",
    "check_flag",
    "check_name",
    "check_optional_time",
    "check_path",
    "check_records",
    "check_time",
    "check_weights",
    "shown",
]

#: How many characters of a text argument an error message repeats.
_SHOWN_CHARACTERS = 40
#: Integers with more bits than this are not spelt out (2**128 has 39 digits).
_BITS_SHOWN = 128
_TIME_EXAMPLE = "a datetime, text such as '2026-01-01T10:00:00Z' or epoch seconds"
_RECORDS = "a list of event records"
_FILE_RECORDS = "a list of event records or the path of an events file"


def shown(value: object) -> str:
    """A value as an argument error repeats it: text and numbers as written, others by kind.

    Long text is cut, and so are numbers, whose digits are never all spelt out: Python
    refuses to turn an integer of more than 4300 digits into text.
    """
    if isinstance(value, os.PathLike):
        value = os.fspath(value)
    if value is None or isinstance(value, (bool, float)):
        text = repr(value)
    elif isinstance(value, int):
        text = repr(value) if value.bit_length() <= _BITS_SHOWN else "a very large number"
    elif isinstance(value, str):
        text = repr(value if len(value) <= _SHOWN_CHARACTERS else value[:_SHOWN_CHARACTERS] + "...")
    elif isinstance(value, (datetime, date)):
        text = value.isoformat()
    elif isinstance(value, (bytes, bytearray)):
        text = f"{len(value)} bytes"
    else:
        kind = type(value).__name__
        text = f"{'an' if kind[0] in 'aeiouAEIOU' else 'a'} {kind}"
    return text


def check_flag(name: str, value: object) -> bool:
    """A true-or-false option: `strict="no"` would otherwise quietly mean true."""
    if not isinstance(value, bool):
        raise ArgumentError(f"'{name}' must be True or False (got {shown(value)})")
    return value


def check_count(name: str, value: object, least: int) -> int:
    """A whole number of at least `least` (`top`, `min_count`, `k`)."""
    if isinstance(value, bool) or not isinstance(value, int) or value < least:
        raise ArgumentError(
            f"'{name}' must be a whole number of {least} or more (got {shown(value)})"
        )
    return value


def check_name(name: str, value: object, example: str) -> str:
    """A non-empty name given as text, such as a customer id, a goal or a stage."""
    if not isinstance(value, str) or not value:
        raise ArgumentError(f"'{name}' must be {example} (got {shown(value)})")
    return value


def check_time(name: str, value: object, zone: tzinfo) -> datetime:
    """The instant a time argument stands for, in UTC; naive ones are read in `zone`.

    Raises:
        ArgumentError: not a time, or one outside the supported range.
    """
    if isinstance(value, bool) or not isinstance(value, (str, int, float, date)):
        raise ArgumentError(f"'{name}' must be a time: {_TIME_EXAMPLE} (got {shown(value)})")
    try:
        return parse_timestamp(value, zone)
    except TimeOutOfRangeError as error:
        raise ArgumentError(
            f"'{name}' must be a time from {SUPPORTED_RANGE} (got {shown(value)}); {error.fix}"
        ) from None
    except ValueError as error:
        raise ArgumentError(f"'{name}' must be a time (got {shown(value)}); {error}") from None


def check_optional_time(name: str, value: object, zone: tzinfo) -> datetime | None:
    """`check_time` for a time that may be left out (None)."""
    return None if value is None else check_time(name, value, zone)


def check_path(name: str, value: object, what: str) -> str | os.PathLike[str]:
    """The path of a file, as text or a `pathlib.Path`."""
    if not isinstance(value, (str, os.PathLike)):
        raise ArgumentError(f"'{name}' must be the path of {what} (got {shown(value)})")
    return value


def check_records(name: str, value: object, *, files: bool) -> None:
    """Records to replay: an iterable of records (or a file path when `files`), not one record.

    A mapping or a DataFrame is refused rather than iterated, since its keys are no
    records: the usual slip is to pass a single event. Text is a path where `files`
    allows one, never records.

    Raises:
        ArgumentError: `value` is none of those.
    """
    if isinstance(value, Mapping):
        raise ArgumentError(
            f"'{name}' must be {_RECORDS} (got {shown(value)}); "
            "wrap a single event in a list: [event]"
        )
    wanted = _FILE_RECORDS if files else _RECORDS
    if isinstance(value, (str, os.PathLike)):
        if files:
            return
        raise ArgumentError(
            f"'{name}' must be {wanted} (got {shown(value)}); read a file with Journey.read_events"
        )
    if type(value).__name__ == "DataFrame":  # iterating one gives its column names
        raise ArgumentError(
            f"'{name}' must be {wanted} (got a DataFrame); pass its rows: df.to_dict('records')"
        )
    if isinstance(value, (bytes, bytearray)) or not isinstance(value, Iterable):
        raise ArgumentError(f"'{name}' must be {wanted} (got {shown(value)})")


def check_weights(weights: object) -> None:
    """Action weights: a mapping of action id to a finite number of 0 or more."""
    if not isinstance(weights, Mapping):
        raise ArgumentError(
            "'weights' must map action ids to numbers, such as Analysis.action_weights() "
            f"gives (got {shown(weights)})"
        )
    for action, weight in weights.items():
        if (
            isinstance(weight, bool)
            or not isinstance(weight, (int, float))
            or not math.isfinite(weight)
            or weight < 0
        ):
            raise ArgumentError(
                f"'weights' must map action ids to numbers of 0 or more "
                f"(got {shown(weight)} for {shown(action)})"
            )

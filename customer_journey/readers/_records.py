"""One record (a mapping of field names to values) to one `Event`, or a reason it cannot be.

The converter is a closure compiled once per `EventFields`: a million records go through it
in a benchmark, so it does its checks inline, without validators, regexes or helper layers on
the path a good record takes.

Every reason comes with a stable code (`missing-field`, `bad-timestamp`, ...), listed in the
error reference. The converter raises nothing but `RecordRejectedError`, whatever the record
holds (numbers with thousands of digits, values nested too deep to print, times in year 1).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from datetime import datetime, timezone, tzinfo
from typing import Any

from customer_journey._timestamps import (
    EARLIEST,
    LATEST,
    SUPPORTED_RANGE,
    TimeOutOfRangeError,
    fromisoformat,
    parse_timestamp,
)
from customer_journey.model import EMPTY, Event, EventFields

__all__ = ["RecordRejectedError", "Unreadable", "make_converter", "show"]

_SHOWN_CHARACTERS = 60
_UNSHOWABLE = "a value too large to show"


class RecordRejectedError(Exception):
    """Internal signal: this record cannot become an event, for `reason` (code `code`)."""

    def __init__(self, reason: str, record: object, code: str) -> None:
        super().__init__(reason)
        self.reason = reason
        self.record = record
        self.code = code


class Unreadable:
    """A row a file reader could not even turn into a record (e.g. a line that is not JSON)."""

    __slots__ = ("code", "reason", "text")

    def __init__(self, text: object, reason: str, code: str) -> None:
        self.text = text
        self.reason = reason
        self.code = code


def show(value: object) -> str:
    """Render a value the way a marketer wrote it (JSON-like, shortened), for messages."""
    if isinstance(value, str):
        text = value
    else:
        try:
            text = json.dumps(value, default=str, ensure_ascii=False)
        except (TypeError, ValueError, RecursionError):
            # Keys that are not text, a record in itself, a number of thousands of digits
            # (Python will not spell it) or nesting deeper than Python recurses.
            try:
                text = str(value)
            except (ValueError, RecursionError):
                text = _UNSHOWABLE
    if len(text) > _SHOWN_CHARACTERS:
        return text[: _SHOWN_CHARACTERS - 3] + "..."
    return text


def make_converter(
    fields: EventFields, tz: tzinfo, default_customer: str | None
) -> Callable[[object], Event]:
    """Compile the function that turns one record into an `Event`.

    The function raises `RecordRejectedError` for a record that cannot become an event. Absent,
    null and empty-text values all count as missing. An `Event` passes through unchanged.
    """
    customer_key = fields.customer
    type_key = fields.type
    time_key = fields.time
    id_key = fields.id
    channel_key = fields.channel
    traits_key = fields.traits
    reserved = frozenset((customer_key, type_key, time_key, id_key, channel_key, traits_key))
    iso_utc = fromisoformat
    utc = timezone.utc
    earliest, latest = EARLIEST, LATEST
    # `Event` is a NamedTuple: building the tuple directly skips its Python-level `__new__`
    # (half the cost of an event); the values are the fields, in order, already checked.
    new_event = tuple.__new__

    def convert(record: Any) -> Event:  # noqa: PLR0912 - inline checks: this is the hot path
        if type(record) is not dict:
            if isinstance(record, Event):
                return record
            if isinstance(record, Unreadable):
                raise RecordRejectedError(record.reason, record.text, record.code)
            if not isinstance(record, Mapping):
                raise RecordRejectedError(
                    f"not a record with named fields such as '{customer_key}' (got {show(record)})",
                    record,
                    "not-an-object",
                )
        get = record.get
        customer = get(customer_key)
        if type(customer) is not str or not customer:
            customer = _identifier(record, customer_key, default_customer, required=True)
        kind = get(type_key)
        if type(kind) is not str or not kind:
            _reject_type(record, type_key)
        raw_time = get(time_key)
        # The usual time, ISO text in UTC, is read inline (it is `parse_timestamp`'s own
        # first step and range check); everything else, and every rejection, takes the full
        # path.
        try:
            at = iso_utc(raw_time) if type(raw_time) is str else None
        except ValueError:
            at = None
        if at is None or at.tzinfo is not utc or not earliest <= at < latest:
            at = _read_time(record, time_key, raw_time, tz)
        event_id = get(id_key)
        if event_id is not None and (type(event_id) is not str or not event_id):
            event_id = _identifier(record, id_key, None, required=False)
        channel = get(channel_key)
        if channel is not None and (type(channel) is not str or not channel):
            channel = _channel(record, channel_key)
        traits = get(traits_key)
        traits = EMPTY if traits is None else _traits(record, traits_key, traits)
        # A plain loop: on Python 3.10 and 3.11 a comprehension costs a function call.
        attributes = {}
        for name in record:
            if name not in reserved:
                value = record[name]
                if value is not None:
                    attributes[name] = value
        return new_event(
            Event, (customer, kind, at, event_id, channel, attributes or EMPTY, traits)
        )

    return convert


def _read_time(record: Mapping[str, Any], key: str, value: object, tz: tzinfo) -> datetime:
    """Read a record's time with `parse_timestamp`, or reject the record saying why."""
    try:
        return parse_timestamp(value, tz)
    except TimeOutOfRangeError as exc:
        raise RecordRejectedError(
            f"the time '{exc.shown}' in '{key}' is outside the supported range "
            f"{SUPPORTED_RANGE}; {exc.fix}",
            record,
            "time-out-of-range",
        ) from None
    except ValueError as exc:
        if value is None or value == "":
            raise RecordRejectedError(f"missing '{key}'", record, "missing-field") from None
        raise RecordRejectedError(
            f"unreadable time '{show(value)}' in '{key}': {exc}", record, "bad-timestamp"
        ) from None


def _identifier(record: Mapping[str, Any], key: str, default: str | None, *, required: bool) -> Any:
    """Return a customer or event id that is not plain text: a whole number, the default, None."""
    value = record.get(key)
    if value is None or value == "":
        if default is None and required:
            raise RecordRejectedError(f"missing '{key}'", record, "missing-field")
        return default
    if isinstance(value, str):
        return str(value)
    if isinstance(value, int) and not isinstance(value, bool):
        try:
            return str(value)
        except ValueError:  # more digits than Python spells (`sys.get_int_max_str_digits`)
            raise RecordRejectedError(
                f"'{key}' is a whole number too long to be an id; write it as text",
                record,
                "bad-type",
            ) from None
    raise RecordRejectedError(
        f"'{key}' must be text or a whole number (got {show(value)})", record, "bad-type"
    )


def _reject_type(record: Mapping[str, Any], key: str) -> None:
    """Say why the event type of `record` is not usable."""
    value = record.get(key)
    if value is None or value == "":
        raise RecordRejectedError(f"missing '{key}'", record, "missing-field")
    raise RecordRejectedError(
        f"'{key}' must be an event type such as 'page.viewed' (got {show(value)})",
        record,
        "bad-type",
    )


def _channel(record: Mapping[str, Any], key: str) -> str | None:
    """An empty channel is no channel; anything but text is rejected."""
    value = record.get(key)
    if value == "":
        return None
    if isinstance(value, str):
        return str(value)
    raise RecordRejectedError(
        f"'{key}' must be a channel name such as 'email' (got {show(value)})", record, "bad-type"
    )


def _traits(record: Mapping[str, Any], key: str, traits: object) -> Mapping[str, Any]:
    """Copy a record's traits without their null values; anything but a mapping is rejected."""
    if not isinstance(traits, Mapping):
        raise RecordRejectedError(
            f"'{key}' must hold named values such as {{\"vip\": true}} (got {show(traits)})",
            record,
            "bad-traits",
        )
    return {name: value for name, value in traits.items() if value is not None} or EMPTY

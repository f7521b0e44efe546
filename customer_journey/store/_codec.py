"""What a store writes down: events, their keys, and customer states, as JSON text.

A store keeps each customer's replay state between events, so that an event in time order
costs one step rather than a replay of the whole history. The state is written as JSON,
never pickled: whoever can write to the database must not be able to run code in the app
that reads it. A state's instants are ISO 8601 text with microseconds, written by orjson
and read by `datetime.fromisoformat`, both in C, so a state read back is equal to the
state written. An event's time is kept apart, as whole microseconds since the epoch, for
the database to compare.

What a state does not keep: the event ids seen (the store's events table refuses a
repeated key before the engine sees it), the trace, the moment conditions were last
judged at, and the customer's experiment arms (a pure function of the customer id: the
engine derives them again on the first fold or judgement of a decoded state).

A state written by the previous version of the store has no last activity and no actions
of other journeys: it reads back with the visit's entry time as its last activity (what
the engine records in a stage without an `idle` timeout, the only kind that version knew)
and none by channel (a state that holds some under `performed`, by action, as that
version did, is re-derived from the log: see `Writer.is_stale`).
"""

from __future__ import annotations

import hashlib
from collections import deque
from collections.abc import Mapping
from datetime import datetime, timedelta, timezone
from typing import Any

import orjson

from customer_journey.engine import CustomerState
from customer_journey.model import EMPTY, Event

__all__ = [
    "UnstorableValueError",
    "decode_event",
    "decode_state",
    "encode_event",
    "encode_state",
    "from_micros",
    "json_text",
    "to_micros",
]

_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
#: Reads the instants orjson writes (`2026-03-01T09:00:00+00:00`), in C.
_from_iso = datetime.fromisoformat
_MICRO = timedelta(microseconds=1)


class UnstorableValueError(ValueError):
    """An event holds a value JSON cannot keep (a Parquet timestamp or decimal, bytes)."""


def to_micros(moment: datetime) -> int:
    """Microseconds since the epoch, exactly (the parts summed: twice as fast as `//`)."""
    since = moment - _EPOCH
    return (since.days * 86_400 + since.seconds) * 1_000_000 + since.microseconds


def from_micros(value: int) -> datetime:
    """The UTC instant `value` microseconds after the epoch."""
    return _EPOCH + timedelta(0, 0, value)  # positional: a quarter faster than by keyword


def _refuse(value: object) -> object:
    """JSON for read-only mappings (as events hold); refuse any other value JSON lacks."""
    if isinstance(value, Mapping):
        return dict(value)
    raise UnstorableValueError(
        f"a {type(value).__name__} value; a store keeps text, numbers, booleans, null, "
        "lists and mappings: cast such a column to text first"
    )


#: Data (events, views, messages) holds no instants of ours: a datetime there is refused.
_DATA = orjson.OPT_PASSTHROUGH_DATETIME
_SORTED = _DATA | orjson.OPT_SORT_KEYS


def _dumps(value: object, option: int) -> str:
    """`value` as compact JSON text by orjson, or say which value JSON cannot keep.

    Raises:
        UnstorableValueError: a value is not text, a number, a boolean, null, a list or a
            mapping (or, without `OPT_PASSTHROUGH_DATETIME`, an instant), or is an integer
            beyond 64 bits.
    """
    try:
        return orjson.dumps(value, default=_refuse, option=option).decode()
    except orjson.JSONEncodeError as error:
        if isinstance(error.__cause__, UnstorableValueError):
            raise error.__cause__ from None
        raise UnstorableValueError(f"a value JSON cannot keep ({error})") from None


def json_text(value: object, *, sort_keys: bool = False) -> str:
    """`value` as compact JSON text (orjson: a tenth of the time of the standard library).

    JSON has no NaN or infinity: such a number is written as null.

    Raises:
        UnstorableValueError: a value is not a JSON value, or is an integer beyond 64 bits.
    """
    return _dumps(value, _SORTED if sort_keys else _DATA)


def encode_event(event: Event) -> tuple[str, int, str]:
    """The event's key, its time in microseconds, and its body as JSON text.

    The key is `=` and the event's id, or, for an event without one, `#` and a hash of its
    content, so that the same event delivered twice is stored once and an id never passes
    for a hash.

    Raises:
        UnstorableValueError: an attribute or trait is not a JSON value.
    """
    attributes, traits = event.attributes, event.traits
    parts = [
        event.type,
        event.id,
        event.channel,
        # Events hold read-only mappings; copying one costs less than orjson's `default`.
        dict(attributes) if attributes else None,
        dict(traits) if traits else None,
    ]
    try:  # orjson itself first: the hot path of ingest
        body = orjson.dumps(parts, option=_SORTED).decode()
    except orjson.JSONEncodeError:
        body = json_text(parts, sort_keys=True)  # says which value cannot be kept
    at = to_micros(event.at)
    if event.id is not None:
        return "=" + event.id, at, body
    digest = hashlib.sha256(f"{at} {body}".encode()).hexdigest()
    return "#" + digest[:40], at, body


def decode_event(customer: str, at: int, body: str) -> Event:
    """The event stored as `body` for `customer` at `at` microseconds."""
    event_type, event_id, channel, attributes, traits = orjson.loads(body)
    return Event(
        customer,
        event_type,
        from_micros(at),
        event_id,
        channel,
        attributes or EMPTY,
        traits or EMPTY,
    )


def _moment(text: str | None) -> datetime | None:
    return None if text is None else _from_iso(text)


def encode_state(state: CustomerState) -> str:
    """The state as compact JSON text; orjson writes its instants itself, in C.

    Raises:
        UnstorableValueError: a trait is not a JSON value.
    """
    expected = state.expected_duration
    data: dict[str, Any] = {
        "stage": state.stage,
        "entered": state.entered_at,
        "expected": None if expected is None else expected // _MICRO,
        "due": state.due,
        "active": state.active_at,
        "joined": state.joined_at,
        "clock": state.clock,
        "path": state.path,
        "first": state.first_entered,
        "counts": state.counts,
        "stage_counts": state.stage_counts,
        "visits": state.visits,
        "traits": state.traits,
        "performed": state.performed,
        "other": state.other_actions,
        "friction": [[*key, *record] for key, record in state.friction.items()],
        "windows": [[window, list(times)] for window, times in state.windows.items()],
        "events": state.events,
        "duplicates": state.duplicates,
    }
    return _dumps(data, 0)  # no option: orjson writes the instants


def decode_state(customer: str, text: str) -> CustomerState:
    """The state of `customer` written as `text` by `encode_state`."""
    data = orjson.loads(text)
    moment, instant = _moment, _from_iso
    state = CustomerState(customer)
    state.stage = data["stage"]
    state.entered_at = moment(data["entered"])
    expected = data["expected"]
    state.expected_duration = None if expected is None else timedelta(microseconds=expected)
    state.due = moment(data["due"])
    state.active_at = moment(data["active"]) if "active" in data else state.entered_at
    state.joined_at = moment(data["joined"])
    state.clock = moment(data["clock"])
    state.path = [
        (stage, instant(entered), moment(left), trigger, touchpoint, route)
        for stage, entered, left, trigger, touchpoint, route in data["path"]
    ]
    state.first_entered = {stage: instant(at) for stage, at in data["first"].items()}
    state.counts = data["counts"]
    state.stage_counts = data["stage_counts"]
    state.visits = data["visits"]
    state.traits = data["traits"]
    state.performed = {
        action: [instant(at) for at in times] for action, times in data["performed"].items()
    }
    state.other_actions = {
        channel: [instant(at) for at in times] for channel, times in data.get("other", {}).items()
    }
    state.friction = {
        (kind, stage, to, rule): (touchpoint, instant(first), instant(last), count, grade)
        for kind, stage, to, rule, touchpoint, first, last, count, grade in data["friction"]
    }
    state.windows = {
        window: deque(instant(at) for at in times) for window, times in data["windows"]
    }
    state.events = data["events"]
    state.duplicates = data["duplicates"]
    return state

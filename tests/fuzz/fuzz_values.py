"""Odd values for fuzzing, and small event histories built from them.

The pools list the simplest value first, so that hypothesis shrinks towards it: a
reproducer then shows the one odd value that matters.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone
from decimal import Decimal
from typing import Any, NamedTuple

from hypothesis import strategies as st

from customer_journey.model import EventFields, JourneyModel

#: Plain scalars and shapes that a journey or a record is not expected to hold.
ODD_SCALARS: tuple[Any, ...] = (
    None,
    "",
    0,
    -1,
    True,
    False,
    [],
    {},
    2**31,
    2**63,
    -(2**63) - 1,
    10**100,
    1e308,
    -1e308,
    float("nan"),
    float("inf"),
    float("-inf"),
    5e-324,
    0.1,
    " ",
    "x" * 100_000,
    "é🙂\u202e\u200b",
    "\x00\x07\x1b[31m",
    "\udc80",
    "\ufeff",
    "\r\n",
    "null",
    [None],
    [[[]]],
    {"": None},
    {"a": {"b": {"c": {}}}},
    date(1, 1, 1),
    datetime(9999, 12, 31, 23, 59, 59, tzinfo=timezone.utc),
)
#: Durations, as a marketer might mistype them or push them to the edge.
ODD_DURATIONS: tuple[Any, ...] = (
    "0s",
    "99999999999d",
    "36500d",
    "36501d",
    "10000000w",
    "9223372036854775807s",
    "-1d",
    "1.5d",
    "7 d",
    "7D",
    "P7D",
    "1e3d",
    "\u0663d",
    "d",
    "",
    7,
    -1,
    1e308,
)
#: Regular expressions that backtrack, blow up, look around, refer back or do not parse.
ODD_REGEXES: tuple[str, ...] = (
    "(a+)+$",
    "a{99999}",
    "(?=x)",
    "\\1",
    "(a)\\1",
    "(?<=x)y",
    "((a*)*)*b",
    "a{1000}{1000}",
    "(?P<n>a)(?P=n)",
    "\\p{L}+",
    "[[:alpha:]]",
    "[",
    "(",
    "*",
    "\\",
    "",
    "x" * 50_000,
    "(?x) a # b",
)
#: Timestamps: the ends of the calendar, impossible dates, offsets, numbers, relative text.
ODD_TIMESTAMPS: tuple[Any, ...] = (
    "0001-01-01T00:00:00Z",
    "0001-01-01T00:00:00+14:00",
    "9999-12-31T23:59:59Z",
    "9999-12-31T23:59:59-14:00",
    "9999-12-31T00:00:00Z",
    "1899-12-31T23:59:59Z",
    "1900-01-01T00:00:00Z",
    "1900-01-01T00:00:00+14:00",
    "2999-12-31T23:59:59Z",
    "2999-12-31T23:59:59-14:00",
    "3000-01-01T00:00:00Z",
    "2026-02-30T00:00:00Z",
    "2026-01-01T25:00:00Z",
    "2026-01-01T00:00:00+25:00",
    "2026-01-01T00:00:00+23:59",
    "2026-03-29T01:30:00",
    "2026-10-25T01:30:00",
    "2026-01-01",
    "20260101T000000Z",
    "2026-01-01T00:00:00.123456789Z",
    " 2026-01-01T00:00:00Z ",
    "+1h",
    "+99999999999d",
    "-1h",
    "now",
    "",
    0,
    -1,
    -62135596800,
    253402300800,
    10**20,
    1.7e12,
    float("nan"),
    float("inf"),
    True,
    [2026],
)
#: Attribute names the shipped journeys test in their conditions, and one they do not.
ATTRIBUTE_NAMES = ("page", "total", "rating", "outcome", "category", "priority", "plan", "other")
#: A valid instant the generated histories start from.
START = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)


def pick(pool: tuple[Any, ...]) -> st.SearchStrategy[Any]:
    """One value of `pool`, shrinking towards its first."""
    return st.sampled_from(pool)


def odd_values() -> st.SearchStrategy[Any]:
    """Any odd value: from the pools, or small random text, numbers and shapes."""
    leaf = st.one_of(
        pick(ODD_SCALARS),
        st.text(max_size=12),
        st.integers(),
        st.floats(),
        pick(ODD_DURATIONS),
        pick(ODD_TIMESTAMPS),
    )
    return st.recursive(
        leaf,
        lambda inner: st.one_of(
            st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=6), inner, max_size=3)
        ),
        max_leaves=6,
    )


class RawEvent(NamedTuple):
    """An event of a generated history, before the journey says how to spell it.

    Attributes:
        kind: picks the event type among the journey's (modulo their number).
        customer: which of a few customers.
        at: hours after `START`, or an odd timestamp as written.
        event_id: an id (often repeated, so duplicates happen), or None.
        attributes: attribute name -> value.
        traits: the traits object (a mapping, or anything odd).
    """

    kind: int
    customer: int
    at: Any
    event_id: Any
    attributes: dict[str, Any]
    traits: Any


#: Values only Python records can hold (a file holds text and numbers): numbers too long to
#: write out, bytes, decimals, sets, naive and far-offset datetimes, times of day.
PYTHON_VALUES: tuple[Any, ...] = (
    10**5000,
    b"\xff",
    Decimal("NaN"),
    Decimal("1e999999"),
    complex(1, 1),
    {1, 2},
    (1, 2),
    object(),
    datetime(2026, 3, 2, 9),  # naive: read in the journey's timezone
    datetime(1, 1, 1, tzinfo=timezone(timedelta(hours=14))),
    datetime(9999, 12, 31, 23, 59, tzinfo=timezone(timedelta(hours=-14))),
    date(2026, 3, 2),
    time(12, 0),
    timedelta(days=1),
)
#: Attribute names that are not text, which a Python record may use.
PYTHON_KEYS: tuple[Any, ...] = (1, None, True, ("a",), "")
_PLAIN = st.sampled_from(("/pricing", "/books/dune", "order", "damaged", "low", "team", 0, 5, 4.5))


@st.composite
def _mostly(draw: st.DrawFn, good: st.SearchStrategy[Any], odd: st.SearchStrategy[Any]) -> Any:
    """`good` about three times in four: most events must be accepted for replay to go deep
    (`one_of(good, good, good, odd)` would not do: it counts each strategy once)."""
    return draw(odd) if draw(st.integers(0, 3)) == 3 else draw(good)


def _raw_events(*, python: bool) -> st.SearchStrategy[RawEvent]:
    odd = st.one_of(odd_values(), *([pick(PYTHON_VALUES)] if python else []))
    values = _mostly(_PLAIN, odd)
    names = st.sampled_from(ATTRIBUTE_NAMES + (PYTHON_KEYS if python else ()))
    trait_names = st.sampled_from(("segment", "plan", "push_enabled"))
    return st.builds(
        RawEvent,
        kind=st.integers(0, 40),
        customer=st.integers(0, 2),
        at=_mostly(st.integers(0, 24 * 120), st.one_of(pick(ODD_TIMESTAMPS), odd)),
        event_id=_mostly(st.sampled_from((None, "e1", "e2", "e3")), odd),
        attributes=st.dictionaries(names, values, max_size=3),
        traits=_mostly(st.one_of(st.none(), st.dictionaries(trait_names, values, max_size=2)), odd),
    )


_FILE_EVENTS = _raw_events(python=False)
_PYTHON_EVENTS = _raw_events(python=True)


def histories(*, python: bool = False, max_size: int = 8) -> st.SearchStrategy[list[RawEvent]]:
    """A few customers' events, in no particular order, some of them odd; with `python`,
    some hold values only Python records can (for `replay_all` and friends, not files)."""
    return st.lists(_PYTHON_EVENTS if python else _FILE_EVENTS, max_size=max_size)


def as_of_values() -> st.SearchStrategy[Any]:
    """An `as_of` argument: none, a good one, or an odd one."""
    good = st.just("2026-04-01T00:00:00Z")
    return st.one_of(st.none(), good, pick(ODD_TIMESTAMPS), pick(PYTHON_VALUES))


def event_types(model: JourneyModel) -> list[str]:
    """The event types a history picks from: those that place a customer first (kind 0,
    where hypothesis starts, must put the customer in the journey), then the journey's
    other types, then one it does not know."""
    points = model.touchpoints
    entries = [points[name].event for stage in model.stages.values() for name in stage.entry]
    others = sorted(point.event for point in points.values())
    return list(dict.fromkeys([*entries, *others, "noise.happened"]))


def spell(raw: RawEvent, fields: EventFields, types: list[str]) -> dict[str, Any]:
    """Write a generated event as a record with a journey's field names."""
    at = raw.at
    if isinstance(at, int) and not isinstance(at, bool) and 0 <= at <= 24 * 120:
        at = (START + timedelta(hours=at)).isoformat().replace("+00:00", "Z")
    record: dict[str, Any] = dict(raw.attributes)
    record.update(
        {
            fields.customer: f"c{raw.customer}",
            fields.type: types[raw.kind % len(types)],
            fields.time: at,
        }
    )
    if raw.event_id is not None:
        record[fields.id] = raw.event_id
    if raw.traits is not None:
        record[fields.traits] = raw.traits
    return record

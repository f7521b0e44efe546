"""What sort of value something is, and the value tests each operator compiles to.

A condition is checked on every event, so the tests are plain closures picked for the
operand's kind once, when the journey loads: each checks the value's exact type first
(one set lookup) and only then its kind. Missing values (absent, or an explicit null)
behave as in MongoDB queries: `ne`, `not_in` and `exists: false` hold, every other
operator is false. Values of incompatible kinds compare false: a number is never a bool
(`true` is not `1`), text only compares with text, durations with durations.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Mapping, Sequence
from datetime import timedelta
from typing import Any

from customer_journey.model._context import MISSING

__all__ = [
    "HASHED",
    "ORDERED",
    "Kind",
    "ValueTest",
    "above_test",
    "absent_test",
    "at_least_test",
    "at_most_test",
    "below_test",
    "between_test",
    "contains_test",
    "eq_test",
    "equal",
    "exists_test",
    "kind_of",
    "matches_test",
    "member_test",
    "negated",
]

#: A test on one value, which may be None or `MISSING`.
ValueTest = Callable[[Any], bool]


class Kind(enum.Enum):
    """What sort of value something is, as far as comparing it goes (worded for messages)."""

    ABSENT = "absent"
    BOOL = "true or false"
    NUMBER = "a number"
    STRING = "a text"
    DURATION = "a duration such as 7d or 36h"
    LIST = "a list"
    MAPPING = "a mapping"
    OTHER = "other"


_EXACT_KINDS: dict[type, Kind] = {
    type(None): Kind.ABSENT,
    type(MISSING): Kind.ABSENT,
    bool: Kind.BOOL,
    int: Kind.NUMBER,
    float: Kind.NUMBER,
    str: Kind.STRING,
    timedelta: Kind.DURATION,
    list: Kind.LIST,
    tuple: Kind.LIST,
    dict: Kind.MAPPING,
}
#: The exact types of a kind; value tests check these first and fall back to `kind_of`.
_FAST_TYPES = {kind: frozenset(t for t, k in _EXACT_KINDS.items() if k is kind) for kind in Kind}
#: The kinds the ordering operators (and `between`) compare.
ORDERED = frozenset({Kind.NUMBER, Kind.STRING, Kind.DURATION})
#: The kinds whose values can be looked up in a set.
HASHED = frozenset({Kind.BOOL, Kind.NUMBER, Kind.STRING, Kind.DURATION})


def kind_of(value: object) -> Kind:
    """Return the kind of `value`; subclasses (a str subclass, numpy floats) count too."""
    kind = _EXACT_KINDS.get(type(value))
    if kind is not None:
        return kind
    for types, slow_kind in _SLOW_KINDS:
        if isinstance(value, types):
            return slow_kind
    return Kind.OTHER


_SLOW_KINDS: tuple[tuple[type | tuple[type, ...], Kind], ...] = (
    ((int, float), Kind.NUMBER),  # bool cannot be subclassed, so it never gets here
    (str, Kind.STRING),
    (timedelta, Kind.DURATION),
    (Mapping, Kind.MAPPING),
    ((list, tuple), Kind.LIST),
)


def equal(left: Any, right: Any) -> bool:
    """Return whether two values are equal and of the same kind, lists and mappings deeply."""
    kind = kind_of(left)
    if kind is not kind_of(right) or kind is Kind.ABSENT:
        return False
    if kind is Kind.LIST:
        return len(left) == len(right) and all(map(equal, left, right))
    if kind is Kind.MAPPING:
        return left.keys() == right.keys() and all(equal(left[k], right[k]) for k in left)
    return bool(left == right)


def eq_test(x: Any) -> ValueTest:
    """The test of `eq x`: equal and of the same kind."""
    kind = kind_of(x)
    if kind not in HASHED:
        return lambda v: equal(v, x)
    fast = _FAST_TYPES[kind]

    def eq(v: Any) -> Any:
        t = type(v)
        if t in fast:
            return v == x
        return t not in _EXACT_KINDS and kind_of(v) is kind and v == x

    return eq


# These return the comparison itself (Any to the type checker): between numbers, texts or
# durations it is a bool, and wrapping it in bool() would cost a call per evaluation. Each
# writes its comparison out, for the same reason.


def above_test(x: Any) -> ValueTest:
    """The test of a value greater than x, of x's (ordered) kind."""
    kind = kind_of(x)
    fast = _FAST_TYPES[kind]

    def above(v: Any) -> Any:
        t = type(v)
        if t in fast:
            return v > x
        return t not in _EXACT_KINDS and kind_of(v) is kind and v > x

    return above


def at_least_test(x: Any) -> ValueTest:
    """The test of a value greater than or equal to x, of x's (ordered) kind."""
    kind = kind_of(x)
    fast = _FAST_TYPES[kind]

    def at_least(v: Any) -> Any:
        t = type(v)
        if t in fast:
            return v >= x
        return t not in _EXACT_KINDS and kind_of(v) is kind and v >= x

    return at_least


def below_test(x: Any) -> ValueTest:
    """The test of a value less than x, of x's (ordered) kind."""
    kind = kind_of(x)
    fast = _FAST_TYPES[kind]

    def below(v: Any) -> Any:
        t = type(v)
        if t in fast:
            return v < x
        return t not in _EXACT_KINDS and kind_of(v) is kind and v < x

    return below


def at_most_test(x: Any) -> ValueTest:
    """The test of a value less than or equal to x, of x's (ordered) kind."""
    kind = kind_of(x)
    fast = _FAST_TYPES[kind]

    def at_most(v: Any) -> Any:
        t = type(v)
        if t in fast:
            return v <= x
        return t not in _EXACT_KINDS and kind_of(v) is kind and v <= x

    return at_most


def between_test(low: Any, high: Any) -> ValueTest:
    """The test of `between [low, high]`, both ends included, for two values of one kind."""
    kind = kind_of(low)
    fast = _FAST_TYPES[kind]

    def between(v: Any) -> Any:
        t = type(v)
        if t in fast:
            return low <= v <= high
        return t not in _EXACT_KINDS and kind_of(v) is kind and low <= v <= high

    return between


def member_test(items: Sequence[Any]) -> ValueTest:
    """The test of `in`: the value equals an item, or (a list) one of its items does."""
    hashed: dict[Kind, frozenset[Any]] = {}
    others = [item for item in items if kind_of(item) not in HASHED]
    for kind in HASHED:
        found = frozenset(item for item in items if kind_of(item) is kind)
        if found:
            hashed[kind] = found
    if len(hashed) == 1 and not others:  # the usual case: a list of texts or of numbers
        ((only, values),) = hashed.items()
        fast = _FAST_TYPES[only]

        def member_of_one_kind(v: Any) -> bool:
            if type(v) in fast:
                return v in values
            kind = kind_of(v)
            if kind is only:
                return v in values
            return kind is Kind.LIST and any(kind_of(i) is only and i in values for i in v)

        return member_of_one_kind

    def equals_an_item(v: Any, kind: Kind) -> bool:
        values = hashed.get(kind)
        return (values is not None and v in values) or any(equal(v, o) for o in others)

    def member(v: Any) -> bool:
        kind = kind_of(v)
        if equals_an_item(v, kind):
            return True
        return kind is Kind.LIST and any(equals_an_item(i, kind_of(i)) for i in v)

    return member


def contains_test(x: Any) -> ValueTest:
    """The test of `contains x`: a list holding x, or (x a text) a text holding it."""
    is_text = kind_of(x) is Kind.STRING

    def contains(v: Any) -> bool:
        value_kind = kind_of(v)
        if value_kind is Kind.LIST:
            return any(equal(item, x) for item in v)
        return is_text and value_kind is Kind.STRING and x in v

    return contains


def matches_test(found: Callable[[str], bool]) -> ValueTest:
    """The test of `matches`, given the compiled pattern's test on a text."""
    return lambda v: (type(v) is str or kind_of(v) is Kind.STRING) and found(v)


def exists_test(v: Any) -> bool:
    """The test of `exists: true`."""
    return v is not None and v is not MISSING


def absent_test(v: Any) -> bool:
    """The test of `exists: false`."""
    return v is None or v is MISSING


def negated(test: Callable[[Any], bool]) -> Callable[[Any], bool]:
    """The test that holds exactly when `test` does not."""
    return lambda v: not test(v)

"""The operators of conditions, each defined once: everything any tool knows about one.

For each of `eq ne gt gte lt lte in not_in contains exists matches between`, the table says
what its operand is written as and which kinds it may be (the type rules the DSL checks),
the value test it compiles to (`_kinds`), its text (`gt: 0`), the operator that holds on a
present value exactly when it fails (`gt` and `lte`), the interval or the set of values it
admits, and how to satisfy or violate it: values that make it hold or fail, for the tools
that make data (path generation, the simulator, the hypothesis strategies).

`matches` compiles its pattern with the `PatternCompiler` it is given: the DSL passes RE2
within the journey's pattern budget, so the model itself never compiles a regular
expression and does not depend on RE2.
"""

from __future__ import annotations

import enum
import math
from collections.abc import Callable, Iterable, Mapping
from datetime import timedelta
from types import MappingProxyType
from typing import Any

import attrs

from customer_journey.model._context import MISSING
from customer_journey.model._flow_text import WrittenDuration, flow_text
from customer_journey.model._kinds import (
    ORDERED,
    Kind,
    ValueTest,
    above_test,
    absent_test,
    at_least_test,
    at_most_test,
    below_test,
    between_test,
    contains_test,
    eq_test,
    exists_test,
    matches_test,
    member_test,
    negated,
)
from customer_journey.model._pattern_texts import (
    example_texts,
    simple_literal,
    without_metacharacters,
)

__all__ = ["BARE", "OPERATORS", "Bound", "Operator", "PatternCompiler", "Shape"]

#: Compiles a `matches` pattern into a test of whether it is found in a text.
PatternCompiler = Callable[[str], Callable[[str], bool]]
#: One end of an interval: the value, and whether the end is open (the value left out).
Bound = tuple[Any, bool]
#: The operator a bare value means: `{stalled: true}` is `{stalled: {eq: true}}`.
BARE = "eq"

_SECOND = timedelta(seconds=1)


class Shape(enum.Enum):
    """What an operator's operand is written as."""

    VALUE = "a value"  # eq ne gt gte lt lte
    ELEMENT = "a value to look for inside a list or a text"  # contains
    VALUES = "a list of values"  # in not_in
    RANGE = "a list of two values, low and high"  # between
    FLAG = "true or false"  # exists
    PATTERN = "a text pattern"  # matches


@attrs.frozen
class Operator:
    """One operator: its type rules, compiled form, text, and how to satisfy or violate it.

    Attributes:
        name: the operator as written (`gte`).
        shape: what its operand is written as.
        kinds: the kinds its operand's values may be; None for any value but null.
        opposite: the operator that holds on a present value of the operand's kind exactly
            when this one does not (`gt` and `lte`); None when no operator says it.
    """

    name: str
    shape: Shape
    kinds: frozenset[Kind] | None
    opposite: str | None
    _build: Callable[[Any, PatternCompiler], ValueTest] = attrs.field(repr=False)
    _satisfy: Callable[[Any, ValueTest], list[Any]] = attrs.field(repr=False)
    _violate: Callable[[Any, ValueTest], list[Any]] = attrs.field(
        repr=False, default=lambda operand, test: []
    )
    _bounds: Callable[[Any], tuple[Bound | None, Bound | None]] = attrs.field(
        repr=False, default=lambda operand: (None, None)
    )
    _values: Callable[[Any], tuple[Any, ...] | None] = attrs.field(
        repr=False, default=lambda operand: None
    )
    _example: Callable[[Any, Callable[[], str]], list[Any] | None] = attrs.field(
        repr=False, default=lambda operand, word: None
    )

    def compile(self, operand: Any, patterns: PatternCompiler) -> ValueTest:
        """The test on one value, for a checked operand (durations as `timedelta`s)."""
        return self._build(operand, patterns)

    def text(self, operand: Any) -> str:
        """The test as written in a condition: `gte: 7d`."""
        return f"{self.name}: {flow_text(operand)}"

    def negation(self, operand: Any) -> tuple[Operator, Any] | None:
        """The operator and operand that hold on a present value exactly when this does not."""
        if self.opposite is None:
            return None
        flipped = not operand if self.shape is Shape.FLAG else operand
        return OPERATORS[self.opposite], flipped

    def bounds(self, operand: Any) -> tuple[Bound | None, Bound | None]:
        """The low and high ends of the interval it admits (ordering operators, `between`)."""
        return self._bounds(operand)

    def values(self, operand: Any) -> tuple[Any, ...] | None:
        """The only values it admits (`eq`, `in`), or None when they are not a finite set."""
        found = self._values(operand)
        return None if found is None else tuple(_thawed(value) for value in found)

    def satisfying(self, operand: Any, patterns: PatternCompiler) -> tuple[Any, ...]:
        """A few values that make the test hold, simplest first; `MISSING` means absent."""
        test = self.compile(operand, patterns)
        return _kept(self._satisfy(operand, test), test, holds=True)

    def violating(self, operand: Any, patterns: PatternCompiler) -> tuple[Any, ...]:
        """A few values that make the test fail: `MISSING` first when it fails on absence."""
        test = self.compile(operand, patterns)
        found = [] if test(MISSING) else [MISSING]
        negation = self.negation(operand)
        if negation is None:
            found += self._violate(operand, test)
        else:
            other, flipped = negation
            found += other._satisfy(flipped, other.compile(flipped, patterns))
        return _kept(found, test, holds=False)

    def samples(self, operand: Any) -> tuple[Any, ...]:
        """Values on both sides of the test and of other kinds, for tools that explore.

        Nothing is judged here: the compiled test sorts them.
        """
        return tuple(_thawed(value) for value in _SAMPLES[self.shape](operand))

    def examples(self, operand: Any, word: Callable[[], str]) -> list[Any] | None:
        """Values that meet a `contains` or a simple `matches`, for makers of varied data.

        `word` makes up a text to vary them with; None for the other operators.
        """
        found = self._example(operand, word)
        return None if found is None else [_thawed(value) for value in found]


def _kept(values: Iterable[Any], test: ValueTest, *, holds: bool) -> tuple[Any, ...]:
    """The values (as plain data) on the asked side of `test`, without repeats."""
    kept: list[Any] = []
    for value in map(_thawed, values):
        if value is None or bool(test(value)) is not holds:
            continue
        if not any(_same(value, other) for other in kept):
            kept.append(value)
    return tuple(kept)


def _same(value: Any, other: Any) -> bool:
    return value is other or (type(value) is type(other) and value == other)


def _thawed(value: Any) -> Any:
    """An operand's value as event data: lists, dicts and plain durations."""
    if isinstance(value, (list, tuple)):
        return [_thawed(item) for item in value]
    if isinstance(value, Mapping):
        return {key: _thawed(item) for key, item in value.items()}
    if isinstance(value, WrittenDuration):
        return timedelta(value.days, value.seconds, value.microseconds)
    return value


# Values beside an operand.


def _above(x: Any) -> Any:
    if isinstance(x, bool):
        return None
    if isinstance(x, (int, float)):
        return x + 1
    if isinstance(x, timedelta):
        return x + _SECOND
    return f"{x}z" if isinstance(x, str) else None


def _below(x: Any) -> Any:
    if isinstance(x, bool):
        return None
    if isinstance(x, (int, float)):
        return x - 1
    if isinstance(x, timedelta):
        return max(x - _SECOND, timedelta(0))
    return "" if isinstance(x, str) and x else None


def _other(x: Any) -> Any:
    """A value that is not `x`."""
    if isinstance(x, bool):
        return not x
    if isinstance(x, (int, float)):
        return x + 1
    return f"{x}-other" if isinstance(x, str) else "other"


def _outside(items: Any) -> Any:
    """A value that is none of `items`."""
    values = list(items)
    numbers = [v for v in values if isinstance(v, (int, float)) and not isinstance(v, bool)]
    if numbers and len(numbers) == len(values):
        return max(numbers) + 1
    return "-".join(["other", *(str(v) for v in values)])


def _near(value: Any) -> list[Any]:
    """Values just beside `value`, and one of another kind."""
    if isinstance(value, bool):
        return [not value, "yes"]
    if isinstance(value, (int, float)) and math.isfinite(value):
        return [value - 1, value + 1, str(value)]
    if isinstance(value, str):
        return [value + "x", value[:-1] if value else "x"]
    return ["x"]


def _present(values: Iterable[Any]) -> list[Any]:
    return [value for value in values if value is not None]


_SAMPLES: Mapping[Shape, Callable[[Any], list[Any]]] = MappingProxyType(
    {
        Shape.VALUE: lambda x: [x, *_near(x)],
        Shape.ELEMENT: lambda x: [f"<{x}>", [x], ""] if isinstance(x, str) else [[x], []],
        Shape.VALUES: lambda x: [*_present(x)[:5], *_near(_present(x)[0])] if _present(x) else [],
        Shape.RANGE: lambda x: [x[0], x[1], *_near(x[0]), *_near(x[1])],
        Shape.FLAG: lambda x: ["x"],
        Shape.PATTERN: lambda x: [without_metacharacters(x), x, ""],
    }
)


def _pattern_satisfying(pattern: str, test: ValueTest) -> list[Any]:
    found = (text for text in example_texts(pattern) if test(text))
    return list(dict.fromkeys(found))[:3]


def _pattern_example(pattern: str, word: Callable[[], str]) -> list[Any]:
    literal = simple_literal(pattern)
    return [] if literal is None else [literal + word()]


def _ordering(
    name: str, opposite: str, test: Callable[[Any], ValueTest], *, low: bool, open_: bool
) -> Operator:
    """`gt`, `gte`, `lt` or `lte`: one end of an interval, open or closed."""
    nearer = _above if low else _below

    def satisfy(x: Any, test: ValueTest) -> list[Any]:
        del test
        return [nearer(x)] if open_ else [x, nearer(x)]

    def bounds(x: Any) -> tuple[Bound | None, Bound | None]:
        return ((x, open_), None) if low else (None, (x, open_))

    return Operator(
        name, Shape.VALUE, ORDERED, opposite,
        build=lambda x, patterns: test(x), satisfy=satisfy, bounds=bounds,
    )  # fmt: skip


_TABLE = (
    Operator(
        "eq", Shape.VALUE, None, "ne",
        build=lambda x, patterns: eq_test(x),
        satisfy=lambda x, test: [x],
        values=lambda x: (x,),
    ),
    Operator(
        "ne", Shape.VALUE, None, "eq",
        build=lambda x, patterns: negated(eq_test(x)),
        satisfy=lambda x, test: [_other(x), MISSING],
    ),
    _ordering("gt", "lte", above_test, low=True, open_=True),
    _ordering("gte", "lt", at_least_test, low=True, open_=False),
    _ordering("lt", "gte", below_test, low=False, open_=True),
    _ordering("lte", "gt", at_most_test, low=False, open_=False),
    Operator(
        "in", Shape.VALUES, None, "not_in",
        build=lambda x, patterns: member_test(x),
        satisfy=lambda x, test: list(x)[:3],
        values=tuple,
    ),
    Operator(
        "not_in", Shape.VALUES, None, "in",
        build=lambda x, patterns: negated(member_test(x)),
        satisfy=lambda x, test: [_outside(x), MISSING],
    ),
    Operator(
        "contains", Shape.ELEMENT, None, None,
        build=lambda x, patterns: contains_test(x),
        satisfy=lambda x, test: [x, [x]] if isinstance(x, str) else [[x]],
        example=lambda x, word: [x] if isinstance(x, str) else [[x]],
    ),
    Operator(
        "exists", Shape.FLAG, frozenset({Kind.BOOL}), "exists",
        build=lambda x, patterns: exists_test if x else absent_test,
        satisfy=lambda x, test: ["yes"] if x else [MISSING],
    ),
    Operator(
        "matches", Shape.PATTERN, frozenset({Kind.STRING}), None,
        build=lambda x, patterns: matches_test(patterns(x)),
        satisfy=_pattern_satisfying,
        violate=lambda x, test: ["~", ""],
        example=_pattern_example,
    ),
    Operator(
        "between", Shape.RANGE, ORDERED, None,
        build=lambda x, patterns: between_test(x[0], x[1]),
        satisfy=lambda x, test: list(x),
        violate=lambda x, test: [_below(x[0]), _above(x[1])],
        bounds=lambda x: ((x[0], False), (x[1], False)),
    ),
)  # fmt: skip

#: Every operator by name, in the order the DSL documents them.
OPERATORS: Mapping[str, Operator] = MappingProxyType({op.name: op for op in _TABLE})

"""Event attributes that make a touchpoint's `where` hold, and traits, for the simulator.

A condition tree is turned into per-attribute demands, choosing at random one way through
each `any` and, for a condition that must fail, one test to break (De Morgan). Each
attribute's value is then picked to meet its demands, from what the operators say they
admit (values, intervals, examples). The compiled condition stays the judge: the
simulator checks every proposal with it and tries again, or gives up on a touchpoint it
cannot satisfy.
"""

from __future__ import annotations

import functools
import math
import random
from collections.abc import Mapping, Sequence
from typing import Any, NamedTuple

from customer_journey.model import (
    MISSING,
    AllOf,
    AnyOf,
    ConditionTree,
    GroupForm,
    JourneyModel,
    Not,
    Operator,
    PathTest,
    Touchpoint,
    Transition,
    ValueTest,
    conjuncts,
    path_tests,
)
from customer_journey.testing._path_values import found_by

__all__ = [
    "AttributeMaker",
    "Constraints",
    "UnsatisfiableError",
    "constrain",
    "event_condition",
    "solve",
    "trait_values",
]


class Demand(NamedTuple):
    """What one test asks of a value.

    Attributes:
        op: the operator, negated already where another operator says the negation.
        operand: its operand.
        negated: the test must fail (`between`, `contains`, `matches`, which no operator
            negates).
        test: the compiled test.
        only_missing: only a missing value meets it (`exists: false`).
    """

    op: Operator
    operand: Any
    negated: bool
    test: ValueTest
    only_missing: bool

    def is_met(self, value: Any) -> bool:
        """Whether `value` meets the demand."""
        return bool(self.test(value)) is not self.negated


#: path -> the demands its value must meet.
Constraints = dict[str, list[Demand]]

_ATTEMPTS = 8


class UnsatisfiableError(Exception):
    """No value was found for an attribute; the caller tries again or gives up."""


def constrain(
    tree: ConditionTree, rng: random.Random, out: Constraints, *, negate: bool = False
) -> None:
    """Add to `out` the demands of one way to make `tree` hold (or fail, if `negate`)."""
    items = _items(tree)
    if negate:  # a conjunction fails when one of its parts does
        items = [rng.choice(items)]
    for item in items:
        if isinstance(item, PathTest):
            out.setdefault(item.path, []).append(_demand(item, negate=negate))
        elif isinstance(item, Not):
            constrain(item.part, rng, out, negate=not negate)
        elif isinstance(item, AnyOf) != negate:  # one part must hold, or (all, negated) fail
            constrain(rng.choice(item.parts), rng, out, negate=negate)
        else:  # every part must hold, or (any, negated) every part must fail
            for part in item.parts:
                constrain(part, rng, out, negate=negate)


def _items(tree: ConditionTree) -> list[ConditionTree]:
    """The condition as the conjunction it was written as: one item per key or operator.

    `{a: {gt: 1, lt: 5}, b: 1}` is three items; an `all:` list is one, so that a condition
    that must fail breaks the way it is written.
    """
    entries = tree.parts if isinstance(tree, AllOf) and tree.form is GroupForm.KEYS else (tree,)
    items: list[ConditionTree] = []
    for entry in entries:
        if isinstance(entry, AllOf) and entry.form is GroupForm.OPERATORS:
            items.extend(entry.parts)
        else:
            items.append(entry)
    return items


def _demand(test: PathTest, *, negate: bool) -> Demand:
    """The demand of a test, or of its failing, remembered: the simulator asks it often."""
    try:
        return _remembered_demand(test, negate=negate)
    except TypeError:  # an operand that holds a mapping cannot be hashed
        return _demand_of(test, negate=negate)


@functools.lru_cache(maxsize=1024)
def _remembered_demand(test: PathTest, *, negate: bool) -> Demand:
    return _demand_of(test, negate=negate)


def _demand_of(test: PathTest, *, negate: bool) -> Demand:
    op, operand = test.op, test.operand
    negation = op.negation(operand) if negate else None
    if negation is not None:
        (op, operand), negate = negation, False
    only_missing = not negate and op.satisfying(operand, found_by) == (MISSING,)
    return Demand(op, operand, negate, op.compile(operand, found_by), only_missing)


def solve(path: str, demands: Sequence[Demand], rng: random.Random) -> Any:
    """Pick a value for attribute `path` meeting `demands`; `None` means leave it out.

    Raises:
        UnsatisfiableError: no value was found.
    """
    if any(demand.only_missing for demand in demands):
        return None
    positive = [(demand.op, demand.operand) for demand in demands if not demand.negated]
    for value in _candidates(path, positive, demands, rng):
        if all(demand.is_met(value) for demand in demands):
            return value
    raise UnsatisfiableError


def _candidates(
    path: str, positive: list[tuple[Operator, Any]], demands: Sequence[Demand], rng: random.Random
) -> list[Any]:
    """Values worth trying, from the most telling demand."""
    admitted = [found for op, x in positive if (found := op.values(x)) is not None]
    single = [value for found in admitted if len(found) == 1 for value in found]
    if single:
        return single
    if admitted:
        candidates = [item for item in admitted[0] if not isinstance(item, (list, dict))]
        rng.shuffle(candidates)
        return candidates
    bounds = _bounds(positive)
    if bounds is not None:
        return [_number(bounds, rng) for _ in range(4)]
    for op, x in positive:
        examples = op.examples(x, lambda: _word(path, rng))
        if examples is not None:
            return examples
    return _fresh(path, demands, rng)


def _fresh(path: str, demands: Sequence[Demand], rng: random.Random) -> list[Any]:
    """Made-up values of the kind the operands are, for an attribute only told what not to be."""
    operands: list[Any] = []
    for demand in demands:
        operand = demand.operand
        operands += operand if isinstance(operand, (list, tuple)) else [operand]
    if any(isinstance(o, bool) for o in operands):
        return [True, False] if rng.random() < 0.5 else [False, True]
    if any(isinstance(o, (int, float)) for o in operands):
        return [rng.randint(0, 100) for _ in range(4)]
    return [_word(path, rng) for _ in range(4)]


def _word(path: str, rng: random.Random) -> str:
    """A made-up text value for attribute `path`, such as `page-417`."""
    return f"{path.rsplit('.', 1)[-1]}-{rng.randint(1, 999)}"


#: An interval of numbers: (low, low is open, high, high is open, whole numbers only).
_Bounds = tuple["float | None", bool, "float | None", bool, bool]


def _bounds(positive: list[tuple[Operator, Any]]) -> _Bounds | None:
    """The numeric interval the demands allow, or None when they say nothing of one."""
    low: float | None = None
    high: float | None = None
    low_open = high_open = False
    numbers: list[Any] = []
    for op, operand in positive:
        lower, upper = op.bounds(operand)
        for end, is_low in ((lower, True), (upper, False)):
            if end is None:
                continue
            value, is_open = end
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                return None
            numbers.append(value)
            if is_low and (low is None or value > low or (value == low and is_open)):
                low, low_open = value, is_open
            if not is_low and (high is None or value < high or (value == high and is_open)):
                high, high_open = value, is_open
    if not numbers:
        return None
    return low, low_open, high, high_open, all(isinstance(n, int) for n in numbers)


def _number(bounds: _Bounds, rng: random.Random) -> float:
    """A number in the interval; plausible ends are made up for an open-ended one."""
    low, low_open, high, high_open, whole = bounds
    if low is None:
        low, low_open = (0, False) if high is not None and high > 0 else ((high or 0) - 10, False)
    if high is None:
        high, high_open = low + max(100, abs(low)), False
    if whole:
        first = math.floor(low) + 1 if low_open and low == math.floor(low) else math.ceil(low)
        last = math.ceil(high) - 1 if high_open and high == math.ceil(high) else math.floor(high)
        if first > last:
            raise UnsatisfiableError
        return rng.randint(first, last)
    return round(rng.uniform(low, high), 2)


class AttributeMaker:
    """Makes attributes for one touchpoint's events, avoiding its look-alikes where it can.

    A look-alike is another touchpoint on the same event type with a `where`: an event
    meant for `site_visit` should not also be a `pricing_view`, or the customer would take
    a transition the simulation did not choose.
    """

    def __init__(self, touchpoints: Mapping[str, Touchpoint], name: str) -> None:
        self.touchpoint = touchpoints[name]
        self.alike = [
            t
            for t in touchpoints.values()
            if t.event == self.touchpoint.event and t.name != name and t.where is not None
        ]
        self.possible = self.touchpoint.where is None or (
            self.make(random.Random(0), None) is not None
        )

    def make(self, rng: random.Random, extra: ConditionTree | None) -> dict[str, Any] | None:
        """Attributes that match the touchpoint (and `extra`, event conditions), or None."""
        where, tree = self.touchpoint.where, self.touchpoint.where_tree
        for attempt in range(_ATTEMPTS):
            distinct = attempt < _ATTEMPTS - 2
            constraints: Constraints = {}
            try:
                if tree is not None:
                    constrain(tree, rng, constraints)
                if extra is not None:
                    constrain(extra, rng, constraints)
                if distinct:
                    for other in self.alike:
                        if other.where_tree is not None:
                            constrain(other.where_tree, rng, constraints, negate=True)
                values = {path: solve(path, rules, rng) for path, rules in constraints.items()}
            except UnsatisfiableError:
                continue
            attributes = {path: value for path, value in values.items() if value is not None}
            if where is not None and not where(attributes):
                continue
            if distinct and any(t.where is not None and t.where(attributes) for t in self.alike):
                continue
            return attributes
        return None


def event_condition(transition: Transition) -> ConditionTree | None:
    """The `event.<attribute>` tests that a transition's `if` needs, as a `where` on the event."""
    tree = transition.condition_tree
    if tree is None:
        return None
    found = [
        _on_the_event(part)
        for part in conjuncts(tree)
        if isinstance(part, PathTest) and part.path.startswith("event.")
    ]
    if not found:
        return None
    return found[0] if len(found) == 1 else AllOf(tuple(found), form=GroupForm.KEYS)


def _on_the_event(test: PathTest) -> PathTest:
    return PathTest(test.path.removeprefix("event."), test.operator, test.operand, bare=test.bare)


def trait_values(model: JourneyModel) -> dict[str, list[Any]]:
    """Trait -> the values the journey's conditions compare it with (both, for a flag)."""
    values: dict[str, list[Any]] = {}
    for tree in model.if_conditions():
        for test in path_tests(tree):
            if not test.path.startswith("customer."):
                continue
            found = values.setdefault(test.path.removeprefix("customer."), [])
            operand = test.operand
            for item in operand if isinstance(operand, tuple) else (operand,):
                choices = [True, False] if isinstance(item, bool) else [item]
                found += [c for c in choices if c not in found and not _nested(c)]
    return {name: found for name, found in sorted(values.items()) if found}


def _nested(value: object) -> bool:
    return isinstance(value, (Mapping, list, tuple))

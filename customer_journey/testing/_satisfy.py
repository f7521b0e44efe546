"""Event attributes that make a touchpoint's `where` hold, and traits, for the simulator.

A condition (as parsed back from its `where_text`) is turned into per-attribute
constraints, choosing at random one way through each `any` and, for a condition that must
fail, one leaf to break (De Morgan). Each attribute's value is then picked to meet its
constraints. The compiled condition stays the judge: the simulator checks every proposal
with it and tries again, or gives up on a touchpoint it cannot satisfy.
"""

from __future__ import annotations

import math
import random
import re
from collections.abc import Mapping, Sequence
from typing import Any

from customer_journey.dsl import pattern_test
from customer_journey.model import JourneyModel
from customer_journey.testing._condition_text import condition_texts, parse_condition

__all__ = ["UnsatisfiableError", "constrain", "solve", "trait_values"]

#: path -> the (operator, operand) pairs its value must meet.
Constraints = dict[str, list[tuple[str, Any]]]

_OPERATORS = frozenset(
    {"eq", "ne", "gt", "gte", "lt", "lte", "in", "not_in", "contains", "exists", "matches",
     "between"}
)  # fmt: skip
_NEGATED = {
    "eq": "ne", "ne": "eq", "gt": "lte", "gte": "lt", "lt": "gte", "lte": "gt",
    "in": "not_in", "not_in": "in", "contains": "not_contains", "matches": "not_matches",
    "between": "outside",
}  # fmt: skip
_LOWER = {"gt": True, "gte": False}  # operator -> whether the bound is open
_UPPER = {"lt": True, "lte": False}
#: Characters that make a regular expression more than a literal text.
_SPECIAL = re.compile(r"[\\.^$*+?{}\[\]|()]")


class UnsatisfiableError(Exception):
    """No value was found for an attribute; the caller tries again or gives up."""


def constrain(node: Any, rng: random.Random, out: Constraints, *, negate: bool = False) -> None:
    """Add to `out` the leaf constraints of one way to make `node` hold (or fail, if `negate`).

    Raises:
        UnsatisfiableError: the node is not a condition this satisfier understands.
    """
    items = _items(node)
    if negate:  # a conjunction fails when one of its parts does
        items = [rng.choice(items)] if items else []
    for key, value in items:
        if key == "not":
            constrain(value, rng, out, negate=not negate)
        elif key == "leaf":
            path, op, operand = value
            if negate:
                op, operand = ("exists", not operand) if op == "exists" else (_NEGATED[op], operand)
            out.setdefault(path, []).append((op, operand))
        elif (key == "any") != negate:  # one part must hold, or (all, negated) one must fail
            constrain(rng.choice(value), rng, out, negate=negate)
        else:  # every part must hold, or (any, negated) every part must fail
            for part in value:
                constrain(part, rng, out, negate=negate)


def _items(node: Any) -> list[tuple[str, Any]]:
    """A condition as a conjunction: combinators, and one `(path, op, operand)` per leaf."""
    if not isinstance(node, Mapping):
        raise UnsatisfiableError
    items: list[tuple[str, Any]] = []
    for key, value in node.items():
        if key in ("all", "any"):
            if not isinstance(value, list) or not value:
                raise UnsatisfiableError
            items.append((key, value))
        elif key == "not":
            items.append((key, value))
        elif isinstance(value, Mapping) and value and all(op in _OPERATORS for op in value):
            items.extend(("leaf", (str(key), op, operand)) for op, operand in value.items())
        else:
            items.append(("leaf", (str(key), "eq", value)))
    return items


def solve(path: str, constraints: Sequence[tuple[str, Any]], rng: random.Random) -> Any:
    """Pick a value for attribute `path` meeting `constraints`; `None` means leave it out.

    Raises:
        UnsatisfiableError: no value was found.
    """
    ops: dict[str, list[Any]] = {}
    for op, operand in constraints:
        ops.setdefault(op, []).append(operand)
    if False in ops.get("exists", ()):
        return None
    candidates = _candidates(path, ops, rng)
    for value in candidates:
        if _meets(value, ops):
            return value
    raise UnsatisfiableError


def _candidates(path: str, ops: dict[str, list[Any]], rng: random.Random) -> list[Any]:
    """Values worth trying, from the most telling constraint."""
    bounds = _bounds(ops)
    candidates: list[Any]
    if "eq" in ops:
        candidates = list(ops["eq"])
    elif "in" in ops:
        candidates = [item for item in ops["in"][0] if not isinstance(item, (list, dict))]
        rng.shuffle(candidates)
    elif bounds is not None:
        candidates = [_number(bounds, rng) for _ in range(4)]
    elif "contains" in ops:
        wanted = ops["contains"][0]
        candidates = [wanted] if isinstance(wanted, str) else [[wanted]]
    elif "matches" in ops:
        literal = _literal(ops["matches"][0])
        candidates = [] if literal is None else [literal + _word(path, rng)]
    else:
        candidates = _fresh(path, ops, rng)
    return candidates


def _fresh(path: str, ops: dict[str, list[Any]], rng: random.Random) -> list[Any]:
    """Made-up values of the kind the operands are, for an attribute only told what not to be."""
    operands: list[Any] = []
    for values in ops.values():
        for value in values:
            operands += value if isinstance(value, list) else [value]
    if any(isinstance(o, bool) for o in operands):
        return [True, False] if rng.random() < 0.5 else [False, True]
    if any(isinstance(o, (int, float)) for o in operands):
        return [rng.randint(0, 100) for _ in range(4)]
    return [_word(path, rng) for _ in range(4)]


def _word(path: str, rng: random.Random) -> str:
    """A made-up text value for attribute `path`, such as `page-417`."""
    return f"{path.rsplit('.', 1)[-1]}-{rng.randint(1, 999)}"


def _literal(pattern: Any) -> str | None:
    """The text a simple pattern such as `^/books/` asks for, or None when it is not simple."""
    if not isinstance(pattern, str):
        return None
    text = pattern.removeprefix("^").removesuffix("$")
    return None if _SPECIAL.search(text) else text


#: An interval of numbers: (low, low is open, high, high is open, whole numbers only).
_Bounds = tuple["float | None", bool, "float | None", bool, bool]


def _bounds(ops: dict[str, list[Any]]) -> _Bounds | None:
    """The numeric interval the ordering operators allow, or None when they say nothing."""
    low: float | None = None
    high: float | None = None
    low_open = high_open = False
    numbers: list[Any] = []
    pairs = [(op, o) for op in ("gt", "gte", "lt", "lte") for o in ops.get(op, ())]
    for low_value, high_value in ops.get("between", ()):
        pairs += [("gte", low_value), ("lte", high_value)]
    for op, operand in pairs:
        if isinstance(operand, bool) or not isinstance(operand, (int, float)):
            return None
        numbers.append(operand)
        if op in _LOWER and (low is None or operand > low or (operand == low and _LOWER[op])):
            low, low_open = operand, _LOWER[op]
        if op in _UPPER and (high is None or operand < high or (operand == high and _UPPER[op])):
            high, high_open = operand, _UPPER[op]
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


def _meets(value: Any, ops: dict[str, list[Any]]) -> bool:
    """Whether `value` meets the exclusions and bounds (the compiled condition checks again)."""
    refused = (
        any(value == x for x in ops.get("ne", ()))
        or any(isinstance(x, list) and value in x for x in ops.get("not_in", ()))
        or any(not (isinstance(x, list) and value in x) for x in ops.get("in", ()))
    )
    if isinstance(value, str):
        refused = refused or any(
            isinstance(x, str) and x in value for x in ops.get("not_contains", ())
        )
        refused = refused or any(_found(str(x), value) for x in ops.get("not_matches", ()))
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        refused = refused or any(low <= value <= high for low, high in ops.get("outside", ()))
        bounds = _bounds(ops)
        refused = refused or (bounds is not None and not _within(value, bounds))
    return not refused


def _found(pattern: str, text: str) -> bool:
    r"""Whether RE2 finds a journey's pattern in `text`, in linear time as replay does.

    A pattern RE2 reads only as the DSL spells it again (`{,3}`, `\Z`) is not found here;
    the compiled condition judges the proposal anyway.
    """
    found = pattern_test(pattern)
    return found is not None and found(text)


def _within(value: float, bounds: _Bounds) -> bool:
    low, low_open, high, high_open, _whole = bounds
    above = low is None or value > low or (not low_open and value == low)
    below = high is None or value < high or (not high_open and value == high)
    return above and below


def trait_values(model: JourneyModel) -> dict[str, list[Any]]:
    """Trait -> the values the journey's conditions compare it with (both, for a flag)."""
    values: dict[str, list[Any]] = {}
    for text in condition_texts(model):
        _collect_traits(parse_condition(text), values)
    return {name: found for name, found in sorted(values.items()) if found}


def _collect_traits(node: Any, values: dict[str, list[Any]]) -> None:
    if isinstance(node, list):
        for item in node:
            _collect_traits(item, values)
        return
    if not isinstance(node, Mapping):
        return
    for key, value in node.items():
        if not str(key).startswith("customer."):
            _collect_traits(value, values)
            continue
        found = values.setdefault(str(key).removeprefix("customer."), [])
        operands = list(value.values()) if isinstance(value, Mapping) else [value]
        for operand in operands:
            for item in operand if isinstance(operand, list) else [operand]:
                choices = [True, False] if isinstance(item, bool) else [item]
                found += [c for c in choices if c not in found and not isinstance(c, (dict, list))]

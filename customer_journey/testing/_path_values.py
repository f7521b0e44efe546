"""Values that satisfy (or violate) a condition, for the histories path generation builds.

A condition is read back from the text the model keeps beside each compiled condition
(`where_text`, `condition_text`), and each operator proposes a few values that should make
it hold. Nothing here decides: the caller checks every proposal with the compiled
condition or with the engine itself, so a proposal may be wrong but is never accepted
wrongly. Proposals are deterministic (no randomness), so generated histories are stable.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable, Mapping, Sequence
from datetime import timedelta
from functools import lru_cache
from typing import Any

from customer_journey._durations import parse_duration
from customer_journey.dsl import pattern_test
from customer_journey.model import MISSING
from customer_journey.testing._condition_text import nest as nest_paths
from customer_journey.testing._condition_text import parse_condition

__all__ = ["Assignment", "assignments", "nest"]

#: path -> value; `MISSING` means the path must be left out.
Assignment = Mapping[str, Any]

_LIMIT = 24  # proposals kept per condition: enough for the usual condition, and fast
_OPERATORS = frozenset(
    {"eq", "ne", "gt", "gte", "lt", "lte", "in", "not_in", "contains", "exists", "matches",
     "between"}
)  # fmt: skip
_OPPOSITE = {"eq": "ne", "gt": "lte", "gte": "lt", "lt": "gte", "lte": "gt"}
_METACHARACTERS = re.compile(r"[\\.^$*+?{}\[\]|()]")
_SECOND = timedelta(seconds=1)


@lru_cache(maxsize=256)
def assignments(text: str | None, *, negate: bool = False) -> tuple[Assignment, ...]:
    """Proposed assignments that make the condition written as `text` hold (or fail).

    An empty tuple means no proposal could be made; `({},)` means nothing is needed.
    """
    if text is None:
        return ({},)
    raw = parse_condition(text)
    if not isinstance(raw, Mapping):
        return ()
    return tuple(_condition(raw, negate=negate))


def nest(assignment: Assignment) -> dict[str, Any]:
    """Attributes for an assignment: dotted paths become nested mappings, `MISSING` is left out."""
    return nest_paths(assignment.items())


def _condition(raw: Mapping[Any, Any], *, negate: bool) -> list[dict[str, Any]]:
    """Every entry must hold (or, negated, one must fail)."""
    parts = [_entry(key, value, negate=negate) for key, value in raw.items()]
    return _either(parts) if negate else _both(parts)


def _entry(key: Any, value: Any, *, negate: bool) -> list[dict[str, Any]]:
    if key == "not" and isinstance(value, Mapping):
        return _condition(value, negate=not negate)
    if key in ("all", "any") and isinstance(value, list):
        parts = [_condition(item, negate=negate) for item in value if isinstance(item, Mapping)]
        conjunction = (key == "all") != negate
        return _both(parts) if conjunction else _either(parts)
    path = str(key)
    tests = value.items() if isinstance(value, Mapping) else [("eq", value)]
    durations = path == "time_in_stage"
    values: list[Any] = []
    for op, operand in tests:
        if op in _OPERATORS:
            read = _durations(operand) if durations else operand
            values.extend(_values(str(op), read, negate=negate))
    return [{path: value} for value in _unique(values)][:_LIMIT]


def _durations(operand: Any) -> Any:
    """Durations in `time_in_stage` tests are written as text such as 7d."""
    if isinstance(operand, list):
        return [parse_duration(item) or item for item in operand]
    return parse_duration(operand) or operand


def _both(parts: Sequence[list[dict[str, Any]]]) -> list[dict[str, Any]]:
    """Assignments satisfying every part: one proposal from each, merged."""
    merged: list[dict[str, Any]] = []
    for combination in itertools.islice(itertools.product(*parts), _LIMIT):
        assignment: dict[str, Any] = {}
        for proposal in combination:
            assignment.update(proposal)
        merged.append(assignment)
    return merged


def _either(parts: Sequence[list[dict[str, Any]]]) -> list[dict[str, Any]]:
    """Assignments satisfying one part: the parts' proposals, taken in turn."""
    taken = itertools.chain.from_iterable(itertools.zip_longest(*parts))
    return [proposal for proposal in taken if proposal is not None][:_LIMIT]


def _values(op: str, x: Any, *, negate: bool) -> list[Any]:  # noqa: PLR0911 - one case per operator
    """Values proposed to make `op x` hold, or fail when `negate`."""
    if op == "exists":
        return [MISSING] if bool(x) == negate else ["yes"]
    if op == "matches":
        return _matching(x, negate=negate)
    if negate:  # a missing value fails every operator but `ne` and `not_in`: try it first
        if op in ("ne", "not_in"):
            return _violating(op, x)
        opposite = _values(_OPPOSITE[op], x, negate=False) if op in _OPPOSITE else []
        return [MISSING, *opposite, *_violating(op, x)]
    if op == "eq":
        return [x]
    if op == "ne":
        return [_other(x), MISSING]
    if op in ("gt", "gte", "lt", "lte"):
        return _ordered(op, x)
    if op == "between":
        return list(x) if isinstance(x, list) else []
    if op == "in":
        return list(x)[:3] if isinstance(x, list) else []
    if op == "not_in":
        return [_outside(x), MISSING]
    return [x, [x]] if isinstance(x, str) else [[x]]  # contains


def _violating(op: str, x: Any) -> list[Any]:
    """Values for which `ne`, `in`, `not_in`, `between` or `contains` fails."""
    if op == "ne":
        return [x]
    if op == "not_in":
        return list(x)[:1] if isinstance(x, list) else []
    if op == "in":
        return [_outside(x)]
    if op == "between" and isinstance(x, list) and len(x) == 2:
        return [value for value in (_below(x[0]), _above(x[1])) if value is not None]
    return []


def _ordered(op: str, x: Any) -> list[Any]:
    above, below = _above(x), _below(x)
    found = {"gt": [above], "gte": [x, above], "lt": [below], "lte": [x, below]}[op]
    return [value for value in found if value is not None]


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
    if isinstance(x, bool):
        return not x
    if isinstance(x, (int, float)):
        return x + 1
    return f"{x}-other" if isinstance(x, str) else "other"


def _outside(items: Any) -> Any:
    values = list(items) if isinstance(items, list) else [items]
    numbers = [v for v in values if isinstance(v, (int, float)) and not isinstance(v, bool)]
    if numbers and len(numbers) == len(values):
        return max(numbers) + 1
    return "-".join(["other", *(str(v) for v in values)])


def _matching(pattern: Any, *, negate: bool) -> list[Any]:
    """Texts tried for `matches`: an example of each alternative, literal fragments, a few more."""
    if not isinstance(pattern, str):
        return []
    found = pattern_test(pattern)
    if found is None:
        return []
    if negate:
        return [MISSING, *(text for text in ("~", "") if not found(text))]
    examples = [_example(alternative) for alternative in _alternatives(pattern)]
    fragments = [*examples, *_METACHARACTERS.split(pattern), "0", "1", "a", "A", "x"]
    return [text for text in _unique(fragments) if found(text)][:3]


def _alternatives(pattern: str) -> list[str]:
    """Split a pattern on its top-level `|`."""
    parts, depth, start, index = [], 0, 0, 0
    while index < len(pattern):
        char = pattern[index]
        if char == "\\":
            index += 1
        elif char in "([":
            depth += 1
        elif char in ")]":
            depth -= 1
        elif char == "|" and depth == 0:
            parts.append(pattern[start:index])
            start = index + 1
        index += 1
    return [*parts, pattern[start:]]


def _example(pattern: str) -> str:
    """A text the pattern is likely to match: first alternatives, one of each repeat."""
    out: list[str] = []
    index = 0
    while index < len(pattern):
        char = pattern[index]
        if char == "\\" and index + 1 < len(pattern):
            escaped = pattern[index + 1]
            out.append("" if escaped in "AZbB" else _ESCAPES.get(escaped, escaped))
            index += 2
            continue
        if char == "[":
            end = pattern.find("]", index + 2)
            body = pattern[index + 1 : end] if end > 0 else "a"
            out.append("~" if body.startswith("^") else _ESCAPES.get(body[1:2], body[:1]))
            index = end + 1 if end > 0 else len(pattern)
            continue
        if char == "(":
            end = _closing(pattern, index)
            body = re.sub(r"^\?(:|P<\w+>|<\w+>)", "", pattern[index + 1 : end])
            out.append(_example(_alternatives(body)[0]))
            index = end + 1
            continue
        if char == "{":
            repeat = re.match(r"\{(\d+)(,\d*)?\}", pattern[index:])
            if repeat and out:
                out.append(out[-1] * (int(repeat[1]) - 1))
                index += len(repeat[0])
                continue
        if char == ".":
            out.append("a")
        elif char not in "^$*+?":
            out.append(char)
        index += 1
    return "".join(out)


_ESCAPES = {"d": "0", "w": "a", "s": " ", "D": "a", "W": "-", "S": "a"}


def _closing(pattern: str, start: int) -> int:
    """The index of the `)` closing the group opened at `start`."""
    depth = 0
    index = start
    while index < len(pattern):
        char = pattern[index]
        if char == "\\":
            index += 1
        elif char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
            if depth == 0:
                return index
        index += 1
    return len(pattern)


def _unique(values: Iterable[Any]) -> list[Any]:
    """Values in order, without repeats (values may be lists, which cannot be hashed)."""
    kept: list[Any] = []
    for value in values:
        if not any(
            value is other or (type(value) is type(other) and value == other) for other in kept
        ):
            kept.append(value)
    return kept

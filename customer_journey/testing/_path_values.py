"""Values that satisfy (or violate) a condition, for the histories path generation builds.

The condition tree is walked and each test asks its operator for a few values that make
it hold (or fail). Nothing here decides: the caller checks every proposal with the
compiled condition or with the engine itself, so a proposal may be wrong but is never
accepted wrongly. Proposals are deterministic (no randomness), so generated histories are
stable.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable, Mapping, Sequence
from functools import lru_cache
from typing import Any

from customer_journey.dsl import pattern_test
from customer_journey.model import MISSING, AllOf, AnyOf, ConditionTree, Not, PathTest

__all__ = ["Assignment", "assignments", "found_by", "nest"]

#: path -> value; `MISSING` means the path must be left out.
Assignment = Mapping[str, Any]

_LIMIT = 24  # proposals kept per condition: enough for the usual condition, and fast


def found_by(pattern: str) -> Callable[[str], bool]:
    """The test of whether a journey's `matches` pattern is found in a text, as replay's.

    RE2 in linear time; a pattern RE2 refuses (none that loaded) is found nowhere.
    """
    return pattern_test(pattern) or _nowhere


def _nowhere(text: str) -> bool:
    del text
    return False


def assignments(tree: ConditionTree | None, *, negate: bool = False) -> tuple[Assignment, ...]:
    """Proposed assignments that make the condition `tree` hold (or fail).

    An empty tuple means no proposal could be made; `({},)` means nothing is needed.
    """
    if tree is None:
        return ({},)
    try:
        hash(tree)
    except TypeError:  # an operand holds a mapping, which cannot be hashed
        return tuple(_proposals(tree, negate=negate))
    return _remembered(tree, negate=negate)


@lru_cache(maxsize=256)
def _remembered(tree: ConditionTree, *, negate: bool) -> tuple[Assignment, ...]:
    return tuple(_proposals(tree, negate=negate))


def nest(assignment: Assignment) -> dict[str, Any]:
    """Attributes for an assignment: dotted paths become nested mappings, `MISSING` is left out."""
    attributes: dict[str, Any] = {}
    for path, value in assignment.items():
        if value is MISSING:
            continue
        *parents, last = path.split(".")
        target = attributes
        for part in parents:
            inner = target.get(part)
            if not isinstance(inner, dict):
                inner = target[part] = {}
            target = inner
        target[last] = value
    return attributes


def _proposals(tree: ConditionTree, *, negate: bool) -> list[dict[str, Any]]:
    if isinstance(tree, Not):
        return _proposals(tree.part, negate=not negate)
    if isinstance(tree, PathTest):
        return _path_proposals([tree], negate=negate)
    tests = _tests_of_one_path(tree)
    if tests:
        return _path_proposals(tests, negate=negate)
    parts = [_proposals(part, negate=negate) for part in tree.parts]
    conjunction = isinstance(tree, AllOf) != negate
    return _both(parts) if conjunction else _either(parts)


def _path_proposals(tests: Sequence[PathTest], *, negate: bool) -> list[dict[str, Any]]:
    """Values for one path that make its tests hold (or fail), each its own proposal."""
    values: list[Any] = []
    for test in tests:
        found = test.op.violating if negate else test.op.satisfying
        values.extend(found(test.operand, found_by))
    return [{tests[0].path: value} for value in _unique(values)][:_LIMIT]


def _tests_of_one_path(tree: AllOf | AnyOf) -> list[PathTest]:
    """The tests of `tree` when it is all of tests on a single path, else none."""
    if not isinstance(tree, AllOf):
        return []
    tests = [part for part in tree.parts if isinstance(part, PathTest)]
    if len(tests) != len(tree.parts) or len({test.path for test in tests}) != 1:
        return []
    return tests


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


def _unique(values: Iterable[Any]) -> list[Any]:
    """Values in order, without repeats (values may be lists, which cannot be hashed)."""
    kept: list[Any] = []
    for value in values:
        if not any(
            value is other or (type(value) is type(other) and value == other) for other in kept
        ):
            kept.append(value)
    return kept

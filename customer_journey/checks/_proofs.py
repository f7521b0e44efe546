"""Proofs over condition trees: that a condition can never hold, or always holds.

Whether a condition holds depends only on the values at its paths. The tests written on
one path cut the values it may hold into a few regions: for `{gte: 5, lt: 10}` on a count,
the counts below 5, from 5 to 9, and from 10 on. Values in one region pass and fail the
same tests, so trying one value from each region, for every path at once, decides the
whole condition through the truth tables of all, any and not. The regions come from the
operands: intervals with open or closed ends for numbers, texts and durations; the
values of `eq`, `ne`, `in` and `not_in`; true and false; missing; values of other kinds;
and lists, which `in` and `not_in` look inside (a list is `in` a set when one of its
items is). Each value is judged by the very test the engine runs (`Operator.compile`), so
a missing value, or one of another kind, counts exactly as it does in replay.

What a path may hold narrows its regions: counts (`count.`, `stage_count.`, `visited.`)
are whole numbers from 0, `stalled` is true or false, `time_in_stage` a duration from 0
(or missing); anything else, an event attribute or a trait, may be anything: missing, of
any kind, a list. A `where` condition is read with its paths under `event.`, the names an
`if` gives the same attributes.

Tests whose regions cannot be listed (`contains`, `matches`, operands that are lists or
mappings or not finite numbers, very long `in` lists) are free: each may be true or false,
whatever the rest says (the same test written twice is one). A proof never rests on them,
and when there are too many combinations or values to try, nothing is proven: every
answer here is a real one.
"""

from __future__ import annotations

import enum
import itertools
import math
from collections.abc import Callable, Iterator, Sequence
from datetime import timedelta
from typing import Any

import attrs

from customer_journey.model import (
    MISSING,
    AllOf,
    AnyOf,
    ConditionTree,
    Kind,
    Not,
    PathTest,
    Shape,
    ValueTest,
    kind_of,
    path_tests,
)

__all__ = [
    "BUDGET",
    "Domain",
    "always_holds",
    "disjuncts",
    "domain_of",
    "in_event",
    "irreducible",
    "never_holds",
    "restricted_paths",
]

#: The most combinations of values one proof tries; past it, nothing is proven.
BUDGET = 1 << 14
#: The most classes of list items (items in the same `in` sets) whose lists are tried.
_MOST_ITEM_CLASSES = 8
#: The most operand values on one path whose regions are tried (a long `in` list proves
#: nothing, and costs nothing).
_MOST_POINTS = 1000
_FREE_OPERATORS = frozenset({"contains", "matches"})
_LISTED_KINDS = frozenset({Kind.BOOL, Kind.NUMBER, Kind.STRING, Kind.DURATION})
_MICROSECOND = timedelta(microseconds=1)
#: The values below the lowest and above the highest of some points, None when there are none.
_Ends = tuple[Callable[[Any], Any], Callable[[Any], Any]]


class Domain(enum.Enum):
    """What values a path may hold, worded for messages."""

    ANY = "anything"
    COUNT = "a whole number, 0 or more"
    FLAG = "true or false"
    ELAPSED = "a duration of 0 or more"


_COUNTED = ("count", "stage_count", "visited")


def domain_of(path: str) -> Domain:
    """The values an `if` path may hold (section 4 of the DSL specification)."""
    root, dot, _ = path.partition(".")
    if dot and root in _COUNTED:
        return Domain.COUNT
    if path == "stalled":
        return Domain.FLAG
    if path == "time_in_stage":
        return Domain.ELAPSED
    return Domain.ANY


def in_event(tree: ConditionTree) -> ConditionTree:
    """A `where` condition as an `if` reads it: each path under `event.`."""
    if isinstance(tree, PathTest):
        return attrs.evolve(tree, path=f"event.{tree.path}")
    if isinstance(tree, Not):
        return attrs.evolve(tree, part=in_event(tree.part))
    return attrs.evolve(tree, parts=tuple(map(in_event, tree.parts)))


def never_holds(trees: Sequence[ConditionTree], *, anything: bool = False) -> bool:
    """Whether it is proven that `trees` never all hold at once.

    Args:
        trees: `if` conditions (a `where` goes through `in_event` first).
        anything: let every path hold anything, as if counts could be negative or missing.
    """
    return _failing(trees, anything=anything) is not None


def _failing(trees: Sequence[ConditionTree], *, anything: bool = False) -> set[str] | None:
    """The paths of a group of parts of `trees` that never holds, or None if none is proven."""
    parts = [part for tree in trees for part in _conjuncts(tree, positive=True)]
    for paths, group in _independent(parts):
        if not _satisfiable(group, anything=anything):
            return paths
    return None


def always_holds(tree: ConditionTree, *, anything: bool = False) -> bool:
    """Whether it is proven that `tree` holds whatever the values, missing ones included."""
    return never_holds([Not(tree)], anything=anything)


def irreducible(trees: Sequence[ConditionTree], *, keep: int = 0) -> list[int]:
    """The indices of some of `trees` that still never hold together, none of them spare.

    `trees` must never hold together; the first `keep` of them stay in any case. Only the
    trees on the paths of a group that never holds are tried, which keeps this quick.
    """
    failing = _failing(trees) or set()
    core = [
        index
        for index, tree in enumerate(trees)
        if index < keep or failing & {test.path for test in path_tests(tree)}
    ]
    for index in [index for index in core if index >= keep]:
        trial = [other for other in core if other != index]
        if never_holds([trees[other] for other in trial]):
            core = trial
    return core


def restricted_paths(trees: Sequence[ConditionTree]) -> list[str]:
    """The paths whose narrower values make `trees` never hold, when theirs alone do.

    Empty when `trees` would never hold whatever their paths held.
    """
    if never_holds(trees, anything=True):
        return []
    paths = dict.fromkeys(test.path for tree in trees for test in path_tests(tree))
    return [path for path in paths if domain_of(path) is not Domain.ANY]


def disjuncts(tree: ConditionTree) -> list[ConditionTree]:
    """The parts of which one must hold for `tree` to hold: its own, through every `any`."""
    if isinstance(tree, AnyOf):
        return [part for each in tree.parts for part in disjuncts(each)]
    return [tree]


def _conjuncts(tree: ConditionTree, *, positive: bool) -> Iterator[ConditionTree]:
    """The parts that must all hold, through `all`, and `not` of `any` (De Morgan)."""
    if isinstance(tree, Not):
        yield from _conjuncts(tree.part, positive=not positive)
    elif isinstance(tree, AllOf) and positive:
        for part in tree.parts:
            yield from _conjuncts(part, positive=True)
    elif isinstance(tree, AnyOf) and not positive:
        for part in tree.parts:
            yield from _conjuncts(part, positive=False)
    else:
        yield tree if positive else Not(tree)


def _independent(parts: list[ConditionTree]) -> list[tuple[set[str], list[ConditionTree]]]:
    """The parts in groups that share no path, each with its paths, to be decided alone."""
    owner: dict[str, int] = {}
    groups: dict[int, tuple[set[str], list[ConditionTree]]] = {}
    for number, part in enumerate(parts):
        paths = {test.path for test in path_tests(part)}
        merged: tuple[set[str], list[ConditionTree]] = (paths, [])
        for joined in sorted({owner[path] for path in paths if path in owner}):
            other_paths, other_parts = groups.pop(joined)
            merged[0].update(other_paths)
            merged[1].extend(other_parts)
        merged[1].append(part)
        groups[number] = merged
        owner.update(dict.fromkeys(merged[0], number))
    return list(groups.values())


# Deciding one group ---------------------------------------------------------------------------


def _satisfiable(parts: list[ConditionTree], *, anything: bool) -> bool:
    """Whether some values make every part hold; True when that is too costly to decide."""
    atoms: dict[tuple[str, str, str], int] = {}
    index: dict[int, int] = {}
    listed: dict[str, list[tuple[int, ValueTest, PathTest]]] = {}
    free: list[int] = []
    for part in parts:
        for test in path_tests(part):
            key = (test.path, test.operator, repr(test.operand))
            if key not in atoms:
                atoms[key] = len(atoms)
                if _is_listed(test):
                    compiled = test.op.compile(test.operand, _no_patterns)
                    listed.setdefault(test.path, []).append((atoms[key], compiled, test))
                else:
                    free.append(atoms[key])
            index[id(test)] = atoms[key]
    choices: list[list[list[tuple[int, bool]]]] = []
    for path, known in listed.items():
        values = _values(Domain.ANY if anything else domain_of(path), known)
        if values is None:
            return True
        rows = {tuple(bool(compiled(value)) for _, compiled, _ in known) for value in values}
        positions = [position for position, _, _ in known]
        choices.append([list(zip(positions, row, strict=True)) for row in sorted(rows)])
    choices += [[[(position, False)], [(position, True)]] for position in free]
    if math.prod(len(choice) for choice in choices) > BUDGET:
        return True
    truth = [False] * len(atoms)
    for combination in itertools.product(*choices):
        for row in combination:
            for position, value in row:
                truth[position] = value
        if all(_holds(part, truth, index) for part in parts):
            return True
    return False


def _holds(tree: ConditionTree, truth: list[bool], index: dict[int, int]) -> bool:
    if isinstance(tree, PathTest):
        return truth[index[id(tree)]]
    if isinstance(tree, Not):
        return not _holds(tree.part, truth, index)
    if isinstance(tree, AllOf):
        return all(_holds(part, truth, index) for part in tree.parts)
    return any(_holds(part, truth, index) for part in tree.parts)


def _no_patterns(pattern: str) -> Callable[[str], bool]:
    raise AssertionError(f"'matches' is never judged here (got {pattern!r})")  # pragma: no cover


def _points(test: PathTest) -> tuple[Any, ...]:
    """The values the operand names: where the regions of its path are cut."""
    shape = test.op.shape
    if shape in (Shape.VALUES, Shape.RANGE):
        return tuple(test.operand)
    return () if shape is Shape.FLAG else (test.operand,)


def _is_listed(test: PathTest) -> bool:
    """Whether the regions a test cuts can be listed (otherwise the test is free)."""
    if test.operator in _FREE_OPERATORS:
        return False
    points = _points(test)
    return len(points) <= _MOST_POINTS and all(_is_plain(p, test.op.shape) for p in points)


def _is_plain(value: Any, shape: Shape) -> bool:
    kind = kind_of(value)
    if kind is Kind.NUMBER and isinstance(value, float):
        return math.isfinite(value)
    return kind in _LISTED_KINDS or (kind is Kind.ABSENT and shape is Shape.VALUES)


# One value from each region --------------------------------------------------------------------


def _values(domain: Domain, known: list[tuple[int, ValueTest, PathTest]]) -> list[Any] | None:
    """A value from each region the tests cut the domain into; None when too many."""
    points = [point for _, _, test in known for point in _points(test)]
    if len(points) > _MOST_POINTS:
        return None
    numbers = sorted({point for point in points if kind_of(point) is Kind.NUMBER})
    durations = sorted({point for point in points if kind_of(point) is Kind.DURATION})
    if domain is Domain.COUNT:
        return _counts(numbers)
    if domain is Domain.FLAG:
        return [False, True]
    if domain is Domain.ELAPSED:
        found = _ordered(durations, timedelta(0), _duration_between, _DURATION_ENDS)
        return [MISSING, timedelta(0), *(value for value in found if value >= timedelta(0))]
    texts = sorted({point for point in points if kind_of(point) is Kind.STRING})
    lists = _lists(known)
    if lists is None:
        return None
    return [
        MISSING,
        False,
        True,
        *_ordered(numbers, 0, _number_between, _NUMBER_ENDS),
        *_ordered(texts, "", _text_between, _TEXT_ENDS),
        *_ordered(durations, timedelta(0), _duration_between, _DURATION_ENDS),
        *lists,
        {},
    ]


def _counts(numbers: list[Any]) -> list[int]:
    """A whole number from 0 in each region: the smallest at or above each cut."""
    found = {0}
    for number in numbers:
        low = math.floor(number)
        found.update(value for value in (low, low + 1) if value >= 0)
    return sorted(found)


def _ordered(
    points: list[Any],
    default: Any,
    between: Callable[[Any, Any], Any],
    ends: _Ends,
) -> list[Any]:
    """Each point, a value in each gap between two, and one beyond each end, where any is.

    `between(low, high)` and the `ends` (below the lowest, above the highest point) give
    None when there is no such value.
    """
    if not points:
        return [default]
    below, above = ends
    found = [below(points[0]), above(points[-1])]
    found += itertools.starmap(between, itertools.pairwise(points))
    return [*points, *(value for value in found if value is not None)]


def _number_between(low: Any, high: Any) -> Any:
    """A number strictly between two, if Python has one (huge ints have no floats between)."""
    middles: tuple[Callable[[], Any], ...] = (lambda: low + 1, lambda: low / 2 + high / 2)
    for middle in middles:
        try:
            value = middle()
        except OverflowError:
            continue
        if low < value < high:
            return value
    return None


_NUMBER_ENDS: _Ends = (lambda point: -math.inf, lambda point: math.inf)


def _text_between(low: str, high: str) -> str | None:
    """The smallest text after `low`, when it comes before `high` (else none is between)."""
    value = low + "\x00"
    return value if value < high else None


_TEXT_ENDS: _Ends = (lambda point: "" if point else None, lambda point: point + "\x00")


def _duration_between(low: timedelta, high: timedelta) -> timedelta | None:
    value = low + _MICROSECOND
    return value if value < high else None


_DURATION_ENDS: _Ends = (
    lambda point: timedelta.min if point != timedelta.min else None,
    lambda point: timedelta.max if point != timedelta.max else None,
)


def _lists(known: list[tuple[int, ValueTest, PathTest]]) -> list[list[Any]] | None:
    """A list from each region, or None when there are too many.

    `in` and `not_in` judge a list by which of their sets its items are in, so the lists
    are every combination of one item per class (items in the same sets).
    """
    items: dict[tuple[Kind, Any], Any] = {}
    for _, _, test in known:
        if test.op.shape is Shape.VALUES:
            for item in test.operand:
                if kind_of(item) in _LISTED_KINDS:
                    items.setdefault((kind_of(item), item), item)
    classes: dict[tuple[bool, ...], Any] = {}
    for item in items.values():
        classes.setdefault(tuple(bool(compiled([item])) for _, compiled, _ in known), item)
    if len(classes) > _MOST_ITEM_CLASSES:
        return None
    chosen = list(classes.values())
    return [
        list(subset)
        for size in range(len(chosen) + 1)
        for subset in itertools.combinations(chosen, size)
    ]

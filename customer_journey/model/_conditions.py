"""The condition tree: what a `where`, an `if` or a consent condition says, kept whole.

The DSL reads each condition once into a frozen tree: `AllOf`, `AnyOf` and `Not` over
`PathTest`s, each a (path, operator, operand) with the place it was written. Everything
that reads a condition walks this tree: the DSL compiles it into the closures the engine
runs, lint reasons over it, the testing tools make data from it, and its `text` is the
condition as written, for traces, explanations and diagrams.

Equality compares what a condition means as written (paths, operators, operands and
structure), not where or in which layout it was written.
"""

from __future__ import annotations

import enum
import functools
from collections.abc import Iterator
from typing import Any, TypeAlias

import attrs

from customer_journey.errors import Location
from customer_journey.model._flow_text import flow_text
from customer_journey.model._operators import BARE, OPERATORS, Operator

__all__ = [
    "AllOf",
    "AnyOf",
    "ConditionTree",
    "GroupForm",
    "Not",
    "PathTest",
    "conjuncts",
    "path_tests",
]


class GroupForm(enum.Enum):
    """How the parts of an `AllOf` were written; its text is written the same way."""

    LIST = "list"  # all: [{a: 1}, {b: 2}]
    KEYS = "keys"  # {a: 1, b: 2}: several keys of one mapping
    OPERATORS = "operators"  # {a: {gt: 1, lt: 5}}: several operators on one path


@attrs.frozen
class PathTest:
    """One test of the value at a path: `total: {gt: 0}`.

    Attributes:
        path: what the value is (`total`, `customer.segment`, `count.cart_add`).
        operator: the operator's name, a key of `OPERATORS`.
        operand: the checked operand: durations as `timedelta`s, lists as tuples,
            mappings read-only.
        location: where the test is written (its operator, or its path when written bare).
        bare: written as a bare value meaning `eq` (`{stalled: true}`).
    """

    path: str
    operator: str = attrs.field(validator=attrs.validators.in_(OPERATORS))
    operand: Any
    location: Location | None = attrs.field(default=None, eq=False)
    bare: bool = attrs.field(default=False, eq=False)

    @property
    def op(self) -> Operator:
        """The operator's definition."""
        return OPERATORS[self.operator]

    @functools.cached_property
    def text(self) -> str:
        """The condition as written: `{total: {gt: 0}}`."""
        return _text(self)


@attrs.frozen
class AllOf:
    """Every part must hold.

    Attributes:
        parts: the conditions, in the order written.
        location: where the group is written.
        form: how it is written (`all: [...]`, several keys, several operators on a path).
    """

    parts: tuple[ConditionTree, ...]
    location: Location | None = attrs.field(default=None, eq=False)
    form: GroupForm = attrs.field(default=GroupForm.LIST, eq=False)

    @functools.cached_property
    def text(self) -> str:
        """The condition as written: `{all: [{a: 1}, {b: 2}]}`."""
        return _text(self)


@attrs.frozen
class AnyOf:
    """At least one part must hold (`any: [...]`)."""

    parts: tuple[ConditionTree, ...]
    location: Location | None = attrs.field(default=None, eq=False)

    @functools.cached_property
    def text(self) -> str:
        """The condition as written: `{any: [{a: 1}, {b: 2}]}`."""
        return _text(self)


@attrs.frozen
class Not:
    """The part must not hold (`not: {...}`)."""

    part: ConditionTree
    location: Location | None = attrs.field(default=None, eq=False)

    @functools.cached_property
    def text(self) -> str:
        """The condition as written: `{not: {a: 1}}`."""
        return _text(self)


#: A condition: a test, or all, any or none of other conditions.
ConditionTree: TypeAlias = PathTest | AllOf | AnyOf | Not


def conjuncts(tree: ConditionTree) -> Iterator[ConditionTree]:
    """The parts that must all hold for `tree` to hold: its own, through every `AllOf`."""
    if isinstance(tree, AllOf):
        for part in tree.parts:
            yield from conjuncts(part)
    else:
        yield tree


def path_tests(tree: ConditionTree) -> Iterator[PathTest]:
    """Every test in `tree`, in the order written, through all, any and not."""
    if isinstance(tree, PathTest):
        yield tree
    elif isinstance(tree, Not):
        yield from path_tests(tree.part)
    else:
        for part in tree.parts:
            yield from path_tests(part)


def _text(tree: ConditionTree) -> str:
    return "{" + ", ".join(_entries(tree)) + "}"


def _entries(tree: ConditionTree) -> list[str]:
    """The `key: value` entries that write `tree` in one mapping."""
    if isinstance(tree, PathTest):
        if tree.bare and tree.operator == BARE:
            return [f"{flow_text(tree.path)}: {flow_text(tree.operand)}"]
        return [f"{flow_text(tree.path)}: {{{tree.op.text(tree.operand)}}}"]
    if isinstance(tree, Not):
        return [f"not: {tree.part.text}"]
    if isinstance(tree, AnyOf):
        return ["any: [" + ", ".join(part.text for part in tree.parts) + "]"]
    return _group_entries(tree)


def _group_entries(tree: AllOf) -> list[str]:
    """The entries of an `AllOf`, written in its form when the parts allow it."""
    if tree.form is GroupForm.KEYS:
        return [entry for part in tree.parts for entry in _entries(part)]
    tests = [part for part in tree.parts if isinstance(part, PathTest)]
    one_path = len(tests) == len(tree.parts) and len({test.path for test in tests}) == 1
    if tree.form is GroupForm.OPERATORS and one_path:
        written = ", ".join(test.op.text(test.operand) for test in tests)
        return [f"{flow_text(tests[0].path)}: {{{written}}}"]
    return ["all: [" + ", ".join(part.text for part in tree.parts) + "]"]

"""Compiling condition trees into the plain closures the engine calls on every event.

All the work happens once, here: each path is bound to a getter specialised for it, each
test becomes the value test its operator compiles to for its operand's kind (`matches`
with the journey's RE2 patterns), and all, any and not become loops without generators.
Tests of one path inside one `AllOf` read the value once. Nothing is parsed or looked up
by name when a condition runs.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from customer_journey.dsl._condition_paths import Bind, bind_if, bind_where
from customer_journey.model import (
    AllOf,
    AnyOf,
    AttributeCondition,
    Condition,
    ConditionTree,
    Not,
    PathTest,
    PatternCompiler,
    ValueTest,
)

__all__ = ["compile_if", "compile_where"]

_Predicate = Callable[[Any], bool]


def compile_where(tree: ConditionTree, patterns: PatternCompiler) -> AttributeCondition:
    """Compile a touchpoint's `where` tree into a test of an event's attributes."""
    return _Compiler(bind_where, patterns).predicate(tree)


def compile_if(tree: ConditionTree, patterns: PatternCompiler) -> Condition:
    """Compile an `if` (or consent) tree into a test of a customer's context."""
    return _Compiler(bind_if, patterns).predicate(tree)


class _Compiler:
    """Compiles the trees of one scope (`where` or `if`) with one pattern compiler."""

    def __init__(self, bind: Callable[[str], Bind], patterns: PatternCompiler) -> None:
        self._bind = bind
        self._patterns = patterns

    def predicate(self, tree: ConditionTree) -> _Predicate:
        if isinstance(tree, PathTest):
            return self._bind(tree.path)(self._value_test(tree))
        if isinstance(tree, Not):
            inner = self.predicate(tree.part)
            return lambda x: not inner(x)
        if isinstance(tree, AnyOf):
            return _any_of([self.predicate(part) for part in tree.parts])
        return _all_of([self._run(run) for run in _runs(tree)])

    def _run(self, run: Sequence[ConditionTree]) -> _Predicate:
        """One part, or several tests of one path bound to a single read of it."""
        first = run[0]
        if len(run) == 1 or not isinstance(first, PathTest):
            return self.predicate(first)
        tests = [self._value_test(test) for test in run if isinstance(test, PathTest)]
        return self._bind(first.path)(_all_of(tests))

    def _value_test(self, test: PathTest) -> ValueTest:
        return test.op.compile(test.operand, self._patterns)


def _runs(tree: AllOf) -> list[list[ConditionTree]]:
    """The parts of `tree`, consecutive tests of one path grouped together."""
    runs: list[list[ConditionTree]] = []
    for part in tree.parts:
        previous = runs[-1][-1] if runs else None
        same_path = (
            isinstance(part, PathTest)
            and isinstance(previous, PathTest)
            and previous.path == part.path
        )
        if same_path:
            runs[-1].append(part)
        else:
            runs.append([part])
    return runs


def _all_of(tests: Sequence[Callable[[Any], bool]]) -> Callable[[Any], bool]:
    """Combine tests that must all hold, without a generator per call."""
    if len(tests) == 1:
        return tests[0]
    if len(tests) == 2:
        first, second = tests
        return lambda v: first(v) and second(v)
    chain = tuple(tests)

    def every(v: Any) -> bool:
        for test in chain:  # noqa: SIM110 - a loop avoids a generator per call
            if not test(v):
                return False
        return True

    return every


def _any_of(tests: Sequence[Callable[[Any], bool]]) -> Callable[[Any], bool]:
    if len(tests) == 1:
        return tests[0]
    chain = tuple(tests)

    def some(v: Any) -> bool:
        for test in chain:  # noqa: SIM110 - a loop avoids a generator per call
            if test(v):
                return True
        return False

    return some

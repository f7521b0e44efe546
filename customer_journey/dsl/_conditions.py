"""The condition compiler: `where` and `if` conditions become plain closures at load time.

A condition is checked on every event, so all the work happens once, here: each path is
resolved to a getter specialised for its kind, each operand is checked and its kind fixed,
regexes are compiled, and each operator becomes a comparator picked for that kind. Nothing
is parsed or looked up by name when a condition runs, and nothing is ever `eval`-ed.

Missing values (absent, or an explicit null) behave as in MongoDB queries: `ne`, `not_in`
and `exists: false` hold, every other operator is false. Values of incompatible kinds
compare false: a number is never a bool (`true` is not `1`), text only compares with text,
durations with durations.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Collection, Mapping, Sequence
from datetime import timedelta
from operator import attrgetter
from typing import Any

from customer_journey._durations import LONGEST_TEXT, is_too_long, parse_duration
from customer_journey.dsl import limits
from customer_journey.dsl._flow_text import render_condition
from customer_journey.dsl._hints import Hints
from customer_journey.dsl._patterns import PatternError, Patterns
from customer_journey.model._context import (
    MISSING,
    AttributeCondition,
    Condition,
    ConditionContext,
)

__all__ = ["Path", "Report", "compile_if", "compile_where"]

#: Where a problem sits, relative to the condition node: mapping keys and list indexes.
Path = tuple[str | int, ...]
#: `report(path, code, message, hint, at_key)`; `at_key` is True when the fault is a mapping
#: key (an unknown path or operator), False when it is a value (a bad operand).
Report = Callable[[Path, str, str, str | None, bool], None]

_Test = Callable[[Any], bool]  # a test on one value (which may be None or MISSING)
_Predicate = Callable[[Any], bool]  # a compiled condition on attributes or a context
_Bind = Callable[[_Test], _Predicate]  # turns a value test into a predicate on the input
_KeyReport = Callable[[str, str, str | None], None]  # (code, message, hint) about a path key

OPERATORS = (
    "eq", "ne", "gt", "gte", "lt", "lte", "in", "not_in",
    "contains", "exists", "matches", "between",
)  # fmt: skip
_ORDERING = frozenset({"gt", "gte", "lt", "lte"})
_COMBINATORS = frozenset({"all", "any", "not"})
_NULL_HINT = "use 'exists: false' to test for a missing value"
_EXAMPLE = "{total: {gt: 0}}"


class _Kind(enum.Enum):
    """What sort of value something is, as far as comparing it goes."""

    ABSENT = "absent"
    BOOL = "true or false"
    NUMBER = "a number"
    STRING = "a text"
    DURATION = "a duration such as 7d or 36h"
    LIST = "a list"
    MAPPING = "a mapping"
    OTHER = "other"


_EXACT_KINDS: dict[type, _Kind] = {
    type(None): _Kind.ABSENT,
    type(MISSING): _Kind.ABSENT,
    bool: _Kind.BOOL,
    int: _Kind.NUMBER,
    float: _Kind.NUMBER,
    str: _Kind.STRING,
    timedelta: _Kind.DURATION,
    list: _Kind.LIST,
    tuple: _Kind.LIST,
    dict: _Kind.MAPPING,
}
#: The exact types of a kind; comparators check these first and fall back to `_kind`.
_FAST_TYPES = {kind: frozenset(t for t, k in _EXACT_KINDS.items() if k is kind) for kind in _Kind}
_ORDERED = frozenset({_Kind.NUMBER, _Kind.STRING, _Kind.DURATION})
_HASHED = frozenset({_Kind.BOOL, _Kind.NUMBER, _Kind.STRING, _Kind.DURATION})


def _kind(value: object) -> _Kind:
    """Return the kind of `value`; subclasses (a str subclass, numpy floats) count too."""
    kind = _EXACT_KINDS.get(type(value))
    if kind is not None:
        return kind
    for types, slow_kind in _SLOW_KINDS:
        if isinstance(value, types):
            return slow_kind
    return _Kind.OTHER


_SLOW_KINDS: tuple[tuple[type | tuple[type, ...], _Kind], ...] = (
    ((int, float), _Kind.NUMBER),  # bool cannot be subclassed, so it never gets here
    (str, _Kind.STRING),
    (timedelta, _Kind.DURATION),
    (Mapping, _Kind.MAPPING),
    ((list, tuple), _Kind.LIST),
)


def _equal(left: Any, right: Any) -> bool:
    """Return whether two values are equal and of the same kind, lists and mappings deeply."""
    kind = _kind(left)
    if kind is not _kind(right) or kind is _Kind.ABSENT:
        return False
    if kind is _Kind.LIST:
        return len(left) == len(right) and all(map(_equal, left, right))
    if kind is _Kind.MAPPING:
        return left.keys() == right.keys() and all(_equal(left[k], right[k]) for k in left)
    return bool(left == right)


# Comparators. Each checks the exact type first (one set lookup), then the kind.


def _eq(x: Any, kind: _Kind) -> _Test:
    if kind not in _HASHED:
        return lambda v: _equal(v, x)
    fast = _FAST_TYPES[kind]

    def eq(v: Any) -> Any:
        t = type(v)
        if t in fast:
            return v == x
        return t not in _EXACT_KINDS and _kind(v) is kind and v == x

    return eq


# These return the comparison itself (Any to the type checker): between numbers, texts or
# durations it is a bool, and wrapping it in bool() would cost a call per evaluation.


def _ordering(op: str, x: Any, kind: _Kind) -> _Test:
    fast = _FAST_TYPES[kind]

    def gt(v: Any) -> Any:
        t = type(v)
        if t in fast:
            return v > x
        return t not in _EXACT_KINDS and _kind(v) is kind and v > x

    def gte(v: Any) -> Any:
        t = type(v)
        if t in fast:
            return v >= x
        return t not in _EXACT_KINDS and _kind(v) is kind and v >= x

    def lt(v: Any) -> Any:
        t = type(v)
        if t in fast:
            return v < x
        return t not in _EXACT_KINDS and _kind(v) is kind and v < x

    def lte(v: Any) -> Any:
        t = type(v)
        if t in fast:
            return v <= x
        return t not in _EXACT_KINDS and _kind(v) is kind and v <= x

    return {"gt": gt, "gte": gte, "lt": lt, "lte": lte}[op]


def _between(low: Any, high: Any, kind: _Kind) -> _Test:
    fast = _FAST_TYPES[kind]

    def between(v: Any) -> Any:
        t = type(v)
        if t in fast:
            return low <= v <= high
        return t not in _EXACT_KINDS and _kind(v) is kind and low <= v <= high

    return between


def _member(items: Sequence[Any]) -> _Test:
    """Return the `in` test: the value equals an item, or (a list) one of its items does."""
    hashed: dict[_Kind, frozenset[Any]] = {}
    others = [item for item in items if _kind(item) not in _HASHED]
    for kind in _HASHED:
        found = frozenset(item for item in items if _kind(item) is kind)
        if found:
            hashed[kind] = found
    if len(hashed) == 1 and not others:  # the usual case: a list of texts or of numbers
        ((only, values),) = hashed.items()
        fast = _FAST_TYPES[only]

        def member_of_one_kind(v: Any) -> bool:
            if type(v) in fast:
                return v in values
            kind = _kind(v)
            if kind is only:
                return v in values
            return kind is _Kind.LIST and any(_kind(i) is only and i in values for i in v)

        return member_of_one_kind

    def equals_an_item(v: Any, kind: _Kind) -> bool:
        values = hashed.get(kind)
        return (values is not None and v in values) or any(_equal(v, o) for o in others)

    def member(v: Any) -> bool:
        kind = _kind(v)
        if equals_an_item(v, kind):
            return True
        return kind is _Kind.LIST and any(equals_an_item(i, _kind(i)) for i in v)

    return member


def _contains(x: Any, kind: _Kind) -> _Test:
    def contains(v: Any) -> bool:
        value_kind = _kind(v)
        if value_kind is _Kind.LIST:
            return any(_equal(item, x) for item in v)
        return kind is _Kind.STRING and value_kind is _Kind.STRING and x in v

    return contains


def _matches(found: Callable[[str], bool]) -> _Test:
    return lambda v: (type(v) is str or _kind(v) is _Kind.STRING) and found(v)


def _exists(v: Any) -> bool:
    return v is not None and v is not MISSING


def _absent(v: Any) -> bool:
    return v is None or v is MISSING


def _negate(test: Callable[[Any], bool]) -> Callable[[Any], bool]:
    return lambda v: not test(v)


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


# Paths.


class _Target:
    """A resolved path: how to apply a value test to the input, and what operands it takes."""

    __slots__ = ("bind", "expects", "name")

    def __init__(self, name: str, bind: _Bind, expects: _Kind | None = None) -> None:
        self.name = name
        self.bind = bind
        self.expects = expects


def _lookup(name: str) -> Callable[[Mapping[str, Any]], Any]:
    """Return a getter for attribute `name`: the literal key first, then the dotted walk."""
    first, *parts = name.split(".")

    def get(mapping: Mapping[str, Any]) -> Any:
        value = mapping.get(name)
        if value is not None:
            return value
        current = mapping.get(first)
        for part in parts:
            if type(current) is not dict and not isinstance(current, Mapping):
                return MISSING
            current = current.get(part)
        return current

    return get


def _bind_attribute(
    name: str, source: Callable[[Any], Mapping[str, Any] | None] | None = None
) -> _Bind:
    """Bind a value test to attribute `name` of the input, or of the mapping `source` gives.

    A plain name is a single `get`; `source` returning None (no current event) is missing.
    """
    get = _lookup(name) if "." in name else None
    if source is None:
        if get is not None:
            return lambda test: lambda attributes: test(get(attributes))
        return lambda test: lambda attributes: test(attributes.get(name))

    def bind(test: _Test) -> _Predicate:
        def check(x: Any) -> bool:
            mapping = source(x)
            if mapping is None:
                return test(MISSING)
            return test(mapping.get(name) if get is None else get(mapping))

        return check

    return bind


def _bind_count(field: str, name: str) -> _Bind:
    """Bind to `ctx.<field>[name]` with a default of 0 (counts, stage_counts, visits)."""
    counts = attrgetter(field)
    return lambda test: lambda ctx: test(counts(ctx).get(name, 0))


# attrgetter reads a context's field without a Python-level call.
_event_attributes: Callable[[ConditionContext], Mapping[str, Any] | None]
_event_attributes = attrgetter("event_attributes")
_traits: Callable[[ConditionContext], Mapping[str, Any]] = attrgetter("traits")


class _IfPaths:
    """Resolves the paths of an `if` condition against the journey's names."""

    def __init__(
        self, touchpoints: Collection[str], stages: Collection[str], *, allow_event: bool,
        hints: Hints,
    ) -> None:  # fmt: skip
        self.touchpoints = touchpoints
        self.stages = stages
        self.allow_event = allow_event
        self.hints = hints

    def __call__(self, path: str, report: _KeyReport) -> _Target | None:
        root, _, rest = path.partition(".")
        if root == "event" and rest:
            if self.allow_event:
                return _Target(path, _bind_attribute(rest, _event_attributes))
            message = f"'{path}' can only be used in transition and friction conditions"
            report("event-path-not-allowed", message, None)
            return None
        if root == "customer" and rest:
            return _Target(path, _bind_attribute(rest, _traits))
        if root in _COUNTED and rest:
            field, what = _COUNTED[root]
            names = self.touchpoints if what == "touchpoint" else self.stages
            known = self._known(what, rest, names, report)
            return _Target(path, _bind_count(field, rest), _Kind.NUMBER) if known else None
        target = _FIXED.get(path)
        if target is None:
            self._unknown(path, rest, report)
        return target

    def _known(self, what: str, name: str, names: Collection[str], report: _KeyReport) -> bool:
        if name in names:
            return True
        report(f"unknown-{what}", f"unknown {what} '{name}'", self.hints.unknown(what, name, names))
        return False

    def _unknown(self, path: str, rest: str, report: _KeyReport) -> None:
        roots = ("event", "customer", "count", "stage_count", "visited")[not self.allow_event :]
        if rest:  # a misspelt root, such as 'evnt.page'
            root = path.partition(".")[0]
            choices = [f"{r}.{rest}" for r in roots if self.hints.closest(root, [r])]
        else:  # a bare name: a fixed path, or an attribute or trait missing its root
            named = (f"{r}.{path}" for r in roots if r in ("event", "customer"))
            choices = ["time_in_stage", "stalled", *named]
        suggestion = self.hints.closest(path, choices)
        bare = path.rstrip(".")
        if bare in roots:  # 'count' without a touchpoint
            suggestion = f"did you mean '{bare}.<{_PLACEHOLDER[bare]}>'?"
        allowed = ", ".join(f"'{r}.<{_PLACEHOLDER[r]}>'" for r in roots)
        hint = suggestion or f"paths are {allowed}, 'time_in_stage' and 'stalled'"
        report("unknown-path", f"unknown path '{path}'", hint)


_COUNTED = {
    "count": ("counts", "touchpoint"),
    "stage_count": ("stage_counts", "touchpoint"),
    "visited": ("visits", "stage"),
}
_FIXED = {
    "time_in_stage": _Target(
        "time_in_stage", lambda test: lambda ctx: test(ctx.time_in_stage), _Kind.DURATION
    ),
    "stalled": _Target("stalled", lambda test: lambda ctx: test(ctx.is_stalled), _Kind.BOOL),
}
_PLACEHOLDER = {
    "event": "attribute",
    "customer": "trait",
    "count": "touchpoint",
    "stage_count": "touchpoint",
    "visited": "stage",
}


def _where_paths(path: str, report: _KeyReport) -> _Target:
    """Every name is a valid attribute path in `where`."""
    del report
    return _Target(path, _bind_attribute(path))


# The compiler.


class _Compiler:
    """Compiles one condition, reporting every problem before giving up on it."""

    def __init__(
        self, resolve: Callable[[str, _KeyReport], _Target | None],
        report: Report, patterns: Patterns, hints: Hints,
    ) -> None:  # fmt: skip
        self._resolve = resolve
        self._report = report
        self._patterns = patterns
        self._hints = hints
        self.failed = False

    def problem(
        self, path: Path, code: str, message: str, hint: str | None = None, *, at_key: bool = False
    ) -> None:
        self.failed = True
        self._report(path, code, message, hint, at_key)

    def condition(self, raw: object, path: Path) -> _Predicate | None:
        """Compile `{path: test, ...}`: every entry must hold."""
        if not isinstance(raw, Mapping):
            message = f"a condition must be written as {{path: test}}, such as {_EXAMPLE}"
            self.problem(path, "bad-condition", f"{message} (got {render_condition(raw)})")
            return None
        if not raw:
            hint = f"write a path and a test, such as {_EXAMPLE}"
            self.problem(path, "empty-condition", "the condition is empty", hint)
            return None
        parts = [self._entry(key, value, (*path, _step(key))) for key, value in raw.items()]
        return _combine(parts, _all_of)

    def _entry(self, key: object, value: object, path: Path) -> _Predicate | None:
        if key in _COMBINATORS:
            return self._combinator(str(key), value, path)
        if not isinstance(key, str):
            message = f"a path must be a name (got {render_condition(key)})"
            self.problem(path, "bad-condition", message, at_key=True)
            return None

        def report(code: str, message: str, hint: str | None) -> None:
            self.problem(path, code, message, hint, at_key=True)

        target = self._resolve(key, report)
        # An unknown path still has its test checked, so that all problems show at once.
        test = self._test(target or _Target(key, _bind_attribute(key)), value, path)
        return None if target is None or test is None else target.bind(test)

    def _combinator(self, key: str, value: object, path: Path) -> _Predicate | None:
        if sum(step in _COMBINATORS for step in path) > (most := limits.MAX_CONDITION_DEPTH):
            message = f"the condition nests 'all', 'any' and 'not' more than {most} deep"
            hint = "a condition reads best with two or three levels; write it flatter"
            self.problem(path, "condition-too-deep", message, hint, at_key=True)
            return None
        if key == "not":
            inner = self.condition(value, path)
            return None if inner is None else _negate(inner)
        if not isinstance(value, (list, tuple)):
            message = f"'{key}' must be a list of conditions (got {render_condition(value)})"
            self.problem(path, "bad-condition", message)
            return None
        if not value:
            hint = f"write at least one condition, such as [{_EXAMPLE}]"
            self.problem(path, "empty-condition", f"'{key}' has no conditions", hint)
            return None
        parts = [self.condition(item, (*path, index)) for index, item in enumerate(value)]
        return _combine(parts, _all_of if key == "all" else _any_of)

    def _test(self, target: _Target, raw: object, path: Path) -> _Test | None:
        """Compile the test on one path: an operator mapping, or a bare value meaning `eq`."""
        if not isinstance(raw, Mapping):
            return self._operator(target, "eq", raw, path, label=target.name)
        if not raw:
            hint = "write an operator and a value, such as {eq: 1}"
            self.problem(path, "empty-condition", f"the test on '{target.name}' is empty", hint)
            return None
        has_operator = any(key in OPERATORS for key in raw)
        tests = []
        for key, operand in raw.items():
            if key in OPERATORS:
                tests.append(self._operator(target, str(key), operand, (*path, key)))
                continue
            name = render_condition(key)
            suggestion = self._hints.closest(name, OPERATORS)
            if suggestion:
                hint = suggestion
            elif has_operator:
                hint = "the operators are " + ", ".join(OPERATORS)
            else:
                hint = f"write the nested path with dots: '{target.name}.{name}'"
            message = f"unknown operator '{name}'"
            self.problem((*path, _step(key)), "unknown-operator", message, hint, at_key=True)
            tests.append(None)
        return _combine(tests, _all_of)

    def _operator(
        self, target: _Target, op: str, raw: object, path: Path, *, label: str | None = None
    ) -> _Test | None:
        got = f"(got {render_condition(raw)})"
        if op == "exists":
            return self._exists(raw, path, got)
        if op == "matches":
            return self._pattern(raw, path, got)
        if raw is None:
            self.problem(path, "bad-operand", f"'{label or op}' cannot be null", _NULL_HINT)
            return None
        if op in ("in", "not_in", "between"):
            return self._list_operator(target, op, raw, path, got)
        return self._compare(target, op, raw, path, label or op)

    def _compare(
        self, target: _Target, op: str, raw: object, path: Path, label: str
    ) -> _Test | None:
        operand = self._operand(target, f"'{label}'", raw, path)
        if operand is None:
            return None
        value, kind = operand
        if op in _ORDERING:
            if kind in _ORDERED:
                return _ordering(op, value, kind)
            message = f"'{op}' must be a number or a text (got {render_condition(raw)})"
            self.problem(path, "bad-operand", message)
            return None
        if op == "contains":
            return _contains(value, kind)
        equal = _eq(value, kind)
        return equal if op == "eq" else _negate(equal)

    def _exists(self, raw: object, path: Path, got: str) -> _Test | None:
        if not isinstance(raw, bool):
            self.problem(path, "bad-operand", f"'exists' must be true or false {got}")
            return None
        return _exists if raw else _absent

    def _pattern(self, raw: object, path: Path, got: str) -> _Test | None:
        if not isinstance(raw, str):
            self.problem(path, "bad-operand", f"'matches' must be a text pattern {got}")
            return None
        try:
            return _matches(self._patterns.compile(raw))
        except PatternError as error:
            message = f"'matches' has an invalid pattern {render_condition(raw)}: {error.reason}"
            self.problem(path, "bad-regex", message, error.hint)
            return None

    def _list_operator(
        self, target: _Target, op: str, raw: object, path: Path, got: str
    ) -> _Test | None:
        example = "[1, 10]" if op == "between" else "[a, b]"
        if not isinstance(raw, (list, tuple)) or (op == "between" and len(raw) != 2):
            what = "a list of two values, low and high," if op == "between" else "a list"
            self.problem(path, "bad-operand", f"'{op}' must be {what} such as {example} {got}")
            return None
        items: list[tuple[Any, _Kind] | None] = []
        for index, item in enumerate(raw):
            if item is None:
                self.problem((*path, index), "bad-operand", f"'{op}' cannot hold null", _NULL_HINT)
                items.append(None)
            else:
                items.append(self._operand(target, f"each value in '{op}'", item, (*path, index)))
        if any(item is None for item in items):
            return None
        values = [item[0] for item in items if item is not None]
        if op != "between":
            member = _member(values)
            return member if op == "in" else _negate(member)
        (low, low_kind), (high, high_kind) = (item for item in items if item is not None)
        if low_kind is not high_kind or low_kind not in _ORDERED:
            message = f"'between' must be two numbers, two texts or two durations {got}"
            self.problem(path, "bad-operand", message)
            return None
        if low > high:
            self.problem(path, "bad-operand", f"'between' must have the low value first {got}")
            return None
        return _between(low, high, low_kind)

    def _operand(
        self, target: _Target, subject: str, raw: object, path: Path
    ) -> tuple[Any, _Kind] | None:
        """Check one non-null operand against what the path holds; durations are parsed."""
        got = f"(got {render_condition(raw)})"
        expects = target.expects
        if expects is _Kind.DURATION and not isinstance(raw, timedelta):
            duration = parse_duration(raw)
            if duration is None:
                must = f"at most {LONGEST_TEXT}" if is_too_long(raw) else expects.value
                self.problem(path, "bad-duration", f"{subject} must be {must} {got}")
                return None
            return duration, expects
        kind = _kind(raw)
        if expects is not None and kind is not expects:
            self.problem(path, "bad-operand", f"{subject} must be {expects.value} {got}")
            return None
        return raw, kind


def _step(key: object) -> str | int:
    """Return a mapping key as a step of a problem's path."""
    return key if isinstance(key, (str, int)) else render_condition(key)


def _combine(
    parts: Sequence[Callable[[Any], bool] | None],
    join: Callable[[Sequence[Callable[[Any], bool]]], Callable[[Any], bool]],
) -> Callable[[Any], bool] | None:
    """Join compiled parts, or return None when any of them failed."""
    compiled = [part for part in parts if part is not None]
    return join(compiled) if len(compiled) == len(parts) else None


def compile_where(
    raw: object, *, report: Report, patterns: Patterns | None = None, hints: Hints | None = None
) -> AttributeCondition | None:
    """Compile a touchpoint's `where` condition on an event's attributes.

    `patterns` and `hints` are the journey's, shared by all its conditions (else fresh).
    Returns None when a problem was reported.
    """
    compiler = _Compiler(_where_paths, report, patterns or Patterns(), hints or Hints())
    predicate = compiler.condition(raw, ())
    return None if compiler.failed else predicate


def compile_if(
    raw: object,
    *,
    touchpoints: Collection[str],
    stages: Collection[str],
    allow_event: bool,
    report: Report,
    patterns: Patterns | None = None,
    hints: Hints | None = None,
) -> Condition | None:
    """Compile an `if` condition on a customer's context (section 4 of the DSL spec).

    `allow_event` is True in transitions and friction rules, where there is a current event.
    `patterns` and `hints` are the journey's, shared by all its conditions (else fresh).
    Returns None when a problem was reported.
    """
    hints = hints or Hints()
    paths = _IfPaths(touchpoints, stages, allow_event=allow_event, hints=hints)
    compiler = _Compiler(paths, report, patterns or Patterns(), hints)
    predicate = compiler.condition(raw, ())
    return None if compiler.failed else predicate

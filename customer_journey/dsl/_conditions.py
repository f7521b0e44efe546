"""Reading conditions: a `where`, `if` or consent mapping becomes a condition tree, once.

Each path is checked against the journey's names, each operand against its operator's
type rules (the operator table in the model) and the kind of value its path holds;
durations are parsed and `matches` patterns compiled with RE2 within the journey's budget.
Every problem is reported, with the place of the node at fault, before giving up on a
condition, so a marketer sees all of them at once. Nothing is ever `eval`-ed.

The tree keeps how the condition was written (bare values, several keys or operators in
one mapping, duration spellings), so that its text reads exactly as the marketer wrote it.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence
from datetime import timedelta
from types import MappingProxyType
from typing import Any

from customer_journey._durations import LONGEST_TEXT, is_too_long, parse_duration
from customer_journey.dsl import limits
from customer_journey.dsl._condition_paths import IfPaths, KeyReport, where_path
from customer_journey.dsl._hints import Hints, listed
from customer_journey.dsl._patterns import PatternError, Patterns
from customer_journey.errors import Location
from customer_journey.model import (
    BARE,
    OPERATORS,
    AllOf,
    AnyOf,
    ConditionTree,
    GroupForm,
    Kind,
    Not,
    Operator,
    PathTest,
    Shape,
    WrittenDuration,
    flow_text,
    kind_of,
)

__all__ = ["Locate", "Path", "Report", "parse_if", "parse_where"]

#: Where a problem sits, relative to the condition node: mapping keys and list indexes.
Path = tuple[str | int, ...]
#: `report(path, code, message, hint, at_key)`; `at_key` is True when the fault is a mapping
#: key (an unknown path or operator), False when it is a value (a bad operand).
Report = Callable[[Path, str, str, str | None, bool], None]
#: `locate(path, at_key)`: where the node (or its key) at `path` is written, if known.
Locate = Callable[[Path, bool], Location | None]
#: Checks a path: whether it is known, and the kind of operand it takes (None: any).
_Resolve = Callable[[str, KeyReport], tuple[bool, Kind | None]]
#: For an `experiment.<id>` path: (the experiment, its arms), the names its values must be.
_Choices = Callable[[str], "tuple[str, Collection[str]] | None"]
#: The operators whose operands are values the path is compared with for equality.
_EQUALITY = frozenset({"eq", "ne", "in", "not_in"})

_COMBINATORS = frozenset({"all", "any", "not"})
_NULL_HINT = "use 'exists: false' to test for a missing value"
_EXAMPLE = "{total: {gt: 0}}"
_BAD = object()  # an operand that was reported


def _nowhere(path: Path, at_key: bool) -> Location | None:  # noqa: FBT001  # a `Locate`
    del path, at_key
    return None


class _Parser:
    """Reads one condition, reporting every problem before giving up on it."""

    def __init__(
        self, resolve: _Resolve, report: Report, locate: Locate, patterns: Patterns,
        hints: Hints, *, choices: _Choices | None = None,
    ) -> None:  # fmt: skip
        self._resolve = resolve
        self._choices = choices
        self._report = report
        self._locate = locate
        self._patterns = patterns
        self._hints = hints
        self.failed = False

    def problem(
        self, path: Path, code: str, message: str, hint: str | None = None, *, at_key: bool = False
    ) -> None:
        self.failed = True
        self._report(path, code, message, hint, at_key)

    def condition(self, raw: object, path: Path) -> ConditionTree | None:
        """Read `{path: test, ...}`: every entry must hold."""
        if not isinstance(raw, Mapping):
            message = f"a condition must be written as {{path: test}}, such as {_EXAMPLE}"
            self.problem(path, "bad-condition", f"{message} (got {flow_text(raw)})")
            return None
        if not raw:
            hint = f"write a path and a test, such as {_EXAMPLE}"
            self.problem(path, "empty-condition", "the condition is empty", hint)
            return None
        parts = [self._entry(key, value, (*path, _step(key))) for key, value in raw.items()]
        return self._group(parts, path, at_key=False, form=GroupForm.KEYS)

    def _place(self, path: Path, *, at_key: bool) -> Location | None:
        return self._locate(path, at_key)

    def _group(
        self, parts: Sequence[ConditionTree | None], path: Path, *, at_key: bool, form: GroupForm
    ) -> ConditionTree | None:
        """The parts that must all hold; one part alone is itself."""
        read = [part for part in parts if part is not None]
        if len(read) != len(parts):
            return None
        if len(read) == 1:
            return read[0]
        return AllOf(tuple(read), self._place(path, at_key=at_key), form)

    def _entry(self, key: object, value: object, path: Path) -> ConditionTree | None:
        if key in _COMBINATORS:
            return self._combinator(str(key), value, path)
        if not isinstance(key, str):
            message = f"a path must be a name (got {flow_text(key)})"
            self.problem(path, "bad-condition", message, at_key=True)
            return None

        def report(code: str, message: str, hint: str | None) -> None:
            self.problem(path, code, message, hint, at_key=True)

        known, expects = self._resolve(key, report)
        # An unknown path still has its test checked, so that all problems show at once.
        tests = self._tests(key, expects, value, path)
        return tests if known else None

    def _combinator(self, key: str, value: object, path: Path) -> ConditionTree | None:
        if sum(step in _COMBINATORS for step in path) > (most := limits.MAX_CONDITION_DEPTH):
            message = f"the condition nests 'all', 'any' and 'not' more than {most} deep"
            hint = "a condition reads best with two or three levels; write it flatter"
            self.problem(path, "condition-too-deep", message, hint, at_key=True)
            return None
        if key == "not":
            inner = self.condition(value, path)
            return None if inner is None else Not(inner, self._place(path, at_key=True))
        if not isinstance(value, (list, tuple)):
            message = f"'{key}' must be a list of conditions (got {flow_text(value)})"
            self.problem(path, "bad-condition", message)
            return None
        if not value:
            hint = f"write at least one condition, such as [{_EXAMPLE}]"
            self.problem(path, "empty-condition", f"'{key}' has no conditions", hint)
            return None
        read = [self.condition(item, (*path, index)) for index, item in enumerate(value)]
        parts = tuple(part for part in read if part is not None)
        if len(parts) != len(read):
            return None
        location = self._place(path, at_key=True)
        return AllOf(parts, location) if key == "all" else AnyOf(parts, location)

    def _tests(
        self, name: str, expects: Kind | None, raw: object, path: Path
    ) -> ConditionTree | None:
        """Read the tests on one path: an operator mapping, or a bare value meaning `eq`."""
        if not isinstance(raw, Mapping):
            return self._test(name, expects, BARE, raw, path, bare=True)
        if not raw:
            hint = "write an operator and a value, such as {eq: 1}"
            self.problem(path, "empty-condition", f"the test on '{name}' is empty", hint)
            return None
        has_operator = any(key in OPERATORS for key in raw)
        tests: list[ConditionTree | None] = []
        for key, operand in raw.items():
            if key in OPERATORS:
                tests.append(self._test(name, expects, str(key), operand, (*path, key)))
                continue
            written = flow_text(key)
            suggestion = self._hints.closest(written, OPERATORS)
            if suggestion:
                hint = suggestion
            elif has_operator:
                hint = "the operators are " + ", ".join(OPERATORS)
            else:
                hint = f"write the nested path with dots: '{name}.{written}'"
            message = f"unknown operator '{written}'"
            self.problem((*path, _step(key)), "unknown-operator", message, hint, at_key=True)
            tests.append(None)
        return self._group(tests, path, at_key=True, form=GroupForm.OPERATORS)

    def _test(
        self, name: str, expects: Kind | None, op: str, raw: object, path: Path, *,
        bare: bool = False,
    ) -> PathTest | None:  # fmt: skip
        operand = self._operand(OPERATORS[op], expects, raw, path, name if bare else op)
        if operand is _BAD or not self._named(name, op, operand, path):
            return None
        return PathTest(name, op, operand, self._place(path, at_key=True), bare)

    def _operand(
        self, operator: Operator, expects: Kind | None, raw: object, path: Path, label: str
    ) -> Any:
        """Check an operator's operand by its shape; `_BAD` when a problem was reported."""
        shape = operator.shape
        got = f"(got {flow_text(raw)})"
        if shape is Shape.FLAG:
            return self._flag(operator.name, raw, path, got)
        if shape is Shape.PATTERN:
            return self._pattern(operator.name, raw, path, got)
        if raw is None:
            self.problem(path, "bad-operand", f"'{label}' cannot be null", _NULL_HINT)
            return _BAD
        if shape in (Shape.VALUES, Shape.RANGE):
            return self._list(operator, expects, raw, path, got)
        return self._single(operator, expects, raw, path, label=label, got=got)

    def _single(
        self, operator: Operator, expects: Kind | None, raw: object, path: Path, *, label: str,
        got: str,
    ) -> Any:  # fmt: skip
        """Check the operand of an operator that takes one value (`eq`, `gt`, `contains`)."""
        op = operator.name
        value, kind = self._value(expects, f"'{label}'", raw, path)
        if value is _BAD:
            return _BAD
        if operator.kinds is not None and kind not in operator.kinds:
            # Only the ordering operators restrict a single value; a duration operand is
            # only read where the path holds durations, so it is not offered here.
            self.problem(path, "bad-operand", f"'{op}' must be a number or a text {got}")
            return _BAD
        return value

    def _named(self, name: str, op: str, operand: Any, path: Path) -> bool:
        """An operand compared for equality with an experiment's arm names one of its arms."""
        found = None if self._choices is None or op not in _EQUALITY else self._choices(name)
        if found is None:
            return True
        experiment, names = found
        values = operand if isinstance(operand, tuple) else (operand,)
        fine = True
        for index, value in enumerate(values):
            if value not in names:
                where = (*path, index) if isinstance(operand, tuple) else path
                hint = self._hints.closest(str(value), names) or f"the arms are {listed(names)}"
                message = f"unknown arm '{value}' of experiment '{experiment}'"
                self.problem(where, "unknown-arm", message, hint)
                fine = False
        return fine

    def _flag(self, op: str, raw: object, path: Path, got: str) -> Any:
        if not isinstance(raw, bool):
            self.problem(path, "bad-operand", f"'{op}' must be {Shape.FLAG.value} {got}")
            return _BAD
        return raw

    def _pattern(self, op: str, raw: object, path: Path, got: str) -> Any:
        if not isinstance(raw, str):
            self.problem(path, "bad-operand", f"'{op}' must be {Shape.PATTERN.value} {got}")
            return _BAD
        try:
            self._patterns.compile(raw)
        except PatternError as error:
            message = f"'{op}' has an invalid pattern {flow_text(raw)}: {error.reason}"
            self.problem(path, "bad-regex", message, error.hint)
            return _BAD
        return raw

    def _list(
        self, operator: Operator, expects: Kind | None, raw: object, path: Path, got: str
    ) -> Any:
        op, is_range = operator.name, operator.shape is Shape.RANGE
        example = "[1, 10]" if is_range else "[a, b]"
        if not isinstance(raw, (list, tuple)) or (is_range and len(raw) != 2):
            what = "a list of two values, low and high," if is_range else "a list"
            self.problem(path, "bad-operand", f"'{op}' must be {what} such as {example} {got}")
            return _BAD
        items: list[tuple[Any, Kind]] = []
        for index, item in enumerate(raw):
            if item is None:
                self.problem((*path, index), "bad-operand", f"'{op}' cannot hold null", _NULL_HINT)
                items.append((_BAD, Kind.ABSENT))
            else:
                items.append(self._value(expects, f"each value in '{op}'", item, (*path, index)))
        if any(value is _BAD for value, _ in items):
            return _BAD
        if not is_range:
            return tuple(value for value, _ in items)
        (low, low_kind), (high, high_kind) = items
        if low_kind is not high_kind or operator.kinds is None or low_kind not in operator.kinds:
            message = f"'{op}' must be two numbers, two texts or two durations {got}"
            self.problem(path, "bad-operand", message)
            return _BAD
        if low > high:
            self.problem(path, "bad-operand", f"'{op}' must have the low value first {got}")
            return _BAD
        return (low, high)

    def _value(
        self, expects: Kind | None, subject: str, raw: object, path: Path
    ) -> tuple[Any, Kind]:
        """Check one non-null operand against what the path holds; durations are parsed."""
        got = f"(got {flow_text(raw)})"
        if expects is Kind.DURATION and not isinstance(raw, timedelta):
            duration = parse_duration(raw)
            if duration is None:
                must = f"at most {LONGEST_TEXT}" if is_too_long(raw) else expects.value
                self.problem(path, "bad-duration", f"{subject} must be {must} {got}")
                return _BAD, Kind.ABSENT
            return WrittenDuration(duration, str(raw)), expects
        kind = kind_of(raw)
        if expects is not None and kind is not expects:
            self.problem(path, "bad-operand", f"{subject} must be {expects.value} {got}")
            return _BAD, Kind.ABSENT
        return _frozen(raw), kind


def _frozen(value: Any) -> Any:
    """An operand that cannot change: lists become tuples, mappings read-only views."""
    if isinstance(value, (list, tuple)):
        return tuple(_frozen(item) for item in value)
    if isinstance(value, Mapping):
        return MappingProxyType({key: _frozen(item) for key, item in value.items()})
    return value


def _step(key: object) -> str | int:
    """Return a mapping key as a step of a problem's path."""
    return key if isinstance(key, (str, int)) else flow_text(key)


def parse_where(
    raw: object, *, report: Report, locate: Locate = _nowhere, patterns: Patterns | None = None,
    hints: Hints | None = None,
) -> ConditionTree | None:  # fmt: skip
    """Read a touchpoint's `where` condition on an event's attributes.

    `patterns` and `hints` are the journey's, shared by all its conditions (else fresh).
    Returns None when a problem was reported.
    """
    parser = _Parser(where_path, report, locate, patterns or Patterns(), hints or Hints())
    tree = parser.condition(raw, ())
    return None if parser.failed else tree


def parse_if(
    raw: object,
    *,
    touchpoints: Collection[str],
    stages: Collection[str],
    allow_event: bool,
    report: Report,
    locate: Locate = _nowhere,
    patterns: Patterns | None = None,
    hints: Hints | None = None,
    experiments: Mapping[str, Collection[str]] | None = None,
) -> ConditionTree | None:
    """Read an `if` condition on a customer's context (section 4 of the DSL spec).

    `allow_event` is True in transitions and friction rules, where there is a current event.
    `patterns` and `hints` are the journey's, shared by all its conditions (else fresh).
    `experiments` maps each experiment id to its arms (`experiment.<id>` paths).
    Returns None when a problem was reported.
    """
    hints = hints or Hints()
    paths = IfPaths(
        touchpoints, stages, allow_event=allow_event, hints=hints, experiments=experiments
    )
    parser = _Parser(paths, report, locate, patterns or Patterns(), hints, choices=paths.choices)
    tree = parser.condition(raw, ())
    return None if parser.failed else tree

"""The operator table: names, texts, negations, intervals, and values that satisfy or violate."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from customer_journey.dsl._condition_compile import compile_where
from customer_journey.dsl._conditions import parse_where
from customer_journey.dsl._patterns import Patterns
from customer_journey.model import MISSING, OPERATORS, PathTest, WrittenDuration

#: Section 4 of the DSL specification.
SPECIFIED = "eq ne gt gte lt lte in not_in contains exists matches between"
PATTERNS = Patterns()


def found(pattern: str) -> Callable[[str], bool]:
    return PATTERNS.compile(pattern)


def test_the_operators_are_the_specifications_in_its_order() -> None:
    assert list(OPERATORS) == SPECIFIED.split()


@pytest.mark.parametrize(
    ("name", "operand", "text"),
    [
        ("eq", 1, "eq: 1"),
        ("eq", ("a", "1"), "eq: [a, '1']"),
        ("ne", "a: b", "ne: 'a: b'"),
        ("gt", 0.5, "gt: 0.5"),
        ("gte", WrittenDuration(timedelta(days=7), "168h"), "gte: 168h"),
        ("lt", timedelta(hours=36), "lt: 36h"),
        ("lte", "m", "lte: m"),
        ("in", ("/pricing", "/plans"), "in: [/pricing, /plans]"),
        ("not_in", (1, True), "not_in: [1, true]"),
        ("contains", "vip", "contains: vip"),
        ("exists", False, "exists: false"),
        ("matches", "^/docs/(a|b)$", "matches: ^/docs/(a|b)$"),
        ("between", (1, 10), "between: [1, 10]"),
    ],
)
def test_each_operator_is_written_as_in_a_journey_file(name: str, operand: Any, text: str) -> None:
    assert OPERATORS[name].text(operand) == text
    assert PathTest("x", name, operand).text == f"{{x: {{{text}}}}}"


@pytest.mark.parametrize(
    ("name", "operand", "satisfying", "violating"),
    [
        ("eq", 1, (1,), (MISSING, 2)),
        ("ne", 1, (2, MISSING), (1,)),
        ("gt", 10, (11,), (MISSING, 10, 9)),
        ("gte", 10, (10, 11), (MISSING, 9)),
        ("lt", 10, (9,), (MISSING, 10, 11)),
        ("lte", 10, (10, 9), (MISSING, 11)),
        ("gt", "b", ("bz",), (MISSING, "b", "")),
        ("gte", timedelta(days=7), (timedelta(days=7), timedelta(days=7, seconds=1)),
         (MISSING, timedelta(days=6, seconds=86399))),
        ("in", ("a", "b"), ("a", "b"), (MISSING, "other-a-b")),
        ("not_in", ("a", "b"), ("other-a-b", MISSING), ("a", "b")),
        ("contains", "vip", ("vip", ["vip"]), (MISSING,)),
        ("contains", 3, ([3],), (MISSING,)),
        ("exists", True, ("yes",), (MISSING,)),
        ("exists", False, (MISSING,), ("yes",)),
        ("matches", "^(gold|silver)$", ("gold", "silver"), (MISSING, "~", "")),
        ("between", (1, 5), (1, 5), (MISSING, 0, 6)),
    ],
)  # fmt: skip
def test_each_operator_proposes_values_that_satisfy_and_violate_it(
    name: str, operand: Any, satisfying: tuple[Any, ...], violating: tuple[Any, ...]
) -> None:
    operator = OPERATORS[name]
    assert operator.satisfying(operand, found) == satisfying
    assert operator.violating(operand, found) == violating


def test_proposals_that_would_not_hold_are_left_out() -> None:
    # Nothing is shorter than no time, and NaN equals nothing.
    assert OPERATORS["lt"].satisfying(timedelta(0), found) == ()
    assert OPERATORS["eq"].satisfying(float("nan"), found) == ()


# Property: the proposals satisfy and violate the closure the engine runs.

SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-1000, 1000),
    st.floats(allow_nan=False),
    st.text(max_size=4),
)
VALUES = SCALARS | st.lists(SCALARS, max_size=3) | st.dictionaries(st.text(max_size=2), SCALARS)
PRESENT = VALUES.filter(lambda v: v is not None).filter(
    lambda v: (
        not isinstance(v, (list, dict)) or None not in (v if isinstance(v, list) else v.values())
    )
)
ORDERED = st.integers(-1000, 1000) | st.floats(allow_nan=False) | st.text(max_size=4)
OPERANDS: dict[str, st.SearchStrategy[Any]] = {
    "eq": PRESENT,
    "ne": PRESENT,
    "gt": ORDERED,
    "gte": ORDERED,
    "lt": ORDERED,
    "lte": ORDERED,
    "in": st.lists(PRESENT, max_size=4),
    "not_in": st.lists(PRESENT, max_size=4),
    "contains": PRESENT,
    "exists": st.booleans(),
    "matches": st.sampled_from(
        ["^/books/", "x|y", "^(gold|silver)$", r"^[A-Z]{3}-\d+$", "a.c", "^$", "(?i)vip"]
    ),
    "between": st.one_of(
        st.lists(st.integers(-100, 100), min_size=2, max_size=2).map(sorted),
        st.lists(st.text(max_size=3), min_size=2, max_size=2).map(sorted),
    ),
}


def closure(name: str, operand: Any) -> Callable[[Any], bool]:
    """The compiled `where` for `{x: {name: operand}}`, as a test of x's value."""
    tree = parse_where(
        {"x": {name: operand}}, report=lambda *p: pytest.fail(str(p)), patterns=PATTERNS
    )
    assert isinstance(tree, PathTest)
    where = compile_where(tree, PATTERNS.compile)
    return lambda value: where({} if value is MISSING else {"x": value})


@pytest.mark.parametrize("name", list(OPERATORS))
@given(data=st.data())
def test_satisfying_values_hold_and_violating_values_fail_in_the_compiled_closure(
    name: str, data: st.DataObject
) -> None:
    tree = parse_where({"x": {name: data.draw(OPERANDS[name], label="operand")}}, report=print)
    assert isinstance(tree, PathTest)
    holds = closure(name, tree.operand)
    operator = OPERATORS[name]
    for value in operator.satisfying(tree.operand, found):
        assert holds(value) is True, value
    for value in operator.violating(tree.operand, found):
        assert holds(value) is False, value


DURATIONS = st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=400))


@pytest.mark.parametrize("name", ["eq", "ne", "gt", "gte", "lt", "lte", "in", "not_in", "between"])
@given(data=st.data())
def test_duration_proposals_hold_and_fail_as_compiled(name: str, data: st.DataObject) -> None:
    operator = OPERATORS[name]
    if name in ("in", "not_in"):
        operand: Any = tuple(data.draw(st.lists(DURATIONS, max_size=3)))
    elif name == "between":
        operand = tuple(sorted(data.draw(st.lists(DURATIONS, min_size=2, max_size=2))))
    else:
        operand = data.draw(DURATIONS)
    test = operator.compile(operand, found)
    assert all(test(value) for value in operator.satisfying(operand, found))
    assert not any(test(value) for value in operator.violating(operand, found))


# Negation, intervals, admitted values, samples.

EVERY_VALUE = VALUES | st.just(MISSING)


@pytest.mark.parametrize("name", ["eq", "ne", "in", "not_in", "exists"])
@given(data=st.data())
def test_a_negation_holds_exactly_when_the_test_fails(name: str, data: st.DataObject) -> None:
    tree = parse_where({"x": {name: data.draw(OPERANDS[name])}}, report=print)
    assert isinstance(tree, PathTest)
    negation = tree.op.negation(tree.operand)
    assert negation is not None
    opposite, operand = negation
    value = data.draw(EVERY_VALUE)
    assert closure(opposite.name, operand)(value) is not closure(name, tree.operand)(value)


@pytest.mark.parametrize("name", ["gt", "gte", "lt", "lte"])
@given(operand=st.integers(-100, 100), value=st.integers(-100, 100) | st.floats(allow_nan=False))
def test_an_ordering_negation_holds_exactly_when_it_fails_on_a_number(
    name: str, operand: int, value: float
) -> None:
    negation = OPERATORS[name].negation(operand)
    assert negation is not None
    opposite, same = negation
    assert closure(opposite.name, same)(value) is not closure(name, operand)(value)


def test_between_contains_and_matches_have_no_negating_operator() -> None:
    assert [name for name, op in OPERATORS.items() if op.negation((1, 2)) is None] == [
        "contains",
        "matches",
        "between",
    ]


@pytest.mark.parametrize(
    ("name", "operand", "bounds"),
    [
        ("gt", 5, ((5, True), None)),
        ("gte", 5, ((5, False), None)),
        ("lt", 5, (None, (5, True))),
        ("lte", 5, (None, (5, False))),
        ("between", (1, 9), ((1, False), (9, False))),
        ("eq", 5, (None, None)),
    ],
)
def test_ordering_operators_say_the_interval_they_admit(
    name: str, operand: Any, bounds: tuple[Any, Any]
) -> None:
    assert OPERATORS[name].bounds(operand) == bounds


def test_eq_and_in_say_the_only_values_they_admit() -> None:
    assert OPERATORS["eq"].values(("a", "b")) == (["a", "b"],)
    assert OPERATORS["in"].values(("a", ("b",))) == ("a", ["b"])
    assert OPERATORS["ne"].values("a") is None


@pytest.mark.parametrize(
    ("name", "operand", "samples"),
    [
        ("gt", 0, (0, -1, 1, "0")),
        ("eq", "vip", ("vip", "vipx", "vi")),
        ("eq", True, (True, False, "yes")),
        ("in", ("/pricing", "/plans"), ("/pricing", "/plans", "/pricingx", "/pricin")),
        ("between", (4, 5), (4, 5, 3, 5, "4", 4, 6, "5")),
        ("contains", "spam", ("<spam>", ["spam"], "")),
        ("contains", 3, ([3], [])),
        ("exists", True, ("x",)),
        ("matches", "^/blog/", ("/blog/", "^/blog/", "")),
    ],
)
def test_samples_lie_on_both_sides_of_a_test_and_of_other_kinds(
    name: str, operand: Any, samples: tuple[Any, ...]
) -> None:
    assert OPERATORS[name].samples(operand) == samples


def test_contains_and_simple_patterns_give_varied_examples() -> None:
    words = iter(["page-1", "page-2"])
    assert OPERATORS["contains"].examples("vip", lambda: next(words)) == ["vip"]
    assert OPERATORS["matches"].examples("^/books/", lambda: next(words)) == ["/books/page-1"]
    assert OPERATORS["matches"].examples("^/b(a|c)/", lambda: next(words)) == []
    assert OPERATORS["gt"].examples(1, lambda: next(words)) is None

"""The condition compiler: operators, missing values, kinds, paths, combinators, problems."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from types import MappingProxyType
from typing import Any

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from customer_journey.dsl._condition_compile import compile_if, compile_where
from customer_journey.dsl._conditions import Path, parse_if, parse_where
from customer_journey.dsl._patterns import Patterns
from customer_journey.model import flow_text

TOUCHPOINTS = ("pricing_view", "newsletter_signup", "cart_add")
STAGES = ("aware", "considering", "customer")
ABSENT = object()  # a test value meaning "the attribute is not there at all"

Problem = tuple[Path, str, str, str | None, bool]


@attrs.frozen
class FakeContext:
    """A ConditionContext with plain fields."""

    event_attributes: Mapping[str, Any] | None = None
    traits: Mapping[str, Any] = attrs.field(factory=dict)
    counts: Mapping[str, int] = attrs.field(factory=dict)
    stage_counts: Mapping[str, int] = attrs.field(factory=dict)
    visits: Mapping[str, int] = attrs.field(factory=dict)
    time_in_stage: timedelta | None = None
    is_stalled: bool = False


def where(raw: object) -> Any:
    problems: list[Problem] = []
    patterns = Patterns()
    tree = parse_where(raw, report=lambda *p: problems.append(p), patterns=patterns)
    assert problems == []
    assert tree is not None
    return compile_where(tree, patterns.compile)


def where_problems(raw: object) -> list[Problem]:
    problems: list[Problem] = []
    assert parse_where(raw, report=lambda *p: problems.append(p)) is None
    return problems


def read_if(raw: object, *, allow_event: bool, problems: list[Problem], patterns: Patterns) -> Any:
    return parse_if(
        raw,
        touchpoints=TOUCHPOINTS,
        stages=STAGES,
        allow_event=allow_event,
        report=lambda *p: problems.append(p),
        patterns=patterns,
    )


def if_(raw: object, *, allow_event: bool = True) -> Any:
    problems: list[Problem] = []
    patterns = Patterns()
    tree = read_if(raw, allow_event=allow_event, problems=problems, patterns=patterns)
    assert problems == []
    assert tree is not None
    return compile_if(tree, patterns.compile)


def if_problems(raw: object, *, allow_event: bool = True) -> list[Problem]:
    problems: list[Problem] = []
    tree = read_if(raw, allow_event=allow_event, problems=problems, patterns=Patterns())
    assert tree is None
    return problems


def holds(raw: object, value: object) -> bool:
    """Whether `{x: raw}` holds for an event whose `x` is `value` (or absent)."""
    attributes = {} if value is ABSENT else {"x": value}
    return bool(where({"x": raw})(MappingProxyType(attributes)))


# Operators.


@pytest.mark.parametrize(
    ("test", "value", "expected"),
    [
        ({"eq": 1}, 1, True),
        ({"eq": 1}, 1.0, True),
        ({"eq": 1}, 2, False),
        ({"eq": "a"}, "a", True),
        ({"eq": "a"}, "A", False),
        ("shoes", "shoes", True),
        ("shoes", "boots", False),
        ({"ne": 1}, 2, True),
        ({"ne": 1}, 1, False),
        ({"gt": 0}, 1, True),
        ({"gt": 0}, 0, False),
        ({"gt": 0}, 0.5, True),
        ({"gte": 4}, 4, True),
        ({"gte": 4}, 3, False),
        ({"lt": 10}, 9.9, True),
        ({"lt": 10}, 10, False),
        ({"lte": 10}, 10, True),
        ({"lte": 10}, 11, False),
        ({"gt": "b"}, "c", True),
        ({"gt": "b"}, "a", False),
        ({"gte": "2026-01-01"}, "2026-02-01", True),
        ({"in": ["/pricing", "/plans"]}, "/plans", True),
        ({"in": ["/pricing", "/plans"]}, "/blog", False),
        ({"in": ["/pricing", "/plans"]}, ["/blog", "/plans"], True),
        ({"in": ["/pricing", "/plans"]}, ["/blog"], False),
        ({"in": [1, 2]}, 2.0, True),
        ({"in": [1, "a", [1, 2], {"k": 1}]}, "a", True),
        ({"in": [1, "a", [1, 2], {"k": 1}]}, [1, 2], True),
        ({"in": [1, "a", [1, 2], {"k": 1}]}, {"k": 1}, True),
        ({"in": [1, "a", [1, 2], {"k": 1}]}, [3, 1], True),
        ({"in": [1, "a", [1, 2], {"k": 1}]}, 3, False),
        ({"in": []}, "a", False),
        ({"not_in": ["a", "b"]}, "c", True),
        ({"not_in": ["a", "b"]}, "a", False),
        ({"not_in": ["a", "b"]}, ["c", "a"], False),
        ({"contains": "vip"}, ["new", "vip"], True),
        ({"contains": "vip"}, ["new"], False),
        ({"contains": "ell"}, "hello", True),
        ({"contains": "xyz"}, "hello", False),
        ({"contains": 1}, "1", False),
        ({"contains": 1}, 1, False),
        ({"contains": [1]}, [[1], [2]], True),
        ({"exists": True}, 0, True),
        ({"exists": False}, 0, False),
        ({"matches": "^/blog/"}, "/blog/post", True),
        ({"matches": "^/blog/"}, "/x/blog/", False),
        ({"matches": "blog"}, "/x/blog/", True),
        ({"matches": "1"}, 1, False),
        ({"between": [1, 10]}, 1, True),
        ({"between": [1, 10]}, 10, True),
        ({"between": [1, 10]}, 5.5, True),
        ({"between": [1, 10]}, 0, False),
        ({"between": [1, 10]}, 11, False),
        ({"between": ["a", "m"]}, "c", True),
        ({"between": ["a", "m"]}, "x", False),
        ({"eq": ["a", "b"]}, ["a", "b"], True),
        ({"eq": ["a", "b"]}, ("a", "b"), True),
        ({"eq": ["a", "b"]}, ["b", "a"], False),
        ({"eq": ["a", "b"]}, "a", False),
        ({"eq": {"a": 1}}, {"a": 1}, True),
        ({"eq": {"a": 1}}, {"a": 2}, False),
        ({"gt": 1, "lt": 5}, 3, True),
        ({"gt": 1, "lt": 5}, 5, False),
        ({"gt": 1, "lt": 5, "ne": 3}, 3, False),
        ({"gt": 1, "lt": 5, "ne": 3}, 4, True),
    ],
)
def test_each_operator_compares_as_documented(test: object, value: object, expected: bool) -> None:
    assert holds(test, value) is expected


# Missing values, as in MongoDB: ne, not_in and exists: false hold; everything else is false.

EVERY_OPERATOR_ON_MISSING = [
    ({"eq": 1}, False),
    ("a", False),
    ({"ne": 1}, True),
    ({"gt": 0}, False),
    ({"gte": 0}, False),
    ({"lt": 0}, False),
    ({"lte": 0}, False),
    ({"in": ["a"]}, False),
    ({"not_in": ["a"]}, True),
    ({"contains": "a"}, False),
    ({"exists": True}, False),
    ({"exists": False}, True),
    ({"matches": ".*"}, False),
    ({"between": [0, 1]}, False),
]


@pytest.mark.parametrize(("test", "expected"), EVERY_OPERATOR_ON_MISSING)
def test_an_absent_attribute_is_missing(test: object, expected: bool) -> None:
    assert holds(test, ABSENT) is expected


@pytest.mark.parametrize(("test", "expected"), EVERY_OPERATOR_ON_MISSING)
def test_an_explicit_null_is_missing(test: object, expected: bool) -> None:
    assert holds(test, None) is expected


@pytest.mark.parametrize(("test", "expected"), EVERY_OPERATOR_ON_MISSING)
def test_a_missing_nested_attribute_is_missing(test: object, expected: bool) -> None:
    condition = where({"product.category": test})
    assert condition({"product": {}}) is expected
    assert condition({"product": "shoes"}) is expected
    assert condition({}) is expected


# Kinds: values of incompatible kinds compare false.


@pytest.mark.parametrize(
    ("test", "value"),
    [
        ({"gt": 0}, "5"),
        ({"lt": 10}, "5"),
        ({"gte": "a"}, 5),
        ({"lte": "z"}, 5),
        ({"between": [0, 10]}, "5"),
        ({"gt": 0}, True),
        ({"gt": 0}, [5]),
        ({"eq": 5}, "5"),
        ({"eq": "5"}, 5),
        ({"in": [5]}, "5"),
    ],
)
def test_values_of_incompatible_kinds_compare_false(test: object, value: object) -> None:
    assert holds(test, value) is False


@pytest.mark.parametrize(
    ("test", "value", "expected"),
    [
        (1, True, False),
        (True, 1, False),
        (0, False, False),
        (False, 0, False),
        (True, True, True),
        ({"ne": 1}, True, True),
        ({"in": [1, 0]}, True, False),
        ({"in": [True]}, 1, False),
        ({"in": [True]}, True, True),
        ({"in": [1, "a"]}, True, False),
        ({"not_in": [1]}, True, True),
        ({"eq": [1]}, [True], False),
        ({"eq": {"a": 1}}, {"a": True}, False),
        ({"contains": 1}, [True], False),
        ({"contains": True}, [True], True),
        ({"gte": 1}, True, False),
    ],
)
def test_a_bool_is_never_a_number(test: object, value: object, expected: bool) -> None:
    assert holds(test, value) is expected


def test_number_and_text_subclasses_compare_as_numbers_and_texts() -> None:
    class Name(str):
        __slots__ = ()

    class Amount(float):
        __slots__ = ()

    assert holds({"eq": "a"}, Name("a")) is True
    assert holds({"in": ["a"]}, Name("a")) is True
    assert holds({"matches": "^a"}, Name("a")) is True
    assert holds({"gt": 1}, Amount(2)) is True
    assert holds({"between": [1, 3]}, Amount(2)) is True
    assert holds({"eq": 2}, Amount(2)) is True


# Paths in `where`.


def test_a_dotted_path_walks_nested_attributes() -> None:
    condition = where({"product.category": "shoes"})
    assert condition({"product": {"category": "shoes"}}) is True
    assert condition({"product": MappingProxyType({"category": "shoes"})}) is True
    assert condition({"product": {"category": "boots"}}) is False


def test_a_deeper_dotted_path_walks_every_level() -> None:
    condition = where({"a.b.c": {"gt": 1}})
    assert condition({"a": {"b": {"c": 2}}}) is True
    assert condition({"a": {"b": 2}}) is False
    assert condition({"a": [{"b": {"c": 2}}]}) is False


def test_a_literal_key_with_dots_wins_over_the_nested_walk() -> None:
    condition = where({"product.category": "shoes"})
    assert condition({"product.category": "shoes", "product": {"category": "boots"}}) is True
    assert condition({"product.category": "boots", "product": {"category": "shoes"}}) is False


def test_a_null_literal_key_falls_back_to_the_nested_walk() -> None:
    condition = where({"product.category": "shoes"})
    assert condition({"product.category": None, "product": {"category": "shoes"}}) is True


# Combinators.


def test_several_keys_must_all_hold() -> None:
    condition = where({"a": 1, "b": {"gt": 1}})
    assert condition({"a": 1, "b": 2}) is True
    assert condition({"a": 1, "b": 1}) is False
    assert condition({"a": 2, "b": 2}) is False


def test_all_any_and_not_combine_conditions() -> None:
    condition = where(
        {
            "any": [{"page": "/pricing"}, {"page": "/plans"}],
            "not": {"utm": {"exists": True}},
            "all": [{"total": {"gt": 0}}, {"total": {"lt": 100}}, {"currency": "EUR"}],
        }
    )
    assert condition({"page": "/plans", "total": 5, "currency": "EUR"}) is True
    assert condition({"page": "/blog", "total": 5, "currency": "EUR"}) is False
    assert condition({"page": "/plans", "total": 5, "currency": "EUR", "utm": "x"}) is False
    assert condition({"page": "/plans", "total": 500, "currency": "EUR"}) is False
    assert condition({"page": "/plans", "total": 5, "currency": "USD"}) is False


def test_combinators_nest_at_any_level() -> None:
    condition = where({"any": [{"not": {"a": 1}}, {"all": [{"b": 1}, {"any": [{"c": 1}]}]}]})
    assert condition({"a": 2}) is True
    assert condition({"a": 1, "b": 1, "c": 1}) is True
    assert condition({"a": 1, "b": 1}) is False


def test_not_of_a_missing_value_holds() -> None:
    assert where({"not": {"total": {"gt": 0}}})({}) is True


# Paths in `if`.


def test_event_paths_read_the_current_event() -> None:
    condition = if_({"event.product.category": "shoes", "event.total": {"gt": 0}})
    assert condition(FakeContext({"product": {"category": "shoes"}, "total": 5})) is True
    assert condition(FakeContext({"product": {"category": "shoes"}, "total": 0})) is False


def test_event_paths_are_missing_outside_an_event() -> None:
    assert if_({"event.page": {"ne": "/x"}})(FakeContext(None)) is True
    assert if_({"event.page": {"eq": "/x"}})(FakeContext(None)) is False
    assert if_({"event.product.id": {"exists": False}})(FakeContext(None)) is True


def test_customer_paths_read_traits() -> None:
    condition = if_({"customer.email_opt_out": {"ne": True}}, allow_event=False)
    assert condition(FakeContext(traits={"email_opt_out": True})) is False
    assert condition(FakeContext(traits={"email_opt_out": False})) is True
    assert condition(FakeContext()) is True
    nested = if_({"customer.address.city": "Lyon"}, allow_event=False)
    assert nested(FakeContext(traits={"address": {"city": "Lyon"}})) is True
    assert nested(FakeContext(traits={"address.city": "Lyon"})) is True


def test_counts_default_to_zero() -> None:
    condition = if_({"count.newsletter_signup": {"eq": 0}}, allow_event=False)
    assert condition(FakeContext()) is True
    assert condition(FakeContext(counts={"newsletter_signup": 1})) is False


def test_stage_counts_and_visits_read_their_own_tables() -> None:
    condition = if_({"stage_count.pricing_view": {"gte": 2}, "visited.customer": {"gte": 1}})
    both = FakeContext(stage_counts={"pricing_view": 2}, visits={"customer": 1})
    assert condition(both) is True
    assert condition(attrs.evolve(both, stage_counts={})) is False
    assert condition(attrs.evolve(both, visits={})) is False
    assert condition(attrs.evolve(both, counts={"pricing_view": 2}, stage_counts={})) is False


def test_time_in_stage_compares_with_durations() -> None:
    condition = if_({"time_in_stage": {"gte": "7d"}})
    assert condition(FakeContext(time_in_stage=timedelta(days=7))) is True
    assert condition(FakeContext(time_in_stage=timedelta(hours=167))) is False
    assert condition(FakeContext(time_in_stage=None)) is False
    between = if_({"time_in_stage": {"between": ["1d", "36h"]}})
    assert between(FakeContext(time_in_stage=timedelta(hours=30))) is True
    assert between(FakeContext(time_in_stage=timedelta(hours=37))) is False
    assert if_({"time_in_stage": {"in": ["1d", "2d"]}})(
        FakeContext(time_in_stage=timedelta(days=2))
    )


def test_time_in_stage_outside_the_journey_is_missing() -> None:
    assert if_({"time_in_stage": {"ne": "7d"}})(FakeContext()) is True
    assert if_({"time_in_stage": {"exists": False}})(FakeContext()) is True
    assert if_({"time_in_stage": {"lt": "7d"}})(FakeContext()) is False


def test_time_in_stage_accepts_a_duration_given_in_python() -> None:
    condition = if_({"time_in_stage": {"gte": timedelta(days=7)}})
    assert condition(FakeContext(time_in_stage=timedelta(days=8))) is True


def test_stalled_reads_the_context() -> None:
    assert if_({"stalled": True})(FakeContext(is_stalled=True)) is True
    assert if_({"stalled": True})(FakeContext(is_stalled=False)) is False
    assert if_({"stalled": {"ne": True}})(FakeContext(is_stalled=False)) is True


def test_the_retail_conditions_compile() -> None:
    for raw in (
        {"count.newsletter_signup": {"eq": 0}},
        {"stalled": True},
        {"stage_count.pricing_view": {"gte": 2}},
        {"time_in_stage": {"gte": "7d"}},
        {"visited.customer": {"gte": 1}},
        {"customer.email_opt_out": {"ne": True}},
    ):
        if_(raw, allow_event=False)


def test_regexes_are_compiled_when_the_condition_compiles(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import re

    condition = where({"page": {"matches": "^/blog/"}})

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("compiled a regex while evaluating")

    monkeypatch.setattr(re, "compile", refuse)
    monkeypatch.setattr(re, "search", refuse)
    assert condition({"page": "/blog/x"}) is True


# Rendering.


@pytest.mark.parametrize(
    ("raw", "text"),
    [
        ({"count.newsletter_signup": {"eq": 0}}, "{count.newsletter_signup: {eq: 0}}"),
        ({"page": {"in": ["/pricing", "/plans"]}}, "{page: {in: [/pricing, /plans]}}"),
        ({"stalled": True, "x": None}, "{stalled: true, x: null}"),
        ({"time_in_stage": {"gte": "7d"}}, "{time_in_stage: {gte: 7d}}"),
        ({"x": {"in": ["1", "true", "null", "", "a: b", "[a", "it's", "- a", "12:30"]}},
         "{x: {in: ['1', 'true', 'null', '', 'a: b', '[a', it's, '- a', 12:30]}}"),
        ({"x": ["it's a", "'q'"]}, "{x: [it's a, '''q''']}"),
        ({"x": [1.5, float("inf"), -float("inf"), timedelta(hours=36)]},
         "{x: [1.5, .inf, -.inf, 36h]}"),
    ],
)  # fmt: skip
def test_flow_text_writes_compact_one_line_yaml(raw: object, text: str) -> None:
    assert flow_text(raw) == text


# Properties.

SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(-3, 3)
    | st.floats(-3, 3, allow_nan=False)
    | st.sampled_from(["a", "b", "", "1"])
)
VALUES = SCALARS | st.lists(SCALARS, max_size=3)
OPERANDS = VALUES.filter(lambda v: v is not None).filter(
    lambda v: not isinstance(v, list) or None not in v
)


@given(operand=OPERANDS, value=VALUES | st.just(ABSENT))
def test_ne_is_always_not_eq(operand: object, value: object) -> None:
    assert holds({"ne": operand}, value) is not holds({"eq": operand}, value)


@given(operand=st.lists(OPERANDS, max_size=4), value=VALUES | st.just(ABSENT))
def test_not_in_is_always_not_in(operand: list[object], value: object) -> None:
    assert holds({"not_in": operand}, value) is not holds({"in": operand}, value)


@given(left=OPERANDS, right=OPERANDS)
def test_eq_is_symmetric_and_respects_kinds(left: object, right: object) -> None:
    assert holds({"eq": left}, right) is holds({"eq": right}, left)
    if holds({"eq": left}, right) and not isinstance(left, list):
        assert isinstance(left, bool) is isinstance(right, bool)
        assert isinstance(left, str) is isinstance(right, str)


@given(operand=OPERANDS.filter(lambda v: not isinstance(v, list)), value=SCALARS)
def test_in_a_one_item_list_is_eq_for_single_values(operand: object, value: object) -> None:
    assert holds({"in": [operand]}, value) is holds({"eq": operand}, value)

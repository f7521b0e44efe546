"""The proofs over condition trees agree with the compiled conditions the engine runs."""

from __future__ import annotations

import json
from datetime import timedelta
from types import SimpleNamespace
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from customer_journey import loads
from customer_journey.checks import lint
from customer_journey.checks._proofs import BUDGET, always_holds, in_event, never_holds
from customer_journey.model import AllOf, AnyOf, ConditionTree, Not, PathTest

PROPERTY = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def test_what_is_known_about_counts_stalled_and_time_in_stage_is_used() -> None:
    assert never_holds([PathTest("count.visit", "gt", 1), PathTest("count.visit", "lt", 2)])
    assert never_holds([PathTest("visited.shop", "lt", 0)])
    assert always_holds(AnyOf((PathTest("stalled", "eq", True), PathTest("stalled", "ne", True))))
    assert never_holds([PathTest("time_in_stage", "lt", timedelta(0))])
    # Traits and event attributes may be anything: fractions, lists, missing values.
    assert not never_holds([PathTest("customer.n", "gt", 1), PathTest("customer.n", "lt", 2)])
    assert not never_holds([PathTest("event.n", "lt", 0)])
    assert not always_holds(PathTest("time_in_stage", "gte", timedelta(0)))


def test_a_where_is_read_as_the_event_attributes_it_tests() -> None:
    where = PathTest("count.visit", "lt", 0)
    assert never_holds([where])
    assert in_event(where) == PathTest("event.count.visit", "lt", 0)
    assert not never_holds([in_event(where)])


def test_a_list_is_in_two_sets_that_share_nothing_but_not_in_a_set_and_out_of_it() -> None:
    first, second = PathTest("event.tags", "in", ("a",)), PathTest("event.tags", "in", ("b",))
    assert not never_holds([first, second])
    assert never_holds([first, PathTest("event.tags", "not_in", ("a", "c"))])
    assert never_holds([first, second, PathTest("event.tags", "eq", "a")])


def test_a_test_written_twice_is_one_even_when_it_cannot_be_judged() -> None:
    pattern = PathTest("event.page", "matches", "^/docs")
    assert never_holds([pattern, Not(PathTest("event.page", "matches", "^/docs"))])
    assert not never_holds([pattern, PathTest("event.page", "matches", "^/blog")])
    assert not never_holds([PathTest("event.n", "eq", float("nan"))])


def test_texts_and_durations_have_room_between_their_bounds_only_when_some_value_fits() -> None:
    assert not never_holds([PathTest("event.s", "gt", "a"), PathTest("event.s", "lt", "b")])
    assert never_holds([PathTest("event.s", "gt", "a"), PathTest("event.s", "lt", "a\x00")])
    microsecond = timedelta(microseconds=1)
    assert never_holds(
        [PathTest("event.d", "gt", timedelta(0)), PathTest("event.d", "lt", microsecond)]
    )
    assert not never_holds(
        [PathTest("event.d", "gt", timedelta(0)), PathTest("event.d", "lt", 2 * microsecond)]
    )


def either_of(paths: int) -> ConditionTree:
    """Some of `paths` traits is 1, and none is: never holds, over many paths at once."""
    tests = tuple(PathTest(f"customer.t{index}", "eq", 1) for index in range(paths))
    return AllOf((AnyOf(tests), Not(AnyOf(tests))))


def test_too_many_combinations_prove_nothing() -> None:
    assert 2**13 <= BUDGET < 2**15
    assert never_holds([either_of(13)])
    assert not never_holds([either_of(15)])


def test_too_many_kinds_of_list_items_prove_nothing() -> None:
    sets = [PathTest("event.tags", "in", (index,)) for index in range(9)]
    assert never_holds([*sets[:8], PathTest("event.tags", "exists", operand=False)])
    assert not never_holds([*sets, PathTest("event.tags", "exists", operand=False)])


# The proofs against the compiled conditions ------------------------------------------------------

SCALARS = st.one_of(st.integers(0, 4), st.sampled_from(["a", "b"]))
ORDERED = st.one_of(st.integers(0, 4), st.sampled_from(["a", "b"]))


def checks_on(path: str, *, counts: bool) -> st.SearchStrategy[dict[str, Any]]:
    """`{path: {operator: operand}}` with small operands (whole numbers only on counts)."""
    value = st.integers(0, 4) if counts else st.one_of(SCALARS, st.booleans())
    ordered = st.integers(0, 4) if counts else ORDERED
    listed = st.lists(st.integers(0, 4) if counts else SCALARS, max_size=3)
    ends = st.tuples(st.integers(0, 4), st.integers(0, 4)).map(sorted)
    tests = [
        st.tuples(st.sampled_from(["eq", "ne"]), value),
        st.tuples(st.sampled_from(["gt", "gte", "lt", "lte"]), ordered),
        st.tuples(st.sampled_from(["in", "not_in"]), listed),
        st.tuples(st.just("between"), ends),
    ]
    if not counts:
        tests += [st.tuples(st.just("exists"), st.booleans()), st.just(("matches", "^a"))]
    return st.one_of(tests).map(lambda test: {path: {test[0]: test[1]}})


def conditions(path: str, *, counts: bool) -> st.SearchStrategy[dict[str, Any]]:
    """Small conditions on one path, through all, any and not."""
    return st.recursive(
        checks_on(path, counts=counts),
        lambda inner: st.one_of(
            st.lists(inner, min_size=1, max_size=3).map(lambda parts: {"all": parts}),
            st.lists(inner, min_size=1, max_size=3).map(lambda parts: {"any": parts}),
            inner.map(lambda part: {"not": part}),
        ),
        max_leaves=5,
    )


#: Event attributes on both sides of every operand, of every kind, lists, and none at all.
ATTRIBUTES: list[dict[str, Any]] = [
    {},
    *({"x": value} for value in [None, -1, 0, 0.5, 1, 1.5, 2, 2.0, 2.5, 3, 3.5, 4, 5]),
    *({"x": value} for value in ["", "a", "aa", "b", "c", True, False]),
    *({"x": value} for value in [[], [0], ["a"], [1, "b"], [0, 1, 2, 3, 4], ["a", "b"]]),
    {"x": {"k": 1}},
    {"x": timedelta(days=1)},
]


@PROPERTY
@given(conditions("x", counts=False))
def test_a_where_proven_never_or_always_to_hold_does_so_on_any_event(
    condition: dict[str, Any],
) -> None:
    model = loads(
        "journey: j\ntouchpoints:\n"
        f"  visit: {{ event: page.viewed, channel: web, where: {json.dumps(condition)} }}\n"
        "stages:\n  browsing: { entry: visit, terminal: true }\n"
    ).model
    touchpoint = model.touchpoints["visit"]
    assert touchpoint.where is not None
    assert touchpoint.where_tree is not None
    seen = [bool(touchpoint.where(attributes)) for attributes in ATTRIBUTES]
    never = never_holds([in_event(touchpoint.where_tree)])
    if never:
        assert not any(seen)
    if always_holds(in_event(touchpoint.where_tree)):
        assert all(seen)
    whole = "the 'where' of touchpoint 'visit' can never hold"
    assert any(problem.message.startswith(whole) for problem in lint(model)) is never


@PROPERTY
@given(conditions("count.visit", counts=True))
def test_a_count_condition_is_proven_never_or_always_to_hold_exactly_when_it_does(
    condition: dict[str, Any],
) -> None:
    model = loads(
        "journey: j\ntouchpoints:\n  visit: { event: page.viewed, channel: web }\nstages:\n"
        "  browsing:\n    entry: visit\n    terminal: true\n    friction:\n"
        f"      - {{ label: odd, when: visit, if: {json.dumps(condition)} }}\n"
    ).model
    (rule,) = model.stages["browsing"].friction
    assert rule.condition is not None
    assert rule.condition_tree is not None
    # The operands are whole numbers from 0 to 4: counts from 0 to 6 meet every region.
    seen = [bool(rule.condition(context(count))) for count in range(7)]
    assert never_holds([rule.condition_tree]) is not any(seen)
    assert always_holds(rule.condition_tree) is all(seen)


def context(count: int) -> Any:
    """What an `if` reads, for a customer with `count` visits."""
    return SimpleNamespace(
        event_attributes=None, traits={}, counts={"visit": count}, stage_counts={}, visits={},
        time_in_stage=None, is_stalled=False,
    )  # fmt: skip


@pytest.mark.parametrize("operator", ["eq", "ne", "gt", "gte", "lt", "lte"])
def test_a_missing_value_is_judged_as_replay_judges_it(operator: str) -> None:
    test = PathTest("event.x", operator, 1)
    holds_when_missing = operator == "ne"
    assert never_holds([test, PathTest("event.x", "exists", operand=False)]) is not (
        holds_when_missing
    )

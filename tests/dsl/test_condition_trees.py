"""The condition tree: what each condition reads into, where, and its text as written."""

from __future__ import annotations

import pickle
from datetime import timedelta
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

import customer_journey as cj
from customer_journey.dsl import parse_yaml
from customer_journey.dsl._conditions import parse_where
from customer_journey.model import (
    AllOf,
    AnyOf,
    ConditionTree,
    GroupForm,
    Not,
    PathTest,
    WrittenDuration,
    conjuncts,
    flow_text,
    path_tests,
)

JOURNEY = """\
journey: trees
touchpoints:
  visit: { event: page.viewed, channel: web }
  order:
    event: order.placed
    channel: web
    where: { total: { gt: 0, lte: 50 }, tags: vip }
stages:
  browsing:
    entry: [visit]
    transitions:
      - to: buying
        when: order
        if:
          any:
            - { customer.tier: gold }
            - not: { time_in_stage: { gte: 2w } }
    actions:
      - { id: nudge, channel: email, if: { stalled: true } }
  buying: { terminal: true }
consent:
  email: { all: [{ customer.opted_out: { ne: true } }, { count.visit: { gte: 1 } }] }
"""
MODEL = cj.loads(JOURNEY, source="trees.journey.yaml").model


def outline(tree: ConditionTree) -> tuple[Any, ...]:
    """The tree as nested tuples: node, layout, `line:column`, and each test's parts."""
    place = f"{tree.location.line}:{tree.location.column}" if tree.location else None
    if isinstance(tree, PathTest):
        return ("test", tree.path, tree.operator, tree.operand, tree.bare, place)
    if isinstance(tree, Not):
        return ("not", place, outline(tree.part))
    if isinstance(tree, AnyOf):
        return ("any", place, *map(outline, tree.parts))
    return ("all", tree.form.value, place, *map(outline, tree.parts))


def where_tree(text: str) -> ConditionTree:
    """The tree of a `where` condition written as `text`."""
    raw, _locator, problems = parse_yaml(text, source="<where>")
    assert problems == []
    return read_where(raw)


def read_where(raw: object) -> ConditionTree:
    tree = parse_where(raw, report=lambda *problem: pytest.fail(str(problem)))
    assert tree is not None
    return tree


def test_a_where_reads_into_its_keys_operators_and_bare_values_with_their_places() -> None:
    where = MODEL.touchpoints["order"].where_tree
    assert where is not None
    assert outline(where) == (
        "all", "keys", "7:12",
        ("all", "operators", "7:14",
         ("test", "total", "gt", 0, False, "7:23"),
         ("test", "total", "lte", 50, False, "7:30")),
        ("test", "tags", "eq", "vip", True, "7:41"),
    )  # fmt: skip


def test_an_if_reads_into_any_and_not_with_a_duration_as_written() -> None:
    condition = MODEL.stages["browsing"].transitions[0].condition_tree
    assert condition is not None
    assert outline(condition) == (
        "any", "15:11",
        ("test", "customer.tier", "eq", "gold", True, "16:17"),
        ("not", "17:15",
         ("test", "time_in_stage", "gte", timedelta(days=14), False, "17:39")),
    )  # fmt: skip
    (_tier, negation) = condition.parts  # type: ignore[union-attr]
    assert isinstance(negation, Not)
    assert isinstance(negation.part, PathTest)
    assert isinstance(negation.part.operand, WrittenDuration)
    assert negation.part.operand.text == "2w"


def test_consent_reads_into_an_all_list() -> None:
    assert outline(MODEL.consent_tree["email"]) == (
        "all", "list", "22:12",
        ("test", "customer.opted_out", "ne", True, False, "22:42"),
        ("test", "count.visit", "gte", 1, False, "22:73"),
    )  # fmt: skip


def test_the_texts_of_the_model_are_its_trees_as_written() -> None:
    transition = MODEL.stages["browsing"].transitions[0]
    assert MODEL.touchpoints["order"].where_text == "{total: {gt: 0, lte: 50}, tags: vip}"
    assert transition.condition_text == (
        "{any: [{customer.tier: gold}, {not: {time_in_stage: {gte: 2w}}}]}"
    )
    assert MODEL.stages["browsing"].actions[0].condition_text == "{stalled: true}"
    assert MODEL.consent_text == {
        "email": "{all: [{customer.opted_out: {ne: true}}, {count.visit: {gte: 1}}]}"
    }
    assert MODEL.touchpoints["visit"].where_text is None


def test_every_if_and_consent_condition_is_walked_consent_first() -> None:
    texts = [tree.text for tree in MODEL.if_conditions()]
    assert texts == [
        "{all: [{customer.opted_out: {ne: true}}, {count.visit: {gte: 1}}]}",
        "{any: [{customer.tier: gold}, {not: {time_in_stage: {gte: 2w}}}]}",
        "{stalled: true}",
    ]


def test_trees_are_equal_by_meaning_whatever_their_place_and_layout() -> None:
    as_keys = where_tree("{a: {gt: 1, lt: 5}}")
    as_list = where_tree("{all: [{a: {gt: 1}}, {a: {lt: 5}}]}")
    assert as_keys == as_list
    assert as_keys.text != as_list.text
    assert where_tree("{a: 1}") == where_tree("{a: {eq: 1}}")
    assert where_tree("{a: 1}") != where_tree("{a: 2}")


def test_walks_give_the_tests_and_the_parts_that_must_all_hold() -> None:
    tree = where_tree("{a: {gt: 1, lt: 5}, any: [{b: 1}, {c: 2}], not: {d: 3}}")
    assert [test.text for test in path_tests(tree)] == [
        "{a: {gt: 1}}", "{a: {lt: 5}}", "{b: 1}", "{c: 2}", "{d: 3}"
    ]  # fmt: skip
    assert [part.text for part in conjuncts(tree)] == [
        "{a: {gt: 1}}", "{a: {lt: 5}}", "{any: [{b: 1}, {c: 2}]}", "{not: {d: 3}}"
    ]  # fmt: skip


@pytest.mark.parametrize(
    "text",
    [
        "{page: /pricing}",
        "{page: {eq: /pricing}}",
        "{page: {in: [/pricing, '1', 'a: b', it's]}, x.y: 1}",
        "{total: {gt: 0, lte: 50.5}, tags: {contains: vip}}",
        "{all: [{c: {exists: true}}, {not: {d: [1, 2]}}]}",
        "{any: [{total: {gte: 500}}, {total: {between: [100, 200]}, currency: {not_in: [a]}}]}",
        "{meta: {eq: {a: 1, b: [x, y]}}, code: {matches: ^/docs/(a|b)$}}",
        "{all: [{a: 1}]}",
        "{not: {a: 1, b: 2}}",
        "{'1': true, 'a: b': {ne: null-ish}}",
    ],
)
def test_the_text_of_a_tree_is_the_condition_as_written(text: str) -> None:
    assert where_tree(text).text == text


@pytest.mark.parametrize(
    ("written", "text"),
    [
        ("{time_in_stage: {gte: 2w}}", "{time_in_stage: {gte: 2w}}"),
        ("{time_in_stage: {between: [1d, 48h]}}", "{time_in_stage: {between: [1d, 48h]}}"),
        ("{time_in_stage: {in: [24h, 2d]}}", "{time_in_stage: {in: [24h, 2d]}}"),
    ],
)
def test_durations_keep_their_spelling(written: str, text: str) -> None:
    journey = JOURNEY.replace("{ stalled: true }", written)
    action = cj.loads(journey).model.stages["browsing"].actions[0]
    assert action.condition_text == text


def test_a_duration_given_in_python_is_written_in_its_largest_exact_unit() -> None:
    tree = PathTest("time_in_stage", "gte", timedelta(hours=48))
    assert tree.text == "{time_in_stage: {gte: 2d}}"


def test_a_written_duration_computes_and_pickles_as_a_duration() -> None:
    duration = WrittenDuration(timedelta(days=14), "2w")
    assert duration == timedelta(days=14)
    assert type(duration + timedelta(days=1)) is timedelta
    assert flow_text(duration + timedelta(0)) == "14d"
    copy = pickle.loads(pickle.dumps(duration))
    assert (copy, copy.text) == (duration, "2w")


def test_a_tree_built_in_python_is_written_with_all_lists_and_reads_back() -> None:
    built = AllOf(
        (
            PathTest("total", "gt", 1),
            PathTest("total", "lt", 5),
            AnyOf((PathTest("tag", "in", ("a", "b")), Not(PathTest("vip", "exists", True)))),
        )
    )
    assert built.text == (
        "{all: [{total: {gt: 1}}, {total: {lt: 5}}, "
        "{any: [{tag: {in: [a, b]}}, {not: {vip: {exists: true}}}]}]}"
    )
    assert where_tree(built.text) == built


def test_a_group_written_as_operators_falls_back_to_a_list_when_its_paths_differ() -> None:
    mixed = AllOf((PathTest("a", "gt", 1), PathTest("b", "lt", 5)), form=GroupForm.OPERATORS)
    assert mixed.text == "{all: [{a: {gt: 1}}, {b: {lt: 5}}]}"


def test_an_unknown_operator_is_refused_when_building_a_tree() -> None:
    with pytest.raises(ValueError, match="'operator' must be in"):
        PathTest("a", "gtt", 1)


# Property: any condition reads into a tree whose text is the text written, and reads back.

SCALARS = st.one_of(
    st.booleans(),
    st.integers(-5, 5),
    st.sampled_from([0.5, -1.25, 2.0]),
    st.sampled_from(["a", "B", "1", "true", "it's", "a: b", "", "/x", "- a"]),
)
ORDERED = st.one_of(st.integers(-5, 5), st.sampled_from([0.5, "a", "m"]))
OPERANDS = {
    "eq": SCALARS | st.lists(SCALARS, max_size=2),
    "ne": SCALARS,
    "gt": ORDERED,
    "gte": ORDERED,
    "lt": ORDERED,
    "lte": ORDERED,
    "in": st.lists(SCALARS, max_size=3),
    "not_in": st.lists(SCALARS, max_size=3),
    "contains": SCALARS,
    "exists": st.booleans(),
    "matches": st.sampled_from(["^a", "b$", "x|y", "[0-9]+"]),
    "between": st.tuples(st.integers(-5, 5), st.integers(0, 5)).map(sorted),
}
TESTS = SCALARS | st.lists(
    st.sampled_from(sorted(OPERANDS)), min_size=1, max_size=3, unique=True
).flatmap(lambda names: st.fixed_dictionaries({name: OPERANDS[name] for name in names}))
ENTRIES = st.dictionaries(st.sampled_from(["a", "b.c", "1"]), TESTS, min_size=1, max_size=2)
CONDITIONS = st.recursive(
    ENTRIES,
    lambda inner: st.one_of(
        st.builds(lambda parts: {"all": parts}, st.lists(inner, min_size=1, max_size=3)),
        st.builds(lambda parts: {"any": parts}, st.lists(inner, min_size=1, max_size=3)),
        st.builds(lambda part: {"not": part}, inner),
        st.builds(lambda entries, part: {**entries, "not": part}, ENTRIES, inner),
    ),
    max_leaves=6,
)


@given(CONDITIONS)
def test_every_condition_reads_into_a_tree_written_as_it_was_and_read_back_the_same(
    raw: dict[str, Any],
) -> None:
    tree = read_where(raw)
    assert tree.text == flow_text(raw)
    again = where_tree(tree.text)
    assert again == tree
    assert again.text == tree.text

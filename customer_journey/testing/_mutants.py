"""Mutants of a journey: records of one small change each, and how to make the change.

A `Mutant` is a small record of plain values (what kind of change, which element of the
model, which field or part of its condition, the new value), so that it travels to a
worker process cheaply; `Mutant.apply` makes the changed model there with `attrs.evolve`
on the frozen model, recompiling only a changed condition, as the DSL compiles it.
`customer_journey.testing._mutant_making` makes the mutants of a model.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

import attrs

from customer_journey.dsl import Patterns, compile_if, compile_where
from customer_journey.errors import Location
from customer_journey.model import ConditionTree, JourneyModel, Not, PathTest, Transition

__all__ = ["MUTATION_OPERATORS", "ModelElement", "Mutant", "changed_part"]

#: The kinds of change; `customer_journey.testing._mutant_making` says what each does.
MUTATION_OPERATORS = (
    "drop-transition",
    "retarget-transition",
    "swap-transitions",
    "move-number",
    "flip-comparison",
    "negate-condition",
    "drop-condition",
    "drop-if",
)


@attrs.frozen
class ModelElement:
    """Where a changed thing sits in the model: a list or a mapping, and its place in it.

    Attributes:
        field: the list (`transitions`, `friction`, `actions` of `stage`; `anywhere`,
            `actions` of the journey) or mapping (`stages`, `touchpoints`, `goals`,
            `consent_tree`) that holds it.
        key: its index in the list, or its name in the mapping.
        stage: the stage whose list holds it; None for the journey's own.
    """

    field: str
    key: int | str
    stage: str | None = None


@attrs.frozen
class Mutant:
    """One change to a journey.

    Attributes:
        operator: the kind of change, one of `MUTATION_OPERATORS`.
        description: the change in words, such as `retargeted transition 'aware -> lapsed
            after 30d' to 'churned'`.
        location: where the changed transition, number's owner or condition test is written.
        element: the changed element.
        attribute: for a changed field (`target`, `after`, ...), its name.
        value: the field's new value, or a condition's new operand.
        node: for a changed condition, the changed part: child indices from the root.
        equivalent: why no scenario can tell the mutant from the journey, when known.
    """

    operator: str
    description: str
    location: Location | None
    element: ModelElement
    attribute: str | None = None
    value: Any = None
    node: tuple[int, ...] | None = None
    equivalent: str | None = None

    def __str__(self) -> str:
        where = f"{self.location}: " if self.location else ""
        return f"{where}{self.description}"

    def apply(self, model: JourneyModel) -> JourneyModel:
        """`model`, the one the mutant was made from, with this one change."""
        element = self.element
        if self.node is not None:
            tree = _edited(_tree(model, element), self.node, self.operator, self.value)
            return _with_tree(model, element, tree)
        if self.operator == "drop-transition":
            return _put(model, element, None)
        if self.operator == "swap-transitions":
            items = list(_container(model, element))
            first = int(element.key)
            items[first], items[first + 1] = items[first + 1], items[first]
            return _put_container(model, element, _numbered(items))
        assert self.attribute is not None  # the other operators change a field
        changed = attrs.evolve(_get(model, element), **{self.attribute: self.value})
        return _put(model, element, changed)


def changed_part(part: ConditionTree, operator: str, value: Any) -> ConditionTree:
    """One part of a condition flipped, negated or given a new operand."""
    if operator == "move-number":
        assert isinstance(part, PathTest)  # only tests have an operand to move
        return attrs.evolve(part, operand=value)
    if operator == "flip-comparison":
        assert isinstance(part, PathTest)  # only tests have an opposite
        flipped = part.op.negation(part.operand)
        assert flipped is not None  # only tests with an opposite are flipped
        other, operand = flipped
        return PathTest(part.path, other.name, operand, location=part.location)
    if isinstance(part, Not):
        return part.part
    return Not(part, location=part.location)


def _edited(
    tree: ConditionTree | None, node: tuple[int, ...], operator: str, value: Any
) -> ConditionTree | None:
    """`tree` with the part at `node` changed, dropped (None: the whole condition)."""
    assert tree is not None  # a condition mutant is made only where there is a condition
    if not node:
        if operator in ("drop-condition", "drop-if"):
            return None
        return changed_part(tree, operator, value)
    first, rest = node[0], node[1:]
    if isinstance(tree, Not):
        inner = _edited(tree.part, rest, operator, value)
        assert inner is not None  # the part of a `not` is never dropped alone
        return attrs.evolve(tree, part=inner)
    assert not isinstance(tree, PathTest)  # a test has no parts
    parts = list(tree.parts)
    changed = _edited(parts[first], rest, operator, value)
    if changed is None:
        del parts[first]
        if len(parts) == 1:
            return parts[0]
    else:
        parts[first] = changed
    return attrs.evolve(tree, parts=tuple(parts))


def _container(model: JourneyModel, element: ModelElement) -> Any:
    """The list or mapping that holds the element."""
    holder = model if element.stage is None else model.stages[element.stage]
    return getattr(holder, element.field)


def _get(model: JourneyModel, element: ModelElement) -> Any:
    return _container(model, element)[element.key]


def _put(model: JourneyModel, element: ModelElement, changed: Any) -> JourneyModel:
    """The model with the element replaced by `changed`, or dropped when it is None."""
    container = _container(model, element)
    is_mapping = isinstance(container, Mapping)
    items: Any = dict(container) if is_mapping else list(container)
    if changed is None:
        del items[element.key]
    else:
        items[element.key] = changed
    return _put_container(
        model, element, MappingProxyType(items) if is_mapping else _numbered(items)
    )


def _put_container(model: JourneyModel, element: ModelElement, container: Any) -> JourneyModel:
    """The model with the list or mapping that holds the element replaced by `container`."""
    if element.stage is None:
        return attrs.evolve(model, **{element.field: container})
    stage = attrs.evolve(model.stages[element.stage], **{element.field: container})
    return _put(model, ModelElement("stages", element.stage), stage)


def _numbered(items: list[Any]) -> tuple[Any, ...]:
    """Transitions keep their `index` equal to their place in their list."""
    return tuple(
        attrs.evolve(item, index=index)
        if isinstance(item, Transition) and item.index != index
        else item
        for index, item in enumerate(items)
    )


def _tree(model: JourneyModel, element: ModelElement) -> ConditionTree | None:
    """The element's condition: a consent itself, a touchpoint's `where`, others' `if`."""
    found = _get(model, element)
    tree: ConditionTree | None
    if element.field == "consent_tree":
        tree = found
    elif element.field == "touchpoints":
        tree = found.where_tree
    else:
        tree = found.condition_tree
    return tree


def _with_tree(
    model: JourneyModel, element: ModelElement, tree: ConditionTree | None
) -> JourneyModel:
    """The model with the element's condition replaced by `tree`, compiled as the DSL does."""
    patterns = Patterns().compile
    if element.field == "consent_tree":
        consent = dict(model.consent)
        if tree is None:
            del consent[str(element.key)]
        else:
            consent[str(element.key)] = compile_if(tree, patterns)
        return attrs.evolve(_put(model, element, tree), consent=MappingProxyType(consent))
    found = _get(model, element)
    if element.field == "touchpoints":
        where = None if tree is None else compile_where(tree, patterns)
        return _put(model, element, attrs.evolve(found, where_tree=tree, where=where))
    condition = None if tree is None else compile_if(tree, patterns)
    return _put(model, element, attrs.evolve(found, condition_tree=tree, condition=condition))

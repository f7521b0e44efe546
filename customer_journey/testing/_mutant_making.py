"""Making the mutants of a journey: every change of eight kinds, equivalent ones marked.

A scenario suite is as good as the mistakes it would notice. `mutants_of` makes, from a
compiled model, every mutant of these kinds (`MUTATION_OPERATORS`):

- `drop-transition`: a transition is gone;
- `retarget-transition`: a transition goes to another stage (each other one, or an evenly
  spread `MAX_RETARGETS` of them);
- `swap-transitions`: two neighbouring transitions of one list are tried the other way round;
- `move-number`: `times`, `within`, `after`, `idle`, `expected_duration`, `cooldown`, `max`, a
  goal's `within`, or a number or duration a condition compares with, one up or one down
  (a duration by one of its largest exact unit: 30d becomes 29d and 31d); counts and
  durations of the journey's keys stay above zero;
- `flip-comparison`: a test becomes its opposite (`gt` and `lte`, `eq` and `ne`, `in` and
  `not_in`, `exists: true` and `exists: false`);
- `negate-condition`: a test with no opposite, an `all` or an `any` is put under `not`, and
  a `not` is taken away;
- `drop-condition`: one part of an `all` or an `any` is gone, or a transition's or friction
  rule's `if`, a touchpoint's `where` or a channel's consent is gone whole;
- `drop-if`: an action's `if` is gone.

Mutants that change nothing a scenario can see (equivalent ones) are marked with the
reason, where it is cheap to tell: anything in a stage no customer can enter, the
transitions, friction rules and actions of a terminal stage, journey-level actions of no
live stage, the `where` of a touchpoint nothing uses, the consent of a channel no live
action is on, the `within` of a rule with `times: 1`, and swaps of transitions that go to
the same stage or that no single event or moment triggers both.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Mapping
from datetime import timedelta
from typing import Any

from customer_journey._durations import LONGEST, format_duration
from customer_journey.errors import Location
from customer_journey.model import (
    Action,
    AllOf,
    AnyOf,
    ConditionTree,
    FrictionRule,
    JourneyModel,
    Not,
    PathTest,
    Shape,
    Stage,
    Transition,
    WrittenDuration,
    flow_text,
    path_tests,
)
from customer_journey.testing._mutants import ModelElement, Mutant, changed_part
from customer_journey.testing._path_report import transition_name

__all__ = ["MAX_RETARGETS", "mutants_of"]

#: At most this many other stages a transition is retargeted to.
MAX_RETARGETS = 8

_NUMBERED_SHAPES = (Shape.VALUE, Shape.RANGE)
_COUNTED_ROOTS = ("count", "stage_count")
_ZERO = timedelta(0)


def mutants_of(model: JourneyModel) -> tuple[Mutant, ...]:
    """Every mutant of `model`, equivalent ones marked.

    Element by element: touchpoints, stages (each with its transitions, friction rules and
    actions), `anywhere` transitions, journey-level actions, goals, consent.
    """
    life = _Life(model)
    found: list[Mutant] = []
    for name, touchpoint in model.touchpoints.items():
        found += _condition_mutants(
            ModelElement("touchpoints", name), touchpoint.where_tree,
            key="'where'", owner=f"touchpoint '{name}'", where=touchpoint.location,
            whole="drop-condition", equivalent=life.touchpoints.get(name),
        )  # fmt: skip
    for stage in model.stages.values():
        found += _stage_mutants(model, stage, life)
    found += _transition_mutants(model, "anywhere", None, model.anywhere, None)
    found += _action_mutants(None, model.actions, life.actions, None)
    for name, goal in model.goals.items():
        found += _number_mutants(
            ModelElement("goals", name), goal, ("within",),
            name=f"goal '{name}'", where=goal.location, equivalent=None,
        )  # fmt: skip
    for channel, tree in model.consent_tree.items():
        found += _condition_mutants(
            ModelElement("consent_tree", channel), tree,
            key="consent", owner=f"channel '{channel}'", where=tree.location,
            whole="drop-condition", equivalent=life.channels.get(channel),
        )  # fmt: skip
    return tuple(found)


# Making mutants.


def _stage_mutants(model: JourneyModel, stage: Stage, life: _Life) -> Iterator[Mutant]:
    """A stage's `expected_duration`, transitions, friction rules and actions."""
    dead = life.unreachable.get(stage.name)
    yield from _number_mutants(
        ModelElement("stages", stage.name), stage, ("expected_duration",),
        name=f"stage '{stage.name}'", where=stage.location, equivalent=dead,
    )  # fmt: skip
    dead = dead or life.terminal.get(stage.name)
    yield from _transition_mutants(model, "transitions", stage.name, stage.transitions, dead)
    for index, rule in enumerate(stage.friction):
        element = ModelElement("friction", index, stage.name)
        name = f"friction rule '{rule.label}' of stage '{stage.name}'"
        yield from _number_mutants(
            element, rule, ("times", "within"), name=name, where=rule.location, equivalent=dead
        )
        yield from _condition_mutants(
            element, rule.condition_tree, key="'if'", owner=name, where=rule.location,
            whole="drop-condition", equivalent=dead,
        )  # fmt: skip
    yield from _action_mutants(stage.name, stage.actions, {}, dead)


def _transition_mutants(
    model: JourneyModel,
    field: str,
    stage: str | None,
    transitions: tuple[Transition, ...],
    dead: str | None,
) -> Iterator[Mutant]:
    """Drop, retarget, move the numbers and change the `if` of each; swap each neighbour pair.

    `field` and `stage` say which list holds them; `dead`, why none of them ever acts.
    """
    for index, transition in enumerate(transitions):
        element = ModelElement(field, index, stage)
        name = f"transition '{transition_name(transition)}'"
        where = transition.location
        yield Mutant("drop-transition", f"dropped {name}", where, element, equivalent=dead)
        for target in _retargets(model, transition):
            yield Mutant(
                "retarget-transition", f"retargeted {name} to '{target}'", where, element,
                attribute="target", value=target, equivalent=dead,
            )  # fmt: skip
        yield from _number_mutants(
            element, transition, ("times", "within", "after", "idle"),
            name=name, where=where, equivalent=dead,
        )  # fmt: skip
        yield from _condition_mutants(
            element, transition.condition_tree, key="'if'", owner=name, where=where,
            whole="drop-condition", equivalent=dead,
        )  # fmt: skip
    for index, (first, second) in enumerate(itertools.pairwise(transitions)):
        names = f"'{transition_name(first)}' and '{transition_name(second)}'"
        yield Mutant(
            "swap-transitions", f"swapped transitions {names}", first.location,
            ModelElement(field, index, stage),
            equivalent=dead or _swap_equivalence(model, first, second),
        )  # fmt: skip


def _action_mutants(
    stage: str | None,
    actions: tuple[Action, ...],
    reasons: Mapping[str, str],
    dead: str | None,
) -> Iterator[Mutant]:
    """Move `cooldown` and `max`, drop the `if` and change its parts, for each action.

    `reasons` says why an action is never offered, by id; `dead`, why none of them is.
    """
    for index, action in enumerate(actions):
        element = ModelElement("actions", index, stage)
        name = f"action '{action.id}'"
        equivalent = dead or reasons.get(action.id)
        yield from _number_mutants(
            element, action, ("cooldown", "max"),
            name=name, where=action.location, equivalent=equivalent,
        )  # fmt: skip
        yield from _condition_mutants(
            element, action.condition_tree, key="'if'", owner=name, where=action.location,
            whole="drop-if", equivalent=equivalent,
        )  # fmt: skip


def _retargets(model: JourneyModel, transition: Transition) -> list[str]:
    """The other stages, or `MAX_RETARGETS` of them evenly spread in file order."""
    others = [name for name in model.stages if name != transition.target]
    if len(others) > MAX_RETARGETS:
        others = [others[i * len(others) // MAX_RETARGETS] for i in range(MAX_RETARGETS)]
    return others


def _swap_equivalence(model: JourneyModel, first: Transition, second: Transition) -> str | None:
    """Why trying two transitions the other way round changes nothing, when it is plain."""
    if first.target == second.target:
        return f"both go to '{first.target}'"
    if _may_tie(first, second) or _may_tie(second, first):
        return None
    if not _triggers(model, first) & _triggers(model, second):
        return "no event or moment triggers both"
    return None


def _triggers(model: JourneyModel, transition: Transition) -> set[str | timedelta]:
    """What can trigger it: the event types of its touchpoints, or its timeout's length.

    Of two timeouts of one kind in one stage, the shorter fires; only equal ones go by
    their order.
    """
    wait = transition.wait
    if wait is not None:
        return {wait}
    return {model.touchpoints[name].event for name in transition.touchpoints}


def _may_tie(after: Transition, idle: Transition) -> bool:
    """Whether an `after` and an `idle` can come due at one moment, when order decides.

    The `idle` counts from the last activity, so it can meet any `after` at least as long.
    """
    return after.after is not None and idle.idle is not None and idle.idle <= after.after


def _number_mutants(
    element: ModelElement,
    owner: Any,
    attributes: tuple[str, ...],
    *,
    name: str,
    where: Location | None,
    equivalent: str | None,
) -> Iterator[Mutant]:
    """Each of the owner's numbers and durations, one up and one down, kept above zero.

    `name` names the owner in descriptions; `where` is where it is written.
    """
    for attribute in attributes:
        value = getattr(owner, attribute)
        if value is None:
            continue
        reason = equivalent
        if attribute == "within" and getattr(owner, "times", None) == 1:
            reason = reason or "with 'times: 1' the window always holds"
        for moved in _moves(value, positive=True):
            yield Mutant(
                "move-number",
                f"moved '{attribute}' of {name} from {flow_text(value)} to {flow_text(moved)}",
                where, element, attribute=attribute, value=moved, equivalent=reason,
            )  # fmt: skip


def _condition_mutants(
    element: ModelElement,
    tree: ConditionTree | None,
    *,
    key: str,
    owner: str,
    where: Location | None,
    whole: str,
    equivalent: str | None,
) -> Iterator[Mutant]:
    """Drop the condition whole (`whole` says as which kind), then change it part by part.

    `key` (`'if'`, `'where'`, `consent`) and `owner` name the condition in descriptions;
    `where` is the owner's place, for parts written without one.
    """
    if tree is None:
        return
    inside = f"in the {key} of {owner}"
    yield Mutant(
        whole, f"dropped the {key} {tree.text} of {owner}", tree.location or where, element,
        node=(), equivalent=equivalent,
    )  # fmt: skip
    for node, part in _nodes(tree, ()):
        place = part.location or where
        edits: list[tuple[str, str, Any]] = []
        if isinstance(part, PathTest) and part.op.negation(part.operand) is not None:
            edits.append(("flip-comparison", "flipped", None))
        else:
            edits.append(("negate-condition", "negated", None))
        if isinstance(part, PathTest):
            edits += [("move-number", "moved", moved) for moved in _operand_moves(part)]
        for operator, verb, value in edits:
            text = changed_part(part, operator, value).text
            yield Mutant(
                operator, f"{verb} {part.text} to {text} {inside}", place, element,
                value=value, node=node, equivalent=equivalent,
            )  # fmt: skip
        if isinstance(part, (AllOf, AnyOf)) and len(part.parts) > 1:
            for index, dropped in enumerate(part.parts):
                yield Mutant(
                    "drop-condition", f"dropped {dropped.text} from {part.text} {inside}",
                    dropped.location or place, element, node=(*node, index),
                    equivalent=equivalent,
                )  # fmt: skip


def _nodes(tree: ConditionTree, node: tuple[int, ...]) -> Iterator[tuple[tuple[int, ...], Any]]:
    """Every part of `tree` with its child indices, parents before their parts."""
    yield node, tree
    if isinstance(tree, Not):
        yield from _nodes(tree.part, (*node, 0))
    elif not isinstance(tree, PathTest):
        for index, part in enumerate(tree.parts):
            yield from _nodes(part, (*node, index))


def _operand_moves(test: PathTest) -> list[Any]:
    """A comparison's number or duration one up and one down; each end of a `between`."""
    if test.op.shape not in _NUMBERED_SHAPES:
        return []
    if test.op.shape is Shape.VALUE:
        return _moves(test.operand, positive=False)
    low, high = test.operand
    moved = [(value, high) for value in _moves(low, positive=False) if value <= high]
    return moved + [(low, value) for value in _moves(high, positive=False) if value >= low]


def _moves(value: Any, *, positive: bool) -> list[Any]:
    """A number one up and one down; a duration by one of its largest exact unit.

    With `positive` (counts and durations of the journey's keys) what is left is above
    zero; durations in conditions stay zero or more. No duration grows past the longest a
    journey may name.
    """
    if isinstance(value, bool) or not isinstance(value, (int, float, timedelta)):
        return []
    if not isinstance(value, timedelta):
        return [moved for moved in (value - 1, value + 1) if moved > 0 or not positive]
    step = _unit(value)
    durations = [
        duration
        for duration in (value - step, value + step)
        if (duration > _ZERO if positive else duration >= _ZERO) and duration <= LONGEST
    ]
    if isinstance(value, WrittenDuration):
        return [WrittenDuration(duration, format_duration(duration)) for duration in durations]
    return durations


def _unit(value: timedelta) -> timedelta:
    """The largest of a day, an hour, a minute and a second that divides `value`."""
    seconds = int(value.total_seconds())
    for size in (86400, 3600, 60):
        if seconds and seconds % size == 0:
            return timedelta(seconds=size)
    return timedelta(seconds=1)


# Telling which elements no scenario can see.


class _Life:
    """Why the elements that never act never do, by name.

    Attributes:
        unreachable: stage -> why nothing in it acts: no customer can enter it.
        terminal: stage -> why its transitions, friction rules and actions never act.
        actions: journey-level action -> why it is never offered.
        channels: channel -> why its consent is never read.
        touchpoints: touchpoint -> why its `where` is never read.
    """

    def __init__(self, model: JourneyModel) -> None:
        reached = _reached(model)
        self.unreachable = {
            name: f"no customer can enter stage '{name}'"
            for name in model.stages
            if name not in reached
        }
        self.terminal = {
            name: f"stage '{name}' is terminal"
            for name in reached
            if model.stages[name].is_terminal
        }
        live = [model.stages[name] for name in reached if name not in self.terminal]
        live_names = {stage.name for stage in live}
        self.actions = {
            action.id: f"action '{action.id}' applies in no stage a customer can be in"
            for action in model.actions
            if not live_names.intersection(action.stages)
        }
        actions = [a for a in model.actions if a.id not in self.actions]
        actions += [action for stage in live for action in stage.actions]
        channels = {action.channel for action in actions}
        self.channels = {
            channel: f"no action a customer can be offered is on channel '{channel}'"
            for channel in model.consent_tree
            if channel not in channels
        }
        rules: list[Transition | FrictionRule] = [*model.anywhere]
        for stage in live:
            rules += [*stage.transitions, *stage.friction]
        trees = [rule.condition_tree for rule in (*rules, *actions)]
        trees += [tree for channel, tree in model.consent_tree.items() if channel in channels]
        used = _used_touchpoints(model, rules, trees)
        self.touchpoints = {
            name: f"touchpoint '{name}' triggers nothing and no condition counts it"
            for name in model.touchpoints
            if name not in used
        }


def _reached(model: JourneyModel) -> list[str]:
    """The stages a customer can be in: entry stages, and where transitions lead from them."""
    reached: dict[str, None] = {}
    queue = [stage.name for stage in model.stages.values() if stage.entry]
    while queue:
        name = queue.pop()
        if name in reached:
            continue
        reached[name] = None
        queue += [t.target for t in model.applying(model.stages[name])]
    return list(reached)


def _used_touchpoints(
    model: JourneyModel,
    rules: list[Transition | FrictionRule],
    trees: list[ConditionTree | None],
) -> set[str]:
    """The touchpoints that entries and `rules` react to, or `count.` paths of `trees` read."""
    used = {name for stage in model.stages.values() for name in stage.entry}
    used.update(name for rule in rules for name in rule.touchpoints)
    for tree in trees:
        for test in () if tree is None else path_tests(tree):
            root, _, name = test.path.partition(".")
            if root in _COUNTED_ROOTS:
                used.add(name)
    return used

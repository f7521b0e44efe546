"""Lint that proves: conditions that never hold or always hold, and what they rule out.

The proofs (`_proofs`) decide each condition alone, and each part of one: a part that
never holds is dead (`condition-never-holds`), one that always holds, even on a missing
value, tests nothing (`condition-always-holds`). Only the outermost such part is reported.

A transition fires on an event of one of its touchpoints, and on that event more is known
than its `if` says: the event meets the touchpoint's `where`; the touchpoint's `count.`
and `stage_count.` are at least 1 (the event itself counts), or at least N with
`times: N`; the stage has been visited; and in a stage no customer stalls in, `stalled`
is false. A transition whose `if` rules out every event that triggers it never fires
(`impossible-transition`), and the flow leaves it out. An action is judged in each stage
customers reach where it applies, with its channel's consent; `_lint` reports one that
can never be offered as `action-never-eligible`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence

import attrs

from customer_journey.checks._flow import never_stalled
from customer_journey.checks._proofs import (
    always_holds,
    disjuncts,
    domain_of,
    in_event,
    irreducible,
    never_holds,
    restricted_paths,
)
from customer_journey.checks._rules import problem
from customer_journey.errors import Location, Problem
from customer_journey.model import (
    Action,
    AllOf,
    AnyOf,
    ConditionTree,
    JourneyModel,
    Not,
    PathTest,
    Stage,
    Transition,
    conjuncts,
)

__all__ = ["Proven", "prove", "why_never_offered"]

#: How a condition is read for a proof: as it is (`if`), or with its paths under `event.`.
View = Callable[[ConditionTree], ConditionTree]


@attrs.frozen
class Proven:
    """What the proofs found.

    Attributes:
        problems: the findings about conditions and transitions.
        blocked: the `id`s of the transitions whose conditions never let them fire.
        silent: the touchpoints that never match, their `where` never holding.
    """

    problems: tuple[Problem, ...]
    blocked: frozenset[int]
    silent: frozenset[str]


@attrs.frozen
class _Fact:
    """Something known where a condition is judged, and how to say it."""

    tree: ConditionTree
    text: str


#: What holds in a stage no customer stalls in.
_NOT_STALLED = PathTest("stalled", "eq", operand=False)


def prove(model: JourneyModel) -> Proven:
    """Judge every condition, then every transition on touchpoints."""
    found = [
        problem
        for subject, tree, view, owner in _conditions(model)
        for problem in _judged(subject, tree, view, owner)
    ]
    silent = frozenset(
        name
        for name, touchpoint in model.touchpoints.items()
        if touchpoint.where_tree is not None and never_holds([in_event(touchpoint.where_tree)])
    )
    blocked: set[int] = set()
    for transition in _transitions(model):
        why = _why_never_fires(model, transition, silent)
        if why is not None:
            blocked.add(id(transition))
            found.append(
                problem(
                    "impossible-transition",
                    transition.location,
                    f"{_transition(transition)} can never fire: {why}",
                    "change its 'if' or its trigger ('when', 'times'), or remove it",
                )
            )
    return Proven(tuple(found), frozenset(blocked), silent)


def _transitions(model: JourneyModel) -> Iterator[Transition]:
    for stage in model.stages.values():
        yield from (t for t in stage.transitions if not t.is_timeout)
    yield from (t for t in model.anywhere if not t.is_timeout)


def _transition(transition: Transition) -> str:
    if transition.source is None:
        return f"the 'anywhere' transition to '{transition.target}'"
    return f"the transition to '{transition.target}' of stage '{transition.source}'"


def _and(texts: Sequence[str]) -> str:
    """`a`, `a and b`, `a, b and c`."""
    return texts[0] if len(texts) == 1 else f"{', '.join(texts[:-1])} and {texts[-1]}"


# Conditions -----------------------------------------------------------------------------------


def _same(tree: ConditionTree) -> ConditionTree:
    return tree


def _conditions(
    model: JourneyModel,
) -> Iterator[tuple[str, ConditionTree, View, Location | None]]:
    """(what it is, the condition, how to read it, where its owner is) for each condition."""
    for touchpoint in model.touchpoints.values():
        if touchpoint.where_tree is not None:
            subject = f"the 'where' of touchpoint '{touchpoint.name}'"
            yield subject, touchpoint.where_tree, in_event, touchpoint.location
    for channel, tree in model.consent_tree.items():
        yield f"the consent condition of channel '{channel}'", tree, _same, tree.location
    owners: list[tuple[str, ConditionTree | None, Location | None]] = []
    for stage in model.stages.values():
        owners += [(_transition(t), t.condition_tree, t.location) for t in stage.transitions]
        owners += [
            (f"friction rule '{f.label}' of stage '{stage.name}'", f.condition_tree, f.location)
            for f in stage.friction
        ]
        owners += [(f"action '{a.id}'", a.condition_tree, a.location) for a in stage.actions]
    owners += [(f"action '{a.id}'", a.condition_tree, a.location) for a in model.actions]
    owners += [(_transition(t), t.condition_tree, t.location) for t in model.anywhere]
    for owner, condition, location in owners:
        if condition is not None:
            yield f"the 'if' of {owner}", condition, _same, location


def _judged(
    subject: str, tree: ConditionTree, view: View, owner: Location | None, *, whole: bool = True
) -> Iterator[Problem]:
    """The outermost parts of `tree` (itself first) that never hold or always hold."""
    what = subject if whole else f"this part of {subject}"
    location = tree.location or owner
    seen = view(tree)
    if never_holds([seen]):
        yield problem("condition-never-holds", location, *_never(what, tree, view))
    elif always_holds(seen):
        yield problem(
            "condition-always-holds",
            location,
            f"{what} always holds: {_always(tree, view)}",
            "remove it, or write the test that was meant",
        )
    else:
        parts: Sequence[ConditionTree] = ()
        if isinstance(tree, (AllOf, AnyOf)):
            parts = tree.parts
        elif isinstance(tree, Not):
            parts = (tree.part,)
        for part in parts:
            yield from _judged(subject, part, view, owner, whole=False)


def _never(what: str, tree: ConditionTree, view: View) -> tuple[str, str]:
    """The message and hint for a condition that never holds: the parts at fault."""
    parts = list(conjuncts(tree))
    seen = [view(part) for part in parts]
    core = irreducible(seen)
    texts = [parts[index].text for index in core]
    if len(texts) == 1:
        why, hint = f"{texts[0]} never holds", "change it, or remove it"
    else:
        why, hint = f"{_and(texts)} never hold together", "change or remove one of them"
    note = _note([seen[index] for index in core])
    return f"{what} can never hold: {why}{f' ({note})' if note else ''}", hint


def _always(tree: ConditionTree, view: View) -> str:
    """Why a condition always holds: the options of which one always does."""
    options = disjuncts(tree)
    negated: list[ConditionTree] = [Not(view(option)) for option in options]
    core = irreducible(negated)
    texts = [options[index].text for index in core]
    why = f"{texts[0]} holds" if len(texts) == 1 else f"one of {_and(texts)} holds"
    note = _note([negated[index] for index in core])
    return f"{why} whatever the values, " + (f"as {note}" if note else "missing ones included")


def _note(trees: Sequence[ConditionTree]) -> str:
    """What the paths that a proof needed to narrow can hold, if it needed any."""
    return "; ".join(f"'{path}' is {domain_of(path).value}" for path in restricted_paths(trees))


# Transitions ----------------------------------------------------------------------------------


def _trigger_facts(model: JourneyModel, transition: Transition, name: str) -> list[_Fact]:
    """What holds on an event of touchpoint `name` when `transition` is tried on it."""
    touchpoint = model.touchpoints[name]
    facts = []
    if touchpoint.where_tree is not None:
        where = in_event(touchpoint.where_tree)
        facts.append(_Fact(where, f"the event meets {touchpoint.where_text}"))
    least = transition.times if transition.times and len(transition.touchpoints) == 1 else 1
    facts += [
        _Fact(PathTest(count, "gte", least), f"'{count}' is at least {least}")
        for count in (f"count.{name}", f"stage_count.{name}")
    ]
    if transition.source is not None:
        facts += _stage_facts(model, model.stages[transition.source])
    return facts


def _stage_facts(model: JourneyModel, stage: Stage) -> list[_Fact]:
    """What holds while a customer is in `stage`."""
    visited = f"visited.{stage.name}"
    facts = [_Fact(PathTest(visited, "gte", 1), f"'{visited}' is at least 1")]
    reason = never_stalled(model, stage)
    if reason is not None:
        facts.append(_Fact(_NOT_STALLED, f"'stalled' is false ({reason})"))
    return facts


def _why_never_fires(
    model: JourneyModel, transition: Transition, silent: frozenset[str]
) -> str | None:
    """Why no event of its touchpoints can fire `transition`, or None when one can."""
    own = [] if transition.condition_tree is None else [transition.condition_tree]
    options = [(name, _trigger_facts(model, transition, name)) for name in transition.touchpoints]
    if not all(never_holds([*own, *(fact.tree for fact in facts)]) for _, facts in options):
        return None
    if own and never_holds(own):
        return "its 'if' can never hold"
    if all(name in silent for name in transition.touchpoints):
        names = transition.touchpoints
        if len(names) == 1:
            return f"touchpoint '{names[0]}' never matches, as its 'where' can never hold"
        listed = ", ".join(f"'{name}'" for name in names)
        return f"touchpoints {listed} never match, as their 'where' can never hold"
    clauses = [
        f"'{name}' never matches" if name in silent else f"on '{name}', {_said(own, facts)}"
        for name, facts in options
    ]
    return f"its 'if' rules out every event that triggers it ({'; '.join(clauses)})"


def _needed(own: list[ConditionTree], facts: list[_Fact]) -> list[_Fact]:
    """The facts that, with `own`, never hold together: the ones a message must name."""
    core = irreducible([*own, *(fact.tree for fact in facts)], keep=len(own))
    return [facts[index - len(own)] for index in core if index >= len(own)]


def _said(own: list[ConditionTree], facts: list[_Fact]) -> str:
    return _and([fact.text for fact in _needed(own, facts)])


# Actions --------------------------------------------------------------------------------------


def why_never_offered(
    model: JourneyModel, action: Action, stages: Sequence[Stage]
) -> tuple[str, str] | None:
    """Why `action`'s `if` and its channel's consent never let it be offered, and the fix.

    Args:
        model: the journey.
        action: the action.
        stages: its stages that customers reach and can leave, where it is judged.

    Returns:
        The reason and the fix, or None when it can be offered.
    """
    consent = model.consent_tree.get(action.channel)
    own = [tree for tree in (action.condition_tree, consent) if tree is not None]
    contexts = [(stage, _stage_facts(model, stage)) for stage in stages]
    if (
        not own
        or not stages
        or not all(never_holds([*own, *(fact.tree for fact in facts)]) for _, facts in contexts)
    ):
        return None
    consent_text = f"the consent condition of channel '{action.channel}'"
    if action.condition_tree is not None and never_holds([action.condition_tree]):
        return "its 'if' can never hold", "change its 'if', or remove the action"
    if consent is not None and never_holds([consent]):
        return (
            f"{consent_text} can never hold",
            "change the consent condition, or offer the action on another channel",
        )
    if len(own) == 2 and never_holds(own):
        return (
            f"its 'if' and {consent_text} never hold together",
            "change its 'if' or the consent condition",
        )
    reasons = [never_stalled(model, stage) for stage in stages]
    if (
        action.condition_tree is not None
        and all(reasons)
        and never_holds([action.condition_tree, _NOT_STALLED])
    ):
        return (
            "its 'if' needs a stalled customer, and " + "; ".join(filter(None, reasons)),
            "give the stage an 'expected_duration' shorter than its timeouts, or change the 'if'",
        )
    needed = [(stage, _needed(own, facts)) for stage, facts in contexts]
    subject = "its 'if'" if action.condition_tree is not None else consent_text
    where = "; ".join(
        f"in '{stage.name}', {_and([fact.text for fact in facts])}" for stage, facts in needed
    )
    return (
        f"{subject} rules out every stage it applies in ({where})",
        "change the condition, or offer the action in other stages",
    )

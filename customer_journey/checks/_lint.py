"""Lint: what a journey that loads fine says that is suspicious or can never happen.

The loader has already reported every mistake that stops a journey from loading; these
rules read the compiled model and find stages no customer reaches, stages with no way out,
transitions that never fire, goals never reached, actions never offered, touchpoints
never used, timeouts that make a stage's expected duration meaningless, inactivity
timeouts that an `after` always beats, and (proven by `_contradictions`) conditions that
never hold or always hold. Each problem is placed at the node at fault (a stage's name, a
transition, an action, a goal, a touchpoint's name, a condition). The rules are documented
one by one in docs/reference/lint.md.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import timedelta

from customer_journey._durations import format_duration
from customer_journey.checks._contradictions import prove, why_never_offered
from customer_journey.checks._flow import (
    Flow,
    Shadowing,
    analyse,
    early_timeout,
    entry_taken_by,
    idle_can_fire,
)
from customer_journey.checks._rules import RULES, problem
from customer_journey.errors import Location, Problem
from customer_journey.model import Action, JourneyModel, Transition, path_tests

__all__ = ["RULES", "lint"]


def lint(model: JourneyModel) -> tuple[Problem, ...]:
    """Every lint finding of a loaded journey, in file order.

    Args:
        model: the compiled journey (`Journey.model`).

    Returns:
        The problems, sorted by line and column; those without a place come last.
    """
    proven = prove(model)
    flow = analyse(model, blocked=proven.blocked, silent=proven.silent)
    found = [
        *_unreachable_stages(model, flow, proven.silent),
        *_dead_ends(model, flow),
        *(_shadowed(found) for found in flow.shadowed),
        *_unreachable_goals(model, flow),
        *_ineligible_actions(model, flow),
        *_unused_touchpoints(model, flow),
        *_early_timeouts(model),
        *proven.problems,
    ]
    return tuple(sorted(found, key=_place))


def _place(found: Problem) -> tuple[int, int, int]:
    location = found.location
    if location is None:
        return (1, 0, 0)
    return (0, location.line, location.column)


def _names(names: Iterable[str]) -> str:
    return ", ".join(f"'{name}'" for name in names)


def _stages(names: Iterable[str]) -> str:
    """`stage 'a'` or `stages 'a', 'b'`."""
    names = list(names)
    return f"stage{'s' if len(names) > 1 else ''} {_names(names)}"


def _at_line(location: Location | None) -> str:
    return f" at line {location.line}" if location else ""


# Stages and goals ----------------------------------------------------------------------------


def _unreachable_stages(
    model: JourneyModel, flow: Flow, silent: frozenset[str]
) -> Iterator[Problem]:
    """`unreachable-stage`: a stage no customer can be in, and why."""
    for stage in model.stages.values():
        if stage.name in flow.reachable:
            continue
        written = {t.source for t in _transitions(model) if t.target == stage.name != t.source}
        live = sorted(
            (
                name
                for name, exits in flow.exits.items()
                if stage.name in exits and name != stage.name
            ),
            key=lambda name: model.stages[name].index,
        )
        taken_by = entry_taken_by(model, stage, silent)
        hint = (
            f"add 'entry' to it or a transition 'to: {stage.name}' from a stage customers "
            "reach, or remove it"
        )
        if stage.entry and set(stage.entry) <= silent:
            why = "its 'entry' touchpoints never match, as their 'where' can never hold"
        elif taken_by:
            why = f"its 'entry' touchpoints place customers in {_stages(taken_by)} first"
            hint = "give it an entry touchpoint that no earlier stage's entry matches"
        elif live:
            why = f"only stages no customer reaches lead to it ({_names(live)})"
        elif written:
            why = "the transitions that lead to it can never fire"
        else:
            why = "it has no 'entry' and no transition leads to it"
        yield problem(
            "unreachable-stage",
            stage.location,
            f"no customer can reach stage '{stage.name}': {why}",
            hint,
        )


def _transitions(model: JourneyModel) -> Iterator[Transition]:
    for stage in model.stages.values():
        yield from stage.transitions
    yield from model.anywhere


def _dead_ends(model: JourneyModel, flow: Flow) -> Iterator[Problem]:
    """`dead-end`: a stage customers reach and never leave, though it is not terminal."""
    for stage in model.stages.values():
        if stage.is_terminal or flow.exits[stage.name] - {stage.name}:
            continue
        yield problem(
            "dead-end",
            stage.location,
            f"customers who reach stage '{stage.name}' stay there for good: no transition "
            "leads out of it, and it is not terminal",
            "add a transition (or a timeout, 'after') to another stage, or mark it "
            "'terminal: true' if the journey ends there",
        )


def _shadowed(found: Shadowing) -> Problem:
    """`shadowed-transition`: a transition an earlier one always takes the place of.

    An `idle` timeout that an `after` always beats is `idle-after-timeout` instead.
    """
    transition, by = found.transition, found.by
    where = f"of stage '{found.stage}'" if found.stage else "in 'anywhere'"
    earlier = "the 'anywhere' " if by.source is None and found.stage else "the "
    if transition.idle is not None and by.after is not None:
        return problem(
            "idle-after-timeout",
            transition.location,
            f"the inactivity timeout to '{transition.target}' {where} can never fire: "
            f"{earlier}timeout to '{by.target}'{_at_line(by.location)} ({_wait(by)}) always "
            "comes first, as an inactivity timeout counts from entry at the earliest and "
            f"this one ({_wait(transition)}) is not shorter",
            "make the 'idle' shorter than the 'after', or remove one of the two",
        )
    if by.is_timeout:  # a timeout is shadowed only by a timeout due first
        message = (
            f"the timeout to '{transition.target}' {where} can never fire: {earlier}timeout "
            f"to '{by.target}'{_at_line(by.location)} comes due first ({_wait(by)})"
        )
        hint = "remove one of the two timeouts: a stage leaves on the first one due"
    else:
        message = (
            f"the transition to '{transition.target}' {where} can never fire: {earlier}"
            f"transition to '{by.target}'{_at_line(by.location)} is tried first and matches "
            "every event it would"
        )
        hint = "move it above that transition, or narrow that one with 'if' or 'times'"
    return problem("shadowed-transition", transition.location, message, hint)


def _wait(timeout: Transition) -> str:
    """`after 30d` or `idle 14d`, as written."""
    if timeout.after is not None:
        return f"after {format_duration(timeout.after)}"
    return f"idle {format_duration(timeout.idle or timedelta())}"


def _unreachable_goals(model: JourneyModel, flow: Flow) -> Iterator[Problem]:
    """`unreachable-goal`: a goal whose stage no customer can reach."""
    for goal in model.goals.values():
        if goal.stage not in flow.reachable:
            yield problem(
                "unreachable-goal",
                goal.location,
                f"goal '{goal.name}' can never be reached: no customer can reach stage "
                f"'{goal.stage}'",
                f"make stage '{goal.stage}' reachable, or have the goal reach another stage",
            )


# Actions ------------------------------------------------------------------------------------


def _actions(model: JourneyModel) -> list[Action]:
    found = [action for stage in model.stages.values() for action in stage.actions]
    return sorted([*found, *model.actions], key=lambda action: action.order)


def _why_never_offered(model: JourneyModel, flow: Flow, action: Action) -> tuple[str, str] | None:
    """Why `action` is never offered, and the fix; None when it can be."""
    stages = [model.stages[name] for name in action.stages if name in model.stages]
    if not stages:
        return "its 'stages' list is empty", "list the stages where it applies, or remove it"
    terminal = [stage.name for stage in stages if stage.is_terminal]
    unreachable = [s.name for s in stages if s.name not in flow.reachable and not s.is_terminal]
    if len(terminal) == len(stages):
        return (
            f"{_stages(terminal)} {'is' if len(terminal) == 1 else 'are'} terminal, and "
            "customers in a terminal stage get no actions",
            "offer it in a stage that customers can leave, or remove it",
        )
    if len(unreachable) == len(stages):
        return (
            f"no customer can reach {_stages(unreachable)}",
            "make the stage reachable, or offer the action in another stage",
        )
    if len(terminal) + len(unreachable) == len(stages):
        return (
            f"its stages are terminal ({_names(terminal)}) or unreachable ({_names(unreachable)})",
            "offer it in a stage that customers reach and can leave, or remove it",
        )
    live = [s for s in stages if s.name in flow.reachable and not s.is_terminal]
    return why_never_offered(model, action, live)


def _ineligible_actions(model: JourneyModel, flow: Flow) -> Iterator[Problem]:
    """`action-never-eligible`: an action never offered, where it applies or as it says."""
    for action in _actions(model):
        found = _why_never_offered(model, flow, action)
        if found is not None:
            why, hint = found
            yield problem(
                "action-never-eligible",
                action.location,
                f"action '{action.id}' can never be offered: {why}",
                hint,
            )


# Touchpoints and timeouts ------------------------------------------------------------------


def _counted(model: JourneyModel) -> set[str]:
    """The touchpoints some condition counts, with `count.<name>` or `stage_count.<name>`."""
    counted: set[str] = set()
    for tree in model.if_conditions():
        for test in path_tests(tree):
            root, _, name = test.path.partition(".")
            if root in ("count", "stage_count"):
                counted.add(name)
    return counted


def _unused_touchpoints(model: JourneyModel, flow: Flow) -> Iterator[Problem]:
    """`unused-touchpoint`: a touchpoint no entry, transition, friction rule or condition names.

    None is reported when an `idle` timeout can fire in a stage customers reach: an event
    of any touchpoint is then activity that puts the timeout off (section 10).
    """
    if any(idle_can_fire(model, model.stages[name]) for name in flow.reachable):
        return
    used: set[str] = set()
    for stage in model.stages.values():
        used.update(stage.entry)
        for rule in stage.friction:
            used.update(rule.touchpoints)
    for transition in _transitions(model):
        used.update(transition.touchpoints)
    used |= _counted(model)
    for touchpoint in model.touchpoints.values():
        if touchpoint.name in used:
            continue
        yield problem(
            "unused-touchpoint",
            touchpoint.location,
            f"touchpoint '{touchpoint.name}' is never used: no entry, transition, friction "
            "rule or condition names it",
            "use it in 'entry', a transition's 'when', a friction rule or a 'count.' "
            "condition, or remove it",
        )


def _early_timeouts(model: JourneyModel) -> Iterator[Problem]:
    """`timeout-before-expected-duration`: a stage whose first timeout leaves no time to stall."""
    for stage in model.stages.values():
        timeout = early_timeout(model, stage)
        if timeout is None or timeout.after is None or stage.expected_duration is None:
            continue
        after, expected = format_duration(timeout.after), format_duration(stage.expected_duration)
        yield problem(
            "timeout-before-expected-duration",
            timeout.location,
            f"stage '{stage.name}' times out after {after}, which is not longer than its "
            f"expected duration ({expected}): no customer can ever be stalled there",
            "make the timeout longer than 'expected_duration', or shorten 'expected_duration'",
        )

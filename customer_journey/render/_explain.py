"""A customer's replay in a marketer's words: timeline, position, friction and next actions.

A producer: it returns the text and never writes it, so the command line (or a notebook)
decides where it goes. Given the journey, its times are in the journey's timezone, with
their offset (a cooldown's end and when a send window next opens, too). Each record of
an action performed names the action, as the trace's own words do. The position lists
the customer's experiment arms.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from datetime import datetime, tzinfo

from customer_journey._durations import describe_duration
from customer_journey._facts import rule_text
from customer_journey._printable import printable
from customer_journey._timestamps import format_local, to_zone
from customer_journey.engine import (
    FrictionPoint,
    GoalStatus,
    Recommendation,
    ReplayResult,
    Suppression,
)
from customer_journey.model import JourneyModel

__all__ = ["explain_text"]

_INDENT = "  "

#: Spells an instant (or its absence) for people.
_When = Callable[[datetime | None], str]


def _spelled(moment: datetime | None, zone: tzinfo) -> str:
    return "-" if moment is None else format_local(moment, zone)


def _times(count: int) -> str:
    return "1 time" if count == 1 else f"{count} times"


def _timeline(result: ReplayResult, when: _When) -> Iterator[str]:
    yield "Timeline"
    if not result.trace:
        yield f"{_INDENT}(no events up to {when(result.as_of)})"
        return
    for step in result.trace:
        yield f"{_INDENT}{when(step.at)}  {step.describe()}"


def _goal(status: GoalStatus, when: _When) -> str:
    if status.status == "reached":
        return f"{status.goal}: reached at {when(status.reached_at)}"
    deadline = "" if status.deadline is None else f" (deadline {when(status.deadline)})"
    return f"{status.goal}: {status.status}{deadline}"


def _position(result: ReplayResult, when: _When) -> Iterator[str]:
    yield "Position"
    if result.stage is None:
        yield f"{_INDENT}not in the journey"
    else:
        phase = "" if result.phase is None else f" ({result.phase})"
        terminal = ", terminal" if result.is_terminal else ""
        in_stage = "-" if result.time_in_stage is None else describe_duration(result.time_in_stage)
        yield f"{_INDENT}stage: {result.stage}{phase}{terminal}"
        yield f"{_INDENT}entered at: {when(result.entered_at)}"
        yield f"{_INDENT}time in stage: {in_stage}"
        yield f"{_INDENT}stalled: {'yes' if result.is_stalled else 'no'}"
    yield f"{_INDENT}events: {result.events} ({result.duplicates} duplicates ignored)"
    if result.goals:
        yield f"{_INDENT}goals:"
        for status in result.goals.values():
            yield f"{_INDENT * 2}{_goal(status, when)}"
    if result.arms:
        yield f"{_INDENT}arms:"
        for experiment, arm in result.arms.items():
            yield f"{_INDENT * 2}{experiment}: {arm}"


def _friction_point(point: FrictionPoint, when: _When) -> Iterator[str]:
    yield f"{_INDENT}{point.kind}: {point.label}"
    facts = [
        f"in '{point.stage}'",
        f"severity {point.severity}",
        _times(point.count),
        f"first {when(point.first_at)}",
        f"last {when(point.last_at)}",
    ]
    if point.overdue is not None:
        facts.append(f"overdue by {describe_duration(point.overdue)}")
    yield f"{_INDENT * 2}{', '.join(facts)}"


def _friction(result: ReplayResult, when: _When) -> Iterator[str]:
    yield "Friction"
    if not result.friction:
        yield f"{_INDENT}none"
    for point in result.friction:
        yield from _friction_point(point, when)


def _priority(value: float) -> str:
    return f"{value:g}"


def _recommendation(rank: int, action: Recommendation, when: _When) -> Iterator[str]:
    priority = _priority(action.priority)
    yield f"{_INDENT}{rank}. {action.action} on {action.channel} (priority {priority})"
    for check in action.checks:
        yield f"{_INDENT * 2}- {rule_text(check, action.channel, holds=True, spell=when)}"


def _next_actions(result: ReplayResult, when: _When) -> Iterator[str]:
    yield "Next actions"
    if not result.next_actions:
        yield f"{_INDENT}none"
    for rank, action in enumerate(result.next_actions, start=1):
        yield from _recommendation(rank, action, when)


def _suppression(held: Suppression, when: _When) -> str:
    """The action, its channel and the first rule that holds it back, its times in the zone.

    A send window's says when it next opens (`available_at`).
    """
    detail = rule_text((held.reason, held.figures), held.channel, holds=False, spell=when)
    return f"{_INDENT}{held.action} on {held.channel}: {held.reason}: {detail}"


def _suppressed(result: ReplayResult, when: _When) -> Iterator[str]:
    yield "Suppressed"
    if not result.suppressed:
        yield f"{_INDENT}none"
    for held in result.suppressed:
        yield _suppression(held, when)


def explain_text(result: ReplayResult, journey: JourneyModel | None = None) -> str:
    """Explain one customer's replay: what each event did, where they are, what to do next.

    Args:
        result: the replay; the timeline needs one made with `trace=True`, and without it
            says it was not traced.
        journey: the journey replayed (`Journey.model`): times are then shown in its
            timezone with their offset (`2026-03-25T00:00:00+01:00`); without it, in
            UTC.

    Control characters in names and data are spelled out, so each line of the text is one
    line of output.
    """
    zone = to_zone("UTC" if journey is None else journey.timezone)
    when = functools.partial(_spelled, zone=zone)
    head = f"customer {result.customer}, as of {when(result.as_of)}"
    sections = [
        _position(result, when),
        _friction(result, when),
        _next_actions(result, when),
        _suppressed(result, when),
    ]
    if result.trace is None:
        timeline = ["Timeline", f"{_INDENT}(not traced: replay with trace=True to see it)"]
    else:
        timeline = list(_timeline(result, when))
    blocks = [[head], timeline, *(list(section) for section in sections)]
    return "\n\n".join("\n".join(map(printable, block)) for block in blocks) + "\n"

"""A customer's replay in a marketer's words: timeline, position, friction and next actions.

A producer: it returns the text and never writes it, so the command line (or a notebook)
decides where it goes.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

from customer_journey._durations import describe_duration
from customer_journey._printable import printable
from customer_journey._timestamps import format_timestamp
from customer_journey.engine import (
    FrictionPoint,
    GoalStatus,
    Recommendation,
    ReplayResult,
    Suppression,
)

__all__ = ["explain_text"]

_INDENT = "  "


def _when(moment: datetime | None) -> str:
    return "-" if moment is None else format_timestamp(moment)


def _times(count: int) -> str:
    return "1 time" if count == 1 else f"{count} times"


def _timeline(result: ReplayResult) -> Iterator[str]:
    yield "Timeline"
    if not result.trace:
        yield f"{_INDENT}(no events up to {_when(result.as_of)})"
        return
    for step in result.trace:
        yield f"{_INDENT}{_when(step.at)}  {step.describe()}"


def _goal(status: GoalStatus) -> str:
    if status.status == "reached":
        return f"{status.goal}: reached at {_when(status.reached_at)}"
    deadline = "" if status.deadline is None else f" (deadline {_when(status.deadline)})"
    return f"{status.goal}: {status.status}{deadline}"


def _position(result: ReplayResult) -> Iterator[str]:
    yield "Position"
    if result.stage is None:
        yield f"{_INDENT}not in the journey"
    else:
        phase = "" if result.phase is None else f" ({result.phase})"
        terminal = ", terminal" if result.is_terminal else ""
        in_stage = "-" if result.time_in_stage is None else describe_duration(result.time_in_stage)
        yield f"{_INDENT}stage: {result.stage}{phase}{terminal}"
        yield f"{_INDENT}entered at: {_when(result.entered_at)}"
        yield f"{_INDENT}time in stage: {in_stage}"
        yield f"{_INDENT}stalled: {'yes' if result.is_stalled else 'no'}"
    yield f"{_INDENT}events: {result.events} ({result.duplicates} duplicates ignored)"
    if result.goals:
        yield f"{_INDENT}goals:"
        for status in result.goals.values():
            yield f"{_INDENT * 2}{_goal(status)}"


def _friction_point(point: FrictionPoint) -> Iterator[str]:
    yield f"{_INDENT}{point.kind}: {point.label}"
    facts = [
        f"in '{point.stage}'",
        f"severity {point.severity}",
        _times(point.count),
        f"first {_when(point.first_at)}",
        f"last {_when(point.last_at)}",
    ]
    if point.overdue is not None:
        facts.append(f"overdue by {describe_duration(point.overdue)}")
    yield f"{_INDENT * 2}{', '.join(facts)}"


def _friction(result: ReplayResult) -> Iterator[str]:
    yield "Friction"
    if not result.friction:
        yield f"{_INDENT}none"
    for point in result.friction:
        yield from _friction_point(point)


def _priority(value: float) -> str:
    return f"{value:g}"


def _recommendation(rank: int, action: Recommendation) -> Iterator[str]:
    priority = _priority(action.priority)
    yield f"{_INDENT}{rank}. {action.action} on {action.channel} (priority {priority})"
    for reason in action.reasons:
        yield f"{_INDENT * 2}- {reason}"


def _next_actions(result: ReplayResult) -> Iterator[str]:
    yield "Next actions"
    if not result.next_actions:
        yield f"{_INDENT}none"
    for rank, action in enumerate(result.next_actions, start=1):
        yield from _recommendation(rank, action)


def _suppression(held: Suppression) -> str:
    return f"{_INDENT}{held.action} on {held.channel}: {held.reason}: {held.detail}"


def _suppressed(result: ReplayResult) -> Iterator[str]:
    yield "Suppressed"
    if not result.suppressed:
        yield f"{_INDENT}none"
    for held in result.suppressed:
        yield _suppression(held)


def explain_text(result: ReplayResult) -> str:
    """Explain one customer's replay: what each event did, where they are, what to do next.

    The timeline needs the result of a replay with `trace=True`; without it, the timeline
    says it was not traced. Control characters in names and data are spelled out, so each
    line of the text is one line of output.
    """
    head = f"customer {result.customer}, as of {_when(result.as_of)}"
    sections = [_position(result), _friction(result), _next_actions(result), _suppressed(result)]
    if result.trace is None:
        timeline = ["Timeline", f"{_INDENT}(not traced: replay with trace=True to see it)"]
    else:
        timeline = list(_timeline(result))
    blocks = [[head], timeline, *(list(section) for section in sections)]
    return "\n\n".join("\n".join(map(printable, block)) for block in blocks) + "\n"

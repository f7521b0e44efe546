"""A customer's replay as a compact HTML card, for notebooks (`ReplayResult._repr_html_`).

Self-contained: inline styles, no scripts, nothing fetched. Every piece of text is
escaped, since customer ids, stage names and labels come from users' files and data.
Given the journey, times are in its timezone, with their offset, as `explain` shows them.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from datetime import datetime, tzinfo
from html import escape

from customer_journey._durations import describe_duration
from customer_journey._timestamps import format_local, to_zone
from customer_journey.engine import FrictionPoint, GoalStatus, Recommendation, ReplayResult
from customer_journey.model import JourneyModel

__all__ = ["result_html"]

_CARD = (
    'style="border:1px solid #ccc;border-radius:8px;padding:8px 12px;'
    'display:inline-block;font-family:sans-serif;font-size:90%"'
)
_LABEL = (
    'style="text-align:left;vertical-align:top;padding:2px 12px 2px 0;color:#555;'
    'white-space:nowrap"'
)
_VALUE = 'style="text-align:left;vertical-align:top;padding:2px 0"'
_LIST = 'style="margin:0;padding-left:1.2em"'


def _listed(items: Iterable[str]) -> str:
    """Already-escaped items as a list, or a dash when there are none."""
    shown = "".join(f"<li>{item}</li>" for item in items)
    return f"<ul {_LIST}>{shown}</ul>" if shown else "-"


def _spelled(moment: datetime, zone: tzinfo) -> str:
    """An instant for people, escaped."""
    return escape(format_local(moment, zone))


def _goal(status: GoalStatus, when: Callable[[datetime], str]) -> str:
    name = escape(status.goal)
    if status.reached_at is not None:
        return f"{name}: reached at {when(status.reached_at)}"
    deadline = "" if status.deadline is None else f" (deadline {when(status.deadline)})"
    return f"{name}: {escape(status.status)}{deadline}"


def _friction(point: FrictionPoint) -> str:
    """The label says where and what; the kind and severity follow in small print."""
    times = f", {point.count} times" if point.count > 1 else ""
    details = f"{point.kind}, {point.severity}{times}"
    return f"{escape(point.label)} <small>({escape(details)})</small>"


def _action(recommendation: Recommendation) -> str:
    return (
        f"{escape(recommendation.action)} <small>on {escape(recommendation.channel)}, "
        f"priority {recommendation.priority:g}</small>"
    )


def _position(result: ReplayResult) -> str:
    if result.stage is None:
        return "not in the journey"
    marks = [
        mark
        for mark, shown in (("terminal", result.is_terminal), ("stalled", result.is_stalled))
        if shown
    ]
    flags = f" <small>({', '.join(marks)})</small>" if marks else ""
    return f"<b>{escape(result.stage)}</b>{flags}"


def result_html(result: ReplayResult, journey: JourneyModel | None = None) -> str:
    """The card: customer, stage, phase, time in stage, path, goals, friction, next actions.

    With the journey (`Journey.model`), times are in its timezone with their offset;
    without it (a notebook's display of a bare result), in UTC.
    """
    when = functools.partial(_spelled, zone=to_zone("UTC" if journey is None else journey.timezone))
    in_stage = None if result.time_in_stage is None else describe_duration(result.time_in_stage)
    rows = [
        ("customer", escape(result.customer)),
        ("as of", when(result.as_of)),
        ("stage", _position(result)),
        ("phase", escape(result.phase or "-")),
        ("time in stage", escape(in_stage or "-")),
        ("path", " &rarr; ".join(escape(stage) for stage in result.stages_entered) or "-"),
        ("goals", _listed(_goal(status, when) for status in result.goals.values())),
        ("friction", _listed(_friction(point) for point in result.friction)),
        ("next actions", _listed(_action(action) for action in result.next_actions)),
    ]
    body = "".join(
        f"<tr><th {_LABEL}>{label}</th><td {_VALUE}>{value}</td></tr>" for label, value in rows
    )
    return f"<div {_CARD}><table>{body}</table></div>"

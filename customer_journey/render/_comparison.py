"""Two versions of a journey over the same history, side by side, as plain-text tables.

A producer: it returns the text and never writes it.
"""

from __future__ import annotations

from datetime import tzinfo

from customer_journey._printable import printable
from customer_journey._timestamps import format_local, to_zone
from customer_journey.analytics import Comparison
from customer_journey.render._analysis import experiments_section, friction_name
from customer_journey.render._tables import INDENT, NONE, percent, section, signed, table

__all__ = ["comparison_text"]

_OUTSIDE = "(not in the journey)"


def _rate_shift(a: float | None, b: float | None) -> str:
    if a is None or b is None:
        return "-"
    return f"{(b - a) * 100:+.1f} pts" if a != b else "0"


def _compare_head(comparison: Comparison, timezone: tzinfo) -> list[str]:
    a, b = comparison.a, comparison.b
    return [
        f"journey a '{a.journey}' ({comparison.a_file}) against b '{b.journey}' "
        f"({comparison.b_file}), as of {format_local(comparison.as_of, timezone)}",
        f"customers: a {a.customers} in the journey, {a.outside} outside; "
        f"b {b.customers} in the journey, {b.outside} outside",
        f"customers in a different stage: {comparison.changed}",
    ]


def _stage_shifts(comparison: Comparison) -> list[str]:
    rows = [
        (
            _OUTSIDE if shift.stage is None else shift.stage,
            str(shift.a),
            str(shift.b),
            signed(shift.difference),
        )
        for shift in comparison.stages
    ]
    return section("Customers per stage now", table(("stage", "a", "b", "difference"), rows))


def _goal_shifts(comparison: Comparison) -> list[str]:
    if not comparison.goals:
        return section("Goals", [f"{INDENT}{NONE}"])
    header = ("goal", "a reached", "a rate", "b reached", "b rate", "difference")
    rows = [
        (
            shift.goal,
            str(shift.a_reached),
            percent(shift.a_rate),
            str(shift.b_reached),
            percent(shift.b_rate),
            _rate_shift(shift.a_rate, shift.b_rate),
        )
        for shift in comparison.goals
    ]
    return section("Goals", table(header, rows))


def _friction_shifts(comparison: Comparison, top: int) -> list[str]:
    changed = [shift for shift in comparison.friction if shift.a != shift.b][:top]
    if not changed:
        return section("Friction", [f"{INDENT}no change"])
    rows = [
        (
            friction_name(shift.kind, shift.stage, shift.label),
            str(shift.a),
            str(shift.b),
            signed(shift.b - shift.a),
        )
        for shift in changed
    ]
    header = ("friction", "a", "b", "difference")
    return section("Friction (customers), most changed first", table(header, rows, fit=0))


def _changes(comparison: Comparison, top: int) -> list[str]:
    if not comparison.changes:
        return section("Stage changes", [f"{INDENT}none: every customer is where they were"])

    def name(stage: str | None) -> str:
        return _OUTSIDE if stage is None else stage

    rows = [
        (
            name(change.a_stage),
            name(change.b_stage),
            str(change.customers),
            ", ".join(change.examples),
        )
        for change in comparison.changes[:top]
    ]
    header = ("a stage", "b stage", "customers", "for example")
    return section("Stage changes (most first)", table(header, rows, text=(0, 1, 3), fit=3))


def comparison_text(
    comparison: Comparison, *, top: int = 10, timezone: tzinfo | None = None
) -> str:
    """Two versions of a journey side by side: stages, goals, experiments, friction, who moved.

    Args:
        comparison: what `customer_journey.compare` returned.
        top: how many rows the friction and stage change tables show.
        timezone: the zone `as_of` is shown in; by default version a's
            (`comparison.timezone`).

    Control characters in names and data are spelled out: each line is one line of output.
    """
    sections = [
        _compare_head(comparison, timezone or to_zone(comparison.timezone)),
        _stage_shifts(comparison),
        _goal_shifts(comparison),
        *(
            experiments_section(
                analysis.experiments, f"Experiments under {name}: each arm's goals and lift"
            )
            for name, analysis in (("a", comparison.a), ("b", comparison.b))
            if analysis.experiments
        ),
        _friction_shifts(comparison, top),
        _changes(comparison, top),
    ]
    return "\n\n".join("\n".join(map(printable, section)) for section in sections) + "\n"

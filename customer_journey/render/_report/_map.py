"""The journey map grid: phases as columns, the journey-map rows from the file, and friction.

Rows: the stages of each phase, the touchpoints they use grouped by channel, the
customers' actions, motivations, questions and pain points written in the file, and the
friction measured in each phase (the top friction points of its stages, with the
customers they affect). A row empty in every column is left out. Stages outside the
lifecycle get a last column of their own; the `anywhere` transitions, which apply from
every stage, get a last row of their own, so they are shown once.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence

from customer_journey.analytics import Analysis, FrictionFigures
from customer_journey.model import JourneyModel, Stage
from customer_journey.render._analysis import friction_name
from customer_journey.render._diagram import OUTSIDE, _merged
from customer_journey.render._report._html import PALETTE, esc, number

__all__ = ["FRICTION_PER_PHASE", "OUTSIDE", "map_section"]

#: Friction points shown per phase in the map.
FRICTION_PER_PHASE = 3


def map_section(model: JourneyModel, analysis: Analysis) -> str:
    """The map as a table: one column per phase that has stages."""
    columns = _columns(model)
    if not columns:
        return '<p class="note">The journey has no stages.</p>'
    head = "".join(
        f'<th class="phase" scope="col" style="background:{_phase_colour(model, phase)}">'
        f"{esc(phase)}</th>"
        for phase, _ in columns
    )
    rows = [
        ("Stages", _stage_list),
        ("Touchpoints", lambda stages: _touchpoints(model, stages)),
        ("Customer actions", lambda stages: _items(s.customer_actions for s in stages)),
        ("Motivations", lambda stages: _items(s.motivations for s in stages)),
        ("Questions", lambda stages: _items(s.questions for s in stages)),
        ("Pain points", lambda stages: _items(s.pain_points for s in stages)),
        ("Measured friction", lambda stages: _friction(analysis, stages)),
    ]
    body = "".join(_row(title, cell, columns) for title, cell in rows) + _anywhere(
        model, len(columns)
    )
    return (
        '<table class="map"><thead><tr><th scope="col"></th>'
        f"{head}</tr></thead><tbody>{body}</tbody></table>"
    )


def _anywhere(model: JourneyModel, width: int) -> str:
    """The `anywhere` transitions, once, in a row across every column: none, no row.

    Each target with what moves customers there, then the touchpoints by channel.
    """
    if not model.anywhere:
        return ""
    moves = _list(
        f"{esc(label)} \N{RIGHTWARDS ARROW} <strong>{esc(target)}</strong>"
        for target, label in _merged(model.anywhere)
    )
    points = _by_channel(model, [name for move in model.anywhere for name in move.touchpoints])
    return (
        '<tr class="anywhere"><th scope="row">From any stage</th>'
        f'<td colspan="{width}">{moves}{points}</td></tr>'
    )


def _columns(model: JourneyModel) -> list[tuple[str, list[Stage]]]:
    by_phase: dict[str, list[Stage]] = {phase: [] for phase in model.phases}
    outside = []
    for stage in model.stages.values():
        if stage.phase is None:
            outside.append(stage)
        else:
            by_phase[stage.phase].append(stage)
    columns = [(phase, stages) for phase, stages in by_phase.items() if stages]
    if outside:
        columns.append((OUTSIDE, outside))
    return columns


def _phase_colour(model: JourneyModel, phase: str) -> str:
    if phase not in model.phases:
        return "#6e7781"
    return PALETTE[model.phases.index(phase) % len(PALETTE)]


def _row(
    title: str,
    cell: Callable[[Sequence[Stage]], str],
    columns: Sequence[tuple[str, Sequence[Stage]]],
) -> str:
    """One row of the map; no row when every cell of it is empty."""
    contents = [cell(stages) for _, stages in columns]
    if not any(contents):
        return ""
    kind = ' class="friction-cell"' if title == "Measured friction" else ""
    cells = "".join(f"<td{kind}>{content}</td>" for content in contents)
    return f'<tr><th scope="row">{esc(title)}</th>{cells}</tr>'


def _list(items: Iterable[str]) -> str:
    """Already escaped items as a list; an empty cell when there are none."""
    shown = list(items)
    if not shown:
        return ""
    return "<ul>" + "".join(f"<li>{item}</li>" for item in shown) + "</ul>"


def _stage_list(stages: Sequence[Stage]) -> str:
    return _list(
        f"<strong>{esc(stage.name)}</strong>"
        + (f'<br><span class="meta">{esc(stage.description)}</span>' if stage.description else "")
        for stage in stages
    )


def _items(groups: Iterable[Sequence[str]]) -> str:
    seen: dict[str, None] = {}
    for group in groups:
        for item in group:
            seen.setdefault(item)
    return _list(esc(item) for item in seen)


def _touchpoints(model: JourneyModel, stages: Sequence[Stage]) -> str:
    """The touchpoints that place customers in, move them on from, or flag friction in them."""
    used: dict[str, None] = {}
    for stage in stages:
        for name in stage.entry:
            used.setdefault(name)
        for transition in stage.transitions:
            for name in transition.touchpoints:
                used.setdefault(name)
        for rule in stage.friction:
            for name in rule.touchpoints:
                used.setdefault(name)
    return _by_channel(model, used)


def _by_channel(model: JourneyModel, names: Iterable[str]) -> str:
    """Touchpoint names grouped by channel, channels in the journey's order."""
    by_channel: dict[str, list[str]] = {}
    for name in dict.fromkeys(names):
        point = model.touchpoints.get(name)
        channel = point.channel if point is not None else "?"
        by_channel.setdefault(channel, []).append(name)
    ordered = sorted(
        by_channel.items(),
        key=lambda item: (
            model.channels.index(item[0]) if item[0] in model.channels else len(model.channels),
            item[0],
        ),
    )
    return _list(
        f'<span class="channel">{esc(channel)}</span>: {esc(", ".join(names))}'
        for channel, names in ordered
    )


def _friction(analysis: Analysis, stages: Sequence[Stage]) -> str:
    names = {stage.name for stage in stages}
    top: list[FrictionFigures] = [item for item in analysis.friction if item.stage in names]
    return _list(
        f"{esc(friction_name(item.kind, item.stage, item.label))}: "
        f'<span class="num">{number(item.customers)}</span> customers'
        for item in top[:FRICTION_PER_PHASE]
    )

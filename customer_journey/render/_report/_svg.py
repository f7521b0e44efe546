"""The report's charts, as inline SVG: a Sankey of moves, dwell histograms, the trend, lifts.

Hand-written SVG rather than an embedded charting library: the page must work offline and
print well, the charts are few and simple, and a library would add hundreds of kilobytes
of script to every report. Coordinates are rounded to one decimal so the output is
byte-for-byte the same for the same figures.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from customer_journey._timestamps import to_zone
from customer_journey.analytics import Analysis, Lift, Snapshot, StageFigures
from customer_journey.render._diagram import OUTSIDE
from customer_journey.render._report._html import colour, esc, number
from customer_journey.render._tables import duration

if TYPE_CHECKING:
    from customer_journey.analytics import DwellBucket

__all__ = ["histogram_svg", "interval_scale", "interval_svg", "sankey_svg", "trend_svg"]

_SANKEY_WIDTH = 1100
#: The height of the tallest column of nodes.
_SANKEY_HEIGHT = 360
_NODE_WIDTH = 14
_NODE_GAP = 18
_MIN_NODE = 3.0
#: Room right of the last column, for the labels of the stages outside the lifecycle.
_LABEL_ROOM = 130
#: A line of 11px text, and the width of one of its characters at most (digits, most letters).
_LINE = 13.0
_CHAR = 6.8
#: The depth between two lanes of arcs under the columns, and the widest arc stroke.
_LANE = 20.0
_ARC_MAX = 6.0
_BACK = "#e15759"

#: A placed node: x, top, height, column.
_Place = tuple[float, float, float, int]
#: A move: source stage, target stage, count.
_Move = tuple[str, str, int]


def _text_width(text: str) -> float:
    """A generous estimate of the width of 11px text, for placing labels apart."""
    return len(text) * _CHAR


def sankey_svg(analysis: Analysis) -> str:
    """Stages as nodes, one column per lifecycle stage in file order, then the others.

    Node heights are the stage's visits; bands are the moves forward between stages, as
    wide as their count, left to right. Moves back (regressions, re-entries, and returns
    from stages outside the lifecycle) are arcs under the columns, each labelled with its
    count, so that they stay inside the chart. Labels are placed so that none overlap:
    above the columns (upright when the columns are too narrow), phases on as many lines
    as they need.
    """
    stages = [figures for figures in analysis.stages if figures.visits]
    if not stages:
        return '<p class="note">Nobody entered a stage.</p>'
    order = {figures.stage: index for index, figures in enumerate(analysis.stages)}
    columns: list[list[str]] = [[f.stage] for f in stages if f.phase is not None]
    outside = [f.stage for f in stages if f.phase is None]
    if outside:
        columns.append(outside)
    visits = {f.stage: f.visits for f in stages}
    column_of = {stage: index for index, column in enumerate(columns) for stage in column}
    moves = [
        (source, target, count)
        for source, row in analysis.flows.moves.items()
        for target, count in row.items()
        if source in visits and target in visits
    ]
    step = (_SANKEY_WIDTH - _LABEL_ROOM - _NODE_WIDTH) / max(len(columns) - 1, 1)
    lifecycle = [column[0] for column in columns[: len(columns) - bool(outside)]]
    upright = any(
        _text_width(max(stage, number(visits[stage]), key=len)) > step - 6 for stage in lifecycle
    )
    scale = _SANKEY_HEIGHT / max(max(visits[s] for s in column) for column in columns)
    where: dict[str, _Place] = {}
    for place, column in enumerate(columns):
        top = 0.0
        for stage in column:
            height = max(visits[stage] * scale, _MIN_NODE)
            where[stage] = (place * step, top, height, place)
            top += max(height, 2 * _LINE) + _NODE_GAP
    bottom = max(top + height for _, top, height, _ in where.values())
    labels, head = _stage_labels(where, visits, outside, upright=upright)
    phases, head = _phase_labels(columns, stages, step, head)
    forward = [move for move in moves if column_of[move[1]] > column_of[move[0]]]
    back = [move for move in moves if column_of[move[1]] <= column_of[move[0]]]
    arcs, lowest = _arcs(back, where, scale, bottom + 10)
    nodes = "".join(
        f'<rect x="{x:.1f}" y="{top:.1f}" width="{_NODE_WIDTH}" height="{height:.1f}" '
        f'fill="{colour(order[stage])}"><title>{esc(stage)}: {visits[stage]:,} visits</title>'
        "</rect>"
        for stage, (x, top, height, _) in where.items()
    )
    caption = ""
    if back:
        lowest += _LINE + 4
        caption = (
            f'<text class="caption" x="0" y="{lowest:.1f}">Red arcs under the columns: moves '
            "back to an earlier column, or within one (into the same stage again, or between "
            "two stages outside the lifecycle), with their counts. Hover for the stages.</text>"
        )
    width = _SANKEY_WIDTH + 20
    return (
        f'<svg class="sankey" viewBox="-10 {-head:.1f} {width} {lowest + head + 8:.1f}" '
        f'width="{width}" role="img" aria-label="moves between stages">'
        f"{phases}{_bands(forward, where, scale, order)}{nodes}{arcs}{labels}{caption}</svg>"
    )


def _stage_labels(
    where: Mapping[str, _Place], visits: Mapping[str, int], outside: Sequence[str], *, upright: bool
) -> tuple[str, float]:
    """Each stage's name and visits: above its column, or right of it outside the lifecycle.

    Above a column the label is two lines, or one line turned upright when the columns are
    too narrow for it. Returns the labels and the room they need above the nodes.
    """
    parts = []
    head = 2 * _LINE + 4
    for stage, (x, top, _, _) in where.items():
        name, count = esc(stage), number(visits[stage])
        if stage in outside:
            left = x + _NODE_WIDTH + 4
            parts.append(
                f'<text x="{left:.1f}" y="{top + 11:.1f}">{name}</text><text x="{left:.1f}" '
                f'y="{top + 11 + _LINE:.1f}" class="muted">{count}</text>'
            )
        elif upright:
            middle = x + _NODE_WIDTH / 2 + 4
            head = max(head, _text_width(f"{stage} {count}") + 6)
            parts.append(
                f'<text x="{middle:.1f}" y="-4" transform="rotate(-90 {middle:.1f} -4)">{name} '
                f'<tspan class="muted">{count}</tspan></text>'
            )
        else:
            parts.append(
                f'<text x="{x:.1f}" y="{-4 - _LINE:.1f}">{name}</text>'
                f'<text x="{x:.1f}" y="-4" class="muted">{count}</text>'
            )
    return "".join(parts), head


def _phase_labels(
    columns: Sequence[Sequence[str]], stages: Sequence[StageFigures], step: float, head: float
) -> tuple[str, float]:
    """Each phase's name above its first column, on a new line where it would overlap.

    Returns the labels and the room above the nodes with them.
    """
    phase_of = {f.stage: f.phase or OUTSIDE for f in stages}
    ends: list[float] = []  # the right end of each line of phase names
    placed: list[tuple[float, int, str]] = []
    previous = ""
    for place, column in enumerate(columns):
        phase = phase_of[column[0]]
        if phase != previous:
            x = place * step
            line = next((i for i, end in enumerate(ends) if end < x), len(ends))
            if line == len(ends):
                ends.append(0.0)
            ends[line] = x + _text_width(phase) + 8
            placed.append((x, line, phase))
        previous = phase
    top = head + 8 + _LINE * (len(ends) - 1)
    labels = "".join(
        f'<text x="{x:.1f}" y="{-top + line * _LINE:.1f}" font-weight="600">{esc(phase)}</text>'
        for x, line, phase in placed
    )
    return labels, top + _LINE


def _bands(
    moves: Sequence[_Move], where: Mapping[str, _Place], scale: float, order: Mapping[str, int]
) -> str:
    """Each move forward as a ribbon from the source's right edge to the target's left.

    A ribbon is filled between two curves, so it never reaches past the two columns, however
    close they stand. Bands leave a node in the order of their targets and arrive in the
    order of their sources, top to bottom, so that they cross as little as possible.
    """
    leaving = sorted(moves, key=lambda m: (order[m[0]], where[m[1]][3], where[m[1]][1]))
    arriving = sorted(moves, key=lambda m: (order[m[1]], where[m[0]][3], where[m[0]][1]))
    out_at: dict[tuple[str, str], float] = {}
    in_at: dict[tuple[str, str], float] = {}
    for ordered, offsets, from_source in ((leaving, out_at, True), (arriving, in_at, False)):
        used = dict.fromkeys(where, 0.0)
        for move in ordered:
            stage = move[0] if from_source else move[1]
            offsets[move[0], move[1]] = where[stage][1] + used[stage]
            used[stage] += move[2] * scale
    drawn = []
    for source, target, count in moves:
        width = max(count * scale, 1.0)
        start_x = where[source][0] + _NODE_WIDTH
        start_y = out_at[source, target]
        end_x = where[target][0]
        end_y = in_at[source, target]
        middle = (start_x + end_x) / 2
        drawn.append(
            f'<path class="forward" d="M{start_x:.1f},{start_y:.1f} C{middle:.1f},'
            f"{start_y:.1f} {middle:.1f},{end_y:.1f} {end_x:.1f},{end_y:.1f} "
            f"L{end_x:.1f},{end_y + width:.1f} C{middle:.1f},{end_y + width:.1f} "
            f'{middle:.1f},{start_y + width:.1f} {start_x:.1f},{start_y + width:.1f} Z" '
            f'fill="{colour(order[source])}" fill-opacity="0.45"><title>{esc(source)} '
            f"\N{RIGHTWARDS ARROW} {esc(target)}: {count:,} moves</title></path>"
        )
    return "".join(drawn)


def _arcs(
    moves: Sequence[_Move], where: Mapping[str, _Place], scale: float, base: float
) -> tuple[str, float]:
    """Each move back as an arc under the columns, from the source down and up to the target.

    Arcs go on lanes, shortest on the first: two arcs share a lane only when neither they
    nor their count labels overlap, so no two labels ever do. A move into the same column
    (a re-entry) is a small loop. An arrowhead marks the target. Returns the arcs and
    the lowest point they reach.
    """
    lanes: list[list[tuple[float, float]]] = []
    drawn = []
    lowest = base
    spans = {(s, t): abs(where[s][0] - where[t][0]) for s, t, _ in moves}
    for source, target, count in sorted(moves, key=lambda m: (spans[m[0], m[1]], m[0], m[1])):
        start = where[source][0] + _NODE_WIDTH / 2
        end = where[target][0] + _NODE_WIDTH / 2
        if start == end:
            start, end = start + 5, end - 5
        middle = (start + end) / 2
        label = f"{count:,}"
        half = max(_text_width(label) / 2, (start - end) / 2) + 4
        low, high = middle - half, middle + half
        lane = next(
            (i for i, used in enumerate(lanes) if all(high < a or low > b for a, b in used)),
            len(lanes),
        )
        if lane == len(lanes):
            lanes.append([])
        lanes[lane].append((low, high))
        depth = base + 10 + lane * _LANE
        handle = base + (depth - base) / 0.75
        width = min(max(count * scale, 1.5), _ARC_MAX)
        drawn.append(
            f'<g class="back"><path d="M{start:.1f},{base:.1f} C{start:.1f},{handle:.1f} '
            f'{end:.1f},{handle:.1f} {end:.1f},{base:.1f}" fill="none" stroke="{_BACK}" '
            f'stroke-opacity="0.6" stroke-width="{width:.1f}"/>'
            f'<polygon points="{end - 4:.1f},{base + 7:.1f} {end + 4:.1f},{base + 7:.1f} '
            f'{end:.1f},{base - 1:.1f}" fill="{_BACK}"/>'
            f'<text x="{middle:.1f}" y="{depth + 13:.1f}" text-anchor="middle" '
            f'class="count">{label}</text><title>{esc(source)} \N{RIGHTWARDS ARROW} '
            f"{esc(target)}: {count:,} moves back</title></g>"
        )
        lowest = max(lowest, depth + 17)
    return "".join(drawn), lowest


_HIST_WIDTH = 280
#: Histogram bars within and past the expected duration (not stage colours: they mean time).
_IN_TIME = "#6b8fbf"
_LATE = "#c0392b"
_HIST_HEIGHT = 56


def histogram_svg(buckets: Sequence[DwellBucket], expected: timedelta | None) -> str:
    """Completed visits per dwell bucket, the expected duration marked by a dashed line."""
    if not buckets:
        return ""
    tallest = max(bucket.visits for bucket in buckets) or 1
    width = _HIST_WIDTH / len(buckets)
    parts = []
    for index, bucket in enumerate(buckets):
        height = bucket.visits / tallest * (_HIST_HEIGHT - 14)
        x = index * width
        late = expected is not None and bucket.low >= expected
        parts.append(
            f'<rect x="{x + 1:.1f}" y="{_HIST_HEIGHT - 14 - height:.1f}" width="{width - 2:.1f}" '
            f'height="{height:.1f}" fill="{_LATE if late else _IN_TIME}">'
            f"<title>{esc(_bucket_label(bucket))}: {bucket.visits:,} visits</title>"
            "</rect>"
        )
        if bucket.high is not None:
            parts.append(
                f'<text x="{x + width:.1f}" y="{_HIST_HEIGHT - 2}" text-anchor="middle">'
                f"{esc(_bound(bucket.high, expected))}</text>"
            )
        if expected is not None and bucket.low == expected:
            parts.append(
                f'<line x1="{x:.1f}" x2="{x:.1f}" y1="0" y2="{_HIST_HEIGHT - 13}" '
                'stroke="#1f2328" stroke-dasharray="3 2"/>'
            )
    return (
        f'<svg class="histogram" viewBox="-6 0 {_HIST_WIDTH + 12} {_HIST_HEIGHT}" '
        f'width="{_HIST_WIDTH + 12}" role="img" aria-label="dwell time distribution">'
        f"{''.join(parts)}</svg>"
    )


def _bound(value: timedelta, expected: timedelta | None) -> str:
    """A bucket bound: a multiple of the expected duration, or the duration itself."""
    if expected is None:
        return duration(value)
    multiple = value / expected
    return {0.25: "\N{VULGAR FRACTION ONE QUARTER}", 0.5: "\N{VULGAR FRACTION ONE HALF}"}.get(
        multiple, f"{multiple:g}"
    ) + "\N{MULTIPLICATION SIGN}"


def _bucket_label(bucket: DwellBucket) -> str:
    if bucket.high is None:
        return f"over {duration(bucket.low)}"
    return f"{duration(bucket.low) if bucket.low else '0'} to {duration(bucket.high)}"


_TREND_WIDTH = 1000
_TREND_HEIGHT = 260


def trend_svg(snapshots: Sequence[Snapshot], stages: Sequence[str], *, zone: str = "UTC") -> str:
    """Customers per stage over time, stacked (stages in file order, the first at the bottom).

    The first and last dates are the days in the journey's `zone` (an IANA name): a daily
    snapshot at midnight in Berlin is 23:00 UTC the day before.
    """
    if len(snapshots) < 2:
        return '<p class="note">Too few snapshots for a trend.</p>'
    first, last = snapshots[0].at, snapshots[-1].at
    span = (last - first).total_seconds() or 1.0
    totals = [sum(shot.stages.values()) for shot in snapshots]
    tallest = max(totals) or 1

    def x_of(moment: datetime) -> float:
        return (moment - first).total_seconds() / span * _TREND_WIDTH

    def y_of(value: float) -> float:
        return _TREND_HEIGHT - value / tallest * _TREND_HEIGHT

    below = [0] * len(snapshots)
    layers = []
    for index, stage in enumerate(stages):
        above = [
            low + shot.stages.get(stage, 0) for low, shot in zip(below, snapshots, strict=True)
        ]
        if above == below:
            continue
        upper = " ".join(
            f"{x_of(shot.at):.1f},{y_of(value):.1f}"
            for shot, value in zip(snapshots, above, strict=True)
        )
        lower = " ".join(
            f"{x_of(shot.at):.1f},{y_of(value):.1f}"
            for shot, value in reversed(list(zip(snapshots, below, strict=True)))
        )
        layers.append(
            f'<polygon points="{upper} {lower}" fill="{colour(index)}" fill-opacity="0.85">'
            f"<title>{esc(stage)}</title></polygon>"
        )
        below = above
    axis = (
        f'<line x1="0" x2="{_TREND_WIDTH}" y1="{_TREND_HEIGHT}" y2="{_TREND_HEIGHT}" '
        'stroke="#8c959f"/>'
        f'<text x="0" y="{_TREND_HEIGHT + 16}">{_day(first, zone)}</text>'
        f'<text x="{_TREND_WIDTH}" y="{_TREND_HEIGHT + 16}" text-anchor="end">'
        f"{_day(last, zone)}</text>"
        f'<text x="-6" y="10" text-anchor="end">{tallest:,}</text>'
        f'<text x="-6" y="{_TREND_HEIGHT}" text-anchor="end">0</text>'
    )
    return (
        f'<svg class="trend" viewBox="-60 -6 {_TREND_WIDTH + 70} {_TREND_HEIGHT + 28}" '
        f'width="{_TREND_WIDTH + 70}" role="img" aria-label="customers per stage over time">'
        f"{''.join(layers)}{axis}</svg>"
    )


def _day(moment: datetime, zone: str) -> str:
    """The day of `moment` in the IANA `zone`, as `2026-03-25`."""
    return moment.astimezone(to_zone(zone)).date().isoformat()


_INTERVAL_WIDTH = 220
_INTERVAL_HEIGHT = 18
#: An interval above 0, below 0, and across it (no clear difference).
_BETTER = "#59a14f"
_WORSE = "#e15759"
_UNCLEAR = "#8c959f"
#: The half-widths, in rate points (a fraction), an interval chart's axis may have.
_SCALES = (0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1.0)


def interval_scale(lifts: Sequence[Lift]) -> float:
    """The half-width of the axis that holds every one of `lifts`: the same for a table's rows."""
    widest = max((max(-lift.low, lift.high) for lift in lifts), default=0.0)
    return next((scale for scale in _SCALES if widest <= scale), 1.0)


def interval_svg(lift: Lift, scale: float, title: str) -> str:
    """A lift's 95% interval as a bar around a zero line, the difference a dark dot on it.

    The axis runs from `-scale` to `+scale` (rate points, a fraction); green when the whole
    interval is above 0, red when below, grey when it crosses 0. `title` is the tooltip.
    """
    middle = _INTERVAL_WIDTH / 2

    def x_of(value: float) -> float:
        return middle + max(-1.0, min(1.0, value / scale)) * middle

    fill = _UNCLEAR if lift.low <= 0 <= lift.high else _BETTER if lift.low > 0 else _WORSE
    low, high, dot = x_of(lift.low), x_of(lift.high), x_of(lift.difference)
    half = _INTERVAL_HEIGHT / 2
    return (
        f'<svg class="interval" width="{_INTERVAL_WIDTH}" height="{_INTERVAL_HEIGHT}" '
        f'viewBox="0 0 {_INTERVAL_WIDTH} {_INTERVAL_HEIGHT}" role="img" '
        f'aria-label="{esc(title)}"><title>{esc(title)}</title>'
        f'<rect class="track" width="{_INTERVAL_WIDTH}" height="{_INTERVAL_HEIGHT}"/>'
        f'<rect x="{low:.1f}" y="{half - 3:.1f}" width="{max(high - low, 1.0):.1f}" height="6" '
        f'fill="{fill}"/>'
        f'<line x1="{middle:.1f}" x2="{middle:.1f}" y1="0" y2="{_INTERVAL_HEIGHT}" '
        'stroke="#1f2328" stroke-dasharray="2 2"/>'
        f'<circle cx="{dot:.1f}" cy="{half:.1f}" r="3.5" fill="#1f2328" stroke="#fff"/></svg>'
    )

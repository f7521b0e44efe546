"""The report's charts, written as inline SVG: a Sankey of moves, dwell histograms, the trend.

Hand-written SVG rather than an embedded charting library: the page must work offline and
print well, the charts are few and simple, and a library would add hundreds of kilobytes
of script to every report. Coordinates are rounded to one decimal so the output is
byte-for-byte the same for the same figures.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from customer_journey.analytics import Analysis, Snapshot
from customer_journey.render._report._html import colour, esc, number
from customer_journey.render._tables import duration

if TYPE_CHECKING:
    from customer_journey.analytics import DwellBucket

__all__ = ["histogram_svg", "sankey_svg", "trend_svg"]

_SANKEY_WIDTH = 1100
_SANKEY_HEIGHT = 420
_NODE_WIDTH = 14
_NODE_GAP = 18
_BACK_GAP = 4
_MIN_NODE = 3.0
_LABEL_ROOM = 130
_BEND = 36.0

#: A placed node: x, top, height, column.
_Place = tuple[float, float, float, int]


def sankey_svg(analysis: Analysis) -> str:
    """Stages as nodes, one column per lifecycle stage in file order, then the others.

    Node heights are the stage's visits; bands are the moves between stages, as wide as
    their count. Moves forward run left to right; moves back (regressions, and returns
    from stages outside the lifecycle) loop under the chart in red.
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
    back = sum(count for source, target, count in moves if column_of[target] <= column_of[source])
    tallest = max(sum(visits[s] for s in column) for column in columns)
    gaps = _NODE_GAP * (max(len(c) for c in columns) - 1)
    scale = (_SANKEY_HEIGHT - gaps) / (tallest + back)
    step = (_SANKEY_WIDTH - _LABEL_ROOM - _NODE_WIDTH) / max(len(columns) - 1, 1)
    where: dict[str, _Place] = {}
    for place, column in enumerate(columns):
        top = 0.0
        for stage in column:
            height = max(visits[stage] * scale, _MIN_NODE)
            where[stage] = (place * step, top, height, place)
            top += height + _NODE_GAP
    bottom = max(top + height for _, top, height, _ in where.values())
    bands, below = _bands(moves, where, scale, order, bottom + 2 * _BACK_GAP)
    nodes = []
    for stage, (x, top, height, _) in where.items():
        nodes.append(
            f'<g><rect x="{x:.1f}" y="{top:.1f}" width="{_NODE_WIDTH}" height="{height:.1f}" '
            f'fill="{colour(order[stage])}"><title>{esc(stage)}: {visits[stage]:,} visits'
            f'</title></rect><text x="{x + _NODE_WIDTH + 4:.1f}" y="{top + 12:.1f}">'
            f'{esc(stage)}</text><text x="{x + _NODE_WIDTH + 4:.1f}" y="{top + 25:.1f}" '
            f'class="muted">{number(visits[stage])}</text></g>'
        )
    phases = []
    previous = ""
    for place, column in enumerate(columns):
        phase = next(f.phase for f in stages if f.stage == column[0]) or "outside the lifecycle"
        if phase != previous:
            phases.append(
                f'<text x="{place * step:.1f}" y="-8" font-weight="600">{esc(phase)}</text>'
            )
        previous = phase
    height = below + 10
    return (
        f'<svg class="sankey" viewBox="-10 -24 {_SANKEY_WIDTH + 20} {height + 24:.1f}" '
        f'width="{_SANKEY_WIDTH + 20}" role="img" aria-label="moves between stages">'
        f"{''.join(phases)}{''.join(bands)}{''.join(nodes)}</svg>"
    )


def _bands(
    moves: Sequence[tuple[str, str, int]],
    where: Mapping[str, _Place],
    scale: float,
    order: Mapping[str, int],
    floor: float,
) -> tuple[list[str], float]:
    """Each move as a stroked curve from the source's right edge to the target's left edge.

    Forward bands leave each node from its top, back bands from its bottom, so that they
    cross as little as possible. Returns the bands and the lowest point they reach.
    """

    def is_back(source: str, target: str) -> bool:
        return where[target][3] <= where[source][3]

    leaving = sorted(moves, key=lambda m: (order[m[0]], is_back(m[0], m[1]), where[m[1]][1]))
    arriving = sorted(moves, key=lambda m: (order[m[1]], is_back(m[0], m[1]), where[m[0]][1]))
    out_at: dict[tuple[str, str], float] = {}
    in_at: dict[tuple[str, str], float] = {}
    for ordered, offsets, from_source in ((leaving, out_at, True), (arriving, in_at, False)):
        used = dict.fromkeys(where, 0.0)
        for move in ordered:
            stage = move[0] if from_source else move[1]
            width = max(move[2] * scale, 1.0)
            offsets[move[0], move[1]] = where[stage][1] + used[stage] + width / 2
            used[stage] += move[2] * scale
    drawn = []
    lowest = floor
    for source, target, count in moves:
        width = max(count * scale, 1.0)
        start_x = where[source][0] + _NODE_WIDTH
        start_y = out_at[source, target]
        end_x = where[target][0]
        end_y = in_at[source, target]
        if is_back(source, target):
            level = lowest + width / 2
            lowest += width + _BACK_GAP
            path = (
                f"M{start_x:.1f},{start_y:.1f} C{start_x + _BEND:.1f},{start_y:.1f} "
                f"{start_x + _BEND:.1f},{level:.1f} {start_x:.1f},{level:.1f} "
                f"L{end_x:.1f},{level:.1f} C{end_x - _BEND:.1f},{level:.1f} "
                f"{end_x - _BEND:.1f},{end_y:.1f} {end_x:.1f},{end_y:.1f}"
            )
            stroke, opacity, kind = "#e15759", 0.3, "back"
        else:
            bend = (end_x - start_x) / 2
            path = (
                f"M{start_x:.1f},{start_y:.1f} C{start_x + bend:.1f},{start_y:.1f} "
                f"{end_x - bend:.1f},{end_y:.1f} {end_x:.1f},{end_y:.1f}"
            )
            stroke, opacity, kind = colour(order[source]), 0.45, "forward"
        drawn.append(
            f'<path class="{kind}" d="{path}" fill="none" stroke="{stroke}" '
            f'stroke-opacity="{opacity}" stroke-width="{width:.1f}"><title>{esc(source)} '
            f"\N{RIGHTWARDS ARROW} {esc(target)}: {count:,} moves</title></path>"
        )
    return drawn, lowest


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


def trend_svg(snapshots: Sequence[Snapshot], stages: Sequence[str]) -> str:
    """Customers per stage over time, stacked (stages in file order, the first at the bottom)."""
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
        f'<text x="0" y="{_TREND_HEIGHT + 16}">{esc(first.date().isoformat())}</text>'
        f'<text x="{_TREND_WIDTH}" y="{_TREND_HEIGHT + 16}" text-anchor="end">'
        f"{esc(last.date().isoformat())}</text>"
        f'<text x="-6" y="10" text-anchor="end">{tallest:,}</text>'
        f'<text x="-6" y="{_TREND_HEIGHT}" text-anchor="end">0</text>'
    )
    return (
        f'<svg class="trend" viewBox="-60 -6 {_TREND_WIDTH + 70} {_TREND_HEIGHT + 28}" '
        f'width="{_TREND_WIDTH + 70}" role="img" aria-label="customers per stage over time">'
        f"{''.join(layers)}{axis}</svg>"
    )

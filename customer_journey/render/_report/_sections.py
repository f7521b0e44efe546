"""The report's sections other than the map: funnel, flow, dwell, goals, friction, trend, actions.

Each function returns the inner HTML of one section. Numbers the browser test reads carry
`data-stage` and `data-figure` attributes (and the exact value in `data-value`).
"""

from __future__ import annotations

from collections.abc import Sequence

from customer_journey._timestamps import format_timestamp
from customer_journey.analytics import Analysis, RootCause, StageFigures
from customer_journey.render._analysis import friction_name
from customer_journey.render._report._html import bar_svg, colour, esc, number, table
from customer_journey.render._report._svg import histogram_svg, sankey_svg, trend_svg
from customer_journey.render._tables import duration, odds, percent

__all__ = [
    "FRICTION_SHOWN",
    "PATHS_SHOWN",
    "SNAPSHOTS_SHOWN",
    "actions_section",
    "dwell_section",
    "flow_section",
    "friction_section",
    "funnel_section",
    "goals_section",
    "head_lines",
    "trend_section",
]

#: Friction points in the ranking.
FRICTION_SHOWN = 15
#: Most common paths listed under the flow.
PATHS_SHOWN = 10
#: Trend snapshots drawn at most (the latest ones): years of daily snapshots stay small.
SNAPSHOTS_SHOWN = 400


def head_lines(analysis: Analysis) -> list[str]:
    """The summary under the title, as HTML paragraphs' contents."""
    lines = [
        f"journey <strong>{esc(analysis.journey)}</strong>, as of "
        f'<time data-figure="as_of">{esc(format_timestamp(analysis.as_of))}</time>',
        f'customers: <span data-figure="customers">{number(analysis.customers)}</span> in the '
        f'journey, <span data-figure="outside">{number(analysis.outside)}</span> outside',
    ]
    totals = analysis.totals
    if totals is not None:
        lines.append(
            f'records: <span data-figure="read">{number(totals.read)}</span> read, '
            f"{number(totals.accepted)} accepted, "
            f'<span data-figure="rejected">{number(totals.rejected)}</span> rejected, '
            f"{number(totals.duplicates)} duplicates, {number(totals.after_as_of)} after as_of"
        )
    return lines


def _cell(figures: StageFigures, figure: str, value: int | None) -> str:
    exact = "" if value is None else f' data-value="{value}"'
    return (
        f'<td class="num" data-stage="{esc(figures.stage)}" data-figure="{figure}"{exact}>'
        f"{number(value)}</td>"
    )


def funnel_section(analysis: Analysis) -> str:
    """Per stage: the funnel bar, entered, reached, in now, step and overall conversion."""
    header = ("stage", "phase", "", "entered", "reached", "in now", "step", "overall", "stalled")
    rows = []
    for index, figures in enumerate(analysis.stages):
        fraction = figures.overall_conversion or 0.0
        rows.append(
            f"<tr><td>{esc(figures.stage)}</td>"
            f'<td class="meta">{esc(figures.phase or "-")}</td>'
            f"<td>{bar_svg(fraction, colour(index), width=240)}</td>"
            + _cell(figures, "entered", figures.entered)
            + _cell(figures, "reached", figures.reached)
            + _cell(figures, "in_now", figures.in_now)
            + f'<td class="num" data-stage="{esc(figures.stage)}" data-figure="step_conversion">'
            f"{percent(figures.step_conversion)}</td>"
            f'<td class="num">{percent(figures.overall_conversion)}</td>'
            + _cell(figures, "stalled_now", figures.stalled_now)
            + "</tr>"
        )
    note = (
        '<p class="note">Reached: customers who got at least this far (this stage or a later '
        "one with a phase). Step: reached against the stage before. The bar is the overall "
        "conversion (reached, or entered for stages outside the lifecycle, of all "
        "customers).</p>"
    )
    return note + table(header, rows, numeric_from=3)


def flow_section(analysis: Analysis) -> str:
    """The Sankey of moves, the entries and the most common paths."""
    entries = ", ".join(
        f"{esc(stage)} {number(count)}" for stage, count in analysis.flows.entries.items()
    )
    paths = [
        f"<tr><td>{esc(' → '.join(variant.path))}</td>"
        f'<td class="num">{number(variant.customers)}</td></tr>'
        for variant in analysis.flows.variants[:PATHS_SHOWN]
    ]
    return (
        '<p class="note">Lifecycle stages in file order, then the stages outside it; each '
        "stage as tall as its visits, each band as wide as the moves between two stages. Red "
        "bands under the chart go back: regressions and returns. Hover for counts.</p>"
        + sankey_svg(analysis)
        + f'<p class="meta">Entered the journey at: {entries or "-"}</p>'
        + "<h3>Most common paths</h3>"
        + table(("path", "customers"), paths)
    )


def dwell_section(analysis: Analysis) -> str:
    """Per stage with completed visits: the distribution, median and p90 against expected."""
    header = ("stage", "distribution of completed visits", "visits", "median", "p90",
              "expected", "over expected", "still in")  # fmt: skip
    rows = []
    for figures in analysis.stages:
        dwell = figures.dwell
        if not dwell.count and not figures.ongoing.count:
            continue
        rows.append(
            f"<tr><td>{esc(figures.stage)}</td><td>"
            + histogram_svg(figures.dwell_histogram, figures.expected_duration)
            + f'</td><td class="num">{number(dwell.count)}</td>'
            f'<td class="num">{esc(duration(dwell.median))}</td>'
            f'<td class="num">{esc(duration(dwell.p90))}</td>'
            f'<td class="num">{esc(duration(figures.expected_duration))}</td>'
            f'<td class="num">{number(figures.over_expected)}</td>'
            f'<td class="num">{number(figures.ongoing.count)}</td></tr>'
        )
    note = (
        '<p class="note">Completed visits by how long they lasted: in multiples of the '
        "stage's expected duration (the dashed line; red bars took longer), or in fixed "
        "steps from 1 hour to 90 days for stages without one.</p>"
    )
    return note + table(header, rows, numeric_from=2)


def goals_section(analysis: Analysis) -> str:
    """Per goal: reached, missed, pending, reach rate, the chain's conversion, time to goal."""
    if not analysis.goals:
        return '<p class="note">The journey declares no goals.</p>'
    header = ("goal", "stage", "", "reached", "missed", "pending", "reach rate",
              "chance (Markov)", "median time", "p90 time")  # fmt: skip
    rows = [
        f"<tr><td>{esc(goal.goal)}</td><td>{esc(goal.stage)}</td>"
        f"<td>{bar_svg(goal.reach_rate or 0.0, '#59a14f')}</td>"
        f'<td class="num" data-goal="{esc(goal.goal)}" data-figure="reached">'
        f"{number(goal.reached)}</td>"
        f'<td class="num">{number(goal.missed)}</td><td class="num">{number(goal.pending)}</td>'
        f'<td class="num">{percent(goal.reach_rate)}</td>'
        f'<td class="num">{percent(analysis.conversion.get(goal.goal))}</td>'
        f'<td class="num">{esc(duration(goal.time_to_goal.median))}</td>'
        f'<td class="num">{esc(duration(goal.time_to_goal.p90))}</td></tr>'
        for goal in analysis.goals
    ]
    return table(header, rows, numeric_from=3)


def friction_section(analysis: Analysis) -> str:
    """Friction ranked by customers lost, then the strongest root causes per stage."""
    goal = f" to goal '{esc(analysis.goal)}'" if analysis.goal else ""
    shown = analysis.friction[:FRICTION_SHOWN]
    most = max((item.customers_lost or 0.0 for item in shown), default=0.0) or 1.0
    header = ("friction", "", "customers", "goal rate", "without", "odds ratio (95% CI)",
              "customers lost")  # fmt: skip
    rows = [
        f"<tr><td>{esc(friction_name(item.kind, item.stage, item.label))}</td>"
        f"<td>{bar_svg((item.customers_lost or 0.0) / most, '#e15759', width=120)}</td>"
        f'<td class="num">{number(item.customers)}</td>'
        f'<td class="num">{percent(item.goal_rate)}</td>'
        f'<td class="num">{percent(item.goal_rate_without)}</td>'
        f'<td class="num">{esc(odds(item.odds_ratio))}</td>'
        f'<td class="num">{"-" if item.customers_lost is None else f"{item.customers_lost:.0f}"}'
        "</td></tr>"
        for item in shown
    ]
    more = len(analysis.friction) - len(shown)
    rest = f'<p class="meta">and {more} more.</p>' if more > 0 else ""
    return (
        f'<p class="note">Ranked by customers lost{goal}: how many more would have reached '
        "it at the rate of the customers without the friction.</p>"
        + (table(header, rows) if rows else '<p class="meta">No friction.</p>')
        + rest
        + "<h3>Root causes: what goes with moving on from each stage</h3>"
        + _causes(analysis.root_causes)
    )


def _causes(causes: Sequence[RootCause]) -> str:
    """The strongest factor that lowers and the strongest that raises moving on, per stage."""
    picked: dict[tuple[str, bool], RootCause] = {}
    for cause in causes:
        picked.setdefault((cause.stage, cause.odds_ratio.value > 1), cause)
    if not picked:
        return '<p class="meta">Too few visits to judge root causes.</p>'
    header = ("stage", "", "factor", "visits", "moved on", "without", "odds ratio (95% CI)")
    rows = [
        f"<tr><td>{esc(cause.stage)}</td><td>{'raises' if raises else 'lowers'}</td>"
        f"<td>{esc(cause.label)}</td><td class=num>{number(cause.visits)}</td>"
        f'<td class="num">{percent(cause.rate)}</td>'
        f'<td class="num">{percent(cause.rate_without)}</td>'
        f'<td class="num">{esc(odds(cause.odds_ratio))}</td></tr>'
        for (_, raises), cause in sorted(
            picked.items(), key=lambda item: (_stage_order(causes, item[0][0]), item[0][1])
        )
    ]
    return table(header, rows, numeric_from=3)


def _stage_order(causes: Sequence[RootCause], stage: str) -> int:
    return next(index for index, cause in enumerate(causes) if cause.stage == stage)


def trend_section(analysis: Analysis) -> str:
    """The stacked trend chart and its legend."""
    snapshots = analysis.trend.snapshots[-SNAPSHOTS_SHOWN:]
    legend = "".join(
        f'<span class="item"><span class="swatch" style="background:{colour(index)}"></span>'
        f"{esc(figures.stage)}</span>"
        for index, figures in enumerate(analysis.stages)
    )
    return (
        f'<p class="note">Customers per stage at each {esc(analysis.trend.every)}\'s snapshot '
        "and as of the report's moment.</p>"
        + trend_svg(snapshots, [figures.stage for figures in analysis.stages])
        + f'<p class="legend">{legend}</p>'
    )


def actions_section(analysis: Analysis) -> str:
    """Customers by their best action now."""
    total = sum(analysis.next_actions.values()) or 1
    rows = [
        f"<tr><td>{esc(action) if action is not None else '<em>no action now</em>'}</td>"
        f"<td>{bar_svg(count / total, '#4e79a7' if action is not None else '#bab0ac')}</td>"
        f'<td class="num" data-action="{esc(action or "")}" data-figure="customers">'
        f"{number(count)}</td>"
        f'<td class="num">{percent(count / total)}</td></tr>'
        for action, count in analysis.next_actions.items()
    ]
    return '<p class="note">How many customers each action is the best one for now.</p>' + table(
        ("action", "", "customers", "share"), rows, numeric_from=2
    )

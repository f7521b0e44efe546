"""The report's sections other than the map: from the funnel to the experiments' lifts.

Each function returns the inner HTML of one section. Numbers the browser test reads carry
`data-stage` (or `data-goal`, `data-action`, `data-experiment` and `data-arm`) and
`data-figure` attributes, and the exact value in `data-value`.
"""

from __future__ import annotations

import shlex
from collections.abc import Sequence

from customer_journey._timestamps import format_local, to_zone
from customer_journey.analytics import (
    Analysis,
    ArmGoal,
    ExperimentFigures,
    Lift,
    RootCause,
    StageFigures,
)
from customer_journey.render._analysis import direction, friction_name
from customer_journey.render._report._html import bar_svg, colour, count_of, esc, number, table
from customer_journey.render._report._svg import (
    histogram_svg,
    interval_scale,
    interval_svg,
    sankey_svg,
    trend_svg,
)
from customer_journey.render._tables import (
    TERMS,
    duration,
    finding,
    leaving,
    lost,
    p_value,
    percent,
    points,
)

__all__ = [
    "FRICTION_SHOWN",
    "PATHS_SHOWN",
    "SNAPSHOTS_SHOWN",
    "actions_section",
    "dwell_section",
    "experiments_section",
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

#: The journey and events files an `explain` command names when the report is not told.
PLACEHOLDERS = ("JOURNEY", "EVENTS")


def _as_of(analysis: Analysis) -> str:
    """The analysis moment for people: in the journey's zone, with its offset."""
    return format_local(analysis.as_of, to_zone(analysis.timezone))


def _terms(html: str, terms: dict[str, str]) -> str:
    """Column headings in `html` that are statistical terms get their plain words as a tooltip.

    `terms` maps a heading to its words.
    """
    for heading, words in terms.items():
        abbr = f'<abbr title="{esc(words)}">{esc(heading)}</abbr>'
        html = html.replace(f">{esc(heading)}</th>", f">{abbr}</th>", 1)
    return html


def explain_command(analysis: Analysis, customer: str, files: tuple[str, str] | None = None) -> str:
    """The command that explains one customer as of the analysis moment, shell-quoted.

    `files` are the journey and events files; default `JOURNEY EVENTS`, to fill in.
    """
    journey, events = files or PLACEHOLDERS
    words = [journey, events, "--customer", customer, "--as-of", _as_of(analysis)]
    quoted = [
        word if files is None and word in PLACEHOLDERS else shlex.quote(word) for word in words
    ]
    return "customer-journey explain " + " ".join(quoted)


def _examples(
    analysis: Analysis, ids: Sequence[str], files: tuple[str, str] | None, what: str = ""
) -> str:
    """Example customers behind a figure (`what`, if named), each with its `explain` command."""
    if not ids:
        return ""
    items = "".join(
        f"<li><code>{esc(customer)}</code>: "
        f"<code>{esc(explain_command(analysis, customer, files))}</code></li>"
        for customer in ids
    )
    return (
        f'<details class="examples"><summary>{esc(what + ": " if what else "")}'
        f"{count_of(len(ids), 'example customer')}</summary><ul>{items}</ul></details>"
    )


def head_lines(analysis: Analysis) -> list[str]:
    """The summary under the title, as HTML paragraphs' contents."""
    lines = [
        f"journey <strong>{esc(analysis.journey)}</strong>, as of "
        f'<time data-figure="as_of">{esc(_as_of(analysis))}</time>',
        f'customers: <span data-figure="customers">{number(analysis.customers)}</span> in the '
        f'journey, <span data-figure="outside">{number(analysis.outside)}</span> outside',
    ]
    totals = analysis.totals
    if totals is not None:
        lines.append(
            f'records: <span data-figure="read">{number(totals.read)}</span> read, '
            f"{number(totals.accepted)} accepted, "
            f'<span data-figure="rejected">{number(totals.rejected)}</span> rejected, '
            f"{count_of(totals.duplicates, 'duplicate')}, {number(totals.after_as_of)} after as_of"
        )
    return lines


def _cell(figures: StageFigures, figure: str, value: int | None) -> str:
    exact = "" if value is None else f' data-value="{value}"'
    return (
        f'<td class="num" data-stage="{esc(figures.stage)}" data-figure="{figure}"{exact}>'
        f"{number(value)}</td>"
    )


def funnel_section(analysis: Analysis, *, files: tuple[str, str] | None = None) -> str:
    """Per stage: the funnel bar, entered, reached, in now, step and overall conversion.

    Under the table, example customers stalled in each stage, with the `explain` command
    for each (`files`: the journey and events files it names).
    """
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
    stalled = "".join(
        _examples(analysis, figures.stalled_examples, files, f"stalled in '{figures.stage}'")
        for figures in analysis.stages
    )
    return note + table(header, rows, numeric_from=3) + stalled


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
        "stage as tall as its visits, each band as wide as the moves between two stages. Moves "
        "back are the red arcs under the columns, each with its count. Hover for the "
        "stages.</p>"
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
              "chance", "median time", "p90 time")  # fmt: skip
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
    return _terms(table(header, rows, numeric_from=3), {"chance": TERMS["chance"]})


#: The statistical column headings of the friction and root-cause tables, with the term
#: whose plain words are their tooltip.
_ODDS_TERMS = {"odds ratio (range)": f"{TERMS['odds ratio']}; range: {TERMS['interval']}"}


def friction_section(analysis: Analysis, *, files: tuple[str, str] | None = None) -> str:
    """Friction ranked by customers lost, the root causes per stage, how customers leave.

    Each friction and root-cause factor lists example customers with the `explain`
    command for each (`files`: the journey and events files it names).
    """
    goal = f" to goal '{esc(analysis.goal)}'" if analysis.goal else ""
    shown = analysis.friction[:FRICTION_SHOWN]
    most = max((item.customers_lost or 0.0 for item in shown), default=0.0) or 1.0
    header = ("friction", "", "customers", "judged", "goal rate", "without",
              "odds ratio (range)", "customers lost")  # fmt: skip
    rows = [
        f"<tr><td>{esc(friction_name(item.kind, item.stage, item.label))}"
        + _examples(analysis, item.examples, files)
        + "</td>"
        f"<td>{bar_svg((item.customers_lost or 0.0) / most, '#e15759', width=120)}</td>"
        f'<td class="num">{number(item.customers)}</td>'
        f'<td class="num">{number(item.judged)}</td>'
        f'<td class="num">{percent(item.goal_rate)}</td>'
        f'<td class="num">{percent(item.goal_rate_without)}</td>'
        f'<td class="num">{esc(finding(item.odds_ratio, conclusive=item.conclusive))}</td>'
        f'<td class="num">{esc(lost(item))}</td></tr>'
        for item in shown
    ]
    more = len(analysis.friction) - len(shown)
    rest = f'<p class="meta">and {more} more.</p>' if more > 0 else ""
    friction = table(header, rows) if rows else '<p class="meta">No friction.</p>'
    return (
        f'<p class="note">Ranked by customers lost{goal}. Judged: the customers who had not '
        "reached the goal when the friction first happened; goal rate: the share of them who "
        "reached it later; customers lost: how many more would have reached it at the rate "
        "of the customers without the friction (never below 0; a friction whose customers "
        "reach the goal more often says so).</p>"
        + _terms(friction, _ODDS_TERMS)
        + rest
        + "<h3>Root causes: what goes with moving on from each stage</h3>"
        + '<p class="note">The touchpoints, channels and values that trigger a stage&#x27;s own '
        "transitions are left out: they are how customers leave, below.</p>"
        + _causes(analysis, files)
        + "<h3>How customers leave each stage</h3>"
        + _leaving(analysis)
    )


def _causes(analysis: Analysis, files: tuple[str, str] | None) -> str:
    """The strongest factor that lowers and the strongest that raises moving on, per stage."""
    causes = analysis.root_causes
    picked: dict[tuple[str, bool], RootCause] = {}
    for cause in causes:
        picked.setdefault((cause.stage, cause.odds_ratio.value > 1), cause)
    if not picked:
        return '<p class="meta">Too few visits to judge root causes.</p>'
    header = ("stage", "", "factor", "visits", "moved on", "without", "odds ratio (range)")
    rows = [
        f"<tr><td>{esc(cause.stage)}</td><td>{direction(cause)}</td>"
        f"<td>{esc(cause.label)}"
        + _examples(analysis, cause.examples, files)
        + f"</td><td class=num>{number(cause.visits)}</td>"
        f'<td class="num">{percent(cause.rate)}</td>'
        f'<td class="num">{percent(cause.rate_without)}</td>'
        f'<td class="num">{esc(finding(cause.odds_ratio, conclusive=cause.conclusive))}</td></tr>'
        for _, cause in sorted(
            picked.items(), key=lambda item: (_stage_order(causes, item[0][0]), item[0][1])
        )
    ]
    return _terms(table(header, rows, numeric_from=3), _ODDS_TERMS)


def _leaving(analysis: Analysis) -> str:
    """Per stage left at least once: the touchpoints (or timeouts) visits left by."""
    items = "".join(
        f"<li>{esc(figures.stage)}: {esc(leaving(figures))}</li>"
        for figures in analysis.stages
        if figures.leaving
    )
    return f"<ul>{items}</ul>" if items else ('<p class="meta">Nobody left a stage.</p>')


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


def experiments_section(analysis: Analysis) -> str:
    """Per experiment, a table: per arm its customers, per goal reached, rate and lift.

    Each lift's 95% interval is drawn around a zero line (one scale per experiment, so its
    rows compare); the reference arm says `reference` instead.
    """
    note = (
        '<p class="note">Every customer is in one arm of each experiment, by a hash of their '
        "id. Customers: the arm's customers in the journey; rate: the share of them who "
        "reached the goal; lift: the rate minus the reference arm's, in percentage points, "
        "with its 95% range drawn as a bar around the dashed line at 0 (the dot is the "
        "difference). Green: above 0 over the whole range; red: below it; grey: the range "
        "crosses 0, so the data cannot tell the arm from the reference. Hover for words.</p>"
    )
    return note + "".join(_experiment(experiment) for experiment in analysis.experiments)


def _experiment(experiment: ExperimentFigures) -> str:
    """One experiment's heading, scale and table."""
    reference = next(arm for arm in experiment.arms if arm.arm == experiment.reference)
    lifts = [goal.lift for arm in experiment.arms for goal in arm.goals if goal.lift]
    scale = interval_scale(lifts)
    total = sum(arm.customers for arm in experiment.arms)
    rows = []
    for arm in experiment.arms:
        name = esc(arm.arm) + (" <em>(reference)</em>" if arm is reference else "")
        for index, (goal, base) in enumerate(zip(arm.goals, reference.goals, strict=True)):
            data = (
                f'data-experiment="{esc(experiment.experiment)}" data-arm="{esc(arm.arm)}" '
                f'data-goal="{esc(goal.goal)}"'
            )
            rows.append(
                f"<tr><td>{'' if index else name}</td><td>{esc(goal.goal)}</td>"
                f'<td class="num">{"" if index else number(arm.customers)}</td>'
                f'<td class="num" {data} data-figure="reached" data-value="{goal.reached}">'
                f"{number(goal.reached)}</td>"
                f'<td class="num">{percent(goal.rate)}</td>'
                + _lift_cells(experiment, arm.arm, goal, base, scale=scale, data=data)
                + "</tr>"
            )
    heading = (
        f"<h3>{esc(experiment.experiment)}</h3>"
        f'<p class="meta">{count_of(total, "customer")} in the journey; reference arm '
        f"'{esc(experiment.reference)}'"
        + (f"; the bars run from -{scale * 100:g} to +{scale * 100:g} points" if lifts else "")
        + ".</p>"
    )
    header = ("arm", "goal", "customers", "reached", "rate", "lift, points (95% range)", "p", "")
    terms = {"lift, points (95% range)": TERMS["lift"], "p": TERMS["p"]}
    return heading + _terms(table(header, rows, numeric_from=2), terms)


def _lift_cells(
    experiment: ExperimentFigures,
    arm: str,
    goal: ArmGoal,
    base: ArmGoal,
    *,
    scale: float,
    data: str,
) -> str:
    """The lift, its p-value and its chart; `reference` for the reference arm."""
    if arm == experiment.reference:
        return '<td class="meta" colspan="3">reference</td>'
    lift = goal.lift
    if lift is None:
        return '<td class="meta" colspan="3">no customers to compare</td>'
    words = _lift_words(experiment.reference, arm, goal, base, lift)
    return (
        f'<td class="num" {data} data-figure="difference" data-value="{lift.difference!r}">'
        f"{points(lift.difference)} ({points(lift.low)} to {points(lift.high)})</td>"
        f'<td class="num" {data} data-figure="p_value" data-value="{lift.p_value!r}">'
        f"{esc(p_value(lift.p_value).removeprefix('= '))}</td>"
        f"<td>{interval_svg(lift, scale, words)}</td>"
    )


def _lift_words(reference: str, arm: str, goal: ArmGoal, base: ArmGoal, lift: Lift) -> str:
    """A lift in a sentence, for its tooltip."""
    more = "more" if lift.difference >= 0 else "less"
    difference = points(abs(lift.difference)).lstrip("+")
    if lift.low > 0:
        verdict = f"a rise of at least {points(lift.low).lstrip('+')} points"
    elif lift.high < 0:
        verdict = f"a fall of at least {points(-lift.high).lstrip('+')} points"
    else:
        verdict = "the range crosses 0: no clear difference"
    return (
        f"'{arm}' reached '{goal.goal}' {difference} points {more} often than '{reference}' "
        f"({percent(goal.rate)} against {percent(base.rate)}); 95% range "
        f"{points(lift.low)} to {points(lift.high)} points, {verdict} "
        f"(p {p_value(lift.p_value)})"
    )

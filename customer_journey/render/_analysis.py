"""Journey analytics as plain-text tables: funnel, time in stage, flows, friction and more.

A producer: it returns the text and never writes it, so the command line (or a notebook)
decides where it goes.
"""

from __future__ import annotations

import textwrap
from collections.abc import Iterator, Sequence
from datetime import tzinfo

from customer_journey._printable import printable
from customer_journey._timestamps import format_local, to_zone
from customer_journey.analytics import (
    FEWEST_EACH_SIDE,
    WIDEST_INTERVAL,
    Analysis,
    ExperimentFigures,
    RootCause,
)
from customer_journey.render._tables import (
    GAP,
    HIGHER_SHORT,
    INDENT,
    NONE,
    TERMS,
    TOO_FEW_SHORT,
    WIDTH,
    Row,
    count,
    duration,
    finding,
    leaving,
    lift,
    lost,
    note,
    percent,
    plural,
    section,
    table,
)

__all__ = ["analysis_text", "experiments_section", "friction_name"]

#: Rejected records quoted under their count.
REJECTIONS_SHOWN = 3
#: Root causes shown per stage in each direction (raising, lowering moving on).
CAUSES_SHOWN = 3
#: Trend snapshots shown, the last (at as_of) included.
SNAPSHOTS_SHOWN = 6
#: Attributions shown per goal.
ATTRIBUTIONS_SHOWN = 5
#: The odds-ratio columns' terms in plain words, under the friction and root-cause tables.
_ODDS_NOTE = (
    f"Odds ratio: {TERMS['odds ratio']}; range: {TERMS['interval']}; too few to judge: fewer "
    f"than {FEWEST_EACH_SIDE} customers on a side, or a range over {WIDEST_INTERVAL:.0f} "
    "times wide."
)


def _head(analysis: Analysis) -> Iterator[str]:
    moment = format_local(analysis.as_of, to_zone(analysis.timezone))
    yield f"journey '{analysis.journey}', as of {moment}"
    yield f"customers: {analysis.customers} in the journey, {analysis.outside} outside"
    totals = analysis.totals
    if totals is not None:
        yield (
            f"records: {totals.read} read, {totals.accepted} accepted, {totals.rejected} "
            f"rejected, {plural(totals.duplicates, 'duplicate')}, {totals.after_as_of} after as_of"
        )


def _rejections(analysis: Analysis) -> list[str]:
    rejected = analysis.rejections
    shown = min(len(rejected), REJECTIONS_SHOWN)
    first = f" (the first {shown})" if shown < len(rejected) else ""
    title = f"Rejected records: {len(rejected)}{first}"
    lines = [
        line
        for rejection in rejected[:shown]
        for line in textwrap.wrap(
            str(rejection), WIDTH, initial_indent=INDENT, subsequent_indent=INDENT * 3
        )
    ]
    return section(title, lines)


def _funnel(analysis: Analysis) -> list[str]:
    header = ("stage", "entered", "reached", "in now", "step", "overall", "stalled")
    routes = list(analysis.stages[0].left) if analysis.stages else []
    rows = [
        (
            figures.stage,
            str(figures.entered),
            count(figures.reached),
            str(figures.in_now),
            percent(figures.step_conversion),
            percent(figures.overall_conversion),
            str(figures.stalled_now),
            *(str(figures.left[route]) for route in routes),
        )
        for figures in analysis.stages
    ]
    lines = table((*header, *routes), rows)
    explanation = (
        "step, overall: customers who reached the stage (or a later one) as a share of those "
        f"who reached the stage before, and of all customers; {', '.join(routes)}: "
        "customers who left the stage, by how"
    )
    return section("Funnel", [*lines, *note(explanation)])


def _phases(analysis: Analysis) -> list[str]:
    header = ("phase", "entered", "reached", "in now", "step", "overall")
    rows = [
        (
            figures.phase,
            str(figures.entered),
            str(figures.reached),
            str(figures.in_now),
            percent(figures.step_conversion),
            percent(figures.overall_conversion),
        )
        for figures in analysis.phases
    ]
    if not rows:  # no stage has a phase
        return section("Phases", [f"{INDENT}{NONE}"])
    return section("Phases", table(header, rows))


def _dwell(analysis: Analysis) -> list[str]:
    header = ("stage", "ended", "median", "p90", "expected", "over", "open", "open median")
    rows = [
        (
            figures.stage,
            str(figures.dwell.count),
            duration(figures.dwell.median),
            duration(figures.dwell.p90),
            duration(figures.expected_duration),
            str(figures.over_expected) if figures.expected_duration is not None else "-",
            str(figures.ongoing.count),
            duration(figures.ongoing.median),
        )
        for figures in analysis.stages
    ]
    explanation = (
        "ended: visits that ended, their median and p90 time in the stage, and how many took "
        "over the expected duration; open: visits still going on"
    )
    return section("Time in stage", [*table(header, rows), *note(explanation)])


def _flows(analysis: Analysis, top: int) -> list[str]:
    flows = analysis.flows
    moves = sorted(
        (
            (-moved, source, target)
            for source, row in flows.moves.items()
            for target, moved in row.items()
            if moved
        ),
    )[:top]
    rows = [
        (source, target, str(-moved), percent(flows.share(source, target)))
        for moved, source, target in moves
    ]
    entries = ", ".join(f"{stage} {entered}" for stage, entered in flows.entries.items() if entered)
    lines = table(("from", "to", "moves", "share"), rows, text=(0, 1)) if rows else []
    return section("Moves (most first)", [f"{INDENT}entries: {entries or NONE}", *lines])


def _paths(analysis: Analysis) -> list[str]:
    customers = analysis.customers
    rows = [
        (
            " -> ".join(variant.path),
            str(variant.customers),
            percent(variant.customers / customers if customers else None),
        )
        for variant in analysis.flows.variants
    ]
    if not rows:
        return section("Paths", [f"{INDENT}{NONE}"])
    return section(
        "Paths (most customers first)", table(("path", "customers", "share"), rows, fit=0)
    )


def _goals(analysis: Analysis) -> list[str]:
    header = ("goal", "stage", "reached", "missed", "pending", "rate", "median time", "p90 time")
    rows = [
        (
            figures.goal,
            figures.stage,
            str(figures.reached),
            str(figures.missed),
            str(figures.pending),
            percent(figures.reach_rate),
            duration(figures.time_to_goal.median),
            duration(figures.time_to_goal.p90),
        )
        for figures in analysis.goals
    ]
    if not rows:
        return section("Goals", [f"{INDENT}{NONE}"])
    return section("Goals (time: from entering the journey)", table(header, rows, text=(0, 1)))


def friction_name(kind: str, stage: str, label: str) -> str:
    """A friction point's label; a declared one gets its stage (the others name it)."""
    return f"{label} in '{stage}'" if kind == "declared" else label


def _friction(analysis: Analysis, top: int) -> list[str]:
    if not analysis.friction:
        return section("Friction", [f"{INDENT}{NONE}"])
    header = ("friction", "customers", "rate", "without", "odds ratio (range)", "lost")
    rows = [
        (
            friction_name(figures.kind, figures.stage, figures.label),
            str(figures.customers),
            percent(figures.goal_rate),
            percent(figures.goal_rate_without),
            finding(figures.odds_ratio, conclusive=figures.conclusive, too_few=TOO_FEW_SHORT),
            lost(figures, higher=HIGHER_SHORT),
        )
        for figures in analysis.friction[:top]
    ]
    if analysis.goal is None:
        return section("Friction", table(header[:2], (row[:2] for row in rows), fit=0))
    title = f"Friction, by customers lost to goal '{analysis.goal}'"
    explanation = (
        f"rate: of the customers who had not reached '{analysis.goal}' when the friction "
        "first happened, the share who reached it later, against the share of the customers "
        "without the friction; lost: how many more would have reached it at that rate "
        "(higher rate: they reached it more often; after the goal: all had reached it "
        f"before). {_ODDS_NOTE}"
    )
    return section(title, [*table(header, rows, fit=0), *note(explanation)])


def _strongest(causes: list[RootCause]) -> list[RootCause]:
    """The strongest few raising moving on, then the strongest few lowering it.

    Conclusive ones first (`causes` is in that order), so an inconclusive factor shows
    only when there are too few conclusive ones.
    """
    raising = [cause for cause in causes if cause.odds_ratio.value > 1][:CAUSES_SHOWN]
    lowering = [cause for cause in causes if cause.odds_ratio.value < 1][:CAUSES_SHOWN]
    return raising + lowering


def direction(cause: RootCause) -> str:
    """`raises` or `lowers` moving on, in words a marketer can act on.

    `unclear` when the odds ratio is no finding (too few to judge), `no clear effect` when
    its interval holds 1 (the data cannot tell it from no effect at all).
    """
    ratio = cause.odds_ratio
    if not cause.conclusive:
        return "unclear"
    if ratio.low <= 1 <= ratio.high:
        return "no clear effect"
    return "raises" if ratio.value > 1 else "lowers"


def _root_causes(analysis: Analysis) -> list[str]:
    title = "Root causes: what goes with moving on from a stage"
    by_stage: dict[str, list[RootCause]] = {}
    for cause in analysis.root_causes:
        by_stage.setdefault(cause.stage, []).append(cause)
    shown = {stage: _strongest(causes) for stage, causes in by_stage.items()}
    rows = [
        (
            direction(cause),
            cause.label,
            str(cause.visits),
            percent(cause.rate),
            percent(cause.rate_without),
            finding(cause.odds_ratio, conclusive=cause.conclusive, too_few=TOO_FEW_SHORT),
        )
        for causes in shown.values()
        for cause in causes
    ]
    if not rows:
        none = "none: no factor was seen in enough visits both with and without it"
        return section(title, [f"{INDENT}{none}"])
    header = ("", "factor", "visits", "moved on", "without", "odds ratio (range)")
    aligned = table(header, rows, text=(0, 1), fit=1, indent=INDENT * 2)
    lines = [aligned[0]]
    start = 1
    for stage, causes in shown.items():
        first = causes[0] if causes else by_stage[stage][0]
        judged = first.visits + first.visits_without
        moved = (first.moved_on + first.moved_on_without) / judged
        lines.append(f"{INDENT}{stage}: {plural(judged, 'visit')} judged, {moved:.1%} moved on")
        lines.extend(aligned[start : start + len(causes)])
        start += len(causes)
    explanation = (
        "the touchpoints, channels and values that trigger a stage's own transitions are "
        f"left out: they are how customers leave, below. {_ODDS_NOTE}"
    )
    return section(title, [*lines, *note(explanation)])


def _leaving(analysis: Analysis) -> list[str]:
    """Per stage left at least once: the touchpoints (or timeouts) visits left by."""
    lines = [
        f"{INDENT}{figures.stage}: {leaving(figures)}"
        for figures in analysis.stages
        if figures.leaving
    ]
    return section("How customers leave each stage: exits by trigger", lines or [INDENT + NONE])


def _trend(analysis: Analysis, timezone: tzinfo | None) -> list[str]:
    snapshots = analysis.trend.snapshots[-SNAPSHOTS_SHOWN:]
    title = f"Trend: customers per stage, every {analysis.trend.every}"
    if not snapshots:
        return section(title, [f"{INDENT}{NONE}"])
    dates = [shot.at.astimezone(timezone).date().isoformat() for shot in snapshots[:-1]]
    header = ("stage", *dates, "as_of")
    names = [f.stage for f in analysis.stages if any(f.stage in s.stages for s in snapshots)]
    rows = [(name, *(str(shot.stages.get(name, 0)) for shot in snapshots)) for name in names]
    return section(title, table(header, rows))


def _attribution(analysis: Analysis) -> list[str]:
    title = "Attribution: share of conversions lost without the moves that carried it"
    explanation = f"chance: {TERMS['chance']}; effect: {TERMS['removal effect']}."
    rows: list[Row] = []
    for goal, chance in analysis.conversion.items():
        items = [item for item in analysis.attribution if item.goal == goal]
        for index, item in enumerate(items[:ATTRIBUTIONS_SHOWN]):
            name = f"{goal} ({chance:.1%})" if index == 0 else ""
            rows.append((name, item.label, str(item.moves), percent(item.removal_effect)))
    if not rows:
        return section(title, [f"{INDENT}{NONE}"])
    lines = table(("goal (chance)", "by", "moves", "effect"), rows, text=(0, 1))
    return section(title, [*lines, *note(explanation)])


def _next_actions(analysis: Analysis, top: int) -> list[str]:
    customers = analysis.customers
    rows = [
        (
            "(no action offered)" if action is None else action,
            str(customers_now),
            percent(customers_now / customers if customers else None),
        )
        for action, customers_now in list(analysis.next_actions.items())[:top]
    ]
    if not rows:
        return section("Next actions", [f"{INDENT}{NONE}"])
    return section(
        "Next actions: customers by their best action now",
        table(("action", "customers", "share"), rows),
    )


#: The lift column in plain words, under the experiments tables (`TERMS` says more).
_LIFT_NOTE = (
    "lift: rate minus the reference's, in percentage points; a 95% range across 0: no clear "
    "difference"
)


def experiments_section(
    experiments: Sequence[ExperimentFigures],
    title: str = "Experiments: each arm's goals, and its lift over the reference arm",
) -> list[str]:
    """Per experiment and arm: customers, and per goal reached, rate and lift, in lines.

    `analysis_text` shows an analysis's; a comparison can show each version's under its
    own `title`.
    """
    lines: list[str] = []
    for experiment in experiments:
        total = sum(arm.customers for arm in experiment.arms)
        lines.append(
            f"{INDENT}{experiment.experiment}: {plural(total, 'customer')}, "
            f"reference arm '{experiment.reference}'"
        )
        lines.extend(_arms(experiment))
    return section(title, [*lines, *note(_LIFT_NOTE)])


def _arms(experiment: ExperimentFigures) -> list[str]:
    """One experiment's table: a row per arm and goal, the arm named on its first row."""
    rows: list[Row] = []
    for arm in experiment.arms:
        reference = arm.arm == experiment.reference
        name = f"{arm.arm} (reference)" if reference else arm.arm
        if not arm.goals:  # a journey without goals: the customers alone
            rows.append((name, str(arm.customers), "-", "", "", ""))
        for index, goal in enumerate(arm.goals):
            rows.append(
                (
                    "" if index else name,
                    "" if index else str(arm.customers),
                    goal.goal,
                    str(goal.reached),
                    percent(goal.rate),
                    "" if reference else lift(goal.lift),
                )
            )
    header = ("arm", "customers", "goal", "reached", "rate", "lift (95% range), p")
    return table(header, rows, text=(0, 2, 5), indent=INDENT * 2)


def _column_blocks(header: Row, rows: Sequence[Row], *, keep: int = 1) -> Iterator[list[str]]:
    """The table in blocks of columns that fit `WIDTH`, each repeating the first `keep`."""
    columns = list(range(len(header)))
    widths = [max(len(header[i]), *(len(row[i]) for row in rows)) for i in columns]
    block: list[int] = []
    used = len(INDENT) + sum(widths[:keep]) + len(GAP) * keep
    for index in columns[keep:]:
        if block and used + widths[index] > WIDTH:
            yield _pick(header, rows, [*columns[:keep], *block])
            block, used = [], len(INDENT) + sum(widths[:keep]) + len(GAP) * keep
        block.append(index)
        used += widths[index] + len(GAP)
    if block:
        yield _pick(header, rows, [*columns[:keep], *block])


def _pick(header: Row, rows: Sequence[Row], columns: list[int]) -> list[str]:
    return table([header[i] for i in columns], ([row[i] for i in columns] for row in rows))


def _groups(analysis: Analysis) -> list[str]:
    values = list(analysis.groups)
    groups = list(analysis.groups.values())
    goal = analysis.goal
    rows: list[Row] = [("customers", *(str(group.customers) for group in groups))]  # a label
    if goal is not None:
        rates = [next(f.reach_rate for f in group.goals if f.goal == goal) for group in groups]
        rows.append((f"goal '{goal}'", *(percent(rate) for rate in rates)))
    rows.extend(
        (f"in '{figures.stage}' now", *(str(group.stages[i].in_now) for group in groups))
        for i, figures in enumerate(analysis.stages)
    )
    blocks = list(_column_blocks((analysis.by or "", *values), rows))
    lines = [line for block in blocks for line in ["", *block]][1:]
    return section(f"By {analysis.by}", lines)


def analysis_text(analysis: Analysis, *, top: int = 10, timezone: tzinfo | None = None) -> str:
    """The analysis as tables for people: funnel, time in stage, flows, friction and more.

    Args:
        analysis: what `customer_journey.analyze` returned.
        top: how many rows the long lists (moves, friction, next actions) show.
        timezone: the timezone of the trend snapshots' dates (taken at the journey's
            midnights); default the analysis's (`Analysis.timezone`).

    Control characters in names and data are spelled out: each line is one line of output.
    """
    sections: list[list[str]] = [list(_head(analysis))]
    if analysis.rejections:
        sections.append(_rejections(analysis))
    sections += [
        _funnel(analysis),
        _phases(analysis),
        _dwell(analysis),
        _flows(analysis, top),
        _paths(analysis),
        _goals(analysis),
        _friction(analysis, top),
        _root_causes(analysis),
        _leaving(analysis),
        _trend(analysis, timezone or to_zone(analysis.timezone)),
        _attribution(analysis),
        _next_actions(analysis, top),
    ]
    if analysis.experiments:
        sections.append(experiments_section(analysis.experiments))
    if analysis.groups:
        sections.append(_groups(analysis))
    return "\n\n".join("\n".join(map(printable, section)) for section in sections) + "\n"

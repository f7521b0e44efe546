"""Turning a tally's counts into the figures of an `Analysis`, formulas and all."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Iterator
from datetime import date, datetime, time, timedelta, timezone

from customer_journey._facts import ROUTES, Route
from customer_journey.analytics._analysis import Analysis
from customer_journey.analytics._observe import Feature
from customer_journey.analytics._report import (
    Attribution,
    DwellBucket,
    Flows,
    FrictionFigures,
    GoalFigures,
    PhaseFigures,
    RootCause,
    Snapshot,
    StageFigures,
    Trend,
    Variant,
)
from customer_journey.analytics._stats import odds_ratio
from customer_journey.analytics._tally import Tally
from customer_journey.model import JourneyModel, path_tests

__all__ = ["EVERY", "KIND_ORDER", "build_analysis"]

#: Trend snapshot periods.
EVERY = ("day", "week", "month")
#: Friction kinds in ranking order when everything else is equal: the worst first.
KIND_ORDER = {"churned": 0, "timeout": 1, "regression": 2, "stalled": 3, "declared": 4}


def build_analysis(
    tally: Tally, as_of: datetime, *, every: str | None, top: int, min_count: int
) -> Analysis:
    """The analysis of the customers counted in `tally`, as of `as_of`."""
    model = tally.plan.model
    return Analysis(
        journey=model.name,
        as_of=as_of,
        timezone=model.timezone,
        goal=tally.goal,
        customers=tally.customers,
        outside=tally.outside,
        stages=_stages(tally),
        phases=_phases(tally),
        flows=_flows(tally, top),
        goals=_goals(tally),
        friction=_friction(tally),
        root_causes=_root_causes(tally, min_count),
        trend=_trend(tally, as_of, every),
        conversion={name: chain.conversion() for name, chain in tally.chains.items()},
        attribution=_attribution(tally, by_stage=False),
        stage_attribution=_attribution(tally, by_stage=True),
        next_actions=dict(
            sorted(
                tally.next_actions.items(),
                key=lambda item: (-item[1], item[0] is None, item[0] or ""),
            )
        ),
        experiments=tally.experiments.figures(),
    )


def _share(part: int, whole: int) -> float | None:
    return None if whole == 0 else part / whole


def _stages(tally: Tally) -> tuple[StageFigures, ...]:
    model = tally.plan.model
    figures = []
    previous: int | None = None
    for name, stage in model.stages.items():
        counts = tally.stages[name]
        if stage.phase is None:
            reached = None
            step = None
            overall = _share(counts.entered, tally.customers)
        else:
            reached = sum(n for index, n in tally.furthest.items() if index >= stage.index)
            step = _share(reached, tally.customers if previous is None else previous)
            overall = _share(reached, tally.customers)
            previous = reached
        figures.append(
            StageFigures(
                stage=name,
                phase=stage.phase,
                entered=counts.entered,
                visits=counts.visits,
                reached=reached,
                in_now=counts.in_now,
                stalled_now=counts.stalled_now,
                left=_routes(counts.left),
                exits=_routes(counts.exits),
                step_conversion=step,
                overall_conversion=overall,
                dwell=counts.dwell.summary(),
                ongoing=counts.ongoing.summary(),
                expected_duration=stage.expected_duration,
                over_expected=counts.over_expected,
                dwell_histogram=_histogram(counts.bounds, counts.histogram),
                leaving=dict(sorted(counts.leaving.items(), key=lambda item: (-item[1], item[0]))),
                stalled_examples=tuple(counts.stalled_examples),
            )
        )
    return tuple(figures)


def _histogram(bounds: tuple[timedelta, ...], visits: list[int]) -> tuple[DwellBucket, ...]:
    lows = (timedelta(0), *bounds)
    highs: tuple[timedelta | None, ...] = (*bounds, None)
    return tuple(DwellBucket(*bucket) for bucket in zip(lows, highs, visits, strict=True))


def _routes(counts: Counter[Route]) -> dict[Route, int]:
    return {route: counts[route] for route in ROUTES}


def _phases(tally: Tally) -> tuple[PhaseFigures, ...]:
    """The phases that have a stage, in order: a phase no stage is in has no funnel step."""
    model = tally.plan.model
    used = {stage.phase for stage in model.stages.values()}
    figures = []
    previous: int | None = None
    for number, phase in enumerate(model.phases):
        if phase not in used:
            continue
        reached = sum(n for index, n in tally.furthest_phase.items() if index >= number)
        figures.append(
            PhaseFigures(
                phase=phase,
                entered=tally.phase_entered[phase],
                reached=reached,
                in_now=tally.phase_in_now[phase],
                step_conversion=_share(reached, tally.customers if previous is None else previous),
                overall_conversion=_share(reached, tally.customers),
            )
        )
        previous = reached
    return tuple(figures)


def _flows(tally: Tally, top: int) -> Flows:
    stages = list(tally.plan.model.stages)
    moves: dict[str, dict[str, int]] = {}
    for source in stages:
        row = {
            target: tally.moves[source, target] for target in stages if tally.moves[source, target]
        }
        if row:
            moves[source] = row
    variants = sorted(tally.variants.items(), key=lambda item: (-item[1], item[0]))[:top]
    return Flows(
        entries={name: tally.entries[name] for name in stages if tally.entries[name]},
        moves=moves,
        variants=tuple(Variant(path, customers) for path, customers in variants),
    )


def _goals(tally: Tally) -> tuple[GoalFigures, ...]:
    figures = []
    for name, goal in tally.plan.model.goals.items():
        status = tally.goal_status[name]
        figures.append(
            GoalFigures(
                goal=name,
                stage=goal.stage,
                reached=status["reached"],
                missed=status["missed"],
                pending=status["pending"],
                reach_rate=_share(status["reached"], tally.customers),
                time_to_goal=tally.time_to_goal[name].summary(),
            )
        )
    return tuple(figures)


def _friction(tally: Tally) -> tuple[FrictionFigures, ...]:
    """Friction against the goal: its judged customers against the customers without it.

    Judged: the customers who had not reached the goal when the friction first happened.
    """
    customers = tally.customers
    figures = []
    for key, affected in tally.friction.items():
        kind, stage, to, rule = key
        examples = tuple(tally.friction_examples.get(key, ()))
        if tally.goal is None:
            figures.append(
                FrictionFigures(
                    kind,
                    stage,
                    to,
                    rule,
                    affected,
                    None,
                    None,
                    None,
                    None,
                    None,
                    examples=examples,
                )
            )
            continue
        judged = tally.friction_judged[key]
        reached = tally.friction_judged_goal[key]
        others = customers - affected
        others_reached = tally.reached_goal - tally.friction_goal[key]
        rate_without = _share(others_reached, others)
        figures.append(
            FrictionFigures(
                kind=kind,
                stage=stage,
                to=to,
                rule=rule,
                customers=affected,
                reached_goal=reached,
                goal_rate=_share(reached, judged),
                goal_rate_without=rate_without,
                odds_ratio=odds_ratio(
                    reached, judged - reached, others_reached, others - others_reached
                ),
                customers_lost=(
                    None if rate_without is None else max(0.0, judged * rate_without - reached)
                ),
                judged=judged,
                customers_without=others,
                examples=examples,
            )
        )
    figures.sort(
        key=lambda item: (
            -(item.customers_lost if item.customers_lost is not None else -math.inf),
            -item.customers,
            KIND_ORDER[item.kind],
            item.stage,
            item.label,
            item.to or "",
            item.rule or "",
        )
    )
    return tuple(figures)


def triggers(model: JourneyModel, stage: str) -> set[Feature]:
    """The features that trigger the stage's own ways out: no causes of leaving it.

    For each transition out of `stage` (its own and the `anywhere` ones): its touchpoints,
    their channels and event types, the event attributes their `where` tests, and what
    its `if` tests (`event.`/`customer.` paths, and the touchpoints `count.` and
    `stage_count.` count). An attribute is named by its first part (`event.product` for
    `product.category`), as features are.
    """
    found: set[Feature] = set()
    touchpoints: set[str] = set()
    for transition in (*model.stages[stage].transitions, *model.anywhere):
        touchpoints.update(transition.touchpoints)
        tree = transition.condition_tree
        for test in [] if tree is None else path_tests(tree):
            root, _, rest = test.path.partition(".")
            if root in ("count", "stage_count"):
                touchpoints.add(rest)
            elif root in ("event", "customer") and rest:
                found.add((f"{root}.{rest.partition('.')[0]}", ""))
    for name in touchpoints:
        touchpoint = model.touchpoints.get(name)
        if touchpoint is None:
            continue
        found.update({("touchpoint", name), ("channel", touchpoint.channel)})
        found.add(("event", touchpoint.event))
        if touchpoint.where_tree is not None:
            for test in path_tests(touchpoint.where_tree):
                found.add((f"event.{test.path.partition('.')[0]}", ""))
    return found


def _is_trigger(feature: Feature, found: set[Feature]) -> bool:
    """`feature` is one of `found`; an attribute (value "") stands for all its values."""
    return feature in found or (feature[0], "") in found


def _root_causes(tally: Tally, min_count: int) -> tuple[RootCause, ...]:
    """Per stage, the factors seen in enough visits with and without them.

    Triggers of the stage's own ways out are left out; conclusive ones come first, then
    the strongest.
    """
    model = tally.plan.model
    causes = []
    for name, counts in tally.stages.items():
        found = []
        excluded = triggers(model, name)
        for feature, (visits, moved_on) in counts.features.items():
            if _is_trigger(feature, excluded):
                continue
            visits_without = counts.judged - visits
            moved_on_without = counts.moved_on - moved_on
            if visits < min_count or visits_without < min_count:
                continue
            ratio = odds_ratio(
                moved_on, visits - moved_on, moved_on_without, visits_without - moved_on_without
            )
            assert ratio is not None  # both groups hold at least `min_count` visits
            examples = tuple(counts.examples[feature])
            found.append(
                RootCause(
                    name,
                    feature,
                    visits,
                    moved_on,
                    visits_without,
                    moved_on_without,
                    ratio,
                    examples,
                )
            )
        # Rounded so that ratios equal in exact arithmetic (2 and 1/2) tie on every platform
        # and fall back to the feature's order.
        found.sort(
            key=lambda cause: (
                not cause.conclusive,
                -round(abs(math.log(cause.odds_ratio.value)), 9),
                cause.feature,
            )
        )
        causes.extend(found)
    return tuple(causes)


def _trend(tally: Tally, as_of: datetime, every: str | None) -> Trend:
    """Snapshots at local midnights from the first visit on, then one at `as_of`.

    Only the days that start a period are visited, with the day-by-day changes up to each
    folded in on the way, so a monthly trend over centuries costs its snapshots, not its days.
    """
    model = tally.plan.model
    zone = tally.zone
    last = as_of.astimezone(zone).toordinal()
    first = min(tally.days, default=last + 1)
    period = every or _period_for(last - first)
    changes = sorted(tally.days.items())
    applied = 0
    running: Counter[str] = Counter()
    snapshots = []
    for day in _period_starts(first, last, period):
        while applied < len(changes) and changes[applied][0] <= day:
            running.update(changes[applied][1])
            applied += 1
        moment = datetime.combine(date.fromordinal(day), time(0), tzinfo=zone)
        if moment >= as_of:
            break
        snapshots.append(
            Snapshot(moment.astimezone(timezone.utc), _in_order(model.stages, running))
        )
    now = Counter({name: counts.in_now for name, counts in tally.stages.items()})
    snapshots.append(Snapshot(as_of, _in_order(model.stages, now)))
    return Trend(period, tuple(snapshots))


def _period_for(days: int) -> str:
    """Daily snapshots for up to two months of data, weekly up to two years, else monthly."""
    if days <= 62:
        return "day"
    if days <= 2 * 365:
        return "week"
    return "month"


def _period_starts(first: int, last: int, period: str) -> Iterator[int]:
    """The days (ordinals) from `first` to `last` that start a period: each day, Mondays, 1sts."""
    if period == "day":
        yield from range(first, last + 1)
    elif period == "week":
        yield from range(first + (-date.fromordinal(first).weekday()) % 7, last + 1, 7)
    else:
        start = date.fromordinal(first)
        month = start.year * 12 + start.month - 1 + (start.day > 1)  # months since year 0
        while (day := date(month // 12, month % 12 + 1, 1).toordinal()) <= last:
            yield day
            month += 1


def _in_order(stages: Iterable[str], counts: Counter[str]) -> dict[str, int]:
    return {name: counts[name] for name in stages if counts[name]}


def _attribution(tally: Tally, *, by_stage: bool) -> tuple[Attribution, ...]:
    """Removal effects per goal and label, largest first within each goal (and stage).

    Either of all the label's moves, or (`by_stage`) of its moves out of one stage at a
    time; goals and stages come in file order.
    """
    stages = list(tally.plan.model.stages)
    goals = list(tally.plan.model.goals)
    found = []
    for name, chain in tally.chains.items():
        base = chain.conversion()
        if base <= 0.0:
            continue
        for feature, moves in chain.labelled.items():
            scopes: list[str | None] = [None]
            if by_stage:
                left = {source for source, _ in moves if source in stages}
                scopes = [*sorted(left, key=stages.index)]
            for stage in scopes:
                carried = sum(n for (source, _), n in moves.items() if stage in (None, source))
                effect = 1.0 - chain.conversion(without=feature, out_of=stage) / base
                found.append(Attribution(name, feature, carried, max(0.0, effect), stage))
    found.sort(
        key=lambda item: (
            goals.index(item.goal),
            -1 if item.stage is None else stages.index(item.stage),
            -item.removal_effect,
            item.feature,
        )
    )
    return tuple(found)

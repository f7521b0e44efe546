"""The analysis report: plain frozen values with `to_dict()`, and DataFrames on request."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, NamedTuple

import attrs

from customer_journey._arguments import check_name
from customer_journey._batch import ReplayTotals
from customer_journey._suggest import did_you_mean
from customer_journey._timestamps import format_timestamp
from customer_journey.analytics._observe import Feature, Route, describe_feature
from customer_journey.analytics._stats import OddsRatio, Summary
from customer_journey.errors import ArgumentError
from customer_journey.readers import Rejection

if TYPE_CHECKING:
    import pandas

__all__ = [
    "Analysis",
    "Attribution",
    "DwellBucket",
    "Flows",
    "FrictionFigures",
    "GoalFigures",
    "PhaseFigures",
    "RootCause",
    "Snapshot",
    "StageFigures",
    "Trend",
    "Variant",
    "check_known",
    "unknown_name",
]


def unknown_name(kind: str, name: str, known: list[str]) -> str:
    """`unknown goal 'x'` with the closest name, or the names there are, as a hint."""
    listed = ", ".join(f"'{item}'" for item in known)
    hint = did_you_mean(name, known) or (
        f"the journey's {kind}s are {listed}" if known else f"the journey has no {kind}s"
    )
    return f"unknown {kind} '{name}'; {hint}"


def check_known(kind: str, value: object, known: list[str]) -> str:
    """A goal or stage name given as an argument: text, and one the journey has.

    Raises:
        ArgumentError: it is not text, or not one of `known`.
    """
    name = check_name(kind, value, f"the name of one of the journey's {kind}s")
    if name not in known:
        raise ArgumentError(unknown_name(kind, name, known))
    return name


def _ratio(value: OddsRatio | None) -> dict[str, Any] | None:
    return None if value is None else value.to_dict()


def _seconds(value: timedelta | None) -> float | None:
    return None if value is None else value.total_seconds()


class DwellBucket(NamedTuple):
    """Completed visits that lasted longer than `low` and at most `high` (None: no limit)."""

    low: timedelta
    high: timedelta | None
    visits: int

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready mapping with a stable key order."""
        return {
            "low_seconds": self.low.total_seconds(),
            "high_seconds": _seconds(self.high),
            "visits": self.visits,
        }


@attrs.frozen
class StageFigures:
    """Funnel, drop-off and dwell time of one stage.

    Customers are counted once per stage however often they entered it; visits count
    every stay. The counts balance: `entered == in_now + sum(left.values())` and
    `visits == in_now + sum(exits.values())`.

    Attributes:
        stage, phase: the stage and its phase (None outside the lifecycle).
        entered: customers who ever entered the stage.
        visits: stays in the stage (a customer who came back twice counts twice).
        reached: customers who got at least this far in the funnel: entered this stage
            or a later stage with a phase (None for stages outside the lifecycle).
        in_now: customers in the stage as of `as_of`.
        stalled_now: of those, customers in it longer than its expected duration.
        left: customers not in the stage now, by how their last visit to it ended.
        exits: visits that ended, by how they ended.
        step_conversion: `reached / reached of the previous lifecycle stage`.
        overall_conversion: `reached / customers` (for stages outside the lifecycle,
            `entered / customers`).
        dwell: how long completed visits lasted.
        ongoing: how long the visits still going on have lasted so far.
        expected_duration: the stage's expected duration, if declared.
        over_expected: completed visits that lasted longer than the expected duration.
        dwell_histogram: completed visits by how long they lasted, in buckets at 1/4,
            1/2, 1, 2 and 4 times the expected duration (the buckets from 1 on add up to
            `over_expected`), or at 1h, 6h, 1d, 3d, 7d, 30d and 90d without one.
    """

    stage: str
    phase: str | None
    entered: int
    visits: int
    reached: int | None
    in_now: int
    stalled_now: int
    left: Mapping[Route, int]
    exits: Mapping[Route, int]
    step_conversion: float | None
    overall_conversion: float | None
    dwell: Summary
    ongoing: Summary
    expected_duration: timedelta | None
    over_expected: int
    dwell_histogram: tuple[DwellBucket, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready mapping with a stable key order."""
        return {
            "stage": self.stage,
            "phase": self.phase,
            "entered": self.entered,
            "visits": self.visits,
            "reached": self.reached,
            "in_now": self.in_now,
            "stalled_now": self.stalled_now,
            "left": dict(self.left),
            "exits": dict(self.exits),
            "step_conversion": self.step_conversion,
            "overall_conversion": self.overall_conversion,
            "dwell": self.dwell.to_dict(),
            "ongoing": self.ongoing.to_dict(),
            "expected_duration_seconds": _seconds(self.expected_duration),
            "over_expected": self.over_expected,
            "dwell_histogram": [bucket.to_dict() for bucket in self.dwell_histogram],
        }


@attrs.frozen
class PhaseFigures:
    """The funnel by lifecycle phase (stages outside the lifecycle are left out).

    Attributes:
        phase: the phase.
        entered: customers who ever entered one of its stages.
        reached: customers who got at least this far: entered a stage of this phase or
            of a later one.
        in_now: customers in one of its stages as of `as_of`.
        step_conversion: `reached / reached of the previous phase`.
        overall_conversion: `reached / customers`.
    """

    phase: str
    entered: int
    reached: int
    in_now: int
    step_conversion: float | None
    overall_conversion: float | None

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready mapping with a stable key order."""
        return attrs.asdict(self)


class Variant(NamedTuple):
    """A path taken by several customers: the stages they entered, in order."""

    path: tuple[str, ...]
    customers: int

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready mapping with a stable key order."""
        return {"path": list(self.path), "customers": self.customers}


@attrs.frozen
class Flows:
    """Stage-to-stage movement.

    Attributes:
        entries: stage -> customers an entry touchpoint placed there.
        moves: from stage -> to stage -> moves (a visit ending and the next starting).
            Each row sums to the stage's exits; each column, plus the entries, to the
            visits of the stage it leads to.
        variants: the most common paths, most customers first (ties by path).
    """

    entries: Mapping[str, int]
    moves: Mapping[str, Mapping[str, int]]
    variants: tuple[Variant, ...]

    def share(self, source: str, target: str) -> float | None:
        """The share of the moves out of `source` that went to `target`."""
        row = self.moves.get(source, {})
        total = sum(row.values())
        return None if total == 0 else row.get(target, 0) / total

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready mapping with a stable key order."""
        return {
            "entries": dict(self.entries),
            "moves": {source: dict(row) for source, row in self.moves.items()},
            "shares": {
                source: {target: self.share(source, target) for target in row}
                for source, row in self.moves.items()
            },
            "variants": [variant.to_dict() for variant in self.variants],
        }


@attrs.frozen
class GoalFigures:
    """How many customers reached a goal, and how long it took them.

    Attributes:
        goal, stage: the goal and the stage it reaches.
        reached, missed, pending: customers by goal status as of `as_of`.
        reach_rate: `reached / customers`.
        time_to_goal: from entering the journey to reaching the goal, for those who did.
    """

    goal: str
    stage: str
    reached: int
    missed: int
    pending: int
    reach_rate: float | None
    time_to_goal: Summary

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready mapping with a stable key order."""
        return {
            "goal": self.goal,
            "stage": self.stage,
            "reached": self.reached,
            "missed": self.missed,
            "pending": self.pending,
            "reach_rate": self.reach_rate,
            "time_to_goal": self.time_to_goal.to_dict(),
        }


@attrs.frozen
class FrictionFigures:
    """One kind of friction, and what it costs in goal reach.

    Attributes:
        kind, stage, label: the friction point, as in each customer's results.
        customers: customers who have it.
        reached_goal: of those, customers who reached the analysis goal.
        goal_rate: `reached_goal / customers`.
        goal_rate_without: the goal rate of the customers without this friction.
        odds_ratio: odds of reaching the goal with this friction against without it
            (below 1: worse), with its 95% interval.
        customers_lost: `customers · goal_rate_without - reached_goal`: how many more
            would have reached the goal at the rate of those without it.
    """

    kind: str
    stage: str
    label: str
    customers: int
    reached_goal: int | None
    goal_rate: float | None
    goal_rate_without: float | None
    odds_ratio: OddsRatio | None
    customers_lost: float | None

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready mapping with a stable key order."""
        return {
            "kind": self.kind,
            "stage": self.stage,
            "label": self.label,
            "customers": self.customers,
            "reached_goal": self.reached_goal,
            "goal_rate": self.goal_rate,
            "goal_rate_without": self.goal_rate_without,
            "odds_ratio": _ratio(self.odds_ratio),
            "customers_lost": self.customers_lost,
        }


@attrs.frozen
class RootCause:
    """Something seen during visits to a stage, and how it goes with moving on.

    Attributes:
        stage: the stage.
        feature: (kind, value), e.g. ("touchpoint", "pricing_view") or
            ("customer.segment", "vip").
        visits, moved_on: judged visits with the feature, and how many of them moved on.
        visits_without, moved_on_without: the same for visits without it.
        odds_ratio: odds of moving on with the feature against without (above 1: helps).
    """

    stage: str
    feature: Feature
    visits: int
    moved_on: int
    visits_without: int
    moved_on_without: int
    odds_ratio: OddsRatio

    @property
    def label(self) -> str:
        """The feature in a marketer's words."""
        return describe_feature(self.feature)

    @property
    def rate(self) -> float:
        """The share of visits with the feature that moved on."""
        return self.moved_on / self.visits

    @property
    def rate_without(self) -> float:
        """The share of visits without the feature that moved on."""
        return self.moved_on_without / self.visits_without

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready mapping with a stable key order."""
        return {
            "stage": self.stage,
            "feature": self.label,
            "kind": self.feature[0],
            "value": self.feature[1],
            "visits": self.visits,
            "moved_on": self.moved_on,
            "rate": self.rate,
            "visits_without": self.visits_without,
            "moved_on_without": self.moved_on_without,
            "rate_without": self.rate_without,
            "odds_ratio": self.odds_ratio.to_dict(),
        }


class Snapshot(NamedTuple):
    """Customers per stage at one moment (stages nobody is in are left out)."""

    at: datetime
    stages: Mapping[str, int]

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready mapping with a stable key order."""
        return {"at": format_timestamp(self.at), "stages": dict(self.stages)}


@attrs.frozen
class Trend:
    """The stage distribution at regular snapshots, ending with the one at `as_of`.

    Attributes:
        every: `day`, `week` (Mondays) or `month` (the 1st); snapshots are taken at
            midnight in the journey's timezone.
        snapshots: oldest first.
    """

    every: str
    snapshots: tuple[Snapshot, ...]

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready mapping with a stable key order."""
        return {"every": self.every, "snapshots": [shot.to_dict() for shot in self.snapshots]}


@attrs.frozen
class Attribution:
    """How much a touchpoint, channel or action contributes to reaching a goal.

    Attributes:
        goal: the goal.
        feature: ("touchpoint" | "channel" | "action", name).
        moves: moves in customers' paths that carried it (out of `stage`, if given).
        removal_effect: the share of conversions lost without those moves (0 to 1).
        stage: the stage the moves leave, or None for moves anywhere (entries included).
    """

    goal: str
    feature: Feature
    moves: int
    removal_effect: float
    stage: str | None = None

    @property
    def label(self) -> str:
        """The feature in a marketer's words."""
        return describe_feature(self.feature)

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready mapping with a stable key order."""
        return {
            "goal": self.goal,
            "stage": self.stage,
            "kind": self.feature[0],
            "name": self.feature[1],
            "moves": self.moves,
            "removal_effect": self.removal_effect,
        }


@attrs.frozen
class Analysis:
    """Journey analytics for many customers as of one moment.

    Attributes:
        journey: the journey's identifier.
        as_of: the moment everything is judged at.
        goal: the goal friction ranking is judged against (None without goals).
        customers: customers in the journey as of `as_of`.
        outside: customers with events but no entry touchpoint yet.
        stages: per stage, in file order: funnel, drop-off, dwell time.
        phases: the funnel per lifecycle phase.
        flows: the transition matrix and the most common paths.
        goals: per goal: reach rate and time to goal.
        friction: friction ranked by customers lost (most first).
        root_causes: per stage, what goes with moving on, strongest first in each
            direction (the odds ratio furthest from 1, on a log scale).
        trend: the stage distribution over time.
        conversion: goal -> the chance a customer reaches it, from the Markov chain.
        attribution: removal effects per goal, largest first.
        stage_attribution: removal effects per goal and stage left, largest first: which
            touchpoints and actions, in each stage, most lead on to each goal.
        next_actions: action -> customers for whom it is the best action now; customers
            with none are counted under None.
        by: what the groups are split by (None when not split).
        groups: group value -> the same analysis for that group's customers.
        totals: what happened to every record (None inside a group).
        rejections: records that could not become events.
    """

    journey: str
    as_of: datetime
    goal: str | None
    customers: int
    outside: int
    stages: tuple[StageFigures, ...]
    phases: tuple[PhaseFigures, ...]
    flows: Flows
    goals: tuple[GoalFigures, ...]
    friction: tuple[FrictionFigures, ...]
    root_causes: tuple[RootCause, ...]
    trend: Trend
    conversion: Mapping[str, float]
    attribution: tuple[Attribution, ...]
    stage_attribution: tuple[Attribution, ...]
    next_actions: Mapping[str | None, int]
    by: str | None = None
    groups: Mapping[str, Analysis] = attrs.Factory(dict)
    totals: ReplayTotals | None = None
    rejections: tuple[Rejection, ...] = ()

    def stage(self, name: str) -> StageFigures:
        """The figures of one stage.

        Raises:
            ArgumentError: `name` is not text.
            KeyError: the journey has no such stage (with the closest one as a hint).
        """
        check_name("name", name, "the name of one of the journey's stages")
        for figures in self.stages:
            if figures.stage == name:
                return figures
        raise KeyError(unknown_name("stage", name, [figures.stage for figures in self.stages]))

    def action_weights(
        self, goal: str | None = None, *, stage: str | None = None
    ) -> dict[str, float]:
        """Weights for ranking actions by evidence: `1 + removal effect` per action.

        Pass them to `Journey.next_best_actions(..., weights=)`: an action whose removal
        would lose 30% of `goal`'s (default: the analysis goal's) conversions ranks as if
        its priority were 1.3 times higher. With `stage`, only the effect of actions
        performed in that stage counts. Actions without evidence keep weight 1.

        Raises:
            ArgumentError: `goal` or `stage` is not one of the journey's (with the closest
                one as a hint).
        """
        if goal is not None:
            check_known("goal", goal, [figures.goal for figures in self.goals])
        if stage is not None:
            check_known("stage", stage, [figures.stage for figures in self.stages])
        wanted = goal if goal is not None else self.goal
        rows = self.attribution if stage is None else self.stage_attribution
        return {
            item.feature[1]: 1.0 + item.removal_effect
            for item in rows
            if item.goal == wanted and item.stage == stage and item.feature[0] == "action"
        }

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready mapping with a stable key order."""
        return {
            "journey": self.journey,
            "as_of": format_timestamp(self.as_of),
            "goal": self.goal,
            "customers": self.customers,
            "outside": self.outside,
            "totals": None if self.totals is None else self.totals.to_dict(),
            "rejections": [rejection.to_dict() for rejection in self.rejections],
            "stages": [figures.to_dict() for figures in self.stages],
            "phases": [figures.to_dict() for figures in self.phases],
            "flows": self.flows.to_dict(),
            "goals": [figures.to_dict() for figures in self.goals],
            "friction": [figures.to_dict() for figures in self.friction],
            "root_causes": [cause.to_dict() for cause in self.root_causes],
            "trend": self.trend.to_dict(),
            "conversion": dict(self.conversion),
            "attribution": [item.to_dict() for item in self.attribution],
            "stage_attribution": [item.to_dict() for item in self.stage_attribution],
            "next_actions": [
                {"action": action, "customers": customers}
                for action, customers in self.next_actions.items()
            ],
            "by": self.by,
            "groups": {value: group.to_dict() for value, group in self.groups.items()},
        }

    def to_json(self, *, indent: int | None = 2) -> str:
        """The report as JSON text (`to_dict()`, keys in a stable order)."""
        return json.dumps(self.to_dict(), indent=indent, ensure_ascii=False)

    def _repr_html_(self) -> str:
        """A compact HTML view for notebooks: summary, funnel, goals, next actions."""
        from customer_journey.render._report import analysis_html  # noqa: PLC0415

        return analysis_html(self)

    def to_frames(self) -> dict[str, pandas.DataFrame]:
        """The report's tables as pandas DataFrames (needs the `pandas` extra).

        Keys: `stages`, `dwell_histogram`, `phases`, `moves`, `variants`, `goals`,
        `friction`, `root_causes`, `trend`, `attribution`, `stage_attribution`,
        `next_actions`. With groups, each table has a first column named after `by`.

        Raises:
            MissingDependencyError: pandas is not installed.
        """
        from customer_journey.analytics._frames import frames_of  # noqa: PLC0415

        return frames_of(self)

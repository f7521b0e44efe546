"""The figures of an analysis: plain frozen values with `to_dict()`, one per table."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any, NamedTuple

import attrs

from customer_journey._facts import FrictionFacts, FrictionKind, Route
from customer_journey._timestamps import format_timestamp
from customer_journey.analytics._observe import Feature, describe_feature
from customer_journey.analytics._stats import OddsRatio, Summary, is_conclusive

__all__ = [
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
]


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
        leaving: exits by how they left: the touchpoint that moved the visit on, or
            `(timeout)`; most first. These triggers of the stage's own transitions are
            left out of its root causes: they are how customers leave, not why.
        stalled_examples: the smallest ids (at most `EXAMPLES`) of the customers stalled
            in the stage as of `as_of`.
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
    leaving: Mapping[str, int] = attrs.Factory(dict)
    stalled_examples: tuple[str, ...] = ()

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
            "leaving": dict(self.leaving),
            "stalled_examples": list(self.stalled_examples),
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
class FrictionFigures(FrictionFacts):
    """One kind of friction, and what it costs in goal reach.

    Only customers who had not reached the goal when the friction first happened are
    judged: a friction after the goal cannot have cost it. So `customers_lost` is never
    negative; a friction whose judged customers reach the goal more often than those
    without it `goes_with_higher_goal_rate` and loses 0.

    Attributes:
        kind, stage, to, rule: the friction point, as in each customer's results.
        customers: customers who have it.
        reached_goal: of the judged customers, those who reached the analysis goal.
        goal_rate: `reached_goal / judged`.
        goal_rate_without: the goal rate of the customers without this friction.
        odds_ratio: odds of reaching the goal with this friction (judged customers)
            against without it (below 1: worse), with its 95% interval.
        customers_lost: `max(0, judged · goal_rate_without - reached_goal)`: how many
            more would have reached the goal at the rate of those without it.
        judged: customers with it who had not reached the goal before it first happened.
        customers_without: customers without it (0 without a goal).
        examples: the smallest ids (at most `EXAMPLES`) of the customers who have it.
    """

    kind: FrictionKind
    stage: str
    to: str | None
    rule: str | None
    customers: int
    reached_goal: int | None
    goal_rate: float | None
    goal_rate_without: float | None
    odds_ratio: OddsRatio | None
    customers_lost: float | None
    judged: int | None = None
    customers_without: int = 0
    examples: tuple[str, ...] = ()

    @property
    def goes_with_higher_goal_rate(self) -> bool:
        """Its judged customers reach the goal more often than the customers without it."""
        rate, without = self.goal_rate, self.goal_rate_without
        return rate is not None and without is not None and rate > without

    @property
    def conclusive(self) -> bool:
        """Enough customers on both sides, and a narrow enough interval (`is_conclusive`)."""
        return is_conclusive(self.odds_ratio, self.judged or 0, self.customers_without)

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready mapping with a stable key order."""
        return {
            "kind": self.kind,
            "stage": self.stage,
            "label": self.label,
            "customers": self.customers,
            "judged": self.judged,
            "reached_goal": self.reached_goal,
            "goal_rate": self.goal_rate,
            "goal_rate_without": self.goal_rate_without,
            "odds_ratio": _ratio(self.odds_ratio),
            "conclusive": self.conclusive,
            "customers_lost": self.customers_lost,
            "goes_with_higher_goal_rate": self.goes_with_higher_goal_rate,
            "examples": list(self.examples),
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
        examples: the smallest ids (at most `EXAMPLES`) of the customers with the
            feature in a judged visit to the stage.
    """

    stage: str
    feature: Feature
    visits: int
    moved_on: int
    visits_without: int
    moved_on_without: int
    odds_ratio: OddsRatio
    examples: tuple[str, ...] = ()

    @property
    def conclusive(self) -> bool:
        """Enough visits on both sides, and a narrow enough interval (`is_conclusive`)."""
        return is_conclusive(self.odds_ratio, self.visits, self.visits_without)

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
            "conclusive": self.conclusive,
            "examples": list(self.examples),
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

"""The analysis report: `Analysis`, its figures' tables, JSON and DataFrames on request."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any

import attrs

from customer_journey import _display
from customer_journey._arguments import check_name
from customer_journey._runner import ReplayTotals
from customer_journey._suggest import did_you_mean
from customer_journey._timestamps import format_timestamp
from customer_journey.analytics._lift import ExperimentFigures
from customer_journey.analytics._report import (
    Attribution,
    Flows,
    FrictionFigures,
    GoalFigures,
    PhaseFigures,
    RootCause,
    StageFigures,
    Trend,
)
from customer_journey.errors import ArgumentError
from customer_journey.readers import Rejection

if TYPE_CHECKING:
    import pandas

__all__ = ["Analysis", "check_known", "unknown_name"]


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
        phases: the funnel per lifecycle phase, phases without a stage left out.
        flows: the transition matrix and the most common paths.
        goals: per goal: reach rate and time to goal.
        friction: friction ranked by customers lost (most first).
        root_causes: per stage, what goes with moving on, the triggers of the stage's
            own transitions left out (`StageFigures.leaving` says how customers leave);
            conclusive ones first, then strongest first (the odds ratio furthest from 1,
            on a log scale).
        trend: the stage distribution over time.
        conversion: goal -> the chance a customer reaches it, from the Markov chain.
        attribution: removal effects per goal, largest first.
        stage_attribution: removal effects per goal and stage left, largest first: which
            touchpoints and actions, in each stage, most lead on to each goal.
        next_actions: action -> customers for whom it is the best action now; customers
            with none are counted under None.
        experiments: per experiment, in file order: each arm's customers, its reach of
            each goal and its lift over the reference arm (empty without experiments).
        by: what the groups are split by (None when not split).
        groups: group value -> the same analysis for that group's customers.
        totals: what happened to every record (None inside a group).
        rejections: records that could not become events.
        timezone: the journey's IANA timezone, for times shown to people (`format_local`).
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
    experiments: tuple[ExperimentFigures, ...] = ()
    by: str | None = None
    groups: Mapping[str, Analysis] = attrs.Factory(dict)
    totals: ReplayTotals | None = None
    rejections: tuple[Rejection, ...] = ()
    timezone: str = "UTC"

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
            "timezone": self.timezone,
            "goal": self.goal,
            "customers": self.customers,
            "outside": self.outside,
            "totals": None if self.totals is None else self.totals.to_dict(),
            "rejections": [rejection.to_dict() for rejection in self.rejections],
            "stages": [figures.to_dict() for figures in self.stages],
            "phases": [figures.to_dict() for figures in self.phases],
            "flows": self.flows.to_dict(),
            "goals": [figures.to_dict() for figures in self.goals],
            "experiments": [figures.to_dict() for figures in self.experiments],
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

    def _repr_html_(self) -> str | None:
        """A compact HTML view for notebooks: summary, funnel, goals, next actions.

        Made by `customer_journey.render` (see `customer_journey._display`): None until it
        is imported, and Jupyter then shows the plain `repr`.
        """
        return _display.shown("analysis", "text/html", self)

    def to_frames(self) -> dict[str, pandas.DataFrame]:
        """The report's tables as pandas DataFrames (needs the `pandas` extra).

        Keys: `stages`, `dwell_histogram`, `phases`, `moves`, `variants`, `goals`,
        `friction`, `root_causes`, `trend`, `attribution`, `stage_attribution`,
        `next_actions`, `experiments` (a row per experiment, arm and goal: `customers`,
        `reached`, `rate` and the lift's `difference`, `low`, `high`, `p_value`, missing
        for the reference arm). Whole numbers stay whole (pandas' `Int64` where a value
        may be missing). With groups, each table has a first column named after `by`: the
        rows of every customer first, with `"(all)"` there, then each group's.

        Raises:
            MissingDependencyError: pandas is not installed.
        """
        from customer_journey.analytics._frames import frames_of  # noqa: PLC0415

        return frames_of(self)

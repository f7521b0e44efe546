"""What-if: the same history replayed through two versions of a journey, side by side."""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Sequence
from datetime import datetime
from typing import Any

import attrs

from customer_journey._arguments import check_flag, check_optional_time, check_records
from customer_journey._facts import FrictionFacts, FrictionKind
from customer_journey._timestamps import format_timestamp
from customer_journey.analytics._analysis import Analysis
from customer_journey.analytics._analyze import check_limits, resolve_goal, run_analysis
from customer_journey.analytics._build import KIND_ORDER
from customer_journey.engine import build_plan
from customer_journey.errors import UngroupedInputError
from customer_journey.journey import Input, Journey, check_journey, open_events
from customer_journey.readers import EventSource

__all__ = ["Comparison", "FrictionShift", "GoalShift", "StageChange", "StageShift", "compare"]

#: How many customers each `StageChange` names as examples.
EXAMPLES = 5


@attrs.frozen
class StageShift:
    """Customers in a stage as of `as_of` under each version (None: not in the journey)."""

    stage: str | None
    a: int
    b: int

    @property
    def difference(self) -> int:
        """`b - a`: positive when version b has more customers there."""
        return self.b - self.a

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready mapping with a stable key order."""
        return {"stage": self.stage, "a": self.a, "b": self.b, "difference": self.difference}


@attrs.frozen
class GoalShift:
    """A goal's reach under each version (rates over each version's customers)."""

    goal: str
    a_reached: int
    b_reached: int
    a_rate: float | None
    b_rate: float | None

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready mapping with a stable key order."""
        return attrs.asdict(self)


@attrs.frozen
class FrictionShift(FrictionFacts):
    """Customers with a friction point under each version.

    Attributes:
        kind, stage, to, rule: the friction point, as in each customer's results.
        a, b: customers who have it under each version.
    """

    kind: FrictionKind
    stage: str
    to: str | None
    rule: str | None
    a: int
    b: int

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready mapping with a stable key order."""
        return {
            "kind": self.kind,
            "stage": self.stage,
            "label": self.label,
            "a": self.a,
            "b": self.b,
            "difference": self.b - self.a,
        }


@attrs.frozen
class StageChange:
    """Customers who are in `a_stage` under version a and in `b_stage` under version b."""

    a_stage: str | None
    b_stage: str | None
    customers: int
    examples: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready mapping with a stable key order."""
        return {
            "a_stage": self.a_stage,
            "b_stage": self.b_stage,
            "customers": self.customers,
            "examples": list(self.examples),
        }


@attrs.frozen
class Comparison:
    """Two versions of a journey over the same history, as of the same moment.

    Attributes:
        as_of: the moment both are judged at.
        a, b: the full analysis under each version.
        stages: customers per stage now, stages of a in file order then those only b has.
        goals: goals both versions declare.
        friction: friction points either version shows, most changed first.
        changes: customers whose stage differs, by (a stage, b stage), most first.
        changed: how many customers are in a different stage.
    """

    as_of: datetime
    a: Analysis
    b: Analysis
    stages: tuple[StageShift, ...]
    goals: tuple[GoalShift, ...]
    friction: tuple[FrictionShift, ...]
    changes: tuple[StageChange, ...]
    changed: int

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready mapping with a stable key order."""
        return {
            "as_of": format_timestamp(self.as_of),
            "a": self.a.journey,
            "b": self.b.journey,
            "changed": self.changed,
            "stages": [shift.to_dict() for shift in self.stages],
            "goals": [shift.to_dict() for shift in self.goals],
            "friction": [shift.to_dict() for shift in self.friction],
            "changes": [change.to_dict() for change in self.changes],
        }


def compare(
    journey_a: Journey,
    journey_b: Journey,
    records: Input,
    as_of: datetime | str | None = None,
    *,
    top: int = 10,
    min_count: int = 20,
    strict: bool = False,
) -> Comparison:
    """Replay the same records through two versions of a journey and say what differs.

    `records` (mappings or events, an `EventSource`, or the path of a JSONL, CSV or
    Parquet file) is read with each journey's own field mapping, once per journey (twice
    for the first without an `as_of`), so it must be readable more than once: a list, a
    tuple or a file. The default `as_of` is the latest event time, as version a reads the
    records; a naive `as_of` is read in version a's timezone. `top`, `min_count` and
    `strict` mean what they mean for `analyze`.

    Raises:
        ArgumentError: `journey_a` or `journey_b` is not a `Journey`; `records` is a single
            record, not iterable, or holds an `Event` outside the years 1900 to 2999;
            `as_of` is not a time in those years; `top` or `min_count` is not a whole
            number in range, or `strict` not a bool; there are no events and no `as_of`.
        DataFileError: `records` names a file that cannot be read.
        UngroupedInputError: `records` is a one-shot stream.
    """
    check_journey("journey_a", journey_a)
    check_journey("journey_b", journey_b)
    check_records("records", records, files=True)
    check_limits(top, min_count)
    check_flag("strict", strict)
    moment = check_optional_time("as_of", as_of, journey_a.timezone)
    if not _rereadable(records):
        msg = (
            "compare reads the records once for each version of the journey; "
            "pass a list or a file, not a one-shot stream"
        )
        raise UngroupedInputError(msg)
    where: list[dict[str, str | None]] = []
    analyses = []
    for journey in (journey_a, journey_b):
        positions: dict[str, str | None] = {}
        source = open_events(journey, "records", records, strict=strict)
        goal = resolve_goal(journey, None)
        run, runs = run_analysis(
            build_plan(journey.model), source, moment, by=None, goal=goal, positions=positions
        )
        moment = run.as_of
        analyses.append(
            run.report(
                runs.totals,
                tuple(runs.source.report.rejections),
                every=None,
                top=top,
                min_count=min_count,
            )
        )
        where.append(positions)
    a, b = analyses
    assert moment is not None
    return Comparison(
        as_of=moment,
        a=a,
        b=b,
        stages=_stages(a, b),
        goals=_goals(a, b),
        friction=_friction(a, b),
        changes=_changes(*where),
        changed=sum(
            1
            for customer in where[0].keys() | where[1].keys()
            if where[0].get(customer) != where[1].get(customer)
        ),
    )


def _rereadable(records: Input) -> bool:
    if isinstance(records, EventSource):
        return records.reiterable
    return isinstance(records, (str, os.PathLike, Sequence))


def _stages(a: Analysis, b: Analysis) -> tuple[StageShift, ...]:
    now_a = {figures.stage: figures.in_now for figures in a.stages}
    now_b = {figures.stage: figures.in_now for figures in b.stages}
    names = list(now_a) + [name for name in now_b if name not in now_a]
    shifts = [StageShift(name, now_a.get(name, 0), now_b.get(name, 0)) for name in names]
    shifts.append(StageShift(None, a.outside, b.outside))
    return tuple(shifts)


def _goals(a: Analysis, b: Analysis) -> tuple[GoalShift, ...]:
    goals_b = {figures.goal: figures for figures in b.goals}
    return tuple(
        GoalShift(
            figures.goal,
            figures.reached,
            goals_b[figures.goal].reached,
            figures.reach_rate,
            goals_b[figures.goal].reach_rate,
        )
        for figures in a.goals
        if figures.goal in goals_b
    )


def _friction(a: Analysis, b: Analysis) -> tuple[FrictionShift, ...]:
    counts_a = {figures.key: figures.customers for figures in a.friction}
    counts_b = {figures.key: figures.customers for figures in b.friction}
    shifts = [
        FrictionShift(*key, counts_a.get(key, 0), counts_b.get(key, 0))
        for key in counts_a.keys() | counts_b.keys()
    ]
    shifts.sort(
        key=lambda shift: (
            -abs(shift.b - shift.a),
            KIND_ORDER[shift.kind],
            shift.stage,
            shift.label,
        )
    )
    return tuple(shifts)


def _changes(
    where_a: dict[str, str | None], where_b: dict[str, str | None]
) -> tuple[StageChange, ...]:
    moved: Counter[tuple[str | None, str | None]] = Counter()
    examples: dict[tuple[str | None, str | None], list[str]] = {}
    for customer in sorted(where_a.keys() | where_b.keys()):
        pair = (where_a.get(customer), where_b.get(customer))
        if pair[0] == pair[1]:
            continue
        moved[pair] += 1
        named = examples.setdefault(pair, [])
        if len(named) < EXAMPLES:
            named.append(customer)
    order = sorted(
        moved.items(),
        key=lambda item: (
            -item[1],
            item[0][0] is None,
            item[0][0] or "",
            item[0][1] is None,
            item[0][1] or "",
        ),
    )
    return tuple(StageChange(a, b, count, tuple(examples[a, b])) for (a, b), count in order)

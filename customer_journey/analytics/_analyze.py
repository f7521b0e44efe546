"""`analyze`: replay every customer through the runner, count each one and forget them.

Customers come one at a time from `customer_journey._runner.Runs`, replayed with a trace;
each is counted into the tallies and forgotten, so memory does not grow with the number of
events. The tallies need `as_of` before the first customer, so without one the runner
finds the default (the latest event time) in a first pass, and the input must be readable
twice. When customers' records turn out not to be together, the runner starts over and the
tallies are started afresh.

With workers, each process counts its share of a file's customers (`_workers`) and sends
its tallies back; the tallies merge exactly, so the analysis is the one-process one.
`count_part` and `merge_parts` do the same for shares counted anywhere (Spark's
partitions): each share an `AnalysisPart`, merged into the `Analysis`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from operator import attrgetter

import attrs

from customer_journey._arguments import check_count, check_flag, check_optional_time, shown
from customer_journey._runner import ReplayTotals, Runner, Runs
from customer_journey.analytics._analysis import Analysis, check_known
from customer_journey.analytics._build import EVERY, build_analysis
from customer_journey.analytics._by import check_by, group_of
from customer_journey.analytics._observe import channels_of, observe
from customer_journey.analytics._tally import Tally
from customer_journey.analytics._workers import (
    Failure,
    FileInput,
    Share,
    count_workers,
    path_of,
    run_in_processes,
)
from customer_journey.engine import CustomerState, ReplayPlan, build_plan
from customer_journey.errors import ArgumentError
from customer_journey.journey import Input, Journey, check_journey, loads, open_events
from customer_journey.readers import EventSource, Rejection

__all__ = [
    "AnalysisPart",
    "AnalysisRun",
    "analyze",
    "analyze_source",
    "check_limits",
    "check_options",
    "count_part",
    "merge_parts",
    "resolve_goal",
    "run_analysis",
]

#: The fields of `ReplayTotals`, in order: each is summed over the shares.
_TOTALS = tuple(field.name for field in attrs.fields(ReplayTotals))


def analyze(
    journey: Journey,
    records: Input,
    as_of: datetime | str | None = None,
    *,
    by: str | None = None,
    goal: str | None = None,
    every: str | None = None,
    top: int = 10,
    min_count: int = 20,
    strict: bool = False,
    workers: int | None = None,
) -> Analysis:
    """Journey analytics for every customer in `records`, as of `as_of`.

    Args:
        journey: the journey to replay the customers through.
        records: mappings or events in any order, an `EventSource`, or the path of a
            JSONL, CSV or Parquet file (read with `journey.read_events`).
        as_of: the moment to judge at; default the latest event time in `records` (which
            then must be readable twice: a list or a file). A naive datetime is read in
            the journey's timezone.
        by: split every figure by `first_channel` (the channel of the touchpoint that
            placed the customer in the journey), by a trait (`customer.segment`) or by
            the arms of an experiment (`experiment.global_holdout`).
        goal: the goal friction is judged against; default the journey's first goal.
        every: trend snapshots every `day`, `week` or `month`; default by the span of the
            data (daily up to two months, weekly up to two years).
        top: how many path variants to list (0 or more).
        min_count: root causes need at least this many judged visits with the factor and
            as many without it (1 or more).
        strict: raise at the first bad record instead of rejecting it.
        workers: how many processes count the customers of a file, each its share by a
            hash of the customer id; the analysis is the same for any number. Default:
            one per core for a file of 1 MiB or more, else 1. Records in memory, an
            `EventSource` and a journey without its text (`from_mapping`) are counted in
            this process whatever the number.

    Raises:
        ArgumentError: `journey` is not a `Journey`; `records` is a single record, not
            iterable, or holds an `Event` outside the years 1900 to 2999; `as_of` is not a
            time in those years; `by`, `goal` or `every` is not one the journey allows;
            `top`, `min_count` or `workers` is not a whole number in range, or `strict`
            not a bool; there are no events and no `as_of`.
        DataFileError: `records` names a file that cannot be read.
        UngroupedInputError: a one-shot stream without `as_of`, or one that revisits a
            customer.
    """
    check_journey("journey", journey)
    goal = resolve_goal(journey, goal)
    check_options(journey, by, every, top, min_count)
    moment = check_optional_time("as_of", as_of, journey.timezone)
    strict = check_flag("strict", strict)
    path = path_of(records)
    processes = count_workers(workers, path)
    source = open_events(journey, "records", records, strict=strict)
    file = None if path is None or not source.reiterable else FileInput.of(path, source)
    return analyze_source(
        journey,
        source,
        moment,
        file=file,
        strict=strict,
        by=by,
        goal=goal,
        every=every,
        top=top,
        min_count=min_count,
        workers=processes,
    )


def analyze_source(
    journey: Journey,
    source: EventSource,
    as_of: datetime | None,
    *,
    file: FileInput | None,
    strict: bool,
    by: str | None,
    goal: str | None,
    every: str | None,
    top: int,
    min_count: int,
    workers: int,
) -> Analysis:
    """`analyze` with its arguments checked: in `workers` processes when `source` is `file`.

    A source that is no file (`file` None), and a journey without its text, are counted
    in this process. `goal` None is the journey's first goal.
    """
    goal = resolve_goal(journey, goal)
    if workers > 1 and file is not None and journey.text is not None:
        tasks = [
            _Task(journey.text, journey.source, file, strict, as_of, by, goal, part, workers)
            for part in range(workers)
        ]
        parts = run_in_processes(_count_part, tasks)
        run, totals, rejections = _merged(journey, parts, by=by, goal=goal)
    else:
        run, runs = run_analysis(build_plan(journey.model), source, as_of, by=by, goal=goal)
        totals, rejections = runs.totals, tuple(runs.source.report.rejections)
    return run.report(totals, rejections, every=every, top=top, min_count=min_count)


def check_options(
    journey: Journey, by: object, every: object, top: object, min_count: object
) -> None:
    """Refuse a `by`, `every`, `top` or `min_count` that `analyze` cannot use, up front.

    Raises:
        ArgumentError: one is not what `analyze` takes for `journey`.
    """
    _check_every(every)
    check_by(journey, by)
    check_limits(top, min_count)


def _check_every(every: object) -> None:
    """`every` is None or a trend step: `day`, `week` or `month`."""
    if every is not None and every not in EVERY:
        msg = f"'every' must be day, week or month (got {shown(every)})"
        raise ArgumentError(msg)


def check_limits(top: object, min_count: object) -> None:
    """`top` is 0 or more; `min_count` at least 1, since both groups of a cause need visits.

    Raises:
        ArgumentError: either is not a whole number in range.
    """
    check_count("top", top, 0)
    check_count("min_count", min_count, 1)


def resolve_goal(journey: Journey, goal: str | None) -> str | None:
    """The goal friction is judged against: `goal`, or the journey's first goal.

    Raises:
        ArgumentError: `goal` is not text, or the journey has no such goal (with the
            closest one as a hint).
    """
    goals = list(journey.model.goals)
    if goal is None:
        return next(iter(goals), None)
    return check_known("goal", goal, goals)


class AnalysisRun:
    """The tallies of every customer counted: all of them, and one tally per group when split."""

    def __init__(
        self,
        runner: Runner,
        as_of: datetime,
        *,
        by: str | None,
        goal: str | None,
        positions: dict[str, str | None] | None = None,
    ) -> None:
        self.runner = runner
        self.plan = plan = runner.plan
        self.as_of = as_of
        self.by = by
        self.goal = goal
        self._channels = channels_of(plan.model)
        self.tally = Tally(plan, goal, self._channels)
        self.groups: dict[str, Tally] = {}
        self.positions = positions
        if positions is not None:
            positions.clear()

    def add(self, customer: str, state: CustomerState) -> None:
        """Count one customer, replayed as of `as_of` with a trace."""
        if state.stage is None:
            self.tally.outside += 1
            if self.positions is not None:
                self.positions[customer] = None
            return
        result = self.runner.describe(state, self.as_of)
        seen = observe(self.plan, result, state.traits, self._channels)
        if self.positions is not None:
            self.positions[customer] = result.stage
        self.tally.add(seen)
        if self.by is not None:
            key = group_of(self.by, seen, self._channels)
            group = self.groups.get(key)
            if group is None:
                group = self.groups[key] = Tally(self.plan, self.goal, self._channels)
            group.add(seen)

    def merge(self, tally: Tally, groups: dict[str, Tally]) -> None:
        """Add, in place, the tallies of other customers: all of them, and by group."""
        self.tally.merge(tally)
        for key, group in groups.items():
            mine = self.groups.get(key)
            if mine is None:
                mine = self.groups[key] = Tally(self.plan, self.goal, self._channels)
            mine.merge(group)

    def report(
        self,
        totals: ReplayTotals,
        rejections: tuple[Rejection, ...],
        *,
        every: str | None,
        top: int,
        min_count: int,
    ) -> Analysis:
        """The analysis of everything counted, with the input's totals and rejections."""
        whole = build_analysis(self.tally, self.as_of, every=every, top=top, min_count=min_count)
        groups = {
            key: build_analysis(
                self.groups[key], self.as_of, every=every, top=top, min_count=min_count
            )
            for key in sorted(self.groups)
        }
        return attrs.evolve(
            whole,
            by=self.by,
            groups=groups,
            totals=totals,
            rejections=rejections,
        )


def run_analysis(
    plan: ReplayPlan,
    source: EventSource,
    as_of: datetime | None,
    *,
    by: str | None,
    goal: str | None,
    positions: dict[str, str | None] | None = None,
) -> tuple[AnalysisRun, Runs]:
    """Count every customer of `source` as of `as_of` (default: its latest event time).

    Returns the tallies and the runs they were counted from (their `as_of` and totals).

    Raises:
        UngroupedInputError: the source cannot be read twice and has to be.
        ArgumentError: there are no events and no `as_of`, so no moment to judge at (the
            message names no argument: the command line says the same).
    """
    runner = Runner(plan, trace=True)
    runs = Runs(runner, source, as_of, find_as_of=True)
    if as_of is None and isinstance(source, Share):
        runs.as_of = source.latest  # the whole input's latest time, not the share's
    moment = runs.as_of
    if moment is None:
        msg = "there are no events to analyze and no as_of"
        raise ArgumentError(msg)
    run = AnalysisRun(runner, moment, by=by, goal=goal, positions=positions)
    for customer_run in runs:
        if customer_run is None:
            run = AnalysisRun(runner, moment, by=by, goal=goal, positions=positions)
        else:
            run.add(*customer_run)
    return run, runs


@attrs.frozen
class _Task:
    """What a worker process needs to count its share of the customers: plain data."""

    journey_text: str
    journey_source: str
    file: FileInput
    strict: bool
    as_of: datetime | None
    by: str | None
    goal: str | None
    part: int
    parts: int


@attrs.frozen
class AnalysisPart:
    """The customers of one share of an input counted, to be merged with the other shares.

    It pickles (the tallies leave their engine tables behind), so shares counted in other
    processes or on other machines can be merged where the analysis is wanted.

    Attributes:
        as_of: the moment the customers were judged at.
        by: what the groups are split by (None when not split).
        goal: the goal friction is judged against.
        tally: the counts of every customer of the share.
        groups: group value -> the counts of that group's customers.
        totals: what happened to the share's records.
        rejections: the share's records that could not become events.
    """

    as_of: datetime
    by: str | None
    goal: str | None
    tally: Tally = attrs.field(repr=False)
    groups: dict[str, Tally] = attrs.field(repr=False)
    totals: ReplayTotals
    rejections: tuple[Rejection, ...]


def count_part(
    journey: Journey,
    source: EventSource,
    as_of: datetime | None,
    *,
    by: str | None = None,
    goal: str | None = None,
) -> AnalysisPart:
    """Count the customers of `source`, one share of an input, for `merge_parts`.

    Every customer must be wholly in one share; `as_of` should be the whole input's
    moment (default: the latest event time of `source` alone).

    Raises:
        ArgumentError: `journey` is not a `Journey`; `source` not an `EventSource`
            (`Journey.events_from` or `read_events` make one); `by` or `goal` is not one
            the journey allows (an unknown experiment has the closest one as a hint);
            there are no events and no `as_of`.
        UngroupedInputError: a one-shot `source` without `as_of`, or one that revisits a
            customer.
    """
    check_journey("journey", journey)
    if not isinstance(source, EventSource):
        msg = f"'source' must be an EventSource (got {shown(source)})"
        raise ArgumentError(msg)
    goal = resolve_goal(journey, goal)
    check_by(journey, by)
    run, runs = run_analysis(build_plan(journey.model), source, as_of, by=by, goal=goal)
    rejections = tuple(source.report.rejections)
    return AnalysisPart(run.as_of, by, goal, run.tally, run.groups, runs.totals, rejections)


def merge_parts(
    journey: Journey,
    parts: Iterable[AnalysisPart],
    *,
    every: str | None = None,
    top: int = 10,
    min_count: int = 20,
) -> Analysis:
    """The analysis of every share's customers, as if counted in one pass.

    The totals are the shares' sums, and the rejections every share's, in row order.
    `every`, `top` and `min_count` are `analyze`'s.

    Raises:
        ArgumentError: `journey` is not a `Journey`; `parts` holds no `AnalysisPart`, or
            parts counted as of different moments, by different groups or goals;
            `every`, `top` or `min_count` is not one `analyze` allows.
    """
    check_journey("journey", journey)
    _check_every(every)
    check_limits(top, min_count)
    counted = list(parts)
    if not counted or not all(isinstance(part, AnalysisPart) for part in counted):
        msg = f"'parts' must be one or more AnalysisParts (got {shown(counted)})"
        raise ArgumentError(msg)
    first = counted[0]
    for part in counted:
        if (part.as_of, part.by, part.goal) != (first.as_of, first.by, first.goal):
            msg = (
                "'parts' must be counted as of one moment, by one group and goal "
                f"(got {first.as_of.isoformat()}, {first.by}, {first.goal} and "
                f"{part.as_of.isoformat()}, {part.by}, {part.goal})"
            )
            raise ArgumentError(msg)
    run, totals, rejections = _merged(journey, counted, by=first.by, goal=first.goal)
    return run.report(totals, rejections, every=every, top=top, min_count=min_count)


def _count_part(task: _Task) -> AnalysisPart | Failure:
    """In a worker process: count the customers of the task's share of the file.

    Every worker reads the whole file; only the first counts its records and rejections,
    so that the merged totals count each record once.
    """
    try:
        journey = loads(task.journey_text, source=task.journey_source)
        file = task.file
        events = journey.read_events(file.path, format=file.format, strict=task.strict)
        share = file.share(events, task.part, task.parts)
        part = count_part(journey, share, task.as_of, by=task.by, goal=task.goal)
        if task.part == 0:
            return part
        totals = attrs.evolve(part.totals, read=0, accepted=0, rejected=0)
        return attrs.evolve(part, totals=totals, rejections=())
    except Exception as error:  # raised again in the parent process
        return Failure.of(error)


def _merged(
    journey: Journey, parts: Sequence[object], *, by: str | None, goal: str | None
) -> tuple[AnalysisRun, ReplayTotals, tuple[Rejection, ...]]:
    """The shares merged into one run, with their totals summed and rejections in row order.

    Raises:
        Exception: the first error a worker carried back (a `Failure`), raised again.
    """
    for part in parts:
        if isinstance(part, Failure):
            raise part.rebuild()
    counted = [part for part in parts if isinstance(part, AnalysisPart)]
    run = AnalysisRun(
        Runner(build_plan(journey.model), trace=True), counted[0].as_of, by=by, goal=goal
    )
    for part in counted:
        run.merge(part.tally, part.groups)
    totals = ReplayTotals(
        *(sum(getattr(part.totals, name) for part in counted) for name in _TOTALS)
    )
    rejections = sorted(
        (rejection for part in counted for rejection in part.rejections),
        key=attrgetter("row"),
    )
    return run, totals, tuple(rejections)

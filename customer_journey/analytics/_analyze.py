"""`analyze`: read the events once (twice without an `as_of`), replay and count each customer.

Customers are taken one run of consecutive records at a time, replayed with a trace,
counted into the tallies and forgotten, so memory does not grow with the number of events.
The default `as_of` is the latest event time of the whole input, which is known only at
the end: without an `as_of`, a first pass finds it (and the customers whose records are not
together), and the input must be readable twice. Customers whose records are not together
are collected and replayed at the end.
"""

from __future__ import annotations

from datetime import datetime
from itertools import groupby
from operator import attrgetter

import attrs

from customer_journey._arguments import check_count, check_flag, check_optional_time, shown
from customer_journey._batch import ReplayTotals, check_event_times
from customer_journey.analytics._build import EVERY, build_analysis
from customer_journey.analytics._observe import Observation, channels_of, observe, value_text
from customer_journey.analytics._report import Analysis, check_known
from customer_journey.analytics._tally import Tally
from customer_journey.engine import ReplayPlan, build_plan
from customer_journey.errors import ArgumentError, UngroupedInputError
from customer_journey.journey import Input, Journey, check_journey, open_events
from customer_journey.model import Event
from customer_journey.readers import EventSource

__all__ = [
    "AnalysisRun",
    "analyze",
    "check_limits",
    "is_grouping",
    "resolve_goal",
    "run_analysis",
]

_TIME_OF = attrgetter("at")
_CUSTOMER_OF = attrgetter("customer")
#: The group of customers whose `by` value is missing.
NO_VALUE = "(none)"


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
            placed the customer in the journey) or by a trait (`customer.segment`).
        goal: the goal friction is judged against; default the journey's first goal.
        every: trend snapshots every `day`, `week` or `month`; default by the span of the
            data (daily up to two months, weekly up to two years).
        top: how many path variants to list (0 or more).
        min_count: root causes need at least this many judged visits with the factor and
            as many without it (1 or more).
        strict: raise at the first bad record instead of rejecting it.

    Raises:
        ArgumentError: `journey` is not a `Journey`; `records` is a single record, not
            iterable, or holds an `Event` outside the years 1900 to 2999; `as_of` is not a
            time in those years; `by`, `goal` or `every` is not one the journey allows;
            `top` or `min_count` is not a whole number in range, or `strict` not a bool;
            there are no events and no `as_of`.
        DataFileError: `records` names a file that cannot be read.
        UngroupedInputError: a one-shot stream without `as_of`, or one that revisits a
            customer.
    """
    check_journey("journey", journey)
    goal = resolve_goal(journey, goal)
    _check(by, every)
    check_limits(top, min_count)
    moment = check_optional_time("as_of", as_of, journey.timezone)
    source = open_events(journey, "records", records, strict=check_flag("strict", strict))
    run = run_analysis(build_plan(journey.model), source, moment, by=by, goal=goal)
    return run.report(every=every, top=top, min_count=min_count)


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


def is_grouping(by: str) -> bool:
    """Whether `by` names a breakdown: `first_channel`, or a trait as `customer.<trait>`."""
    return by == "first_channel" or (by.startswith("customer.") and by != "customer.")


def _check(by: object, every: object) -> None:
    if every is not None and every not in EVERY:
        msg = f"'every' must be day, week or month (got {shown(every)})"
        raise ArgumentError(msg)
    if by is None or (isinstance(by, str) and is_grouping(by)):
        return
    msg = f"'by' must be 'first_channel' or a trait such as 'customer.segment' (got {shown(by)})"
    raise ArgumentError(msg)


class AnalysisRun:
    """The tallies of one pass: all customers, and one per group when split."""

    def __init__(
        self,
        plan: ReplayPlan,
        source: EventSource,
        as_of: datetime,
        *,
        by: str | None,
        goal: str | None,
        positions: dict[str, str | None] | None = None,
    ) -> None:
        self.plan = plan
        self.as_of = as_of
        self.by = by
        self.goal = goal
        self._channels = channels_of(plan.model)
        self.tally = Tally(plan, goal, self._channels)
        self.groups: dict[str, Tally] = {}
        self.positions = positions
        self.replayed = 0
        self.events = 0
        self.duplicates = 0
        self.after_as_of = 0
        self.source = source

    def add(self, customer: str, events: list[Event]) -> None:
        """Replay one customer's whole history and count them."""
        events.sort(key=_TIME_OF)  # stable: ties keep input order
        check_event_times("records", events[0].at, events[-1].at)
        as_of = self.as_of
        if events[-1].at > as_of:
            kept = [event for event in events if event.at <= as_of]
            self.after_as_of += len(events) - len(kept)
            events = kept
        if not events:
            return
        self.replayed += 1
        seen = observe(self.plan, customer, events, as_of, self._channels)
        if seen is None:
            self.tally.outside += 1
            self.events += len(events)  # nobody was placed, so no duplicate was judged
            if self.positions is not None:
                self.positions[customer] = None
            return
        result = seen.result
        self.events += result.events
        self.duplicates += result.duplicates
        if self.positions is not None:
            self.positions[customer] = result.stage
        self.tally.add(seen)
        if self.by is not None:
            key = self._group_of(seen)
            group = self.groups.get(key)
            if group is None:
                group = self.groups[key] = Tally(self.plan, self.goal, self._channels)
            group.add(seen)

    def _group_of(self, seen: Observation) -> str:
        by = self.by
        assert by is not None
        if by == "first_channel":
            touchpoint = seen.result.path[0].touchpoint
            return NO_VALUE if touchpoint is None else self._channels[touchpoint]
        value = seen.traits.get(by.removeprefix("customer."))
        if value is None:
            return NO_VALUE
        return value_text(value) or str(value)

    def report(self, *, every: str | None, top: int, min_count: int) -> Analysis:
        """The analysis of everything counted, with totals, rejections and groups."""
        whole = build_analysis(self.tally, self.as_of, every=every, top=top, min_count=min_count)
        groups = {
            key: build_analysis(
                self.groups[key], self.as_of, every=every, top=top, min_count=min_count
            )
            for key in sorted(self.groups)
        }
        read = self.source.report
        totals = ReplayTotals(
            read=read.read,
            accepted=read.accepted,
            rejected=read.rejected,
            duplicates=self.duplicates,
            after_as_of=self.after_as_of,
            customers=self.replayed,
            events=self.events,
        )
        return attrs.evolve(
            whole, by=self.by, groups=groups, totals=totals, rejections=tuple(read.rejections)
        )


def run_analysis(
    plan: ReplayPlan,
    source: EventSource,
    as_of: datetime | None,
    *,
    by: str | None,
    goal: str | None,
    positions: dict[str, str | None] | None = None,
) -> AnalysisRun:
    """Count every customer of `source` as of `as_of` (default: its latest event time).

    Raises:
        UngroupedInputError: the source cannot be read twice and has to be.
        ArgumentError: there are no events and no `as_of`, so no moment to judge at (the
            message names no argument: the command line says the same).
    """
    known: set[str] = set()
    if as_of is None:
        _need_second_pass(source, "pass an as_of to read it once")
        as_of, known = _read(source, None, known)
        if as_of is None:
            msg = "there are no events to analyze and no as_of"
            raise ArgumentError(msg)
    run = AnalysisRun(plan, source, as_of, by=by, goal=goal, positions=positions)
    _, revisited = _read(source, run, known)
    if revisited:
        first = min(revisited)
        _need_second_pass(
            source,
            f"the records of customer '{first}' are not together; sort them by customer first",
        )
        if positions is not None:
            positions.clear()
        run = AnalysisRun(plan, source, as_of, by=by, goal=goal, positions=positions)
        _read(source, run, revisited)
    return run


def _need_second_pass(source: EventSource, advice: str) -> None:
    if not source.reiterable:
        msg = f"these records can be read only once; pass a list or a file, or {advice}"
        raise UngroupedInputError(msg)


def _read(
    source: EventSource, run: AnalysisRun | None, held: set[str]
) -> tuple[datetime | None, set[str]]:
    """One pass: count each customer's run of records into `run` (if any).

    Customers in `held` are collected and counted at the end. Returns the latest event time
    and the customers whose records come back after other customers' (once one is found,
    `run` is incomplete and counting stops, but reading goes on to the end).
    """
    latest: datetime | None = None
    seen: set[str] = set()
    revisited: set[str] = set()  # never one of `held`: their runs are collected
    collected: dict[str, list[Event]] = {customer: [] for customer in held}
    for customer, run_of_events in groupby(source, key=_CUSTOMER_OF):
        events = list(run_of_events)
        last = max(event.at for event in events)
        if latest is None or last > latest:
            latest = last
        bucket = collected.get(customer)
        if bucket is not None:
            bucket.extend(events)
        elif customer in seen:
            revisited.add(customer)
        else:
            seen.add(customer)
            if run is not None and not revisited:
                run.add(customer, events)
    if run is not None and not revisited:
        for who in sorted(collected):
            if collected[who]:
                run.add(who, collected[who])
    return latest, revisited

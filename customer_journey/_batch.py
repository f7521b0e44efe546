"""Replaying many customers: grouping, the default `as_of`, totals and rejections.

Records are read once, one run of consecutive records of a customer at a time, so memory
does not grow with the number of events when the input is grouped by customer. Each
customer's state is kept (without its per-event scratch) until the input ends, because the
default `as_of` is the latest event time of the whole input and is known only then.

A customer whose records come back after other customers' (ungrouped input) cannot be
continued safely: their later records may be earlier in time. Such customers are replayed
again from scratch in a second pass that collects only their records; that needs an input
that can be read twice (a file, a list). A one-shot iterator raises `UngroupedInputError`.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from itertools import groupby
from operator import attrgetter

import attrs

from customer_journey._timestamps import EARLIEST, LATEST, SUPPORTED_RANGE
from customer_journey.engine import CustomerState, ReplayPlan, ReplayResult
from customer_journey.engine._replay import advance_to, fold
from customer_journey.engine._replay import result_of as describe
from customer_journey.errors import ArgumentError, UngroupedInputError
from customer_journey.model import Event
from customer_journey.readers import EventSource, Rejection

__all__ = ["ReplayBatch", "ReplayTotals", "check_event_times", "replay_source"]

_TIME_OF = attrgetter("at")
_CUSTOMER_OF = attrgetter("customer")


@attrs.frozen
class ReplayTotals:
    """What happened to every record: nothing is dropped without being counted.

    Attributes:
        read: records read.
        accepted: records that became events.
        rejected: records rejected (see `ReplayBatch.rejections`).
        duplicates: events ignored because their id was already seen for the customer.
        after_as_of: events later than `as_of`, left out of the replay.
        customers: customers replayed (those with at least one event at or before `as_of`).
        events: events applied.
    """

    read: int
    accepted: int
    rejected: int
    duplicates: int
    after_as_of: int
    customers: int
    events: int

    def to_dict(self) -> dict[str, int]:
        """Return a JSON-ready mapping with a stable key order."""
        return attrs.asdict(self)


class ReplayBatch:
    """The results of replaying many customers, sorted by customer id.

    Iterating builds each `ReplayResult` from the kept state, so the batch holds one
    compact state per customer, not one result object per customer.
    """

    def __init__(
        self,
        plan: ReplayPlan,
        states: dict[str, CustomerState],
        as_of: datetime | None,
        totals: ReplayTotals,
        rejections: list[Rejection],
    ) -> None:
        self._plan = plan
        self._states = states
        self._customers = sorted(states)
        self.as_of = as_of
        self.totals = totals
        self.rejections = rejections

    def __len__(self) -> int:
        return len(self._customers)

    def __iter__(self) -> Iterator[ReplayResult]:
        as_of = self.as_of
        if as_of is None:
            return
        for customer in self._customers:
            yield describe(self._plan, self._states[customer], as_of)

    def stage_counts(self) -> dict[str | None, int]:
        """Customers per current stage, in funnel order; None counts those not in the journey."""
        counts: dict[str | None, int] = dict.fromkeys(self._plan.model.stages, 0)
        counts[None] = 0
        for state in self._states.values():
            counts[state.stage] += 1
        return counts


def check_event_times(name: str, *times: object) -> None:
    """Refuse event times the engine cannot add its durations to.

    Readers check the times they parse, but an `Event` built in Python passes through them
    as it is. Called once per customer, with the first and last of their sorted events: a
    naive time, or one outside the supported range, would break the engine's arithmetic
    (a timeout 100 years after 9999-12-30 is no `datetime`).

    Raises:
        ArgumentError: a time is not an aware datetime from 1900-01-01 to 2999-12-31.
    """
    for at in times:
        if not isinstance(at, datetime) or at.utcoffset() is None or not EARLIEST <= at < LATEST:
            got = at.isoformat() if isinstance(at, datetime) else repr(at)[:40]
            raise ArgumentError(
                f"'{name}' must be timed from {SUPPORTED_RANGE} with aware datetimes "
                f"(got an event at {got})"
            )


def replay_source(
    plan: ReplayPlan,
    source: EventSource,
    as_of: datetime | None,
    *,
    trace: bool = False,
) -> ReplayBatch:
    """Replay every customer of `source` as of `as_of` (default: its latest event time)."""
    run = _Run(plan, as_of, trace=trace)
    for _, events in groupby(source, key=_CUSTOMER_OF):
        run.finish(list(events))

    if run.revisited:
        if not source.reiterable:
            first = min(run.revisited)
            msg = (
                f"the records of customer '{first}' are not together: they come back after "
                "other customers' records; pass a list or a file (read twice), or sort the "
                "records by customer first"
            )
            raise UngroupedInputError(msg)
        run.replay_again(source)

    final_as_of = as_of if as_of is not None else run.latest
    states = run.states
    if final_as_of is not None:
        for state in states.values():
            advance_to(plan, state, final_as_of)
    report = source.report
    totals = ReplayTotals(
        read=report.read,
        accepted=report.accepted,
        rejected=report.rejected,
        duplicates=sum(state.duplicates for state in states.values()),
        after_as_of=run.after_as_of,
        customers=len(states),
        events=sum(state.events for state in states.values()),
    )
    return ReplayBatch(plan, states, final_as_of, totals, report.rejections)


class _Run:
    """The first pass: fold each run of a customer's records, note who comes back."""

    def __init__(self, plan: ReplayPlan, as_of: datetime | None, *, trace: bool) -> None:
        self.plan = plan
        self.as_of = as_of
        self.trace = trace
        self.states: dict[str, CustomerState] = {}
        self.seen: set[str] = set()
        self.revisited: set[str] = set()
        self.latest: datetime | None = None
        self.left_out: dict[str, int] = {}

    @property
    def after_as_of(self) -> int:
        """Events later than `as_of`, over all customers."""
        return sum(self.left_out.values())

    def finish(self, events: list[Event]) -> None:
        """Fold one customer's run of records, unless the customer was seen before."""
        customer = events[0].customer
        if customer in self.seen:
            self.revisited.add(customer)
            self.states.pop(customer, None)
            return
        self.seen.add(customer)
        self._replay(customer, events)

    def replay_again(self, source: EventSource) -> None:
        """Second pass: collect the revisited customers' records and replay them whole."""
        collected: dict[str, list[Event]] = {customer: [] for customer in self.revisited}
        for event in source:
            bucket = collected.get(event.customer)
            if bucket is not None:
                bucket.append(event)
        for customer, events in collected.items():
            self.left_out.pop(customer, None)
            self._replay(customer, events)

    def _replay(self, customer: str, events: list[Event]) -> None:
        """Replay one customer's whole history; keep the state if anything is in scope."""
        events.sort(key=_TIME_OF)  # stable: ties keep input order
        last = events[-1].at
        check_event_times("records", events[0].at, last)
        if self.latest is None or last > self.latest:
            self.latest = last
        as_of = self.as_of
        if as_of is not None and last > as_of:
            kept = [event for event in events if event.at <= as_of]
            self.left_out[customer] = len(events) - len(kept)
            events = kept
        if events:
            state = CustomerState(customer, trace=self.trace)
            fold(self.plan, state, events)
            state.release_scratch()
            self.states[customer] = state

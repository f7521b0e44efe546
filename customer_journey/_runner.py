"""The one replay pipeline: a customer's records in, their final state and result out.

`Runner` replays one customer: it sorts their records by time (ties keep their input
order), leaves out those after `as_of`, folds the rest, fires the timeouts due by `as_of`
and describes the state. `Journey.replay`, `replay_all`, `analyze` and `compare` all
replay through it, and so can anything that holds one customer's events at a time.

`Runs` is the batch part, over an `EventSource` of many customers. It reads the records
one run of consecutive records of a customer at a time, so memory does not grow with the
number of events when the input is grouped by customer, and yields `(customer, state)`
for each customer with events at or before `as_of`. It finds the default `as_of` (the
latest event time of the whole input), replays again the customers whose records are not
together, and counts the totals.

A customer whose records come back after other customers' cannot be continued safely:
their later records may be earlier in time. Once that is seen, the runs yielded so far are
void; reading goes on to find every such customer, iteration yields None (forget the runs
so far) and a second pass replays everyone again, collecting those customers' records and
replaying them at the end, in customer order. A second pass needs an input that can be
read twice (a file, a list); a one-shot iterator raises `UngroupedInputError`.

Without an `as_of`, each state is folded with all its events and the default `as_of` is
known only when the input ends (`Runs.as_of`): a caller that keeps the states settles them
then (`Runner.settle`). A caller that must describe each customer as it comes asks for the
default up front (`find_as_of=True`): a first pass finds it, and the customers whose
records are not together, so the replay pass never has to start over.
"""

from __future__ import annotations

from collections.abc import Iterator, Set
from datetime import datetime
from itertools import groupby
from operator import attrgetter

import attrs

from customer_journey._timestamps import EARLIEST, LATEST, SUPPORTED_RANGE
from customer_journey.engine import CustomerState, ReplayPlan, ReplayResult, fold, result_of
from customer_journey.errors import ArgumentError, UngroupedInputError
from customer_journey.model import Event
from customer_journey.readers import EventSource

__all__ = ["ReplayTotals", "Run", "Runner", "Runs", "check_event_times"]

_TIME_OF = attrgetter("at")
_CUSTOMER_OF = attrgetter("customer")

#: A customer and their state after their events (up to `as_of`).
Run = tuple[str, CustomerState]


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


class Runner:
    """Replays customers through one journey's engine tables, one customer at a time.

    Attributes:
        plan: the journey's engine tables.
        trace: whether the states record what each event did.
    """

    __slots__ = ("_name", "plan", "trace")

    def __init__(self, plan: ReplayPlan, *, trace: bool = False, name: str = "records") -> None:
        """`name` is the argument the events came in, for error messages."""
        self.plan = plan
        self.trace = trace
        self._name = name

    def fold(
        self, customer: str, events: list[Event], as_of: datetime | None = None
    ) -> tuple[CustomerState, int]:
        """A new state of `customer` with `events` applied, and how many were left out.

        `events` is sorted by time in place (ties keep their order); events after `as_of`
        are left out, and the timeouts due by `as_of` fire. Without `as_of`, every event is
        applied and no timeout fires after the last one.

        Raises:
            ArgumentError: an event's time is naive or outside the supported range.
        """
        state = CustomerState(customer, trace=self.trace)
        kept = events
        if events:
            events.sort(key=_TIME_OF)
            check_event_times(self._name, events[0].at, events[-1].at)
            if as_of is not None and events[-1].at > as_of:
                kept = [event for event in events if event.at <= as_of]
        fold(self.plan, state, kept, until=as_of)
        return state, len(events) - len(kept)

    def settle(self, state: CustomerState, as_of: datetime) -> None:
        """Fire, in place, the timeouts due by `as_of` (for states folded before it was known)."""
        fold(self.plan, state, (), until=as_of)

    def describe(self, state: CustomerState, as_of: datetime) -> ReplayResult:
        """The result of `state` as of `as_of`; the timeouts due by then fire first, in place."""
        fold(self.plan, state, (), until=as_of)
        return result_of(self.plan, state, as_of)

    def replay(
        self, customer: str, events: list[Event], as_of: datetime | None = None
    ) -> tuple[CustomerState, ReplayResult]:
        """The whole pipeline for one customer: their state and result as of `as_of`.

        The default `as_of` is the latest event's time. `events` is sorted in place.

        Raises:
            ArgumentError: an event's time is naive or outside the supported range, or
                there are no events and no `as_of`.
        """
        state, _ = self.fold(customer, events, as_of)
        if as_of is None:
            if not events:
                msg = "'as_of' must be a time when there are no events (got None)"
                raise ArgumentError(msg)
            as_of = events[-1].at
        return state, self.describe(state, as_of)


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


class Runs:
    """Every customer of a source replayed as of `as_of`: iterate for `(customer, state)`.

    Iterating yields a run per customer with events at or before `as_of`, as their records
    end, or None when the runs so far are void and come again (see the module). Each state
    has the timeouts due by `as_of` fired, when `as_of` is known. After iterating, `as_of`
    is the moment replayed to (the given one, or the latest event time; None without
    events), and `totals` counts every record.

    Raises:
        UngroupedInputError: (on creation) `find_as_of` without an `as_of` on a one-shot
            source; (while iterating) a one-shot source comes back to a customer.
    """

    def __init__(
        self,
        runner: Runner,
        source: EventSource,
        as_of: datetime | None = None,
        *,
        find_as_of: bool = False,
    ) -> None:
        self.runner = runner
        self.source = source
        self.as_of = as_of
        self._held: Set[str] = frozenset()
        self._customers = self._events = self._duplicates = self._after_as_of = 0
        if as_of is None and find_as_of:
            if not source.reiterable:
                msg = (
                    "these records can be read only once; pass a list or a file, "
                    "or pass an as_of to read it once"
                )
                raise UngroupedInputError(msg)
            scan = _Pass(self._held, scan=True)
            for _ in scan.groups(source):
                pass
            self.as_of = scan.latest
            self._held = scan.revisited

    @property
    def totals(self) -> ReplayTotals:
        """What happened to every record read so far (all of them, once iterated)."""
        report = self.source.report
        return ReplayTotals(
            read=report.read,
            accepted=report.accepted,
            rejected=report.rejected,
            duplicates=self._duplicates,
            after_as_of=self._after_as_of,
            customers=self._customers,
            events=self._events,
        )

    def __iter__(self) -> Iterator[Run | None]:
        runner, as_of = self.runner, self.as_of
        held = self._held
        while True:
            self._customers = self._events = self._duplicates = self._after_as_of = 0
            latest: datetime | None = None
            walk = _Pass(held)
            for customer, events in walk.groups(self.source):
                if walk.revisited:
                    continue  # the runs so far are void: read on to find every such customer
                state, left_out = runner.fold(customer, events, as_of)
                if latest is None or events[-1].at > latest:
                    latest = events[-1].at  # sorted by the fold
                self._after_as_of += left_out
                if left_out == len(events):
                    continue
                self._customers += 1
                self._events += state.events
                self._duplicates += state.duplicates
                yield customer, state
            if not walk.revisited:
                break
            if not self.source.reiterable:
                msg = (
                    f"the records of customer '{min(walk.revisited)}' are not together: they "
                    "come back after other customers' records; pass a list or a file (read "
                    "twice), or sort the records by customer first"
                )
                raise UngroupedInputError(msg)
            held = {*held, *walk.revisited}
            yield None
        if self.as_of is None:
            self.as_of = latest


class _Pass:
    """One read of a source, grouped: each customer's run of consecutive records.

    Attributes:
        held: customers whose records are collected and come at the end, in customer
            order (those known not to be together).
        revisited: customers, not held, whose records came back after other customers'.
        latest: when scanning, the latest event time of every record read.
    """

    def __init__(self, held: Set[str], *, scan: bool = False) -> None:
        self.held = held
        self.revisited: set[str] = set()
        self.latest: datetime | None = None
        self._scan = scan

    def groups(self, source: EventSource) -> Iterator[tuple[str, list[Event]]]:
        """Each customer's first run of records as it ends, then the held customers'."""
        seen: set[str] = set()
        collected: dict[str, list[Event]] = {customer: [] for customer in self.held}
        for customer, run in groupby(source, key=_CUSTOMER_OF):
            events = list(run)
            if self._scan:
                last = max(event.at for event in events)
                if self.latest is None or last > self.latest:
                    self.latest = last
            bucket = collected.get(customer)
            if bucket is not None:
                bucket.extend(events)
            elif customer in seen:
                self.revisited.add(customer)
            else:
                seen.add(customer)
                yield customer, events
        for customer in sorted(collected):
            if collected[customer]:
                yield customer, collected[customer]

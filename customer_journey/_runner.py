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
void, and iteration yields None (forget the runs so far). The rest of the input is then
grouped outside memory (`customer_journey._grouping`: an external sort in DuckDB, under
the source's `memory_limit`): reading goes on, spilling every event from there on, the
events before are read again from a second pass, and the runs come back from the sort,
in customer order. Without DuckDB (and without a `memory_limit` asked for), and for
records already in memory (a list), reading goes on to find every such customer instead,
and a second pass replays everyone again, collecting those customers' records in memory
and replaying them at the end, in customer order. Either needs an input that can be read
twice (a file, a list); a one-shot iterator raises `UngroupedInputError`.

Without an `as_of`, each state is folded with all its events and the default `as_of` is
known only when the input ends (`Runs.as_of`): a caller that keeps the states settles them
then (`Runner.settle`). A caller that must describe each customer as it comes asks for the
default up front (`find_as_of=True`): the source's statistics say it when they can (a
Parquet file with a UTC time column: `EventSource.known_latest`), checked against what is
read (a rejected record may hold the latest time: the runs then start over, once);
otherwise a first pass finds it, and the customers whose records are not together (or
groups the input outside memory as it goes), so the replay pass never has to start over.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Set
from datetime import datetime
from itertools import chain, groupby, islice
from operator import attrgetter, itemgetter

import attrs

from customer_journey._grouping import (
    DEFAULT_MEMORY_LIMIT,
    ExternalGroups,
    can_group_externally,
    check_memory_limit,
)
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
        self._sorted: ExternalGroups | None = None
        self._customers = self._events = self._duplicates = self._after_as_of = 0
        self._unsure = False  # whether `as_of` is the statistics' time, to check
        known = source.known_latest
        if as_of is None and find_as_of and known is not None:
            self.as_of = known()
            self._unsure = self.as_of is not None
        if self.as_of is None and find_as_of:
            if not source.reiterable:
                msg = (
                    "these records can be read only once; pass a list or a file, "
                    "or pass an as_of to read it once"
                )
                raise UngroupedInputError(msg)
            scan = _Pass(self._held, source, scan=True)
            for _ in scan.groups():
                pass
            self.as_of = scan.latest
            self._held = scan.revisited
            self._sorted = scan.sorted

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
            walk = _Pass(held, self.source)
            groups = walk.groups() if self._sorted is None else _closing(self._sorted)
            self._sorted = None
            for group in groups:
                if group is None:  # the rest comes grouped from an external sort
                    self._customers = self._events = self._duplicates = self._after_as_of = 0
                    latest = None
                    yield None
                    continue
                if walk.revisited:
                    continue  # the runs so far are void: read on to find every such customer
                customer, events = group
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
                if not self._unsure or latest == as_of:
                    break
                self.as_of = as_of = latest  # the statistics named a rejected record's time
                self._unsure = False
                yield None
                continue
            if not self.source.reiterable:
                raise _not_together(min(walk.revisited))
            held = {*held, *walk.revisited}
            yield None
        if self.as_of is None:
            self.as_of = latest


def _closing(groups: ExternalGroups) -> Iterator[tuple[str, list[Event]]]:
    """The groups of an external sort, which goes once they are read."""
    with groups:
        yield from groups.groups()


def _not_together(customer: str) -> UngroupedInputError:
    """Say that a one-shot input came back to `customer`."""
    return UngroupedInputError(
        f"the records of customer '{customer}' are not together: they come back after "
        "other customers' records; pass a list or a file (read twice), or sort the "
        "records by customer first"
    )


class _Pass:
    """One read of a source, grouped: each customer's run of consecutive records.

    When a customer's records come back after other customers', the rest is grouped
    outside memory if the source allows it (see the module): `groups()` then yields None
    (the groups so far are void) and the sorted groups, or when scanning keeps the sort
    in `sorted`. Otherwise the held customers' records are collected in memory.

    Attributes:
        held: customers whose records are collected and come at the end, in customer
            order (those known not to be together).
        revisited: customers, not held, whose records came back after other customers'
            (when the rest is not sorted outside memory).
        latest: when scanning, the latest event time of every record read.
        sorted: when scanning, the external sort of the whole input, if one was needed.
    """

    def __init__(self, held: Set[str], source: EventSource, *, scan: bool = False) -> None:
        self.held = held
        self.revisited: set[str] = set()
        self.latest: datetime | None = None
        self.sorted: ExternalGroups | None = None
        self._source = source
        self._scan = scan

    def groups(self) -> Iterator[tuple[str, list[Event]] | None]:
        """Each customer's first run of records as it ends, then the held customers'."""
        seen: set[str] = set()
        collected: dict[str, list[Event]] = {customer: [] for customer in self.held}
        undecided = not collected and self._source.reiterable  # whether to sort outside memory
        limit = None
        read = 0
        runs = groupby(self._source, key=_CUSTOMER_OF)
        for customer, run in runs:
            events = list(run)
            if self._scan:
                self._scanned(events)
            bucket = collected.get(customer)
            if bucket is not None:
                bucket.extend(events)
            elif customer not in seen:
                seen.add(customer)
                read += len(events)
                yield customer, events
            else:
                if undecided:  # only now: a grouped input never imports DuckDB
                    undecided = False
                    limit = _memory_limit(self._source)
                if limit is None:
                    self.revisited.add(customer)
                    continue
                rest = chain(events, chain.from_iterable(map(_RUN, runs)))
                self.sorted = self._sort(limit, read, rest)
                if not self._scan:
                    yield None
                    yield from _closing(self.sorted)
                return
        for customer in sorted(collected):
            if collected[customer]:
                yield customer, collected[customer]

    def _scanned(self, events: Iterable[Event]) -> None:
        """Keep the latest time of `events` in `latest`."""
        last = max(event.at for event in events)
        if self.latest is None or last > self.latest:
            self.latest = last

    def _sort(self, limit: int, read: int, rest: Iterable[Event]) -> ExternalGroups:
        """Spill the `read` events before `rest` (read again) and `rest`, to sort them."""
        source = self._source
        spill = ExternalGroups(source.source, limit, source.temp_directory)
        try:
            again = iter(source)
            spill.add(islice(again, read))
            close = getattr(again, "close", None)
            if close is not None:
                close()  # the second pass stops here: its file closes now
            spill.add(self._scanning(rest) if self._scan else rest)
        except BaseException:
            spill.close()
            raise
        return spill

    def _scanning(self, events: Iterable[Event]) -> Iterator[Event]:
        """`events`, keeping their latest time in `latest`."""
        latest = self.latest
        for event in events:
            if latest is None or event.at > latest:
                latest = event.at
            yield event
        self.latest = latest


_RUN = itemgetter(1)


def _memory_limit(source: EventSource) -> int | None:
    """The memory to group `source` outside memory in, or None to group it in memory.

    A `memory_limit` asked for is used (DuckDB is then needed); otherwise the default,
    when DuckDB is installed and the records are not in memory already.

    Raises:
        ArgumentError: the `memory_limit` asked for is not bytes, or under 32 MiB.
    """
    if source.memory_limit is not None:
        return check_memory_limit(source.memory_limit)
    if source.in_memory or not can_group_externally():
        return None
    return DEFAULT_MEMORY_LIMIT

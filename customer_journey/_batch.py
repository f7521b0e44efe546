"""What `replay_all` gives: every customer's kept state, described on demand.

The replaying itself is `customer_journey._runner`'s: this keeps each customer's state
(without its per-event scratch) until the input ends, because the default `as_of` is the
latest event time of the whole input and is known only then, and builds each customer's
`ReplayResult` when the batch is iterated.

`replay_file` replays a file in several processes (`customer_journey._workers`): each
reads the whole file, replays its share of the customers and sends their states back
(packed into one pickle: states pickle much more cheaply than results); the parent keeps
them as one process would have, so the batch is the same for any number of processes.

`stream_lines` and `stream_file` read the input once and keep no states in memory: each
customer becomes a line once described (as their records end with an `as_of`; without,
their states wait in a file until the input's end gives the default), kept in run files
sorted by customer (`SortedRuns`). In several processes each worker formats its own customers' lines
and sends back only the names of its run files and its counts; `StreamedReplay.lines`
merges the runs by customer, so the lines are the same, in the same order, as one
process's. The line format is the caller's (a picklable callable).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

import attrs

from customer_journey import readers
from customer_journey._runner import ReplayTotals, Runner, Runs
from customer_journey._timestamps import to_zone
from customer_journey._workers import (
    Failure,
    FileInput,
    Share,
    SortedRuns,
    Spool,
    merged_runs,
    packed,
    run_in_processes,
    share_totals,
    summed_totals,
    unpacked,
)
from customer_journey.dsl import compile_journey
from customer_journey.engine import CustomerState, ReplayResult, build_plan
from customer_journey.readers import EventSource, Rejection

if TYPE_CHECKING:
    from customer_journey.journey import Journey

__all__ = [
    "LineOf",
    "ReplayBatch",
    "ReplayTotals",
    "StreamedReplay",
    "replay_batch",
    "replay_file",
    "stream_file",
    "stream_lines",
]

#: A customer's result as one line of output (without its line end); picklable, to go to
#: worker processes.
LineOf = Callable[[ReplayResult], str]


class ReplayBatch:
    """The results of replaying many customers, sorted by customer id.

    Iterating builds each `ReplayResult` from the kept state, so the batch holds one
    compact state per customer, not one result object per customer.
    """

    def __init__(
        self,
        runner: Runner,
        states: dict[str, CustomerState],
        as_of: datetime | None,
        totals: ReplayTotals,
        rejections: list[Rejection],
    ) -> None:
        self._runner = runner
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
        describe = self._runner.describe
        for customer in self._customers:
            yield describe(self._states[customer], as_of)

    def stage_counts(self) -> dict[str | None, int]:
        """Customers per current stage, in funnel order; None counts those not in the journey."""
        return _in_funnel_order(self._runner, Counter(s.stage for s in self._states.values()))


def _in_funnel_order(runner: Runner, counted: Counter[str | None]) -> dict[str | None, int]:
    """`counted` customers per stage, every stage in funnel order, then None (not in it)."""
    counts: dict[str | None, int] = dict.fromkeys(runner.plan.model.stages, 0)
    counts[None] = 0
    for stage, count in counted.items():
        counts[stage] += count
    return counts


@attrs.frozen
class _Lines:
    """What describing one share of customers as lines gives: small plain data.

    Attributes:
        runs: the run files of the share's lines (`SortedRuns`), each sorted by customer.
        as_of: the moment replayed to (the whole input's latest event time by default).
        totals: what happened to the records (see `share_totals`).
        stages: the share's customers per current stage (None: not in the journey).
        rejections: the records that could not become events (share 0 only).
    """

    runs: tuple[str, ...]
    as_of: datetime | None
    totals: ReplayTotals
    stages: Counter[str | None]
    rejections: tuple[Rejection, ...]


class StreamedReplay:
    """Every customer's line, in run files sorted by customer, with the totals and counts.

    Attributes:
        as_of: the moment replayed to; None without events and without an `as_of`.
        totals: what happened to every record.
        rejections: the records that could not become events.
    """

    def __init__(self, runner: Runner, parts: Sequence[_Lines]) -> None:
        self._runner = runner
        self._runs = [run for part in parts for run in part.runs]
        self._stages: Counter[str | None] = sum((part.stages for part in parts), Counter())
        self.as_of = parts[0].as_of
        self.totals = summed_totals(part.totals for part in parts)
        self.rejections = list(parts[0].rejections)

    def stage_counts(self) -> dict[str | None, int]:
        """Customers per current stage, in funnel order; None counts those not in the journey."""
        return _in_funnel_order(self._runner, self._stages)

    def lines(self) -> Iterator[str]:
        """Every customer's line, sorted by customer id (while the run files are there)."""
        return merged_runs(self._runs)


def stream_lines(
    runner: Runner, source: EventSource, as_of: datetime | None, line: LineOf, runs: SortedRuns
) -> StreamedReplay:
    """Describe every customer of `source` as `line`s kept in `runs` (see `_described`).

    Raises:
        ArgumentError: an event's time is naive or outside the supported range.
    """
    return StreamedReplay(runner, [_described(runner, source, as_of, line, runs)])


def _described(
    runner: Runner, source: EventSource, as_of: datetime | None, line: LineOf, lines: SortedRuns
) -> _Lines:
    """The lines of every customer of `source` as of `as_of`, in run files, and the counts.

    The input is read once. With an `as_of`, each customer is described as their records
    end. Without, the default (the latest event time; for a `Share`, the whole input's)
    is known only at the end: each state waits until then in a `Spool` (on disk beyond a
    few thousand states), which costs much less than reading the input twice to find it.
    """
    runs = Runs(runner, source, as_of)
    stages: Counter[str | None] = Counter()
    describe = runner.describe

    def put(state: CustomerState, moment: datetime) -> None:
        lines.add(state.customer, line(describe(state, moment)))
        stages[state.stage] += 1

    with Spool[CustomerState](str(Path(lines.folder) / f"{lines.prefix}states")) as waiting:
        for run in runs:
            if run is None:  # the runs so far are void: they come again
                lines.clear()
                waiting.clear()
                stages.clear()
            elif as_of is not None:
                put(run[1], as_of)
            else:
                run[1].release_scratch()
                waiting.add(run[1])
        final = source.latest if as_of is None and isinstance(source, Share) else runs.as_of
        if as_of is None and final is not None:
            for state in waiting:
                put(state, final)
    paths = tuple(lines.finish())
    return _Lines(paths, final, runs.totals, stages, tuple(source.report.rejections))


def replay_batch(runner: Runner, source: EventSource, as_of: datetime | None) -> ReplayBatch:
    """Replay every customer of `source` as of `as_of` (default: its latest event time).

    Raises:
        ArgumentError: an event's time is naive or outside the supported range.
        UngroupedInputError: a one-shot source comes back to a customer.
    """
    part = _replayed(runner, source, as_of)
    return ReplayBatch(runner, part.states, part.as_of, part.totals, list(part.rejections))


def replay_file(
    journey: Journey,
    file: FileInput,
    as_of: datetime | None,
    *,
    strict: bool,
    trace: bool,
    workers: int,
) -> ReplayBatch:
    """`replay_batch` of an events file, in `workers` processes, each its share of customers.

    A journey without its text (built from a bare model) cannot travel to a worker: then
    the file is replayed in this process.

    Raises:
        ArgumentError: an event's time is naive or outside the supported range.
        RecordError: a record cannot become an event, in `strict` mode.
        DataFileError: the file cannot be read.
    """
    runner = Runner(build_plan(journey.model), trace=trace)
    if workers == 1 or journey.text is None:
        return replay_batch(runner, _opened(journey, file, strict=strict), as_of)
    tasks = [
        _Task(journey.text, journey.source, file, strict, trace, as_of, part, workers)
        for part in range(workers)
    ]
    return _merged(runner, run_in_processes(_replay_share, tasks))


def stream_file(
    journey: Journey,
    file: FileInput,
    as_of: datetime | None,
    line: LineOf,
    folder: str,
    *,
    strict: bool,
    workers: int,
) -> StreamedReplay:
    """`stream_lines` of an events file, in `workers` processes, each its share of customers.

    Each worker writes its customers' lines in run files in `folder` (which must outlive
    reading `StreamedReplay.lines`); a journey without its text is replayed in this process.

    Raises:
        ArgumentError: an event's time is naive or outside the supported range.
        RecordError: a record cannot become an event, in `strict` mode.
        DataFileError: the file cannot be read.
    """
    runner = Runner(build_plan(journey.model))
    if workers == 1 or journey.text is None:
        source = _opened(journey, file, strict=strict)
        return stream_lines(runner, source, as_of, line, SortedRuns(folder))
    tasks = [
        _Task(
            journey.text,
            journey.source,
            file,
            strict,
            trace=False,
            as_of=as_of,
            part=part,
            parts=workers,
            line=line,
            folder=folder,
        )
        for part in range(workers)
    ]
    results = run_in_processes(_replay_share, tasks)
    Failure.raise_first(results)
    return StreamedReplay(runner, [part for part in results if isinstance(part, _Lines)])


def _opened(journey: Journey, file: FileInput, *, strict: bool) -> EventSource:
    """The events of `file`, read in this process, named and limited as `file` says."""
    source = journey.read_events(file.path, format=file.format, strict=strict)
    source.source = file.name
    source.memory_limit = file.memory_limit
    source.temp_directory = file.temp_directory
    return source


def _merged(runner: Runner, results: Sequence[object]) -> ReplayBatch:
    """The batch of every share's customers (each a packed `_Part`), as one process replays them.

    Raises:
        Exception: the first error a worker carried back (a `Failure`), raised again.
    """
    Failure.raise_first(results)
    packs = [unpacked(result) for result in results if isinstance(result, bytes)]
    parts = [part for part in packs if isinstance(part, _Part)]
    states: dict[str, CustomerState] = {}
    for part in parts:
        states.update(part.states)
    totals = summed_totals(part.totals for part in parts)
    return ReplayBatch(runner, states, parts[0].as_of, totals, list(parts[0].rejections))


@attrs.frozen
class _Part:
    """What one share's replay gives: plain data, so that it travels between processes.

    Attributes:
        states: each customer's state, settled as of `as_of`.
        as_of: the moment replayed to (the whole input's latest event time by default).
        totals: what happened to the records (see `share_totals`).
        rejections: the records that could not become events (share 0 only).
    """

    states: dict[str, CustomerState]
    as_of: datetime | None
    totals: ReplayTotals
    rejections: tuple[Rejection, ...]


@attrs.frozen
class _Task:
    """What a worker process needs to replay its share of a file: plain data."""

    journey_text: str
    journey_source: str
    file: FileInput
    strict: bool
    trace: bool
    as_of: datetime | None
    part: int
    parts: int
    line: LineOf | None = None  # for lines (written in `folder`) rather than states
    folder: str = ""


def _replayed(runner: Runner, source: EventSource, as_of: datetime | None) -> _Part:
    """Every customer's state of `source`, settled as of `as_of` (default: the latest time).

    The latest time of a `Share` is the whole input's, not the share's own.
    """
    runs = Runs(runner, source, as_of)
    states: dict[str, CustomerState] = {}
    for run in runs:
        if run is None:
            states.clear()
            continue
        customer, state = run
        state.release_scratch()
        states[customer] = state
    final = source.latest if as_of is None and isinstance(source, Share) else runs.as_of
    if as_of is None and final is not None:
        for state in states.values():
            runner.settle(state, final)
    return _Part(states, final, runs.totals, tuple(source.report.rejections))


def _replay_share(task: _Task) -> bytes | _Lines | Failure:
    """In a worker process: replay the customers of the task's share of the file.

    States come back packed (`packed`): many thousands of them travel at once. Lines stay
    in the worker's run files: only their names and the counts come back.
    """
    try:
        model = compile_journey(task.journey_text, source=task.journey_source)
        file = task.file
        events = readers.from_file(
            file.path,
            fields=model.events,
            timezone=to_zone(model.timezone),
            format=file.format,
            strict=task.strict,
        )
        share = file.share(events, task.part, task.parts)
        runner = Runner(build_plan(model), trace=task.trace)
        first = task.part == 0  # every share reads every record: one reports them
        if task.line is not None:
            runs = SortedRuns(task.folder, prefix=f"{task.part}-")
            lines = _described(runner, share, task.as_of, task.line, runs)
            totals = share_totals(lines.totals, task.part)
            return attrs.evolve(lines, totals=totals, rejections=lines.rejections if first else ())
        part = _replayed(runner, share, task.as_of)
        totals = share_totals(part.totals, task.part)
        return packed(
            attrs.evolve(part, totals=totals, rejections=part.rejections if first else ())
        )
    except Exception as error:  # raised again in the parent process
        return Failure.of(error)

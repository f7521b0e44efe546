"""What-if: the same history replayed through two versions of a journey, side by side.

Each version's customers are counted as `analyze` counts them, as shares (`AnalysisPart`)
merged by `merge_parts`, with each customer's stage noted under both. In this process
there is one share; with workers, each process reads the file and counts its share of the
customers (`_workers`) under both versions, and the shares merge exactly.
"""

from __future__ import annotations

import json
import os
from collections import Counter
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

import attrs

from customer_journey._arguments import check_flag, check_optional_time, check_records
from customer_journey._facts import FrictionFacts, FrictionKind
from customer_journey._timestamps import format_timestamp
from customer_journey.analytics._analysis import Analysis
from customer_journey.analytics._analyze import (
    AnalysisPart,
    check_limits,
    merge_parts,
    resolve_goal,
    run_analysis,
)
from customer_journey.analytics._build import KIND_ORDER
from customer_journey.analytics._workers import (
    Failure,
    FileInput,
    count_workers,
    path_of,
    run_in_processes,
    share_totals,
)
from customer_journey.engine import build_plan
from customer_journey.errors import UngroupedInputError
from customer_journey.journey import Input, Journey, check_journey, loads, open_events
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
        a, b: the full analysis under each version (each with its experiments' lifts,
            which `to_dict` gives under `experiments`).
        stages: customers per stage now, stages of a in file order then those only b has.
        goals: goals both versions declare.
        friction: friction points either version shows, most changed first.
        changes: customers whose stage differs, by (a stage, b stage), most first.
        changed: how many customers are in a different stage.
        a_file, b_file: where each version was loaded from (its file), since both may
            have the same journey id.
        timezone: the IANA name of version a's timezone, in which people are shown
            `as_of` (the JSON keeps UTC).
    """

    as_of: datetime
    a: Analysis
    b: Analysis
    stages: tuple[StageShift, ...]
    goals: tuple[GoalShift, ...]
    friction: tuple[FrictionShift, ...]
    changes: tuple[StageChange, ...]
    changed: int
    a_file: str
    b_file: str
    timezone: str = "UTC"

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready mapping with a stable key order."""
        return {
            "as_of": format_timestamp(self.as_of),
            "a": self.a.journey,
            "a_file": self.a_file,
            "b": self.b.journey,
            "b_file": self.b_file,
            "changed": self.changed,
            "stages": [shift.to_dict() for shift in self.stages],
            "goals": [shift.to_dict() for shift in self.goals],
            "experiments": {
                "a": [figures.to_dict() for figures in self.a.experiments],
                "b": [figures.to_dict() for figures in self.b.experiments],
            },
            "friction": [shift.to_dict() for shift in self.friction],
            "changes": [change.to_dict() for change in self.changes],
        }

    def to_json(self, *, indent: int | None = 2) -> str:
        """The comparison as JSON text (`to_dict()`, keys in a stable order)."""
        return json.dumps(self.to_dict(), indent=indent, ensure_ascii=False)


def compare(
    journey_a: Journey,
    journey_b: Journey,
    records: Input,
    as_of: datetime | str | None = None,
    *,
    top: int = 10,
    min_count: int = 20,
    strict: bool = False,
    workers: int | None = None,
) -> Comparison:
    """Replay the same records through two versions of a journey and say what differs.

    `records` (mappings or events, an `EventSource`, or the path of a JSONL, CSV or
    Parquet file) is read with each journey's own field mapping, once per journey (twice
    for the first without an `as_of`), so it must be readable more than once: a list, a
    tuple or a file. The default `as_of` is the latest event time, as version a reads the
    records; a naive `as_of` is read in version a's timezone. `top`, `min_count` and
    `strict` mean what they mean for `analyze`.

    A file is compared in `workers` processes (default: one per core for a file of 1 MiB
    or more, else 1), each replaying the customers whose id hashes to it through both
    versions; the comparison is the same for any number. Anything but a file path, and
    journeys built from a bare model, are compared in this process.

    Raises:
        ArgumentError: `journey_a` or `journey_b` is not a `Journey`; `records` is a single
            record, not iterable, or holds an `Event` outside the years 1900 to 2999;
            `as_of` is not a time in those years; `top`, `min_count` or `workers` is not a
            whole number in range, or `strict` not a bool; there are no events and no
            `as_of`.
        DataFileError: `records` names a file that cannot be read.
        UngroupedInputError: `records` is a one-shot stream.
    """
    check_journey("journey_a", journey_a)
    check_journey("journey_b", journey_b)
    check_records("records", records, files=True)
    check_limits(top, min_count)
    check_flag("strict", strict)
    moment = check_optional_time("as_of", as_of, journey_a.timezone)
    path = path_of(records)
    processes = count_workers(workers, path)
    if not _rereadable(records):
        msg = (
            "compare reads the records once for each version of the journey; "
            "pass a list or a file, not a one-shot stream"
        )
        raise UngroupedInputError(msg)
    texts = (journey_a.text, journey_b.text)
    if path is None or processes == 1 or texts[0] is None or texts[1] is None:

        def events(journey: Journey) -> EventSource:
            return open_events(journey, "records", records, strict=strict)

        shares = [_count_both((journey_a, journey_b), events, moment)]
    else:
        # Opening refuses a missing file here, before any process starts.
        file = FileInput.of(path, open_events(journey_a, "records", records, strict=strict))
        journeys = ((texts[0], journey_a.source), (texts[1], journey_b.source))
        tasks = [
            _Task(journeys, file, strict, moment, part, processes) for part in range(processes)
        ]
        results = run_in_processes(_compare_share, tasks)
        Failure.raise_first(results)
        shares = [share for share in results if isinstance(share, _Share)]
    a = merge_parts(journey_a, [share.a for share in shares], top=top, min_count=min_count)
    b = merge_parts(journey_b, [share.b for share in shares], top=top, min_count=min_count)
    where_a = {customer: stage for share in shares for customer, stage in share.where_a.items()}
    where_b = {customer: stage for share in shares for customer, stage in share.where_b.items()}
    return Comparison(
        as_of=a.as_of,
        a=a,
        b=b,
        stages=_stages(a, b),
        goals=_goals(a, b),
        friction=_friction(a, b),
        changes=_changes(where_a, where_b),
        changed=sum(
            1
            for customer in where_a.keys() | where_b.keys()
            if where_a.get(customer) != where_b.get(customer)
        ),
        a_file=journey_a.source,
        b_file=journey_b.source,
        timezone=journey_a.model.timezone,
    )


@attrs.frozen
class _Share:
    """One share of the customers counted under both versions: plain data, for a process.

    Attributes:
        a, b: the share's tallies under each version.
        where_a, where_b: each customer's stage under each version (None: outside).
    """

    a: AnalysisPart
    b: AnalysisPart
    where_a: dict[str, str | None]
    where_b: dict[str, str | None]


@attrs.frozen
class _Task:
    """What a worker process needs to compare its share of a file: plain data.

    Attributes:
        journeys: each version's text and where it comes from.
    """

    journeys: tuple[tuple[str, str], tuple[str, str]]
    file: FileInput
    strict: bool
    as_of: datetime | None
    part: int
    parts: int


def _count_both(
    journeys: tuple[Journey, Journey],
    events: Callable[[Journey], EventSource],
    as_of: datetime | None,
    part: int = 0,
) -> _Share:
    """Count the customers of `events(journey)` under both versions, a's moment for both.

    Raises:
        ArgumentError: there are no events and no `as_of`.
    """
    counted: list[AnalysisPart] = []
    where: list[dict[str, str | None]] = []
    for journey in journeys:
        positions: dict[str, str | None] = {}
        source = events(journey)
        goal = resolve_goal(journey, None)
        run, runs = run_analysis(
            build_plan(journey.model), source, as_of, by=None, goal=goal, positions=positions
        )
        as_of = run.as_of
        rejections = tuple(source.report.rejections) if part == 0 else ()
        totals = share_totals(runs.totals, part)
        counted.append(
            AnalysisPart(run.as_of, None, goal, run.tally, run.groups, totals, rejections)
        )
        where.append(positions)
    return _Share(counted[0], counted[1], where[0], where[1])


def _compare_share(task: _Task) -> _Share | Failure:
    """In a worker process: compare the customers of the task's share of the file."""
    try:
        file = task.file

        def share(journey: Journey) -> EventSource:
            events = journey.read_events(file.path, format=file.format, strict=task.strict)
            return file.share(events, task.part, task.parts)

        (text_a, source_a), (text_b, source_b) = task.journeys
        journeys = (loads(text_a, source=source_a), loads(text_b, source=source_b))
        return _count_both(journeys, share, task.as_of, task.part)
    except Exception as error:  # raised again in the parent process
        return Failure.of(error)


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

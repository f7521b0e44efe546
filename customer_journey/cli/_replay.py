"""`customer-journey replay`: where every customer in an event file is, as of a moment."""

from __future__ import annotations

import functools
import itertools
import tempfile
from collections.abc import Iterable, Iterator
from datetime import datetime, tzinfo
from typing import Protocol

import click

from customer_journey._batch import (
    ReplayBatch,
    ReplayTotals,
    StreamedReplay,
    replay_file,
    stream_file,
    stream_lines,
)
from customer_journey._runner import Runner
from customer_journey._timestamps import format_local
from customer_journey._workers import FileInput, SortedRuns, count_workers
from customer_journey.cli._analyze import workers_option
from customer_journey.cli._errors import InputError
from customer_journey.cli._files import refuse_overwriting, write_lines
from customer_journey.cli._inputs import (
    EventsFile,
    events_input,
    load_journey,
    memory_limit_option,
    time_option,
)
from customer_journey.cli._output import emit, json_text, reading_options, stderr_is_terminal
from customer_journey.cli._positions import (
    PositionLine,
    aligned,
    position_lines,
    position_options,
    stage_table,
)
from customer_journey.engine import build_plan
from customer_journey.journey import Journey
from customer_journey.readers import Rejection

__all__ = ["replay"]


_STAGE_HEADER = ("stage", "customers")


class _Replayed(Protocol):
    """What the summary and the rejections come from: a `ReplayBatch` or `StreamedReplay`."""

    as_of: datetime | None
    totals: ReplayTotals
    rejections: list[Rejection]

    def stage_counts(self) -> dict[str | None, int]:
        """Customers per current stage, in funnel order."""
        ...


def _summary_head(batch: _Replayed, zone: tzinfo) -> list[str]:
    """The totals, and the customers as of when, in the journey's timezone."""
    totals = batch.totals
    as_of = "" if batch.as_of is None else f", as of {format_local(batch.as_of, zone)}"
    return [
        f"records: {totals.read} read, {totals.accepted} accepted, {totals.rejected} rejected, "
        f"{totals.duplicates} duplicates, {totals.after_as_of} after as_of",
        f"customers: {totals.customers}{as_of}",
    ]


def _show_summary(batch: _Replayed, zone: tzinfo) -> None:
    """The totals and customers per stage on stderr: a rich table on a terminal."""
    rows = stage_table(batch.stage_counts())
    emit("\n".join(_summary_head(batch, zone)), err=True)
    if stderr_is_terminal():
        from customer_journey.cli._terminal import show_table  # noqa: PLC0415 - rich: only here

        show_table(_STAGE_HEADER, rows)
    else:
        emit("\n".join(aligned([_STAGE_HEADER, *rows], right=(1,))), err=True)


def _rejection_lines(rejections: Iterable[Rejection]) -> Iterator[str]:
    """Each rejection as a JSON line; a record's values JSON has no form for become text."""
    for rejection in rejections:
        yield json_text(rejection.to_dict(), default=str)


def _replay_file(
    journey: Journey,
    events: EventsFile,
    as_of: datetime | None,
    *,
    strict: bool,
    workers: int | None,
) -> ReplayBatch:
    """Read and replay the events file, in `workers` processes (default: one per core).

    The live count of records read shows on a terminal when this process reads them.
    """
    processes = count_workers(workers, events.path)
    if processes > 1:
        file = _file_input(events)
        return replay_file(journey, file, as_of, strict=strict, trace=False, workers=processes)
    source = events.open(journey, strict=strict)
    if not stderr_is_terminal():
        return journey.replay_all(source, as_of, strict=strict)
    from customer_journey.cli._terminal import counting_records  # noqa: PLC0415 - rich: only here

    with counting_records(source):
        return journey.replay_all(source, as_of, strict=strict)


def _stream_file(
    journey: Journey,
    events: EventsFile,
    as_of: datetime | None,
    line: PositionLine,
    folder: str,
    *,
    strict: bool,
    workers: int | None,
) -> StreamedReplay:
    """Read the events file and write each customer's line in run files in `folder`.

    In `workers` processes (default: one per core), each its share of the customers; the
    live count of records read shows on a terminal when this process reads them.
    """
    processes = count_workers(workers, events.path)
    if processes > 1:
        file = _file_input(events)
        return stream_file(journey, file, as_of, line, folder, strict=strict, workers=processes)
    source = events.open(journey, strict=strict)
    runner = Runner(build_plan(journey.model))
    runs = SortedRuns(folder)
    if not stderr_is_terminal():
        return stream_lines(runner, source, as_of, line, runs)
    from customer_journey.cli._terminal import counting_records  # noqa: PLC0415 - rich: only here

    with counting_records(source):
        return stream_lines(runner, source, as_of, line, runs)


def _file_input(events: EventsFile) -> FileInput:
    """The events file as worker processes open it again, with its memory limit."""
    return FileInput(events.path, events.format, events.name, events.memory_limit)


def _write(
    journey: Journey,
    replayed: _Replayed,
    lines: Iterable[str],
    *,
    out: str | None,
    rejects: str | None,
    max_reject_rate: float,
) -> None:
    """Write the rejections, then (unless too many records were rejected) the positions.

    Raises:
        InputError: more records were rejected than `max_reject_rate` allows.
    """
    if rejects is not None:
        write_lines(_rejection_lines(replayed.rejections), rejects)
    totals = replayed.totals
    rate = totals.rejected / totals.read if totals.read else 0.0
    if rate > max_reject_rate:
        _show_summary(replayed, journey.timezone)
        see = f"see why in '{rejects}'" if rejects else "see why with --rejects FILE"
        raise InputError(
            f"{totals.rejected} of {totals.read} records were rejected ({rate:.0%}), more than "
            f"--max-reject-rate {max_reject_rate:.0%}; {see}"
        )
    write_lines(lines, out)
    _show_summary(replayed, journey.timezone)


@click.command()
@click.argument("journey_file", metavar="JOURNEY")
@click.argument("events_file", metavar="EVENTS")
@click.option("--as-of", help="Replay as of this time (default: the latest event's).")
@position_options
@click.option("--rejects", metavar="FILE", help="Write rejected records here, as JSONL.")
@workers_option
@memory_limit_option
@reading_options
def replay(
    *,
    journey_file: str,
    events_file: str,
    as_of: str | None,
    output_format: str,
    out: str | None,
    rejects: str | None,
    input_format: str | None,
    strict: bool,
    max_reject_rate: float,
    workers: int | None,
    memory_limit: int | None,
) -> None:
    """Replay the EVENTS file through the JOURNEY and print each customer's position.

    The positions (customer, stage, phase, entered_at, time_in_stage, terminal, stalled
    and each goal's status) go to stdout or --out, sorted by customer; a summary of the
    records and customers per stage goes to stderr. EVENTS may be - for stdin.
    """
    refuse_overwriting(
        [("--out", out), ("--rejects", rejects)],
        [("JOURNEY", journey_file), ("EVENTS", events_file)],
    )
    journey = load_journey(journey_file)
    moment = time_option(journey, as_of, "--as-of")
    goals = tuple(journey.model.goals)
    write = functools.partial(
        _write, journey, out=out, rejects=rejects, max_reject_rate=max_reject_rate
    )
    if output_format == "table":  # for people: its column widths need every row first
        with events_input(events_file, input_format, memory_limit) as events:
            batch = _replay_file(journey, events, moment, strict=strict, workers=workers)
        table = position_lines(batch, output_format, goals, zone=journey.timezone)
        write(batch, table)
        return
    line = PositionLine(output_format, goals)
    with tempfile.TemporaryDirectory(prefix="customer-journey-replay-") as folder:
        with events_input(events_file, input_format, memory_limit) as events:
            streamed = _stream_file(
                journey, events, moment, line, folder, strict=strict, workers=workers
            )
        header = [] if line.header is None else [line.header]
        write(streamed, itertools.chain(header, streamed.lines()))

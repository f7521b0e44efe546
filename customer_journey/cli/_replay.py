"""`customer-journey replay`: where every customer in an event file is, as of a moment."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import datetime

import click

from customer_journey._batch import ReplayBatch
from customer_journey._timestamps import format_timestamp
from customer_journey.cli._errors import InputError
from customer_journey.cli._files import refuse_overwriting, write_lines
from customer_journey.cli._inputs import EventsFile, events_input, load_journey, time_option
from customer_journey.cli._output import emit, json_text, reading_options, stderr_is_terminal
from customer_journey.cli._positions import (
    aligned,
    position_lines,
    position_options,
    stage_table,
)
from customer_journey.journey import Journey
from customer_journey.readers import Rejection

__all__ = ["replay"]


_STAGE_HEADER = ("stage", "customers")


def _summary_head(batch: ReplayBatch) -> list[str]:
    totals = batch.totals
    as_of = "" if batch.as_of is None else f", as of {format_timestamp(batch.as_of)}"
    return [
        f"records: {totals.read} read, {totals.accepted} accepted, {totals.rejected} rejected, "
        f"{totals.duplicates} duplicates, {totals.after_as_of} after as_of",
        f"customers: {totals.customers}{as_of}",
    ]


def _show_summary(batch: ReplayBatch) -> None:
    """The totals and customers per stage on stderr: a rich table on a terminal."""
    rows = stage_table(batch.stage_counts())
    emit("\n".join(_summary_head(batch)), err=True)
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
    journey: Journey, events: EventsFile, as_of: datetime | None, *, strict: bool
) -> ReplayBatch:
    """Read and replay the events file, with a live record count on a terminal."""
    source = events.open(journey, strict=strict)
    if not stderr_is_terminal():
        return journey.replay_all(source, as_of, strict=strict)
    from customer_journey.cli._terminal import counting_records  # noqa: PLC0415 - rich: only here

    with counting_records(source):
        return journey.replay_all(source, as_of, strict=strict)


@click.command()
@click.argument("journey_file", metavar="JOURNEY")
@click.argument("events_file", metavar="EVENTS")
@click.option("--as-of", help="Replay as of this time (default: the latest event's).")
@position_options
@click.option("--rejects", metavar="FILE", help="Write rejected records here, as JSONL.")
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
    with events_input(events_file, input_format) as events:
        batch = _replay_file(journey, events, moment, strict=strict)
    if rejects is not None:
        write_lines(_rejection_lines(batch.rejections), rejects)
    totals = batch.totals
    rate = totals.rejected / totals.read if totals.read else 0.0
    if rate > max_reject_rate:
        _show_summary(batch)
        see = f"see why in '{rejects}'" if rejects else "see why with --rejects FILE"
        raise InputError(
            f"{totals.rejected} of {totals.read} records were rejected ({rate:.0%}), more than "
            f"--max-reject-rate {max_reject_rate:.0%}; {see}"
        )
    goals = tuple(journey.model.goals)
    write_lines(position_lines(batch, output_format, goals), out)
    _show_summary(batch)

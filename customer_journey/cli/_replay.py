"""`customer-journey replay`: where every customer in an event file is, as of a moment."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from datetime import datetime

import click

from customer_journey._batch import ReplayBatch
from customer_journey._timestamps import format_timestamp
from customer_journey.cli._errors import InputError, file_error, read_text
from customer_journey.cli._output import (
    as_of_option,
    emit_lines,
    reading_options,
    stderr_is_terminal,
    write_lines,
)
from customer_journey.cli._positions import POSITION_FORMATS, aligned, position_lines, stage_table
from customer_journey.cli._terminal import counting_records, show_table
from customer_journey.journey import Journey, loads
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
    emit_lines(_summary_head(batch), err=True)
    if stderr_is_terminal():
        show_table(_STAGE_HEADER, rows)
    else:
        emit_lines(aligned([_STAGE_HEADER, *rows], right=(1,)), err=True)


def _rejection_lines(rejections: Iterable[Rejection]) -> Iterator[str]:
    for rejection in rejections:
        yield json.dumps(rejection.to_dict(), ensure_ascii=False, default=str)


def _replay_file(
    journey: Journey,
    events_file: str,
    as_of: datetime | None,
    input_format: str | None,
    *,
    strict: bool,
) -> ReplayBatch:
    """Read and replay the events file, with a live record count on a terminal."""
    source = journey.read_events(events_file, format=input_format, strict=strict)
    if not stderr_is_terminal():
        return journey.replay_all(source, as_of, strict=strict)
    with counting_records(source):
        return journey.replay_all(source, as_of, strict=strict)


@click.command()
@click.argument("journey_file", metavar="JOURNEY")
@click.argument("events_file", metavar="EVENTS")
@click.option("--as-of", help="Replay as of this time (default: the latest event's).")
@click.option(
    "--format",
    "output_format",
    type=click.Choice(POSITION_FORMATS),
    default="table",
    show_default=True,
    help="table: aligned text; jsonl: one position object per line; csv: flat columns.",
)
@click.option("--out", metavar="FILE", help="Write the positions here instead of stdout.")
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
    records and customers per stage goes to stderr.
    """
    journey = loads(read_text(journey_file), source=journey_file)
    moment = as_of_option(journey, as_of)
    try:
        batch = _replay_file(journey, events_file, moment, input_format, strict=strict)
    except (OSError, UnicodeDecodeError) as error:
        raise InputError(file_error(error, events_file)) from None
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

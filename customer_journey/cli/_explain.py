"""`customer-journey explain`: one customer's replay, step by step, for a marketer."""

from __future__ import annotations

from datetime import datetime

import click

from customer_journey.cli._errors import InputError
from customer_journey.cli._files import write_lines
from customer_journey.cli._inputs import EventsFile, events_input, load_journey, time_option
from customer_journey.cli._output import emit, json_text
from customer_journey.journey import Journey
from customer_journey.model import Event
from customer_journey.render import explain_text

__all__ = ["explain"]

EXPLAIN_FORMATS = ("text", "json")


def _customer_events(
    journey: Journey, events: EventsFile, customer: str
) -> tuple[list[Event], datetime | None, int]:
    """The customer's events, the file's latest event time, and how many records were rejected.

    Reads the file once and keeps only this customer's events: memory stays flat in the size
    of the file.
    """
    kept: list[Event] = []
    latest: datetime | None = None
    source = events.open(journey)
    for event in source:
        if latest is None or event.at > latest:
            latest = event.at
        if event.customer == customer:
            kept.append(event)
    return kept, latest, source.report.rejected


def _rejected_note(rejected: int) -> str:
    records = "1 record was" if rejected == 1 else f"{rejected} records were"
    return (
        f"{records} rejected (not shown); list them with 'customer-journey replay --rejects FILE'"
    )


@click.command()
@click.argument("journey_file", metavar="JOURNEY")
@click.argument("events_file", metavar="EVENTS")
@click.option("--customer", required=True, metavar="ID", help="The customer to explain.")
@click.option("--as-of", help="Replay as of this time (default: the file's latest event's).")
@click.option(
    "--input-format",
    type=click.Choice(["jsonl", "csv", "parquet"]),
    help="The events file's format (default: from its extension).",
)
@click.option(
    "--format",
    "output_format",
    type=click.Choice(EXPLAIN_FORMATS),
    default="text",
    show_default=True,
    help="text: for people; json: the replay result with its trace.",
)
def explain(
    *,
    journey_file: str,
    events_file: str,
    customer: str,
    as_of: str | None,
    input_format: str | None,
    output_format: str,
) -> None:
    """Explain one customer's replay of the EVENTS file through the JOURNEY.

    Shows what each event (and timeout) did, where the customer is, their friction, the
    next actions with their reasons, and the actions held back and why, with times in the
    journey's timezone (JSON keeps UTC). EVENTS may be - for stdin.
    """
    journey = load_journey(journey_file)
    moment = time_option(journey, as_of, "--as-of")
    with events_input(events_file, input_format) as file:
        events, latest, rejected = _customer_events(journey, file, customer)
    if rejected:
        emit(_rejected_note(rejected), err=True)
    if not events:
        raise InputError(f"no events for customer '{customer}' in {file.name}")
    result = journey.replay(events, moment or latest, trace=True)
    if output_format == "json":
        write_lines([json_text(result.to_dict(), indent=2)], None)
    else:
        emit(explain_text(result, journey.model).removesuffix("\n"))

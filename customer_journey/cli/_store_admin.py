"""`customer-journey outbox`, `upgrade` and `rejects`: looking after a live store.

The outbox hands changes to a sender (`--claim`) and takes back the ones sent (`--ack`);
`upgrade` shows, with `compare`'s tables, who a new version of the journey would move, and
switches to it with `--apply`; `rejects` lists the records the store refused.
"""

from __future__ import annotations

import click

from customer_journey.cli._files import STANDARD_STREAM, refuse_overwriting, write_lines
from customer_journey.cli._inputs import load_journey
from customer_journey.cli._output import emit, json_text
from customer_journey.cli._positions import aligned
from customer_journey.cli._store import opened_store, store_option
from customer_journey.render import comparison_text
from customer_journey.store import sqlite_path

__all__ = ["outbox", "rejects", "upgrade"]

_REJECTS_HEADER = ("source", "row", "code", "reason")


def _messages(count: int) -> str:
    return "1 message" if count == 1 else f"{count} messages"


@click.command()
@store_option
@click.option(
    "--claim",
    "limit",
    type=click.IntRange(min=1),
    metavar="N",
    help="Take up to N waiting messages and print them as JSON lines.",
)
@click.option(
    "--lease",
    type=click.FloatRange(min=0),
    default=60.0,
    show_default=True,
    metavar="SECONDS",
    help="Hold the claimed messages this long; unacknowledged, they are handed out again.",
)
@click.option("--ack", is_flag=True, help="Acknowledge the messages IDS as sent.")
@click.argument("ids", metavar="[IDS]...", nargs=-1, type=click.IntRange(min=1))
def outbox(
    *, store_url: str, limit: int | None, lease: float, ack: bool, ids: tuple[int, ...]
) -> None:
    """Claim the live store's outbox messages to send, or acknowledge the ones sent.

    --claim N prints up to N messages (one JSON object per line: id, customer, kind, at,
    attempts and what changed) and holds them for --lease seconds; --ack IDS... deletes
    them once sent. Delivery is at least once: a message not acknowledged in time is
    claimed again, so send idempotently, by id. With both, the ids are acknowledged first.
    """
    if ids and not ack:
        raise click.UsageError("message ids are given without --ack")
    if ack and not ids:
        raise click.UsageError("--ack needs the ids of the messages sent")
    if limit is None and not ack:
        raise click.UsageError("give --claim N to take messages, or --ack IDS... to acknowledge")
    with opened_store(store_url) as store:
        if ack:
            removed = store.ack(ids)
            gone = len(set(ids)) - removed
            note = f" ({gone} not in the outbox)" if gone else ""
            emit(f"acknowledged {_messages(removed)}{note}", err=True)
        if limit is not None:
            messages = store.claim(limit, lease)
            write_lines((json_text(message.to_dict()) for message in messages), None)
            emit(f"claimed {_messages(len(messages))} for {lease:g}s", err=True)


@click.command()
@click.argument("journey_file", metavar="JOURNEY")
@store_option
@click.option("--apply", is_flag=True, help="Switch the store to this version of the journey.")
@click.option(
    "--json",
    "json_path",
    metavar="PATH",
    help="Write the JSON comparison to PATH too; '-' writes it to stdout instead of the tables.",
)
def upgrade(*, journey_file: str, store_url: str, apply: bool, json_path: str | None) -> None:
    """Show who a new version of the JOURNEY would move in the live store; --apply switches.

    Every stored customer is replayed through both versions as of the store's clock, and
    the differences are shown as compare shows them (version a is the store's). With
    --apply the store then re-derives every customer under the new version in one
    transaction, keeping the old one on record; the moves write no outbox messages.
    """
    refuse_overwriting(
        [("--json", json_path)], [("JOURNEY", journey_file), ("--store", sqlite_path(store_url))]
    )
    journey = load_journey(journey_file)
    with opened_store(store_url) as store:
        comparison = store.upgrade(journey, apply=apply)
    if json_path is not None:
        write_lines([json_text(comparison.to_dict(), indent=2)], json_path)
    if json_path != STANDARD_STREAM:
        emit(comparison_text(comparison).removesuffix("\n"))
    outcome = (
        f"applied: the store now runs this version of journey '{journey.name}'"
        if apply
        else "not applied: run again with --apply to switch the store to this version"
    )
    emit(outcome, err=True)


@click.command()
@store_option
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["table", "jsonl"]),
    default="table",
    show_default=True,
    help="table: source, row, code and reason; jsonl: one object per line, with the record.",
)
def rejects(*, store_url: str, output_format: str) -> None:
    """List the records the live store refused, oldest first, with their reasons."""
    with opened_store(store_url) as store:
        rejections = store.rejections()
    if not rejections:
        emit("no rejected records", err=True)
    elif output_format == "jsonl":
        write_lines((json_text(r.to_dict(), default=str) for r in rejections), None)
    else:
        rows = [(r.source, str(r.row), r.code, r.reason) for r in rejections]
        write_lines(aligned([_REJECTS_HEADER, *rows], right=(1,)), None)

"""`customer-journey ingest`, `status` and `tick`: a live store's events in, positions out.

Also what every store command shares: the `--store` option (or `$CUSTOMER_JOURNEY_STORE`)
and opening the store it names. Only `ingest` makes a store; the other commands refuse a
SQLite file that does not exist instead of creating an empty store there.
"""

from __future__ import annotations

import contextlib
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import datetime
from pathlib import Path

import click

from customer_journey._timestamps import format_local
from customer_journey.cli._analyze import counting
from customer_journey.cli._errors import InputError
from customer_journey.cli._files import refuse_overwriting, write_lines
from customer_journey.cli._inputs import events_input, load_journey, time_option
from customer_journey.cli._output import emit
from customer_journey.cli._positions import position_lines, position_options
from customer_journey.engine import ReplayResult
from customer_journey.errors import ArgumentError, StoreJourneyError
from customer_journey.journey import Journey
from customer_journey.readers import Rejection
from customer_journey.store import CHANGE_KINDS, IngestReport, Store, open_store, sqlite_path

__all__ = [
    "changes_line",
    "ingest",
    "opened_store",
    "status",
    "store_option",
    "tick",
]

#: The environment variable `--store` is read from when it is not given.
STORE_VARIABLE = "CUSTOMER_JOURNEY_STORE"
#: How many rejected records `ingest` shows; the store keeps them all.
_SHOWN_REJECTIONS = 5

store_option = click.option(
    "--store",
    "store_url",
    metavar="URL",
    envvar=STORE_VARIABLE,
    show_envvar=True,
    required=True,
    help="The store: sqlite:///PATH (or a bare PATH) or postgresql://USER@HOST/DB.",
)


@contextlib.contextmanager
def opened_store(url: str, journey: Journey | None = None) -> Iterator[Store]:
    """The store at `url` while the block runs; with `journey`, made if it is not there yet.

    Without a journey the store must exist already: a SQLite file that does not is an
    input error (exit 3), and no empty store is left behind. A URL that is not a store's
    is a usage error (exit 2).
    """
    path = sqlite_path(url)
    if journey is None and path is not None and not Path(path).exists():
        raise InputError(
            f"no store at '{path}'; make one with 'customer-journey ingest JOURNEY EVENTS "
            "--store URL'"
        )
    try:
        store = open_store(url, journey)
    except ArgumentError as error:  # the URL, the only argument the user chose
        raise click.BadParameter(str(error), param_hint="'--store'") from None
    except StoreJourneyError:
        if journey is not None:
            raise
        # Only a database without a journey lands here: a file that is not a store.
        raise InputError(
            f"no store at '{path or url}' (it runs no journey); make one with "
            "'customer-journey ingest JOURNEY EVENTS --store URL'"
        ) from None
    with store:
        yield store


def changes_line(customers: int, changes: Iterable[Mapping[str, int]]) -> str:
    """`customers changed: N; changes: 2 stage_entered, 1 goal_reached` (kinds in order).

    `changes` are counts by kind, of one report or of several (summed).
    """
    kinds: Counter[str] = Counter()
    for counts in changes:
        kinds.update(counts)
    shown = [f"{kinds[kind]} {kind}" for kind in CHANGE_KINDS if kinds[kind]]
    return f"customers changed: {customers}; changes: {', '.join(shown) or 'none'}"


# ingest ------------------------------------------------------------------------------------


def _ingest_file(
    store: Store, events_file: str, input_format: str | None, chunk_size: int
) -> IngestReport:
    """Ingest one events file (or stdin), with a live record count on a terminal."""
    with events_input(events_file, input_format) as events:
        source = events.open(store.journey)
        with counting(source):
            return store.ingest(source, chunk_size=chunk_size, list_changes=False)


def _rejection_lines(rejections: Sequence[Rejection], store: Store) -> Iterator[str]:
    """The first rejected records, `file:row: reason [code]`, and where the rest are."""
    for rejection in rejections[:_SHOWN_REJECTIONS]:
        yield f"{rejection} [{rejection.code}]"
    more = len(rejections) - _SHOWN_REJECTIONS
    rest = f"and {more} more; " if more > 0 else ""
    command = f"customer-journey rejects --store {store.url}"
    yield f"{rest}the store keeps them: list them with '{command}'"


@click.command()
@click.argument("journey_file", metavar="JOURNEY")
@click.argument("events_files", metavar="EVENTS...", nargs=-1, required=True)
@store_option
@click.option(
    "--chunk-size",
    type=click.IntRange(min=1),
    default=1000,
    show_default=True,
    help="Records per transaction.",
)
@click.option(
    "--input-format",
    type=click.Choice(["jsonl", "csv", "parquet"]),
    help="The events files' format (default: from each one's extension).",
)
@click.option(
    "--max-reject-rate",
    type=click.FloatRange(0, 1),
    default=0.5,
    show_default=True,
    help="Fail (exit 3) when a larger share of the records is rejected.",
)
def ingest(
    *,
    journey_file: str,
    events_files: tuple[str, ...],
    store_url: str,
    chunk_size: int,
    input_format: str | None,
    max_reject_rate: float,
) -> None:
    """Ingest the EVENTS files into the live store of the JOURNEY, making it if needed.

    Events the store has already (the same customer and event id, or the same content) are
    duplicates and change nothing, so a file can be ingested again safely. Prints what
    happened to the records and how many customers changed; rejected records are kept in
    the store (see the rejects command). EVENTS may be - for stdin.
    """
    journey = load_journey(journey_file)
    with opened_store(store_url, journey) as store:
        reports = [
            _ingest_file(store, events_file, input_format, chunk_size)
            for events_file in events_files
        ]
        rejections = [rejection for report in reports for rejection in report.rejections]
        if rejections:
            emit("\n".join(_rejection_lines(rejections, store)), err=True)
    read, accepted, rejected, duplicates, late = (
        sum(getattr(report, name) for report in reports)
        for name in ("read", "accepted", "rejected", "duplicates", "late")
    )
    emit(
        f"records: {read} read, {accepted} accepted, {rejected} rejected, "
        f"{duplicates} duplicates, {late} late"
    )
    changed = sum(report.customers_changed for report in reports)  # counted file by file
    emit(changes_line(changed, (report.changes for report in reports)))
    rate = rejected / read if read else 0.0
    if rate > max_reject_rate:
        raise InputError(
            f"{rejected} of {read} records were rejected ({rate:.0%}), more than "
            f"--max-reject-rate {max_reject_rate:.0%}; the accepted events are stored"
        )


# status ------------------------------------------------------------------------------------


def _counted(results: Iterable[ReplayResult], count: list[int]) -> Iterator[ReplayResult]:
    """The results, counting them into `count[0]` as they go by."""
    for result in results:
        count[0] += 1
        yield result


def _customer_status(
    store: Store, customer: str, as_of: datetime | None, *, asked: bool
) -> ReplayResult:
    """One customer's position; one with no events by then is an input error (exit 3).

    `statuses` leaves such a customer out, as `replay` does: so does `status --customer`.
    `asked` says whether the user chose `as_of`, and so whether the message names it.
    """
    result = None if as_of is None else store.status(customer, as_of)
    if result is None or not (result.events or result.stage is not None):
        by = ""
        if asked and as_of is not None:
            by = f" by {format_local(as_of, store.journey.timezone)}"
        raise InputError(f"no events for customer '{customer}' in the store{by}")
    return result


@click.command()
@store_option
@click.option("--customer", metavar="ID", help="Only this customer.")
@click.option("--as-of", help="Their positions as of this time (default: the store's clock).")
@position_options
def status(
    *,
    store_url: str,
    customer: str | None,
    as_of: str | None,
    output_format: str,
    out: str | None,
) -> None:
    """Print each customer's position in the live store, as replay does.

    The same positions, fields and order as replay of the stored events as of the same
    time. The default time is the store's clock: its latest event or tick. A summary goes
    to stderr. The table and the summary show times in the journey's timezone; JSONL and
    CSV keep UTC.
    """
    refuse_overwriting([("--out", out)], [("--store", sqlite_path(store_url))])
    with opened_store(store_url) as store:
        moment = time_option(store.journey, as_of, "--as-of") or store.clock
        goals = tuple(store.journey.model.goals)
        zone = store.journey.timezone
        if customer is not None:
            result = _customer_status(store, customer, moment, asked=as_of is not None)
            write_lines(position_lines([result], output_format, goals, zone=zone), out)
            return
        count = [0]
        results = _counted(() if moment is None else store.statuses(moment), count)
        write_lines(position_lines(results, output_format, goals, zone=zone), out)
    since = "" if moment is None else f", as of {format_local(moment, zone)}"
    emit(f"customers: {count[0]}{since}", err=True)


# tick --------------------------------------------------------------------------------------


@click.command()
@store_option
@click.option("--now", help="Fire what is due by this time (default: the current time).")
def tick(*, store_url: str, now: str | None) -> None:
    """Fire the timeouts due in the live store and judge the goals and stalls due by now.

    Prints how many customers were due and what changed for them, by kind; the changes
    reach the outbox. Run it on a schedule, such as every minute.
    """
    with opened_store(store_url) as store:
        report = store.tick(time_option(store.journey, now, "--now"))
        zone = store.journey.timezone
    emit(f"customers judged: {report.judged}, as of {format_local(report.now, zone)}")
    emit(changes_line(len(report.customers), [report.changes]))

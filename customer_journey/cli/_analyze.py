"""`customer-journey analyze` and `compare`: journey analytics of an events file, as tables.

The tables come from the render layer; these commands read the files, check the options,
and choose where the text (or the JSON) goes.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from datetime import datetime

import click

from customer_journey.analytics import (
    BY_FORMS,
    EVERY,
    Analysis,
    FileInput,
    analyze_source,
    check_by,
    compare,
    count_workers,
    customers_of,
    is_grouping,
    resolve_goal,
)
from customer_journey.cli._errors import InputError
from customer_journey.cli._files import STANDARD_STREAM, refuse_overwriting, write_lines
from customer_journey.cli._inputs import (
    EventsFile,
    events_input,
    load_journey,
    memory_limit_option,
    time_option,
)
from customer_journey.cli._output import emit, json_text, reading_options, stderr_is_terminal
from customer_journey.errors import CustomerJourneyError
from customer_journey.journey import Journey
from customer_journey.readers import EventSource
from customer_journey.render import analysis_text, comparison_text

__all__ = ["analyze_command", "analyze_events", "compare_command"]

_JSON_HELP = "Write the JSON report to PATH too; '-' writes it to stdout instead of the tables."

#: The options `analyze` and `report` share.
goal_option = click.option(
    "--goal", metavar="GOAL", help="Judge friction against this goal (default: the first)."
)
every_option = click.option(
    "--every",
    type=click.Choice(EVERY),
    help="Take trend snapshots every day, week or month (default: by the span of the data).",
)
min_count_option = click.option(
    "--min-count",
    type=click.IntRange(min=1),
    default=20,
    show_default=True,
    help="Root causes need this many judged visits with the factor, and as many without.",
)

workers_option = click.option(
    "--workers",
    type=click.IntRange(min=1),
    metavar="N",
    help="Count the customers in N processes (default: one per core for a file of 1 MiB "
    "or more, else 1); the figures are the same for any N.",
)


def _check_by(_ctx: click.Context, _param: click.Parameter, value: str | None) -> str | None:
    """`--by` is `first_channel`, `customer.<trait>` or `experiment.<id>`; else a usage error."""
    if value is None or is_grouping(value):
        return value
    raise click.BadParameter(f"must be {BY_FORMS} (got '{value}')")


def check_experiment(journey: Journey, by: str | None) -> None:
    """`--by experiment.<id>` of an unknown experiment is a usage error (2), with a hint."""
    try:
        check_by(journey, by)
    except ValueError as error:
        raise click.BadParameter(str(error), param_hint="'--by'") from None


def check_goal(journey: Journey, goal: str | None) -> None:
    """An unknown `--goal` is a usage error (2), with the closest goal as a hint."""
    try:
        resolve_goal(journey, goal)
    except ValueError as error:
        raise click.BadParameter(str(error), param_hint="'--goal'") from None


@contextlib.contextmanager
def reading(
    events_file: str, input_format: str | None = None, memory_limit: int | None = None
) -> Iterator[EventsFile]:
    """The events file (or stdin) to analyze; data that cannot be analyzed is exit 3."""
    with events_input(events_file, input_format, memory_limit) as events:
        try:
            yield events
        except CustomerJourneyError:
            raise
        except ValueError as error:  # no events and no --as-of
            raise InputError(str(error)) from None


def counting(source: EventSource) -> contextlib.AbstractContextManager[None]:
    """A live count of records read, on a terminal only."""
    if not stderr_is_terminal():
        return contextlib.nullcontext()
    from customer_journey.cli._terminal import counting_records  # noqa: PLC0415 - rich: only here

    return counting_records(source)


def analyze_events(
    journey: Journey,
    events: EventsFile,
    as_of: datetime | None,
    *,
    workers: int | None,
    strict: bool,
    by: str | None = None,
    goal: str | None,
    every: str | None,
    top: int = 10,
    min_count: int,
) -> Analysis:
    """The analysis of an events file, in `workers` processes (default: one per core).

    The live count of records read shows only when this process reads them (one worker).
    """
    source = events.open(journey, strict=strict)
    processes = count_workers(workers, events.path)
    file = FileInput(events.path, events.format, events.name, events.memory_limit)
    with counting(source) if processes == 1 else contextlib.nullcontext():
        return analyze_source(
            journey,
            source,
            as_of,
            file=file,
            strict=strict,
            by=by,
            goal=goal,
            every=every,
            top=top,
            min_count=min_count,
            workers=processes,
        )


def _records(count: int) -> str:
    return "1 record was" if count == 1 else f"{count} records were"


def check_rejections(analysis: Analysis, max_reject_rate: float) -> None:
    totals = analysis.totals
    if totals is None or not totals.read:
        return
    rate = totals.rejected / totals.read
    if rate > max_reject_rate:
        raise InputError(
            f"{totals.rejected} of {totals.read} records were rejected ({rate:.0%}), more than "
            f"--max-reject-rate {max_reject_rate:.0%}; see why with "
            "'customer-journey replay --rejects FILE'"
        )


def _write_json(report: dict[str, object], path: str) -> None:
    """The JSON report to stdout (`-`) or to the file `path`."""
    write_lines([json_text(report, indent=2)], path)


@click.command("analyze")
@click.argument("journey_file", metavar="JOURNEY")
@click.argument("events_file", metavar="EVENTS")
@click.option("--as-of", help="Judge as of this time (default: the latest event's).")
@click.option(
    "--by",
    metavar="first_channel|customer.TRAIT|experiment.ID",
    callback=_check_by,
    help="Also split the figures by first channel, by a customer trait or by the arms of "
    "an experiment.",
)
@goal_option
@every_option
@click.option(
    "--top",
    type=click.IntRange(min=1),
    default=10,
    show_default=True,
    help="Rows in the long lists: paths, moves, friction, next actions.",
)
@min_count_option
@click.option("--json", "json_path", metavar="PATH", help=_JSON_HELP)
@click.option(
    "--customers",
    "drill",
    metavar="FRICTION|STAGE",
    help="Instead of the tables, list the ids of the customers with this friction (its "
    "label, as the tables show it) or in this stage as of --as-of, one a line, sorted.",
)
@click.option("--out", metavar="PATH", help="Write the --customers list to PATH (default: stdout).")
@workers_option
@memory_limit_option
@reading_options
def analyze_command(
    *,
    journey_file: str,
    events_file: str,
    as_of: str | None,
    by: str | None,
    goal: str | None,
    every: str | None,
    top: int,
    min_count: int,
    json_path: str | None,
    drill: str | None,
    out: str | None,
    workers: int | None,
    memory_limit: int | None,
    input_format: str | None,
    strict: bool,
    max_reject_rate: float,
) -> None:
    """Analyze every customer of the EVENTS file in the JOURNEY, as tables.

    Funnel, phases, time in stage, moves and paths, goals, friction ranked by customers
    lost, root causes of moving on, the trend, attribution, the next-action mix and each
    experiment's lift; with --by, the same split by group. With --customers, the ids
    behind one friction or stage instead. EVENTS may be - for stdin.
    """
    if out is not None and drill is None:
        msg = "--out is for --customers; the tables go to stdout, and --json PATH writes the JSON"
        raise click.UsageError(msg)
    refuse_overwriting(
        [("--json", json_path), ("--out", out)],
        [("JOURNEY", journey_file), ("EVENTS", events_file)],
    )
    journey = load_journey(journey_file)
    moment = time_option(journey, as_of, "--as-of")
    check_goal(journey, goal)
    check_experiment(journey, by)
    if drill is not None:
        with reading(events_file, input_format, memory_limit) as events:
            ids = _customers(journey, events.open(journey, strict=strict), moment, drill)
        write_lines(ids, out)
        return
    with reading(events_file, input_format, memory_limit) as events:
        analysis = analyze_events(
            journey,
            events,
            moment,
            workers=workers,
            strict=strict,
            by=by,
            goal=goal,
            every=every,
            top=top,
            min_count=min_count,
        )
    check_rejections(analysis, max_reject_rate)
    if json_path is not None:
        _write_json(analysis.to_dict(), json_path)
    if json_path == STANDARD_STREAM:
        if analysis.rejections:
            count = len(analysis.rejections)
            emit(f"{_records(count)} rejected; see 'rejections' in the JSON", err=True)
        return
    emit(analysis_text(analysis, top=top, timezone=journey.timezone).removesuffix("\n"))


def _customers(
    journey: Journey, source: EventSource, as_of: datetime | None, name: str
) -> list[str]:
    """`analyze --customers`: the ids behind a friction or a stage.

    An unknown name is a usage error (2), with the closest stage or friction as a hint.
    """
    try:
        return customers_of(journey, source, as_of, name)
    except KeyError as error:
        raise click.BadParameter(str(error.args[0]), param_hint="'--customers'") from None


@click.command("compare")
@click.argument("journey_a_file", metavar="JOURNEY_A")
@click.argument("journey_b_file", metavar="JOURNEY_B")
@click.argument("events_file", metavar="EVENTS")
@click.option("--as-of", help="Judge both as of this time (default: the latest event's).")
@click.option(
    "--top",
    type=click.IntRange(min=1),
    default=10,
    show_default=True,
    help="Rows in the friction and stage change tables.",
)
@click.option("--json", "json_path", metavar="PATH", help=_JSON_HELP)
@workers_option
@click.option("--strict", is_flag=True, help="Stop at the first record that is not an event.")
def compare_command(
    *,
    journey_a_file: str,
    journey_b_file: str,
    events_file: str,
    as_of: str | None,
    top: int,
    json_path: str | None,
    workers: int | None,
    strict: bool,
) -> None:
    """Replay the EVENTS file through two versions of a journey and show what differs.

    Customers per stage under each version, goal reach, friction, and which customers
    would be in another stage (with example ids). Each version reads the file with its own
    field mapping; naive --as-of times are in JOURNEY_A's timezone. EVENTS may be - for
    stdin.
    """
    refuse_overwriting(
        [("--json", json_path)],
        [("JOURNEY_A", journey_a_file), ("JOURNEY_B", journey_b_file), ("EVENTS", events_file)],
    )
    journey_a = load_journey(journey_a_file)
    journey_b = load_journey(journey_b_file)
    moment: datetime | None = time_option(journey_a, as_of, "--as-of")
    with reading(events_file) as events:
        comparison = compare(
            journey_a, journey_b, events.path, moment, top=top, strict=strict, workers=workers
        )
    if json_path is not None:
        _write_json(comparison.to_dict(), json_path)
    if json_path != STANDARD_STREAM:
        emit(comparison_text(comparison, top=top).removesuffix("\n"))

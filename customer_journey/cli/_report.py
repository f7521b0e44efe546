"""`customer-journey report`: the journey map and analytics as one self-contained HTML file.

The page comes from the render layer; this command reads the files, runs the analysis
like `analyze`, and writes the page where `--out` says.
"""

from __future__ import annotations

import click

from customer_journey.cli._analyze import (
    _check_by,
    analyze_events,
    check_experiment,
    check_goal,
    check_rejections,
    every_option,
    goal_option,
    min_count_option,
    reading,
    workers_option,
)
from customer_journey.cli._files import STANDARD_STREAM, refuse_overwriting, write_lines
from customer_journey.cli._inputs import load_journey, memory_limit_option, time_option
from customer_journey.cli._output import emit, reading_options
from customer_journey.render import report_html

__all__ = ["report_command"]

#: Where the report goes without `--out`: in the current directory.
DEFAULT_OUT = "report.html"


@click.command("report")
@click.argument("journey_file", metavar="JOURNEY")
@click.argument("events_file", metavar="EVENTS")
@click.option(
    "--out",
    metavar="PATH",
    default=DEFAULT_OUT,
    show_default=True,
    help="Write the HTML report to PATH ('-' writes it to stdout).",
)
@click.option(
    "--by",
    metavar="first_channel|customer.TRAIT|experiment.ID",
    callback=_check_by,
    help="Also show every section for each group: by first channel, by a customer trait or "
    "by the arms of an experiment.",
)
@click.option("--as-of", help="Judge as of this time (default: the latest event's).")
@click.option("--title", metavar="TEXT", help="The report's title (default: the journey's).")
@goal_option
@every_option
@min_count_option
@workers_option
@memory_limit_option
@reading_options
def report_command(
    *,
    journey_file: str,
    events_file: str,
    out: str,
    by: str | None,
    as_of: str | None,
    title: str | None,
    goal: str | None,
    every: str | None,
    min_count: int,
    workers: int | None,
    memory_limit: int | None,
    input_format: str | None,
    strict: bool,
    max_reject_rate: float,
) -> None:
    """Write an HTML report of every customer of the EVENTS file in the JOURNEY.

    One self-contained page that works offline and prints: the journey map with the
    friction measured in each phase, the funnel, the flow between stages, time in stage,
    goals, friction and root causes, the trend, the next-best-action mix and each
    experiment's lift; with --by, the same sections for each group after the whole
    population's. Writes report.html in the current directory unless --out says
    otherwise, and prints the path. EVENTS may be - for stdin.
    """
    refuse_overwriting([("--out", out)], [("JOURNEY", journey_file), ("EVENTS", events_file)])
    journey = load_journey(journey_file)
    moment = time_option(journey, as_of, "--as-of")
    check_goal(journey, goal)
    check_experiment(journey, by)
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
            min_count=min_count,
        )
    check_rejections(analysis, max_reject_rate)
    page = report_html(journey.model, analysis, title=title)
    write_lines([page.removesuffix("\n")], out)
    if out != STANDARD_STREAM:
        size = len(page.encode("utf-8"))
        number = analysis.customers
        customers = f"{number:,} customer{'' if number == 1 else 's'}"
        emit(f"wrote the report of {customers} to {out} ({size:,} bytes)")

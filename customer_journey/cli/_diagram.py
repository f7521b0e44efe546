"""`customer-journey diagram`: the journey as a Mermaid or DOT diagram, optionally weighted.

The diagrams come from the render layer; this command reads the files, checks the options,
and chooses where the text goes.
"""

from __future__ import annotations

import click

from customer_journey.analytics import Analysis, analyze
from customer_journey.cli._analyze import reading
from customer_journey.cli._files import refuse_overwriting, write_lines
from customer_journey.cli._inputs import load_journey, time_option
from customer_journey.journey import Journey
from customer_journey.render import dot, mermaid

__all__ = ["diagram"]

#: The diagram formats, and the producer of each.
FORMATS = {"mermaid": mermaid, "dot": dot}


def _analysis(journey: Journey, events_file: str, as_of: str | None) -> Analysis:
    """The moves the edges are weighted by, measured from the events file."""
    moment = time_option(journey, as_of, "--as-of")
    with reading(events_file) as events:
        return analyze(journey, events.open(journey), moment)


@click.command("diagram")
@click.argument("journey_file", metavar="JOURNEY")
@click.option(
    "--format",
    "output_format",
    type=click.Choice(tuple(FORMATS)),
    default="mermaid",
    show_default=True,
    help="mermaid (docs, GitHub, notebooks) or dot (Graphviz).",
)
@click.option(
    "--events",
    "events_file",
    metavar="EVENTS",
    help="Weigh the edges by the moves measured in this events file (- for stdin).",
)
@click.option(
    "--as-of", help="With --events: measure as of this time (default: the latest event's)."
)
@click.option("--out", metavar="FILE", help="Write the diagram to FILE instead of stdout.")
def diagram(
    *,
    journey_file: str,
    output_format: str,
    events_file: str | None,
    as_of: str | None,
    out: str | None,
) -> None:
    """Draw the JOURNEY as a Mermaid or Graphviz DOT diagram.

    Stages are grouped by phase, transitions labelled with their touchpoints or timeouts,
    goal and terminal stages marked; with --events, each transition also shows how many
    customers took it, and thicker lines carry more.
    """
    if as_of is not None and events_file is None:
        raise click.UsageError("--as-of needs --events: it says when the moves are measured")
    refuse_overwriting([("--out", out)], [("JOURNEY", journey_file), ("--events", events_file)])
    journey = load_journey(journey_file)
    analysis = None if events_file is None else _analysis(journey, events_file, as_of)
    text = FORMATS[output_format](journey, analysis=analysis)
    write_lines([text.removesuffix("\n")], out)

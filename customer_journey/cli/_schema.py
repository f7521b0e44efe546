"""`customer-journey schema`: the JSON Schema of journey files, for editors and CI."""

from __future__ import annotations

import click

from customer_journey.cli._files import write_lines
from customer_journey.cli._output import json_text
from customer_journey.dsl import journey_schema

__all__ = ["schema"]


@click.command()
def schema() -> None:
    """Print the JSON Schema of journey files (for editor completion and CI checks)."""
    write_lines([json_text(journey_schema(), indent=2)], None)

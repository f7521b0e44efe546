"""`customer-journey schema`: the JSON Schema of journey files, for editors and CI."""

from __future__ import annotations

import json

import click

from customer_journey.cli._output import emit
from customer_journey.dsl import journey_schema

__all__ = ["schema"]


@click.command()
def schema() -> None:
    """Print the JSON Schema of journey files (for editor completion and CI checks)."""
    emit(json.dumps(journey_schema(), indent=2))

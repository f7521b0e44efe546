"""`customer-journey simulate`: a seeded population of synthetic customers, as an events file."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import click

from customer_journey._timestamps import parse_timestamp
from customer_journey.cli._errors import InputError, read_text
from customer_journey.cli._files import (
    STANDARD_STREAM,
    atomic_output,
    refuse_overwriting,
    write_lines,
)
from customer_journey.cli._inputs import load_journey, time_option
from customer_journey.cli._output import emit, json_text
from customer_journey.journey import Journey
from customer_journey.readers import ParquetWriteError, write_parquet
from customer_journey.testing import read_settings
from customer_journey.testing import simulate as simulate_customers

__all__ = ["simulate"]

_PARQUET_SUFFIXES = (".parquet", ".pq")


@click.command("simulate")
@click.argument("journey_file", metavar="JOURNEY")
@click.option("--customers", type=click.IntRange(min=0), help="How many customers (100).")
@click.option("--seed", type=int, help="The random seed: the same seed, the same records (0).")
@click.option(
    "--start", metavar="TIME", help="The earliest arrival, e.g. 2026-01-01 (2026-01-01T00:00Z)."
)
@click.option(
    "--until", metavar="TIME", help="No event after this time (a year after the last arrival)."
)
@click.option(
    "--config",
    metavar="FILE",
    help="A YAML or JSON file of settings: probabilities, delays, entry weights and more.",
)
@click.option("--out", metavar="FILE", help="Write the records here instead of stdout.")
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["jsonl", "parquet"]),
    help="jsonl: one JSON record per line; parquet: needs --out and pyarrow "
    "(default: from --out's extension, else jsonl).",
)
def simulate(
    *,
    journey_file: str,
    customers: int | None,
    seed: int | None,
    start: str | None,
    until: str | None,
    config: str | None,
    out: str | None,
    output_format: str | None,
) -> None:
    """Simulate customers flowing through the JOURNEY and write their events.

    Each customer enters through an entry touchpoint and then, stage by stage, takes a
    transition (by default all alike), stays quiet until a timeout fires, or stops. The
    records are grouped by customer, in time order, with ISO 8601 UTC timestamps.
    """
    if out == STANDARD_STREAM:  # stdout, as without --out
        out = None
    if output_format is None:
        is_parquet = out is not None and Path(out).suffix.lower() in _PARQUET_SUFFIXES
        output_format = "parquet" if is_parquet else "jsonl"
    if output_format == "parquet" and out is None:
        raise click.UsageError("--format parquet needs --out FILE")
    refuse_overwriting([("--out", out)], [("JOURNEY", journey_file), ("--config", config)])
    journey = load_journey(journey_file)
    settings: dict[str, Any] = {}
    if config is not None:
        settings = _config_times(journey, read_settings(read_text(config), source=config), config)
    given = {
        "customers": customers,
        "seed": seed,
        "start": time_option(journey, start, "--start"),
        "until": time_option(journey, until, "--until"),
    }
    settings.update({key: value for key, value in given.items() if value is not None})
    simulation = simulate_customers(journey, **settings)
    for name in simulation.skipped_touchpoints:
        emit(f"warning: no event can match touchpoint '{name}'; it is left out", err=True)
    if out is not None and output_format == "parquet":
        count = _write_parquet(simulation, out)
    else:
        counted = _Counted(simulation)
        write_lines(counted.lines(), out)
        count = counted.count
    where = f" to {out}" if out is not None else ""
    emit(
        f"simulated {simulation.customers} customers: {count} records{where} "
        f"(seed {simulation.seed})",
        err=True,
    )


def _config_times(journey: Journey, settings: dict[str, Any], config: str) -> dict[str, Any]:
    """The settings with `start` and `until` read as times; a bad one is an input error."""
    for key in ("start", "until"):
        if settings.get(key) is None:
            continue
        try:
            settings[key] = parse_timestamp(settings[key], journey.timezone)
        except ValueError as error:
            raise InputError(f"{config}: '{key}' is not a usable time: {error}") from None
    return settings


def _write_parquet(records: Iterable[dict[str, Any]], out: str) -> int:
    """Write the records to the Parquet file `out`, whole or not at all."""
    with atomic_output(out) as part:
        try:
            return write_parquet(records, part)
        except ParquetWriteError as error:  # it names the file it was given: name `out`
            raise ParquetWriteError(str(error).replace(part, out)) from None


class _Counted:
    """Records as JSON lines, counted on the way."""

    def __init__(self, records: Iterable[dict[str, Any]]) -> None:
        self.records = records
        self.count = 0

    def lines(self) -> Iterator[str]:
        for record in self.records:
            self.count += 1
            yield json_text(record)

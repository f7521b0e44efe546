"""Text producers for `replay`: customers' positions as a table, JSONL or CSV, and the summary.

Every producer yields lines; the results arrive sorted by customer, so the same input gives
byte-identical output whatever order its records came in. The table is for people: its
times are in the journey's timezone, with their offset. JSONL and CSV are for machines:
their times are UTC, written with `Z`.
"""

from __future__ import annotations

import csv
import functools
import io
import itertools
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from datetime import datetime, timezone, tzinfo
from typing import Any, TypeVar

import click

from customer_journey._durations import describe_duration
from customer_journey._printable import printable
from customer_journey._timestamps import format_local, format_timestamp
from customer_journey.cli._output import json_text
from customer_journey.engine import ReplayResult

__all__ = [
    "POSITION_FORMATS",
    "PositionLine",
    "aligned",
    "columns",
    "csv_cell",
    "position_lines",
    "position_options",
    "stage_table",
]

POSITION_FORMATS = ("table", "jsonl", "csv")
_Command = TypeVar("_Command", bound=Callable[..., Any])


def position_options(command: _Command) -> _Command:
    """`--format` and `--out`, for the commands that print positions (`replay`, `status`)."""
    command = click.option(
        "--out", metavar="FILE", help="Write the positions here instead of stdout."
    )(command)
    return click.option(
        "--format",
        "output_format",
        type=click.Choice(POSITION_FORMATS),
        default="table",
        show_default=True,
        help="table: aligned text; jsonl: one position object per line; csv: flat columns.",
    )(command)


_FIXED = (
    "customer",
    "stage",
    "phase",
    "entered_at",
    "time_in_stage",
    "terminal",
    "stalled",
    "next_action",
    "friction",
)
#: Shown in tables for "no value" (CSV leaves the cell empty).
_NONE = "-"
#: A spreadsheet reads a cell that starts with one of these as a formula (OWASP).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def columns(goals: Sequence[str]) -> list[str]:
    """The column names: the position, the top action, the friction, then `goal.<name>`s."""
    return [*_FIXED, *(f"goal.{goal}" for goal in goals)]


def _friction_kinds(result: ReplayResult) -> str | None:
    """The distinct friction kinds, comma-joined in first-seen order; None when there is none."""
    kinds = dict.fromkeys(point.kind for point in result.friction)
    return ",".join(kinds) or None


def _cells(
    result: ReplayResult, goals: Sequence[str], spell: Callable[[datetime], str]
) -> list[str | None]:
    """A position's cells, its times spelled by `spell` (UTC for CSV, local for tables)."""
    statuses = [result.goals[goal].status if goal in result.goals else None for goal in goals]
    return [
        result.customer,
        result.stage,
        result.phase,
        None if result.entered_at is None else spell(result.entered_at),
        None if result.time_in_stage is None else describe_duration(result.time_in_stage),
        "true" if result.is_terminal else "false",
        "true" if result.is_stalled else "false",
        result.next_action,
        _friction_kinds(result),
        *statuses,
    ]


def csv_cell(value: object) -> object:
    """A CSV cell a spreadsheet will not run: text that starts like a formula gets a `'`.

    A customer id such as `=HYPERLINK("http://x","click")` would otherwise be a live
    formula in the spreadsheet the CSV is opened in (OWASP's CSV injection). Only text is
    changed: a number (`-3`, an int or a float) is a value, not a formula.
    """
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


class PositionLine:
    """A customer's position as one JSONL or CSV line, and the CSV header.

    Plain data (a format and goal names), so that worker processes format their own
    customers' lines. The CSV writer's line terminator is CR LF so that it quotes a cell
    holding a carriage return as well as one holding a newline; it is cut from each row.

    Attributes:
        output_format: `jsonl` or `csv`.
        goals: the journey's goal names, for the `goal.<name>` columns.
        header: the CSV header line; None for JSONL.
    """

    def __init__(self, output_format: str, goals: Sequence[str]) -> None:
        self.output_format = output_format
        self.goals = tuple(goals)
        self._buffer = io.StringIO()
        self._writer = csv.writer(self._buffer, lineterminator="\r\n")
        # `goal.` names: never formula-like
        self.header = self._row(columns(goals)) if output_format == "csv" else None

    def __reduce__(self) -> tuple[type[PositionLine], tuple[str, tuple[str, ...]]]:
        """Pickle as the format and goals: the writer is made again where it is unpickled."""
        return PositionLine, (self.output_format, self.goals)

    def __call__(self, result: ReplayResult) -> str:
        """`result` as one line, without its line end."""
        if self.output_format == "jsonl":
            data = result.to_dict()
            del data["trace"]
            return json_text(data)
        cells = _cells(result, self.goals, format_timestamp)
        return self._row(["" if cell is None else csv_cell(cell) for cell in cells])

    def _row(self, cells: Sequence[object]) -> str:
        buffer = self._buffer
        buffer.seek(0)
        buffer.truncate()
        self._writer.writerow(cells)
        return buffer.getvalue().removesuffix("\r\n")


def aligned(rows: Sequence[Sequence[str]], *, right: Sequence[int] = ()) -> Iterator[str]:
    """Rows as plain text columns two spaces apart, without trailing spaces.

    Control characters in the cells (names and ids come from journeys and data) are
    spelled out first, so each row is one line and the columns line up.
    """
    rows = [[printable(cell) for cell in row] for row in rows]
    widths = [max(len(row[index]) for row in rows) for index in range(len(rows[0]))]
    for row in rows:
        cells = [
            cell.rjust(width) if index in right else cell.ljust(width)
            for index, (cell, width) in enumerate(zip(row, widths, strict=True))
        ]
        yield "  ".join(cells).rstrip()


def position_lines(
    results: Iterable[ReplayResult],
    output_format: str,
    goals: Sequence[str],
    *,
    zone: tzinfo = timezone.utc,
) -> Iterator[str]:
    """Each customer's position in `output_format` (one of `POSITION_FORMATS`).

    The table shows times in `zone`, the journey's timezone, with their offset; JSONL and
    CSV keep UTC (`Z`), whatever the zone.
    """
    if output_format in ("jsonl", "csv"):
        line = PositionLine(output_format, goals)
        head = [] if line.header is None else [line.header]
        return itertools.chain(head, map(line, results))
    spell = functools.partial(format_local, zone=zone)
    rows = [columns(goals)]
    rows += [[_NONE if c is None else c for c in _cells(r, goals, spell)] for r in results]
    return aligned(rows)


def stage_table(counts: Mapping[str | None, int]) -> list[tuple[str, str]]:
    """(stage, customers) rows in funnel order; customers not in the journey come last."""
    return [
        ("(not in the journey)" if stage is None else stage, str(count))
        for stage, count in counts.items()
    ]

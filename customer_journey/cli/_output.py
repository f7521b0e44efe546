"""The one writer, and the text producers shared by several commands (problem formats).

Producers return text; only `emit` writes, so every command's output is testable with
click's `CliRunner` and nothing else prints.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar

import click

from customer_journey._timestamps import parse_timestamp
from customer_journey.analytics._build import EVERY
from customer_journey.cli._errors import InputError, file_error
from customer_journey.errors import Problem, Severity
from customer_journey.journey import Journey

__all__ = [
    "PROBLEM_FORMATS",
    "emit",
    "emit_lines",
    "every_option",
    "format_problems",
    "github_annotation",
    "goal_option",
    "human_problem",
    "min_count_option",
    "parsable_problem",
    "problem_format_option",
    "reading_options",
    "stderr_is_terminal",
    "write_lines",
]

F = TypeVar("F", bound=Callable[..., Any])

PROBLEM_FORMATS = ("human", "parsable", "json", "github")

#: The `--format` option of the commands that report problems (`validate`, `lint`).
problem_format_option = click.option(
    "--format",
    "output_format",
    type=click.Choice(PROBLEM_FORMATS),
    default="human",
    show_default=True,
    help="human: message, line and caret; parsable: one line each; json; github: annotations.",
)


def emit(text: str, *, err: bool = False) -> None:
    """Write `text` and a newline to stdout (or stderr)."""
    click.echo(text, err=err)


def emit_lines(lines: Iterable[str], *, err: bool = False) -> None:
    """Write each line as it is produced (large outputs are not built in memory)."""
    stream = sys.stderr if err else sys.stdout
    for line in lines:
        stream.write(line)
        stream.write("\n")
    stream.flush()


def write_lines(lines: Iterable[str], out: str | None) -> None:
    """Write lines to the file `out`, or to stdout when it is None."""
    if out is None:
        emit_lines(lines)
        return
    try:
        with Path(out).open("w", encoding="utf-8", newline="") as stream:
            for line in lines:
                stream.write(line)
                stream.write("\n")
    except OSError as error:
        raise InputError(file_error(error, out, verb="write")) from None


def stderr_is_terminal() -> bool:
    """Whether stderr is a terminal: only then are progress bars and rich tables drawn."""
    return sys.stderr.isatty()


def _source_lines(source: str) -> tuple[str, ...]:
    """The lines of a problem's file, to quote under its message; empty when unreadable."""
    try:
        return tuple(Path(source).read_text(encoding="utf-8").splitlines())
    except (OSError, UnicodeDecodeError, ValueError):
        return ()


def human_problem(problem: Problem, lines: Sequence[str]) -> str:
    """The problem, then the line it is on (from `lines`) and a caret under its column."""
    text = str(problem)
    location = problem.location
    if location is None:
        return text
    if not 1 <= location.line <= len(lines):
        return text
    quoted = lines[location.line - 1]
    caret = " " * (location.column - 1) + "^"
    return f"{text}\n{location.line:>5} | {quoted}\n{'':>5} | {caret}"


def parsable_problem(problem: Problem, file: str) -> str:
    """One line: `file:line:col: message [code]`."""
    return str(problem) if problem.location else f"{file}: {problem}"


def _escape(text: str, *, property_value: bool = False) -> str:
    """Escape text for a GitHub workflow command (data, or a property's value)."""
    text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    if property_value:
        text = text.replace(":", "%3A").replace(",", "%2C")
    return text


def github_annotation(problem: Problem, file: str) -> str:
    """A GitHub Actions annotation: `::error file=..,line=..,col=..::message`."""
    level = "warning" if problem.severity is Severity.WARNING else "error"
    location = problem.location
    where = [f"file={_escape(location.source if location else file, property_value=True)}"]
    if location:
        where += [f"line={location.line}", f"col={location.column}"]
    hint = f"; {problem.hint}" if problem.hint else ""
    message = _escape(f"{problem.message}{hint} [{problem.code}]")
    return f"::{level} {','.join(where)}::{message}"


def format_problems(problems: Iterable[Problem], output_format: str, file: str = "") -> str:
    """All of `problems` in one of `PROBLEM_FORMATS` (json: a list of problem objects)."""
    if output_format == "json":
        return json.dumps([problem.to_dict() for problem in problems], indent=2)
    if output_format == "parsable":
        return "\n".join(parsable_problem(problem, file) for problem in problems)
    if output_format == "github":
        return "\n".join(github_annotation(problem, file) for problem in problems)
    sources: dict[str, tuple[str, ...]] = {}
    shown = []
    for problem in problems:
        source = problem.location.source if problem.location else ""
        if source not in sources:
            sources[source] = _source_lines(source) if source else ()
        shown.append(human_problem(problem, sources[source]))
    return "\n".join(shown)


def as_of_option(journey: Journey, value: str | None) -> datetime | None:
    """Read an `--as-of` value in the journey's timezone; a bad one is a usage error (2)."""
    if value is None:
        return None
    try:
        return parse_timestamp(value, journey.timezone)
    except ValueError as error:
        raise click.BadParameter(str(error), param_hint="'--as-of'") from None


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
_READING = (
    click.option(
        "--input-format",
        type=click.Choice(["jsonl", "csv", "parquet"]),
        help="The events file's format (default: from its extension).",
    ),
    click.option("--strict", is_flag=True, help="Stop at the first record that is not an event."),
    click.option(
        "--max-reject-rate",
        type=click.FloatRange(0, 1),
        default=0.5,
        show_default=True,
        help="Fail (exit 3) when a larger share of the records is rejected.",
    ),
)


def reading_options(command: F) -> F:
    """The options of the commands that read an events file: format, strictness, rejects."""
    for option in reversed(_READING):
        command = option(command)
    return command

"""The one writer, and the text producers shared by several commands (problem formats).

Producers return text; only `emit` and `emit_lines` write, so every command's output is
testable with click's `CliRunner` and nothing else prints. Text for people goes through
`emit`, which spells out control characters that names and data may hold; data (JSON,
CSV, HTML, diagrams) goes through `emit_lines` as it is, and JSON is made by `json_text`.
"""

from __future__ import annotations

import json
import math
import sys
from collections.abc import Callable, Collection, Iterable, Sequence
from pathlib import Path
from typing import Any, TypeVar

import click

from customer_journey._printable import UNPRINTABLE, printable
from customer_journey.dsl import WHOLE_FILE_CODES
from customer_journey.errors import Problem, Severity

__all__ = [
    "PROBLEM_FORMATS",
    "emit",
    "emit_lines",
    "format_problems",
    "github_annotation",
    "human_problem",
    "json_text",
    "parsable_problem",
    "problem_format_option",
    "reading_options",
    "stderr_is_terminal",
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
    """Write text for people and a newline to stdout (or stderr), control characters spelled.

    An escape sequence in a name would be obeyed by the terminal, and a newline would
    forge a line: each line of `text` is made `printable`.
    """
    click.echo("\n".join(printable(line) for line in text.split("\n")), err=err)


def emit_lines(lines: Iterable[str], *, err: bool = False) -> None:
    """Write each line of data as it is produced (large outputs are not built in memory)."""
    stream = sys.stderr if err else sys.stdout
    for line in lines:
        stream.write(line)
        stream.write("\n")
    stream.flush()


#: JSON text escapes C0 controls itself; these others it would leave raw.
_JSON_ESCAPES = {code: f"\\u{code:04x}" for code in UNPRINTABLE if code >= 0x20}
#: The encoder of one-line JSON, made once: `json.dumps` makes one on every call.
_ENCODER = json.JSONEncoder(ensure_ascii=False, allow_nan=False)


def json_text(
    value: Any, *, indent: int | None = None, default: Callable[[Any], Any] | None = None
) -> str:
    r"""`value` as strict JSON (RFC 8259): no `NaN` or `Infinity`, which parsers refuse.

    A number that is not finite (a NaN trait in a Parquet file) is written as null. DEL,
    the C1 controls and the other characters `printable` spells out are written as
    `\uXXXX`, so the text is as safe on a terminal as it is for a parser.
    """
    encoder = (
        _ENCODER
        if indent is None and default is None
        else json.JSONEncoder(ensure_ascii=False, allow_nan=False, indent=indent, default=default)
    )
    try:
        text = encoder.encode(value)
    except ValueError:  # a NaN or an infinity somewhere: only then walk the value
        text = encoder.encode(_finite(value))
    # `isascii` reads a flag the string keeps, and DEL is the one ASCII character to
    # escape: the usual line skips `translate`, which looks up every character.
    if text.isascii() and "\x7f" not in text:
        return text
    return text.translate(_JSON_ESCAPES)


def _finite(value: Any) -> Any:
    """`value` with every float that is not finite replaced by None, at any depth."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {key: _finite(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_finite(item) for item in value]
    return value


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
    text = printable(str(problem))
    location = problem.location
    if location is None:
        return text
    if not 1 <= location.line <= len(lines):
        return text
    line = lines[location.line - 1]
    quoted = printable(line)
    caret = " " * len(printable(line[: location.column - 1])) + "^"
    return f"{text}\n{location.line:>5} | {quoted}\n{'':>5} | {caret}"


def parsable_problem(problem: Problem, file: str) -> str:
    """One line: `file:line:col: message [code]`, whatever the names in it hold."""
    return printable(str(problem) if problem.location else f"{file}: {problem}")


def _escape(text: str, *, property_value: bool = False) -> str:
    r"""Escape text for a GitHub workflow command (data, or a property's value).

    Control characters are spelled out first (a newline as `\n`), so the command is one
    line and a runner's log shows what the name holds.
    """
    text = printable(text).replace("%", "%25")
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


def format_problems(
    problems: Iterable[Problem],
    output_format: str,
    file: str = "",
    *,
    quotable: Collection[str] = (),
) -> str:
    """All of `problems` in one of `PROBLEM_FORMATS` (json: a list of problem objects).

    The human format quotes the line a problem is on only when its file is one of
    `quotable`: the journey (or scenario) files the user named. A problem may point at
    another file (one a setting named, which may hold anything), and an error message
    must not show what is in it.
    """
    if output_format == "json":
        return json_text([problem.to_dict() for problem in problems], indent=2)
    if output_format == "parsable":
        return "\n".join(parsable_problem(problem, file) for problem in problems)
    if output_format == "github":
        return "\n".join(github_annotation(problem, file) for problem in problems)
    sources: dict[str, tuple[str, ...]] = {}
    shown = []
    for problem in problems:
        source = problem.location.source if problem.location else ""
        if source not in sources:
            sources[source] = _source_lines(source) if source in quotable else ()
        whole_file = problem.code in WHOLE_FILE_CODES
        shown.append(human_problem(problem, () if whole_file else sources[source]))
    return "\n".join(shown)


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

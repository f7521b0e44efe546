"""`customer-journey validate`: every problem of every journey file, in four formats."""

from __future__ import annotations

import attrs
import click

from customer_journey.cli._errors import (
    EXIT_FINDINGS,
    EXIT_INPUT,
    InputError,
    read_text,
)
from customer_journey.cli._output import emit, format_problems, json_text, problem_format_option
from customer_journey.errors import JourneyError, Problem
from customer_journey.journey import Journey, loads

__all__ = ["validate"]


@attrs.frozen
class _Report:
    """What validating one file found: its journey, or its problems, or why it is unreadable."""

    file: str
    journey: Journey | None = None
    problems: tuple[Problem, ...] = ()
    error: str | None = None


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def _validate_file(file: str) -> _Report:
    try:
        text = read_text(file)
    except InputError as error:
        return _Report(file, error=str(error))
    try:
        return _Report(file, journey=loads(text, source=file))
    except JourneyError as error:
        return _Report(file, problems=error.problems)


def _ok_line(report: _Report) -> str:
    model = report.journey.model if report.journey else None
    if model is None:
        return f"{report.file}: ok"
    stages = _plural(len(model.stages), "stage")
    touchpoints = _plural(len(model.touchpoints), "touchpoint")
    return f"{report.file}: ok (journey '{model.name}': {stages}, {touchpoints})"


def _as_json(reports: list[_Report]) -> str:
    files = [
        {
            "file": report.file,
            "valid": report.journey is not None,
            "journey": report.journey.name if report.journey else None,
            "error": report.error,
            "problems": [problem.to_dict() for problem in report.problems],
        }
        for report in reports
    ]
    valid = all(report.journey is not None for report in reports)
    return json_text({"valid": valid, "files": files}, indent=2)


def _as_text(reports: list[_Report], output_format: str) -> str:
    """Problems in the chosen format; the human format also says which files are ok."""
    parts = []
    for report in reports:
        if report.problems:
            parts.append(
                format_problems(report.problems, output_format, report.file, quotable={report.file})
            )
        elif report.journey is not None and output_format == "human":
            parts.append(_ok_line(report))
    return "\n".join(parts)


@click.command()
@click.argument("files", nargs=-1, required=True, metavar="FILE...")
@problem_format_option
@click.pass_context
def validate(ctx: click.Context, files: tuple[str, ...], output_format: str) -> None:
    """Check journey files and report every problem of every file.

    Exits 0 when every file is valid, 1 when any has problems, 3 when one cannot be read.
    """
    reports = [_validate_file(file) for file in files]
    for report in reports:
        if report.error:
            emit(f"error: {report.error}", err=True)
    text = _as_json(reports) if output_format == "json" else _as_text(reports, output_format)
    if text:
        emit(text)
    if any(report.error for report in reports):
        ctx.exit(EXIT_INPUT)
    if any(report.problems for report in reports):
        ctx.exit(EXIT_FINDINGS)

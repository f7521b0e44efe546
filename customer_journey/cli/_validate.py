"""`customer-journey validate`: every problem of every journey file, in four formats.

It compiles each file with the DSL and nothing more (no replay machinery), to stay quick
enough for an editor or a pre-commit hook to run on every save.
"""

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
from customer_journey.dsl import compile_journey
from customer_journey.errors import JourneyError, Problem
from customer_journey.model import JourneyModel

__all__ = ["validate"]


@attrs.frozen
class _Report:
    """What validating one file found: its journey, or its problems, or why it is unreadable."""

    file: str
    model: JourneyModel | None = None
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
        return _Report(file, model=compile_journey(text, source=file))
    except JourneyError as error:
        return _Report(file, problems=error.problems)


def _ok_line(file: str, model: JourneyModel) -> str:
    stages = _plural(len(model.stages), "stage")
    touchpoints = _plural(len(model.touchpoints), "touchpoint")
    return f"{file}: ok (journey '{model.name}': {stages}, {touchpoints})"


def _as_json(reports: list[_Report]) -> str:
    files = [
        {
            "file": report.file,
            "valid": report.model is not None,
            "journey": report.model.name if report.model else None,
            "error": report.error,
            "problems": [problem.to_dict() for problem in report.problems],
        }
        for report in reports
    ]
    valid = all(report.model is not None for report in reports)
    return json_text({"valid": valid, "files": files}, indent=2)


def _as_text(reports: list[_Report], output_format: str) -> str:
    """Problems in the chosen format; the human format also says which files are ok."""
    parts = []
    for report in reports:
        if report.problems:
            parts.append(
                format_problems(report.problems, output_format, report.file, quotable={report.file})
            )
        elif report.model is not None and output_format == "human":
            parts.append(_ok_line(report.file, report.model))
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

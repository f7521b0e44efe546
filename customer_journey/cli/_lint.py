"""`customer-journey lint`: what loads fine but is suspicious or can never happen."""

from __future__ import annotations

import attrs
import click

from customer_journey.checks import lint as lint_model
from customer_journey.cli._errors import EXIT_FINDINGS, EXIT_INPUT, InputError, read_text
from customer_journey.cli._output import emit, format_problems, problem_format_option
from customer_journey.errors import JourneyError, Problem, Severity
from customer_journey.journey import loads

__all__ = ["lint"]


@attrs.frozen
class _Report:
    """What linting one file found; `loaded` is False when it cannot be read or loaded."""

    file: str
    problems: tuple[Problem, ...] = ()
    loaded: bool = True
    error: str | None = None


def _lint_file(file: str) -> _Report:
    try:
        text = read_text(file)
    except InputError as error:
        return _Report(file, loaded=False, error=str(error))
    try:
        journey = loads(text, source=file)
    except JourneyError as error:
        return _Report(file, error.problems, loaded=False)
    return _Report(file, lint_model(journey.model))


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def _summary(report: _Report) -> str:
    """`file: ok`, `file: 1 error, 2 warnings`, or that it does not load."""
    if not report.loaded:
        return f"{report.file}: does not load ({_plural(len(report.problems), 'problem')})"
    if not report.problems:
        return f"{report.file}: ok"
    errors = sum(problem.severity is Severity.ERROR for problem in report.problems)
    warnings = len(report.problems) - errors
    return f"{report.file}: {_plural(errors, 'error')}, {_plural(warnings, 'warning')}"


def _as_text(reports: list[_Report], output_format: str) -> str:
    if output_format == "json":
        return format_problems([p for report in reports for p in report.problems], "json")
    parts = []
    for report in reports:
        if report.problems:
            parts.append(
                format_problems(report.problems, output_format, report.file, quotable={report.file})
            )
        if output_format == "human" and report.error is None:
            parts.append(_summary(report))
    return "\n".join(parts)


@click.command()
@click.argument("files", nargs=-1, required=True, metavar="FILE...")
@problem_format_option
@click.option("--strict", is_flag=True, help="Exit 1 on warnings too, not only on errors.")
@click.pass_context
def lint(ctx: click.Context, files: tuple[str, ...], output_format: str, *, strict: bool) -> None:
    """Find what loads fine but can never happen or looks like a mistake.

    Unreachable stages, stages with no way out, transitions that never fire, goals never
    reached, actions never offered, touchpoints never used, timeouts that leave no time to
    stall. Exits 0 when there are no errors (warnings alone pass unless --strict), 1 when
    there are, 3 when a file cannot be read or does not load.
    """
    reports = [_lint_file(file) for file in files]
    for report in reports:
        if report.error:
            emit(f"error: {report.error}", err=True)
    text = _as_text(reports, output_format)
    if text:
        emit(text)
    if any(not report.loaded for report in reports):
        ctx.exit(EXIT_INPUT)
    failing = {Severity.ERROR, Severity.WARNING} if strict else {Severity.ERROR}
    if any(p.severity in failing for report in reports for p in report.problems):
        ctx.exit(EXIT_FINDINGS)

"""`customer-journey test`: run scenario files, one line per scenario, details on failure.

With `--coverage`, a table of the stages, transitions, friction rules and actions the
scenarios exercised follows, and `--fail-under` turns low coverage into a finding. With
`--mutate`, the scenarios then run against every mutant of their journeys: each survivor
is reported where the change was made, then the score, and `--min-score` turns a low score
into a finding.
"""

from __future__ import annotations

import click

from customer_journey.cli._errors import EXIT_FINDINGS, EXIT_INPUT, InputError, file_error
from customer_journey.cli._files import refuse_overwriting, write_lines
from customer_journey.cli._output import emit, format_problems, json_text
from customer_journey.errors import JourneyError
from customer_journey.testing import (
    Coverage,
    ScenarioFileResult,
    run_mutants,
    run_scenario_file,
    scenario_coverage,
    total_percent,
)

__all__ = ["test"]


@click.command()
@click.argument("files", nargs=-1, required=True, metavar="FILE...")
@click.option(
    "--coverage",
    "show_coverage",
    is_flag=True,
    help="After the results, print which stages, transitions, friction rules and actions "
    "the scenarios exercised, and what they missed.",
)
@click.option(
    "--fail-under",
    type=click.FloatRange(0, 100),
    metavar="PERCENT",
    help="Exit 1 when total coverage is below PERCENT (implies --coverage).",
)
@click.option(
    "--coverage-json",
    type=click.Path(dir_okay=False),
    metavar="PATH",
    help="Also write the coverage as JSON to PATH (implies --coverage).",
)
@click.option(
    "--mutate",
    is_flag=True,
    help="Then run the scenarios against every mutant of their journeys (a transition "
    "dropped, a number moved, a comparison flipped...) and report the mutants no scenario "
    "noticed.",
)
@click.option(
    "--min-score",
    type=click.FloatRange(0, 100),
    metavar="PERCENT",
    help="Exit 1 when the scenarios kill fewer than PERCENT of the mutants (implies --mutate).",
)
@click.option(
    "--workers",
    type=click.IntRange(min=1),
    metavar="N",
    help="Run the mutants in N processes (default: one per core); the report is the same "
    "for any N.",
)
@click.pass_context
def test(  # noqa: PLR0917 - one parameter per click option
    ctx: click.Context,
    files: tuple[str, ...],
    show_coverage: bool,  # noqa: FBT001 - a click flag
    fail_under: float | None,
    coverage_json: str | None,
    mutate: bool,  # noqa: FBT001 - a click flag
    min_score: float | None,
    workers: int | None,
) -> None:
    """Run scenario files against their journeys.

    Prints PASS or FAIL for each scenario; for a failure, where it is written, each
    expectation that did not hold (expected and actual) and the replay trace. Exits 0 when
    all pass, 1 when any fails (or coverage is under --fail-under, or the mutation score
    under --min-score), 3 when a file cannot be read or has mistakes.
    """
    refuse_overwriting([("--coverage-json", coverage_json)], [("FILE", file) for file in files])
    outcomes, unusable = _run_files(files)
    failed = any(not outcome.passed for outcome in outcomes)
    under = False
    if show_coverage or fail_under is not None or coverage_json is not None:
        under, written = _report_coverage(outcomes, fail_under, coverage_json)
        unusable = unusable or not written
    if mutate or min_score is not None:
        if failed or len(outcomes) < len(files):
            emit("no mutants made: mutation testing needs every scenario to pass")
        else:
            under = _report_mutants(files, min_score, workers) or under
    if unusable:
        ctx.exit(EXIT_INPUT)
    if failed or under:
        ctx.exit(EXIT_FINDINGS)


def _run_files(files: tuple[str, ...]) -> tuple[list[ScenarioFileResult], bool]:
    """Run and print each file's scenarios, then the counts; also whether a file was unusable.

    A file that cannot be read or has mistakes is reported on stderr and left out; when no
    file could be run, there are no counts to print (the exit code, 3, says it).
    """
    outcomes: list[ScenarioFileResult] = []
    unusable = False
    for file in files:
        try:
            outcome = run_scenario_file(file)
        except JourneyError as error:
            emit(format_problems(error.problems, "human", quotable={file}), err=True)
            unusable = True
            continue
        except (OSError, UnicodeDecodeError) as error:
            emit(f"error: {file_error(error, file)}", err=True)
            unusable = True
            continue
        outcomes.append(outcome)
        for result in outcome.results:
            emit(result.describe())
    if outcomes:
        failed = sum(len(outcome.failed) for outcome in outcomes)
        passed = sum(len(outcome.results) for outcome in outcomes) - failed
        emit(f"{passed} passed, {failed} failed")
    return outcomes, unusable


def _report_coverage(
    outcomes: list[ScenarioFileResult], fail_under: float | None, coverage_json: str | None
) -> tuple[bool, bool]:
    """Print the coverage (and write it as JSON when asked).

    Returns whether it is under `fail_under`, and whether the JSON, if asked for, was written.
    """
    coverages = scenario_coverage(outcomes)
    for coverage in coverages:
        emit(coverage.describe())
    percent = total_percent(coverages)
    if len(coverages) > 1:
        emit(f"total coverage {percent:.1f}%")
    written = True
    if coverage_json is not None:
        journeys = [("JOURNEY", outcome.journey.source) for outcome in outcomes]
        refuse_overwriting([("--coverage-json", coverage_json)], journeys)
        written = _write_json(coverages, percent, coverage_json)
    under = fail_under is not None and percent < fail_under
    if under:
        emit(f"coverage {percent:.1f}% is under the required {fail_under:g}%")
    return under, written


def _report_mutants(files: tuple[str, ...], min_score: float | None, workers: int | None) -> bool:
    """Print each surviving mutant and the score; return whether it is under `min_score`."""
    report = run_mutants(files, workers=workers)
    for line in report.lines():
        emit(line)
    if min_score is not None and report.score < min_score:
        emit(f"mutation score {report.score:.1f}% is under the required {min_score:g}%")
        return True
    return False


def _write_json(coverages: tuple[Coverage, ...], percent: float, path: str) -> bool:
    """Write the coverage report; say why and return False when the file cannot be written."""
    report = {
        "journeys": [coverage.to_dict() for coverage in coverages],
        "percent": round(percent, 2),
    }
    try:
        write_lines([json_text(report, indent=2)], path)
    except InputError as error:
        emit(f"error: {error}", err=True)
        return False
    return True

"""`customer-journey test`: run scenario files, one line per scenario, details on failure.

With `--coverage`, a table of the stages, transitions, friction rules and actions the
scenarios exercised follows, and `--fail-under` turns low coverage into a finding.
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
@click.pass_context
def test(
    ctx: click.Context,
    files: tuple[str, ...],
    show_coverage: bool,  # noqa: FBT001 - a click flag
    fail_under: float | None,
    coverage_json: str | None,
) -> None:
    """Run scenario files against their journeys.

    Prints PASS or FAIL for each scenario; for a failure, where it is written, each
    expectation that did not hold (expected and actual) and the replay trace. Exits 0 when
    all pass, 1 when any fails (or coverage is under --fail-under), 3 when a file cannot be
    read or has mistakes.
    """
    refuse_overwriting([("--coverage-json", coverage_json)], [("FILE", file) for file in files])
    passed = failed = 0
    unusable = False
    outcomes: list[ScenarioFileResult] = []
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
        failed += len(outcome.failed)
        passed += len(outcome.results) - len(outcome.failed)
    emit(f"{passed} passed, {failed} failed")
    under = False
    if show_coverage or fail_under is not None or coverage_json is not None:
        coverages = scenario_coverage(outcomes)
        for coverage in coverages:
            emit(coverage.describe())
        percent = total_percent(coverages)
        if len(coverages) > 1:
            emit(f"total coverage {percent:.1f}%")
        if coverage_json is not None:
            journeys = [("JOURNEY", outcome.journey.source) for outcome in outcomes]
            refuse_overwriting([("--coverage-json", coverage_json)], journeys)
            if not _write_json(coverages, percent, coverage_json):
                unusable = True
        if fail_under is not None and percent < fail_under:
            emit(f"coverage {percent:.1f}% is under the required {fail_under:g}%")
            under = True
    if unusable:
        ctx.exit(EXIT_INPUT)
    if failed or under:
        ctx.exit(EXIT_FINDINGS)


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

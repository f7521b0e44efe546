"""`customer-journey test`: run scenario files, one line per scenario, details on failure."""

from __future__ import annotations

import click

from customer_journey.cli._errors import EXIT_FINDINGS, EXIT_INPUT, file_error
from customer_journey.cli._output import emit, format_problems
from customer_journey.errors import JourneyError
from customer_journey.testing import run_scenario_file

__all__ = ["test"]


@click.command()
@click.argument("files", nargs=-1, required=True, metavar="FILE...")
@click.pass_context
def test(ctx: click.Context, files: tuple[str, ...]) -> None:
    """Run scenario files against their journeys.

    Prints PASS or FAIL for each scenario; for a failure, where it is written, each
    expectation that did not hold (expected and actual) and the replay trace. Exits 0 when
    all pass, 1 when any fails, 3 when a file cannot be read or has mistakes.
    """
    passed = failed = 0
    unusable = False
    for file in files:
        try:
            outcome = run_scenario_file(file)
        except JourneyError as error:
            emit(format_problems(error.problems, "human"), err=True)
            unusable = True
            continue
        except (OSError, UnicodeDecodeError) as error:
            emit(f"error: {file_error(error, file)}", err=True)
            unusable = True
            continue
        for result in outcome.results:
            emit(result.describe())
        failed += len(outcome.failed)
        passed += len(outcome.results) - len(outcome.failed)
    emit(f"{passed} passed, {failed} failed")
    if unusable:
        ctx.exit(EXIT_INPUT)
    if failed:
        ctx.exit(EXIT_FINDINGS)

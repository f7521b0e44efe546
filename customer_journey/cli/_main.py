"""The `customer-journey` command: the group, its global options, and the error edge.

Every exception ends here as one line on stderr and an exit code. A user's mistake never
shows a traceback, and an internal error shows one only with `--debug`: event data may hold
personal data.
"""

from __future__ import annotations

import os
import sys
import traceback
from importlib.metadata import PackageNotFoundError, version
from typing import Any

import click

from customer_journey.cli._analyze import analyze_command, compare_command
from customer_journey.cli._diagram import diagram
from customer_journey.cli._errors import (
    EXIT_INPUT,
    EXIT_INTERNAL,
    EXIT_INTERRUPTED,
    EXIT_OK,
    InputError,
    JourneyFileError,
    file_error,
)
from customer_journey.cli._explain import explain
from customer_journey.cli._lint import lint
from customer_journey.cli._output import emit, format_problems
from customer_journey.cli._replay import replay
from customer_journey.cli._report import report_command
from customer_journey.cli._schema import schema
from customer_journey.cli._simulate import simulate
from customer_journey.cli._test import test
from customer_journey.cli._validate import validate
from customer_journey.errors import CustomerJourneyError, JourneyError

__all__ = ["main"]


class CliGroup(click.Group):
    """A click group that maps exceptions to exit codes and one-line messages.

    The one place where errors become exit codes: any `CustomerJourneyError` that reaches
    it is about the user's input (an unreadable or corrupt data file, an unknown format, a
    missing optional dependency, a bad record with `--strict`) and exits 3 with one line.
    """

    def invoke(self, ctx: click.Context) -> Any:
        """Run the command; turn errors into messages and exit codes."""
        try:
            return super().invoke(ctx)
        except (click.exceptions.Exit, click.exceptions.Abort, click.ClickException):
            raise
        except KeyboardInterrupt:
            emit("interrupted", err=True)
            ctx.exit(EXIT_INTERRUPTED)
        except BrokenPipeError:
            # The reader went away (`| head`): stop quietly, and keep Python from
            # complaining again when it flushes stdout at exit.
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            ctx.exit(EXIT_OK)
        except JourneyFileError as error:
            emit(format_problems(error.problems, "human", quotable={error.source}), err=True)
            ctx.exit(EXIT_INPUT)
        except JourneyError as error:  # in a file no one named as a journey: no lines quoted
            emit(format_problems(error.problems, "human"), err=True)
            ctx.exit(EXIT_INPUT)
        except (InputError, CustomerJourneyError) as error:
            emit(f"error: {error}", err=True)
            ctx.exit(EXIT_INPUT)
        except (OSError, UnicodeDecodeError) as error:
            emit(f"error: {file_error(error)}", err=True)
            ctx.exit(EXIT_INPUT)
        except Exception as error:
            if ctx.params.get("debug"):
                emit(traceback.format_exc().rstrip("\n"), err=True)
            kind = type(error).__name__
            emit(
                f"internal error: {kind}: {error} (rerun with --debug for the traceback)",
                err=True,
            )
            ctx.exit(EXIT_INTERNAL)


def _show_version(ctx: click.Context, _param: click.Parameter, value: bool) -> None:  # noqa: FBT001 - click's callback signature
    if not value:
        return
    try:
        number = version("customer-journey")
    except PackageNotFoundError:  # a source tree that is not installed
        number = "unknown (not installed)"
    emit(f"customer-journey {number}")
    ctx.exit()


@click.group(cls=CliGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--debug", is_flag=True, help="Show the traceback of an internal error.")
@click.option(
    "--version",
    is_flag=True,
    expose_value=False,
    is_eager=True,
    callback=_show_version,
    help="Show the version and exit.",
)
def main(*, debug: bool) -> None:
    """Executable customer journeys: validate journeys, replay events, run scenarios."""


main.add_command(validate)
main.add_command(schema)
main.add_command(replay)
main.add_command(test)
main.add_command(explain)
main.add_command(analyze_command)
main.add_command(compare_command)
main.add_command(lint)
main.add_command(diagram)
main.add_command(report_command)
main.add_command(simulate)

"""How each exception that ends a command is told, and the exit code it ends with.

Imported only when a command fails: the group that runs the commands stays cheap to
start. A user's mistake is one line; an internal error is one line too, with the
traceback only under `--debug`, since event data may hold personal data.
"""

from __future__ import annotations

import os
import sys
import traceback

from customer_journey.cli._errors import (
    EXIT_INPUT,
    EXIT_INTERNAL,
    EXIT_INTERRUPTED,
    EXIT_OK,
    InputError,
    JourneyFileError,
    file_error,
)
from customer_journey.cli._output import emit, format_problems
from customer_journey.errors import CustomerJourneyError, JourneyError, StoreJourneyError

__all__ = ["exit_code"]

#: A usage error's exit code (click's own, for its option errors).
EXIT_USAGE = 2


def exit_code(error: BaseException, *, debug: bool) -> int:
    """Tell the user what `error` means, on stderr, and return the exit code it ends with.

    Any `CustomerJourneyError` that gets this far is about the user's input (an unreadable
    or corrupt data file, an unknown format, a missing optional dependency, a bad record
    with `--strict`, a store that cannot be opened or is of another schema version): exit 3
    with one line. A store that runs another version of the journey is a usage error
    (exit 2): the message says to run `upgrade` first.
    """
    if isinstance(error, KeyboardInterrupt):
        emit("interrupted", err=True)
        return EXIT_INTERRUPTED
    if isinstance(error, BrokenPipeError):
        # The reader went away (`| head`): stop quietly, and keep Python from complaining
        # again when it flushes stdout at exit.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_OK
    if isinstance(error, StoreJourneyError):
        emit(f"error: {error}", err=True)
        return EXIT_USAGE
    if isinstance(error, JourneyFileError):
        emit(format_problems(error.problems, "human", quotable={error.source}), err=True)
    elif isinstance(error, JourneyError):  # in a file no one named as a journey: no quotes
        emit(format_problems(error.problems, "human"), err=True)
    elif isinstance(error, (InputError, CustomerJourneyError)):
        emit(f"error: {error}", err=True)
    elif isinstance(error, (OSError, UnicodeDecodeError)):
        emit(f"error: {file_error(error)}", err=True)
    else:
        if debug:
            emit("".join(traceback.format_exception(error)).rstrip("\n"), err=True)
        kind = type(error).__name__
        emit(f"internal error: {kind}: {error} (rerun with --debug for the traceback)", err=True)
        return EXIT_INTERNAL
    return EXIT_INPUT

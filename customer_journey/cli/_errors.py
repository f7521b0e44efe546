"""Exit codes, and the input errors that end a command with one line and exit 3.

Exit codes (STYLE.md): 0 ok; 1 findings (invalid journey, failed scenarios); 2 usage
(click's own); 3 input or data error; 4 internal error; 130 on Ctrl-C.
"""

from __future__ import annotations

from collections.abc import Sequence

from customer_journey._file_access import read_text as read_file_text
from customer_journey.errors import DataFileError, Problem

__all__ = [
    "EXIT_FINDINGS",
    "EXIT_INPUT",
    "EXIT_INTERNAL",
    "EXIT_INTERRUPTED",
    "EXIT_OK",
    "InputError",
    "JourneyFileError",
    "file_error",
    "read_text",
    "write_error",
]

EXIT_OK = 0
EXIT_FINDINGS = 1
EXIT_INPUT = 3
EXIT_INTERNAL = 4
EXIT_INTERRUPTED = 130


class InputError(Exception):
    """The user's input cannot be used (exit 3); the message is shown as `error: ...`."""


class JourneyFileError(InputError):
    """A journey file named on the command line has problems (exit 3).

    Unlike other problems, these may be shown with the lines of `source` they are on: it
    is a file the user gave as a journey, not some file a setting happened to point at.
    """

    def __init__(self, problems: Sequence[Problem], source: str) -> None:
        super().__init__(f"'{source}' has problems")
        self.problems = tuple(problems)
        self.source = source


def file_error(error: OSError | UnicodeDecodeError, path: str | None = None) -> str:
    """Say why a file cannot be read, in words, never a Python type name."""
    if isinstance(error, UnicodeDecodeError):
        return f"cannot read '{path}': it is not UTF-8 text"
    name = error.filename if error.filename is not None else path
    return f"cannot read '{name}': {_reason(error)}"


def write_error(error: OSError, path: str) -> str:
    """Say why the file `path` cannot be written (whatever file the error itself names)."""
    return f"cannot write '{path}': {_reason(error)}"


def _reason(error: OSError) -> str:
    if isinstance(error, DataFileError):  # our own words already
        return error.reason
    if isinstance(error, FileNotFoundError):
        return "no such file"
    if isinstance(error, IsADirectoryError):
        return "it is a directory"
    if isinstance(error, PermissionError):
        return "permission denied"
    return (error.strerror or str(error)).lower()


def read_text(path: str) -> str:
    """Read a UTF-8 text file as the library does, turning any failure into an `InputError`."""
    try:
        return read_file_text(path)
    except DataFileError as error:
        raise InputError(str(error)) from None

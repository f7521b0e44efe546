"""Exit codes, and the input errors that end a command with one line and exit 3.

Exit codes (STYLE.md): 0 ok; 1 findings (invalid journey, failed scenarios); 2 usage
(click's own); 3 input or data error; 4 internal error; 130 on Ctrl-C.
"""

from __future__ import annotations

from pathlib import Path

__all__ = [
    "EXIT_FINDINGS",
    "EXIT_INPUT",
    "EXIT_INTERNAL",
    "EXIT_INTERRUPTED",
    "EXIT_OK",
    "InputError",
    "file_error",
    "read_text",
]

EXIT_OK = 0
EXIT_FINDINGS = 1
EXIT_INPUT = 3
EXIT_INTERNAL = 4
EXIT_INTERRUPTED = 130


class InputError(Exception):
    """The user's input cannot be used (exit 3); the message is shown as `error: ...`."""


def file_error(
    error: OSError | UnicodeDecodeError, path: str | None = None, *, verb: str = "read"
) -> str:
    """Say why a file cannot be read (or written), in words, never a Python type name."""
    if isinstance(error, UnicodeDecodeError):
        return f"cannot {verb} '{path}': it is not UTF-8 text"
    name = error.filename if error.filename is not None else path
    if isinstance(error, FileNotFoundError):
        reason = "no such file"
    elif isinstance(error, IsADirectoryError):
        reason = "it is a directory"
    elif isinstance(error, PermissionError):
        reason = "permission denied"
    else:
        reason = (error.strerror or str(error)).lower()
    return f"cannot {verb} '{name}': {reason}"


def read_text(path: str) -> str:
    """Read a UTF-8 text file, turning any failure into an `InputError`."""
    try:
        return Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise InputError(file_error(error, path)) from None

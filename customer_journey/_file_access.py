"""Opening files and standard input, and saying in words why one cannot be read.

Every reader of data files opens its input here, and so do the readers of journey and
scenario files (the facade, the scenario runner, the command line), so a file that cannot
be read at all raises the same `DataFileError` whoever reads it: missing, a directory, a
device, not ours to read, breaking part way, or (for text) not UTF-8.
"""

from __future__ import annotations

import errno
import stat
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

from customer_journey.errors import DataFileError

__all__ = ["STDIN", "STDIN_NAME", "check_file", "opened", "read_text"]

#: The path that means standard input, and the name its rows carry.
STDIN = "-"
STDIN_NAME = "<stdin>"

#: What `read(2)` or `open(2)` failures mean, in the words of `DataFileError`.
_REASONS = {
    errno.ENOENT: ("no such file", "no-such-file"),
    errno.ENOTDIR: ("no such file", "no-such-file"),  # a folder on the way is a file
    errno.EISDIR: ("it is a directory", "is-a-directory"),
    errno.EACCES: ("permission denied", "permission-denied"),
    errno.EPERM: ("permission denied", "permission-denied"),
}
_NOT_REGULAR = (
    "it is not a regular file (a device, a pipe or a socket); give the path of a data file, "
    "or pass '-' and send the data to standard input"
)


def check_file(name: str) -> None:
    """Raise `DataFileError` unless `name` is a regular file this process may read.

    `/dev/null` and other devices, pipes and sockets are refused: a marketer naming one most
    likely made a mistake, and `/dev/zero` would never end. Streams come through `-`.
    """
    try:
        mode = Path(name).stat().st_mode
    except OSError as error:
        raise _os_error(name, error) from None
    except ValueError:  # a NUL character: no file can have that name
        raise DataFileError(name, "no such file", "no-such-file", errno.ENOENT) from None
    if stat.S_ISDIR(mode):
        raise DataFileError(name, "it is a directory", "is-a-directory", errno.EISDIR)
    if not stat.S_ISREG(mode):
        raise DataFileError(name, _NOT_REGULAR, "not-a-regular-file")
    with opened(name):
        pass


def read_text(name: str) -> str:
    """The whole of a small UTF-8 text file, such as a journey or a scenario file.

    Raises:
        DataFileError: the file is missing, not a regular file, unreadable, or not UTF-8
            text (`bad-encoding`, naming the line and column of the first bad byte).
    """
    try:
        check_file(name)
    except DataFileError as error:
        if error.code != "not-a-regular-file":
            raise
        # Not the data files' advice: a journey is never read from standard input.
        raise DataFileError(name, "it is not a regular file", error.code) from None
    with opened(name) as stream:
        data = stream.read()
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        before = data[: error.start]
        line = before.count(b"\n") + 1
        column = error.start - (before.rfind(b"\n") + 1) + 1
        reason = (
            f"it is not UTF-8 text (byte 0x{data[error.start]:02x} at line {line}, "
            f"column {column}); save it as UTF-8"
        )
        raise DataFileError(name, reason, "bad-encoding") from None


@contextmanager
def opened(name: str) -> Iterator[BinaryIO]:
    """Open `name` for reading bytes (standard input for `-`, left open afterwards).

    Raises:
        DataFileError: it cannot be opened, or reading it fails part way.
    """
    shown = STDIN_NAME if name == STDIN else name
    if name == STDIN:
        stream: BinaryIO | None = getattr(sys.stdin, "buffer", None)
        if stream is None:
            raise DataFileError(shown, "there is no standard input to read", "unreadable-file")
    else:
        try:
            stream = Path(name).open("rb")  # noqa: SIM115 - closed below, after the reading
        except OSError as error:
            raise _os_error(name, error) from None
    try:
        yield stream
    except DataFileError:
        raise
    except OSError as error:
        reason = f"reading it failed part way: {_words(error)}"
        raise DataFileError(shown, reason, "unreadable-file", error.errno) from None
    finally:
        if name != STDIN:
            stream.close()


def _os_error(name: str, error: OSError) -> DataFileError:
    """Turn the system's refusal to open or inspect `name` into words and a code."""
    reason, code = _REASONS.get(error.errno or 0, (_words(error), "unreadable-file"))
    return DataFileError(name, reason, code, error.errno)


def _words(error: OSError) -> str:
    """The system's own description of an I/O error, lower-case like our messages."""
    return (error.strerror or "the system could not read it").lower()

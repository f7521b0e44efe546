"""Output files: written whole or not at all, and never over one of the command's inputs.

Every file a command writes (`--out`, `--rejects`, `--json`, `--coverage-json`, a report,
a diagram, simulated records) goes through `atomic_output`: the text is written to a
temporary file in the same folder, which replaces the file only once it is complete. A run
that fails or is interrupted half-way leaves the previous file as it was, and no temporary
file behind.
"""

from __future__ import annotations

import contextlib
import errno
import os
import secrets
import stat
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TypeGuard

import click

from customer_journey.cli._errors import InputError, write_error
from customer_journey.cli._output import emit_lines
from customer_journey.errors import CustomerJourneyError

__all__ = ["STANDARD_STREAM", "atomic_output", "refuse_overwriting", "write_lines"]

#: The file name that means stdin (for an input) or stdout (for an output).
STANDARD_STREAM = "-"


@contextlib.contextmanager
def atomic_output(path: str) -> Iterator[str]:
    """Yield the path to write instead of `path`; it replaces `path` when the block ends well.

    A failure to write is an `InputError` naming `path`, never the temporary file.
    """
    try:
        with _replacing(path) as part:
            yield part
    except OSError as error:
        if isinstance(error, CustomerJourneyError):  # a data file's error, not ours
            raise
        raise InputError(write_error(error, path)) from None


@contextlib.contextmanager
def _replacing(path: str) -> Iterator[str]:
    """A temporary file beside `path` that replaces it at the end, or vanishes on failure.

    The temporary file sits beside the file (beside the target of a symbolic link, which
    stays a link) so that `os.replace` is an atomic rename. It gets the old file's
    permissions (a new file gets the usual ones, from the umask), and a file we may not
    write is not replaced (permission denied), as if it were written in place. A path that
    exists and is not a regular file (`/dev/null`, `/dev/stdout`, a named pipe) is written
    in place: there is nothing to keep whole, and it must not be replaced.
    """
    target = Path(os.path.realpath(path))  # unlike `resolve`, never raises on a link loop
    try:
        old: os.stat_result | None = target.stat()
    except FileNotFoundError:
        old = None
    if old is not None and stat.S_ISDIR(old.st_mode):
        raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR), path)
    if old is not None and not stat.S_ISREG(old.st_mode):
        yield path
        return
    if old is not None and not os.access(target, os.W_OK):  # read-only: not to be replaced
        raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), path)
    part = target.with_name(f".{target.name}.{secrets.token_hex(4)}.part")
    os.close(os.open(part, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666))
    try:
        yield str(part)
        _sync(part)
        if old is not None:
            part.chmod(stat.S_IMODE(old.st_mode))
        part.replace(target)
    except BaseException:
        part.unlink(missing_ok=True)
        raise


def _sync(path: Path) -> None:
    """Make the written bytes durable before the rename makes them the file."""
    descriptor = os.open(path, os.O_RDWR)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def write_lines(lines: Iterable[str], out: str | None) -> None:
    """Write lines to the file `out` (atomically), or to stdout when it is None or `-`."""
    if not _is_file(out):
        emit_lines(lines)
        return
    with atomic_output(out) as part, Path(part).open("w", encoding="utf-8", newline="") as stream:
        for line in lines:
            stream.write(line)
            stream.write("\n")


def _same_file(first: str, second: str) -> bool:
    """Whether two paths are one file: the same inode when both exist, else the same path."""
    try:
        one, other = Path(first).stat(), Path(second).stat()
    except OSError:
        return os.path.realpath(first) == os.path.realpath(second)
    return (one.st_dev, one.st_ino) == (other.st_dev, other.st_ino)


def refuse_overwriting(
    outputs: Iterable[tuple[str, str | None]], inputs: Iterable[tuple[str, str | None]]
) -> None:
    """Refuse (a usage error, exit 2) an output file that is an input or another output.

    Args:
        outputs: (option, file) pairs, such as `("--out", "positions.csv")`; None when the
            option is not given.
        inputs: (what, file) pairs, such as `("EVENTS", "events.jsonl")`.

    `-` (a standard stream) is never a file here. Writing the events over themselves would
    destroy them before they are read; the check compares files, not names, so a link or
    another spelling of the path is caught too.
    """
    files = [(f"{what} '{file}'", file) for what, file in inputs if _is_file(file)]
    for option, out in outputs:
        if not _is_file(out):
            continue
        for what, file in files:
            if _same_file(out, file):
                msg = f"'{out}' is the same file as {what}; write to another file"
                raise click.BadParameter(msg, param_hint=f"'{option}'")
        files.append((f"{option} '{out}'", out))


def _is_file(path: str | None) -> TypeGuard[str]:
    """Whether `path` names a file (not missing, not a standard stream)."""
    return path is not None and path != STANDARD_STREAM

"""Inputs named on the command line: journey files, events files (or stdin), times.

Each is read in one place, so that what can go wrong with it ends the same way in every
command: a journey with problems, an unreadable events file and a bad record are input
errors (exit 3); a time the library cannot hold is a usage error (exit 2).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import sys
import tempfile
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path
from typing import TypeVar

import attrs
import click

from customer_journey._grouping import parse_memory_size
from customer_journey._timestamps import parse_timestamp
from customer_journey.cli._errors import InputError, JourneyFileError, file_error, read_text
from customer_journey.cli._files import STANDARD_STREAM
from customer_journey.errors import (
    ArgumentError,
    CustomerJourneyError,
    DataFileError,
    JourneyError,
    RecordError,
)
from customer_journey.journey import Journey, loads
from customer_journey.readers import EventSource

__all__ = [
    "STDIN",
    "EventsFile",
    "events_input",
    "load_journey",
    "memory_limit_option",
    "time_option",
]

_Command = TypeVar("_Command", bound=Callable[..., object])

#: What messages and rejections call the events read from stdin.
STDIN = "<stdin>"
#: The format of events on stdin when the command is not told.
STDIN_FORMAT = "jsonl"


def load_journey(path: str) -> Journey:
    """Load the journey file `path`; its problems may be shown with its lines."""
    try:
        return loads(read_text(path), source=path)
    except JourneyError as error:
        raise JourneyFileError(error.problems, path) from None


def time_option(journey: Journey, value: str | None, option: str) -> datetime | None:
    """Read a time option in the journey's timezone; a bad one is a usage error (exit 2).

    So is a time outside the years the library supports, such as `0001-01-01T00:00:00+05:00`
    (before the year 1 in UTC).
    """
    if value is None:
        return None
    try:
        return parse_timestamp(value, journey.timezone)
    except ValueError as error:
        raise click.BadParameter(str(error), param_hint=f"'{option}'") from None


def _memory_limit(_: click.Context, param: click.Parameter, value: str | None) -> int | None:
    """Read `--memory-limit` as bytes; a bad size is a usage error (exit 2)."""
    if value is None:
        return None
    try:
        return parse_memory_size(value, "--memory-limit")
    except ArgumentError as error:  # click names the option itself
        problem = str(error).removeprefix("'--memory-limit' ")
        raise click.BadParameter(problem, param=param) from None


def memory_limit_option(command: _Command) -> _Command:
    """Add `--memory-limit SIZE`, given to the command as `memory_limit` (bytes or None)."""
    option = click.option(
        "--memory-limit",
        metavar="SIZE",
        callback=_memory_limit,
        help=(
            "Memory for grouping EVENTS by customer when they are not grouped (say in time "
            "order), such as 1GB or 512MB; the rest spills to a temporary folder "
            "(default: 1GiB; needs the duckdb extra)."
        ),
    )
    return option(command)


@attrs.frozen
class EventsFile:
    """An events file ready to read.

    Attributes:
        path: the file to open (for stdin, a temporary copy of it).
        format: `jsonl`, `csv` or `parquet`; None to tell it from the file name.
        name: what messages and rejections call it (`<stdin>` for stdin).
        memory_limit: bytes for grouping the events by customer outside memory, if they
            are not grouped (`--memory-limit`); None for the default.
    """

    path: str
    format: str | None
    name: str
    memory_limit: int | None = None

    def open(self, journey: Journey, *, strict: bool = False) -> EventSource:
        """The events, read with the journey's field mapping; rejections carry `name`."""
        source = journey.read_events(self.path, format=self.format, strict=strict)
        source.source = self.name
        source.memory_limit = self.memory_limit
        return source


@contextlib.contextmanager
def events_input(
    events_file: str, input_format: str | None, memory_limit: int | None = None
) -> Iterator[EventsFile]:
    """The events file named on the command line, while the block reads it.

    `-` is stdin, read as `input_format` (default JSON Lines). It is copied to a temporary
    file first, deleted at the end: some commands read the events twice (the default
    `as_of` is known only at the end of a first pass; records of a customer that are not
    together need a second; `compare` reads once per journey) and Parquet cannot be read
    as a stream at all. Messages call it `<stdin>`, never the copy.

    A file that cannot be read ends the command as an input error naming the file.
    `memory_limit` (`--memory-limit`) goes with it, to the sources it opens.
    """
    is_stdin = events_file == STANDARD_STREAM
    try:
        with _local_copy(events_file, input_format) as events:
            yield attrs.evolve(events, memory_limit=memory_limit)
    except DataFileError as error:  # naming the copy: name stdin instead
        if not is_stdin:
            raise
        raise DataFileError(STDIN, error.reason, error.code) from None
    except RecordError as error:
        if not is_stdin:
            raise
        raise RecordError(STDIN, error.row, error.reason, error.code) from None
    except CustomerJourneyError:
        raise
    except (OSError, UnicodeDecodeError) as error:
        raise InputError(file_error(error, STDIN if is_stdin else events_file)) from None


@contextlib.contextmanager
def _local_copy(events_file: str, input_format: str | None) -> Iterator[EventsFile]:
    """The events file itself, or for `-` a temporary copy of stdin."""
    if events_file != STANDARD_STREAM:
        yield EventsFile(events_file, input_format, events_file)
        return
    kind = input_format or STDIN_FORMAT
    descriptor, path = tempfile.mkstemp(prefix="customer-journey-stdin-", suffix=f".{kind}")
    try:
        with os.fdopen(descriptor, "wb") as copy:
            shutil.copyfileobj(sys.stdin.buffer, copy)
        yield EventsFile(path, kind, STDIN)
    finally:
        Path(path).unlink()

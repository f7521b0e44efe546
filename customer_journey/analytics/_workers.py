"""Counting on every core: customers shared out between processes by a stable hash.

Each worker process reads the whole events file but replays and counts only its share of
the customers: those whose id hashes (CRC-32, the same in every process and on every
run, unlike Python's `hash`) to its number. The parent merges the tallies, which merge
exactly, so the analysis is the one a single process gives. Everything a worker is given
or gives back is plain data (the journey as its text, tallies without their engine
tables), so the workers work under any start method, "spawn" included.
"""

from __future__ import annotations

import os
import zlib
from collections.abc import Callable, Iterator, Sequence
from datetime import datetime
from pathlib import Path
from typing import TypeVar

import attrs

from customer_journey._arguments import check_count
from customer_journey.model import Event
from customer_journey.readers import EventSource

__all__ = ["SMALL_FILE", "Failure", "FileInput", "Share", "count_workers", "run_in_processes"]

#: With the default number of workers, files smaller than this (in bytes) are counted in
#: this process: starting processes would cost more than they save.
SMALL_FILE = 1 << 20

_T = TypeVar("_T")


def count_workers(workers: object, path: str | None = None) -> int:
    """The number of processes to count in: `workers`, or by default one per core.

    The default is 1 for a file smaller than `SMALL_FILE`, and for anything but a file.

    Raises:
        ArgumentError: `workers` is not a whole number of 1 or more.
    """
    if workers is not None:
        return check_count("workers", workers, 1)
    file = None if path is None else Path(path)
    if file is None or not file.is_file() or file.stat().st_size < SMALL_FILE:
        return 1
    return os.cpu_count() or 1


@attrs.frozen
class FileInput:
    """An events file a worker process opens again.

    Attributes:
        path: the file.
        format: `jsonl`, `csv` or `parquet`; None to tell it from the file name.
        name: what rejections call it.
    """

    path: str
    format: str | None
    name: str


class Share(EventSource):
    """The events of a source whose customers hash to `part` of `parts`.

    Every record is still read and counted in the whole source's `report` (so the totals
    and rejections are the whole file's, as in one process), and `latest` is the latest
    event time of the whole first pass, so that every worker finds the same default
    `as_of`.
    """

    def __init__(self, events: EventSource, part: int, parts: int) -> None:
        # The rows are the whole source's: its report, not a new one, counts them.
        self.source = events.source
        self.reiterable = events.reiterable
        self.report = events.report
        self.latest: datetime | None = None
        self._whole = events
        self._part = part
        self._parts = parts
        self._read = False

    def __iter__(self) -> Iterator[Event]:
        first, self._read = not self._read, True
        return self._share(first=first)

    def _share(self, *, first: bool) -> Iterator[Event]:
        part, parts = self._part, self._parts
        latest = self.latest
        customer: str | None = None
        mine = False
        for event in self._whole:
            if first and (latest is None or event.at > latest):
                latest = event.at
            if event.customer != customer:
                customer = event.customer
                mine = part_of(customer, parts) == part
            if mine:
                yield event
        if first:
            self.latest = latest


def part_of(customer: str, parts: int) -> int:
    """The share (0 to `parts - 1`) a customer is counted in: stable across processes."""
    return zlib.crc32(customer.encode("utf-8", "surrogatepass")) % parts


@attrs.frozen
class Failure:
    """An exception raised in a worker, carried back as data to be raised in the parent.

    Many of the package's exceptions take several arguments and do not pickle as they
    are, so the class, arguments and attributes travel instead.
    """

    kind: type[BaseException]
    args: tuple[object, ...]
    attributes: dict[str, object]

    @classmethod
    def of(cls, error: BaseException) -> Failure:
        """Carry `error`."""
        return cls(type(error), error.args, dict(vars(error)))

    def rebuild(self) -> BaseException:
        """The exception again, with its message and attributes."""
        error = self.kind.__new__(self.kind)
        error.args = self.args
        vars(error).update(self.attributes)
        return error


def run_in_processes(function: Callable[[_T], object], tasks: Sequence[_T]) -> list[object]:
    """`function` of every task, one process each, in task order."""
    from concurrent.futures import ProcessPoolExecutor  # noqa: PLC0415 - multiprocessing loads only with workers

    with ProcessPoolExecutor(len(tasks)) as pool:
        return list(pool.map(function, tasks))

"""Every core: customers (or other independent jobs) shared out between processes.

Each worker process reads the whole events file but replays only its share of the
customers: those whose id hashes (CRC-32, the same in every process and on every run,
unlike Python's `hash`) to its number (`Share`). Every customer is wholly in one share, so
what a worker finds for a customer is what one process finds. Everything a worker is
given or gives back is plain data (a journey as its text, states or tallies without the
engine tables, an error as a `Failure`), so the workers work under any start method,
"spawn" included. `replay_all`, `analyze`, `compare` and mutation testing use this.

What is too big to send back goes through files instead, in bounded memory: `SortedRuns`
keeps lines (the output of `replay`) as runs sorted by customer, that `merged_runs`
merges, and `Spool` keeps objects (states waiting for the default `as_of`) in order.
"""

from __future__ import annotations

import contextlib
import copyreg
import gc
import heapq
import io
import os
import pickle
import zlib
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import datetime
from operator import itemgetter
from pathlib import Path
from types import MappingProxyType
from typing import Any, Generic, TypeVar

import attrs

from customer_journey._arguments import check_count
from customer_journey._grouping import memory_share
from customer_journey._runner import ReplayTotals
from customer_journey.model import Event
from customer_journey.readers import EventSource

__all__ = [
    "RUN_CHARACTERS",
    "SMALL_FILE",
    "Failure",
    "FileInput",
    "Share",
    "SortedRuns",
    "Spool",
    "cores",
    "count_workers",
    "merged_runs",
    "packed",
    "part_of",
    "path_of",
    "run_in_processes",
    "share_totals",
    "summed_totals",
    "unpacked",
]

#: With the default number of workers, files smaller than this (in bytes) are replayed in
#: this process: starting processes would cost more than they save.
SMALL_FILE = 1 << 20

#: Characters of lines kept in memory by `SortedRuns` before they are sorted and written
#: out: about 32 MiB of text (some more in memory).
RUN_CHARACTERS = 32 << 20
#: Lines pickled together in a run file: what a merge holds of each run at a time.
_RUN_BATCH = 2048

#: Objects a `Spool` keeps in memory before it writes them out, a batch at a time.
SPOOL_BATCH = 4096

#: The totals every worker counts over the whole file: only the first share keeps them.
_WHOLE_FILE = ("read", "accepted", "rejected")

_T = TypeVar("_T")
_O = TypeVar("_O")
_R = TypeVar("_R")


def cores() -> int:
    """The number of processors of this machine (1 when unknown)."""
    return os.cpu_count() or 1


def count_workers(workers: object, path: str | None = None) -> int:
    """The number of processes to work in: `workers`, or by default one per core.

    The default is 1 for a file smaller than `SMALL_FILE`, and for anything but a file.

    Raises:
        ArgumentError: `workers` is not a whole number of 1 or more.
    """
    if workers is not None:
        return check_count("workers", workers, 1)
    file = None if path is None else Path(path)
    if file is None or not file.is_file() or file.stat().st_size < SMALL_FILE:
        return 1
    return cores()


def path_of(records: object) -> str | None:
    """The file `records` names, or None for records in memory or a stream.

    Only a file can be opened again by worker processes.
    """
    return os.fspath(records) if isinstance(records, (str, os.PathLike)) else None


@attrs.frozen
class FileInput:
    """An events file a worker process opens again.

    Attributes:
        path: the file.
        format: `jsonl`, `csv` or `parquet`; None to tell it from the file name.
        name: what rejections call it.
        memory_limit: bytes for grouping the file by customer outside memory, if it is not
            grouped, shared out between the workers (see `share`); None for the default.
        temp_directory: where that grouping spills; None for the system's.
    """

    path: str
    format: str | None
    name: str
    memory_limit: int | None = None
    temp_directory: str | None = None

    @classmethod
    def of(cls, path: str, source: EventSource) -> FileInput:
        """The file `source` was opened on, to open again in workers as it was.

        Its format is told from the name; its name and grouping settings are kept.
        """
        return cls(path, None, source.source, source.memory_limit, source.temp_directory)

    def share(self, events: EventSource, part: int, parts: int) -> Share:
        """`part` of `parts` of `events` (this file, opened in a worker), named as the file.

        The share groups its customers outside memory, if the file is not grouped, under
        its part of the memory limit (`memory_share`), so that the workers together keep
        to it.
        """
        events.source = self.name
        events.memory_limit = memory_share(self.memory_limit, parts)
        events.temp_directory = self.temp_directory
        return Share(events, part, parts)


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
        self.memory_limit = events.memory_limit
        self.temp_directory = events.temp_directory
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


def share_totals(totals: ReplayTotals, part: int) -> ReplayTotals:
    """A share's totals, to be summed: records read, accepted and rejected count in share 0.

    Every worker reads (and counts) the whole file; the other totals are the share's own.
    """
    if part == 0:
        return totals
    return attrs.evolve(totals, **dict.fromkeys(_WHOLE_FILE, 0))


def summed_totals(totals: Iterable[ReplayTotals]) -> ReplayTotals:
    """The totals of every share (from `share_totals`) as one process counts them."""
    counted = [total.to_dict() for total in totals]
    return ReplayTotals(**{name: sum(total[name] for total in counted) for name in counted[0]})


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

    @staticmethod
    def raise_first(results: Iterable[object]) -> None:
        """Raise again the first error a worker carried back, if any.

        Raises:
            Exception: that error.
        """
        for result in results:
            if isinstance(result, Failure):
                raise result.rebuild()


def packed(value: object) -> bytes:
    """`value` pickled, for a worker to send many objects back at once.

    The cyclic garbage collector is paused meanwhile: it would otherwise walk every object
    made so far, again and again, while thousands of states are made or written. Read-only
    mappings (the engine's `MappingProxyType`s, in traces) travel as their contents.
    """
    buffer = io.BytesIO()
    with _collector_paused():
        _Pickler(buffer, protocol=pickle.HIGHEST_PROTOCOL).dump(value)
    return buffer.getvalue()


def unpacked(data: bytes) -> object:
    """What `packed` packed, unpickled with the cyclic garbage collector paused."""
    with _collector_paused():
        return pickle.loads(data)  # bytes from our own worker processes only


def _read_only(contents: dict[object, object]) -> MappingProxyType[object, object]:
    """A read-only mapping again, from its contents (see `_Pickler`)."""
    return MappingProxyType(contents)


class _Pickler(pickle.Pickler):
    """A pickler that also packs read-only mappings, which pickle cannot by itself."""

    dispatch_table = {  # noqa: RUF012 - pickle reads it from the class or the instance
        **copyreg.dispatch_table,
        MappingProxyType: lambda proxy: (_read_only, (dict(proxy),)),
    }


@contextlib.contextmanager
def _collector_paused() -> Iterator[None]:
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def run_in_processes(
    function: Callable[[_T], _R],
    tasks: Sequence[_T],
    *,
    workers: int | None = None,
    chunksize: int = 1,
    initializer: Callable[..., object] | None = None,
    initargs: tuple[Any, ...] = (),
) -> list[_R]:
    """`function` of every task, in `workers` processes (default: one per task), in task order.

    `initializer(*initargs)` runs once in each process first (to load what every task
    needs); tasks travel `chunksize` at a time.
    """
    from concurrent.futures import ProcessPoolExecutor  # noqa: PLC0415 - multiprocessing loads only with workers

    processes = len(tasks) if workers is None else workers
    with ProcessPoolExecutor(processes, initializer=initializer, initargs=initargs) as pool:
        return list(pool.map(function, tasks, chunksize=chunksize))


_KEY = itemgetter(0)


class SortedRuns:
    """Lines keyed by customer, kept in files as runs sorted by key, in bounded memory.

    Lines are kept in memory until they hold `limit` characters, then sorted by key
    (stably) and written out. While the keys come in ascending order (customers grouped in
    customer order, or from the external grouping), the written lines only extend one
    run; a key that goes back starts another. `merged_runs` reads the runs back as one
    sorted sequence. A run file is a sequence of pickled lists of (key, line): any line
    (a CSV line may hold line breaks) round-trips as it is.
    """

    def __init__(self, folder: str, prefix: str = "", limit: int | None = None) -> None:
        """Write the runs in `folder`, their names starting with `prefix`.

        `limit` is the characters of lines kept in memory (default `RUN_CHARACTERS`).
        """
        self.paths: list[str] = []
        self.folder = folder
        self.prefix = prefix
        self._limit = RUN_CHARACTERS if limit is None else limit
        self._lines: list[tuple[str, str]] = []
        self._size = 0
        self._ascending = True
        self._file: io.BufferedWriter | None = None
        self._last = ""

    def add(self, key: str, line: str) -> None:
        """Keep `line`, to come out in `key` order."""
        lines = self._lines
        if self._ascending and lines and key < lines[-1][0]:
            self._ascending = False
        lines.append((key, line))
        self._size += len(line)
        if self._size >= self._limit:
            self._write()

    def finish(self) -> list[str]:
        """Write out what is kept; the run files, each sorted by key."""
        self._write()
        self._close()
        return self.paths

    def clear(self) -> None:
        """Forget every line so far (the runs so far are void) and remove their files."""
        self._close()
        for path in self.paths:
            Path(path).unlink(missing_ok=True)
        self.paths.clear()
        self._lines.clear()
        self._size = 0
        self._ascending = True

    def _write(self) -> None:
        lines = self._lines
        if not lines:
            return
        if not self._ascending:
            lines.sort(key=_KEY)
        if self._file is None or lines[0][0] < self._last:  # does not extend the run
            self._close()
            path = Path(self.folder) / f"{self.prefix}{len(self.paths)}.run"
            self._file = path.open("xb")
            self.paths.append(str(path))
        with _collector_paused():
            for start in range(0, len(lines), _RUN_BATCH):
                batch = lines[start : start + _RUN_BATCH]
                pickle.dump(batch, self._file, protocol=pickle.HIGHEST_PROTOCOL)
        self._last = lines[-1][0]
        self._lines = []
        self._size = 0
        self._ascending = True

    def _close(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None


def merged_runs(paths: Iterable[str]) -> Iterator[str]:
    """The lines of the run files (`SortedRuns`) merged in key order; equal keys in run order."""
    runs = [_run(path) for path in paths]
    if len(runs) == 1:
        return (line for _, line in runs[0])
    return (line for _, line in heapq.merge(*runs, key=_KEY))


def _run(path: str) -> Iterator[tuple[str, str]]:
    """The (key, line) pairs of a run file, a batch at a time."""
    for batch in _batches(path):
        yield from batch


class Spool(Generic[_O]):
    """Objects kept in their order until they are all read back, in bounded memory.

    A batch of `SPOOL_BATCH` objects is kept in memory; each full batch is pickled to the
    file `path` (as `packed` does). Use it as a context manager: the file goes at the end.
    """

    def __init__(self, path: str) -> None:
        self._path = Path(path)
        self._batch: list[_O] = []
        self._file: io.BufferedWriter | None = None

    def __enter__(self) -> Spool[_O]:
        return self

    def __exit__(self, *_: object) -> None:
        self.clear()

    def add(self, item: _O) -> None:
        """Keep `item`, after those kept so far."""
        batch = self._batch
        batch.append(item)
        if len(batch) >= SPOOL_BATCH:
            if self._file is None:
                self._file = self._path.open("xb")
            with _collector_paused():
                _Pickler(self._file, protocol=pickle.HIGHEST_PROTOCOL).dump(batch)
            self._batch = []

    def clear(self) -> None:
        """Forget every object kept, and remove the file."""
        if self._file is not None:
            self._file.close()
            self._file = None
        self._path.unlink(missing_ok=True)
        self._batch = []

    def __iter__(self) -> Iterator[_O]:
        """Every object kept, in order, a batch at a time."""
        if self._file is not None:
            self._file.close()
            self._file = None
            for batch in _batches(str(self._path)):
                yield from batch
        yield from self._batch


def _batches(path: str) -> Iterator[Any]:
    """The objects pickled one after another in the file `path` (by this module)."""
    with Path(path).open("rb") as file:
        while True:
            with _collector_paused():
                try:
                    batch = pickle.load(file)  # written by this module, in our own folder
                except EOFError:
                    return
            yield batch

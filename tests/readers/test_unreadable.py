"""Inputs that cannot be read at all raise `DataFileError` naming the file, and standard
input (`-`) is read once, as a one-shot source named `<stdin>`."""

from __future__ import annotations

import errno
import io
import sys
from datetime import timezone
from pathlib import Path, PosixPath
from typing import Any

import pytest

from customer_journey import _file_access
from customer_journey.errors import ArgumentError, DataFileError
from customer_journey.model import EventFields
from customer_journey.readers import EventSource, Rejection, from_file

UTC = timezone.utc
FIELDS = EventFields()
GOOD = b'{"customer_id": "c1", "type": "a", "timestamp": "2026-01-01T10:00:00Z"}\n'
NOT_REGULAR = (
    "it is not a regular file (a device, a pipe or a socket); give the path of a data file, "
    "or pass '-' and send the data to standard input"
)


def read(path: str | Path, **options: Any) -> EventSource:
    options.setdefault("fields", FIELDS)
    options.setdefault("timezone", UTC)
    return from_file(path, **options)


def refusal(path: str | Path, **options: Any) -> DataFileError:
    """The error from reading `path` to the end, whether making the source or iterating."""
    with pytest.raises(DataFileError, match=r".") as info:
        list(read(path, **options))
    return info.value


# Files that cannot be read ----------------------------------------------------------------


@pytest.mark.parametrize("name", ["events.jsonl", "events.csv", "events.parquet"])
def test_a_missing_file_in_any_format_is_a_data_file_error(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    error = refusal(path)
    assert (str(error), error.code, error.path, error.reason) == (
        f"cannot read '{path}': no such file",
        "no-such-file",
        str(path),
        "no such file",
    )
    assert isinstance(error, OSError)
    assert (error.errno, error.filename, error.strerror) == (
        errno.ENOENT,
        str(path),
        "no such file",
    )


def test_a_path_through_a_file_is_no_such_file(tmp_path: Path) -> None:
    (tmp_path / "file").write_bytes(b"")
    path = tmp_path / "file" / "events.jsonl"
    error = refusal(path)
    assert (str(error), error.code) == (f"cannot read '{path}': no such file", "no-such-file")


def test_a_name_no_file_can_have_is_no_such_file(tmp_path: Path) -> None:
    path = f"{tmp_path}/events\0.jsonl"
    error = refusal(path)
    assert (error.reason, error.code) == ("no such file", "no-such-file")


def test_a_directory_is_a_data_file_error(tmp_path: Path) -> None:
    path = tmp_path / "events.jsonl"
    path.mkdir()
    error = refusal(path)
    assert (str(error), error.code) == (
        f"cannot read '{path}': it is a directory",
        "is-a-directory",
    )


@pytest.mark.skipif(not Path("/dev/null").exists(), reason="no /dev/null on this system")
def test_dev_null_is_refused_as_not_a_regular_file() -> None:
    error = refusal("/dev/null", format="jsonl")
    assert (str(error), error.code) == (
        f"cannot read '/dev/null': {NOT_REGULAR}",
        "not-a-regular-file",
    )


class Unreadable(PosixPath):
    """A path the system refuses to open, as it does a file of another user's (mode 600)."""

    def open(self, *args: Any, **kwargs: Any) -> Any:
        raise PermissionError(errno.EACCES, "Permission denied", str(self))


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX paths")
def test_a_file_we_may_not_read_is_refused_when_the_source_is_made(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "events.jsonl"
    path.write_bytes(GOOD)
    monkeypatch.setattr(_file_access, "Path", Unreadable)
    with pytest.raises(DataFileError, match=r".") as info:
        read(path)
    assert (str(info.value), info.value.code, info.value.errno) == (
        f"cannot read '{path}': permission denied",
        "permission-denied",
        errno.EACCES,
    )


@pytest.mark.parametrize(
    "data", [b"", b"PAR1", b"not parquet at all, just text\n", b"PAR1" + b"\0" * 64 + b"PAR1"]
)
def test_a_file_that_is_not_parquet_is_a_corrupt_file(tmp_path: Path, data: bytes) -> None:
    pytest.importorskip("pyarrow")
    path = tmp_path / "events.parquet"
    path.write_bytes(data)
    source = read(path)
    with pytest.raises(DataFileError, match=r".") as info:
        list(source)
    assert (str(info.value), info.value.code) == (
        f"cannot read '{path}': it is not a Parquet file, or it is damaged or cut short",
        "corrupt-file",
    )


def test_a_parquet_file_cut_short_is_a_corrupt_file(tmp_path: Path) -> None:
    pa = pytest.importorskip("pyarrow")
    pq = pytest.importorskip("pyarrow.parquet")
    path = tmp_path / "events.parquet"
    table = pa.table({"customer_id": ["c1"], "type": ["a"], "timestamp": [0]})
    pq.write_table(table, path)
    path.write_bytes(path.read_bytes()[:-10])
    error = refusal(path)
    assert (error.reason, error.code) == (
        "it is not a Parquet file, or it is damaged or cut short",
        "corrupt-file",
    )


def test_a_file_gone_before_a_later_pass_is_a_data_file_error(tmp_path: Path) -> None:
    path = tmp_path / "events.jsonl"
    path.write_bytes(GOOD)
    source = read(path)
    assert [event.customer for event in source] == ["c1"]
    path.unlink()
    with pytest.raises(DataFileError, match=r".") as info:
        list(source)
    assert (str(info.value), info.value.code) == (
        f"cannot read '{path}': no such file",
        "no-such-file",
    )


class Failing(io.BytesIO):
    """A file whose disk fails after `good` reads."""

    def __init__(self, data: bytes, good: int) -> None:
        super().__init__(data)
        self.good = good

    def _spend(self) -> None:
        if self.good == 0:
            raise OSError(errno.EIO, "Input/output error")
        self.good -= 1

    def readline(self, size: int | None = -1) -> bytes:
        self._spend()
        return super().readline(size)

    def read(self, size: int | None = -1) -> bytes:
        self._spend()
        return super().read(size)

    def read1(self, size: int | None = -1) -> bytes:
        self._spend()
        return super().read1(size)


def failing_after(good: int) -> type[PosixPath]:
    """A path class whose files fail to read after `good` reads."""

    class FailingPath(PosixPath):
        def open(self, *args: Any, **kwargs: Any) -> Any:
            return Failing(Path(self).read_bytes(), good)

    return FailingPath


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX paths")
@pytest.mark.parametrize(
    ("name", "data", "good", "counts"),
    [
        # Each line is a read: two lines, then the disk fails.
        ("events.jsonl", GOOD + b"{}\n" + GOOD, 2, (2, 1, 1)),
        # The text layer reads the whole small file at once, and fails asking for more.
        ("events.csv", b"customer_id,type,timestamp\nc1,a,0\n,a,0\nc3,a,0\n", 1, (3, 2, 1)),
    ],
)
def test_an_io_error_part_way_stops_the_reading_with_the_rows_before_counted(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    name: str,
    data: bytes,
    good: int,
    counts: tuple[int, int, int],
) -> None:
    path = tmp_path / name
    path.write_bytes(data)
    source = read(path)
    monkeypatch.setattr(_file_access, "Path", failing_after(good))
    with pytest.raises(DataFileError, match=r".") as info:
        list(source)
    assert (str(info.value), info.value.code, info.value.errno) == (
        f"cannot read '{path}': reading it failed part way: input/output error",
        "unreadable-file",
        errno.EIO,
    )
    report = source.report
    assert (report.read, report.accepted, report.rejected) == counts


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX paths")
def test_an_io_error_in_a_parquet_file_is_not_called_damage(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pa = pytest.importorskip("pyarrow")
    pq = pytest.importorskip("pyarrow.parquet")
    path = tmp_path / "events.parquet"
    pq.write_table(pa.table({"customer_id": ["c1"], "type": ["a"], "timestamp": [0]}), path)
    source = read(path)
    monkeypatch.setattr(_file_access, "Path", failing_after(1))
    with pytest.raises(DataFileError, match=r".") as info:
        list(source)
    assert (info.value.reason, info.value.code) == (
        "reading it failed part way: input/output error",
        "unreadable-file",
    )


# Standard input ---------------------------------------------------------------------------


@pytest.fixture
def stdin(monkeypatch: pytest.MonkeyPatch) -> io.BytesIO:
    """Standard input, as bytes the test writes before reading."""
    buffer = io.BytesIO()
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(buffer, encoding="utf-8"))
    return buffer


def feed(stdin: io.BytesIO, data: bytes) -> None:
    stdin.write(data)
    stdin.seek(0)


def test_dash_reads_json_lines_from_standard_input_once(stdin: io.BytesIO) -> None:
    feed(stdin, GOOD + b"{}\n" + GOOD.replace(b"c1", b"c3"))
    source = read("-")
    assert (source.source, source.reiterable) == ("<stdin>", False)
    assert [event.customer for event in source] == ["c1", "c3"]
    assert list(source) == []
    assert source.report.rejections == [
        Rejection("<stdin>", 2, "missing 'customer_id'", {}, code="missing-field")
    ]
    assert (source.report.read, source.report.accepted, source.report.rejected) == (3, 2, 1)
    assert not sys.stdin.buffer.closed


def test_dash_reads_csv_from_standard_input_when_asked(stdin: io.BytesIO) -> None:
    feed(stdin, b"customer_id,type,timestamp\nc1,a,0\nc\xff2,a,0\n")
    source = read("-", format="csv")
    assert [event.customer for event in source] == ["c1"]
    assert [str(rejection) for rejection in source.report.rejections] == [
        "<stdin>:3: the line is not UTF-8 text (byte 0xff at column 2)"
    ]
    assert not sys.stdin.buffer.closed


def test_a_one_shot_standard_input_goes_on_where_it_stopped(stdin: io.BytesIO) -> None:
    feed(stdin, GOOD * 3)
    source = read("-")
    events = iter(source)
    next(events)
    assert len(list(source)) == 2
    assert source.report.read == 3


def test_parquet_from_standard_input_is_refused(stdin: io.BytesIO) -> None:
    with pytest.raises(ArgumentError, match=r".") as info:
        read("-", format="parquet")
    assert str(info.value) == (
        "'format' must be 'jsonl' or 'csv' to read standard input (got 'parquet'); Parquet "
        "is read from its end, so save it to a file and give its path"
    )


def test_no_standard_input_is_a_data_file_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "stdin", None)
    with pytest.raises(DataFileError, match=r".") as info:
        list(read("-"))
    assert (str(info.value), info.value.code) == (
        "cannot read '<stdin>': there is no standard input to read",
        "unreadable-file",
    )

"""Events files, broken on purpose: the strategies, and what every reader must keep true.

JSON Lines and CSV files are built from generated records, then broken line by line (a
field dropped, a mangled timestamp, attributes nested deep, non-UTF-8 bytes, NUL bytes,
very long lines, byte order marks, CRLF and lone CR line ends, random bytes); Parquet files
are a valid file corrupted (cut short, bytes flipped or zeroed) or tables with odd column
types. Each is read through `Journey.read_events` with the bookshop journey, which has
regexes, comparisons, timeouts and a timezone with daylight saving time.

What must hold: nothing escapes but our own errors, and of those only the ones that stop a
whole file: a bad line is a rejection (or, strict, a `RecordError`); `DataFileError` is for
a Parquet file that cannot be read, or a CSV file whose header cannot (so before any row
is read), never for JSON Lines. And `read == accepted + rejected`, every rejection names a
row inside the file and says why (with a code), and replaying the accepted events
(`replay_all`, and `analyze` by a trait) escapes nothing either.
"""

from __future__ import annotations

import csv
import functools
import io
import json
import re
import tempfile
from pathlib import Path
from typing import Any, NamedTuple

import attrs
from fuzz_support import CODE, ROOT, EscapeError, Target, compact, guarded
from fuzz_values import (
    ODD_TIMESTAMPS,
    RawEvent,
    event_types,
    histories,
    odd_values,
    pick,
    spell,
)
from hypothesis import strategies as st

import customer_journey as cj
from customer_journey.errors import ArgumentError, DataFileError, RecordError
from customer_journey.readers import Rejection

JOURNEY = ROOT / "examples" / "bookshop.journey.yaml"
#: How deep nested attributes go, and how long a very long line is.
DEPTHS = (1000, 100, 10_000)
LENGTHS = (10_000, 1_048_000, 2_000_000)
#: Bytes that break a line: not UTF-8, NUL, a byte order mark, a lone CR.
ODD_BYTES = (b"\xff", b"\xc3(", b"\xed\xa0\x80", b"\x00", b"\xef\xbb\xbf", b"\r", b"\n")
#: Lines that are JSON but not a record, or nearly JSON.
ODD_LINES = (
    b"[1, 2]",
    b'"text"',
    b"null",
    b"1e999",
    b"NaN",
    b"1" + b"0" * 5000,
    b'{"customer_id": "c1", "customer_id": 2}',
    b'{"customer_id": "c1", "type": "page.viewed", "timestamp": "2026-03-02T09:00:00Z"',
    b"{",
    b"   ",
    b"\xef\xbb\xbf{}",
)


@functools.cache
def reader_journey() -> cj.Journey:
    """The journey every events file is read with (loaded once)."""
    return cj.load(JOURNEY)


def _record(raw: RawEvent) -> dict[str, Any]:
    model = reader_journey().model
    return spell(raw, model.events, event_types(model))


class FileCase(NamedTuple):
    """An events file to read: its format, its bytes, whether to read it strictly, and (for
    a Parquet file, whose bytes say little) how it was made."""

    format: str
    data: bytes
    strict: bool
    how: str = ""

    def __repr__(self) -> str:
        shown = f"<{len(self.data)} bytes: {self.how}>" if self.how else compact(self.data)
        return f"FileCase({self.format!r}, {shown}, strict={self.strict})"


# --- JSON Lines -------------------------------------------------------------------------


@st.composite
def _json_line(draw: st.DrawFn, raw: RawEvent) -> bytes:
    """One line: a record, perhaps broken (a field dropped, odd time, deep, long), or junk."""
    record = _record(raw)
    fields = reader_journey().model.events
    change = draw(st.sampled_from(("none", "drop", "time", "deep", "long", "odd", "junk", "bytes")))
    deep = None
    if change == "drop":
        record.pop(draw(st.sampled_from(sorted(record))), None)
    elif change == "time":
        record[fields.time] = draw(pick(ODD_TIMESTAMPS))
    elif change == "deep":
        depth = draw(pick(DEPTHS))
        deep = '{"a": ' * depth + "1" + "}" * depth
        record["page"] = "__deep__"
    elif change == "long":
        record["page"] = "x" * draw(pick(LENGTHS))
    elif change == "odd":
        record[draw(st.sampled_from(sorted(record)))] = draw(odd_values())
    elif change == "junk":
        return draw(st.one_of(pick(ODD_LINES), st.binary(max_size=40)))
    ascii_only = draw(st.booleans())
    text = json.dumps(record, ensure_ascii=ascii_only, default=str)
    if deep is not None:
        text = text.replace('"__deep__"', deep)
    line = text.encode("utf-8", "surrogatepass")
    if change == "bytes":
        at = draw(st.integers(0, len(line)))
        line = line[:at] + draw(pick(ODD_BYTES)) + line[at:]
    return line


@st.composite
def _jsonl_file(draw: st.DrawFn) -> bytes:
    """Lines of records, some broken, with one kind of line end; or random bytes."""
    if draw(st.integers(0, 9)) == 9:
        return draw(st.binary(max_size=256))
    history = draw(histories())
    lines = [draw(_json_line(raw)) for raw in history]
    end = draw(st.sampled_from((b"\n", b"\r\n", b"\r")))
    data = end.join(lines) + (end if draw(st.booleans()) else b"")
    return (b"\xef\xbb\xbf" if draw(st.booleans()) else b"") + data


# --- CSV --------------------------------------------------------------------------------


def _cell(value: Any) -> str:
    if isinstance(value, str):
        return value
    return json.dumps(value, default=str) if isinstance(value, (dict, list)) else str(value)


@st.composite
def _csv_file(draw: st.DrawFn) -> bytes:
    """A header and rows, some broken, with odd bytes put anywhere; or random bytes."""
    if draw(st.integers(0, 9)) == 9:
        return draw(st.binary(max_size=256))
    fields = reader_journey().model.events
    header = [fields.customer, fields.type, fields.time, fields.id, "page", "total"]
    header.append(f"{fields.traits}.segment")
    if draw(st.booleans()):
        del header[draw(st.integers(0, len(header) - 1))]
    if draw(st.booleans()):
        header.append(draw(st.sampled_from(header)))  # a column named twice
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator=draw(st.sampled_from(("\n", "\r\n", "\r"))))
    writer.writerow(header)
    for raw in draw(histories()):
        record = _record(raw)
        traits = record.pop(fields.traits, None)
        if isinstance(traits, dict) and "segment" in traits:
            record[f"{fields.traits}.segment"] = traits["segment"]
        cells = [_cell(record.get(column, "")) for column in header]
        change = draw(st.sampled_from(("none", "more", "fewer", "long", "quote")))
        if change == "more":
            cells.append("extra")
        elif change == "fewer":
            cells = cells[: draw(st.integers(0, len(cells)))]
        elif change == "long":
            cells[-1] = "x" * draw(pick(LENGTHS))
        elif change == "quote":
            cells[0] = '"' + cells[0]
        if change == "quote":
            buffer.write(",".join(cells) + "\n")
        else:
            writer.writerow(cells)
    data = buffer.getvalue().encode("utf-8", "surrogatepass")
    for _ in range(draw(st.integers(0, 2))):
        at = draw(st.integers(0, len(data)))
        data = data[:at] + draw(pick(ODD_BYTES)) + data[at:]
    return data


# --- Parquet ----------------------------------------------------------------------------


@functools.cache
def parquet_files() -> dict[str, bytes]:
    """A valid Parquet file of a few records, and files whose columns have odd types."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    fields = reader_journey().model.events
    at = pa.array([1_772_442_000_000_000, 1_772_445_600_000_000], pa.timestamp("us", "UTC"))
    columns: dict[str, dict[str, Any]] = {
        "valid": {fields.time: at},
        "far-times": {fields.time: pa.array([-62_135_596_800, 253_402_300_799], pa.timestamp("s"))},
        "naive-times": {fields.time: pa.array([0, 2**62], pa.timestamp("ns"))},
        "number-times": {fields.time: pa.array([2**62, -(2**62)], pa.int64())},
        "date-times": {fields.time: pa.array([0, 2_932_896], pa.date32())},
        "clock-times": {fields.time: pa.array([0, 86_399_999_999], pa.time64("us"))},
        "binary-ids": {fields.time: at, fields.customer: pa.array([b"\xff", b"\x00"])},
        "deep-attribute": {fields.time: at, "page": pa.array([_deep(100), None])},
        "list-types": {fields.time: at, fields.type: pa.array([["a"], []])},
        "null-column": {fields.time: at, "total": pa.nulls(2)},
        "decimal-total": {fields.time: at, "total": pa.array([1, -1], pa.decimal128(38, 0))},
    }
    files = {}
    for name, extra in columns.items():
        table = {
            fields.customer: pa.array(["c1", "c2"]),
            fields.type: pa.array(["page.viewed", "order.placed"]),
            "total": pa.array([1.5, float("nan")]),
            **extra,
        }
        sink = io.BytesIO()
        pq.write_table(pa.table(table), sink)
        files[name] = sink.getvalue()
    return files


def _deep(depth: int) -> dict[str, Any]:
    value: dict[str, Any] = {"b": 1}
    for _ in range(depth):
        value = {"a": value}
    return value


@st.composite
def _parquet_file(draw: st.DrawFn) -> tuple[bytes, str]:
    """A Parquet file, perhaps damaged, and how it was made."""
    files = parquet_files()
    name = draw(st.sampled_from(sorted(files, key=lambda name: name != "valid")))
    data = files[name]
    change = draw(st.sampled_from(("none", "cut", "flip", "zero", "append", "empty", "magic")))
    at = draw(st.integers(0, len(data) - 1))
    if change == "cut":
        return data[:at], f"the '{name}' file cut to {at} bytes"
    if change == "flip":
        mask = draw(st.integers(1, 255))
        flipped = data[:at] + bytes([data[at] ^ mask]) + data[at + 1 :]
        return flipped, f"the '{name}' file with byte {at} xor 0x{mask:02x}"
    if change == "zero":
        width = draw(st.integers(1, 64))
        zeroed = data[:at] + bytes(width) + data[at + width :]
        return zeroed, f"the '{name}' file with {width} bytes from {at} zeroed"
    if change == "append":
        tail = draw(st.binary(min_size=1, max_size=16))
        return data + tail, f"the '{name}' file followed by {tail!r}"
    if change == "empty":
        return b"", "an empty file"
    if change == "magic":
        return b"PAR1PAR1", "the magic bytes alone"
    return data, f"the '{name}' file"


# --- the check --------------------------------------------------------------------------


@st.composite
def file_cases(draw: st.DrawFn, form: str) -> FileCase:
    """Broken files of one format (`jsonl`, `csv` or `parquet`), read strictly or not."""
    how = ""
    if form == "parquet":
        data, how = draw(_parquet_file())
    else:
        data = draw(_jsonl_file() if form == "jsonl" else _csv_file())
    return FileCase(form, data, draw(st.booleans()), how)


def _row_limit(case: FileCase) -> int | None:
    """The last row a rejection may name: the file's lines (as the reader splits them)."""
    data = case.data
    if case.format == "jsonl":
        return data.count(b"\n") + (1 if data and not data.endswith(b"\n") else 0)
    if case.format == "csv":
        return len(re.split(rb"\r\n|\r|\n", data))
    return None  # a Parquet row is a row number: bounded by what was read


def check_file(case: FileCase) -> None:
    """Read the file (nothing escapes; the report adds up), then replay its events."""
    journey = reader_journey()
    whole_file = () if case.format == "jsonl" else (DataFileError,)
    limit = _row_limit(case)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"events.{case.format}"
        path.write_bytes(case.data)
        source = guarded(lambda: journey.read_events(path, strict=case.strict), allowed=whole_file)
        if not isinstance(source, cj.EventSource):
            return
        allowed = (*whole_file, RecordError) if case.strict else whole_file
        read = guarded(lambda: sum(1 for _ in source), allowed=allowed)
        report = source.report
        _check_report(report, str(path), limit)
        if case.format == "csv" and isinstance(read, DataFileError) and report.read:
            raise EscapeError(f"{read} after {report.read} rows were read", "csv-data-file-error")
        if isinstance(read, RecordError):
            _check_row(read.row, report.read if limit is None else limit, f"{read}")
        if isinstance(read, BaseException):
            return
        for as_of in (None, "2026-04-01T00:00:00Z"):
            events = journey.read_events(path)
            batch = guarded(lambda: journey.replay_all(events, as_of), allowed=whole_file)  # noqa: B023 - called at once
            if isinstance(batch, cj.ReplayBatch):
                _check_totals(batch)
        by = "customer.segment"
        # Without events there is no latest time to judge at: `as_of` is then required.
        refusable = () if report.accepted else (ArgumentError,)
        analysis = guarded(
            lambda: cj.analyze(journey, path, by=by), allowed=(*whole_file, *refusable)
        )
        if isinstance(analysis, cj.Analysis):
            guarded(analysis.to_dict, allowed=())


def _check_report(report: Any, source: str, limit: int | None) -> None:
    if report.read != report.accepted + report.rejected:
        raise EscapeError(f"read {report.read} != accepted + rejected in {report}", "balance")
    if report.rejected != len(report.rejections):
        raise EscapeError(
            f"{report.rejected} rejected but {len(report.rejections)} listed", "balance"
        )
    if limit is not None and report.read > limit:
        raise EscapeError(f"read {report.read} records from {limit} lines", "balance")
    has_code = "code" in attrs.fields_dict(Rejection)
    for rejection in report.rejections:
        _check_row(rejection.row, report.read if limit is None else limit, str(rejection))
        if rejection.source != source:
            raise EscapeError(f"rejection names '{rejection.source}', not '{source}'", "source")
        if not isinstance(rejection.reason, str) or not rejection.reason.strip():
            raise EscapeError(f"a rejection without a reason: {rejection!r}"[:300], "reason")
        if has_code and not CODE.fullmatch(getattr(rejection, "code", "")):
            raise EscapeError(f"a rejection without a code: {rejection!r}"[:300], "code")


def _check_row(row: int, limit: int, shown: str) -> None:
    if not 1 <= row <= limit:
        raise EscapeError(f"row {row} is outside the file's {limit} rows: {shown}"[:300], "row")


def _check_totals(batch: cj.ReplayBatch) -> None:
    guarded(lambda: [result.to_dict() for result in batch], allowed=())
    totals = batch.totals
    if totals.read != totals.accepted + totals.rejected:
        raise EscapeError(f"replay totals do not add up: {totals}", "balance")
    if totals.accepted != totals.events + totals.duplicates + totals.after_as_of:
        raise EscapeError(f"accepted events are not all accounted for: {totals}", "balance")


def _parquet_missing() -> str | None:
    try:
        import pyarrow.parquet  # noqa: F401
    except ImportError:
        return "pyarrow is not installed"
    return None


TARGETS = (
    Target("jsonl files", "readers", file_cases("jsonl"), check_file),
    Target("csv files", "readers", file_cases("csv"), check_file),
    Target("parquet files", "readers", file_cases("parquet"), check_file, _parquet_missing),
)

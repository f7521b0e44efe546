"""Hostile lines and rows: each is rejected alone, with its row, reason and code, and the
reading goes on; nothing but our own errors escapes, and the report always balances."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from customer_journey.errors import DataFileError, RecordError
from customer_journey.model import Event, EventFields
from customer_journey.readers import EventSource, _parquet, from_file, from_records

UTC = timezone.utc
FIELDS = EventFields()
AT = datetime(2026, 1, 1, 10, tzinfo=UTC)
MIB = 1_048_576
GOOD = b'{"customer_id": "c1", "type": "a", "timestamp": "2026-01-01T10:00:00Z"}\n'
LAST = b'{"customer_id": "c3", "type": "a", "timestamp": "2026-01-01T10:00:00Z"}\n'
CSV_HEAD = b"customer_id,type,timestamp\n"
RANGE = "is outside the supported range 1900-01-01 to 2999-12-31; check the year"


def read(path: Path, **options: Any) -> EventSource:
    options.setdefault("fields", FIELDS)
    options.setdefault("timezone", UTC)
    return from_file(path, **options)


def between(tmp_path: Path, middle: bytes, name: str = "events.jsonl") -> EventSource:
    """Read a three-record file whose middle record is `middle`; the others are good."""
    path = tmp_path / name
    if name.endswith(".csv"):
        path.write_bytes(CSV_HEAD + b"c1,a,2026-01-01T10:00:00Z\n" + middle + b"c3,a,0\n")
    else:
        path.write_bytes(GOOD + middle + LAST)
    return read(path)


def rejected(source: EventSource) -> list[tuple[int, str, str, object]]:
    """Read the whole source; the rejections as (row, code, reason, record)."""
    list(source)
    report = source.report
    assert report.read == report.accepted + report.rejected
    return [(r.row, r.code, r.reason, r.record) for r in report.rejections]


def customers(source: EventSource) -> list[str]:
    return [event.customer for event in source]


# JSON Lines -------------------------------------------------------------------------------


def test_a_jsonl_line_with_a_bad_byte_is_rejected_alone(tmp_path: Path) -> None:
    source = between(tmp_path, b'{"customer_id": "c\xff2"}\n')
    assert customers(source) == ["c1", "c3"]
    assert rejected(source) == [
        (
            2,
            "bad-encoding",
            "not valid JSON: the line is not UTF-8 text",
            '{"customer_id": "c\ufffd2"}',
        )
    ]


def test_a_jsonl_line_nested_a_thousand_deep_is_rejected_alone(tmp_path: Path) -> None:
    line = "[" * 1000 + "]" * 1000
    source = between(tmp_path, line.encode() + b"\n")
    assert customers(source) == ["c1", "c3"]
    assert rejected(source) == [
        (2, "too-deep", "the record is nested more than 64 levels deep", line)
    ]


def test_an_unclosed_jsonl_line_a_hundred_thousand_deep_is_rejected_alone(
    tmp_path: Path,
) -> None:
    source = between(tmp_path, b"{" * 100_000 + b"\n")
    assert customers(source) == ["c1", "c3"]
    assert [(row, code) for row, code, _, _ in rejected(source)] == [(2, "too-deep")]


def nested(depth: int) -> bytes:
    """A good record whose `x` holds objects nested so that the record is `depth` deep."""
    value = "1"
    for _ in range(depth - 1):
        value = '{"x": ' + value + "}"
    return b'{"customer_id": "c2", "type": "a", "timestamp": 0, "x": ' + value.encode() + b"}\n"


def test_a_record_64_levels_deep_is_read_and_65_is_rejected(tmp_path: Path) -> None:
    at_the_limit = between(tmp_path, nested(64))
    assert customers(at_the_limit) == ["c1", "c2", "c3"]
    over = between(tmp_path, nested(65))
    assert customers(over) == ["c1", "c3"]
    assert [(row, code, reason) for row, code, reason, _ in rejected(over)] == [
        (2, "too-deep", "the record is nested more than 64 levels deep")
    ]


def test_brackets_inside_jsonl_text_do_not_count_as_nesting(tmp_path: Path) -> None:
    text = '[{\\"' * 100  # brackets, quotes and escapes, all inside one string
    line = '{"customer_id": "c2", "type": "a", "timestamp": 0, "note": "' + text + '"}\n'
    source = between(tmp_path, line.encode())
    assert customers(source) == ["c1", "c2", "c3"]


def test_a_jsonl_line_over_one_mebibyte_is_rejected_with_its_start(tmp_path: Path) -> None:
    line = b'{"customer_id": "c2", "pad": "' + b"a" * (3 * MIB) + b'"}\n'
    source = between(tmp_path, line)
    assert customers(source) == ["c1", "c3"]
    assert rejected(source) == [
        (
            2,
            "line-too-long",
            "the line is longer than 1,048,576 bytes, the most a line may hold",
            '{"customer_id": "c2", "pad": "' + "a" * 27 + "...",
        )
    ]


def padded(size: int, end: bytes) -> bytes:
    """A good record padded to exactly `size` bytes, before its line end."""
    head = b'{"customer_id": "c2", "type": "a", "timestamp": 0, "pad": "'
    return head + b"a" * (size - len(head) - 2) + b'"}' + end


@pytest.mark.parametrize("end", [b"\n", b"\r\n", b""])
def test_a_jsonl_line_of_exactly_one_mebibyte_is_read(tmp_path: Path, end: bytes) -> None:
    path = tmp_path / "events.jsonl"
    path.write_bytes(GOOD + padded(MIB, end))
    assert customers(read(path)) == ["c1", "c2"]


def test_a_jsonl_line_one_byte_over_the_limit_is_rejected(tmp_path: Path) -> None:
    source = between(tmp_path, padded(MIB + 1, b"\r\n"))
    assert customers(source) == ["c1", "c3"]
    assert [(row, code) for row, code, _, _ in rejected(source)] == [(2, "line-too-long")]


def test_a_jsonl_number_of_thousands_of_digits_is_rejected_alone(tmp_path: Path) -> None:
    line = b'{"customer_id": ' + b"7" * 5000 + b"}"
    source = between(tmp_path, line + b"\n")
    assert customers(source) == ["c1", "c3"]
    assert rejected(source) == [
        (
            2,
            "number-too-long",
            "a number in the line has thousands of digits, more than can be read; write it as text",
            line.decode(),
        )
    ]


def test_a_jsonl_lone_surrogate_is_rejected_and_a_pair_is_read(tmp_path: Path) -> None:
    lone = b'{"customer_id": "\\ud800x", "type": "a", "timestamp": 0}'
    pair = b'{"customer_id": "\\ud83d\\ude00", "type": "a", "timestamp": 0}\n'
    path = tmp_path / "events.jsonl"
    path.write_bytes(GOOD + lone + b"\n" + pair)
    source = read(path)
    assert customers(source) == ["c1", "\U0001f600"]
    assert rejected(source) == [
        (
            2,
            "bad-encoding",
            "the line holds text that is not Unicode (an unpaired escape such as \\ud800)",
            lone.decode(),
        )
    ]


def test_a_jsonl_escaped_backslash_before_u_is_not_a_surrogate(tmp_path: Path) -> None:
    source = between(tmp_path, b'{"customer_id": "\\\\ud800", "type": "a", "timestamp": 0}\n')
    assert customers(source) == ["c1", "\\ud800", "c3"]


def test_a_first_line_with_a_byte_order_mark_is_checked_like_the_others(tmp_path: Path) -> None:
    path = tmp_path / "events.jsonl"
    path.write_bytes(b"\xef\xbb\xbf" + b"[" * 100 + b"]" * 100 + b"\n" + LAST)
    source = read(path)
    assert customers(source) == ["c3"]
    assert [(row, code) for row, code, _, _ in rejected(source)] == [(1, "too-deep")]


@pytest.mark.parametrize(
    ("time", "shown"),
    [
        ("0001-01-01T00:00:00+05:00", "0001-01-01T00:00:00+05:00"),
        ("9999-12-31T23:59:59-05:00", "9999-12-31T23:59:59-05:00"),
        ("3000-01-01T00:00:00Z", "3000-01-01T00:00:00Z"),
        ("1899-12-31", "1899-12-31"),
    ],
)
def test_a_time_outside_the_range_is_rejected_alone(tmp_path: Path, time: str, shown: str) -> None:
    record = {"customer_id": "c2", "type": "a", "timestamp": time}
    source = between(tmp_path, json.dumps(record).encode() + b"\n")
    assert customers(source) == ["c1", "c3"]
    assert rejected(source) == [
        (2, "time-out-of-range", f"the time '{shown}' in 'timestamp' {RANGE}", record)
    ]


def test_an_epoch_number_outside_the_range_says_how_epochs_count(tmp_path: Path) -> None:
    source = between(tmp_path, b'{"customer_id": "c2", "type": "a", "timestamp": 1e30}\n')
    assert [(row, code, reason) for row, code, reason, _ in rejected(source)] == [
        (
            2,
            "time-out-of-range",
            "the time '1e+30' in 'timestamp' is outside the supported range 1900-01-01 to "
            "2999-12-31; epoch numbers count seconds since 1970-01-01, or milliseconds "
            "above 1e11",
        )
    ]


def test_strict_mode_raises_with_the_rejection_code(tmp_path: Path) -> None:
    path = tmp_path / "events.jsonl"
    path.write_bytes(GOOD + b"[" * 100 + b"]" * 100 + b"\n" + LAST)
    source = read(path, strict=True)
    with pytest.raises(RecordError, match=r".") as info:
        list(source)
    assert (info.value.row, info.value.code, str(info.value)) == (
        2,
        "too-deep",
        f"{path}:2: the record is nested more than 64 levels deep",
    )
    report = source.report
    assert (report.read, report.accepted, report.rejected) == (2, 1, 1)


# CSV --------------------------------------------------------------------------------------


def test_a_csv_row_with_a_bad_byte_is_rejected_alone(tmp_path: Path) -> None:
    source = between(tmp_path, b"c2,page.vi\xffewed,2026-01-01T10:00:00Z\n", "events.csv")
    assert customers(source) == ["c1", "c3"]
    assert rejected(source) == [
        (
            3,
            "bad-encoding",
            "the line is not UTF-8 text (byte 0xff at column 11)",
            ["c2", "page.vi\ufffdewed", "2026-01-01T10:00:00Z"],
        )
    ]


def test_a_latin_1_csv_rejects_only_its_rows_with_accents(tmp_path: Path) -> None:
    path = tmp_path / "events.csv"
    path.write_bytes(
        (CSV_HEAD.decode() + "c1,a,0\ncaf\u00e9,a,0\nc3,a,0\n\u00e9t\u00e9,a,0\n").encode("latin-1")
    )
    source = read(path)
    assert customers(source) == ["c1", "c3"]
    assert [(row, code, reason) for row, code, reason, _ in rejected(source)] == [
        (3, "bad-encoding", "the line is not UTF-8 text (byte 0xe9 at column 4)"),
        (5, "bad-encoding", "the line is not UTF-8 text (byte 0xe9 at column 1)"),
    ]


def test_a_bad_byte_on_a_later_line_of_a_quoted_csv_row_names_that_line(tmp_path: Path) -> None:
    source = between(tmp_path, b'c2,"two\nline\xfe",2026-01-01T10:00:00Z\n', "events.csv")
    assert customers(source) == ["c1", "c3"]
    assert rejected(source) == [
        (
            3,
            "bad-encoding",
            "line 4 is not UTF-8 text (byte 0xfe at column 5)",
            ["c2", "two\nline\ufffd", "2026-01-01T10:00:00Z"],
        )
    ]
    assert [r.row for r in source.report.rejections] == [3]


def test_a_csv_line_over_one_mebibyte_is_rejected_and_rows_go_on(tmp_path: Path) -> None:
    path = tmp_path / "events.csv"
    path.write_bytes(
        CSV_HEAD + b"c1,a,0\n" + b"x," * (2 * MIB) + b"\r\nc3,a,0\n\nc5,a,2026-01-01T10:00:00Z\n"
    )
    source = read(path)
    assert customers(source) == ["c1", "c3", "c5"]
    assert rejected(source) == [
        (
            3,
            "line-too-long",
            "the line is longer than 1,048,576 characters, the most a line may hold",
            [],
        )
    ]
    assert [event.at for event in source][-1] == AT


def test_a_csv_value_longer_than_the_csv_field_limit_is_rejected_alone(tmp_path: Path) -> None:
    source = between(tmp_path, b'c2,"' + b"a" * 200_000 + b'",0\n', "events.csv")
    assert customers(source) == ["c1", "c3"]
    assert rejected(source) == [
        (
            3,
            "value-too-long",
            "a value is longer than 131,072 characters, the most a CSV value may hold; "
            "is a quote left open?",
            None,
        )
    ]


def test_a_csv_row_with_too_many_values_has_its_code(tmp_path: Path) -> None:
    source = between(tmp_path, b"c2,a,0,extra\n", "events.csv")
    assert rejected(source) == [
        (
            3,
            "too-many-values",
            "has 4 values but the header names 3 columns",
            ["c2", "a", "0", "extra"],
        )
    ]


@pytest.mark.parametrize(
    ("header", "message", "code"),
    [
        (
            b"customer_\xe9id,type,timestamp\n",
            "its header (line 1) is not UTF-8 text (byte 0xe9 at column 10)",
            "bad-encoding",
        ),
        (
            b"\n" + b"x," * MIB + b"\n",
            "its header (line 2) is longer than 1,048,576 characters, the most a line may hold",
            "line-too-long",
        ),
        (
            b'"' + b"a" * 200_000 + b'"\n',
            "its header cannot be read: a value is longer than 131,072 characters, the most "
            "a CSV value may hold; is a quote left open?",
            "value-too-long",
        ),
    ],
)
def test_a_csv_header_that_cannot_be_read_makes_the_file_unreadable(
    tmp_path: Path, header: bytes, message: str, code: str
) -> None:
    path = tmp_path / "events.csv"
    path.write_bytes(header + b"c1,a,0\n")
    source = read(path)
    with pytest.raises(DataFileError, match=r".") as info:
        list(source)
    assert (str(info.value), info.value.code) == (f"cannot read '{path}': {message}", code)


# Parquet ----------------------------------------------------------------------------------


def test_a_parquet_time_python_cannot_hold_rejects_its_row_alone(tmp_path: Path) -> None:
    pa = pytest.importorskip("pyarrow")
    pq = pytest.importorskip("pyarrow.parquet")
    micros = 1767261600 * 1_000_000
    table = pa.table(
        {
            "customer_id": ["c1", "c2", "c3"],
            "type": ["a", "a", "a"],
            "timestamp": pa.array([micros, 10**18, micros], pa.timestamp("us", tz="UTC")),
        }
    )
    path = tmp_path / "events.parquet"
    pq.write_table(table, path)
    source = read(path)
    assert list(source) == [Event("c1", "a", AT), Event("c3", "a", AT)]
    assert rejected(source) == [
        (
            2,
            "time-out-of-range",
            f"the time in 'timestamp' {RANGE}",
            {"customer_id": "c2", "type": "a"},
        )
    ]


def test_a_parquet_time_outside_the_range_is_rejected_by_the_converter(tmp_path: Path) -> None:
    pa = pytest.importorskip("pyarrow")
    pq = pytest.importorskip("pyarrow.parquet")
    year_5138 = 100_000_000_000 * 1_000_000
    table = pa.table(
        {
            "customer_id": ["c2"],
            "type": ["a"],
            "timestamp": pa.array([year_5138], pa.timestamp("us", tz="UTC")),
        }
    )
    path = tmp_path / "events.parquet"
    pq.write_table(table, path)
    assert [(row, code, reason) for row, code, reason, _ in rejected(read(path))] == [
        (1, "time-out-of-range", f"the time '5138-11-16T09:46:40+00:00' in 'timestamp' {RANGE}")
    ]


def test_a_parquet_value_python_cannot_hold_names_its_column(tmp_path: Path) -> None:
    pa = pytest.importorskip("pyarrow")
    pq = pytest.importorskip("pyarrow.parquet")
    table = pa.table(
        {
            "customer_id": ["c1", "c2"],
            "type": ["a", "a"],
            "timestamp": ["2026-01-01T10:00:00Z"] * 2,
            "wait": pa.array([0, 2**62], pa.duration("s")),
        }
    )
    path = tmp_path / "events.parquet"
    pq.write_table(table, path)
    source = read(path)
    assert customers(source) == ["c1"]
    assert [(row, code, reason) for row, code, reason, _ in rejected(source)] == [
        (2, "bad-value", "the value in 'wait' is too large to read")
    ]


def test_a_damaged_parquet_row_group_stops_after_the_rows_before_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pa = pytest.importorskip("pyarrow")
    pq = pytest.importorskip("pyarrow.parquet")
    monkeypatch.setattr(_parquet, "BATCH_ROWS", 2)
    path = tmp_path / "events.parquet"
    table = pa.table(
        {
            "customer_id": ["c1", "c2", "c3", "c4"],
            "type": ["a"] * 4,
            "timestamp": ["2026-01-01T10:00:00Z"] * 4,
        }
    )
    pq.write_table(table, path, row_group_size=2)
    column = pq.ParquetFile(path).metadata.row_group(1).column(0)
    start = column.dictionary_page_offset or column.data_page_offset
    data = bytearray(path.read_bytes())
    data[start : start + 8] = bytes(byte ^ 0xFF for byte in data[start : start + 8])
    path.write_bytes(bytes(data))
    source = read(path)
    seen: list[str] = []
    with pytest.raises(DataFileError, match=r".") as info:
        seen.extend(event.customer for event in source)
    assert seen == ["c1", "c2"]
    assert (str(info.value), info.value.code) == (
        f"cannot read '{path}': it is damaged: the rows after row 2 cannot be read",
        "corrupt-file",
    )
    assert (source.report.read, source.report.accepted, source.report.rejected) == (2, 2, 0)


# Nothing escapes --------------------------------------------------------------------------


def test_a_python_record_nested_too_deep_to_print_is_rejected_in_words() -> None:
    deep: list[object] = []
    for _ in range(5000):
        deep = [deep]
    source = from_records([deep], fields=FIELDS, timezone=UTC)  # type: ignore[list-item]
    assert rejected(source) == [
        (
            1,
            "not-an-object",
            "not a record with named fields such as 'customer_id' (got a value too large to show)",
            deep,
        )
    ]


def test_a_customer_id_of_thousands_of_digits_is_rejected_in_words() -> None:
    record = {"customer_id": 10**5000, "type": "a", "timestamp": 0}
    source = from_records([record], fields=FIELDS, timezone=UTC)
    assert [(row, code, reason) for row, code, reason, _ in rejected(source)] == [
        (1, "bad-type", "'customer_id' is a whole number too long to be an id; write it as text")
    ]


def test_a_bad_type_of_thousands_of_digits_is_shown_in_words() -> None:
    record = {"customer_id": "c", "type": 10**5000, "timestamp": 0}
    source = from_records([record], fields=FIELDS, timezone=UTC)
    assert [reason for _, _, reason, _ in rejected(source)] == [
        "'type' must be an event type such as 'page.viewed' (got a value too large to show)"
    ]


JSON_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.sampled_from([1, -1]).map(lambda sign: sign * 10**5000)  # more digits than str()
    | st.floats()
    | st.text(max_size=10)
    | st.sampled_from(["2026-01-01T10:00:00Z", "0001-01-01T00:00:00+05:00", "1e30", ""]),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner),
    max_leaves=20,
)
RECORDS = st.fixed_dictionaries(
    {},
    optional={
        "customer_id": JSON_VALUES,
        "type": JSON_VALUES,
        "timestamp": JSON_VALUES,
        "event_id": JSON_VALUES,
        "channel": JSON_VALUES,
        "traits": JSON_VALUES,
        "other": JSON_VALUES,
    },
)


@settings(max_examples=60, deadline=None)
@given(records=st.lists(RECORDS | JSON_VALUES, max_size=5))
def test_any_records_become_events_or_rejections(records: list[object]) -> None:
    source = from_records(records, fields=FIELDS, timezone=UTC)  # type: ignore[arg-type]
    events = list(source)
    report = source.report
    assert (report.read, report.accepted) == (len(records), len(events))
    assert report.read == report.accepted + report.rejected


LINES = st.lists(
    st.binary(max_size=40)
    | st.sampled_from([GOOD, b"[" * 2000, b'{"a": 1e999999}', b'"\\udfff"', b"\xef\xbb\xbf{"])
    | st.text(max_size=30).map(str.encode),
    max_size=6,
)


@settings(
    max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(lines=LINES, name=st.sampled_from(["events.jsonl", "events.csv"]))
def test_any_bytes_are_read_as_events_and_rejections(
    tmp_path: Path, lines: list[bytes], name: str
) -> None:
    path = tmp_path / name
    path.write_bytes(b"\n".join(lines))
    source = read(path)
    refusal = None
    try:
        list(source)
    except DataFileError as error:  # a CSV header that cannot be read: the one refusal
        refusal = error.code
    assert refusal in {None, "bad-encoding", "line-too-long", "value-too-long", "not-csv"}
    report = source.report
    assert report.read == report.accepted + report.rejected


def test_a_parquet_row_whose_text_is_not_utf8_is_rejected_alone(tmp_path: Path) -> None:
    pa = pytest.importorskip("pyarrow")
    pq = pytest.importorskip("pyarrow.parquet")
    path = tmp_path / "events.parquet"
    table = pa.table(
        {
            "customer_id": ["c1"],
            "type": ["a"],
            "timestamp": ["2026-01-01T10:00:00Z"],
            "page": ["/caf\u00e9-page"],
        }
    )
    pq.write_table(table, path, compression="none", use_dictionary=False)
    data = bytearray(path.read_bytes())
    for at in [i for i in range(len(data)) if data[i : i + 2] == "\u00e9".encode()]:
        data[at] ^= 0x80  # 0xc3 -> 0x43 leaves 0xa9, a continuation byte without a start
    path.write_bytes(bytes(data))
    source = read(path)
    assert customers(source) == []
    assert [(row, code, reason) for row, code, reason, _ in rejected(source)] == [
        (1, "bad-encoding", "the text in 'page' is not UTF-8")
    ]

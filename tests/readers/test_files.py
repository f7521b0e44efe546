"""from_file: JSON Lines and CSV to the exact events, rows numbered as lines, formats."""

from __future__ import annotations

import os
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest

from customer_journey.errors import CustomerJourneyError, DataFileError, RecordError
from customer_journey.model import Event, EventFields
from customer_journey.readers import EventSource, Rejection, UnknownFormatError, from_file

UTC = timezone.utc
FIELDS = EventFields()
AT = datetime(2026, 1, 1, 10, tzinfo=UTC)
EXPECTED_TIME = (
    "not a date and time; write it like 2026-01-01T10:00:00Z, 2026-01-01 "
    "or epoch seconds such as 1767225600"
)


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8", newline="")
    return path


def read(path: Path, **options: Any) -> EventSource:
    options.setdefault("fields", FIELDS)
    options.setdefault("timezone", UTC)
    return from_file(path, **options)


def rejections(source: EventSource) -> list[tuple[int, str, object]]:
    return [(r.row, r.reason, r.record) for r in source.report.rejections]


JSONL = (
    '{"customer_id": "c1", "type": "page.viewed", "timestamp": "2026-01-01T10:00:00Z", '
    '"page": "/pricing", "traits": {"vip": true}, "channel": "web", "event_id": 1}\n'
    "\n"
    "   \n"
    '{"customer_id": "c1", "type": "cart.added", "timestamp": "oops"}\n'
    "{not json\n"
    "[1, 2]\n"
    '{"customer_id": 2, "type": "order.placed", "timestamp": 1767261600, "total": 42.5}\n'
    '{"type": "x", "timestamp": 0}'
)


def test_jsonl_lines_become_events_and_bad_lines_rejections(tmp_path: Path) -> None:
    source = read(write(tmp_path / "events.jsonl", JSONL))
    assert list(source) == [
        Event("c1", "page.viewed", AT, "1", "web", {"page": "/pricing"}, {"vip": True}),
        Event("2", "order.placed", AT, attributes={"total": 42.5}),
    ]
    assert rejections(source) == [
        (
            4,
            f"unreadable time 'oops' in 'timestamp': {EXPECTED_TIME}",
            {"customer_id": "c1", "type": "cart.added", "timestamp": "oops"},
        ),
        (
            5,
            "not valid JSON: expecting property name enclosed in double quotes at column 2",
            "{not json",
        ),
        (6, "not a record with named fields such as 'customer_id' (got [1, 2])", [1, 2]),
        (8, "missing 'customer_id'", {"type": "x", "timestamp": 0}),
    ]
    report = source.report
    assert (report.read, report.accepted, report.rejected) == (6, 2, 4)
    assert {r.source for r in report.rejections} == {str(tmp_path / "events.jsonl")}


def test_jsonl_with_windows_line_ends_and_a_byte_order_mark(tmp_path: Path) -> None:
    path = tmp_path / "events.ndjson"
    path.write_bytes(
        b'\xef\xbb\xbf{"customer_id": "c1", "type": "a", "timestamp": "2026-01-01T10:00:00Z"}\r\n'
        b"\r\n"
        b'{"customer_id": "c2", "type": "a", "timestamp": "2026-01-01T10:00:00Z"}\r\n'
    )
    source = read(path)
    assert [event.customer for event in source] == ["c1", "c2"]
    assert source.report.rejected == 0


def test_a_first_line_with_a_byte_order_mark_that_is_not_json_is_rejected(tmp_path: Path) -> None:
    path = tmp_path / "events.jsonl"
    path.write_bytes(b"\xef\xbb\xbf{oops\n")
    source = read(path)
    assert list(source) == []
    assert rejections(source) == [
        (
            1,
            "not valid JSON: expecting property name enclosed in double quotes at column 2",
            "{oops",
        )
    ]


def test_a_jsonl_line_that_is_not_utf8_is_rejected(tmp_path: Path) -> None:
    path = tmp_path / "events.jsonl"
    path.write_bytes(b'{"customer_id": "\xff"}\n')
    source = read(path)
    assert list(source) == []
    assert rejections(source) == [
        (1, "not valid JSON: the line is not UTF-8 text", '{"customer_id": "\ufffd"}')
    ]


def test_a_file_is_reread_on_every_pass_without_counting_again(tmp_path: Path) -> None:
    source = read(write(tmp_path / "events.jsonl", JSONL))
    assert source.reiterable
    first = list(source)
    assert list(source) == first
    assert (source.report.read, source.report.accepted, source.report.rejected) == (6, 2, 4)
    assert len(source.report.rejections) == 4


def test_strict_mode_stops_at_the_first_bad_line(tmp_path: Path) -> None:
    path = write(tmp_path / "events.jsonl", JSONL)
    source = read(path, strict=True)
    with pytest.raises(RecordError, match=r".") as info:
        list(source)
    assert str(info.value) == f"{path}:4: unreadable time 'oops' in 'timestamp': {EXPECTED_TIME}"


CSV = (
    "customer_id,type,timestamp,event_id,channel,total,code,flag,traits.vip,traits.tier\n"
    "c1,order.placed,2026-01-01T10:00:00Z,007,web,42.5,1e3,true,false,gold\n"
    "\n"
    "42,page.viewed,1767261600,,,-3,42.50,false,,\n"
    "c3,page.viewed,,,,,,,,\n"
    ",page.viewed,2026-01-01T10:00:00Z,,,,,,,\n"
    '"c4","note, with comma",2026-01-01 10:00:00,"multi\nline",,,nan,TRUE,,\n'
    "c5,x,2026-01-01T10:00:00Z,1,2,3,4,5,6,7,8\n"
    "c6,short,2026-01-01T10:00:00Z\n"
)


def test_csv_rows_become_events_with_numbers_bools_and_traits(tmp_path: Path) -> None:
    source = read(write(tmp_path / "events.csv", CSV))
    assert list(source) == [
        Event(
            "c1",
            "order.placed",
            AT,
            "007",
            "web",
            {"total": 42.5, "code": "1e3", "flag": True},
            {"vip": False, "tier": "gold"},
        ),
        Event("42", "page.viewed", AT, None, None, {"total": -3, "code": "42.50", "flag": False}),
        Event("c4", "note, with comma", AT, "multi\nline", None, {"code": "nan", "flag": "TRUE"}),
        Event("c6", "short", AT),
    ]
    assert rejections(source) == [
        (
            5,
            "missing 'timestamp'",
            {"customer_id": "c3", "type": "page.viewed"},
        ),
        (
            6,
            "missing 'customer_id'",
            {"type": "page.viewed", "timestamp": "2026-01-01T10:00:00Z"},
        ),
        (
            9,
            "has 11 values but the header names 10 columns",
            ["c5", "x", "2026-01-01T10:00:00Z", "1", "2", "3", "4", "5", "6", "7", "8"],
        ),
    ]
    report = source.report
    assert (report.read, report.accepted, report.rejected) == (7, 4, 3)


@pytest.mark.parametrize(
    ("cell", "value"),
    [
        ("42", 42),
        ("-42", -42),
        ("0", 0),
        ("42.5", 42.5),
        ("-0.25", -0.25),
        ("007", "007"),
        ("+5", "+5"),
        ("1e3", "1e3"),
        ("42.50", "42.50"),
        ("1_000", "1_000"),
        ("42 ", "42 "),
        ("-", "-"),
        ("-inf", "-inf"),
        ("inf", "inf"),
        ("nan", "nan"),
        ("true", True),
        ("false", False),
        ("True", "True"),
        ("12345678901234567890", 12345678901234567890),
        ("hello", "hello"),
        ("tree", "tree"),
        ("\u0661\u0662", "\u0661\u0662"),
        ("-\u0661\u0662", "-\u0661\u0662"),
        ("1\u00b2", "1\u00b2"),
        ("\u0661.\u0662", "\u0661.\u0662"),
        ("9" * 5000, "9" * 5000),
    ],
)
def test_csv_cells_become_numbers_only_when_the_text_round_trips(
    tmp_path: Path, cell: str, value: object
) -> None:
    path = write(
        tmp_path / "events.csv",
        f'customer_id,type,timestamp,value\nc,t,2026-01-01T10:00:00Z,"{cell}"\n',
    )
    (event,) = read(path)
    assert event.attributes == {"value": value}
    assert type(event.attributes["value"]) is type(value)


def test_csv_traits_columns_follow_the_traits_field(tmp_path: Path) -> None:
    path = write(
        tmp_path / "events.csv",
        "user,event,at,profile.plan,traits.vip\nu,signup,2026-01-01T10:00:00Z,pro,true\n",
    )
    fields = EventFields(customer="user", type="event", time="at", traits="profile")
    (event,) = read(path, fields=fields)
    assert event == Event(
        "u", "signup", AT, attributes={"traits.vip": True}, traits={"plan": "pro"}
    )


def test_a_csv_with_only_a_header_or_nothing_has_no_events(tmp_path: Path) -> None:
    header_only = read(write(tmp_path / "a.csv", "customer_id,type,timestamp\n"))
    empty = read(write(tmp_path / "b.csv", ""))
    assert list(header_only) == list(empty) == []
    assert header_only.report.read == empty.report.read == 0


def test_blank_lines_before_the_csv_header_are_skipped(tmp_path: Path) -> None:
    path = write(
        tmp_path / "e.csv", "\n\ncustomer_id,type,timestamp\nc1,a,2026-01-01T10:00:00Z\n,a,0\n"
    )
    source = read(path)
    assert list(source) == [Event("c1", "a", AT)]
    assert [(r.row, r.reason) for r in source.report.rejections] == [(5, "missing 'customer_id'")]


def test_a_csv_byte_order_mark_is_not_part_of_the_first_column(tmp_path: Path) -> None:
    path = tmp_path / "events.csv"
    path.write_bytes(b"\xef\xbb\xbfcustomer_id,type,timestamp\r\nc1,a,2026-01-01T10:00:00Z\r\n")
    assert list(read(path)) == [Event("c1", "a", AT)]


def test_csv_times_without_offset_are_read_in_the_timezone(tmp_path: Path) -> None:
    from customer_journey._timestamps import to_zone

    path = write(tmp_path / "e.csv", "customer_id,type,timestamp\nc,a,2026-01-01 11:00\n")
    (event,) = read(path, timezone=to_zone("Europe/Paris"))
    assert event.at == AT


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("e.jsonl", '{"customer_id": "c", "type": "a", "timestamp": 0}\n'),
        ("e.ndjson", '{"customer_id": "c", "type": "a", "timestamp": 0}\n'),
        ("e.json", '{"customer_id": "c", "type": "a", "timestamp": 0}\n'),
        ("E.JSONL", '{"customer_id": "c", "type": "a", "timestamp": 0}\n'),
        ("e.csv", "customer_id,type,timestamp\nc,a,0\n"),
    ],
)
def test_the_format_comes_from_the_suffix(tmp_path: Path, name: str, text: str) -> None:
    assert [event.customer for event in read(write(tmp_path / name, text))] == ["c"]


def test_the_format_can_be_given(tmp_path: Path) -> None:
    path = write(tmp_path / "events.txt", "customer_id,type,timestamp\nc,a,0\n")
    assert [event.customer for event in read(path, format="csv")] == ["c"]


def test_a_path_may_be_text(tmp_path: Path) -> None:
    path = write(tmp_path / "events.csv", "customer_id,type,timestamp\nc,a,0\n")
    source = from_file(os.fspath(path), fields=FIELDS, timezone=UTC)
    assert source.source == str(path)
    assert [event.customer for event in source] == ["c"]


def test_an_unknown_suffix_says_how_to_name_the_format(tmp_path: Path) -> None:
    path = write(tmp_path / "events.txt", "")
    with pytest.raises(UnknownFormatError, match=r".") as info:
        read(path)
    assert str(info.value) == (
        f"cannot tell the format of '{path}' from its name; name it .jsonl, .csv or .parquet, "
        "or give the format ('jsonl', 'csv', 'parquet')"
    )
    assert isinstance(info.value, CustomerJourneyError)
    assert isinstance(info.value, ValueError)


def test_an_unknown_format_lists_the_known_ones(tmp_path: Path) -> None:
    path = write(tmp_path / "events.csv", "")
    with pytest.raises(UnknownFormatError, match=r".") as info:
        read(path, format="xml")
    assert str(info.value) == "unknown events format 'xml'; use one of 'jsonl', 'csv', 'parquet'"


def test_a_missing_file_is_reported_when_the_source_is_made(tmp_path: Path) -> None:
    path = tmp_path / "nowhere.jsonl"
    with pytest.raises(DataFileError, match=r".") as info:
        read(path)
    assert str(info.value) == f"cannot read '{path}': no such file"
    assert (info.value.code, info.value.path, info.value.reason) == (
        "no-such-file",
        str(path),
        "no such file",
    )
    assert isinstance(info.value, OSError)


def test_a_file_rejection_is_a_rejection(tmp_path: Path) -> None:
    path = write(tmp_path / "events.jsonl", "{}\n")
    source = read(path)
    list(source)
    assert source.report.rejections == [
        Rejection(str(path), 1, "missing 'customer_id'", {}, code="missing-field")
    ]


def test_a_jsonl_line_with_text_after_its_object_is_rejected(tmp_path: Path) -> None:
    line = '{"customer_id": "c1", "type": "x", "timestamp": 0} trailing'
    source = read(write(tmp_path / "events.jsonl", line + "\n"))
    assert list(source) == []
    assert rejections(source) == [(1, "not valid JSON: extra data at column 52", line)]


def test_a_jsonl_line_with_a_raw_control_character_names_its_column_once(tmp_path: Path) -> None:
    line = '{"customer_id": "c\t1"}'
    source = read(write(tmp_path / "events.jsonl", line + "\n"))
    assert list(source) == []
    assert rejections(source) == [
        (1, "not valid JSON: invalid control character at column 19", line)
    ]


def test_a_jsonl_object_with_surrounding_white_space_is_read(tmp_path: Path) -> None:
    text = '  {"customer_id": "c1", "type": "x", "timestamp": 0}  \r\n'
    text += '{"customer_id": "c2", "type": "x", "timestamp": 0}\t \n'
    source = read(write(tmp_path / "events.jsonl", text))
    assert [event.customer for event in source] == ["c1", "c2"]
    assert rejections(source) == []

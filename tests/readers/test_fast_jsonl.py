"""JSON Lines read by orjson read exactly as Python's `json` reads them: the same values,
the same key order, and for what orjson refuses or would read differently, the same
records and reasons as before."""

from __future__ import annotations

import json
import math
from datetime import timezone
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from customer_journey.model import EventFields
from customer_journey.readers import EventSource, from_file

GOOD = '"customer_id": "c1", "type": "a", "timestamp": "2026-01-01T10:00:00Z"'


def read(path: Path) -> EventSource:
    return from_file(path, fields=EventFields(), timezone=timezone.utc)


def attributes_of(tmp_path: Path, extra: str) -> dict[str, Any]:
    """The attributes of the one event a line of `GOOD` fields plus `extra` holds."""
    path = tmp_path / "events.jsonl"
    path.write_text("{" + GOOD + ", " + extra + "}\n", encoding="utf-8")
    (event,) = read(path)
    return dict(event.attributes)


def test_an_integer_beyond_64_bits_is_read_exactly_not_as_a_float(tmp_path: Path) -> None:
    read_back = attributes_of(tmp_path, '"big": 123456789012345678901, "low": -9223372036854775809')
    assert read_back == {"big": 123456789012345678901, "low": -9223372036854775809}
    assert [type(value) for value in read_back.values()] == [int, int]


def test_an_id_of_nineteen_digits_in_text_is_read_as_text(tmp_path: Path) -> None:
    assert attributes_of(tmp_path, '"order": "1234567890123456789"') == {
        "order": "1234567890123456789"
    }


def test_nan_and_infinity_are_read_as_before(tmp_path: Path) -> None:
    read_back = attributes_of(tmp_path, '"score": NaN, "cap": Infinity, "floor": -Infinity')
    assert math.isnan(read_back["score"])
    assert (read_back["cap"], read_back["floor"]) == (math.inf, -math.inf)


def test_a_repeated_key_keeps_its_first_place_and_its_last_value(tmp_path: Path) -> None:
    read_back = attributes_of(tmp_path, '"plan": "basic", "seats": 2, "plan": "pro"')
    assert list(read_back.items()) == [("plan", "pro"), ("seats", 2)]


def test_a_record_65_deep_is_rejected_though_orjson_reads_1024(tmp_path: Path) -> None:
    path = tmp_path / "events.jsonl"
    deep = "{" + GOOD + ', "x": ' + '{"a": ' * 64 + "1" + "}" * 64 + "}"
    path.write_text(deep + "\n", encoding="utf-8")
    source = read(path)
    assert list(source) == []
    assert [(r.row, r.code, r.reason) for r in source.report.rejections] == [
        (1, "too-deep", "the record is nested more than 64 levels deep")
    ]


def test_a_byte_order_mark_after_the_first_line_is_not_json(tmp_path: Path) -> None:
    path = tmp_path / "events.jsonl"
    path.write_bytes(("{" + GOOD + "}\n").encode() * 2 + b"\xef\xbb\xbf{" + GOOD.encode() + b"}\n")
    source = read(path)
    assert len(list(source)) == 2
    assert [(r.row, r.code, r.reason) for r in source.report.rejections] == [
        (
            3,
            "not-json",
            "not valid JSON: unexpected UTF-8 BOM (decode using utf-8-sig) at column 1",
        )
    ]


RESERVED = {"customer_id", "type", "timestamp", "event_id", "channel", "traits"}


def _free(name: str) -> bool:
    """Whether an attribute name is not one of the event's own fields."""
    return name not in RESERVED


_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False)
    | st.text(st.characters(exclude_categories=["Cs"])),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=3), inner, max_size=3)
    ),
    max_leaves=8,
)


@settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(extras=st.dictionaries(st.text(min_size=1, max_size=4).filter(_free), _VALUES, max_size=4))
def test_any_json_record_reads_as_json_reads_it(tmp_path: Path, extras: dict[str, Any]) -> None:
    record = {"customer_id": "c1", "type": "a", "timestamp": "2026-01-01T10:00:00Z", **extras}
    line = json.dumps(record, ensure_ascii=False)
    path = tmp_path / "events.jsonl"
    path.write_text(line + "\n", encoding="utf-8")
    expected = {
        name: value
        for name, value in json.loads(line).items()
        if name not in RESERVED and value is not None
    }
    (event,) = read(path)
    assert json.dumps(dict(event.attributes)) == json.dumps(expected)

"""Parquet: typed columns to the exact events, row numbers, batches, and pyarrow missing."""

from __future__ import annotations

import sys
from datetime import datetime, timezone
from pathlib import Path

import pytest

from customer_journey._timestamps import to_zone
from customer_journey.errors import CustomerJourneyError
from customer_journey.model import Event, EventFields
from customer_journey.readers import MissingDependencyError, _parquet, from_file

UTC = timezone.utc
FIELDS = EventFields()
AT = datetime(2026, 1, 1, 10, tzinfo=UTC)
AT_MICROS = 1767261600 * 1_000_000


def write_table(path: Path, columns: dict[str, object]) -> Path:
    pa = pytest.importorskip("pyarrow")
    pq = pytest.importorskip("pyarrow.parquet")
    pq.write_table(pa.table(columns), path)
    return path


def test_parquet_rows_become_events(tmp_path: Path) -> None:
    pa = pytest.importorskip("pyarrow")
    path = write_table(
        tmp_path / "events.parquet",
        {
            "customer_id": ["c1", "c2", None, "c4"],
            "type": ["order.placed", "page.viewed", "x", "y"],
            "timestamp": pa.array(
                [AT_MICROS, AT_MICROS, AT_MICROS, None], pa.timestamp("us", tz="UTC")
            ),
            "event_id": pa.array([7, None, None, None], pa.int64()),
            "total": [42.5, None, None, None],
            "traits": [{"vip": True}, None, None, None],
        },
    )
    source = from_file(path, fields=FIELDS, timezone=UTC)
    assert list(source) == [
        Event("c1", "order.placed", AT, "7", None, {"total": 42.5}, {"vip": True}),
        Event("c2", "page.viewed", AT),
    ]
    assert [(r.row, r.reason) for r in source.report.rejections] == [
        (3, "missing 'customer_id'"),
        (4, "missing 'timestamp'"),
    ]
    assert source.report.rejections[0].record == {
        "customer_id": None,
        "type": "x",
        "timestamp": AT,
        "event_id": None,
        "total": None,
        "traits": None,
    }
    assert (source.report.read, source.report.accepted, source.report.rejected) == (4, 2, 2)


def test_parquet_times_without_timezone_are_read_in_the_timezone(tmp_path: Path) -> None:
    pa = pytest.importorskip("pyarrow")
    path = write_table(
        tmp_path / "events.pq",
        {
            "customer_id": ["c"],
            "type": ["t"],
            "timestamp": pa.array([AT_MICROS], pa.timestamp("us")),
        },
    )
    (event,) = from_file(path, fields=FIELDS, timezone=to_zone("Europe/Paris"))
    assert event.at == datetime(2026, 1, 1, 9, tzinfo=UTC)
    assert event.at.tzinfo is UTC


def test_parquet_nanoseconds_are_cut_to_microseconds(tmp_path: Path) -> None:
    pa = pytest.importorskip("pyarrow")
    path = write_table(
        tmp_path / "events.parquet",
        {
            "customer_id": ["c"],
            "type": ["t"],
            "timestamp": pa.array([AT_MICROS * 1000 + 1999], pa.timestamp("ns", tz="UTC")),
        },
    )
    (event,) = from_file(path, fields=FIELDS, timezone=UTC)
    assert event.at == datetime(2026, 1, 1, 10, 0, 0, 1, tzinfo=UTC)


def test_parquet_is_read_in_batches_with_continuous_row_numbers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(_parquet, "BATCH_ROWS", 2)
    path = write_table(
        tmp_path / "events.parquet",
        {
            "customer_id": ["a", "b", "c", None, "e"],
            "type": ["t"] * 5,
            "timestamp": ["2026-01-01T10:00:00Z"] * 5,
        },
    )
    source = from_file(path, fields=FIELDS, timezone=UTC)
    assert [event.customer for event in source] == ["a", "b", "c", "e"]
    assert [(r.row, r.reason) for r in source.report.rejections] == [(4, "missing 'customer_id'")]
    assert [event.customer for event in source] == ["a", "b", "c", "e"]
    assert source.report.read == 5


def test_without_pyarrow_parquet_says_what_to_install(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "events.parquet"
    path.write_bytes(b"")
    monkeypatch.setitem(sys.modules, "pyarrow", None)
    monkeypatch.setitem(sys.modules, "pyarrow.parquet", None)
    with pytest.raises(MissingDependencyError, match=r".") as info:
        from_file(path, fields=FIELDS, timezone=UTC)
    assert str(info.value) == (
        "reading Parquet needs pyarrow: pip install 'customer-journey[parquet]'"
    )
    assert isinstance(info.value, CustomerJourneyError)
    assert isinstance(info.value, ImportError)


def test_parquet_latest_is_the_largest_time_in_the_statistics_cut_to_microseconds(
    tmp_path: Path,
) -> None:
    pa = pytest.importorskip("pyarrow")
    pq = pytest.importorskip("pyarrow.parquet")
    nanos = [AT_MICROS * 1000 + 999, (AT_MICROS + 5) * 1000 + 999, AT_MICROS * 1000]
    table = pa.table({"timestamp": pa.array(nanos, pa.timestamp("ns", tz="UTC"))})
    pq.write_table(table, tmp_path / "e.parquet", row_group_size=1)
    latest = _parquet.parquet_latest(pq, str(tmp_path / "e.parquet"), "timestamp")
    assert latest == AT.replace(microsecond=5)


def test_parquet_latest_says_nothing_unless_the_statistics_are_exact_instants(
    tmp_path: Path,
) -> None:
    pa = pytest.importorskip("pyarrow")
    pq = pytest.importorskip("pyarrow.parquet")
    instants = pa.array([AT_MICROS], pa.timestamp("us", tz="UTC"))
    files = {
        "naive": pa.table({"timestamp": pa.array([AT_MICROS], pa.timestamp("us"))}),
        "text": pa.table({"timestamp": ["2026-01-01T10:00:00Z"]}),
        "other column": pa.table({"at": instants}),
    }
    for name, table in files.items():
        pq.write_table(table, tmp_path / f"{name}.parquet")
    pq.write_table(
        pa.table({"timestamp": instants}), tmp_path / "bare.parquet", write_statistics=False
    )
    for name in (*files, "bare"):
        assert _parquet.parquet_latest(pq, str(tmp_path / f"{name}.parquet"), "timestamp") is None


def test_a_parquet_file_tells_its_latest_time_from_its_statistics_to_the_replay(
    tmp_path: Path,
) -> None:
    pa = pytest.importorskip("pyarrow")
    times = pa.array([AT_MICROS, AT_MICROS + 7_000_000], pa.timestamp("us", tz="UTC"))
    columns = {"customer_id": ["c1", "c2"], "type": ["page.viewed"] * 2, "timestamp": times}
    path = write_table(tmp_path / "e.parquet", columns)
    source = from_file(path, fields=FIELDS, timezone=to_zone("UTC"))
    assert source.known_latest is not None
    assert source.known_latest() == datetime(2026, 1, 1, 10, 0, 7, tzinfo=UTC)
    jsonl = tmp_path / "e.jsonl"
    jsonl.write_text('{"customer_id": "c1", "type": "x", "timestamp": 0}\n', encoding="utf-8")
    assert from_file(jsonl, fields=FIELDS, timezone=UTC).known_latest is None

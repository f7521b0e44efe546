"""Timestamps: every accepted form to its exact UTC instant, and every refusal's reason."""

from __future__ import annotations

import sys
from datetime import date, datetime, timedelta, timezone, tzinfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from customer_journey import _timestamps
from customer_journey._timestamps import (
    EARLIEST,
    LATEST,
    TimeOutOfRangeError,
    format_timestamp,
    parse_timestamp,
    to_zone,
)

UTC = timezone.utc
PARIS = to_zone("Europe/Paris")
NEW_YORK = to_zone("America/New_York")
TOKYO = to_zone("Asia/Tokyo")
PLUS_5 = timezone(timedelta(hours=5))
EXPECTED = (
    "not a date and time; write it like 2026-01-01T10:00:00Z, 2026-01-01 "
    "or epoch seconds such as 1767225600"
)


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)  # type: ignore[misc]


def test_utc_name_is_the_builtin_utc() -> None:
    assert to_zone("UTC") is timezone.utc


def test_iana_name_is_a_zone_with_its_daylight_saving() -> None:
    zone = to_zone("Europe/Paris")
    assert datetime(2026, 1, 1, tzinfo=zone).utcoffset() == timedelta(hours=1)
    assert datetime(2026, 7, 1, tzinfo=zone).utcoffset() == timedelta(hours=2)


@pytest.mark.parametrize("name", ["Mars/Olympus_Mons", "", "../etc/passwd", "utc+1"])
def test_unknown_timezone_names_the_fix(name: str) -> None:
    with pytest.raises(ValueError, match=r"^unknown timezone") as info:
        to_zone(name)
    assert str(info.value) == (
        f"unknown timezone '{name}'; use an IANA name such as 'Europe/Paris' or 'UTC'"
    )


@pytest.mark.parametrize(
    ("value", "tz", "expected"),
    [
        ("2026-01-01T10:00:00Z", PARIS, utc(2026, 1, 1, 10)),
        ("2026-01-01T10:00:00+00:00", PARIS, utc(2026, 1, 1, 10)),
        ("2026-01-01T10:00:00.123456Z", UTC, utc(2026, 1, 1, 10, 0, 0, 123456)),
        ("2026-01-01T10:00:00.5Z", UTC, utc(2026, 1, 1, 10, 0, 0, 500000)),
        ("2026-01-01T10:00:00.1234567Z", UTC, utc(2026, 1, 1, 10, 0, 0, 123456)),
        ("2026-01-01T10:00:00,25Z", UTC, utc(2026, 1, 1, 10, 0, 0, 250000)),
        ("2026-01-01T10Z", UTC, utc(2026, 1, 1, 10)),
        ("2026-01-01t10:00:00z", UTC, utc(2026, 1, 1, 10)),
        ("2026-01-01T11:00:00+01:00", UTC, utc(2026, 1, 1, 10)),
        ("2026-01-01T11:00:00+0100", UTC, utc(2026, 1, 1, 10)),
        ("2026-01-01T11:00:00+01", UTC, utc(2026, 1, 1, 10)),
        ("2026-01-01T05:00:00-05:00", PARIS, utc(2026, 1, 1, 10)),
        ("2026-01-01T15:30:00+05:30", UTC, utc(2026, 1, 1, 10)),
        ("2026-01-01 10:00:00 +01:00", UTC, utc(2026, 1, 1, 9)),
        ("20260101T100000Z", UTC, utc(2026, 1, 1, 10)),
        ("20260101T110000+0100", UTC, utc(2026, 1, 1, 10)),
        ("  2026-01-01T10:00:00Z  ", UTC, utc(2026, 1, 1, 10)),
    ],
)
def test_iso_text_with_an_offset_is_that_instant(
    value: str, tz: tzinfo, expected: datetime
) -> None:
    parsed = parse_timestamp(value, tz)
    assert parsed == expected
    assert parsed.tzinfo is UTC


@pytest.mark.parametrize(
    ("value", "tz", "expected"),
    [
        ("2026-01-01T10:00:00", UTC, utc(2026, 1, 1, 10)),
        ("2026-01-01 10:00", UTC, utc(2026, 1, 1, 10)),
        ("2026-01-01T10:00:00.5", UTC, utc(2026, 1, 1, 10, 0, 0, 500000)),
        ("2026-01-01T10:00:00", PARIS, utc(2026, 1, 1, 9)),
        ("2026-07-01T10:00:00", PARIS, utc(2026, 7, 1, 8)),
        ("2026-07-01T10:00:00", NEW_YORK, utc(2026, 7, 1, 14)),
        ("2026-01-01", UTC, utc(2026, 1, 1)),
        ("2026-01-01", PARIS, utc(2025, 12, 31, 23)),
        ("2026-07-01", NEW_YORK, utc(2026, 7, 1, 4)),
        ("20260101T100000", PARIS, utc(2026, 1, 1, 9)),
    ],
)
def test_iso_text_without_an_offset_is_read_in_the_timezone(
    value: str, tz: tzinfo, expected: datetime
) -> None:
    parsed = parse_timestamp(value, tz)
    assert parsed == expected
    assert parsed.tzinfo is UTC


def test_a_date_with_an_offset_is_midnight_at_that_offset() -> None:
    # fromisoformat alone would read the `+` as the date-time separator: 05:00 local.
    assert parse_timestamp("2026-01-01+05:00", UTC) == utc(2025, 12, 31, 19)
    assert parse_timestamp("2026-01-01Z", PARIS) == utc(2026, 1, 1)


def test_a_wall_clock_time_seen_twice_at_the_autumn_change_is_the_first() -> None:
    # Paris, 25 October 2026: 03:00 summer time becomes 02:00 winter time.
    assert parse_timestamp("2026-10-25T02:30:00", PARIS) == utc(2026, 10, 25, 0, 30)
    assert parse_timestamp("2026-10-25T03:30:00", PARIS) == utc(2026, 10, 25, 2, 30)


def test_a_wall_clock_time_skipped_at_the_spring_change_uses_the_winter_offset() -> None:
    # Paris, 29 March 2026: 02:00 winter time becomes 03:00 summer time.
    assert parse_timestamp("2026-03-29T02:30:00", PARIS) == utc(2026, 3, 29, 1, 30)
    assert parse_timestamp("2026-03-29T03:30:00", PARIS) == utc(2026, 3, 29, 1, 30)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (1767225600, utc(2026, 1, 1)),
        (1767225600.25, utc(2026, 1, 1, 0, 0, 0, 250000)),
        (1767225600123, utc(2026, 1, 1, 0, 0, 0, 123000)),
        (1767225600123.5, utc(2026, 1, 1, 0, 0, 0, 123500)),
        (0, utc(1970, 1, 1)),
        (-86400, utc(1969, 12, 31)),
        (32_503_679_999, utc(2999, 12, 31, 23, 59, 59)),
        (100_000_000_001, utc(1973, 3, 3, 9, 46, 40, 1000)),
        (-100_000_000_001, utc(1966, 10, 31, 14, 13, 19, 999000)),
        ("1767225600", utc(2026, 1, 1)),
        ("1767225600.5", utc(2026, 1, 1, 0, 0, 0, 500000)),
        ("1767225600123", utc(2026, 1, 1, 0, 0, 0, 123000)),
        ("-86400", utc(1969, 12, 31)),
        ("20260101", utc(1970, 8, 23, 11, 48, 21)),
    ],
)
def test_epoch_numbers_are_seconds_up_to_1e11_and_milliseconds_above(
    value: object, expected: datetime
) -> None:
    parsed = parse_timestamp(value, PARIS)
    assert parsed == expected
    assert parsed.tzinfo is UTC


def test_the_milliseconds_threshold_is_1e11() -> None:
    assert _timestamps.MILLISECONDS_ABOVE == 1e11


@pytest.mark.parametrize(
    ("value", "tz", "expected"),
    [
        (datetime(2026, 1, 1, 10, tzinfo=UTC), PARIS, utc(2026, 1, 1, 10)),
        (datetime(2026, 1, 1, 11, tzinfo=PARIS), UTC, utc(2026, 1, 1, 10)),
        (datetime(2026, 1, 1, 10), UTC, utc(2026, 1, 1, 10)),
        (datetime(2026, 1, 1, 10), PARIS, utc(2026, 1, 1, 9)),
        (datetime(2026, 7, 1, 10), PARIS, utc(2026, 7, 1, 8)),
        (date(2026, 1, 1), UTC, utc(2026, 1, 1)),
        (date(2026, 7, 1), PARIS, utc(2026, 6, 30, 22)),
    ],
)
def test_datetime_and_date_objects_become_utc(
    value: object, tz: tzinfo, expected: datetime
) -> None:
    parsed = parse_timestamp(value, tz)
    assert parsed == expected
    assert parsed.tzinfo is UTC


def test_a_datetime_subclass_becomes_a_plain_datetime() -> None:
    class Stamp(datetime):
        pass

    parsed = parse_timestamp(Stamp(2026, 1, 1, 10, tzinfo=UTC), UTC)
    assert type(parsed) is datetime
    assert parsed == utc(2026, 1, 1, 10)


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("yesterday", EXPECTED),
        ("2026-13-01T10:00:00Z", "month must be in 1..12"),
        ("2026-02-30", "day is out of range for month"),
        ("2026-01-01T24:00:00Z", "hour must be in 0..23"),
        (
            "2026-01-01T10:00:00+25:00",
            "the UTC offset +25:00 is not a real offset; use one like +01:00",
        ),
        ("20260101T100000+2500", "the UTC offset +2500 is not a real offset; use one like +01:00"),
        ("1e9", EXPECTED),
        ("", "the time is empty; write it like 2026-01-01T10:00:00Z"),
        ("   ", "the time is empty; write it like 2026-01-01T10:00:00Z"),
        (True, EXPECTED),
        (False, EXPECTED),
        (None, EXPECTED),
        ([2026, 1, 1], EXPECTED),
        (float("nan"), EXPECTED),
        ("nan", EXPECTED),
    ],
)
def test_unreadable_times_say_why(value: object, reason: str) -> None:
    with pytest.raises(ValueError, match=r".") as info:
        parse_timestamp(value, UTC)
    assert str(info.value) == reason


@pytest.mark.skipif(sys.version_info >= (3, 11), reason="checks the Python 3.10 `Z` shim")
def test_python_3_10_reads_z_through_the_shim() -> None:
    assert _timestamps._fromisoformat("2026-01-01T10:00:00Z") == utc(2026, 1, 1, 10)


def test_the_z_shim_spells_z_as_plus_zero() -> None:
    assert _timestamps._fromisoformat_z("2026-01-01T10:00:00Z") == utc(2026, 1, 1, 10)
    assert _timestamps._fromisoformat_z("2026-01-01T10:00:00") == datetime(2026, 1, 1, 10)


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (utc(2026, 1, 1, 10), "2026-01-01T10:00:00Z"),
        (utc(2026, 1, 1, 10, 0, 0, 500000), "2026-01-01T10:00:00.500000Z"),
        (datetime(2026, 1, 1, 11, tzinfo=PARIS), "2026-01-01T10:00:00Z"),
        (datetime(2026, 7, 1, 12, tzinfo=timezone(timedelta(hours=2))), "2026-07-01T10:00:00Z"),
    ],
)
def test_format_timestamp_writes_utc_with_z(value: datetime, text: str) -> None:
    assert format_timestamp(value) == text


def test_format_timestamp_refuses_a_time_without_a_timezone() -> None:
    with pytest.raises(ValueError, match=r".") as info:
        format_timestamp(datetime(2026, 1, 1, 10))
    assert str(info.value) == (
        "the time 2026-01-01T10:00:00 has no timezone; give it one, e.g. tzinfo=timezone.utc"
    )


def test_format_then_parse_is_the_same_instant() -> None:
    instant = utc(2026, 3, 29, 1, 30, 0, 1)
    assert parse_timestamp(format_timestamp(instant), PARIS) == instant


# The supported range: 1900-01-01 up to, not including, 3000-01-01. ---------------------------

RANGE = "is outside the supported range 1900-01-01 to 2999-12-31"
CHECK_YEAR = "check the year"
CHECK_EPOCH = "epoch numbers count seconds since 1970-01-01, or milliseconds above 1e11"


def test_the_supported_range_is_the_years_1900_to_2999() -> None:
    assert (EARLIEST.isoformat(), LATEST.isoformat()) == (
        "1900-01-01T00:00:00+00:00",
        "3000-01-01T00:00:00+00:00",
    )
    assert EARLIEST.tzinfo is LATEST.tzinfo is UTC


@pytest.mark.parametrize(
    ("value", "tz", "expected"),
    [
        ("1900-01-01T00:00:00Z", PARIS, EARLIEST),
        ("2999-12-31T23:59:59.999999Z", UTC, LATEST - timedelta(microseconds=1)),
        ("1899-12-31T19:00:00-05:00", UTC, EARLIEST),
        ("1899-12-31T19:00:00", NEW_YORK, EARLIEST),
        ("3000-01-01T08:59:59", TOKYO, LATEST - timedelta(seconds=1)),
        ("19000101T000000Z", UTC, EARLIEST),
        ("1900-01-01", UTC, EARLIEST),
        (datetime(1900, 1, 1, tzinfo=UTC), PARIS, EARLIEST),
        (datetime(1899, 12, 31, 19), NEW_YORK, EARLIEST),
        (date(1900, 1, 1), UTC, EARLIEST),
        (-2_208_988_800, UTC, EARLIEST),
        (-2_208_988_800_000, UTC, EARLIEST),
        (32_503_679_999_999, UTC, LATEST - timedelta(milliseconds=1)),
        ("-2208988800", UTC, EARLIEST),
    ],
)
def test_times_at_the_edges_of_the_range_are_read(
    value: object, tz: tzinfo, expected: datetime
) -> None:
    parsed = parse_timestamp(value, tz)
    assert parsed == expected
    assert parsed.tzinfo is UTC


@pytest.mark.parametrize(
    ("value", "tz", "message"),
    [
        ("1899-12-31T23:59:59Z", UTC, f"the time 1899-12-31T23:59:59Z {RANGE}; {CHECK_YEAR}"),
        ("3000-01-01T00:00:00Z", UTC, f"the time 3000-01-01T00:00:00Z {RANGE}; {CHECK_YEAR}"),
        ("3000-01-01T00:00:00", UTC, f"the time 3000-01-01T00:00:00 {RANGE}; {CHECK_YEAR}"),
        ("3000-01-01T01:00:00", PARIS, f"the time 3000-01-01T01:00:00 {RANGE}; {CHECK_YEAR}"),
        (
            "1899-12-31T23:00:00-00:59",
            UTC,
            f"the time 1899-12-31T23:00:00-00:59 {RANGE}; {CHECK_YEAR}",
        ),
        # Year 1 and year 9999 with an offset: converting them to UTC leaves what a
        # datetime holds (an OverflowError inside); the message is the same.
        (
            "0001-01-01T00:00:00+05:00",
            UTC,
            f"the time 0001-01-01T00:00:00+05:00 {RANGE}; {CHECK_YEAR}",
        ),
        (
            "9999-12-31T23:59:59-05:00",
            UTC,
            f"the time 9999-12-31T23:59:59-05:00 {RANGE}; {CHECK_YEAR}",
        ),
        ("0001-01-01T00:00:00", TOKYO, f"the time 0001-01-01T00:00:00 {RANGE}; {CHECK_YEAR}"),
        ("9999-12-31T23:00:00Z", UTC, f"the time 9999-12-31T23:00:00Z {RANGE}; {CHECK_YEAR}"),
        ("0001-01-01", PARIS, f"the time 0001-01-01 {RANGE}; {CHECK_YEAR}"),
        ("00010101T000000+0500", UTC, f"the time 00010101T000000+0500 {RANGE}; {CHECK_YEAR}"),
        ("0000-01-01", UTC, f"the time 0000-01-01 {RANGE}; {CHECK_YEAR}"),
        ("  1066-10-14  ", UTC, f"the time 1066-10-14 {RANGE}; {CHECK_YEAR}"),
        (
            datetime(1, 1, 1, tzinfo=PLUS_5),
            UTC,
            f"the time 0001-01-01T00:00:00+05:00 {RANGE}; {CHECK_YEAR}",
        ),
        (
            datetime(9999, 12, 31, 23),
            NEW_YORK,
            f"the time 9999-12-31T23:00:00 {RANGE}; {CHECK_YEAR}",
        ),
        (
            datetime(1899, 12, 31, 23, 59),
            UTC,
            f"the time 1899-12-31T23:59:00 {RANGE}; {CHECK_YEAR}",
        ),
        (date(1, 1, 1), TOKYO, f"the time 0001-01-01 {RANGE}; {CHECK_YEAR}"),
        (date(3000, 1, 1), UTC, f"the time 3000-01-01 {RANGE}; {CHECK_YEAR}"),
        (100_000_000_000, UTC, f"the epoch number 100000000000 {RANGE}; {CHECK_EPOCH}"),
        (-2_208_988_801, UTC, f"the epoch number -2208988801 {RANGE}; {CHECK_EPOCH}"),
        (1e30, UTC, f"the epoch number 1e+30 {RANGE}; {CHECK_EPOCH}"),
        (float("inf"), UTC, f"the epoch number inf {RANGE}; {CHECK_EPOCH}"),
        (-1e308, UTC, f"the epoch number -1e+308 {RANGE}; {CHECK_EPOCH}"),
        (10**30, UTC, f"the epoch number 1000000000000000000000000000000 {RANGE}; {CHECK_EPOCH}"),
        pytest.param(
            10**5000,
            UTC,
            f"the epoch number with thousands of digits {RANGE}; {CHECK_EPOCH}",
            id="10**5000",
        ),
        pytest.param(
            "1" * 5000,
            UTC,
            f"the epoch number {'1' * 37}... {RANGE}; {CHECK_EPOCH}",
            id="5000-digit-text",
        ),
        ("-99999999999999.5", UTC, f"the epoch number -99999999999999.5 {RANGE}; {CHECK_EPOCH}"),
    ],
)
def test_times_outside_the_range_say_so(value: object, tz: tzinfo, message: str) -> None:
    with pytest.raises(TimeOutOfRangeError, match=r".") as info:
        parse_timestamp(value, tz)
    assert str(info.value) == message
    assert isinstance(info.value, ValueError)


def test_an_out_of_range_error_names_the_value_and_the_fix_apart() -> None:
    with pytest.raises(TimeOutOfRangeError, match=r".") as info:
        parse_timestamp("0001-01-01T00:00:00+05:00", UTC)
    assert (info.value.shown, info.value.fix) == ("0001-01-01T00:00:00+05:00", CHECK_YEAR)


ZONES = st.sampled_from([UTC, PARIS, NEW_YORK, TOKYO, PLUS_5, timezone(-timedelta(hours=23))])


def around(edges: list[int], low: int, high: int) -> st.SearchStrategy[int]:
    """Numbers between `low` and `high`, often one of the `edges`."""
    return st.sampled_from(edges) | st.integers(low, high)


# Dates and times near year 1, the range's edges and year 9999, with offsets that push them
# over: what made `astimezone` overflow.
ISO_TEXT = st.builds(
    "{:04d}-{:02d}-{:02d}{}{:02d}:{:02d}:{:02d}{}".format,
    around([1, 1899, 1900, 2999, 3000, 9999], 0, 9999),
    around([1, 12], 0, 13),
    around([1, 31], 0, 32),
    st.sampled_from(["T", " ", "t", "+", ""]),
    around([0, 23], 0, 24),
    around([0, 59], 0, 60),
    around([0, 59], 0, 60),
    st.sampled_from(["", "Z", "+05:00", "-05:00", "+23:59", "-23:59", "+2400", ".5Z", "+14"]),
)
EDGE_DATETIMES = st.datetimes(max_value=datetime(1, 1, 2)) | st.datetimes(
    min_value=datetime(9999, 12, 30)
)
ANY_VALUE = st.one_of(
    ISO_TEXT,
    st.text(max_size=40),
    st.from_regex(r"[+-]?[0-9]{1,400}(\.[0-9]{0,20})?", fullmatch=True),
    st.integers(),
    st.integers(min_value=-(10**5000), max_value=10**5000),
    st.floats(),
    st.datetimes(timezones=st.none() | ZONES | st.timezones()),
    EDGE_DATETIMES.flatmap(lambda moment: st.sampled_from([moment, moment.date()])),
    st.builds(datetime.replace, EDGE_DATETIMES, tzinfo=ZONES),
    st.dates(),
)


@settings(max_examples=300, deadline=None)
@given(value=ANY_VALUE, tz=ZONES)
def test_any_value_is_a_time_in_range_or_a_value_error(value: object, tz: tzinfo) -> None:
    try:
        parsed = parse_timestamp(value, tz)
    except ValueError:
        return  # a refusal in words is the one other outcome: never OverflowError
    assert parsed.tzinfo is UTC
    assert EARLIEST <= parsed < LATEST

"""Section 10, send windows: days, hours across midnight and DST, zones, `available_at`."""

from __future__ import annotations

from datetime import datetime, timezone
from zoneinfo import ZoneInfo

import pytest

import customer_journey
from customer_journey import Journey
from customer_journey.model import SendWindow

UTC = timezone.utc
BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")

WINDOWS = """\
journey: windows
timezone: Europe/Berlin
touchpoints:
  visit: { event: page.viewed, channel: web }
stages:
  visitor:
    entry: [visit]
    actions:
      - { id: night_push, channel: push, priority: 30 }
      - { id: text, channel: sms, priority: 20 }
      - { id: call, channel: phone, priority: 10 }
      - { id: mail, channel: email, priority: 5, max: 1 }
contact_policy:
  email: { max: 1, per: 7d }
send_windows:
  push: { days: [mon], hours: "21:00-07:00" }
  sms: { hours: "09:00-20:00", timezone: customer.tz }
  phone: { days: [mon, tue, wed, thu, fri], hours: "09:00-17:00", timezone: America/New_York }
  email: { hours: "22:00-24:00" }
"""


@pytest.fixture(scope="module")
def windows() -> Journey:
    return customer_journey.loads(WINDOWS, source="windows.yaml")


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def held(
    journey: Journey, as_of: str, *, traits: list[object] | None = None, actions: int = 0
) -> dict[str, str | None]:
    """Action -> when its window next opens (UTC text), for those held back by a window."""
    events = [{"customer_id": "c", "type": "page.viewed", "timestamp": "2026-01-01T00:00:00Z"}]
    for n, value in enumerate(traits or []):
        at = f"2026-01-0{n + 2}T00:00:00Z"
        events.append({"customer_id": "c", "type": "x", "timestamp": at, "traits": {"tz": value}})
    for n in range(actions):
        at = f"2026-01-01T00:0{n + 1}:00Z"
        events.append({"customer_id": "c", "type": "action.performed", "timestamp": at,
                       "action": "mail"})  # fmt: skip
    result = journey.replay(events, as_of=utc(as_of))
    return {
        s.action: s.to_dict()["available_at"]
        for s in result.suppressed
        if s.reason == "send_window"
    }


def window(hours: str, zone: ZoneInfo, days: tuple[int, ...] = tuple(range(7))) -> SendWindow:
    start, end = (int(a) * 60 + int(b) for a, b in (t.split(":") for t in hours.split("-")))
    return SendWindow("sms", frozenset(days), start, end)


def opens(hours: str, zone: ZoneInfo, at: str) -> datetime:
    return window(hours, zone).opens_at(utc(at), zone)


# DST: Europe/Berlin springs forward on 2026-03-29 (02:00 CET -> 03:00 CEST, 01:00 UTC)
# and falls back on 2026-10-25 (03:00 CEST -> 02:00 CET, 01:00 UTC).


def test_a_window_starting_in_the_spring_forward_gap_opens_when_the_clock_jumps() -> None:
    assert opens("02:00-04:00", BERLIN, "2026-03-29T00:30:00") == utc("2026-03-29T01:00:00")
    assert window("02:00-04:00", BERLIN).is_open(utc("2026-03-29T01:00:00"), BERLIN)


def test_a_window_wholly_in_the_spring_forward_gap_opens_the_next_day() -> None:
    # 02:15 CEST on 2026-03-30 is 00:15 UTC.
    assert opens("02:15-02:45", BERLIN, "2026-03-29T00:30:00") == utc("2026-03-30T00:15:00")


def test_a_window_in_the_repeated_hour_opens_at_its_second_occurrence_after_the_first() -> None:
    # 00:45 UTC is 02:45 CEST, after the window's first pass; 02:00 CET comes at 01:00 UTC.
    assert opens("02:00-02:30", BERLIN, "2026-10-25T00:45:00") == utc("2026-10-25T01:00:00")
    assert window("02:00-02:30", BERLIN).is_open(utc("2026-10-25T01:10:00"), BERLIN)
    assert window("02:00-02:30", BERLIN).is_open(utc("2026-10-25T00:10:00"), BERLIN)


def test_a_window_after_the_fall_back_opens_at_the_new_offset() -> None:
    # 09:00 CET on the day the clocks go back is 08:00 UTC (it was 07:00 UTC the day before).
    assert opens("09:00-17:00", BERLIN, "2026-10-25T05:00:00") == utc("2026-10-25T08:00:00")
    assert opens("09:00-17:00", BERLIN, "2026-10-24T05:00:00") == utc("2026-10-24T07:00:00")


def test_new_york_office_hours_open_monday_at_the_summer_offset(windows: Journey) -> None:
    # Saturday 2026-03-07 15:00 EST; DST starts Sunday; Monday 09:00 EDT is 13:00 UTC.
    assert held(windows, "2026-03-07T20:00:00")["call"] == "2026-03-09T13:00:00Z"
    # A week earlier, Monday 09:00 EST was 14:00 UTC.
    assert held(windows, "2026-02-28T20:00:00")["call"] == "2026-03-02T14:00:00Z"


def test_a_window_across_midnight_is_open_on_its_own_day_on_both_sides(windows: Journey) -> None:
    # Monday 2026-03-02: 23:30 and 06:59 Berlin time (CET, UTC+1) are open.
    assert "night_push" not in held(windows, "2026-03-02T22:30:00")
    assert "night_push" not in held(windows, "2026-03-02T05:59:00")
    assert held(windows, "2026-03-02T06:00:00")["night_push"] == "2026-03-02T20:00:00Z"


def test_the_weekday_checked_is_the_moment_s_own_local_weekday(windows: Journey) -> None:
    # Tuesday 02:00 Berlin: the Monday night window does not carry over into Tuesday, and
    # the next opening is the following Monday at midnight.
    assert held(windows, "2026-03-03T01:00:00")["night_push"] == "2026-03-08T23:00:00Z"


def test_a_window_ending_at_24_00_is_open_until_midnight(windows: Journey) -> None:
    assert "mail" not in held(windows, "2026-03-02T22:59:00")  # 23:59 in Berlin
    assert held(windows, "2026-03-02T23:00:00")["mail"] == "2026-03-03T21:00:00Z"


def test_the_hour_a_window_ends_is_excluded_and_the_hour_it_starts_included() -> None:
    sms = window("09:00-20:00", BERLIN)
    assert sms.is_open(utc("2026-03-02T08:00:00"), BERLIN)
    assert sms.is_open(utc("2026-03-02T18:59:59"), BERLIN)
    assert not sms.is_open(utc("2026-03-02T19:00:00"), BERLIN)


def test_a_customer_trait_names_the_zone(windows: Journey) -> None:
    # 10:00 UTC is 19:00 in Tokyo (open) but 11:00 in Berlin; 12:00 UTC is 21:00 in Tokyo.
    assert "text" not in held(windows, "2026-03-02T10:00:00", traits=["Asia/Tokyo"])
    late = held(windows, "2026-03-02T12:00:00", traits=["Asia/Tokyo"])
    assert late["text"] == "2026-03-03T00:00:00Z"


@pytest.mark.parametrize("value", ["Mars/Olympus", 9, ""])
def test_a_trait_that_is_no_zone_falls_back_to_the_journey_s(
    windows: Journey, value: object
) -> None:
    # 19:30 UTC is 20:30 in Berlin: closed; it opens at 09:00 Berlin, 08:00 UTC.
    assert held(windows, "2026-03-02T19:30:00", traits=[value])["text"] == "2026-03-03T08:00:00Z"


def test_an_earlier_valid_zone_is_not_used_once_the_trait_changes(windows: Journey) -> None:
    # In Tokyo 19:30 UTC would be 04:30 (closed too, opening at 00:00 UTC): Berlin is used.
    changed = held(windows, "2026-03-02T19:30:00", traits=["Asia/Tokyo", "Mars/Olympus"])
    assert changed["text"] == "2026-03-03T08:00:00Z"


def test_the_send_window_is_checked_after_the_contact_policy(windows: Journey) -> None:
    events = [
        {"customer_id": "c", "type": "page.viewed", "timestamp": "2026-03-01T00:00:00Z"},
        {"customer_id": "c", "type": "action.performed", "timestamp": "2026-03-01T00:01:00Z",
         "action": "other", "channel": "email"},
    ]  # fmt: skip
    result = windows.replay(events, as_of=utc("2026-03-02T12:00:00"))
    reasons = {s.action: (s.reason, s.available_at) for s in result.suppressed}
    assert reasons["mail"] == ("contact_policy", None)


def test_a_held_back_action_says_where_and_when_its_window_opens(windows: Journey) -> None:
    result = windows.replay(
        [{"customer_id": "c", "type": "page.viewed", "timestamp": "2026-03-02T12:00:00Z"}]
    )
    mail = next(s for s in result.suppressed if s.action == "mail")
    assert mail.to_dict() == {
        "action": "mail",
        "channel": "email",
        "reason": "send_window",
        "detail": "outside the 'email' send window (Europe/Berlin); it opens 2026-03-02T21:00:00Z",
        "available_at": "2026-03-02T21:00:00Z",
    }
    text = next(r for r in result.next_actions if r.action == "text")
    assert text.reasons[-1] == "within the 'sms' send window (Europe/Berlin)"

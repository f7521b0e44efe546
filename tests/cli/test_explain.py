"""`customer-journey explain`: one customer's replay, for a marketer, as text or JSON."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import Result

import customer_journey

Run = Callable[..., Result]

JOURNEY = """\
journey: advised
touchpoints:
  visit: { event: page.viewed, channel: web }
  price: { event: pricing.viewed, channel: web }
  cart: { event: cart.added, channel: web }
  order: { event: order.completed, channel: web }
stages:
  visitor:
    phase: awareness
    entry: [visit]
    transitions:
      - { to: shopper, when: cart }
      - { to: buyer, when: order }
  shopper:
    phase: consideration
    expected_duration: 1d
    transitions:
      - { to: buyer, when: order }
      - { to: visitor, after: 5d }
    friction:
      - { label: Price hesitation, when: price, times: 2, within: 1d }
    actions:
      - { id: call_back, channel: phone, priority: 80, if: { stalled: true } }
      - { id: cart_reminder, channel: email, priority: 70, max: 1 }
      - { id: coupon, channel: email, priority: 50, if: { stage_count.price: { gte: 3 } } }
  buyer:
    phase: conversion
    terminal: true
goals:
  purchase: { reach: buyer, within: 7d }
  browse: { reach: shopper }
"""

RECORDS = [
    {"customer_id": "c1", "type": "page.viewed", "timestamp": "2026-01-01T09:00:00Z"},
    {"customer_id": "c2", "type": "page.viewed", "timestamp": "2026-01-01T09:30:00Z"},
    {"customer_id": "c1", "type": "cart.added", "timestamp": "2026-01-01T10:00:00Z"},
    {"customer_id": "c1", "type": "pricing.viewed", "timestamp": "2026-01-01T11:00:00Z"},
    {"customer_id": "c1", "type": "pricing.viewed", "timestamp": "2026-01-01T12:00:00Z"},
    {"customer_id": "c2", "type": "order.completed", "timestamp": "2026-01-04T09:00:00Z"},
]

EXPLAINED = """\
customer c1, as of 2026-01-04T09:00:00Z

Timeline
  2026-01-01T09:00:00Z  page.viewed [visit]: entered the journey at 'visitor'
  2026-01-01T10:00:00Z  cart.added [cart]: moved visitor -> shopper
  2026-01-01T11:00:00Z  pricing.viewed [price]: stayed in 'shopper'
  2026-01-01T12:00:00Z  pricing.viewed [price]: stayed in 'shopper'

Position
  stage: shopper (consideration)
  entered at: 2026-01-01T10:00:00Z
  time in stage: 2d23h
  stalled: yes
  events: 4 (0 duplicates ignored)
  goals:
    purchase: pending (deadline 2026-01-08T09:00:00Z)
    browse: reached at 2026-01-01T10:00:00Z

Friction
  declared: Price hesitation
    in 'shopper', severity medium, 1 time, first 2026-01-01T12:00:00Z, last 2026-01-01T12:00:00Z
  stalled: stalled in 'shopper'
    in 'shopper', severity high, 1 time, first 2026-01-02T10:00:00Z, last 2026-01-04T09:00:00Z, overdue by 1d23h

Next actions
  1. call_back on phone (priority 80)
    - a candidate in 'shopper'
    - {stalled: true} holds
  2. cart_reminder on email (priority 70)
    - a candidate in 'shopper'
    - performed 0 of at most 1 times

Suppressed
  coupon on email: if: {stage_count.price: {gte: 3}} does not hold
"""  # noqa: E501 - a golden explanation is as wide as it is


def write_jsonl(path: Path, records: list[object]) -> str:
    lines = [r if isinstance(r, str) else json.dumps(r) for r in records]
    path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    return path.name


@pytest.fixture
def events(workdir: Path) -> str:
    (workdir / "advised.journey.yaml").write_text(JOURNEY, encoding="utf-8")
    return write_jsonl(workdir / "events.jsonl", list(RECORDS))


def test_text_explains_timeline_position_friction_and_actions_as_of_the_files_latest_event(
    run: Run, events: str
) -> None:
    result = run("explain", "advised.journey.yaml", events, "--customer", "c1")
    assert result.exit_code == 0, result.stderr
    assert result.stdout == EXPLAINED
    assert result.stderr == ""


def test_as_of_explains_the_customer_at_that_moment_with_timeouts_in_the_timeline(
    run: Run, events: str
) -> None:
    result = run(
        "explain", "advised.journey.yaml", events, "--customer", "c1", "--as-of", "2026-01-07"
    )
    assert result.exit_code == 0, result.stderr
    assert result.stdout == (
        "customer c1, as of 2026-01-07T00:00:00Z\n"
        "\n"
        "Timeline\n"
        "  2026-01-01T09:00:00Z  page.viewed [visit]: entered the journey at 'visitor'\n"
        "  2026-01-01T10:00:00Z  cart.added [cart]: moved visitor -> shopper\n"
        "  2026-01-01T11:00:00Z  pricing.viewed [price]: stayed in 'shopper'\n"
        "  2026-01-01T12:00:00Z  pricing.viewed [price]: stayed in 'shopper'\n"
        "  2026-01-06T10:00:00Z  timeout after 5d: shopper -> visitor\n"
        "\n"
        "Position\n"
        "  stage: visitor (awareness)\n"
        "  entered at: 2026-01-06T10:00:00Z\n"
        "  time in stage: 14h\n"
        "  stalled: no\n"
        "  events: 4 (0 duplicates ignored)\n"
        "  goals:\n"
        "    purchase: pending (deadline 2026-01-08T09:00:00Z)\n"
        "    browse: reached at 2026-01-01T10:00:00Z\n"
        "\n"
        "Friction\n"
        "  declared: Price hesitation\n"
        "    in 'shopper', severity medium, 1 time, first 2026-01-01T12:00:00Z, "
        "last 2026-01-01T12:00:00Z\n"
        "  timeout: timed out of 'shopper' into 'visitor'\n"
        "    in 'shopper', severity medium, 1 time, first 2026-01-06T10:00:00Z, "
        "last 2026-01-06T10:00:00Z\n"
        "  regression: back from 'shopper' to 'visitor'\n"
        "    in 'shopper', severity medium, 1 time, first 2026-01-06T10:00:00Z, "
        "last 2026-01-06T10:00:00Z\n"
        "\n"
        "Next actions\n"
        "  none\n"
        "\n"
        "Suppressed\n"
        "  none\n"
    )


def test_an_earlier_as_of_leaves_out_later_events(run: Run, events: str) -> None:
    result = run(
        "explain",
        "advised.journey.yaml",
        events,
        "--customer",
        "c1",
        "--as-of",
        "2026-01-01T10:30:00Z",
    )
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[:5] == [
        "customer c1, as of 2026-01-01T10:30:00Z",
        "",
        "Timeline",
        "  2026-01-01T09:00:00Z  page.viewed [visit]: entered the journey at 'visitor'",
        "  2026-01-01T10:00:00Z  cart.added [cart]: moved visitor -> shopper",
    ]
    assert "  time in stage: 30m" in lines


def test_json_is_the_replay_result_with_its_trace_indented(run: Run, events: str) -> None:
    result = run("explain", "advised.journey.yaml", events, "--customer", "c2", "--format", "json")
    assert result.exit_code == 0, result.stderr
    journey = customer_journey.load("advised.journey.yaml")
    mine = [record for record in RECORDS if record["customer_id"] == "c2"]
    expected = journey.replay(mine, "2026-01-04T09:00:00Z", trace=True).to_dict()
    assert json.loads(result.stdout) == expected
    assert result.stdout == json.dumps(expected, indent=2) + "\n"
    assert [step["description"] for step in expected["trace"]] == [
        "page.viewed [visit]: entered the journey at 'visitor'",
        "order.completed [order]: moved visitor -> buyer",
    ]


def test_a_customer_without_events_in_the_file_is_an_input_error(run: Run, events: str) -> None:
    result = run("explain", "advised.journey.yaml", events, "--customer", "c9")
    assert result.exit_code == 3
    assert result.stdout == ""
    assert result.stderr == "error: no events for customer 'c9' in events.jsonl\n"


def test_rejected_records_are_counted_on_one_line_and_not_shown(
    run: Run, workdir: Path, events: str
) -> None:
    write_jsonl(workdir / "events.jsonl", [*RECORDS, "not json", {"type": "cart.added"}])
    result = run("explain", "advised.journey.yaml", events, "--customer", "c1")
    assert result.exit_code == 0
    assert result.stdout == EXPLAINED
    assert result.stderr == (
        "2 records were rejected (not shown); "
        "list them with 'customer-journey replay --rejects FILE'\n"
    )


def test_the_input_format_can_be_named(run: Run, workdir: Path) -> None:
    (workdir / "events.txt").write_text(
        "customer_id,type,timestamp\nc1,page.viewed,2026-01-01T09:00:00Z\n", encoding="utf-8"
    )
    result = run(
        "explain", "shop.journey.yaml", "events.txt", "--customer", "c1", "--input-format", "csv"
    )
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines()[3] == (
        "  2026-01-01T09:00:00Z  page.viewed [visit]: entered the journey at 'visitor'"
    )


def test_a_missing_events_file_is_an_input_error(run: Run) -> None:
    result = run("explain", "shop.journey.yaml", "nowhere.jsonl", "--customer", "c1")
    assert result.exit_code == 3
    assert result.stderr == "error: cannot read 'nowhere.jsonl': no such file\n"


def test_the_customer_is_required(run: Run, events: str) -> None:
    result = run("explain", "advised.journey.yaml", events)
    assert result.exit_code == 2
    assert "Missing option '--customer'" in result.stderr


def test_a_bad_as_of_is_a_usage_error(run: Run, events: str) -> None:
    result = run("explain", "advised.journey.yaml", events, "--customer", "c1", "--as-of", "x")
    assert result.exit_code == 2
    assert "Invalid value for '--as-of': not a date and time" in result.stderr


GYM = """\
journey: gym
timezone: Europe/Paris
touchpoints:
  join: { event: member.joined, channel: web }
stages:
  active:
    entry: [join]
    transitions:
      - { to: lapsed, idle: 2d }
  lapsed:
    actions:
      - { id: winback, channel: sms }
experiments:
  offer: { arms: { early: 1, late: 1 } }
send_windows:
  sms: { hours: "09:00-20:00" }
"""


def test_text_shows_idle_timeouts_arms_and_when_a_send_window_opens_in_the_journeys_zone(
    run: Run, workdir: Path
) -> None:
    (workdir / "gym.journey.yaml").write_text(GYM, encoding="utf-8")
    joined = {"customer_id": "c2", "type": "member.joined", "timestamp": "2026-03-02T09:00:00Z"}
    events = write_jsonl(workdir / "gym.jsonl", [joined])
    result = run(
        "explain", "gym.journey.yaml", events, "--customer", "c2", "--as-of", "2026-03-04T21:00Z"
    )
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[3:5] == [
        "  2026-03-02T10:00:00+01:00  member.joined [join]: entered the journey at 'active'",
        "  2026-03-04T10:00:00+01:00  inactive for 2d: active -> lapsed",
    ]
    assert lines[lines.index("  arms:") + 1] == "    offer: late"
    assert lines[-1] == (
        "  winback on sms: send_window: outside the 'sms' send window (Europe/Paris); "
        "it opens 2026-03-05T09:00:00+01:00"
    )

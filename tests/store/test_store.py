"""The live store's behaviour, on SQLite and on PostgreSQL (`store_url`)."""

from __future__ import annotations

import re
import sqlite3
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

import customer_journey
from customer_journey import (
    ArgumentError,
    Event,
    Journey,
    ReplayResult,
    StoreJourneyError,
    StoreSchemaError,
    open_store,
)
from customer_journey.store import Store

JOURNEY = """\
journey: shop
touchpoints:
  visit: { event: page.viewed, channel: web }
  cart:  { event: cart.added, channel: web }
  order: { event: order.completed, channel: web }
stages:
  browsing:
    phase: awareness
    entry: [visit]
    expected_duration: 5d
    transitions:
      - { to: basket, when: cart }
  basket:
    phase: consideration
    transitions:
      - { to: buyer, when: order }
      - { to: browsing, after: 2d }
  buyer:
    phase: conversion
goals:
  bought: { reach: buyer, within: 7d }
actions:
  - { id: nudge, channel: email, stages: [basket] }
  - { id: welcome, channel: email, stages: [browsing] }
"""

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)


def at(hours: float) -> datetime:
    return T0 + timedelta(hours=hours)


def record(customer: str, kind: str, hours: float, event_id: str | None = None) -> dict[str, Any]:
    item: dict[str, Any] = {"customer_id": customer, "type": kind, "timestamp": at(hours)}
    if event_id is not None:
        item["event_id"] = event_id
    return item


@pytest.fixture(scope="module")
def journey() -> Journey:
    return customer_journey.loads(JOURNEY, source="shop.yaml")


@pytest.fixture
def store(store_url: str, journey: Journey) -> Store:
    with open_store(store_url, journey) as opened:
        yield opened


def same(result: ReplayResult, journey: Journey, events: list[Event], as_of: datetime) -> None:
    assert result == journey.replay(events, as_of)


def test_a_new_store_needs_the_journey_it_runs(store_url: str) -> None:
    with pytest.raises(StoreJourneyError, match="is new: give the journey it runs"):
        open_store(store_url)


def test_a_store_reopens_with_its_own_journey(store_url: str, journey: Journey) -> None:
    with open_store(store_url, journey) as store:
        store.ingest([record("c1", "page.viewed", 0)])
    with open_store(store_url) as store:
        assert store.journey.name == "shop"
        assert store.status("c1").stage == "browsing"


def test_another_version_of_the_journey_is_refused(store_url: str, journey: Journey) -> None:
    open_store(store_url, journey).close()
    other = customer_journey.loads(JOURNEY.replace("5d", "6d"), source="shop-v2.yaml")
    with pytest.raises(StoreJourneyError) as caught:
        open_store(store_url, other)
    assert "runs another version of journey 'shop' (from shop.yaml); to switch to this" in (
        str(caught.value)
    )


def test_ingest_reports_every_record_and_is_idempotent(store: Store) -> None:
    records = [
        record("c1", "page.viewed", 0, "e1"),
        record("c1", "cart.added", 1, "e2"),
        {"customer_id": "c2", "type": "page.viewed"},
        record("c2", "page.viewed", 2),
    ]
    first = store.ingest(records)
    assert (first.read, first.accepted, first.rejected, first.duplicates, first.late) == (
        4,
        3,
        1,
        0,
        0,
    )
    assert first.rejections[0].reason == "missing 'timestamp'"
    again = store.ingest(records)
    assert (again.read, again.accepted, again.rejected, again.duplicates, again.customers) == (
        4,
        0,
        1,
        3,
        (),
    )
    assert store.customers() == 2
    assert [event.id for event in store.events("c1")] == ["e1", "e2"]


def test_an_event_without_an_id_is_known_by_its_content(store: Store) -> None:
    store.ingest([record("c1", "page.viewed", 0), record("c1", "page.viewed", 1)])
    report = store.ingest([record("c1", "page.viewed", 1), record("c1", "page.viewed", 2)])
    assert (report.accepted, report.duplicates) == (1, 1)
    assert len(store.events("c1")) == 3


def test_the_report_says_what_changed_for_each_customer(store: Store) -> None:
    report = store.ingest([record("c1", "page.viewed", 0), record("c1", "cart.added", 1)])
    (changed,) = report.customers
    assert [change.to_dict() for change in changed.changes] == [
        {
            "customer": "c1",
            "kind": "stage_entered",
            "at": "2026-03-02T09:00:00Z",
            "stage": "browsing",
            "phase": "awareness",
            "from": None,
            "trigger": "entry",
            "touchpoint": "visit",
        },
        {
            "customer": "c1",
            "kind": "stage_entered",
            "at": "2026-03-02T10:00:00Z",
            "stage": "basket",
            "phase": "consideration",
            "from": "browsing",
            "trigger": "touchpoint",
            "touchpoint": "cart",
        },
        {
            "customer": "c1",
            "kind": "next_action_changed",
            "at": "2026-03-02T10:00:00Z",
            "action": "nudge",
            "channel": "email",
            "previous": None,
        },
    ]


def test_a_late_event_rederives_the_customer(store: Store, journey: Journey) -> None:
    store.ingest([record("c1", "page.viewed", 0), record("c1", "order.completed", 30)])
    report = store.ingest([record("c1", "cart.added", 20)])
    assert report.late == 1
    assert store.status("c1").stage == "buyer"
    (changed,) = report.customers
    assert [(c.kind, c.details.get("stage")) for c in changed.changes] == [
        ("stage_entered", "basket"),
        ("stage_entered", "buyer"),
        ("next_action_changed", None),
        ("goal_reached", None),
    ]
    same(store.status("c1", at(40)), journey, store.events("c1"), at(40))


def test_of_two_events_with_one_id_the_earlier_is_kept(store: Store, journey: Journey) -> None:
    store.ingest([record("c1", "page.viewed", 0, "v"), record("c1", "cart.added", 5, "x")])
    report = store.ingest([record("c1", "order.completed", 1, "x")])
    assert (report.accepted, report.duplicates) == (0, 1)
    assert [event.type for event in store.events("c1")] == ["page.viewed", "order.completed"]
    assert store.status("c1", at(6)).stage == "browsing"  # an order from browsing goes nowhere


def test_status_before_the_latest_event_replays_the_stored_log(
    store: Store, journey: Journey
) -> None:
    store.ingest([record("c1", "page.viewed", 0), record("c1", "cart.added", 10)])
    assert store.status("c1", at(5)).stage == "browsing"
    same(store.status("c1", at(5)), journey, store.events("c1"), at(5))
    assert store.status("c1", at(-1)).stage is None


def test_a_customer_the_store_has_not_seen_is_not_in_the_journey(store: Store) -> None:
    store.ingest([record("c1", "page.viewed", 0)])
    result = store.status("nobody")
    assert (result.stage, result.events, result.as_of) == (None, 0, at(0))


def test_status_needs_a_moment_while_the_store_is_empty(store: Store) -> None:
    with pytest.raises(ArgumentError, match="'as_of' must be a time when the store has no events"):
        store.status("c1")


def test_statuses_lists_the_customers_with_events_by_then(store: Store) -> None:
    store.ingest([record("b", "page.viewed", 3), record("a", "page.viewed", 1)])
    assert [result.customer for result in store.statuses()] == ["a", "b"]
    assert [result.customer for result in store.statuses(at(2))] == ["a"]


def test_tick_fires_due_timeouts_and_judges_deadlines(store: Store, journey: Journey) -> None:
    store.ingest([record("c1", "page.viewed", 0), record("c1", "cart.added", 1)])
    assert store.tick(at(10)).customers == ()
    ticked = store.tick(at(24 * 8))
    assert ticked.judged == 1
    assert ticked.changes == {
        "stage_entered": 1,
        "next_action_changed": 1,
        "goal_missed": 1,
        "friction_raised": 3,
    }
    kinds = [(c.kind, c.at) for c in ticked.customers[0].changes]
    assert kinds == [
        ("stage_entered", at(49)),
        ("next_action_changed", at(24 * 8)),
        ("goal_missed", at(0) + timedelta(days=7)),
        ("friction_raised", at(49)),
        ("friction_raised", at(49)),
        ("friction_raised", at(24 * 8)),
    ]
    assert [c.details.get("friction") for c in ticked.customers[0].changes[3:]] == [
        "timeout",
        "regression",
        "stalled",
    ]
    assert store.clock == at(24 * 8)
    same(store.status("c1"), journey, store.events("c1"), at(24 * 8))
    assert store.tick(at(24 * 9)).judged == 0  # nothing more is due


def test_an_event_after_a_tick_applies_in_order(store: Store, journey: Journey) -> None:
    store.ingest([record("c1", "page.viewed", 0), record("c1", "cart.added", 1)])
    store.tick(at(60))
    report = store.ingest([record("c1", "cart.added", 70)])
    assert report.late == 0
    same(store.status("c1", at(80)), journey, store.events("c1"), at(80))
    late = store.ingest([record("c1", "order.completed", 40)])
    assert late.late == 1
    assert store.status("c1", at(80)).stage == "buyer"
    same(store.status("c1", at(80)), journey, store.events("c1"), at(80))


def test_claimed_messages_are_not_handed_out_again_until_acknowledged(
    store_url: str, store: Store
) -> None:
    store.ingest([record(f"c{n}", "page.viewed", n) for n in range(3)])
    with open_store(store_url) as other:
        first = store.claim(limit=4, lease=60)
        second = other.claim(limit=4, lease=60)
        assert [m.id for m in first] == [1, 2, 3, 4]
        assert [(m.customer, m.kind) for m in second] == [
            ("c2", "stage_entered"),
            ("c2", "next_action_changed"),
        ]
        assert other.claim() == []
        assert store.ack([m.id for m in first]) == 4
        assert store.ack([m.id for m in first]) == 0
        store.ingest([record("c3", "page.viewed", 9)])
        assert [(m.id, m.attempts) for m in other.claim(limit=1, lease=0)] == [(7, 1)]
        assert [(m.id, m.attempts) for m in other.claim(limit=1, lease=0)] == [(7, 2)]


def test_claim_and_ack_refuse_bad_arguments(store: Store) -> None:
    with pytest.raises(ArgumentError, match="'limit' must be"):
        store.claim(limit=0)
    with pytest.raises(ArgumentError, match="'lease' must be a number of seconds, 0 or more"):
        store.claim(lease=-1)
    with pytest.raises(ArgumentError, match="'ids' must be message ids"):
        store.ack("12")


def test_rejected_records_are_kept_with_their_reasons(store: Store) -> None:
    store.ingest([record("c1", "page.viewed", 0), {"customer_id": "c1", "type": "x"}])
    (kept,) = store.rejections()
    assert kept.to_dict() == {
        "source": "<records>",
        "row": 2,
        "code": "missing-field",
        "reason": "missing 'timestamp'",
        "record": {"customer_id": "c1", "type": "x"},
    }


def test_a_value_json_cannot_keep_is_rejected(store: Store) -> None:
    odd = Event("c1", "page.viewed", at(0), attributes={"seen": at(0)})
    report = store.ingest([record("c1", "page.viewed", 1), odd])
    assert (report.accepted, report.rejected) == (1, 1)
    assert report.rejections[0].code == "unstorable-value"
    assert report.rejections[0].row == 2
    assert "a datetime value; a store keeps text, numbers" in report.rejections[0].reason
    assert [r.code for r in store.rejections()] == ["unstorable-value"]


def test_upgrade_compares_then_switches(store_url: str, store: Store, journey: Journey) -> None:
    store.ingest([record("c1", "page.viewed", 0), record("c1", "cart.added", 1)])
    store.ingest([record("c2", "page.viewed", 5)])
    faster = customer_journey.loads(JOURNEY.replace("after: 2d", "after: 1h"), source="v2.yaml")
    dry = store.upgrade(faster)
    assert dry.changed == 1
    assert [(c.a_stage, c.b_stage) for c in dry.changes] == [("basket", "browsing")]
    assert store.journey is journey
    with open_store(store_url) as elsewhere:
        store.upgrade(faster, apply=True)
        assert store.journey is faster
        assert store.status("c1", at(3)).stage == "browsing"
        with pytest.raises(StoreJourneyError, match="was upgraded to another version"):
            elsewhere.ingest([record("c2", "page.viewed", 0)])
    with open_store(store_url) as reopened:
        assert reopened.journey.source == "v2.yaml"
    assert store.claim(limit=100)[-1].kind == "next_action_changed"  # no message for the move


def test_a_store_of_another_schema_is_refused(tmp_path: Path, journey: Journey) -> None:
    path = tmp_path / "old.db"
    open_store(path, journey).close()
    with sqlite3.connect(path) as connection:
        connection.execute("UPDATE cj_settings SET value = '0' WHERE name = 'schema'")
    with pytest.raises(StoreSchemaError, match="has schema version 0; this version"):
        open_store(path)


@pytest.mark.parametrize(
    ("url", "message"),
    [
        (
            "mysql://host/db",
            "'url' must start with 'sqlite://' or 'postgresql://' (got 'mysql://')",
        ),
        ("sqlite://", "'url' must name a file after 'sqlite:///'"),
        ("", "'url' must be a store's URL"),
    ],
)
def test_a_url_that_names_no_store_is_refused(url: str, message: str, journey: Journey) -> None:
    with pytest.raises(ArgumentError, match=re.escape(message)):
        open_store(url, journey)

"""The live store and section 10: idle timeouts on time, arms, send windows, caps across journeys.

An `idle` timeout's due time moves later with each activity, so the store rewrites its
due-time index on every write and `tick` fires the timeout at the last activity plus its
duration exactly. Arms are not stored (they follow from the customer id); states written
by the store's previous version read back and behave as a replay of the log.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest

import customer_journey
from customer_journey import Journey, ReplayResult, Suppression, open_store
from customer_journey.engine import CustomerState, build_plan, fold
from customer_journey.store import Store
from customer_journey.store._codec import decode_state, encode_state

JOURNEY = """\
journey: gym
timezone: Europe/Paris
touchpoints:
  join:    { event: member.joined, channel: web }
  checkin: { event: gym.checkin, channel: store }
stages:
  active:
    phase: retention
    entry: [join]
    transitions:
      - { to: lapsed, idle: 2d }
  lapsed:
    transitions:
      - { to: active, when: checkin }
  dormant:
    transitions:
      - { to: active, when: checkin }
anywhere:
  - { to: dormant, idle: 5d }
actions:
  - { id: tip, channel: email, stages: [active] }
  - { id: winback, channel: sms, stages: [lapsed] }
contact_policy:
  email: { max: 1, per: 7d }
experiments:
  control: { arms: { holdout: 1, treated: 1 }, holdout: holdout }
send_windows:
  sms: { hours: "09:00-20:00" }
"""

#: A Monday, 10:00 in Paris.
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)
#: By the rule of section 10, 'treated' (u = 0.862...) and 'holdout' (u = 0.205...).
TREATED, HELD_OUT = "c2", "c1"


def at(hours: float) -> datetime:
    return T0 + timedelta(hours=hours)


def record(customer: str, kind: str, hours: float, **fields: Any) -> dict[str, Any]:
    return {"customer_id": customer, "type": kind, "timestamp": at(hours), **fields}


@pytest.fixture(scope="module")
def journey() -> Journey:
    return customer_journey.loads(JOURNEY, source="gym.yaml")


@pytest.fixture
def store(store_url: str, journey: Journey) -> Iterator[Store]:
    with open_store(store_url, journey) as opened:
        yield opened


def replayed(store: Store, journey: Journey, customer: str, as_of: datetime) -> ReplayResult:
    """The store's status of `customer`, checked against a replay of their stored events."""
    status = store.status(customer, as_of)
    assert status == journey.replay(store.events(customer), as_of)
    return status


def entered(store: Store, customer: str, as_of: datetime) -> list[tuple[str, datetime]]:
    return [(visit.stage, visit.entered_at) for visit in store.status(customer, as_of).path]


def test_tick_fires_an_idle_timeout_at_the_last_activity_plus_its_duration(
    store: Store, journey: Journey
) -> None:
    store.ingest([record(TREATED, "member.joined", 0)])
    store.ingest([record(TREATED, "gym.checkin", 24)])
    # The check-in rewrote the due time from 48h to 72h: nobody is due at 48h.
    assert store.tick(at(48)).judged == 0
    assert store.tick(at(72) - timedelta(microseconds=1)).judged == 0
    ticked = store.tick(at(72))
    assert ticked.judged == 1
    assert [(c.kind, c.at, c.details.get("stage")) for c in ticked.customers[0].changes] == [
        ("stage_entered", at(72), "lapsed"),
        ("next_action_changed", at(72), None),
        ("friction_raised", at(72), "active"),
    ]
    assert entered(store, TREATED, at(72)) == [("active", at(0)), ("lapsed", at(72))]
    replayed(store, journey, TREATED, at(72))


def test_an_action_performed_does_not_put_off_an_idle_timeout(
    store: Store, journey: Journey
) -> None:
    store.ingest([record(TREATED, "member.joined", 0)])
    store.ingest([record(TREATED, "action.performed", 24, action="tip", channel="email")])
    ticked = store.tick(at(48))
    assert ticked.customers[0].changes[0].kind == "stage_entered"
    assert entered(store, TREATED, at(48)) == [("active", at(0)), ("lapsed", at(48))]
    replayed(store, journey, TREATED, at(48))


def test_an_event_at_the_idle_due_time_comes_after_the_timeout(
    store: Store, journey: Journey
) -> None:
    store.ingest([record(TREATED, "member.joined", 0), record(TREATED, "gym.checkin", 48)])
    assert entered(store, TREATED, at(48)) == [
        ("active", at(0)),
        ("lapsed", at(48)),
        ("active", at(48)),
    ]
    replayed(store, journey, TREATED, at(100))


def test_activity_just_before_the_idle_due_time_puts_it_off(store: Store, journey: Journey) -> None:
    late = at(48) - timedelta(microseconds=1)
    store.ingest([record(TREATED, "member.joined", 0)])
    store.ingest([{**record(TREATED, "gym.checkin", 0), "timestamp": late}])
    assert store.tick(at(48)).judged == 0
    assert entered(store, TREATED, at(95)) == [("active", at(0))]
    assert entered(store, TREATED, late + timedelta(days=2)) == [
        ("active", at(0)),
        ("lapsed", late + timedelta(days=2)),
    ]
    replayed(store, journey, TREATED, at(96))


def test_an_anywhere_idle_timeout_does_not_enter_its_own_stage_again(
    store: Store, journey: Journey
) -> None:
    store.ingest([record(TREATED, "member.joined", 0)])
    ticked = store.tick(at(24 * 60))
    assert ticked.judged == 1
    assert entered(store, TREATED, at(24 * 60)) == [
        ("active", at(0)),
        ("lapsed", at(48)),
        ("dormant", at(48 + 24 * 5)),
    ]
    assert store.tick(at(24 * 365)).judged == 0  # nothing more is due in 'dormant'
    replayed(store, journey, TREATED, at(24 * 365))


def test_status_reports_each_customers_arms_and_holds_the_holdout_back(
    store: Store, journey: Journey
) -> None:
    store.ingest([record(TREATED, "member.joined", 0), record(HELD_OUT, "member.joined", 0)])
    store.ingest([record("c3", "gym.checkin", 0)])  # not in the journey
    treated = replayed(store, journey, TREATED, at(1))
    held = replayed(store, journey, HELD_OUT, at(1))
    assert treated.arms == {"control": "treated"}
    assert [action.action for action in treated.next_actions] == ["tip"]
    assert held.arms == {"control": "holdout"}
    assert held.next_actions == ()
    assert [(s.action, s.reason) for s in held.suppressed] == [("tip", "holdout")]
    outside = replayed(store, journey, "c3", at(1))
    assert (outside.stage, outside.arms) == (None, {"control": "treated"})  # u = 0.686...


def test_a_suppressed_action_says_when_its_send_window_opens(
    store: Store, journey: Journey
) -> None:
    store.ingest([record(TREATED, "member.joined", 0)])
    # Lapsed at 48h (Wednesday 10:00 in Paris); at 60h it is 22:00 there.
    night = replayed(store, journey, TREATED, at(60))
    opens = datetime(2026, 3, 5, 8, 0, tzinfo=timezone.utc)  # Thursday 09:00 in Paris
    assert night.suppressed == (
        Suppression("winback", "sms", "send_window", ("Europe/Paris", opens), opens),
    )
    assert night.to_dict()["suppressed"][0]["available_at"] == "2026-03-05T08:00:00Z"
    day = replayed(store, journey, TREATED, opens)
    assert [action.action for action in day.next_actions] == ["winback"]


def test_actions_of_other_journeys_count_toward_the_contact_policy(
    store: Store, journey: Journey
) -> None:
    store.ingest(
        [
            record(TREATED, "member.joined", 0),
            record(TREATED, "action.performed", 1, action="newsletter", channel="email"),
        ]
    )
    status = replayed(store, journey, TREATED, at(2))
    assert [(s.action, s.reason) for s in status.suppressed] == [("tip", "contact_policy")]


def _previous_version(text: str, *, foreign: dict[str, list[str]] | None = None) -> str:
    """A state as the store's previous version wrote it: no last activity, no actions of
    other journeys (that version kept them under `performed`, by action)."""
    data = json.loads(text)
    del data["active"], data["other"]
    data["performed"].update(foreign or {})
    return json.dumps(data)


def test_a_state_of_the_previous_version_reads_back_with_its_entry_as_last_activity(
    journey: Journey,
) -> None:
    events = list(journey.events_from([record(TREATED, "member.joined", 0)]))
    state = fold(build_plan(journey.model), CustomerState(TREATED), events)
    old = decode_state(TREATED, _previous_version(encode_state(state)))
    assert (old.active_at, old.other_actions) == (at(0), {})
    assert encode_state(old) == encode_state(state)


def test_a_state_of_the_previous_version_with_other_journeys_actions_is_rederived(
    store: Store, journey: Journey
) -> None:
    store.ingest(
        [
            record(TREATED, "member.joined", 0),
            record(TREATED, "action.performed", 1, action="newsletter", channel="email"),
        ]
    )

    def downgrade() -> None:
        ((text,),) = store._db.run("SELECT state FROM cj_customers WHERE customer = ?", (TREATED,))
        old = _previous_version(text, foreign={"newsletter": [at(1).isoformat()]})
        store._db.run("UPDATE cj_customers SET state = ? WHERE customer = ?", (old, TREATED))

    downgrade()
    assert replayed(store, journey, TREATED, at(2)).suppressed[0].reason == "contact_policy"
    store.ingest([record(TREATED, "gym.checkin", 3)])  # written on a re-derived state
    assert replayed(store, journey, TREATED, at(4)).suppressed[0].reason == "contact_policy"
    downgrade()
    store.tick(at(24 * 4))
    assert replayed(store, journey, TREATED, at(24 * 4)).stage == "lapsed"
    ((text,),) = store._db.run("SELECT state FROM cj_customers WHERE customer = ?", (TREATED,))
    assert json.loads(text)["other"] == {"email": [at(1).isoformat()]}


def test_tick_judges_a_customer_when_a_send_window_opens_for_them(store: Store) -> None:
    store.ingest([record(TREATED, "member.joined", 0)])
    store.tick(at(60))  # lapsed at 48h; at 60h (22:00 in Paris) 'winback' waits
    opens = datetime(2026, 3, 5, 8, 0, tzinfo=timezone.utc)
    assert store.tick(opens - timedelta(microseconds=1)).judged == 0
    ticked = store.tick(opens)
    assert ticked.judged == 1
    assert [(c.kind, c.at, dict(c.details)) for c in ticked.customers[0].changes] == [
        (
            "next_action_changed",
            opens,
            {"action": "winback", "channel": "sms", "previous": None},
        )
    ]

"""Section 10 under hypothesis: the engine against a tiny reference written here, and the
invariants of section 5 (order independence, as-of consistency, step equals batch) on a
journey with idle timers, `anywhere` timers, experiments and send windows."""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

import customer_journey
from customer_journey import Journey

from .conftest import T0
from .test_properties import tie_preserving_shuffle

JOURNEY = """\
journey: reference
timezone: Europe/Berlin
touchpoints:
  visit: { event: page.viewed, channel: web }
  buy:   { event: order.completed, channel: web }
  close: { event: account.closed, channel: web }
  sent:  { event: action.performed, channel: email }
stages:
  a:
    entry: [visit]
    transitions:
      - { to: b, when: buy }
      - { to: c, idle: 3d }
  b:
    transitions:
      - { to: c, after: 4d }
  c:
    transitions:
      - { to: a, when: visit }
    actions:
      - { id: mail, channel: email, priority: 2, if: { experiment.offer: mail } }
      - { id: text, channel: sms, priority: 1 }
  lapsed:
    transitions:
      - { to: a, when: visit }
  gone:
    terminal: true
anywhere:
  - { to: gone, when: close }
  - { to: lapsed, idle: 5d }
experiments:
  control:
    arms: { held: 1, treated: 4 }
    holdout: held
  offer:
    arms: { mail: 1, text: 1 }
send_windows:
  sms: { days: [mon, tue, wed, thu, fri], hours: "21:00-08:00" }
"""

KINDS = ["page.viewed", "order.completed", "account.closed", "action.performed", "noise"]
DAY = timedelta(days=1)
moments = st.integers(min_value=0, max_value=30 * 4).map(lambda q: T0 + q * timedelta(hours=6))
CUSTOMERS = ["c1", "c2", "c3", "c4", "c5"]


@pytest.fixture(scope="module")
def journey() -> Journey:
    return customer_journey.loads(JOURNEY, source="reference.yaml")


@st.composite
def histories(draw: st.DrawFn, customer: str = "c1") -> list[dict[str, Any]]:
    out = []
    for _ in range(draw(st.integers(min_value=0, max_value=10))):
        kind = draw(st.sampled_from(KINDS))
        item = {"customer_id": customer, "type": kind, "timestamp": draw(moments).isoformat()}
        if kind == "action.performed":
            item["action"] = "mail"
        if draw(st.booleans()):
            item["event_id"] = draw(st.sampled_from(["e1", "e2"]))
        out.append(item)
    return out


# The reference: the rules of sections 5 and 10 for this journey, written out plainly.

MATCH = {"page.viewed": "visit", "order.completed": "buy", "account.closed": "close"}
TIMERS = {  # stage -> [(kind, duration, target)] in the order tried: `anywhere` first
    "a": [("idle", 5 * DAY, "lapsed"), ("idle", 3 * DAY, "c")],
    "b": [("idle", 5 * DAY, "lapsed"), ("after", 4 * DAY, "c")],
    "c": [("idle", 5 * DAY, "lapsed")],
    "lapsed": [],
    "gone": [],
}
MOVES = {"a": {"buy": "b"}, "c": {"visit": "a"}, "lapsed": {"visit": "a"}}


def arm(salt: str, customer: str, arms: list[tuple[str, int]]) -> str:
    u = int.from_bytes(hashlib.sha256(f"{salt}:{customer}".encode()).digest()[:8], "big") / 2**64
    total, running = sum(w for _, w in arms), 0
    for name, weight in arms:
        running += weight
        if running / total > u:
            return name
    raise AssertionError


def reference(customer: str, records: list[dict[str, Any]], as_of: datetime) -> dict[str, Any]:
    """Stages entered, and the next action or the first suppression, by the rules alone."""
    events = sorted(
        (at, i, r)
        for i, r in enumerate(records)
        if (at := datetime.fromisoformat(r["timestamp"])) <= as_of
    )
    seen: set[str] = set()
    path: list[str] = []
    entered = active = T0
    for at, _, item in [*events, (as_of, -1, None)]:
        while path and TIMERS[path[-1]]:  # fire every timeout due by `at`
            dues = [
                ((active if kind == "idle" else entered) + wait, rank, target)
                for rank, (kind, wait, target) in enumerate(TIMERS[path[-1]])
                if not (rank == 0 and target == path[-1])
            ]
            due, _, target = min(dues)
            if due > at:
                break
            path.append(target)
            entered = active = due
        if item is None:
            break
        if item.get("event_id") in seen:
            continue
        seen.add(item.get("event_id") or f"#{len(seen)}-{at}")
        touchpoint = MATCH.get(item["type"])
        if touchpoint is None and item["type"] != "action.performed":
            continue
        if not path:
            if touchpoint == "visit":
                path.append("a")
                entered = active = at
            continue
        if path[-1] == "gone":
            continue
        if item["type"] != "action.performed":
            active = at
        target = "gone" if touchpoint == "close" else MOVES.get(path[-1], {}).get(touchpoint)
        if target is not None:
            path.append(target)
            entered = active = at
    arms = {
        "control": arm("control", customer, [("held", 1), ("treated", 4)]),
        "offer": arm("offer", customer, [("mail", 1), ("text", 1)]),
    }
    local = as_of.astimezone(ZoneInfo("Europe/Berlin"))
    minute = local.hour * 60 + local.minute
    sms_open = local.weekday() < 5 and (minute >= 21 * 60 or minute < 8 * 60)
    if path[-1:] != ["c"]:
        advice: tuple[str, str] | None = None
    elif arms["control"] == "held":
        advice = ("held", "holdout")
    elif arms["offer"] == "mail":
        advice = ("offer", "mail")
    else:
        advice = ("offer", "text") if sms_open else ("held", "send_window")
    return {"path": path, "arms": arms, "advice": advice}


def observed(result: Any) -> dict[str, Any]:
    if result.stage != "c":
        advice = None
    elif result.next_actions:
        advice = ("offer", result.next_action)
    else:
        advice = ("held", result.suppressed[-1].reason)
    return {"path": result.stages_entered, "arms": dict(result.arms), "advice": advice}


@given(st.sampled_from(CUSTOMERS), histories(), moments)
def test_the_engine_agrees_with_the_reference(
    journey: Journey, customer: str, records: list[dict[str, Any]], as_of: datetime
) -> None:
    for item in records:
        item["customer_id"] = customer
    result = journey.replay(records, as_of, customer=customer)
    assert observed(result) == reference(customer, records, as_of)


AS_OF = T0 + 35 * DAY


@given(histories(), st.lists(st.integers(), max_size=10))
def test_input_order_does_not_matter(
    journey: Journey, records: list[dict[str, Any]], keys: list[int]
) -> None:
    shuffled = tie_preserving_shuffle(records, keys)
    assert journey.replay(shuffled, AS_OF, customer="c1").to_dict() == (
        journey.replay(records, AS_OF, customer="c1").to_dict()
    )


@given(histories(), moments)
def test_replaying_up_to_t_equals_replaying_all_as_of_t(
    journey: Journey, records: list[dict[str, Any]], as_of: datetime
) -> None:
    earlier = [r for r in records if r["timestamp"] <= as_of.isoformat()]
    assert journey.replay(records, as_of, customer="c1").to_dict() == (
        journey.replay(earlier, as_of, customer="c1").to_dict()
    )


@given(histories(), st.lists(moments, max_size=3))
def test_step_by_step_equals_batch(
    journey: Journey, records: list[dict[str, Any]], pauses: list[datetime]
) -> None:
    pending = sorted(pauses)
    state = journey.start("c1")
    for item in sorted(records, key=lambda r: r["timestamp"]):
        while pending and pending[0].isoformat() <= item["timestamp"]:
            moment = pending.pop(0)
            if state.clock is None or moment >= state.clock:
                state = journey.advance(state, moment)
        state = journey.step(state, item)
    expected = journey.replay(records, AS_OF, customer="c1").to_dict()
    assert journey.position(state, AS_OF).to_dict() == expected

"""Next-best-action invariants on generated histories (section 8)."""

from __future__ import annotations

from datetime import timedelta
from itertools import pairwise
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

import customer_journey
from customer_journey import Journey

from .conftest import T0, record
from .test_advice import JOURNEY

ACTIONS = ["nudge", "call", "coupon", "banner", "double", "survey"]
KINDS = [
    ("page.viewed", {}),
    ("page.viewed", {"page": "/pricing"}),
    ("payment.failed", {}),
    ("noise.seen", {}),
]


@pytest.fixture(scope="module")
def journey() -> Journey:
    return customer_journey.loads(JOURNEY, source="advice-test.yaml")


hours = st.integers(min_value=0, max_value=20 * 24)


@st.composite
def histories(draw: st.DrawFn) -> list[dict[str, Any]]:
    out = [record("page.viewed", T0) | {"traits": {"sms_ok": draw(st.booleans())}}]
    for _ in range(draw(st.integers(min_value=0, max_value=12))):
        when = T0 + timedelta(hours=draw(hours))
        if draw(st.booleans()):
            out.append(record("action.performed", when, action=draw(st.sampled_from(ACTIONS))))
        else:
            kind, attributes = draw(st.sampled_from(KINDS))
            out.append(record(kind, when, **attributes))
    return out


@given(histories(), hours)
def test_every_candidate_is_offered_or_suppressed_never_both(
    journey: Journey, records: list[dict[str, Any]], hour: int
) -> None:
    result = journey.replay(records, T0 + timedelta(hours=hour + 1))
    offered = [r.action for r in result.next_actions]
    held = [s.action for s in result.suppressed]
    assert not set(offered) & set(held)
    assert len(offered) + len(held) == len(set(offered) | set(held))
    ranks = [(-r.priority) for r in result.next_actions]
    assert ranks == sorted(ranks)


@given(histories(), st.lists(st.integers(min_value=1, max_value=72), min_size=1, max_size=25))
def test_performing_each_top_action_never_exceeds_max_or_the_contact_policy(
    journey: Journey, records: list[dict[str, Any]], gaps: list[int]
) -> None:
    history = [r for r in records if r["type"] != "action.performed"]
    moment = max(T0 + timedelta(hours=1), *(_at(r) for r in history))
    done: list[tuple[str, Any]] = []
    for gap in gaps:
        result = journey.replay(history, moment)
        if result.next_action is not None:
            history.append(record("action.performed", moment, action=result.next_action))
            done.append((result.next_action, moment))
        moment += timedelta(hours=gap)
    actions = {a.id: a for a in journey.model.stages["browsing"].actions}
    actions |= {a.id: a for a in journey.model.actions}
    for action_id, action in actions.items():
        times = [when for done_id, when in done if done_id == action_id]
        if action.max is not None:
            assert len(times) <= action.max
        if action.cooldown is not None:
            assert all(b - a >= action.cooldown for a, b in pairwise(times))
    for channel, policy in journey.model.contact_policy.items():
        sent = [when for done_id, when in done if actions[done_id].channel == channel]
        for moment_sent in sent:
            window = [w for w in sent if moment_sent - policy.per < w <= moment_sent]
            assert len(window) <= policy.max


def _at(item: dict[str, Any]) -> Any:
    from datetime import datetime

    return datetime.fromisoformat(item["timestamp"])

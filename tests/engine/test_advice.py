"""Next-best-action and friction points (sections 7 and 8), one behaviour a test."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

import customer_journey
from customer_journey import Journey

from .conftest import at, record

JOURNEY = """\
journey: advice-test
touchpoints:
  visit: { event: page.viewed, channel: web }
  pricing: { event: page.viewed, channel: web, where: { page: /pricing } }
  fail: { event: payment.failed, channel: web }
  buy: { event: order.completed, channel: web }
  close: { event: account.closed, channel: web }
stages:
  browsing:
    phase: awareness
    entry: [visit]
    expected_duration: 2d
    transitions:
      - { to: comparing, when: pricing }
      - { to: idle, after: 10d }
    actions:
      - { id: nudge, channel: email, priority: 50, if: { count.visit: { gte: 2 } } }
      - { id: call, channel: phone, priority: 40, cooldown: 2d, max: 2 }
      - { id: coupon, channel: email, priority: 30, max: 1 }
      - { id: banner, channel: web, priority: 30 }
      - { id: double, channel: web, priority: 5, if: { stalled: true }, max: 1 }
  comparing:
    phase: consideration
    expected_duration: 1d
    transitions:
      - { to: bought, when: buy }
      - { to: browsing, after: 3d }
    friction:
      - { label: Payment trouble, when: fail, severity: high }
      - { label: Repeated failures, when: fail, times: 2, within: 1h }
  bought:
    phase: conversion
    terminal: true
  idle: {}
  closed:
    terminal: true
anywhere:
  - { to: closed, when: close }
goals:
  purchase: { reach: bought }
actions:
  - { id: survey, channel: sms, priority: 10, stages: [browsing, comparing] }
contact_policy:
  email: { max: 2, per: 7d }
consent:
  sms: { customer.sms_ok: { eq: true } }
"""


@pytest.fixture(scope="module")
def journey() -> Journey:
    return customer_journey.loads(JOURNEY, source="advice-test.yaml")


def performed(action: str, when: Any) -> dict[str, Any]:
    return record("action.performed", when, action=action)


def offered(journey: Journey, records: list[dict[str, Any]], as_of: Any) -> list[str]:
    return [r.action for r in journey.replay(records, as_of).next_actions]


def held(journey: Journey, records: list[dict[str, Any]], as_of: Any) -> dict[str, str]:
    return {s.action: s.reason for s in journey.replay(records, as_of).suppressed}


# Section 8: candidates, ranking and reasons.


def test_candidates_rank_by_priority_then_file_order(journey: Journey) -> None:
    visits = [record("page.viewed", at(0)), record("page.viewed", at(0, 1))]
    assert offered(journey, visits, at(0, 2)) == ["nudge", "call", "coupon", "banner"]


def test_journey_level_actions_apply_only_in_their_stages(journey: Journey) -> None:
    opted_in = record("page.viewed", at(0)) | {"traits": {"sms_ok": True}}
    assert "survey" in offered(journey, [opted_in], at(0, 1))
    idle = journey.replay([opted_in], at(11))
    assert idle.stage == "idle"
    assert idle.next_actions == ()
    assert idle.suppressed == ()


def test_no_actions_outside_the_journey_or_in_a_terminal_stage(journey: Journey) -> None:
    assert journey.replay([record("payment.failed", at(0))]).next_actions == ()
    closed = journey.replay([record("page.viewed", at(0)), record("account.closed", at(1))])
    assert (closed.next_actions, closed.suppressed) == ((), ())


def test_an_offered_action_says_why_it_is_eligible(journey: Journey) -> None:
    result = journey.replay(
        [record("page.viewed", at(0)), performed("call", at(0, 1))], as_of=at(3)
    )
    (call,) = [r for r in result.next_actions if r.action == "call"]
    assert call.reasons == (
        "a candidate in 'browsing'",
        "last performed 2d23h ago, cooldown 2d over",
        "performed 1 of at most 2 times",
    )
    (coupon,) = [r for r in result.next_actions if r.action == "coupon"]
    assert coupon.reasons == (
        "a candidate in 'browsing'",
        "performed 0 of at most 1 times",
        "0 of at most 2 'email' actions in the last 7d",
    )


# Section 8: each suppression reason, and their order.


def test_an_if_that_does_not_hold_suppresses(journey: Journey) -> None:
    result = journey.replay([record("page.viewed", at(0))], as_of=at(0, 1))
    (nudge,) = [s for s in result.suppressed if s.action == "nudge"]
    assert (nudge.reason, nudge.detail) == ("if", "{count.visit: {gte: 2}} does not hold")


def test_a_cooldown_suppresses_until_it_is_over_exactly(journey: Journey) -> None:
    history = [record("page.viewed", at(0)), performed("call", at(0, 1))]
    assert held(journey, history, at(2, 1) - timedelta(seconds=1))["call"] == "cooldown"
    assert "call" in offered(journey, history, at(2, 1))


def test_max_suppresses_once_performed_that_many_times(journey: Journey) -> None:
    history = [record("page.viewed", at(0)), performed("coupon", at(0, 1))]
    assert held(journey, history, at(1))["coupon"] == "max"


def test_the_contact_policy_counts_a_rolling_window(journey: Journey) -> None:
    emails = [performed("nudge", at(0, 1)), performed("coupon", at(1))]
    # Two visits make `nudge` a candidate; two emails in the last 7 days hold it back.
    history = [record("page.viewed", at(0)), *emails, record("page.viewed", at(2))]
    assert held(journey, history, at(2))["nudge"] == "contact_policy"
    # The window is (as_of - 7d, as_of]: an email exactly 7 days old no longer counts.
    assert held(journey, history, at(7, 1) - timedelta(seconds=1))["nudge"] == "contact_policy"
    assert "nudge" in offered(journey, history, at(7, 1))


def test_consent_suppresses_actions_on_its_channel(journey: Journey) -> None:
    history = [record("page.viewed", at(0))]
    assert held(journey, history, at(0, 1))["survey"] == "consent"
    opted_in = [record("page.viewed", at(0)) | {"traits": {"sms_ok": True}}]
    assert "survey" in offered(journey, opted_in, at(0, 1))


def test_the_first_reason_in_order_is_given(journey: Journey) -> None:
    # `call` is both on cooldown and at its max: cooldown comes first.
    twice = [record("page.viewed", at(0)), performed("call", at(0, 1)), performed("call", at(1))]
    assert held(journey, twice, at(1, 1))["call"] == "cooldown"
    assert held(journey, twice, at(4))["call"] == "max"
    # `double` is performed once (max) and its `if` fails: `if` comes first.
    once = [record("page.viewed", at(0)), performed("double", at(0, 1))]
    assert held(journey, once, at(1))["double"] == "if"
    assert held(journey, once, at(3))["double"] == "max"


def test_actions_performed_before_entry_still_count(journey: Journey) -> None:
    history = [performed("coupon", at(0)), record("page.viewed", at(1))]
    assert held(journey, history, at(1))["coupon"] == "max"


# Section 7: friction kinds.


def friction(journey: Journey, records: list[dict[str, Any]], as_of: Any) -> list[tuple[Any, ...]]:
    result = journey.replay(records, as_of)
    return [
        (p.kind, p.stage, p.label, p.touchpoint, p.first_at, p.last_at, p.count, p.severity)
        for p in result.friction
    ]


def test_stalled_is_judged_as_of_and_says_how_overdue(journey: Journey) -> None:
    result = journey.replay([record("page.viewed", at(0))], as_of=at(3))
    (point,) = result.friction
    assert (point.kind, point.stage, point.label) == (
        "stalled",
        "browsing",
        "stalled in 'browsing'",
    )
    assert (point.first_at, point.last_at, point.overdue) == (at(2), at(3), timedelta(days=1))
    assert point.severity == "medium"
    assert journey.replay([record("page.viewed", at(0))], as_of=at(4)).friction[0].severity == (
        "high"
    )
    assert journey.replay([record("page.viewed", at(0))], as_of=at(2)).friction == ()


def test_declared_friction_counts_each_matching_event(journey: Journey) -> None:
    history = [
        record("page.viewed", at(0)),
        record("page.viewed", at(0, 1), page="/pricing"),
        record("payment.failed", at(0, 2)),
        record("payment.failed", at(0, 5)),
    ]
    assert friction(journey, history, at(0, 6)) == [
        ("declared", "comparing", "Payment trouble", "fail", at(0, 2), at(0, 5), 2, "high")
    ]


def test_declared_friction_with_times_needs_them_within_the_window(journey: Journey) -> None:
    history = [
        record("page.viewed", at(0)),
        record("page.viewed", at(0, 1), page="/pricing"),
        record("payment.failed", at(0, 2)),
        record("payment.failed", at(0, 2.5)),
    ]
    kinds = {p.label: (p.count, p.severity) for p in journey.replay(history).friction}
    assert kinds == {"Payment trouble": (2, "high"), "Repeated failures": (1, "medium")}


def test_a_timeout_back_to_an_earlier_stage_is_a_timeout_and_a_regression(
    journey: Journey,
) -> None:
    history = [record("page.viewed", at(0)), record("page.viewed", at(0, 1), page="/pricing")]
    assert friction(journey, history, at(3, 1)) == [
        (
            "timeout",
            "comparing",
            "timed out of 'comparing' into 'browsing'",
            None,
            at(3, 1),
            at(3, 1),
            1,
            "medium",
        ),
        (
            "regression",
            "comparing",
            "back from 'comparing' to 'browsing'",
            None,
            at(3, 1),
            at(3, 1),
            1,
            "medium",
        ),
    ]


def test_a_timeout_to_a_stage_outside_the_lifecycle_is_no_regression(journey: Journey) -> None:
    # In `idle` (no expected duration) the customer is no longer stalled either.
    kinds = [p.kind for p in journey.replay([record("page.viewed", at(0))], at(10)).friction]
    assert kinds == ["timeout"]


def test_reaching_a_terminal_stage_no_goal_names_is_churn(journey: Journey) -> None:
    history = [record("page.viewed", at(0)), record("account.closed", at(1), event_id="x")]
    assert friction(journey, history, at(1)) == [
        ("churned", "closed", "churned at 'closed'", "close", at(1), at(1), 1, "high")
    ]


def test_reaching_a_terminal_goal_stage_is_no_friction(journey: Journey) -> None:
    history = [
        record("page.viewed", at(0)),
        record("page.viewed", at(0, 1), page="/pricing"),
        record("order.completed", at(0, 2)),
    ]
    assert journey.replay(history).friction == ()


def test_friction_and_actions_are_in_to_dict(journey: Journey) -> None:
    data = journey.replay([record("page.viewed", at(0))], at(3)).to_dict()
    assert data["friction"] == [
        {
            "kind": "stalled",
            "stage": "browsing",
            "label": "stalled in 'browsing'",
            "touchpoint": None,
            "first_at": "2026-01-03T09:00:00Z",
            "last_at": "2026-01-04T09:00:00Z",
            "count": 1,
            "severity": "medium",
            "overdue": "1d",
        }
    ]
    assert data["next_actions"][0] == {
        "action": "call",
        "channel": "phone",
        "priority": 40,
        "reasons": [
            "a candidate in 'browsing'",
            "never performed, cooldown 2d",
            "performed 0 of at most 2 times",
        ],
    }
    assert {
        "action": "survey",
        "channel": "sms",
        "reason": "consent",
        "detail": "consent for 'sms' does not hold: {customer.sms_ok: {eq: true}}",
        "available_at": None,
    } in (data["suppressed"])


def test_next_best_actions_is_the_ranked_list_cut_at_k(journey: Journey) -> None:
    visits = [record("page.viewed", at(0)), record("page.viewed", at(0, 1))]
    best = journey.next_best_actions(visits, at(0, 2), k=2)
    assert [r.action for r in best] == ["nudge", "call"]
    assert len(journey.next_best_actions(visits, at(0, 2))) == 4

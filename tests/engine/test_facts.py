"""The engine records facts (routes, friction keys, rules with figures); one module words them."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

import customer_journey
from customer_journey import Journey
from customer_journey._facts import describe_step, friction_label, rule_text
from customer_journey._timestamps import format_local, to_zone

from .conftest import at, record

JOURNEY = """\
journey: facts-test
touchpoints:
  visit: { event: page.viewed, channel: web }
  pricing: { event: page.viewed, channel: web, where: { page: /pricing } }
  home: { event: page.viewed, channel: web, where: { page: /home } }
  fail: { event: payment.failed, channel: web }
  buy: { event: order.completed, channel: web }
  close: { event: account.closed, channel: web }
stages:
  browsing:
    phase: awareness
    entry: [visit]
    transitions:
      - { to: comparing, when: pricing }
      - { to: idle, after: 10d }
    actions:
      - id: nudge
        channel: email
        priority: 50
        if: { count.visit: { gte: 2 } }
        cooldown: 2d
        max: 3
      - { id: text, channel: sms, priority: 10 }
  comparing:
    phase: consideration
    transitions:
      - { to: bought, when: buy }
      - { to: browsing, when: home }
      - { to: browsing, after: 3d }
    friction:
      - { label: Payment trouble, when: fail, severity: high }
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
contact_policy:
  email: { max: 2, per: 7d }
consent:
  sms: { customer.sms_ok: { eq: true } }
"""

IF_TEXT = "{count.visit: {gte: 2}}"
CONSENT_TEXT = "{customer.sms_ok: {eq: true}}"

#: browsing -> comparing -> browsing (back) -> comparing -> browsing (timeout) -> closed.
WANDERING = [
    record("page.viewed", at(0)),
    record("page.viewed", at(0, 1), page="/pricing"),
    record("payment.failed", at(0, 1.5)),
    record("page.viewed", at(0, 2), page="/home"),
    record("page.viewed", at(0, 3), page="/pricing"),
    record("account.closed", at(4)),
]


@pytest.fixture(scope="module")
def journey() -> Journey:
    return customer_journey.loads(JOURNEY, source="facts-test.yaml")


def performed(action: str, when: Any) -> dict[str, Any]:
    return record("action.performed", when, action=action)


def test_each_visit_records_how_it_ended(journey: Journey) -> None:
    result = journey.replay(WANDERING)
    assert [(visit.stage, visit.route) for visit in result.path] == [
        ("browsing", "onward"),
        ("comparing", "back"),
        ("browsing", "onward"),
        ("comparing", "timeout"),
        ("browsing", "terminal"),
        ("closed", None),
    ]


def test_friction_is_identified_by_kind_stage_target_and_rule(journey: Journey) -> None:
    result = journey.replay(WANDERING)
    assert [(point.key, point.touchpoint, point.count) for point in result.friction] == [
        (("declared", "comparing", None, "Payment trouble"), "fail", 1),
        (("regression", "comparing", "browsing", None), "home", 2),
        (("timeout", "comparing", "browsing", None), None, 1),
        (("churned", "closed", None, None), "close", 1),
    ]
    assert [point.label for point in result.friction] == [
        "Payment trouble",
        "back from 'comparing' to 'browsing'",
        "timed out of 'comparing' into 'browsing'",
        "churned at 'closed'",
    ]


def test_a_held_action_records_its_first_failing_rule_with_the_figures(journey: Journey) -> None:
    history = [
        record("page.viewed", at(0)),
        record("page.viewed", at(0, 1)),
        performed("nudge", at(0, 1)),
    ]
    held = {s.action: s for s in journey.replay(history, at(0, 2)).suppressed}
    assert (held["nudge"].reason, held["nudge"].figures) == (
        "cooldown",
        (at(0, 1), timedelta(days=2), at(0, 2)),
    )
    assert held["nudge"].detail == (
        "performed 2026-01-01T10:00:00Z; cooldown ends 2026-01-03T10:00:00Z"
    )
    assert (held["text"].reason, held["text"].figures) == ("consent", (CONSENT_TEXT,))
    assert held["text"].detail == f"consent for 'sms' does not hold: {CONSENT_TEXT}"


def test_an_offered_action_records_each_rule_it_passed(journey: Journey) -> None:
    history = [
        record("page.viewed", at(0)),
        record("page.viewed", at(0, 1)),
        performed("nudge", at(0, 1)),
    ]
    (nudge,) = journey.replay(history, at(3)).next_actions
    assert nudge.checks == (
        ("stage", ("browsing",)),
        ("if", (IF_TEXT,)),
        ("cooldown", (at(0, 1), timedelta(days=2), at(3))),
        ("max", (1, 3)),
        ("contact_policy", (1, 2, timedelta(days=7))),
    )
    assert nudge.reasons == (
        "a candidate in 'browsing'",
        f"{IF_TEXT} holds",
        "last performed 2d23h ago, cooldown 2d over",
        "performed 1 of at most 3 times",
        "1 of at most 2 'email' actions in the last 7d",
    )


def test_weighing_an_action_records_its_weight_among_the_rules(journey: Journey) -> None:
    history = [record("page.viewed", at(0)) | {"traits": {"sms_ok": True}}]
    (text,) = journey.next_best_actions(history, at(1), weights={"text": 1.5})
    assert text.checks == (("stage", ("browsing",)), ("consent", ()), ("weight", (1.5,)))
    assert text.reasons == (
        "a candidate in 'browsing'",
        "consent for 'sms' holds",
        "weighted by evidence: weight 1.50",
    )


def test_a_trace_keeps_the_traits_each_visit_ended_with(journey: Journey) -> None:
    history = [
        record("page.viewed", at(0)) | {"traits": {"segment": "new"}},
        record("page.viewed", at(0, 1), page="/pricing") | {"traits": {"segment": "warm"}},
        record("payment.failed", at(0, 2)) | {"traits": {"segment": "hot", "vip": True}},
    ]
    result = journey.replay(history, at(4), trace=True)
    assert result.trace is not None
    assert [(step.outcome, step.traits) for step in result.trace] == [
        ("entered", None),
        ("moved", {"segment": "warm"}),
        ("stayed", None),
        ("timeout", {"segment": "hot", "vip": True}),
    ]


@pytest.mark.parametrize(
    ("kind", "stage", "to", "rule", "words"),
    [
        ("declared", "comparing", None, "Payment trouble", "Payment trouble"),
        ("timeout", "a", "b", None, "timed out of 'a' into 'b'"),
        ("regression", "b", "a", None, "back from 'b' to 'a'"),
        ("churned", "gone", None, None, "churned at 'gone'"),
        ("stalled", "a", None, None, "stalled in 'a'"),
    ],
)
def test_each_kind_of_friction_has_its_words(
    kind: str, stage: str, to: str | None, rule: str | None, words: str
) -> None:
    assert friction_label(kind, stage, to, rule) == words


@pytest.mark.parametrize(
    ("check", "holds", "fails"),
    [
        (("stage", ("a",)), "a candidate in 'a'", "a candidate in 'a'"),
        (("if", ("{x: 1}",)), "{x: 1} holds", "{x: 1} does not hold"),
        (
            ("cooldown", (at(0), timedelta(days=2), at(3))),
            "last performed 3d ago, cooldown 2d over",
            "performed 2026-01-01T09:00:00Z; cooldown ends 2026-01-03T09:00:00Z",
        ),
        (
            ("cooldown", (None, timedelta(hours=36), at(3))),
            "never performed, cooldown 36h",
            None,
        ),
        (("max", (2, 2)), "performed 2 of at most 2 times", "performed 2 of at most 2 times"),
        (
            ("contact_policy", (3, 3, timedelta(weeks=1))),
            "3 of at most 3 'sms' actions in the last 7d",
            "3 of at most 3 'sms' actions in the last 7d",
        ),
        (
            ("consent", ("{y: 2}",)),
            "consent for 'sms' holds",
            "consent for 'sms' does not hold: {y: 2}",
        ),
        (("weight", (1.257,)), "weighted by evidence: weight 1.26", None),
    ],
)
def test_each_rule_has_words_for_holding_and_for_failing(
    check: tuple[str, tuple[Any, ...]], holds: str, fails: str | None
) -> None:
    assert rule_text(check, "sms", holds=True) == holds
    if fails is not None:
        assert rule_text(check, "sms", holds=False) == fails


def test_a_holdout_and_a_closed_send_window_have_words_for_failing() -> None:
    assert rule_text(("holdout", ("control", "none")), "sms", holds=False) == (
        "held out: arm 'none' of experiment 'control'"
    )
    assert rule_text(("send_window", ("Europe/Paris",)), "sms", holds=True) == (
        "within the 'sms' send window (Europe/Paris)"
    )
    assert rule_text(("send_window", ("Europe/Paris", at(1))), "sms", holds=False) == (
        "outside the 'sms' send window (Europe/Paris); it opens 2026-01-02T09:00:00Z"
    )


def test_rule_words_spell_their_instants_as_asked() -> None:
    paris = to_zone("Europe/Paris")

    def spell(moment: Any) -> str:
        return format_local(moment, paris)

    window = ("send_window", ("Europe/Paris", at(1)))
    cooldown = ("cooldown", (at(0), timedelta(days=2), at(1)))
    assert rule_text(window, "sms", holds=False, spell=spell) == (
        "outside the 'sms' send window (Europe/Paris); it opens 2026-01-02T10:00:00+01:00"
    )
    assert rule_text(cooldown, "sms", holds=False, spell=spell) == (
        "performed 2026-01-01T10:00:00+01:00; cooldown ends 2026-01-03T10:00:00+01:00"
    )


@pytest.mark.parametrize(
    ("is_idle", "words"),
    [(False, "timeout after 5d: trial -> lapsed"), (True, "inactive for 5d: trial -> lapsed")],
)
def test_a_timeout_step_says_whether_it_waited_for_inactivity(is_idle: bool, words: str) -> None:
    step = describe_step(
        "timeout",
        None,
        touchpoints=(),
        from_stage="trial",
        to_stage="lapsed",
        waited=timedelta(days=5),
        is_idle=is_idle,
    )
    assert step == words


@pytest.mark.parametrize(
    ("touchpoints", "action", "words"),
    [
        ((), None, "action.performed [no touchpoint]: stayed in 'trial'"),
        ((), "nudge", "action.performed 'nudge': stayed in 'trial'"),
        (("sent",), "nudge", "action.performed 'nudge' [sent]: stayed in 'trial'"),
    ],
)
def test_an_action_record_step_names_its_action(
    touchpoints: tuple[str, ...], action: str | None, words: str
) -> None:
    step = describe_step(
        "stayed",
        "action.performed",
        touchpoints=touchpoints,
        from_stage="trial",
        to_stage="trial",
        waited=None,
        action=action,
    )
    assert step == words

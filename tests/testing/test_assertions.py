"""Journey assertions: each check passing, failing with its exact message, and name checks."""

from __future__ import annotations

import re
import textwrap
from typing import Any

import pytest

from customer_journey import CustomerJourneyError, loads
from customer_journey.testing._assertions import (
    JourneyAssertion,
    JourneyAssertionError,
    assert_journey,
)

JOURNEY = loads(
    textwrap.dedent(
        """\
        journey: shop
        touchpoints:
          visit: { event: page.viewed, channel: web }
          price: { event: page.viewed, channel: web, where: { page: /prices } }
          cart: { event: cart.added, channel: web }
          order: { event: order.completed, channel: web }
        stages:
          visitor:
            phase: awareness
            entry: visit
            transitions:
              - { to: shopper, when: cart }
            friction:
              - { label: Price hesitation, when: price, times: 2, within: 1d }
            actions:
              - { id: welcome_email, channel: email, priority: 10 }
              - { id: call_back, channel: phone, priority: 20, if: { stalled: true } }
          shopper:
            phase: consideration
            expected_duration: 1d
            transitions:
              - { to: buyer, when: order }
              - { to: lost, after: 2d }
          buyer:
            phase: conversion
          lost:
            terminal: true
        goals:
          purchase: { reach: buyer, within: 7d }
        """
    ),
    source="shop.journey.yaml",
)


def event(kind: str, at: str, **attributes: Any) -> dict[str, Any]:
    return {"type": kind, "timestamp": f"2026-03-0{at}Z", **attributes}


#: A visitor who puts something in the cart and then goes quiet until they are lost.
QUIET = [event("page.viewed", "1T10:00:00"), event("cart.added", "1T11:00:00")]
QUIET_TRACE = (
    "trace, as of 2026-03-10T00:00:00Z:\n"
    "  2026-03-01T10:00:00Z  page.viewed [visit]: entered the journey at 'visitor'\n"
    "  2026-03-01T11:00:00Z  cart.added [cart]: moved visitor -> shopper\n"
    "  2026-03-03T11:00:00Z  timeout after 2d: shopper -> lost"
)
#: A visitor who checks prices three times in an hour (the entry event counts for nothing else).
HESITANT = [
    event("page.viewed", "1T10:00:00", page="/prices"),
    event("page.viewed", "1T10:20:00", page="/prices"),
    event("page.viewed", "1T10:30:00", page="/prices"),
]
HESITANT_TRACE = (
    "trace, as of 2026-03-01T10:30:00Z:\n"
    "  2026-03-01T10:00:00Z  page.viewed [visit, price]: entered the journey at 'visitor'\n"
    "  2026-03-01T10:20:00Z  page.viewed [visit, price]: stayed in 'visitor'\n"
    "  2026-03-01T10:30:00Z  page.viewed [visit, price]: stayed in 'visitor'"
)


@pytest.fixture
def quiet() -> JourneyAssertion:
    return assert_journey(JOURNEY, QUIET, "2026-03-10T00:00:00Z")


@pytest.fixture
def hesitant() -> JourneyAssertion:
    return assert_journey(JOURNEY, HESITANT)


def failure(check: Any) -> str:
    """The message of the `JourneyAssertionError` that calling `check` raises."""
    with pytest.raises(JourneyAssertionError) as raised:
        check()
    return str(raised.value)


def test_checks_that_hold_return_the_same_object_so_they_chain(quiet: JourneyAssertion) -> None:
    chained = (
        quiet.at("lost")
        .in_phase(None)
        .passed_through("visitor", "lost")
        .missed("purchase")
        .does_not_offer("welcome_email")
        .has_friction("timeout")
        .has_friction("churned")
    )
    assert chained is quiet


def test_the_replay_is_traced_and_kept_for_checks_of_your_own(quiet: JourneyAssertion) -> None:
    assert quiet.journey is JOURNEY
    assert quiet.result.stages_entered == ["visitor", "shopper", "lost"]
    assert quiet.result.trace is not None
    assert repr(quiet) == "<JourneyAssertion 'customer' at 'lost'>"


def test_at_fails_with_the_stage_expected_and_the_stage_reached(quiet: JourneyAssertion) -> None:
    assert failure(lambda: quiet.at("buyer")) == (f"stage: expected buyer, got lost\n{QUIET_TRACE}")


def test_at_none_holds_for_a_customer_outside_the_journey() -> None:
    outside = assert_journey(JOURNEY, [event("cart.added", "1T10:00:00")])
    assert outside.at(None) is outside
    assert failure(lambda: outside.at("visitor")) == (
        "stage: expected visitor, got null\n"
        "trace, as of 2026-03-01T10:00:00Z:\n"
        "  2026-03-01T10:00:00Z  cart.added [cart]: counted; not in the journey yet"
    )


def test_a_replay_without_events_says_so_in_the_trace() -> None:
    nobody = assert_journey(JOURNEY, [], "2026-03-01T10:00:00Z")
    assert failure(lambda: nobody.in_phase("awareness")) == (
        "phase: expected awareness, got null\n"
        "trace, as of 2026-03-01T10:00:00Z:\n"
        "  no events at or before as_of"
    )


def test_in_phase_holds_for_the_current_stages_phase(hesitant: JourneyAssertion) -> None:
    assert hesitant.in_phase("awareness") is hesitant
    assert failure(lambda: hesitant.in_phase("consideration")) == (
        f"phase: expected consideration, got awareness\n{HESITANT_TRACE}"
    )


def test_passed_through_holds_for_stages_entered_in_that_order(quiet: JourneyAssertion) -> None:
    assert quiet.passed_through("shopper") is quiet
    assert quiet.passed_through("visitor", "shopper", "lost") is quiet
    assert failure(lambda: quiet.passed_through("shopper", "visitor")) == (
        "path: expected to pass through [shopper, visitor] in this order, "
        f"got [visitor, shopper, lost]\n{QUIET_TRACE}"
    )
    assert failure(lambda: quiet.passed_through("buyer")) == (
        f"path: expected to pass through [buyer], got [visitor, shopper, lost]\n{QUIET_TRACE}"
    )


def test_passed_through_needs_a_stage(quiet: JourneyAssertion) -> None:
    with pytest.raises(ValueError, match=r"^passed_through needs at least one stage$"):
        quiet.passed_through()


def test_reached_and_missed_compare_the_goals_status() -> None:
    bought = assert_journey(JOURNEY, [*QUIET, event("order.completed", "2T09:00:00")])
    assert bought.reached("purchase") is bought
    assert failure(lambda: bought.missed("purchase")) == (
        "goals: expected {purchase: missed}, got {purchase: reached}\n"
        "trace, as of 2026-03-02T09:00:00Z:\n"
        "  2026-03-01T10:00:00Z  page.viewed [visit]: entered the journey at 'visitor'\n"
        "  2026-03-01T11:00:00Z  cart.added [cart]: moved visitor -> shopper\n"
        "  2026-03-02T09:00:00Z  order.completed [order]: moved shopper -> buyer"
    )


def test_reached_fails_for_a_missed_goal(quiet: JourneyAssertion) -> None:
    assert failure(lambda: quiet.reached("purchase")) == (
        f"goals: expected {{purchase: reached}}, got {{purchase: missed}}\n{QUIET_TRACE}"
    )


def test_offers_holds_for_an_eligible_action_at_any_rank(hesitant: JourneyAssertion) -> None:
    assert hesitant.offers("welcome_email") is hesitant
    assert failure(lambda: hesitant.offers("call_back")) == (
        f"next_actions: expected to include call_back, got [welcome_email]\n{HESITANT_TRACE}"
    )


def test_does_not_offer_fails_for_an_eligible_action(hesitant: JourneyAssertion) -> None:
    assert hesitant.does_not_offer("call_back") is hesitant
    assert failure(lambda: hesitant.does_not_offer("welcome_email")) == (
        "next_actions: expected not to include welcome_email, got [welcome_email]\n"
        f"{HESITANT_TRACE}"
    )


def test_suppressed_holds_for_an_action_held_back_for_that_reason(
    hesitant: JourneyAssertion,
) -> None:
    assert hesitant.suppressed("call_back") is hesitant
    assert hesitant.suppressed("call_back", "if") is hesitant
    assert failure(lambda: hesitant.suppressed("call_back", "cooldown")) == (
        f"suppressed: expected call_back held back for cooldown, got [call_back: if]\n"
        f"{HESITANT_TRACE}"
    )
    assert failure(lambda: hesitant.suppressed("welcome_email")) == (
        f"suppressed: expected welcome_email held back, got [call_back: if]\n{HESITANT_TRACE}"
    )


def test_suppressed_rejects_a_reason_that_does_not_exist(hesitant: JourneyAssertion) -> None:
    message = (
        "unknown reason 'stalled'; use one of holdout, if, cooldown, max, contact_policy, "
        "consent, send_window"
    )
    with pytest.raises(ValueError, match=re.escape(message)) as raised:
        hesitant.suppressed("call_back", "stalled")
    assert str(raised.value) == message


def test_has_friction_holds_for_a_kind_or_a_rule_label(hesitant: JourneyAssertion) -> None:
    assert hesitant.has_friction("declared").has_friction("Price hesitation") is hesitant
    assert failure(lambda: hesitant.has_friction("stalled")) == (
        f"friction: expected to include stalled, got [declared: Price hesitation]\n{HESITANT_TRACE}"
    )


def test_has_no_friction_fails_listing_the_friction_present(
    hesitant: JourneyAssertion,
) -> None:
    calm = assert_journey(JOURNEY, [event("page.viewed", "1T10:00:00")])
    assert calm.has_no_friction() is calm
    assert failure(hesitant.has_no_friction) == (
        f"friction: expected none, got [declared: Price hesitation]\n{HESITANT_TRACE}"
    )


def test_the_error_is_an_assertion_error_carrying_the_values(quiet: JourneyAssertion) -> None:
    with pytest.raises(JourneyAssertionError) as raised:
        quiet.at("buyer")
    error = raised.value
    assert isinstance(error, AssertionError)
    assert isinstance(error, CustomerJourneyError)
    assert (error.what, error.expected, error.actual) == ("stage", "buyer", "lost")
    assert error.result is quiet.result


@pytest.mark.parametrize(
    ("check", "message"),
    [
        (
            lambda a: a.at("shoper"),
            "unknown stage 'shoper' in journey 'shop'; did you mean 'shopper'?",
        ),
        (
            lambda a: a.passed_through("visitor", "checkout"),
            "unknown stage 'checkout' in journey 'shop'",
        ),
        (lambda a: a.in_phase("onboarding"), "unknown phase 'onboarding' in journey 'shop'"),
        (
            lambda a: a.reached("purchas"),
            "unknown goal 'purchas' in journey 'shop'; did you mean 'purchase'?",
        ),
        (lambda a: a.missed("signup"), "unknown goal 'signup' in journey 'shop'"),
        (
            lambda a: a.does_not_offer("call_bak"),
            "unknown action 'call_bak' in journey 'shop'; did you mean 'call_back'?",
        ),
        (lambda a: a.offers("sms"), "unknown action 'sms' in journey 'shop'"),
        (lambda a: a.suppressed("sms", "if"), "unknown action 'sms' in journey 'shop'"),
        (
            lambda a: a.has_friction("stalling"),
            "unknown friction 'stalling' in journey 'shop'; did you mean 'stalled'?",
        ),
    ],
)
def test_a_name_the_journey_does_not_have_is_a_mistake_in_the_test(
    quiet: JourneyAssertion, check: Any, message: str
) -> None:
    with pytest.raises(ValueError, match=re.escape(message)) as raised:
        check(quiet)
    assert str(raised.value) == message
    assert not isinstance(raised.value, AssertionError)


SPLIT = """\
journey: split
touchpoints:
  visit: { event: page.viewed, channel: web }
stages:
  visitor: { entry: [visit] }
experiments:
  offer:
    arms: { discount: 1, content: 1 }
"""


def test_in_arm_checks_the_customer_s_arm_and_names_the_journey_s_arms() -> None:
    split = loads(SPLIT)
    check = assert_journey(
        split, [{"type": "page.viewed", "timestamp": "2026-01-01T00:00:00Z"}], customer="c-2"
    )
    assert check.in_arm("offer", "content") is check
    with pytest.raises(JourneyAssertionError) as failed:
        check.in_arm("offer", "discount")
    assert str(failed.value).splitlines()[0] == (
        "arms: expected {offer: discount}, got {offer: content}"
    )
    message = "unknown arm 'discont' of experiment 'offer' in journey 'split'; did you mean"
    with pytest.raises(ValueError, match=f"^{re.escape(message)} 'discount'\\?$"):
        check.in_arm("offer", "discont")

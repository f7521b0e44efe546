"""Root causes that are causes, friction figures that add up, and phases with stages only.

A small gym journey with no awareness stage, a cancel touchpoint from every stage
(`anywhere`) and a check-in `times`/`within` rule, with a hand-written population, as of
day 40:

- t00-t09 open the newsletter on day 1 while in 'trial'; t10-t19 do not.
- t00-t07, t10, t11 join on day 2 (the goal 'joined'); t08, t09, t13-t19 time out of
  'trial' into 'lapsed' on day 21.
- t00-t05 check in on days 5, 6 and 7: 3 times within 14 days, into 'regular'.
- t06 cancels on day 10, after joining; t12 cancels on day 3, in 'trial', before.
- t07, t10, t11 stay in 'member' (expected 30d) and are stalled there at day 40.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

import pytest

import customer_journey as cj
from customer_journey.analytics import FEWEST_EACH_SIDE, WIDEST_INTERVAL, OddsRatio
from customer_journey.analytics._build import triggers
from customer_journey.analytics._stats import is_conclusive, odds_ratio

GYM = """\
journey: gym
timezone: UTC
phases: [awareness, consideration, conversion, retention]
touchpoints:
  trial_signup: { event: trial.started, channel: web }
  checkin:      { event: gym.checkin, channel: store }
  join:         { event: membership.bought, channel: store }
  cancel:       { event: membership.cancelled, channel: store }
  newsletter:   { event: email.opened, channel: email }
  premium:      { event: plan.changed, channel: web, where: { plan.tier: gold } }
stages:
  trial:
    phase: consideration
    entry: [trial_signup]
    expected_duration: 14d
    transitions:
      - { to: member, when: join }
      - { to: lapsed, after: 21d }
  member:
    phase: conversion
    expected_duration: 30d
    transitions:
      - { to: regular, when: checkin, times: 3, within: 14d }
      - { to: regular, when: premium, if: { customer.vip: true, event.source: app } }
      - { to: lapsed, after: 60d }
  regular:
    phase: retention
    transitions:
      - { to: lapsed, after: 45d }
  lapsed:
    transitions:
      - { to: member, when: join }
  cancelled:
    terminal: true
anywhere:
  - { to: cancelled, when: cancel }
goals:
  joined: { reach: member }
"""

DAY_0 = datetime(2026, 1, 5, 9, tzinfo=timezone.utc)
AS_OF = DAY_0 + timedelta(days=40)


def event(customer: str, kind: str, day: int) -> dict[str, Any]:
    """One record on `day` days after DAY_0."""
    return {
        "customer_id": customer,
        "type": kind,
        "timestamp": (DAY_0 + timedelta(days=day)).isoformat(),
    }


def population() -> list[dict[str, Any]]:
    """The records described in the module docstring."""
    records = []
    for number in range(20):
        customer = f"t{number:02d}"
        records.append(event(customer, "trial.started", 0))
        if number < 10:
            records.append(event(customer, "email.opened", 1))
        if number < 8 or number in (10, 11):
            records.append(event(customer, "membership.bought", 2))
        if number < 6:
            records.extend(event(customer, "gym.checkin", day) for day in (5, 6, 7))
    records.append(event("t06", "membership.cancelled", 10))
    records.append(event("t12", "membership.cancelled", 3))
    return records


@pytest.fixture(scope="module")
def gym() -> cj.Journey:
    return cj.loads(GYM, source="gym.journey.yaml")


@pytest.fixture(scope="module")
def analysis(gym: cj.Journey) -> cj.Analysis:
    return cj.analyze(gym, population(), AS_OF, min_count=2)


# --- root causes ---------------------------------------------------------------------------


def test_the_triggers_of_a_stages_ways_out_are_its_touchpoints_channels_and_tested_values(
    gym: cj.Journey,
) -> None:
    # member: checkin (times/within), premium (where plan.tier, if customer.vip and
    # event.source), the timeout, and the anywhere cancel.
    assert triggers(gym.model, "member") == {
        ("touchpoint", "checkin"),
        ("touchpoint", "premium"),
        ("touchpoint", "cancel"),
        ("channel", "store"),
        ("channel", "web"),
        ("event", "gym.checkin"),
        ("event", "plan.changed"),
        ("event", "membership.cancelled"),
        ("event.plan", ""),
        ("event.source", ""),
        ("customer.vip", ""),
    }
    assert triggers(gym.model, "regular") == {
        ("touchpoint", "cancel"),
        ("channel", "store"),
        ("event", "membership.cancelled"),
    }


def test_a_trigger_of_the_stages_own_transition_is_no_root_cause(analysis: cj.Analysis) -> None:
    member = [cause for cause in analysis.root_causes if cause.stage == "member"]
    # Before: "raises channel 'store' ... touchpoint 'checkin'", true by construction.
    assert member == []


def test_a_factor_seen_by_enough_customers_on_both_sides_is_a_conclusive_root_cause(
    analysis: cj.Analysis,
) -> None:
    trial = [cause for cause in analysis.root_causes if cause.stage == "trial"]
    # newsletter openers: 8 of 10 joined; the others: 2 of 10. OR = (8*8)/(2*2) = 16.
    assert [
        (c.label, c.visits, c.moved_on, c.visits_without, c.moved_on_without) for c in trial
    ] == [
        ("channel 'email'", 10, 8, 10, 2),
        ("event 'email.opened'", 10, 8, 10, 2),
        ("touchpoint 'newsletter'", 10, 8, 10, 2),
    ]
    assert trial[0].odds_ratio.value == pytest.approx(16.0)
    assert trial[0].conclusive is True
    assert trial[0].to_dict()["conclusive"] is True


def test_how_customers_leave_a_stage_counts_exits_by_trigger(analysis: cj.Analysis) -> None:
    assert dict(analysis.stage("trial").leaving) == {"join": 10, "(timeout)": 9, "cancel": 1}
    assert list(analysis.stage("trial").leaving) == ["join", "(timeout)", "cancel"]
    assert dict(analysis.stage("member").leaving) == {"checkin": 6, "cancel": 1}
    assert analysis.to_dict()["stages"][1]["leaving"] == {"checkin": 6, "cancel": 1}


@pytest.mark.parametrize(
    ("cells", "conclusive"),
    [
        ((8, 2, 2, 8), True),  # 16 (2.0-129): 64 times wide, 10 on each side
        ((4, 1, 1, 4), False),  # 5 on each side, but 16 (0.8-327) is 409 times wide
        ((3, 1, 1, 3), False),  # 4 on each side: too few
        ((40, 0, 0, 40), False),  # corrected: 6561 (127-338_000)
        ((30, 20, 20, 30), True),
    ],
)
def test_an_odds_ratio_needs_enough_customers_and_a_narrow_interval(
    cells: tuple[int, int, int, int], *, conclusive: bool
) -> None:
    a, b, c, d = cells
    assert is_conclusive(odds_ratio(a, b, c, d), a + b, c + d) is conclusive


def test_the_reported_absurd_interval_is_too_wide_to_judge() -> None:
    ratio = OddsRatio(84501.0, 1665.0, 4288192.0, corrected=True)
    assert (FEWEST_EACH_SIDE, WIDEST_INTERVAL) == (5, 100.0)
    assert is_conclusive(ratio, 300, 300) is False
    assert is_conclusive(ratio._replace(low=2.0, high=199.0), 5, 5) is True
    assert is_conclusive(ratio._replace(low=2.0, high=201.0), 5, 5) is False
    assert is_conclusive(ratio._replace(low=2.0, high=199.0), 5, 4) is False
    assert is_conclusive(None, 5, 5) is False


# --- friction ------------------------------------------------------------------------------


def test_friction_after_the_goal_is_not_judged_against_it(analysis: cj.Analysis) -> None:
    churned = next(item for item in analysis.friction if item.kind == "churned")
    # t06 cancelled after joining (not judged), t12 before; 9 of the 18 others joined.
    assert (churned.customers, churned.judged, churned.reached_goal) == (2, 1, 0)
    assert (churned.goal_rate, churned.goal_rate_without) == (0.0, 0.5)
    assert churned.customers_lost == 0.5  # 1 judged x 50% - 0 reached (before: 2 x 50% - 1 = 0)
    assert churned.goes_with_higher_goal_rate is False


def test_friction_that_only_happened_after_the_goal_loses_nobody(analysis: cj.Analysis) -> None:
    stalled = next(item for item in analysis.friction if item.label == "stalled in 'member'")
    # t07 t10 t11 joined on day 2 and stalled in 'member' from day 32.
    assert (stalled.customers, stalled.judged, stalled.reached_goal) == (3, 0, 0)
    assert stalled.goal_rate is None
    assert stalled.customers_lost == 0.0  # before: 3 x 7/17 - 3 = -1.76
    assert stalled.examples == ("t07", "t10", "t11")


def test_customers_lost_is_never_negative(analysis: cj.Analysis) -> None:
    assert all(
        item.customers_lost is not None and item.customers_lost >= 0 for item in analysis.friction
    )


def test_a_friction_with_a_higher_goal_rate_says_so_and_loses_nothing() -> None:
    shop = cj.loads(
        """\
journey: shop
touchpoints:
  visit: { event: page.viewed, channel: web }
  help:  { event: chat.opened, channel: support }
  buy:   { event: order.completed, channel: web }
stages:
  browsing:
    entry: [visit]
    transitions: [{ to: bought, when: buy }]
    friction: [{ label: Needed help, when: help }]
  bought: { terminal: true }
goals:
  purchase: { reach: bought }
"""
    )
    records = []
    for number in range(10):
        customer = f"s{number}"
        records.append(event(customer, "page.viewed", 0))
        if number < 4:
            records.append(event(customer, "chat.opened", 1))
        if number < 3 or number == 9:
            records.append(event(customer, "order.completed", 2))
    friction = cj.analyze(shop, records, DAY_0 + timedelta(days=3)).friction[0]
    # 3 of the 4 who needed help bought, against 1 of the 6 others.
    assert (friction.label, friction.judged, friction.reached_goal) == ("Needed help", 4, 3)
    assert friction.goes_with_higher_goal_rate is True
    assert friction.customers_lost == 0.0
    assert friction.to_dict()["goes_with_higher_goal_rate"] is True


# --- phases --------------------------------------------------------------------------------


def test_phases_without_a_stage_are_left_out(analysis: cj.Analysis) -> None:
    # Before: "awareness entered 0 reached 20, step 100.0%".
    assert [
        (p.phase, p.entered, p.reached, p.in_now, p.step_conversion) for p in analysis.phases
    ] == [
        ("consideration", 20, 20, 0, 1.0),
        ("conversion", 10, 10, 3, 0.5),
        ("retention", 6, 6, 6, 0.6),
    ]
    assert [phase["phase"] for phase in analysis.to_dict()["phases"]] == [
        "consideration",
        "conversion",
        "retention",
    ]

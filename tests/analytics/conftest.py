"""A purpose-made journey and a hand-written population whose every figure is known.

Times are written as (day, hour) after Monday 2026-03-02 00:00 UTC; the analysis is as of
day 10, 12:00 (Thursday 2026-03-12 12:00 UTC). Each customer's path, as worked out by hand
(`->` a touchpoint move, `~>` a timeout, `[open]` the visit going on at as_of):

- c1 (ad, vip): aware 0d09 -> considering 0d12 -> checkout 1d10 -> customer 1d11 [open];
  one more event at 11d00, after the as_of.
- c2 (visit, vip): aware 0d10 -> considering 1d10 -> checkout 2d10 -> (payment failed: the
  declared friction and a regression) considering 2d12 -> checkout 3d10 -> customer 3d11
  [open]; the payment failure is sent twice with one id (one duplicate).
- c3 (visit, basic): aware 0d08 ~> lapsed 5d08 -> considering 6d09 [open, stalled]; views
  /faq at 7d09 while considering.
- c4 (ad, basic): aware 1d09 -> considering 1d10 (action 'guide' performed 2d09) ->
  churned 4d09 [open] (account closed).
- c5 (visit, no segment): aware 7d09 [open, stalled].
- c6 (ad, vip): aware 0d11 -> considering 0d13 (action 'guide' 0d14) -> checkout 8d10 ->
  customer 8d12 [open]: too late for 'purchase' (within 7d), in time for 'ordered'.
- c7: only a cart event: never placed, so outside the journey.
- c8 (visit, basic, then vip on the cart event): aware 8d09 -> considering 8d10 ->
  checkout 9d09 [open, stalled].
- c9 (visit, basic): aware 0d07 ~> lapsed 5d07 -> considering 5d12 -> checkout 6d09 ->
  customer 6d10 [open].
- one record without a timestamp (rejected).
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

import pytest

import customer_journey as cj

JOURNEY = """\
journey: figures
timezone: UTC
phases: [awareness, consideration, conversion, advocacy]
touchpoints:
  ad:      { event: ad.clicked, channel: paid_ads }
  visit:   { event: page.viewed, channel: web }
  pricing: { event: page.viewed, channel: web, where: { page: /pricing } }
  cart:    { event: cart.added, channel: web }
  order:   { event: order.completed, channel: web }
  fail:    { event: payment.failed, channel: web }
  close:   { event: account.closed, channel: web }
stages:
  aware:
    phase: awareness
    entry: [ad, visit]
    expected_duration: 2d
    transitions:
      - { to: considering, when: pricing }
      - { to: lapsed, after: 5d }
    actions:
      - { id: retarget, channel: paid_ads, priority: 20 }
  considering:
    phase: consideration
    expected_duration: 3d
    transitions:
      - { to: checkout, when: cart }
      - { to: lapsed, after: 10d }
    actions:
      - { id: guide, channel: email, priority: 60 }
  checkout:
    phase: conversion
    expected_duration: 1d
    transitions:
      - { to: customer, when: order }
      - { to: considering, when: fail }
    friction:
      - { label: Payment failure, when: fail }
    actions:
      - { id: cart_reminder, channel: email, priority: 70 }
  customer:
    phase: conversion
    terminal: true
  lapsed:
    transitions:
      - { to: considering, when: pricing }
  churned:
    terminal: true
anywhere:
  - { to: churned, when: close }
goals:
  purchase: { reach: customer, within: 7d }
  ordered:  { reach: customer }
"""

#: Monday 2026-03-02 00:00 UTC, the origin of every (day, hour) in this population.
DAY_0 = datetime(2026, 3, 2, tzinfo=timezone.utc)
#: The moment the population is analysed at: day 10, 12:00.
AS_OF = DAY_0 + timedelta(days=10, hours=12)


def at(day: int, hour: int = 0) -> datetime:
    """The moment `hour` o'clock on `day` days after DAY_0."""
    return DAY_0 + timedelta(days=day, hours=hour)


def record(customer: str, kind: str, day: int, hour: int, **fields: Any) -> dict[str, Any]:
    """One input record in the journey's default field mapping."""
    return {
        "customer_id": customer,
        "type": kind,
        "timestamp": at(day, hour).isoformat(),
        **fields,
    }


VIP = {"segment": "vip"}
BASIC = {"segment": "basic"}


def population() -> list[dict[str, Any]]:
    """The hand-written records described in the module docstring (34 records)."""
    return [
        record("c1", "ad.clicked", 0, 9, traits=VIP),
        record("c1", "page.viewed", 0, 12, page="/pricing"),
        record("c1", "cart.added", 1, 10),
        record("c1", "order.completed", 1, 11),
        record("c1", "page.viewed", 11, 0, page="/account"),
        record("c2", "page.viewed", 0, 10, page="/home", traits=VIP),
        record("c2", "page.viewed", 1, 10, page="/pricing"),
        record("c2", "cart.added", 2, 10),
        record("c2", "payment.failed", 2, 12, event_id="c2-fail"),
        record("c2", "payment.failed", 2, 12, event_id="c2-fail"),
        record("c2", "cart.added", 3, 10),
        record("c2", "order.completed", 3, 11),
        record("c3", "page.viewed", 0, 8, page="/home", traits=BASIC),
        record("c3", "page.viewed", 6, 9, page="/pricing"),
        record("c3", "page.viewed", 7, 9, page="/faq"),
        record("c4", "ad.clicked", 1, 9, traits=BASIC),
        record("c4", "page.viewed", 1, 10, page="/pricing"),
        record("c4", "action.performed", 2, 9, action="guide"),
        record("c4", "account.closed", 4, 9),
        record("c5", "page.viewed", 7, 9, page="/home"),
        record("c6", "ad.clicked", 0, 11, traits=VIP),
        record("c6", "page.viewed", 0, 13, page="/pricing"),
        record("c6", "action.performed", 0, 14, action="guide"),
        record("c6", "cart.added", 8, 10),
        record("c6", "order.completed", 8, 12),
        record("c7", "cart.added", 2, 9),
        record("c8", "page.viewed", 8, 9, page="/home", traits=BASIC),
        record("c8", "page.viewed", 8, 10, page="/pricing"),
        record("c8", "cart.added", 9, 9, traits=VIP),
        record("c9", "page.viewed", 0, 7, page="/home", traits=BASIC),
        record("c9", "page.viewed", 5, 12, page="/pricing"),
        record("c9", "cart.added", 6, 9),
        record("c9", "order.completed", 6, 10),
        {"customer_id": "c10", "type": "page.viewed"},
    ]


@pytest.fixture(scope="session")
def journey() -> cj.Journey:
    """The purpose-made journey."""
    return cj.loads(JOURNEY, source="figures.journey.yaml")


@pytest.fixture(scope="session")
def analysis(journey: cj.Journey) -> cj.Analysis:
    """The population as of AS_OF, root causes from 2 visits with and without."""
    return cj.analyze(journey, population(), AS_OF, min_count=2)

"""A small journey that exercises every replay rule, and event helpers."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

import pytest

import customer_journey
from customer_journey import Journey

JOURNEY = """\
journey: engine-test
touchpoints:
  visit:   { event: page.viewed, channel: web }
  pricing: { event: page.viewed, channel: web, where: { page: /pricing } }
  cart:    { event: cart.added, channel: web }
  order:   { event: order.completed, channel: web, where: { total: { gt: 0 } } }
  close:   { event: account.closed, channel: web }
  call:    { event: call.ended, channel: phone }
stages:
  aware:
    phase: awareness
    entry: [visit]
    expected_duration: 2d
    transitions:
      - { to: interested, when: pricing }
      - { to: interested, when: visit, times: 3, within: 7d }
      - { to: buyer, when: order }
      - { to: gone, after: 10d }
      - { to: closed, after: 10d }
  interested:
    phase: consideration
    transitions:
      - { to: interested, when: call }
      - { to: buyer, when: [cart, order], if: { stage_count.cart: { gte: 2 } } }
      - { to: aware, after: 3d }
  buyer:
    phase: conversion
    entry: [order]
    transitions:
      - { to: gone, after: 30d }
  gone:
    transitions:
      - { to: buyer, when: order }
  closed:
    terminal: true
anywhere:
  - { to: closed, when: close }
goals:
  buy: { reach: buyer, within: 14d }
  ever: { reach: buyer }
"""

T0 = datetime(2026, 1, 1, 9, 0, tzinfo=timezone.utc)


def at(days: float = 0, hours: float = 0) -> datetime:
    """A moment relative to T0."""
    return T0 + timedelta(days=days, hours=hours)


def record(kind: str, when: datetime, customer: str = "c1", **fields: Any) -> dict[str, Any]:
    """An input record in the default field mapping."""
    return {"customer_id": customer, "type": kind, "timestamp": when.isoformat(), **fields}


@pytest.fixture(scope="session")
def journey() -> Journey:
    return customer_journey.loads(JOURNEY, source="engine-test.yaml")

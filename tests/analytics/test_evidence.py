"""Ranking actions by evidence: `Analysis.action_weights` and `next_best_actions(weights=)`."""

from __future__ import annotations

import pytest

import customer_journey as cj

JOURNEY = """
journey: evidence
touchpoints:
  visit: { event: page.viewed, channel: web }
  order: { event: order.completed, channel: web }
stages:
  browsing:
    phase: consideration
    entry: [visit]
    transitions:
      - { to: customer, when: order }
    actions:
      - { id: banner, channel: web, priority: 50 }
      - { id: coupon, channel: email, priority: 40 }
  customer:
    phase: conversion
    terminal: true
goals:
  first_order: { reach: customer }
"""


@pytest.fixture
def journey() -> cj.Journey:
    return cj.loads(JOURNEY)


def history(customer: str, *, coupon: bool, orders: bool) -> list[dict[str, object]]:
    """A visit, maybe a coupon sent, maybe an order, an hour apart."""
    records: list[dict[str, object]] = [
        {"customer_id": customer, "type": "page.viewed", "timestamp": "2026-03-01T09:00:00Z"}
    ]
    if coupon:
        records.append(
            {
                "customer_id": customer,
                "type": "action.performed",
                "action": "coupon",
                "timestamp": "2026-03-01T10:00:00Z",
            }
        )
    if orders:
        records.append(
            {
                "customer_id": customer,
                "type": "order.completed",
                "timestamp": "2026-03-01T11:00:00Z",
            }
        )
    return records


def test_without_weights_actions_rank_by_priority(journey: cj.Journey) -> None:
    offered = journey.next_best_actions(history("c", coupon=False, orders=False))
    assert [action.action for action in offered] == ["banner", "coupon"]


def test_a_weight_multiplies_priority_and_is_explained(journey: cj.Journey) -> None:
    offered = journey.next_best_actions(
        history("c", coupon=False, orders=False), weights={"coupon": 1.5}
    )
    assert [action.action for action in offered] == ["coupon", "banner"]
    assert offered[0].reasons[-1] == "weighted by evidence: weight 1.50"
    assert offered[1].reasons == ("a candidate in 'browsing'",)


def test_equal_scores_keep_the_priority_order_and_k_applies(journey: cj.Journey) -> None:
    offered = journey.next_best_actions(
        history("c", coupon=False, orders=False), weights={"coupon": 1.25}, k=1
    )
    assert [action.action for action in offered] == ["banner"]  # 50 == 40 x 1.25


def test_action_weights_come_from_the_removal_effect(journey: cj.Journey) -> None:
    # Every customer who was sent the coupon ordered, and half of those without it did.
    records = [
        *history("a", coupon=True, orders=True),
        *history("b", coupon=True, orders=True),
        *history("c", coupon=False, orders=True),
        *history("d", coupon=False, orders=False),
    ]
    analysis = cj.analyze(journey, records, "2026-03-02T00:00:00Z")
    # Conversions: 3 of 4. Without the coupon's moves, only c converts: 1 of 4.
    assert analysis.conversion["first_order"] == pytest.approx(0.75)
    assert analysis.action_weights() == {"coupon": pytest.approx(1 + (1 - 0.25 / 0.75))}
    offered = journey.next_best_actions(
        history("e", coupon=False, orders=False), weights=analysis.action_weights()
    )
    assert [action.action for action in offered] == ["coupon", "banner"]


def test_stage_weights_count_only_actions_performed_in_that_stage(journey: cj.Journey) -> None:
    records = [
        *history("a", coupon=True, orders=True),
        *history("b", coupon=False, orders=False),
    ]
    analysis = cj.analyze(journey, records, "2026-03-02T00:00:00Z")
    # Conversion 1 of 2; without the coupon's moves out of 'browsing', none.
    assert analysis.action_weights(stage="browsing") == {"coupon": pytest.approx(2.0)}
    assert analysis.action_weights(stage="customer") == {}
    rows = [row for row in analysis.stage_attribution if row.feature == ("action", "coupon")]
    assert [(row.stage, row.moves, row.removal_effect) for row in rows] == [("browsing", 1, 1.0)]

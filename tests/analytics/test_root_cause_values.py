"""Root causes leave out a kind of value that has too many distinct values in a stage."""

from __future__ import annotations

import pytest

import customer_journey as cj
from customer_journey.analytics._tally import MOST_VALUES

JOURNEY = """
journey: values
touchpoints:
  visit: { event: page.viewed, channel: web }
  order: { event: order.completed, channel: web }
stages:
  browsing:
    phase: consideration
    entry: [visit]
    transitions:
      - { to: customer, when: order }
  customer:
    phase: conversion
    terminal: true
"""


def population(distinct: int) -> list[dict[str, object]]:
    """Two customers per `ref` value, one of whom orders; each also reads the same page."""
    records: list[dict[str, object]] = []
    for number in range(2 * distinct):
        customer = f"c{number}"
        records += [
            {"customer_id": customer, "type": "page.viewed", "timestamp": "2026-03-01T09:00:00Z"},
            {
                "customer_id": customer,
                "type": "page.viewed",
                "page": "/home",
                "ref": f"r{number // 2}",
                "timestamp": "2026-03-01T10:00:00Z",
            },
        ]
        if number % 2:
            records.append(
                {
                    "customer_id": customer,
                    "type": "order.completed",
                    "timestamp": "2026-03-01T11:00:00Z",
                }
            )
    return records


def kinds(distinct: int) -> set[str]:
    analysis = cj.analyze(cj.loads(JOURNEY), population(distinct), "2026-03-02", min_count=1)
    return {cause.feature[0] for cause in analysis.root_causes}


@pytest.mark.parametrize(("distinct", "counted"), [(MOST_VALUES, True), (MOST_VALUES + 1, False)])
def test_an_attribute_with_too_many_values_is_left_out(distinct: int, *, counted: bool) -> None:
    found = kinds(distinct)
    assert ("event.ref" in found) is counted
    assert "event.page" not in found  # every visit has it: nothing to compare with

"""A replay result as an HTML card for notebooks: every field shown, every text escaped."""

from __future__ import annotations

import re

import customer_journey
from customer_journey.render._result_html import result_html

JOURNEY = """\
journey: shop
touchpoints:
  visit: { event: page.viewed, channel: web }
  order: { event: order.completed, channel: web }
stages:
  'browsing <b>':
    phase: awareness
    entry: [visit]
    expected_duration: 1d
    transitions:
      - to: buyer
        when: order
    friction:
      - label: 'Too many visits & "doubts"'
        when: visit
    actions:
      - id: '<script>alert(1)</script>'
        channel: email
        priority: 10
  buyer:
    phase: conversion
goals:
  first_order: { reach: buyer, within: 30d }
"""

EVENTS = [
    {"customer_id": "<c&1>", "type": "page.viewed", "timestamp": "2026-01-01T09:00:00Z"},
    {"customer_id": "<c&1>", "type": "page.viewed", "timestamp": "2026-01-01T10:00:00Z"},
]


def _rows(html: str) -> dict[str, str]:
    return dict(re.findall(r"<tr><th [^>]*>([^<]*)</th><td [^>]*>(.*?)</td></tr>", html))


def test_the_card_shows_position_path_goals_friction_and_next_actions() -> None:
    journey = customer_journey.loads(JOURNEY)
    result = journey.replay(EVENTS, "2026-01-03T10:00:00Z")
    rows = _rows(result_html(result))
    assert rows == {
        "customer": "&lt;c&amp;1&gt;",
        "as of": "2026-01-03T10:00:00Z",
        "stage": "<b>browsing &lt;b&gt;</b> <small>(stalled)</small>",
        "phase": "awareness",
        "time in stage": "2d1h",
        "path": "browsing &lt;b&gt;",
        "goals": '<ul style="margin:0;padding-left:1.2em"><li>first_order: pending '
        "(deadline 2026-01-31T09:00:00Z)</li></ul>",
        "friction": '<ul style="margin:0;padding-left:1.2em"><li>Too many visits &amp; '
        "&quot;doubts&quot; <small>(declared, medium)</small></li>"
        "<li>stalled in &#x27;browsing &lt;b&gt;&#x27; <small>(stalled, high)</small></li></ul>",
        "next actions": '<ul style="margin:0;padding-left:1.2em"><li>&lt;script&gt;alert(1)'
        "&lt;/script&gt; <small>on email, priority 10</small></li></ul>",
    }


def test_the_card_of_a_customer_outside_the_journey_says_so() -> None:
    journey = customer_journey.loads(JOURNEY)
    result = journey.replay([], "2026-01-03T10:00:00Z", customer="c9")
    rows = _rows(result._repr_html_())
    assert rows["stage"] == "not in the journey"
    assert rows["path"] == "-"
    assert rows["friction"] == "-"


def test_the_card_is_self_contained_html() -> None:
    journey = customer_journey.loads(JOURNEY)
    html = journey.replay(EVENTS)._repr_html_()
    assert "<script" not in html
    assert "http" not in html


def test_given_the_journey_the_card_shows_times_in_its_timezone() -> None:
    journey = customer_journey.loads("timezone: America/New_York\n" + JOURNEY)
    result = journey.replay(EVENTS, "2026-01-03T10:00:00Z")
    rows = _rows(result_html(result, journey.model))
    assert rows["as of"] == "2026-01-03T05:00:00-05:00"
    assert "(deadline 2026-01-31T04:00:00-05:00)" in rows["goals"]

"""Section 8: actions of other journeys count toward the contact policy of their channel."""

from __future__ import annotations

from typing import Any

import pytest

import customer_journey
from customer_journey import Journey

from .conftest import at, record

CAPPED = """\
journey: capped
touchpoints:
  visit: { event: page.viewed, channel: web }
stages:
  visitor:
    entry: [visit]
    actions:
      - { id: welcome, channel: email, priority: 10 }
      - { id: text, channel: sms, priority: 5 }
contact_policy:
  email: { max: 2, per: 7d }
  sms: { max: 1, per: 7d }
"""


@pytest.fixture(scope="module")
def capped() -> Journey:
    return customer_journey.loads(CAPPED, source="capped.yaml")


def performed(days: float, action: str, **fields: Any) -> dict[str, Any]:
    return record("action.performed", at(days), action=action, **fields)


def reasons(journey: Journey, events: list[dict[str, Any]], days: float) -> dict[str, str]:
    result = journey.replay([record("page.viewed", at(0)), *events], as_of=at(days))
    return {s.action: s.reason for s in result.suppressed}


def test_another_journey_s_actions_count_on_the_channel_their_record_names(
    capped: Journey,
) -> None:
    others = [performed(1, "newsletter", channel="email"), performed(2, "promo", channel="email")]
    assert reasons(capped, others, 3) == {"welcome": "contact_policy"}


def test_another_journey_s_action_without_a_channel_counts_on_none(capped: Journey) -> None:
    others = [performed(1, "newsletter"), performed(2, "promo"), performed(2, "x", channel="")]
    assert reasons(capped, others, 3) == {}


def test_they_leave_the_rolling_window_like_the_journey_s_own(capped: Journey) -> None:
    others = [performed(1, "newsletter", channel="sms")]
    assert reasons(capped, others, 7.9) == {"text": "contact_policy"}
    assert reasons(capped, others, 8) == {}


def test_the_journey_s_own_action_counts_on_its_own_channel_whatever_the_record_says(
    capped: Journey,
) -> None:
    own = [performed(1, "text", channel="email"), performed(1, "welcome", channel="email")]
    assert reasons(capped, own, 2) == {"text": "contact_policy"}


def test_actions_of_other_journeys_before_entry_count_too(capped: Journey) -> None:
    result = capped.replay(
        [performed(0, "promo", channel="sms"), record("page.viewed", at(1))], as_of=at(2)
    )
    assert [(s.action, s.reason) for s in result.suppressed] == [("text", "contact_policy")]

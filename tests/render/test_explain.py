"""`explain_text`: a replay result in a marketer's words, section by section."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from customer_journey import loads
from customer_journey.engine import (
    FrictionPoint,
    GoalStatus,
    Recommendation,
    ReplayResult,
    Suppression,
)
from customer_journey.render import explain_text

UTC = timezone.utc
AS_OF = datetime(2026, 1, 3, 12, tzinfo=UTC)

JOURNEY = """\
journey: shop
touchpoints:
  visit: { event: page.viewed, channel: web }
  cart: { event: cart.added, channel: web }
stages:
  visitor:
    entry: [visit]
    transitions:
      - { to: shopper, when: cart }
  shopper:
    terminal: true
"""


def result(**changes: object) -> ReplayResult:
    """A customer with nothing to tell, changed where a test needs it."""
    fields: dict[str, object] = {
        "customer": "c1",
        "as_of": AS_OF,
        "stage": None,
        "phase": None,
        "entered_at": None,
        "time_in_stage": None,
        "is_terminal": False,
        "is_stalled": False,
        "path": (),
        "counts": {},
        "goals": {},
        "events": 0,
        "duplicates": 0,
        "trace": (),
    }
    fields.update(changes)
    return ReplayResult(**fields)  # type: ignore[arg-type]


def test_a_customer_outside_the_journey_has_every_section_saying_so() -> None:
    assert explain_text(result()) == (
        "customer c1, as of 2026-01-03T12:00:00Z\n"
        "\n"
        "Timeline\n"
        "  (no events up to 2026-01-03T12:00:00Z)\n"
        "\n"
        "Position\n"
        "  not in the journey\n"
        "  events: 0 (0 duplicates ignored)\n"
        "\n"
        "Friction\n"
        "  none\n"
        "\n"
        "Next actions\n"
        "  none\n"
        "\n"
        "Suppressed\n"
        "  none\n"
    )


def test_a_result_replayed_without_trace_says_how_to_get_the_timeline() -> None:
    lines = explain_text(result(trace=None)).splitlines()
    assert lines[2:4] == [
        "Timeline",
        "  (not traced: replay with trace=True to see it)",
    ]


def test_the_timeline_is_each_trace_step_with_its_time_and_what_it_did() -> None:
    journey = loads(JOURNEY)
    replayed = journey.replay(
        [
            {
                "customer_id": "c1",
                "type": "page.viewed",
                "timestamp": "2026-01-01T09:00:00Z",
                "event_id": "e1",
            },
            {
                "customer_id": "c1",
                "type": "page.viewed",
                "timestamp": "2026-01-01T09:05:00Z",
                "event_id": "e1",
            },
            {"customer_id": "c1", "type": "cart.added", "timestamp": "2026-01-01T10:00:00Z"},
            {"customer_id": "c1", "type": "cart.added", "timestamp": "2026-01-01T11:00:00Z"},
        ],
        trace=True,
    )
    lines = explain_text(replayed).splitlines()
    assert lines[2:8] == [
        "Timeline",
        "  2026-01-01T09:00:00Z  page.viewed [visit]: entered the journey at 'visitor'",
        "  2026-01-01T09:05:00Z  page.viewed [no touchpoint]: duplicate event id, ignored",
        "  2026-01-01T10:00:00Z  cart.added [cart]: moved visitor -> shopper",
        "  2026-01-01T11:00:00Z  cart.added [cart]: counted; 'shopper' is terminal",
        "",
    ]
    assert lines[8:14] == [
        "Position",
        "  stage: shopper, terminal",
        "  entered at: 2026-01-01T10:00:00Z",
        "  time in stage: 1h",
        "  stalled: no",
        "  events: 3 (1 duplicates ignored)",
    ]


def test_position_friction_actions_and_suppressions_carry_their_figures() -> None:
    text = explain_text(
        result(
            stage="trial",
            phase="consideration",
            entered_at=datetime(2026, 1, 1, 12, tzinfo=UTC),
            time_in_stage=timedelta(days=2),
            is_stalled=True,
            events=2,
            goals={
                "paid": GoalStatus("paid", "missed", None, datetime(2026, 1, 2, tzinfo=UTC)),
                "tried": GoalStatus("tried", "reached", datetime(2026, 1, 1, 12, tzinfo=UTC)),
                "used": GoalStatus("used", "pending"),
            },
            friction=(
                FrictionPoint(
                    "declared",
                    "trial",
                    None,
                    "Price hesitation",
                    "price",
                    datetime(2026, 1, 1, 13, tzinfo=UTC),
                    datetime(2026, 1, 1, 15, tzinfo=UTC),
                    3,
                    "high",
                ),
                FrictionPoint(
                    "stalled",
                    "trial",
                    None,
                    None,
                    None,
                    datetime(2026, 1, 2, 12, tzinfo=UTC),
                    AS_OF,
                    1,
                    "medium",
                    timedelta(days=1),
                ),
            ),
            next_actions=(
                Recommendation("call", "phone", 80.0, (("stage", ("trial",)),)),
                Recommendation("nudge", "email", 12.5, ()),
            ),
            suppressed=(
                Suppression(
                    "mail",
                    "email",
                    "cooldown",
                    (datetime(2026, 1, 2, 12, tzinfo=UTC), timedelta(days=3), AS_OF),
                ),
            ),
        )
    )
    assert text.split("\n\n")[2:] == [
        "Position\n"
        "  stage: trial (consideration)\n"
        "  entered at: 2026-01-01T12:00:00Z\n"
        "  time in stage: 2d\n"
        "  stalled: yes\n"
        "  events: 2 (0 duplicates ignored)\n"
        "  goals:\n"
        "    paid: missed (deadline 2026-01-02T00:00:00Z)\n"
        "    tried: reached at 2026-01-01T12:00:00Z\n"
        "    used: pending",
        "Friction\n"
        "  declared: Price hesitation\n"
        "    in 'trial', severity high, 3 times, first 2026-01-01T13:00:00Z, "
        "last 2026-01-01T15:00:00Z\n"
        "  stalled: stalled in 'trial'\n"
        "    in 'trial', severity medium, 1 time, first 2026-01-02T12:00:00Z, "
        "last 2026-01-03T12:00:00Z, overdue by 1d",
        "Next actions\n"
        "  1. call on phone (priority 80)\n"
        "    - a candidate in 'trial'\n"
        "  2. nudge on email (priority 12.5)",
        "Suppressed\n  mail on email: cooldown: performed 2026-01-02T12:00:00Z; "
        "cooldown ends 2026-01-05T12:00:00Z\n",
    ]

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


ACTED = """\
journey: gym
timezone: Europe/Berlin
events: { action_event: crm.sent, action_attribute: campaign }
touchpoints:
  join: { event: member.joined, channel: web }
  reply: { event: crm.sent, channel: email, where: { campaign: reply } }
stages:
  member:
    entry: [join]
    transitions:
      - { to: replied, when: reply }
    actions:
      - { id: winback_email, channel: email }
  replied:
    terminal: true
"""

ACTED_EVENTS = [
    {"customer_id": "c1", "type": "member.joined", "timestamp": "2026-03-28T23:30:00Z"},
    {
        "customer_id": "c1",
        "type": "crm.sent",
        "campaign": "winback_email",
        "timestamp": "2026-03-29T09:00:00Z",
    },
    {
        "customer_id": "c1",
        "type": "crm.sent",
        "campaign": "reply",
        "timestamp": "2026-03-30T09:00:00Z",
    },
]


def test_with_the_journey_times_are_in_its_timezone_and_actions_are_named() -> None:
    journey = loads(ACTED)
    replayed = journey.replay(ACTED_EVENTS, trace=True)
    lines = explain_text(replayed, journey.model).splitlines()
    # Berlin moves from UTC+01:00 to UTC+02:00 on 29 March 2026, at 01:00 UTC.
    assert lines[:6] == [
        "customer c1, as of 2026-03-30T11:00:00+02:00",
        "",
        "Timeline",
        "  2026-03-29T00:30:00+01:00  member.joined [join]: entered the journey at 'member'",
        "  2026-03-29T11:00:00+02:00  crm.sent 'winback_email': stayed in 'member'",
        "  2026-03-30T11:00:00+02:00  crm.sent 'reply' [reply]: moved member -> replied",
    ]
    assert lines[8:10] == [
        "  stage: replied, terminal",
        "  entered at: 2026-03-30T11:00:00+02:00",
    ]


def test_without_the_journey_times_are_utc_and_actions_are_named_all_the_same() -> None:
    journey = loads(ACTED)
    replayed = journey.replay(ACTED_EVENTS, trace=True)
    lines = explain_text(replayed).splitlines()
    assert lines[4] == ("  2026-03-29T09:00:00Z  crm.sent 'winback_email': stayed in 'member'")


def test_an_action_record_without_an_action_name_is_shown_as_the_engine_says() -> None:
    journey = loads(JOURNEY)
    replayed = journey.replay(
        [
            {"customer_id": "c1", "type": "page.viewed", "timestamp": "2026-01-01T09:00:00Z"},
            {"customer_id": "c1", "type": "action.performed", "timestamp": "2026-01-01T10:00:00Z"},
            {
                "customer_id": "c1",
                "type": "action.performed",
                "action": "call_back",
                "timestamp": "2026-01-01T11:00:00Z",
            },
        ],
        trace=True,
    )
    assert explain_text(replayed, journey.model).splitlines()[4:6] == [
        "  2026-01-01T10:00:00Z  action.performed [no touchpoint]: stayed in 'visitor'",
        "  2026-01-01T11:00:00Z  action.performed 'call_back': stayed in 'visitor'",
    ]


SECTION_10 = """\
journey: gym
timezone: Europe/Paris
touchpoints:
  join:    { event: member.joined, channel: web }
  checkin: { event: gym.checkin, channel: store }
stages:
  active:
    entry: [join]
    transitions:
      - { to: lapsed, idle: 2d }
  lapsed:
    actions:
      - { id: winback, channel: sms }
      - { id: tip, channel: email, cooldown: 3d }
experiments:
  offer: { arms: { early: 1, late: 1 } }
send_windows:
  sms: { hours: "09:00-20:00" }
"""


def test_explain_shows_idle_timeouts_arms_and_when_a_send_window_opens() -> None:
    journey = loads(SECTION_10)
    events = [
        {"customer_id": "c2", "type": "member.joined", "timestamp": "2026-03-02T09:00:00Z"},
        {"customer_id": "c2", "type": "gym.checkin", "timestamp": "2026-03-03T09:00:00Z"},
        {
            "customer_id": "c2",
            "type": "action.performed",
            "action": "tip",
            "timestamp": "2026-03-05T10:00:00Z",
        },
    ]
    replayed = journey.replay(events, "2026-03-05T21:00:00Z", trace=True)
    assert explain_text(replayed, journey.model) == (
        "customer c2, as of 2026-03-05T22:00:00+01:00\n"
        "\n"
        "Timeline\n"
        "  2026-03-02T10:00:00+01:00  member.joined [join]: entered the journey at 'active'\n"
        "  2026-03-03T10:00:00+01:00  gym.checkin [checkin]: stayed in 'active'\n"
        "  2026-03-05T10:00:00+01:00  inactive for 2d: active -> lapsed\n"
        "  2026-03-05T11:00:00+01:00  action.performed 'tip': stayed in 'lapsed'\n"
        "\n"
        "Position\n"
        "  stage: lapsed\n"
        "  entered at: 2026-03-05T10:00:00+01:00\n"
        "  time in stage: 12h\n"
        "  stalled: no\n"
        "  events: 3 (0 duplicates ignored)\n"
        "  arms:\n"
        "    offer: late\n"
        "\n"
        "Friction\n"
        "  timeout: timed out of 'active' into 'lapsed'\n"
        "    in 'active', severity medium, 1 time, first 2026-03-05T10:00:00+01:00, "
        "last 2026-03-05T10:00:00+01:00\n"
        "\n"
        "Next actions\n"
        "  none\n"
        "\n"
        "Suppressed\n"
        "  winback on sms: send_window: outside the 'sms' send window (Europe/Paris); "
        "it opens 2026-03-06T09:00:00+01:00\n"
        "  tip on email: cooldown: performed 2026-03-05T11:00:00+01:00; "
        "cooldown ends 2026-03-08T11:00:00+01:00\n"
    )

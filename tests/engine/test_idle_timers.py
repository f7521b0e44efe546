"""Section 10, inactivity: `idle` timers, and `anywhere` timers outside their own `to`."""

from __future__ import annotations

import pytest

import customer_journey
from customer_journey import Journey

from .conftest import at, record

IDLE = """\
journey: gym
touchpoints:
  join:     { event: membership.started, channel: web }
  checkin:  { event: gym.checkin, channel: store }
  email_op: { event: email.opened, channel: email }
  nudge:    { event: action.performed, channel: email, where: { action: nudge } }
stages:
  member:
    entry: [join]
    transitions:
      - { to: inactive, idle: 14d }
  inactive:
    transitions:
      - { to: member, when: checkin }
    actions:
      - { id: nudge, channel: email }
  gone:
    terminal: true
"""


@pytest.fixture(scope="module")
def gym() -> Journey:
    return customer_journey.loads(IDLE, source="gym.yaml")


def stages(journey: Journey, events: list[dict[str, object]], days: float) -> list[str]:
    return journey.replay(events, as_of=at(days)).stages_entered


def test_an_idle_timer_fires_its_duration_after_entry_without_activity(gym: Journey) -> None:
    result = gym.replay([record("membership.started", at(0))], as_of=at(14))
    assert result.stages_entered == ["member", "inactive"]
    assert result.path[-1].entered_at == at(14)
    assert result.path[-1].trigger == "timeout"
    assert [point.label for point in result.friction] == ["timed out of 'member' into 'inactive'"]


def test_an_idle_timer_has_not_fired_a_moment_before_it_is_due(gym: Journey) -> None:
    assert stages(gym, [record("membership.started", at(0))], 13.99) == ["member"]


def test_an_event_exactly_at_the_due_time_comes_after_the_timer(gym: Journey) -> None:
    events = [record("membership.started", at(0)), record("gym.checkin", at(14))]
    assert stages(gym, events, 14) == ["member", "inactive", "member"]


def test_activity_right_before_the_due_time_puts_the_timer_off(gym: Journey) -> None:
    events = [record("membership.started", at(0)), record("gym.checkin", at(14, hours=-1))]
    assert stages(gym, events, 14) == ["member"]
    result = gym.replay(events, as_of=at(28))
    assert result.stages_entered == ["member", "inactive"]
    assert result.path[-1].entered_at == at(28, hours=-1)


def test_a_touchpoint_the_stage_does_not_use_is_activity_too(gym: Journey) -> None:
    events = [record("membership.started", at(0)), record("email.opened", at(10))]
    assert stages(gym, events, 23) == ["member"]
    assert stages(gym, events, 24) == ["member", "inactive"]


def test_an_action_performed_is_never_activity_even_when_a_touchpoint_matches(
    gym: Journey,
) -> None:
    events = [
        record("membership.started", at(0)),
        record("action.performed", at(10), action="nudge"),
    ]
    result = gym.replay(events, as_of=at(14))
    assert result.counts == {"join": 1, "nudge": 1}
    assert result.stages_entered == ["member", "inactive"]


def test_an_event_matching_no_touchpoint_is_not_activity(gym: Journey) -> None:
    events = [record("membership.started", at(0)), record("page.scrolled", at(10))]
    assert stages(gym, events, 14) == ["member", "inactive"]


def test_a_duplicate_is_not_activity(gym: Journey) -> None:
    events = [
        record("membership.started", at(0)),
        record("gym.checkin", at(1), event_id="e1"),
        record("gym.checkin", at(10), event_id="e1"),
    ]
    result = gym.replay(events, as_of=at(15))
    assert result.duplicates == 1
    assert result.stages_entered == ["member", "inactive"]
    assert result.path[-1].entered_at == at(15)


def test_activity_in_an_earlier_visit_does_not_time_the_next_one(gym: Journey) -> None:
    events = [
        record("membership.started", at(0)),
        record("gym.checkin", at(20)),  # back from 'inactive' at day 20
    ]
    result = gym.replay(events, as_of=at(34))
    assert result.stages_entered == ["member", "inactive", "member", "inactive"]
    assert result.path[-1].entered_at == at(34)


def test_a_state_stepped_event_by_event_times_idle_timers_as_a_batch_does(gym: Journey) -> None:
    events = [
        record("membership.started", at(0)),
        record("gym.checkin", at(5)),
        record("email.opened", at(18)),
        record("gym.checkin", at(40)),
    ]
    state = gym.start("c1")
    for event in events:
        state = gym.step(state, event)
    assert gym.position(state, at(60)) == gym.replay(events, as_of=at(60))


TIES = """\
journey: ties
touchpoints:
  visit: { event: page.viewed, channel: web }
stages:
  browsing:
    entry: [visit]
    transitions:
      - { to: cold, idle: 5d }
      - { to: stale, after: 5d }
  cold: {}
  stale:
    transitions:
      - { to: cold, after: 5d }
  lapsed: {}
anywhere:
  - { to: lapsed, idle: 5d }
"""


@pytest.fixture(scope="module")
def ties() -> Journey:
    return customer_journey.loads(TIES, source="ties.yaml")


def test_an_anywhere_timer_wins_a_tie_against_the_stage_s_own(ties: Journey) -> None:
    assert stages(ties, [record("page.viewed", at(0))], 5) == ["browsing", "lapsed"]


def test_an_anywhere_timer_does_not_apply_in_its_own_to_stage(ties: Journey) -> None:
    assert stages(ties, [record("page.viewed", at(0))], 60) == ["browsing", "lapsed"]


def test_of_a_stage_s_own_timers_the_earliest_due_wins_and_file_order_breaks_ties(
    ties: Journey,
) -> None:
    # Activity at day 3 puts 'idle' off to day 8 (and the anywhere one too): 'after' wins.
    events = [record("page.viewed", at(0)), record("page.viewed", at(3))]
    assert stages(ties, events, 5) == ["browsing", "stale"]
    # In 'stale', the anywhere idle timer (due 5 days after entry) ties with the stage's
    # own 'after: 5d' and wins.
    assert stages(ties, events, 10) == ["browsing", "stale", "lapsed"]


def test_the_state_keeps_the_last_activity_and_the_due_time(gym: Journey) -> None:
    state = gym.start("c1")
    for event in (record("membership.started", at(0)), record("gym.checkin", at(3))):
        state = gym.step(state, event)
    assert (state.entered_at, state.active_at, state.due) == (at(0), at(3), at(17))

"""The pure step: one event at a time gives what batch replay gives, and never mutates."""

from __future__ import annotations

import pytest

from customer_journey import ArgumentError, Journey, OutOfOrderEventError

from .conftest import at, record


def test_stepping_leaves_the_given_state_unchanged(journey: Journey) -> None:
    start = journey.start("c1")
    after = journey.step(start, record("page.viewed", at(0)))
    assert start.stage is None
    assert start.counts == {}
    assert after.stage == "aware"


def test_a_move_leaves_the_path_of_the_given_state_unchanged(journey: Journey) -> None:
    aware = journey.step(journey.start("c1"), record("page.viewed", at(0)))
    interested = journey.step(aware, record("page.viewed", at(1), page="/pricing"))
    assert journey.position(aware, at(1)).stages_entered == ["aware"]
    assert journey.position(interested, at(1)).stages_entered == ["aware", "interested"]
    assert journey.position(aware, at(1)).path[0].left_at is None


def test_stepping_through_a_history_equals_replaying_it(journey: Journey) -> None:
    history = [
        record("page.viewed", at(0)),
        record("page.viewed", at(1), page="/pricing"),
        record("cart.added", at(1, 1)),
        record("cart.added", at(6)),
    ]
    state = journey.start("c1")
    for item in history:
        state = journey.step(state, item)
    assert journey.position(state, at(9)).to_dict() == journey.replay(history, at(9)).to_dict()


def test_advance_fires_due_timeouts_without_an_event(journey: Journey) -> None:
    state = journey.step(journey.start("c1"), record("page.viewed", at(0)))
    later = journey.advance(state, at(10))
    assert later.stage == "gone"
    assert state.stage == "aware"


def test_an_event_earlier_than_the_state_is_refused(journey: Journey) -> None:
    state = journey.step(journey.start("c1"), record("page.viewed", at(1)))
    with pytest.raises(OutOfOrderEventError, match="earlier than the state's clock"):
        journey.step(state, record("page.viewed", at(0)))


def test_position_refuses_an_as_of_before_the_last_event(journey: Journey) -> None:
    state = journey.step(journey.start("c1"), record("page.viewed", at(1)))
    with pytest.raises(ArgumentError) as raised:
        journey.position(state, at(0))
    assert str(raised.value) == (
        "'as_of' must not be earlier than the last event applied, 2026-01-02T09:00:00+00:00 "
        "(got 2026-01-01T09:00:00+00:00); replay the events up to it instead"
    )
    assert isinstance(raised.value, ValueError)

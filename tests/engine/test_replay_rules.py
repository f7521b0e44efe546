"""Each rule of section 5 (replay semantics) and section 6 (goals), one behaviour a test."""

from __future__ import annotations

from datetime import timedelta

import pytest

from customer_journey import ArgumentError, Journey

from .conftest import at, record


def stages(journey: Journey, records: list[dict[str, object]], as_of: object = None) -> list[str]:
    return journey.replay(records, as_of).stages_entered  # type: ignore[arg-type]


# Rule 1: timestamp order, ties keep input order.


def test_events_are_replayed_in_time_order_whatever_the_input_order(journey: Journey) -> None:
    records = [record("page.viewed", at(1), page="/pricing"), record("page.viewed", at(0))]
    assert stages(journey, records) == ["aware", "interested"]


def test_simultaneous_events_keep_their_input_order(journey: Journey) -> None:
    entry_first = [record("page.viewed", at(0)), record("order.completed", at(0), total=5)]
    order_first = [record("order.completed", at(0), total=5), record("page.viewed", at(0))]
    assert stages(journey, entry_first) == ["aware", "buyer"]
    assert stages(journey, order_first) == ["buyer"]


# Rule 2: duplicate ids.


def test_an_event_whose_id_was_seen_is_ignored_and_counted(journey: Journey) -> None:
    result = journey.replay(
        [
            record("page.viewed", at(0), event_id="a"),
            record("page.viewed", at(1), page="/pricing", event_id="b"),
            record("page.viewed", at(2), page="/pricing", event_id="b"),
        ]
    )
    assert result.stages_entered == ["aware", "interested"]
    assert result.duplicates == 1
    assert result.events == 2
    assert result.counts == {"visit": 2, "pricing": 1}


def test_the_earliest_copy_of_a_repeated_id_is_the_one_kept(journey: Journey) -> None:
    result = journey.replay(
        [
            record("page.viewed", at(0), event_id="a"),
            record("order.completed", at(5), total=5, event_id="x"),
            record("order.completed", at(2), total=5, event_id="x"),
        ]
    )
    assert result.path[-1].stage == "buyer"
    assert result.path[-1].entered_at == at(2)


def test_events_without_an_id_are_never_duplicates(journey: Journey) -> None:
    result = journey.replay([record("page.viewed", at(0)), record("page.viewed", at(0))])
    assert result.duplicates == 0
    assert result.counts == {"visit": 2}


# Rule 3: before the first entry touchpoint.


def test_events_before_entry_give_no_position_but_still_count(journey: Journey) -> None:
    result = journey.replay([record("cart.added", at(0)), record("call.ended", at(1))])
    assert result.stage is None
    assert result.phase is None
    assert result.path == ()
    assert result.counts == {"cart": 1, "call": 1}


def test_the_entry_event_does_nothing_else(journey: Journey) -> None:
    result = journey.replay([record("page.viewed", at(0), page="/pricing")])
    assert result.stages_entered == ["aware"]
    assert result.counts == {"visit": 1, "pricing": 1}


def test_the_first_stage_in_file_order_whose_entry_matches_wins() -> None:
    from customer_journey import loads

    # `pricing` is declared before `visit`, but `visit` enters the earlier stage.
    journey = loads(
        """\
journey: entries
touchpoints:
  pricing: { event: page.viewed, channel: web, where: { page: /pricing } }
  visit: { event: page.viewed, channel: web }
stages:
  browsing: { entry: [visit] }
  comparing: { entry: [pricing] }
"""
    )
    result = journey.replay([record("page.viewed", at(0), page="/pricing")])
    assert result.stages_entered == ["browsing"]
    assert result.path[0].touchpoint == "visit"


def test_an_event_matching_no_touchpoint_places_nobody(journey: Journey) -> None:
    result = journey.replay([record("order.completed", at(0), total=0)])
    assert result.stage is None
    assert result.counts == {}


# Rule 4: anywhere first, then the stage's transitions in file order; one move per event.


def test_anywhere_transitions_apply_from_every_non_terminal_stage(journey: Journey) -> None:
    result = journey.replay([record("page.viewed", at(0)), record("account.closed", at(1))])
    assert result.stages_entered == ["aware", "closed"]
    assert result.is_terminal


def test_the_first_matching_transition_in_file_order_fires(journey: Journey) -> None:
    # A pricing view matches `visit` and `pricing`; `pricing` is listed first.
    result = journey.replay(
        [record("page.viewed", at(0)), record("page.viewed", at(1), page="/pricing")]
    )
    assert [v.touchpoint for v in result.path] == ["visit", "pricing"]


def test_one_event_moves_a_customer_at_most_once(journey: Journey) -> None:
    # order.completed moves aware -> buyer; it must not also trigger a transition of buyer.
    records = [record("page.viewed", at(0)), record("order.completed", at(1), total=3)]
    assert stages(journey, records) == ["aware", "buyer"]


def test_a_transition_to_the_current_stage_restarts_its_clock_and_counts(
    journey: Journey,
) -> None:
    result = journey.replay(
        [
            record("page.viewed", at(0)),
            record("page.viewed", at(0, 1), page="/pricing"),
            record("cart.added", at(0, 2)),
            record("call.ended", at(1)),
            record("cart.added", at(1, 1)),
        ]
    )
    assert result.stages_entered == ["aware", "interested", "interested"]
    assert result.entered_at == at(1)
    # stage_count.cart restarted at the call: one cart since, so no move to buyer yet.
    assert result.stage == "interested"


def test_a_condition_on_stage_counts_includes_the_current_event(journey: Journey) -> None:
    result = journey.replay(
        [
            record("page.viewed", at(0)),
            record("page.viewed", at(0, 1), page="/pricing"),
            record("cart.added", at(0, 2)),
            record("cart.added", at(0, 3)),
        ]
    )
    assert result.stage == "buyer"
    assert result.path[-1].touchpoint == "cart"


def test_times_within_counts_events_in_the_window_inclusive(journey: Journey) -> None:
    # Entry at day 0 is not counted; visits at days 1, 4 and 8 span exactly 7 days.
    visits = [record("page.viewed", at(d)) for d in (0, 1, 4, 8)]
    assert stages(journey, visits) == ["aware", "interested"]


def test_times_within_ignores_events_older_than_the_window(journey: Journey) -> None:
    visits = [record("page.viewed", at(d)) for d in (0, 1, 4, 8.01)]
    assert stages(journey, visits) == ["aware"]


def test_an_event_matching_two_touchpoints_of_a_rule_counts_once() -> None:
    from customer_journey import loads

    journey = loads(
        """\
journey: once
touchpoints:
  visit: { event: page.viewed, channel: web }
  pricing: { event: page.viewed, channel: web, where: { page: /pricing } }
stages:
  a:
    entry: [visit]
    transitions:
      - { to: b, when: [visit, pricing], times: 2, within: 1d }
  b: {}
"""
    )
    one_more = [record("page.viewed", at(0)), record("page.viewed", at(0, 1), page="/pricing")]
    assert stages(journey, one_more) == ["a"]
    two_more = [*one_more, record("page.viewed", at(0, 2))]
    assert stages(journey, two_more) == ["a", "b"]


# Rule 5: timeouts.


def test_a_timeout_fires_at_its_due_time(journey: Journey) -> None:
    result = journey.replay([record("page.viewed", at(0))], as_of=at(10))
    assert result.stages_entered == ["aware", "gone"]
    assert result.path[-1].entered_at == at(10)
    assert result.path[-1].trigger == "timeout"
    assert result.path[0].left_at == at(10)


def test_a_timeout_is_not_due_a_moment_before(journey: Journey) -> None:
    result = journey.replay([record("page.viewed", at(0))], as_of=at(10) - timedelta(seconds=1))
    assert result.stage == "aware"


def test_a_timeout_fires_before_an_event_at_the_same_instant(journey: Journey) -> None:
    records = [record("page.viewed", at(0)), record("order.completed", at(10), total=5)]
    # At day 10 the customer first times out to `gone`, whose order transition then fires.
    assert stages(journey, records) == ["aware", "gone", "buyer"]


def test_of_two_timeouts_due_together_the_first_in_file_order_wins(journey: Journey) -> None:
    # aware has `gone` and `closed` both after 10d; `gone` is listed first.
    assert journey.replay([record("page.viewed", at(0))], as_of=at(11)).stage == "gone"


def test_a_chain_of_timeouts_plays_out_each_timed_from_the_last(journey: Journey) -> None:
    records = [record("page.viewed", at(0)), record("page.viewed", at(1), page="/pricing")]
    result = journey.replay(records, as_of=at(40))
    # interested -(3d)-> aware at day 4 -(10d)-> gone at day 14.
    assert result.stages_entered == ["aware", "interested", "aware", "gone"]
    assert [v.entered_at for v in result.path] == [at(0), at(1), at(4), at(14)]


def test_nothing_moves_a_customer_in_a_terminal_stage(journey: Journey) -> None:
    result = journey.replay(
        [
            record("page.viewed", at(0)),
            record("account.closed", at(1)),
            record("order.completed", at(2), total=5),
        ],
        as_of=at(400),
    )
    assert result.stages_entered == ["aware", "closed"]
    assert result.counts == {"visit": 1, "order": 1, "close": 1}


# Rule 6: as_of.


def test_as_of_ignores_later_events(journey: Journey) -> None:
    records = [record("page.viewed", at(0)), record("order.completed", at(5), total=5)]
    assert journey.replay(records, as_of=at(4)).stage == "aware"


def test_the_default_as_of_is_the_latest_event(journey: Journey) -> None:
    records = [record("page.viewed", at(0)), record("cart.added", at(3))]
    result = journey.replay(records)
    assert result.as_of == at(3)
    assert result.time_in_stage == timedelta(days=3)
    assert result.is_stalled  # expected 2d


def test_as_of_accepts_text_in_the_journeys_timezone(journey: Journey) -> None:
    result = journey.replay([record("page.viewed", at(0))], as_of="2026-01-11T09:00:00")
    assert result.as_of == at(10)
    assert result.stage == "gone"


def test_stalled_means_strictly_longer_than_expected(journey: Journey) -> None:
    assert not journey.replay([record("page.viewed", at(0))], as_of=at(2)).is_stalled
    assert journey.replay([record("page.viewed", at(0))], as_of=at(2, 1)).is_stalled


# Section 6: goals.


def test_a_goal_reached_within_its_window_is_reached(journey: Journey) -> None:
    result = journey.replay(
        [record("page.viewed", at(0)), record("order.completed", at(14), total=1)]
    )
    assert result.goals["buy"].status == "reached"
    assert result.goals["buy"].reached_at == at(14)
    assert result.goals["buy"].deadline == at(14)


def test_a_goal_reached_after_its_window_is_missed(journey: Journey) -> None:
    result = journey.replay(
        [record("page.viewed", at(0)), record("order.completed", at(14, 1), total=1)]
    )
    assert result.goals["buy"].status == "missed"
    assert result.goals["ever"].status == "reached"


def test_a_goal_is_pending_until_its_window_passes(journey: Journey) -> None:
    records = [record("page.viewed", at(0))]
    assert journey.replay(records, as_of=at(9)).goals["buy"].status == "pending"
    assert journey.replay(records, as_of=at(14, 1)).goals["buy"].status == "missed"
    assert journey.replay(records, as_of=at(14, 1)).goals["ever"].status == "pending"


def test_goals_not_reached_are_missed_in_a_terminal_stage(journey: Journey) -> None:
    result = journey.replay([record("page.viewed", at(0)), record("account.closed", at(1))])
    assert {name: g.status for name, g in result.goals.items()} == {
        "buy": "missed",
        "ever": "missed",
    }


def test_goals_of_a_customer_outside_the_journey_are_pending(journey: Journey) -> None:
    result = journey.replay([record("cart.added", at(0))])
    assert {g.status for g in result.goals.values()} == {"pending"}


# Results and trace.


def test_the_trace_says_what_each_event_did(journey: Journey) -> None:
    result = journey.replay(
        [
            record("cart.added", at(0)),
            record("page.viewed", at(1), event_id="v"),
            record("page.viewed", at(1), event_id="v"),
            record("call.ended", at(2)),
            record("page.viewed", at(3), page="/pricing"),
        ],
        as_of=at(10),
        trace=True,
    )
    assert result.trace is not None
    assert [s.outcome for s in result.trace] == [
        "outside",
        "entered",
        "duplicate",
        "stayed",
        "moved",
        "timeout",
    ]
    assert [s.describe() for s in result.trace][-2:] == [
        "page.viewed [visit, pricing]: moved aware -> interested",
        "timeout after 3d: interested -> aware",
    ]


def test_to_dict_has_a_stable_json_shape(journey: Journey) -> None:
    result = journey.replay([record("page.viewed", at(0), event_id="e1")], as_of=at(1))
    assert result.to_dict() == {
        "customer": "c1",
        "as_of": "2026-01-02T09:00:00Z",
        "stage": "aware",
        "phase": "awareness",
        "entered_at": "2026-01-01T09:00:00Z",
        "time_in_stage": "1d",
        "is_terminal": False,
        "is_stalled": False,
        "path": [
            {
                "stage": "aware",
                "entered_at": "2026-01-01T09:00:00Z",
                "left_at": None,
                "trigger": "entry",
                "touchpoint": "visit",
            }
        ],
        "counts": {"visit": 1},
        "goals": {
            "buy": {"status": "pending", "reached_at": None, "deadline": "2026-01-15T09:00:00Z"},
            "ever": {"status": "pending", "reached_at": None, "deadline": None},
        },
        "events": 1,
        "duplicates": 0,
        "friction": [],
        "next_actions": [],
        "suppressed": [],
        "trace": None,
        "arms": {},
    }


def test_replay_refuses_several_customers(journey: Journey) -> None:
    with pytest.raises(ArgumentError) as raised:
        journey.replay([record("page.viewed", at(0)), record("page.viewed", at(0), customer="c2")])
    assert str(raised.value) == (
        "'events' must be one customer's events (got 2 customers: 'c1', 'c2'); "
        "use replay_all for many"
    )
    assert isinstance(raised.value, ValueError)


def test_replay_needs_events_or_an_as_of(journey: Journey) -> None:
    with pytest.raises(ArgumentError) as raised:
        journey.replay([])
    assert str(raised.value) == "'as_of' must be a time when there are no events (got None)"
    assert isinstance(raised.value, ValueError)
    assert journey.replay([], as_of=at(0)).stage is None


def test_an_anywhere_timeout_applies_in_every_stage_but_its_own_and_ties_go_to_it() -> None:
    from customer_journey import loads

    journey = loads(
        """\
journey: idle
touchpoints:
  visit: { event: page.viewed, channel: web }
  buy: { event: order.completed, channel: web }
stages:
  browsing:
    entry: [visit]
    transitions:
      - { to: buyer, when: buy }
      - { to: cold, after: 5d }
  buyer: {}
  cold: {}
  idle: {}
anywhere:
  - { to: idle, after: 5d }
"""
    )
    tied = journey.replay([record("page.viewed", at(0))], as_of=at(6))
    assert tied.stages_entered == ["browsing", "idle"]
    bought = journey.replay(
        [record("page.viewed", at(0)), record("order.completed", at(1))], as_of=at(6.5)
    )
    assert bought.stages_entered == ["browsing", "buyer", "idle"]
    assert bought.path[-1].entered_at == at(6)
    # Section 10: not in its own 'to' stage, which it used to re-enter every 5 days.
    later = journey.replay([record("page.viewed", at(0))], as_of=at(30))
    assert later.stages_entered == ["browsing", "idle"]
    assert [point.label for point in later.friction] == ["timed out of 'browsing' into 'idle'"]

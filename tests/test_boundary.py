"""The Python boundary: every public function refuses a bad argument with an `ArgumentError`.

Each case asserts the whole message ("'name' must be X (got Y)"), that the error is an
`ArgumentError` (code `bad-argument`), and that it still is the builtin error callers
caught before (`TypeError` for a value of the wrong kind, `ValueError` for a bad value).
The last tests replay and analyze at both ends of the supported range.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest

import customer_journey as cj
from customer_journey import ArgumentError, Event, Journey
from customer_journey.analytics import Analysis

JOURNEY = """\
journey: boundary
timezone: Europe/Paris
touchpoints:
  visit: { event: page.viewed, channel: web }
  order: { event: order.completed, channel: web }
stages:
  aware:
    phase: awareness
    entry: [visit]
    transitions:
      - { to: buyer, when: order }
      - { to: gone, after: 30d }
    actions:
      - { id: nudge, channel: email, priority: 10 }
      - { id: call, channel: phone, priority: 5 }
  buyer:
    phase: conversion
  gone:
    terminal: true
goals:
  buy: { reach: buyer }
"""

OTHER = """\
journey: other
touchpoints:
  visit: { event: page.viewed, channel: web }
stages:
  elsewhere:
    entry: [visit]
"""

UTC = timezone.utc
AS_OF = "2026-01-10T00:00:00Z"


def record(customer: str = "c1", when: str = "2026-01-01T10:00:00Z", **more: Any) -> dict[str, Any]:
    """A page view of `customer` (or another event type, given as `type`)."""
    return {"customer_id": customer, "type": "page.viewed", "timestamp": when, **more}


@pytest.fixture(scope="module")
def journey() -> Journey:
    return cj.loads(JOURNEY, source="boundary.journey.yaml")


@pytest.fixture(scope="module")
def analysis(journey: Journey) -> Analysis:
    return cj.analyze(journey, [record("c1"), record("c2")], AS_OF)


@pytest.fixture
def events_file(tmp_path: Path) -> Path:
    """A JSON Lines file with one customer's history: a view, then an order."""
    path = tmp_path / "c1.jsonl"
    rows = [record(), record(when="2026-01-02T10:00:00Z", type="order.completed")]
    path.write_text("".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8")
    return path


def refused(call: Callable[[], object], builtin: type[Exception]) -> str:
    """Run `call`, check it raised an `ArgumentError` that is also `builtin`; its message."""
    with pytest.raises(ArgumentError) as raised:
        call()
    assert isinstance(raised.value, builtin)
    assert raised.value.code == "bad-argument"
    return str(raised.value)


# --- loading ------------------------------------------------------------------------------


def test_loads_refuses_none_instead_of_failing_inside_the_yaml_reader() -> None:
    assert refused(lambda: cj.loads(None), TypeError) == (  # type: ignore[arg-type]
        "'text' must be the text of a journey file (got None)"
    )


def test_loads_refuses_bytes_and_says_to_decode_them() -> None:
    assert refused(lambda: cj.loads(JOURNEY.encode()), TypeError) == (  # type: ignore[arg-type]
        f"'text' must be the text of a journey file (got {len(JOURNEY)} bytes); "
        "decode it first: data.decode('utf-8')"
    )


def test_loads_refuses_a_source_that_is_not_text() -> None:
    assert refused(lambda: cj.loads(JOURNEY, source=1), TypeError) == (  # type: ignore[arg-type]
        "'source' must be text naming where the journey comes from (got 1)"
    )


def test_load_refuses_a_path_that_is_not_a_path() -> None:
    assert refused(lambda: cj.load(None), TypeError) == (  # type: ignore[arg-type]
        "'path' must be the path of a journey file (got None)"
    )


def test_from_mapping_refuses_a_list() -> None:
    assert refused(lambda: cj.from_mapping([]), TypeError) == (  # type: ignore[arg-type]
        "'data' must be a mapping of a journey's keys, such as yaml.safe_load gives (got a list)"
    )


def test_a_journey_is_made_from_a_compiled_model_only_and_long_text_is_cut() -> None:
    assert refused(lambda: Journey(JOURNEY), TypeError) == (  # type: ignore[arg-type]
        "'model' must be a JourneyModel, such as compile_journey gives "
        "(got 'journey: boundary\\ntimezone: Europe/Paris...')"
    )


# --- replay: records ----------------------------------------------------------------------


def test_replay_refuses_a_single_event_not_wrapped_in_a_list(journey: Journey) -> None:
    assert refused(lambda: journey.replay(record()), TypeError) == (  # type: ignore[arg-type]
        "'events' must be a list of event records (got a dict); "
        "wrap a single event in a list: [event]"
    )


def test_replay_refuses_none(journey: Journey) -> None:
    assert refused(lambda: journey.replay(None), TypeError) == (  # type: ignore[arg-type]
        "'events' must be a list of event records or the path of an events file (got None)"
    )


def test_replay_reads_a_path_as_one_customers_events_file(
    journey: Journey, events_file: Path
) -> None:
    from_file = journey.replay(events_file, AS_OF)
    from_text = journey.replay(str(events_file), AS_OF)
    from_list = journey.replay(
        [record(), record(when="2026-01-02T10:00:00Z", type="order.completed")], AS_OF
    )
    assert from_file.stage == "buyer"
    assert from_file.to_dict() == from_text.to_dict() == from_list.to_dict()


def test_replay_refuses_a_customer_that_is_not_an_id(journey: Journey) -> None:
    assert refused(lambda: journey.replay([record()], customer=7), TypeError) == (  # type: ignore[arg-type]
        "'customer' must be a customer id such as 'c1' (got 7)"
    )


def test_replay_refuses_a_trace_flag_that_is_not_a_bool(journey: Journey) -> None:
    assert refused(lambda: journey.replay([record()], trace="no"), TypeError) == (  # type: ignore[arg-type]
        "'trace' must be True or False (got 'no')"
    )


def test_replay_refuses_an_event_object_outside_the_supported_range(journey: Journey) -> None:
    late = Event("c1", "page.viewed", datetime(9999, 12, 31, tzinfo=UTC))
    assert refused(lambda: journey.replay([late], AS_OF), ValueError) == (
        "'events' must be timed from 1900-01-01 to 2999-12-31 with aware datetimes "
        "(got an event at 9999-12-31T00:00:00+00:00)"
    )


def test_replay_all_and_analyze_refuse_an_event_object_they_could_not_time_out(
    journey: Journey,
) -> None:
    # 30 days after 9999-12-30 is no datetime: refused before the engine adds them.
    late = Event("c1", "page.viewed", datetime(9999, 12, 30, tzinfo=UTC))
    message = (
        "'records' must be timed from 1900-01-01 to 2999-12-31 with aware datetimes "
        "(got an event at 9999-12-30T00:00:00+00:00)"
    )
    assert refused(lambda: journey.replay_all([late]), ValueError) == message
    assert refused(lambda: cj.analyze(journey, [late]), ValueError) == message


def test_replay_all_reads_a_path_with_the_journeys_own_reader(
    journey: Journey, events_file: Path
) -> None:
    by_path = journey.replay_all(events_file, AS_OF)
    by_source = journey.replay_all(journey.read_events(events_file), AS_OF)
    assert by_path.totals.to_dict() == by_source.totals.to_dict()
    assert by_path.totals.accepted == 2
    assert [result.stage for result in journey.replay_all(str(events_file), AS_OF)] == ["buyer"]


def test_replay_all_refuses_a_single_record(journey: Journey) -> None:
    assert refused(lambda: journey.replay_all(record()), TypeError) == (  # type: ignore[arg-type]
        "'records' must be a list of event records (got a dict); "
        "wrap a single event in a list: [event]"
    )


def test_replay_all_refuses_something_that_is_not_records(journey: Journey) -> None:
    assert refused(lambda: journey.replay_all(5), TypeError) == (  # type: ignore[arg-type]
        "'records' must be a list of event records or the path of an events file (got 5)"
    )


def test_replay_all_refuses_a_dataframe_whose_iteration_gives_column_names(
    journey: Journey,
) -> None:
    pandas = pytest.importorskip("pandas")
    frame = pandas.DataFrame([record()])
    assert refused(lambda: journey.replay_all(frame), TypeError) == (
        "'records' must be a list of event records or the path of an events file "
        "(got a DataFrame); pass its rows: df.to_dict('records')"
    )


def test_replay_all_refuses_a_strict_flag_that_is_not_a_bool(journey: Journey) -> None:
    assert refused(lambda: journey.replay_all([record()], strict="no"), TypeError) == (  # type: ignore[arg-type]
        "'strict' must be True or False (got 'no')"
    )


def test_events_from_refuses_a_path_and_points_to_read_events(journey: Journey) -> None:
    assert refused(lambda: journey.events_from("events.jsonl"), TypeError) == (  # type: ignore[arg-type]
        "'records' must be a list of event records (got 'events.jsonl'); "
        "read a file with Journey.read_events"
    )


def test_read_events_refuses_a_path_that_is_not_a_path(journey: Journey) -> None:
    assert refused(lambda: journey.read_events(None), TypeError) == (  # type: ignore[arg-type]
        "'path' must be the path of an events file (got None)"
    )


# --- times --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("as_of", "builtin", "message"),
    [
        pytest.param(
            [2026],
            TypeError,
            "'as_of' must be a time: a datetime, text such as '2026-01-01T10:00:00Z' or "
            "epoch seconds (got a list)",
            id="not-a-time",
        ),
        pytest.param(
            "tomorrow",
            ValueError,
            "'as_of' must be a time (got 'tomorrow'); not a date and time; write it like "
            "2026-01-01T10:00:00Z, 2026-01-01 or epoch seconds such as 1767225600",
            id="unreadable-text",
        ),
        pytest.param(
            datetime.max.replace(tzinfo=UTC),
            ValueError,
            "'as_of' must be a time from 1900-01-01 to 2999-12-31 "
            "(got 9999-12-31T23:59:59.999999+00:00); check the year",
            id="datetime-max",
        ),
        pytest.param(
            datetime.min,
            ValueError,
            "'as_of' must be a time from 1900-01-01 to 2999-12-31 "
            "(got 0001-01-01T00:00:00); check the year",
            id="naive-datetime-min-east-of-utc",
        ),
        pytest.param(
            datetime(3000, 1, 1, tzinfo=UTC),
            ValueError,
            "'as_of' must be a time from 1900-01-01 to 2999-12-31 "
            "(got 3000-01-01T00:00:00+00:00); check the year",
            id="first-instant-after-the-range",
        ),
        pytest.param(
            10**5000,
            ValueError,
            "'as_of' must be a time from 1900-01-01 to 2999-12-31 (got a very large number); "
            "epoch numbers count seconds since 1970-01-01, or milliseconds above 1e11",
            id="huge-epoch-number",
        ),
    ],
)
def test_replay_refuses_an_as_of_that_is_not_a_supported_time(
    journey: Journey, as_of: object, builtin: type[Exception], message: str
) -> None:
    assert refused(lambda: journey.replay([record()], as_of), builtin) == message  # type: ignore[arg-type]


def test_a_naive_as_of_is_read_in_the_journeys_timezone(journey: Journey) -> None:
    result = journey.replay([record()], datetime(2026, 1, 2, 1, 0))
    assert result.as_of == datetime(2026, 1, 2, 0, 0, tzinfo=UTC)  # Paris is UTC+1 in January


def test_advance_refuses_none_instead_of_asserting(journey: Journey) -> None:
    state = journey.step(journey.start("c1"), record())
    assert refused(lambda: journey.advance(state, None), TypeError) == (  # type: ignore[arg-type]
        "'until' must be a time: a datetime, text such as '2026-01-01T10:00:00Z' or "
        "epoch seconds (got None)"
    )


def test_advance_refuses_a_moment_past_the_supported_range(journey: Journey) -> None:
    state = journey.step(journey.start("c1"), record())
    assert refused(lambda: journey.advance(state, "9999-12-31T23:59:59Z"), ValueError) == (
        "'until' must be a time from 1900-01-01 to 2999-12-31 (got '9999-12-31T23:59:59Z'); "
        "check the year"
    )


def test_position_of_a_state_without_events_needs_an_as_of(journey: Journey) -> None:
    assert refused(lambda: journey.position(journey.start("c1")), ValueError) == (
        "'as_of' must be a time for a customer without events (got None)"
    )


# --- incremental replay -------------------------------------------------------------------


def test_start_refuses_a_customer_that_is_not_an_id(journey: Journey) -> None:
    assert refused(lambda: journey.start(None), TypeError) == (  # type: ignore[arg-type]
        "'customer' must be a customer id such as 'c1' (got None)"
    )


def test_step_refuses_a_state_of_none(journey: Journey) -> None:
    assert refused(lambda: journey.step(None, record()), TypeError) == (  # type: ignore[arg-type]
        "'state' must be a CustomerState, such as Journey.start gives (got None)"
    )


def test_step_refuses_a_state_of_another_journey(journey: Journey) -> None:
    other = cj.loads(OTHER)
    state = other.step(other.start("c1"), record())
    assert refused(lambda: journey.step(state, record()), ValueError) == (
        "'state' must be a state of journey 'boundary' "
        "(got one in stage 'elsewhere', which it does not have)"
    )


def test_step_refuses_an_event_that_is_not_a_record(journey: Journey) -> None:
    assert refused(lambda: journey.step(journey.start("c1"), None), TypeError) == (  # type: ignore[arg-type]
        "'event' must be an event record (a mapping) or an Event (got None)"
    )


def test_step_refuses_an_event_of_another_customer(journey: Journey) -> None:
    assert refused(lambda: journey.step(journey.start("c1"), record("c2")), ValueError) == (
        "'event' must be an event of the state's customer 'c1' (got one of 'c2')"
    )


def test_step_refuses_an_event_object_with_a_naive_time(journey: Journey) -> None:
    naive = Event("c1", "page.viewed", datetime(2026, 1, 1))
    assert refused(lambda: journey.step(journey.start("c1"), naive), ValueError) == (
        "'event' must be timed from 1900-01-01 to 2999-12-31 with aware datetimes "
        "(got an event at 2026-01-01T00:00:00)"
    )


def test_position_refuses_a_state_that_is_not_a_state(journey: Journey) -> None:
    assert refused(lambda: journey.position("c1", AS_OF), TypeError) == (  # type: ignore[arg-type]
        "'state' must be a CustomerState, such as Journey.start gives (got 'c1')"
    )


# --- next best actions --------------------------------------------------------------------


def test_next_best_actions_refuses_weights_that_are_not_a_mapping(journey: Journey) -> None:
    assert refused(
        lambda: journey.next_best_actions([record()], AS_OF, weights=[1]),  # type: ignore[arg-type]
        TypeError,
    ) == (
        "'weights' must map action ids to numbers, such as Analysis.action_weights() gives "
        "(got a list)"
    )


def test_next_best_actions_refuses_a_negative_weight(journey: Journey) -> None:
    assert (
        refused(
            lambda: journey.next_best_actions([record()], AS_OF, weights={"nudge": -1.0}),
            ValueError,
        )
        == "'weights' must map action ids to numbers of 0 or more (got -1.0 for 'nudge')"
    )


def test_next_best_actions_refuses_a_negative_k(journey: Journey) -> None:
    assert refused(lambda: journey.next_best_actions([record()], AS_OF, k=-1), ValueError) == (
        "'k' must be a whole number of 0 or more (got -1)"
    )


# --- analytics ----------------------------------------------------------------------------


def test_analyze_refuses_a_journey_that_is_not_a_journey() -> None:
    assert refused(lambda: cj.analyze(None, [record()]), TypeError) == (  # type: ignore[arg-type]
        "'journey' must be a Journey, such as customer_journey.load gives (got None)"
    )


def test_analyze_refuses_a_single_record(journey: Journey) -> None:
    assert refused(lambda: cj.analyze(journey, record(), AS_OF), TypeError) == (  # type: ignore[arg-type]
        "'records' must be a list of event records (got a dict); "
        "wrap a single event in a list: [event]"
    )


def test_analyze_and_compare_read_a_path_like_replay_all(
    journey: Journey, events_file: Path
) -> None:
    assert cj.analyze(journey, events_file, AS_OF).stage("buyer").in_now == 1
    assert cj.compare(journey, journey, str(events_file), AS_OF).b.customers == 1


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"top": -1}, "'top' must be a whole number of 0 or more (got -1)"),
        ({"min_count": 0}, "'min_count' must be a whole number of 1 or more (got 0)"),
        ({"goal": 1}, "'goal' must be the name of one of the journey's goals (got 1)"),
        ({"every": 7}, "'every' must be day, week or month (got 7)"),
        ({"strict": 1}, "'strict' must be True or False (got 1)"),
    ],
    ids=["top", "min_count", "goal", "every", "strict"],
)
def test_analyze_refuses_options_of_the_wrong_kind_or_range(
    journey: Journey, options: dict[str, Any], message: str
) -> None:
    assert refused(lambda: cj.analyze(journey, [record()], AS_OF, **options), ValueError) == message


def test_compare_refuses_a_second_journey_that_is_not_a_journey(journey: Journey) -> None:
    assert refused(lambda: cj.compare(journey, None, [record()]), TypeError) == (  # type: ignore[arg-type]
        "'journey_b' must be a Journey, such as customer_journey.load gives (got None)"
    )


def test_analysis_stage_refuses_a_name_that_is_not_text(analysis: Analysis) -> None:
    assert refused(lambda: analysis.stage(None), TypeError) == (  # type: ignore[arg-type]
        "'name' must be the name of one of the journey's stages (got None)"
    )


def test_analysis_stage_names_the_closest_stage_of_an_unknown_one(analysis: Analysis) -> None:
    with pytest.raises(KeyError) as raised:
        analysis.stage("buyers")
    assert raised.value.args == ("unknown stage 'buyers'; did you mean 'buyer'?",)


def test_action_weights_refuses_an_unknown_goal_instead_of_giving_nothing(
    analysis: Analysis,
) -> None:
    assert refused(lambda: analysis.action_weights("bye"), ValueError) == (
        "unknown goal 'bye'; did you mean 'buy'?"
    )


def test_action_weights_refuses_an_unknown_stage(analysis: Analysis) -> None:
    assert refused(lambda: analysis.action_weights(stage="nowhere"), ValueError) == (
        "unknown stage 'nowhere'; the journey's stages are 'aware', 'buyer', 'gone'"
    )


# --- the ends of the supported range ------------------------------------------------------

CENTURIES = """\
journey: centuries
touchpoints:
  visit: { event: page.viewed, channel: web }
  order: { event: order.completed, channel: web }
stages:
  aware:
    phase: awareness
    entry: [visit]
    expected_duration: 36500d
    transitions:
      - { to: buyer, when: order }
      - { to: buyer, when: visit, times: 2, within: 36500d }
      - { to: gone, after: 36500d }
    actions:
      - { id: nudge, channel: email, priority: 10, cooldown: 36500d }
  buyer:
    phase: conversion
    expected_duration: 36500d
    transitions:
      - { to: gone, after: 36500d }
  gone:
    terminal: true
goals:
  buy: { reach: buyer, within: 36500d }
contact_policy:
  email: { max: 1, per: 36500d }
"""
FIRST = "1900-01-01T00:00:00Z"
LAST = "2999-12-31T23:59:59Z"


def centuries_records() -> list[dict[str, Any]]:
    """'early' joins at the first supported instant, 'late' at the last; both get a nudge."""
    nudge = {"type": "action.performed", "action": "nudge"}
    return [
        record("early", FIRST),
        {"customer_id": "early", "timestamp": FIRST, **nudge},
        record("late", LAST),
        {"customer_id": "late", "timestamp": LAST, **nudge},
    ]


def test_replay_at_both_ends_of_the_range_with_century_durations_stays_in_range() -> None:
    journey = cj.loads(CENTURIES)
    results = {result.customer: result for result in journey.replay_all(centuries_records())}
    early, late = results["early"], results["late"]
    assert early.stage == "gone"  # timed out 36500 days after 1900-01-01
    assert early.path[-1].entered_at == datetime(1999, 12, 8, tzinfo=UTC)
    assert early.goals["buy"].status == "missed"
    assert late.stage == "aware"
    assert late.goals["buy"].deadline == datetime(3099, 12, 7, 23, 59, 59, tzinfo=UTC)
    assert [(s.action, s.reason) for s in late.suppressed] == [("nudge", "cooldown")]
    assert late.suppressed[0].detail == (
        "performed 2999-12-31T23:59:59Z; cooldown ends 3099-12-07T23:59:59Z"
    )
    state = journey.step(journey.start("early"), record("early", FIRST))
    assert journey.advance(state, LAST).stage == "gone"
    assert journey.position(state, LAST).stage == "gone"


def test_analysis_at_both_ends_of_the_range_with_century_durations_stays_in_range() -> None:
    journey = cj.loads(CENTURIES)
    analysis = cj.analyze(journey, centuries_records())
    assert analysis.as_of == datetime(2999, 12, 31, 23, 59, 59, tzinfo=UTC)
    assert (analysis.customers, analysis.stage("gone").in_now) == (2, 1)
    assert [(g.goal, g.missed, g.pending) for g in analysis.goals] == [("buy", 1, 1)]
    snapshots = analysis.trend.snapshots
    assert analysis.trend.every == "month"
    assert len(snapshots) == 1100 * 12 + 1  # every 1st from 1900-01 to 2999-12, and as_of
    assert snapshots[0].at == datetime(1900, 1, 1, tzinfo=UTC)
    assert snapshots[-2].at == datetime(2999, 12, 1, tzinfo=UTC)
    comparison = cj.compare(journey, journey, centuries_records())
    assert (comparison.as_of, comparison.changed) == (analysis.as_of, 0)

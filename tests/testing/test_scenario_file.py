"""Reading scenario files: structure, times, expectations, and every mistake located."""

from __future__ import annotations

import textwrap
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from customer_journey.dsl._scenario_file import (
    Expectation,
    ScenarioFile,
    format_value,
    parse_scenario_file,
)
from customer_journey.errors import JourneyError, Location

UTC = timezone.utc


def parse(text: str, **options: object) -> ScenarioFile:
    return parse_scenario_file(textwrap.dedent(text), source="s.yaml", **options)  # type: ignore[arg-type]


def problems(text: str) -> list[str]:
    with pytest.raises(JourneyError) as caught:
        parse(text)
    return [str(problem) for problem in caught.value.problems]


GOOD = """\
journey: shop.journey.yaml
as_of: 2026-03-01T00:00:00Z
scenarios:
  - name: pricing makes a visitor consider
    events:
      - { type: ad.clicked, at: 2026-01-01T10:00:00Z, id: 7, channel: paid_ads }
      - { type: page.viewed, at: +1h, page: /pricing, traits: { vip: true } }
    expect:
      stage: considering
      path: [aware, considering]
      goals: { first_purchase: pending }
  - name: its own as_of wins
    as_of: 2026-01-02T00:00:00Z
    events:
      - { type: ad.clicked, at: 2026-01-01T10:00:00Z }
    expect:
      stage: aware
"""


def test_a_scenario_file_reads_into_events_and_expectations() -> None:
    scenario_file = parse(GOOD)
    assert scenario_file.journey_path == "shop.journey.yaml"
    assert scenario_file.journey_location == Location("s.yaml", 1, 10)
    assert scenario_file.as_of == datetime(2026, 3, 1, tzinfo=UTC)
    first, second = scenario_file.scenarios
    assert first.name == "pricing makes a visitor consider"
    assert first.location == Location("s.yaml", 4, 5)
    assert first.as_of == datetime(2026, 3, 1, tzinfo=UTC)
    assert second.as_of == datetime(2026, 1, 2, tzinfo=UTC)
    click, view = first.events
    assert (click.customer, click.type, click.id, click.channel) == (
        "customer",
        "ad.clicked",
        "7",
        "paid_ads",
    )
    assert view.at == datetime(2026, 1, 1, 11, tzinfo=UTC)
    assert dict(view.attributes) == {"page": "/pricing"}
    assert dict(view.traits) == {"vip": True}
    assert first.expect[:2] == (
        Expectation("stage", "considering", Location("s.yaml", 9, 7)),
        Expectation("path", ("aware", "considering"), Location("s.yaml", 10, 7)),
    )
    assert dict(first.expect[2].value) == {"first_purchase": "pending"}


def test_relative_times_count_from_the_previous_event_in_file_order() -> None:
    scenario_file = parse(
        """\
        journey: j.yaml
        scenarios:
          - name: steps
            events:
              - { type: a, at: 2026-01-01T00:00:00Z }
              - { type: b, at: +1d }
              - { type: c, at: 2025-12-01T00:00:00Z }
              - { type: d, at: +90m }
            expect: { stage: null }
        """
    )
    times = [event.at for event in scenario_file.scenarios[0].events]
    start = datetime(2026, 1, 1, tzinfo=UTC)
    december = datetime(2025, 12, 1, tzinfo=UTC)
    assert times == [start, start + timedelta(days=1), december, december + timedelta(minutes=90)]


def test_naive_times_are_read_in_the_given_timezone() -> None:
    scenario_file = parse(
        """\
        journey: j.yaml
        as_of: 2026-07-01 12:00
        scenarios:
          - name: paris
            events: [{ type: a, at: 2026-07-01T10:00:00 }]
            expect: { stage: null }
        """,
        timezone=ZoneInfo("Europe/Paris"),
    )
    assert scenario_file.as_of == datetime(2026, 7, 1, 10, tzinfo=UTC)
    assert scenario_file.scenarios[0].events[0].at == datetime(2026, 7, 1, 8, tzinfo=UTC)


def test_every_mistake_is_reported_at_once_with_its_line_and_column() -> None:
    found = problems(
        """\
        journey: j.yaml
        scenarios:
          - name: one
            events:
              - { type: a, at: +1h }
              - { type: b, at: soon }
              - { type: c, at: +3x }
            expected: { stage: aware }
          - events: []
            expect: { stag: aware, terminal: maybe }
        """
    )
    assert found == [
        "s.yaml:3:5: scenario 'one' has no 'expect'; add it [missing-key]",
        "s.yaml:5:24: the first event needs an absolute 'at' such as 2026-01-01T10:00:00Z "
        "(got +1h) [bad-timestamp]",
        "s.yaml:6:24: 'at' must be a time (got soon); not a date and time; write it like "
        "2026-01-01T10:00:00Z, 2026-01-01 or epoch seconds such as 1767225600 [bad-timestamp]",
        "s.yaml:7:24: 'at' must be a timestamp such as 2026-01-01T10:00:00Z or +DURATION such "
        "as +1h or +2d (got +3x) [bad-duration]",
        "s.yaml:8:5: unknown key 'expected'; did you mean 'expect'? [unknown-key]",
        "s.yaml:9:5: scenario 2 has no 'name'; add it [missing-key]",
        "s.yaml:9:13: 'events' must be a list of events such as - { type: page.viewed, at: "
        "2026-01-01T10:00:00Z } (got an empty list) [bad-type]",
        "s.yaml:10:15: unknown key 'stag'; did you mean 'stage'? [unknown-key]",
        "s.yaml:10:38: 'terminal' must be true or false (got maybe) [bad-type]",
    ]


def test_the_file_needs_a_journey_and_scenarios() -> None:
    assert problems("as_of: 2026-01-01\n") == [
        "s.yaml:1:1: the scenario file has no 'journey'; add it [missing-key]",
        "s.yaml:1:1: the scenario file has no 'scenarios'; add it [missing-key]",
    ]


def test_a_file_that_is_not_a_mapping_says_what_it_should_be() -> None:
    assert problems("- a\n") == [
        "s.yaml:1:1: a scenario file must be a mapping with 'journey' and 'scenarios' "
        "(got a list) [bad-type]"
    ]


def test_yaml_mistakes_come_from_the_yaml_reader() -> None:
    assert problems("journey: a\njourney: b\nscenarios: []\n") == [
        "s.yaml:2:1: duplicate key 'journey' (first at line 1) [duplicate-key]"
    ]


def test_events_need_a_type_and_an_at_and_well_typed_fields() -> None:
    found = problems(
        """\
        journey: j.yaml
        scenarios:
          - name: broken events
            events:
              - { at: 2026-01-01T00:00:00Z, channel: [web], traits: 3 }
              - { type: b }
              - just text
            expect: { stage: null }
        """
    )
    assert found == [
        "s.yaml:5:9: the event has no 'type'; add it [missing-key]",
        "s.yaml:5:46: 'channel' must be a channel name (got [web]) [bad-type]",
        "s.yaml:5:61: 'traits' must be a mapping of trait names to values (got 3) [bad-type]",
        "s.yaml:6:9: the event has no 'at'; add it [missing-key]",
        "s.yaml:7:9: each event must be a mapping such as { type: page.viewed, at: "
        "2026-01-01T10:00:00Z } (got just text) [bad-type]",
    ]


def test_expectation_values_must_have_the_right_shape() -> None:
    found = problems(
        """\
        journey: j.yaml
        scenarios:
          - name: shapes
            events: [{ type: a, at: 2026-01-01T00:00:00Z }]
            expect:
              stage: [aware]
              path: aware
              goals: { first_purchase: done }
              suppressed: { call_back: later }
              no_friction: false
              next_actions: [a, 1]
        """
    )
    assert found == [
        "s.yaml:6:14: 'stage' must be a stage name, or null for not in the journey "
        "(got [aware]) [bad-type]",
        "s.yaml:7:13: 'path' must be the list of stages entered, such as [aware, considering] "
        "(got aware) [bad-type]",
        "s.yaml:8:14: 'goals' must be a mapping of goal names to reached, missed or pending "
        "(got {first_purchase: done}) [bad-type]",
        "s.yaml:9:19: 'suppressed' must be a mapping of action ids to holdout, if, cooldown, "
        "max, contact_policy, consent or send_window (got {call_back: later}) [bad-type]",
        "s.yaml:10:20: 'no_friction' must be true (got false); remove it to allow friction "
        "[bad-type]",
        "s.yaml:11:21: 'next_actions' must be a list of action ids, such as [call_back] "
        "(got [a, 1]) [bad-type]",
    ]


def test_scenario_names_are_unique() -> None:
    found = problems(
        """\
        journey: j.yaml
        scenarios:
          - name: same
            events: [{ type: a, at: 2026-01-01T00:00:00Z }]
            expect: { stage: null }
          - name: same
            events: [{ type: a, at: 2026-01-01T00:00:00Z }]
            expect: { stage: null }
        """
    )
    assert found == [
        "s.yaml:6:11: duplicate scenario name 'same' (first at line 3); give each scenario "
        "its own name [duplicate-scenario]"
    ]


def test_a_bad_as_of_is_located() -> None:
    found = problems(
        """\
        journey: j.yaml
        as_of: 2026-02-30
        scenarios:
          - name: x
            events: [{ type: a, at: 2026-01-01T00:00:00Z }]
            expect: { stage: null }
        """
    )
    assert found == [
        "s.yaml:2:8: 'as_of' must be a time (got 2026-02-30); day is out of range "
        "for month [bad-timestamp]"
    ]


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (None, "null"),
        (True, "true"),
        ("aware", "aware"),
        (("aware", "lapsed"), "[aware, lapsed]"),
        ({"first_purchase": "reached", "x": None}, "{first_purchase: reached, x: null}"),
        (3.5, "3.5"),
    ],
)
def test_values_are_shown_as_yaml(value: object, shown: str) -> None:
    assert format_value(value) == shown


def test_an_empty_required_key_is_missing_at_its_key() -> None:
    found = problems(
        """\
        journey: j.yaml
        scenarios:
          - name: empty
            events:
            expect:
        """
    )
    assert found == [
        "s.yaml:4:5: scenario 'empty' has no 'events'; add it [missing-key]",
        "s.yaml:5:5: scenario 'empty' has no 'expect'; add it [missing-key]",
    ]

"""Durations and times out of range: located problems in journeys and scenario files."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from customer_journey._durations import LONGEST, is_too_long, parse_duration
from customer_journey._timestamps import parse_timestamp
from customer_journey.dsl import parse_scenario_file
from customer_journey.errors import JourneyError

from .conftest import problems_of
from .test_loader_errors import BASE, edit

TOO_LONG_HINT = "a journey's durations are shorter than a customer's life"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("36500d", LONGEST),
        ("5214w", timedelta(weeks=5214)),
        ("3153600000s", LONGEST),
        ("0000000000000000000007d", timedelta(days=7)),
        ("36501d", None),
        ("5215w", None),
        ("3153600001s", None),
        ("9" * 5000 + "d", None),  # never read as a number: far too long anyway
        ("7d\n", None),  # `$` would accept the newline; the parser does not
    ],
)
def test_durations_longer_than_100_years_are_not_durations(
    text: str, expected: timedelta | None
) -> None:
    assert parse_duration(text) == expected
    assert is_too_long(text) is (expected is None and not text.endswith("\n"))


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        pytest.param(
            edit("      - to: done\n        when: buy", "      - { to: done, after: 3000000d }"),
            "j.yaml:10:28: 'after' must be at most 36500d (100 years) (got 3000000d)",
            id="after",
        ),
        pytest.param(
            edit(
                "        when: buy", "        when: buy\n        times: 2\n        within: 36501d"
            ),
            "j.yaml:13:17: 'within' must be at most 36500d (100 years) (got 36501d)",
            id="within",
        ),
        pytest.param(
            edit("    phase: awareness", "    phase: awareness\n    expected_duration: 5215w"),
            "j.yaml:8:24: 'expected_duration' must be at most 36500d (100 years) (got 5215w)",
            id="expected_duration",
        ),
        pytest.param(
            BASE + "actions:\n  - { id: a, channel: web, cooldown: " + "9" * 30 + "m }\n",
            "j.yaml:15:38: 'cooldown' must be at most 36500d (100 years) (got " + "9" * 30 + "m)",
            id="cooldown",
        ),
        pytest.param(
            BASE + "contact_policy:\n  web: { max: 1, per: 3153600001s }\n",
            "j.yaml:15:23: 'per' must be at most 36500d (100 years) (got 3153600001s)",
            id="per",
        ),
        pytest.param(
            BASE + "goals:\n  g: { reach: done, within: 99999999d }\n",
            "j.yaml:15:29: 'within' must be at most 36500d (100 years) (got 99999999d)",
            id="goal-within",
        ),
    ],
)
def test_a_journey_duration_over_100_years_is_a_located_problem(text: str, problem: str) -> None:
    assert problems_of(text) == [f"{problem}; {TOO_LONG_HINT} [bad-duration]"]


def test_a_duration_in_a_condition_over_100_years_is_a_located_problem() -> None:
    text = edit(
        "        when: buy", "        when: buy\n        if: {time_in_stage: {gte: 36501d}}"
    )
    assert problems_of(text) == [
        "j.yaml:12:35: 'gte' must be at most 36500d (100 years) (got 36501d) [bad-duration]"
    ]


def test_a_duration_the_schema_lets_through_with_a_final_newline_is_a_problem() -> None:
    text = edit(
        "      - to: done\n        when: buy", "      - to: done\n        after: |\n          7d"
    )
    assert problems_of(text) == [
        "j.yaml:11:16: 'after' must be a duration such as 7d or 36h (got '7d\n') [bad-duration]"
    ]


# Scenario files ----------------------------------------------------------------------------


def scenario_problems(events: str, as_of: str = "") -> list[str]:
    text = f"journey: j.yaml\n{as_of}scenarios:\n  - name: s\n    events:\n{events}"
    text += "    expect: { stage: aware }\n"
    with pytest.raises(JourneyError) as caught:
        parse_scenario_file(text, source="s.yaml")
    return [str(problem) for problem in caught.value.problems]


def out_of_range(value: object) -> str:
    """What `parse_timestamp` says of a time outside the supported range."""
    with pytest.raises(ValueError, match="outside the supported range") as caught:
        parse_timestamp(value, timezone.utc)
    return str(caught.value)


def test_a_relative_time_over_100_years_is_a_located_problem() -> None:
    events = "      - { type: a, at: 2026-01-01 }\n      - { type: b, at: +3000000d }\n"
    assert scenario_problems(events) == [
        "s.yaml:6:24: 'at' must be at most +36500d (100 years) after the previous event "
        "(got +3000000d); split the scenario, or give the event an absolute time [bad-duration]"
    ]


def test_a_relative_time_past_the_supported_range_is_a_located_problem() -> None:
    events = "      - { type: a, at: 2999-12-31 }\n      - { type: b, at: +2d }\n"
    reason = out_of_range(datetime(3000, 1, 2, tzinfo=timezone.utc))
    assert scenario_problems(events) == [
        f"s.yaml:6:24: 'at' must be a time (got +2d); {reason} [bad-timestamp]"
    ]


def test_times_outside_the_supported_range_are_located_problems() -> None:
    events = "      - { type: a, at: 1899-12-31T23:59:59Z }\n"
    assert scenario_problems(events, as_of="as_of: 3000-01-01\n") == [
        f"s.yaml:2:8: 'as_of' must be a time (got 3000-01-01); {out_of_range('3000-01-01')} "
        "[bad-timestamp]",
        "s.yaml:6:24: 'at' must be a time (got 1899-12-31T23:59:59Z); "
        f"{out_of_range('1899-12-31T23:59:59Z')} [bad-timestamp]",
    ]


def test_a_timeout_of_zero_is_refused_since_two_could_move_a_customer_for_ever() -> None:
    text = edit("      - to: done\n        when: buy", "      - { to: done, after: 0s }")
    assert problems_of(text) == [
        "j.yaml:10:28: a timeout ('after') must be longer than 0s; a customer would leave at "
        "the moment they enter; give a duration such as 1m [bad-timeout]"
    ]

"""Plain words, plurals, the journey's zone and the customers behind each figure.

A club journey in Europe/Berlin, as of 2026-03-24 (local midnight):

- a1 signs up on 1 March, joins on the 2nd (the goal) and cancels on the 4th: churn after
  the goal.
- a2 signs up and stays in 'trial' (expected 7d): stalled, never joined.
- a3 signs up (the record sent twice: one duplicate) and joins on the 3rd.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

import pytest

import customer_journey as cj
from customer_journey.analytics import OddsRatio, RootCause
from customer_journey.render import analysis_text
from customer_journey.render._analysis import direction
from customer_journey.render._report._sections import (
    explain_command,
    friction_section,
    funnel_section,
    goals_section,
    head_lines,
)

CLUB = """\
journey: club
timezone: Europe/Berlin
touchpoints:
  signup: { event: trial.started, channel: web }
  join:   { event: membership.bought, channel: store }
  cancel: { event: membership.cancelled, channel: store }
stages:
  trial:
    entry: [signup]
    expected_duration: 7d
    transitions: [{ to: member, when: join }]
  member: {}
  cancelled: { terminal: true }
anywhere:
  - { to: cancelled, when: cancel }
goals:
  joined: { reach: member }
"""

DAY_0 = datetime(2026, 3, 1, 9, tzinfo=timezone.utc)


def event(customer: str, kind: str, day: int, **fields: Any) -> dict[str, Any]:
    return {
        "customer_id": customer,
        "type": kind,
        "timestamp": (DAY_0 + timedelta(days=day)).isoformat(),
        **fields,
    }


RECORDS = [
    event("a1", "trial.started", 0),
    event("a1", "membership.bought", 1),
    event("a1", "membership.cancelled", 3),
    event("a2", "trial.started", 0),
    event("a3", "trial.started", 0, event_id="x"),
    event("a3", "trial.started", 0, event_id="x"),
    event("a3", "membership.bought", 2),
]


@pytest.fixture(scope="module")
def analysis() -> cj.Analysis:
    club = cj.loads(CLUB, source="club.journey.yaml")
    return cj.analyze(club, RECORDS, "2026-03-24", min_count=1)


@pytest.fixture(scope="module")
def lines(analysis: cj.Analysis) -> list[str]:
    return analysis_text(analysis).splitlines()


def test_the_text_shows_as_of_in_the_journeys_zone_and_counts_in_good_english(
    lines: list[str],
) -> None:
    assert lines[:3] == [
        "journey 'club', as of 2026-03-24T00:00:00+01:00",
        "customers: 3 in the journey, 0 outside",
        "records: 7 read, 7 accepted, 0 rejected, 1 duplicate, 0 after as_of",
    ]


def test_a_journey_whose_stages_have_no_phase_shows_no_phases(lines: list[str]) -> None:
    phases = lines.index("Phases")
    assert lines[phases + 1 : phases + 3] == ["  (none)", ""]


def test_the_friction_table_says_too_few_and_after_the_goal_in_words(lines: list[str]) -> None:
    friction = lines.index("Friction, by customers lost to goal 'joined'")
    assert lines[friction + 1 : friction + 4] == [
        "  friction                customers  rate  without  odds ratio (range)            lost",
        "  stalled in 'trial'              1  0.0%   100.0%    too few to judge               1",
        "  churned at 'cancelled'          1     -    50.0%                   -  after the goal",
    ]
    note = " ".join(line.strip() for line in lines[friction + 4 : friction + 11])
    assert "Odds ratio: how many times the odds of the outcome with it are those without" in note
    assert note.endswith(
        "too few to judge: fewer than 5 customers on a side, or a range over 100 times wide."
    )


def test_the_text_says_how_customers_leave_each_stage(lines: list[str]) -> None:
    leave = lines.index("How customers leave each stage: exits by trigger")
    assert lines[leave + 1 : leave + 4] == [
        "  trial: 'join' 2 (100.0%)",
        "  member: 'cancel' 1 (100.0%)",
        "",
    ]


def test_the_trend_dates_are_the_journeys_days_by_default(lines: list[str]) -> None:
    # Berlin's midnight of 23 March is 23:00 UTC on the 22nd: the date shown is the 23rd.
    trend = lines.index("Trend: customers per stage, every day")
    assert lines[trend + 1] == (
        "  stage      2026-03-19  2026-03-20  2026-03-21  2026-03-22  2026-03-23  as_of"
    )


def test_the_attribution_chance_is_explained_in_words(lines: list[str]) -> None:
    attribution = lines.index(
        "Attribution: share of conversions lost without the moves that carried it"
    )
    text = " ".join(line.strip() for line in lines[attribution:])
    assert "chance: the share of customers expected to reach the goal from how customers" in text


def test_the_report_head_shows_as_of_in_the_journeys_zone(analysis: cj.Analysis) -> None:
    head = head_lines(analysis)
    assert head[0] == (
        'journey <strong>club</strong>, as of <time data-figure="as_of">'
        "2026-03-24T00:00:00+01:00</time>"
    )
    assert head[2].endswith("rejected, 1 duplicate, 0 after as_of")


def test_the_explain_command_names_the_files_quoted_for_the_shell(
    analysis: cj.Analysis,
) -> None:
    assert explain_command(analysis, "a2", ("club.journey.yaml", "my events.jsonl")) == (
        "customer-journey explain club.journey.yaml 'my events.jsonl' --customer a2 "
        "--as-of 2026-03-24T00:00:00+01:00"
    )
    assert explain_command(analysis, "o'neil") == (
        "customer-journey explain JOURNEY EVENTS --customer 'o'\"'\"'neil' "
        "--as-of 2026-03-24T00:00:00+01:00"
    )


def test_each_friction_lists_its_customers_with_the_explain_command(
    analysis: cj.Analysis,
) -> None:
    html = friction_section(analysis, files=("club.journey.yaml", "events.jsonl"))
    assert (
        '<td>stalled in &#x27;trial&#x27;<details class="examples"><summary>1 example '
        "customer</summary><ul><li><code>a2</code>: <code>customer-journey explain "
        "club.journey.yaml events.jsonl --customer a2 --as-of 2026-03-24T00:00:00+01:00</code>"
        "</li></ul></details></td>"
    ) in html
    assert '<td class="num">too few customers to judge</td>' in html
    assert '<td class="num">after the goal</td>' in html


def test_statistical_headings_carry_their_plain_words_as_a_tooltip(
    analysis: cj.Analysis,
) -> None:
    friction = friction_section(analysis)
    assert (
        '<th class=num><abbr title="how many times the odds of the outcome with it are those '
        "without it: above 1 it goes with more customers getting there, below 1 with fewer; "
        "range: the range the true figure lies in, 95 times in 100; a wide range means too "
        'few customers to be sure">odds ratio (range)</abbr></th>'
    ) in friction
    goals = goals_section(analysis)
    assert '">chance</abbr></th>' in goals
    assert "Markov" not in goals.replace("(a Markov chain of the moves)", "")


def test_a_stalled_stage_lists_its_customers_under_the_funnel(analysis: cj.Analysis) -> None:
    html = funnel_section(analysis)
    assert html.endswith(
        '<details class="examples"><summary>stalled in &#x27;trial&#x27;: 1 example customer'
        "</summary><ul><li><code>a2</code>: <code>customer-journey explain JOURNEY EVENTS "
        "--customer a2 --as-of 2026-03-24T00:00:00+01:00</code></li></ul></details>"
    )


def test_the_report_says_how_customers_leave_each_stage(analysis: cj.Analysis) -> None:
    assert friction_section(analysis).endswith(
        "<h3>How customers leave each stage</h3><ul><li>trial: &#x27;join&#x27; 2 (100.0%)</li>"
        "<li>member: &#x27;cancel&#x27; 1 (100.0%)</li></ul>"
    )


@pytest.mark.parametrize(
    ("ratio", "visits", "words"),
    [
        (OddsRatio(16.0, 2.0, 129.0, corrected=False), 10, "raises"),
        (OddsRatio(0.2, 0.05, 0.8, corrected=False), 10, "lowers"),
        (OddsRatio(1.04, 0.65, 1.67, corrected=False), 156, "no clear effect"),
        (OddsRatio(16.0, 2.0, 129.0, corrected=False), 4, "unclear"),  # too few
        (OddsRatio(84501.0, 1665.0, 4288192.0, corrected=True), 300, "unclear"),  # too wide
    ],
)
def test_a_root_cause_says_what_it_does_in_words(ratio: OddsRatio, visits: int, words: str) -> None:
    cause = RootCause("trial", ("channel", "email"), visits, 1, visits, 1, ratio)
    assert direction(cause) == words

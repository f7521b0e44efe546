"""The experiments section of `analysis_text`: per arm its customers, goals and lift in words.

The figures are the analytics guide's worked example: 162 of 1,000 treated customers
reached the goal against 120 of 1,000 in the holdout.
"""

from __future__ import annotations

import attrs
import pytest

import customer_journey as cj
from customer_journey.analytics._lift import ExperimentTally, measure_lift
from customer_journey.render import analysis_text
from customer_journey.render._tables import lift

JOURNEY = """\
journey: winback
timezone: UTC
touchpoints:
  lapsed: { event: plan.lapsed, channel: web }
  back: { event: plan.purchased, channel: web }
stages:
  lapsed:
    entry: [lapsed]
    transitions:
      - to: resubscribed
        when: back
  resubscribed:
    terminal: true
goals:
  resubscribed: { reach: resubscribed }
  quick: { reach: resubscribed, within: 7d }
"""

RECORDS = [{"customer_id": "c1", "type": "plan.lapsed", "timestamp": "2026-03-02T09:00:00Z"}]


def analysis_with_experiments() -> cj.Analysis:
    """An analysis whose experiments are the worked example, and an A/B test with an empty arm."""
    tally = ExperimentTally(
        [
            ("global_holdout", ["holdout", "treated"], "holdout"),
            ("channel", ["email", "sms"], None),
        ],
        ["resubscribed", "quick"],
    )
    tally.customers.update(
        {("global_holdout", "holdout"): 1000, ("global_holdout", "treated"): 1000}
    )
    tally.customers.update({("channel", "email"): 500})
    tally.reached.update(
        {
            ("global_holdout", "holdout", "resubscribed"): 120,
            ("global_holdout", "treated", "resubscribed"): 162,
            ("global_holdout", "holdout", "quick"): 60,
            ("global_holdout", "treated", "quick"): 58,
            ("channel", "email", "resubscribed"): 81,
        }
    )
    analysis = cj.analyze(cj.loads(JOURNEY), RECORDS)
    return attrs.evolve(analysis, experiments=tally.figures())


EXPERIMENTS = """\
Experiments: each arm's goals, and its lift over the reference arm
  global_holdout: 2000 customers, reference arm 'holdout'
    arm                  customers  goal          reached   rate  lift (95% range), p
    holdout (reference)       1000  resubscribed      120  12.0%
                                    quick              60   6.0%
    treated                   1000  resubscribed      162  16.2%  +4.2 points (+1.1 to +7.3), p = 0.007
                                    quick              58   5.8%  -0.2 points (-2.3 to +1.9), p = 0.85
  channel: 500 customers, reference arm 'email'
    arm                customers  goal          reached   rate  lift (95% range), p
    email (reference)        500  resubscribed       81  16.2%
                                  quick               0   0.0%
    sms                        0  resubscribed        0      -  -
                                  quick               0      -  -
  lift: rate minus the reference's, in percentage points; a 95% range across 0: no clear difference
"""  # noqa: E501 - the text as printed


def test_the_experiments_section_shows_each_arm_and_its_lift_in_plain_words() -> None:
    text = analysis_text(analysis_with_experiments())
    assert text[text.index("\nExperiments") + 1 :] == EXPERIMENTS


def test_the_experiments_section_comes_last_before_the_groups() -> None:
    analysis = analysis_with_experiments()
    split = attrs.evolve(analysis, by="customer.segment", groups={"vip": analysis})
    text = analysis_text(split)
    assert text.index("\nNext actions") < text.index("\nExperiments") < text.index("\nBy customer")


def test_a_journey_without_experiments_has_no_experiments_section() -> None:
    assert "Experiments" not in analysis_text(cj.analyze(cj.loads(JOURNEY), RECORDS))


@pytest.mark.parametrize(
    ("counts", "words"),
    [
        ((162, 1000, 120, 1000), "+4.2 points (+1.1 to +7.3), p = 0.007"),
        ((81, 500, 60, 500), "+4.2 points (-0.1 to +8.5), p = 0.06"),
        ((13, 80, 9, 75), "+4.3 points (-7.1 to +15.3), p = 0.45"),
        ((1620, 10000, 1200, 10000), "+4.2 points (+3.2 to +5.2), p < 0.0001"),
        ((0, 10, 0, 20), "+0.0 points (-16.1 to +27.8), p = 1.00"),
        ((0, 20, 3, 20), "-15.0 points (-36.0 to +3.8), p = 0.07"),
    ],
)
def test_a_lift_reads_as_points_with_its_range_and_p_value(
    counts: tuple[int, int, int, int], words: str
) -> None:
    assert lift(measure_lift(*counts)) == words


def test_no_lift_reads_as_a_dash() -> None:
    assert lift(None) == "-"

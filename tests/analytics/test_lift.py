"""Measured lift (section 10): Newcombe's interval, the pooled z-test and the arm tally.

The intervals are checked against the published worked examples: Newcombe, R. G. (1998),
"Interval estimation for the difference between independent proportions: comparison of
eleven methods", Statistics in Medicine 17:873-890, Table II, method 10 (the hybrid score
interval from two Wilson intervals without continuity correction), to the 4 decimals
printed there. The same figures are the `wilson` row of
`test/test-data/newcombee.csv` in the independent Python implementation DeepPSP/DBCI.
"""

from __future__ import annotations

import math
import pickle
from collections import Counter
from collections.abc import Mapping
from typing import NamedTuple

import pytest

import customer_journey as cj
from customer_journey.analytics._lift import (
    ExperimentTally,
    Lift,
    difference_interval,
    measure_lift,
    two_proportion_p_value,
)
from customer_journey.engine import GoalStatus

# --- Newcombe's hybrid score interval ---------------------------------------------------

#: Newcombe (1998), Table II, method 10: (a/m, b/n) -> (lower, upper) for p1 - p2.
NEWCOMBE_TABLE_II = [
    ((56, 70, 48, 80), (0.0524, 0.3339)),
    ((9, 10, 3, 10), (0.1705, 0.8090)),
    ((6, 7, 2, 7), (0.0582, 0.8062)),
    ((5, 56, 0, 29), (-0.0381, 0.1926)),
    ((0, 10, 0, 20), (-0.1611, 0.2775)),
    ((0, 10, 0, 10), (-0.2775, 0.2775)),
    ((10, 10, 0, 20), (0.6791, 1.0000)),
    ((10, 10, 0, 10), (0.6075, 1.0000)),
]


@pytest.mark.parametrize(("counts", "published"), NEWCOMBE_TABLE_II)
def test_interval_matches_newcombe_1998_table_ii_method_10(
    counts: tuple[int, int, int, int], published: tuple[float, float]
) -> None:
    interval = difference_interval(*counts)
    assert interval is not None
    difference, low, high = interval
    reached_a, n_a, reached_b, n_b = counts
    assert difference == reached_a / n_a - reached_b / n_b
    assert (round(low, 4), round(high, 4)) == published


def test_interval_with_every_customer_reaching_ends_exactly_at_one() -> None:
    # 10/10 against 0/20: the upper bound is 1 exactly, not 1 plus or minus rounding.
    interval = difference_interval(10, 10, 0, 20)
    assert interval is not None
    assert (interval[0], round(interval[1], 4), interval[2]) == (1.0, 0.6791, 1.0)


def test_interval_of_two_groups_where_nobody_reached_is_centred_on_zero() -> None:
    interval = difference_interval(0, 10, 0, 10)
    assert interval is not None
    assert (interval[0], round(interval[1], 4), round(interval[2], 4)) == (0.0, -0.2775, 0.2775)


def test_interval_is_mirrored_when_the_groups_swap() -> None:
    forward = difference_interval(5, 56, 0, 29)
    backward = difference_interval(0, 29, 5, 56)
    assert forward is not None
    assert backward is not None
    assert backward == pytest.approx((-forward[0], -forward[2], -forward[1]))


def test_a_higher_confidence_gives_a_wider_interval() -> None:
    at_95 = difference_interval(56, 70, 48, 80)
    at_99 = difference_interval(56, 70, 48, 80, confidence=0.99)
    assert at_95 is not None
    assert at_99 is not None
    assert at_99[1] < at_95[1] < at_95[2] < at_99[2]


@pytest.mark.parametrize("counts", [(0, 0, 3, 10), (3, 10, 0, 0), (0, 0, 0, 0)])
def test_interval_is_none_when_a_group_is_empty(counts: tuple[int, int, int, int]) -> None:
    assert difference_interval(*counts) is None


# --- the pooled two-proportion z-test ----------------------------------------------------


def test_p_value_matches_statsmodels_proportions_ztest_example() -> None:
    # statsmodels' test_proportion.py (GH 2969): proportions_ztest([5, 12], [83, 99]) gives
    # z = -1.4078304151258787 and p = 0.15918129181156992.
    assert two_proportion_p_value(5, 83, 12, 99) == pytest.approx(0.15918129181156992, rel=1e-12)


def test_p_value_is_the_normal_tail_of_the_pooled_z_worked_by_hand() -> None:
    # 56/70 against 48/80: pooled 104/150, z = 0.2 / √(p(1-p)(1/70 + 1/80)) ≈ 2.6502.
    pooled = 104 / 150
    z = 0.2 / math.sqrt(pooled * (1 - pooled) * (1 / 70 + 1 / 80))
    assert z == pytest.approx(2.6502, abs=1e-4)
    assert two_proportion_p_value(56, 70, 48, 80) == pytest.approx(math.erfc(z / math.sqrt(2)))
    assert two_proportion_p_value(56, 70, 48, 80) == pytest.approx(0.00805, abs=1e-5)


def test_p_value_of_a_large_clear_difference_stays_above_zero() -> None:
    # 16.2% of 10,000 against 12.0% of 10,000: z ≈ 8.53, p ≈ 1.4e-17, not rounded to 0.
    p_value = two_proportion_p_value(1620, 10_000, 1200, 10_000)
    assert p_value is not None
    assert 1e-17 < p_value < 2e-17


def test_p_value_of_equal_rates_is_one() -> None:
    assert two_proportion_p_value(20, 100, 10, 50) == pytest.approx(1.0)


@pytest.mark.parametrize("counts", [(0, 10, 0, 20), (10, 10, 20, 20)])
def test_p_value_is_one_when_nobody_or_everybody_reached_in_both_groups(
    counts: tuple[int, int, int, int],
) -> None:
    assert two_proportion_p_value(*counts) == 1.0


@pytest.mark.parametrize("counts", [(0, 0, 3, 10), (3, 10, 0, 0)])
def test_p_value_is_none_when_a_group_is_empty(counts: tuple[int, int, int, int]) -> None:
    assert two_proportion_p_value(*counts) is None


# --- Lift --------------------------------------------------------------------------------


def test_lift_holds_the_difference_interval_and_p_value() -> None:
    lift = measure_lift(56, 70, 48, 80)
    assert lift is not None
    assert lift.difference == pytest.approx(0.2)
    assert (round(lift.low, 4), round(lift.high, 4)) == (0.0524, 0.3339)
    assert lift.p_value == two_proportion_p_value(56, 70, 48, 80)


def test_lift_to_dict_has_its_keys_in_order() -> None:
    assert list(Lift(0.042, 0.01, 0.074, 0.01).to_dict().items()) == [
        ("difference", 0.042),
        ("low", 0.01),
        ("high", 0.074),
        ("p_value", 0.01),
    ]


def test_no_lift_against_an_empty_reference_arm() -> None:
    assert measure_lift(3, 10, 0, 0) is None


# --- the arm tally ------------------------------------------------------------------------

EXPERIMENTS = [
    ("global_holdout", ["treated", "holdout"], "holdout"),
    ("winback_channel", ["email", "sms"], None),
]
GOALS = ["resubscribed", "watched"]


class Result(NamedTuple):
    """The parts of a `ReplayResult` the tally reads."""

    stage: str | None
    arms: Mapping[str, str]
    goals: Mapping[str, GoalStatus]


def customer(holdout: str, channel: str, *reached: str, stage: str | None = "active") -> Result:
    """A customer in arms `holdout` and `channel` who reached the goals `reached`."""
    goals = {goal: GoalStatus(goal, "reached" if goal in reached else "pending") for goal in GOALS}
    return Result(stage, {"global_holdout": holdout, "winback_channel": channel}, goals)


#: 4 treated (3 resubscribed, 1 watched), 2 in the holdout (1 resubscribed); 3 email
#: (2 resubscribed), 3 sms (2 resubscribed, 1 watched); one customer outside the journey.
POPULATION = [
    customer("treated", "email", "resubscribed"),
    customer("treated", "sms", "resubscribed", "watched"),
    customer("treated", "email", "resubscribed"),
    customer("treated", "sms"),
    customer("holdout", "email"),
    customer("holdout", "sms", "resubscribed"),
    customer("treated", "email", "resubscribed", "watched", stage=None),
]


def tally_of(results: list[Result]) -> ExperimentTally:
    tally = ExperimentTally(EXPERIMENTS, GOALS)
    for result in results:
        tally.add(result)
    return tally


def test_figures_count_each_arm_and_measure_it_against_the_holdout() -> None:
    first = tally_of(POPULATION).figures()[0]
    assert first.reference == "holdout"
    treated, holdout = first.arms
    assert (treated.arm, treated.customers) == ("treated", 4)
    assert (holdout.arm, holdout.customers) == ("holdout", 2)
    resubscribed = treated.goals[0]
    assert (resubscribed.reached, resubscribed.rate) == (3, 0.75)
    assert resubscribed.lift == measure_lift(3, 4, 1, 2)
    assert [goal.lift for goal in holdout.goals] == [None, None]


def test_without_a_holdout_the_first_arm_is_the_reference() -> None:
    second = tally_of(POPULATION).figures()[1]
    assert second.reference == "email"
    email, sms = second.arms
    assert [goal.lift for goal in email.goals] == [None, None]
    assert [(goal.reached, goal.lift) for goal in sms.goals] == [
        (2, measure_lift(2, 3, 2, 3)),
        (1, measure_lift(1, 3, 0, 3)),
    ]


def test_customers_outside_the_journey_are_not_counted() -> None:
    tally = tally_of(POPULATION)
    assert sum(tally.customers.values()) == 2 * 6


def test_an_arm_without_customers_has_no_rate_and_no_lift() -> None:
    figures = tally_of([customer("treated", "email", "watched")]).figures()
    holdout = figures[0].arms[1]
    assert (holdout.customers, [(goal.rate, goal.lift) for goal in holdout.goals]) == (
        0,
        [(None, None), (None, None)],
    )
    treated = figures[0].arms[0]
    assert [(goal.rate, goal.lift) for goal in treated.goals] == [(0.0, None), (1.0, None)]


@pytest.mark.parametrize("cut", [0, 1, 3, 6, 7])
def test_merged_tallies_equal_one_pass(cut: int) -> None:
    whole = tally_of(POPULATION)
    first = tally_of(POPULATION[:cut])
    second = pickle.loads(pickle.dumps(tally_of(POPULATION[cut:])))
    first.merge(second)
    assert (first.customers, first.reached) == (whole.customers, whole.reached)
    assert first.figures() == whole.figures()


def test_figures_json_has_the_shape_of_the_analyze_output() -> None:
    tally = tally_of(POPULATION[4:6])  # the two holdout customers: one email, one sms
    lift = measure_lift(1, 1, 0, 1)
    assert lift is not None
    assert [experiment.to_dict() for experiment in tally.figures()] == [
        {
            "experiment": "global_holdout",
            "reference": "holdout",
            "arms": [
                {
                    "arm": "treated",
                    "customers": 0,
                    "goals": [
                        {"goal": "resubscribed", "reached": 0, "rate": None, "lift": None},
                        {"goal": "watched", "reached": 0, "rate": None, "lift": None},
                    ],
                },
                {
                    "arm": "holdout",
                    "customers": 2,
                    "goals": [
                        {"goal": "resubscribed", "reached": 1, "rate": 0.5, "lift": None},
                        {"goal": "watched", "reached": 0, "rate": 0.0, "lift": None},
                    ],
                },
            ],
        },
        {
            "experiment": "winback_channel",
            "reference": "email",
            "arms": [
                {
                    "arm": "email",
                    "customers": 1,
                    "goals": [
                        {"goal": "resubscribed", "reached": 0, "rate": 0.0, "lift": None},
                        {"goal": "watched", "reached": 0, "rate": 0.0, "lift": None},
                    ],
                },
                {
                    "arm": "sms",
                    "customers": 1,
                    "goals": [
                        {
                            "goal": "resubscribed",
                            "reached": 1,
                            "rate": 1.0,
                            "lift": {
                                "difference": 1.0,
                                "low": lift.low,
                                "high": 1.0,
                                "p_value": lift.p_value,
                            },
                        },
                        {
                            "goal": "watched",
                            "reached": 0,
                            "rate": 0.0,
                            "lift": {
                                "difference": 0.0,
                                "low": pytest.approx(-0.7935, abs=5e-5),
                                "high": pytest.approx(0.7935, abs=5e-5),
                                "p_value": 1.0,
                            },
                        },
                    ],
                },
            ],
        },
    ]


# --- through the engine ---------------------------------------------------------------------

JOURNEY = """\
journey: lift
timezone: UTC
touchpoints:
  landing: { event: page.viewed, channel: web }
  bought: { event: plan.purchased, channel: web }
stages:
  visitor:
    entry: [landing]
    transitions:
      - to: subscriber
        when: bought
  subscriber:
    terminal: true
goals:
  subscribed: { reach: subscriber }
experiments:
  offer:
    arms: { plain: 50, discount: 30, control: 20 }
    holdout: control
"""


def test_replayed_customers_are_counted_in_the_arms_the_journey_assigns() -> None:
    journey = cj.loads(JOURNEY)
    experiment = journey.model.experiments["offer"]
    records: list[dict[str, object]] = []
    for number in range(60):
        customer = f"c{number}"
        records.append(
            {"customer_id": customer, "type": "page.viewed", "timestamp": "2026-03-02T09:00:00Z"}
        )
        if number % 3 == 0:
            records.append(
                {
                    "customer_id": customer,
                    "type": "plan.purchased",
                    "timestamp": "2026-03-03T09:00:00Z",
                }
            )
    # c60 only bought: never placed, so in no arm's count.
    records.append(
        {"customer_id": "c60", "type": "plan.purchased", "timestamp": "2026-03-03T09:00:00Z"}
    )
    tally = ExperimentTally([("offer", list(experiment.arms), experiment.holdout)], ["subscribed"])
    for result in journey.replay_all(records):
        tally.add(result)
    customers: Counter[str] = Counter()
    reached: Counter[str] = Counter()
    for number in range(60):
        arm = experiment.arm_of(f"c{number}")
        customers[arm] += 1
        reached[arm] += number % 3 == 0
    (figures,) = tally.figures()
    assert figures.reference == "control"
    assert [(arm.arm, arm.customers, arm.goals[0].reached) for arm in figures.arms] == [
        (arm, customers[arm], reached[arm]) for arm in ("plain", "discount", "control")
    ]
    assert sum(customers.values()) == 60

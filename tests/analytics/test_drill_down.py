"""From a figure to the customers behind it: example ids, the full list, the journey's zone.

Uses the gym population of `test_causes_and_friction` (as of day 40).
"""

from __future__ import annotations

import random

import pytest

import customer_journey as cj
from customer_journey.analytics import count_part, customers_of, merge_parts
from customer_journey.analytics._tally import EXAMPLES, keep_example

from .test_causes_and_friction import AS_OF, GYM, population

TIMED_OUT = ["t08", "t09", "t13", "t14", "t15", "t16", "t17", "t18", "t19"]


@pytest.fixture(scope="module")
def gym() -> cj.Journey:
    return cj.loads(GYM, source="gym.journey.yaml")


@pytest.fixture(scope="module")
def analysis(gym: cj.Journey) -> cj.Analysis:
    return cj.analyze(gym, population(), AS_OF, min_count=2)


def test_examples_are_the_smallest_ids_whatever_the_order_they_come_in() -> None:
    ids = [f"c{number:02d}" for number in range(20)]
    for seed in range(5):
        random.Random(seed).shuffle(ids)
        kept: list[str] = []
        for customer in [*ids, *ids]:  # a customer seen twice is kept once
            keep_example(kept, customer)
        assert kept == ["c00", "c01", "c02", "c03", "c04"]
    assert EXAMPLES == 5


def test_a_stage_lists_example_customers_stalled_in_it(analysis: cj.Analysis) -> None:
    assert analysis.stage("member").stalled_examples == ("t07", "t10", "t11")
    assert analysis.stage("trial").stalled_examples == ()
    assert analysis.to_dict()["stages"][1]["stalled_examples"] == ["t07", "t10", "t11"]


def test_a_friction_lists_its_five_smallest_customer_ids(analysis: cj.Analysis) -> None:
    timeout = next(item for item in analysis.friction if item.kind == "timeout")
    assert timeout.customers == 9
    assert timeout.examples == tuple(TIMED_OUT[:5])
    assert timeout.to_dict()["examples"] == TIMED_OUT[:5]


def test_a_root_cause_lists_customers_with_the_factor_in_that_stage(
    analysis: cj.Analysis,
) -> None:
    cause = next(c for c in analysis.root_causes if c.feature == ("touchpoint", "newsletter"))
    assert cause.examples == ("t00", "t01", "t02", "t03", "t04")
    assert cause.to_dict()["examples"] == ["t00", "t01", "t02", "t03", "t04"]


@pytest.mark.parametrize("shares", [2, 3, 7])
def test_examples_merge_exactly_across_shares(
    gym: cj.Journey, analysis: cj.Analysis, shares: int
) -> None:
    records = population()
    customers = sorted({record["customer_id"] for record in records})
    random.Random(shares).shuffle(customers)
    parts = [
        count_part(
            gym,
            gym.events_from([r for r in records if r["customer_id"] in customers[part::shares]]),
            AS_OF,
        )
        for part in range(shares)
    ]
    merged = merge_parts(gym, parts, min_count=2)
    assert merged.friction == analysis.friction
    assert merged.root_causes == analysis.root_causes
    assert merged.stages == analysis.stages


def test_customers_of_a_stage_are_everyone_in_it_now(gym: cj.Journey) -> None:
    source = gym.events_from(population())
    assert customers_of(gym, source, AS_OF, "member") == ["t07", "t10", "t11"]
    assert customers_of(gym, source, AS_OF, "regular") == [f"t0{n}" for n in range(6)]


def test_customers_of_a_friction_are_every_customer_with_it(gym: cj.Journey) -> None:
    source = gym.events_from(population())
    assert customers_of(gym, source, AS_OF, "timed out of 'trial' into 'lapsed'") == TIMED_OUT
    assert customers_of(gym, source, AS_OF, "churned at 'cancelled'") == ["t06", "t12"]
    assert customers_of(gym, source, AS_OF, "stalled in 'member'") == ["t07", "t10", "t11"]


def test_an_unknown_stage_or_friction_names_the_closest(gym: cj.Journey) -> None:
    source = gym.events_from(population())
    with pytest.raises(KeyError) as raised:
        customers_of(gym, source, AS_OF, "stalled in member")
    assert raised.value.args[0] == (
        "unknown stage or friction 'stalled in member'; did you mean 'stalled in 'member''?"
    )
    with pytest.raises(KeyError) as raised:
        customers_of(gym, source, AS_OF, "xyz")
    assert raised.value.args[0] == (
        "unknown stage or friction 'xyz'; name a stage, or a friction as analyze shows it"
    )


def test_the_analysis_carries_the_journeys_timezone(gym: cj.Journey) -> None:
    berlin = cj.loads(GYM.replace("timezone: UTC", "timezone: Europe/Berlin"))
    analysis = cj.analyze(berlin, population(), AS_OF, by="first_channel")
    assert analysis.timezone == "Europe/Berlin"
    assert analysis.groups["web"].timezone == "Europe/Berlin"
    assert analysis.to_dict()["timezone"] == "Europe/Berlin"
    assert analysis.to_dict()["as_of"] == "2026-02-14T09:00:00Z"  # JSON keeps UTC
    assert cj.analyze(gym, population(), AS_OF).timezone == "UTC"

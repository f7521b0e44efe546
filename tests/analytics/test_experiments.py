"""Experiments in `analyze` (section 10): each arm's customers, goals and lift.

A small population replayed through a journey with a global holdout and an A/B test. The
expected counts are worked out by brute force: each customer replayed on their own with
`Journey.replay`, their arms and goals counted by hand.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

import customer_journey as cj
from customer_journey.analytics import ExperimentFigures, count_part, merge_parts
from customer_journey.analytics._lift import measure_lift
from customer_journey.render import comparison_text

JOURNEY = """\
journey: trial
timezone: UTC
touchpoints:
  landing: { event: page.viewed, channel: web }
  bought: { event: plan.purchased, channel: web }
stages:
  visitor: { entry: [landing], transitions: [{ to: subscriber, when: bought }] }
  subscriber: { terminal: true }
goals:
  subscribed: { reach: subscriber }
  quick: { reach: subscriber, within: 1d }
experiments:
  global_holdout:
    arms: { control: 20, treated: 80 }
    holdout: control
  offer:
    arms: { plain: 50, discount: 50 }
    salt: offer-2026
"""

#: The same journey without experiments.
PLAIN = JOURNEY[: JOURNEY.index("experiments:")]

AS_OF = "2026-03-20T00:00:00Z"
#: Customers c0 to c(N - 1) are placed; c0, c3, ... buy within the hour, c1, c4, ... three
#: days later (too late for 'quick'), the others never.
N = 90


def _record(customer: str, kind: str, day: int, hour: int = 9) -> dict[str, str]:
    return {
        "customer_id": customer,
        "type": kind,
        "timestamp": f"2026-03-{2 + day:02d}T{hour:02d}:00:00Z",
    }


def population() -> list[dict[str, str]]:
    """The records: N placed customers, and one who only bought (never in the journey)."""
    records = []
    for number in range(N):
        customer = f"c{number}"
        records.append(_record(customer, "page.viewed", number % 5))
        if number % 3 == 0:
            records.append(_record(customer, "plan.purchased", number % 5, 10))
        elif number % 3 == 1:
            records.append(_record(customer, "plan.purchased", number % 5 + 3))
    records.append(_record("outsider", "plan.purchased", 1))
    return records


@pytest.fixture(scope="module")
def journey() -> cj.Journey:
    return cj.loads(JOURNEY)


@pytest.fixture(scope="module")
def analysis(journey: cj.Journey) -> cj.Analysis:
    return cj.analyze(journey, population(), AS_OF)


def brute_force(journey: cj.Journey) -> tuple[Counter[tuple[str, str]], Counter[tuple[str, ...]]]:
    """Per (experiment, arm) the customers in the journey, and per (.., goal) who reached it."""
    by_customer: dict[str, list[dict[str, str]]] = {}
    for record in population():
        by_customer.setdefault(record["customer_id"], []).append(record)
    customers: Counter[tuple[str, str]] = Counter()
    reached: Counter[tuple[str, ...]] = Counter()
    for records in by_customer.values():
        result = journey.replay(records, AS_OF)
        if result.stage is None:
            continue
        for experiment, arm in result.arms.items():
            customers[experiment, arm] += 1
            for goal, status in result.goals.items():
                reached[experiment, arm, goal] += status.status == "reached"
    return customers, reached


def test_each_arm_counts_its_customers_and_goals_as_replaying_each_one_does(
    journey: cj.Journey, analysis: cj.Analysis
) -> None:
    customers, reached = brute_force(journey)
    assert sum(customers[key] for key in customers if key[0] == "offer") == N
    shown = [
        (figures.experiment, arm.arm, arm.customers, goal.goal, goal.reached)
        for figures in analysis.experiments
        for arm in figures.arms
        for goal in arm.goals
    ]
    assert shown == [
        (experiment, arm, customers[experiment, arm], goal, reached[experiment, arm, goal])
        for experiment, arms in (
            ("global_holdout", ("control", "treated")),
            ("offer", ("plain", "discount")),
        )
        for arm in arms
        for goal in ("subscribed", "quick")
    ]


def test_each_arm_is_measured_against_the_holdout_or_else_the_first_arm(
    journey: cj.Journey, analysis: cj.Analysis
) -> None:
    customers, reached = brute_force(journey)
    holdout, offer = analysis.experiments
    assert (holdout.reference, offer.reference) == ("control", "plain")
    for figures in (holdout, offer):
        base = figures.reference
        for arm in figures.arms:
            for goal in arm.goals:
                key = (figures.experiment, arm.arm)
                assert goal.rate == reached[(*key, goal.goal)] / customers[key]
                expected = None
                if arm.arm != base:
                    expected = measure_lift(
                        reached[(*key, goal.goal)],
                        customers[key],
                        reached[figures.experiment, base, goal.goal],
                        customers[figures.experiment, base],
                    )
                assert goal.lift == expected


def test_the_json_has_the_experiments_after_the_goals_in_the_documented_shape(
    analysis: cj.Analysis,
) -> None:
    report = json.loads(analysis.to_json())
    keys = list(report)
    assert keys[keys.index("goals") + 1] == "experiments"
    holdout = report["experiments"][0]
    assert list(holdout) == ["experiment", "reference", "arms"]
    assert (holdout["experiment"], holdout["reference"]) == ("global_holdout", "control")
    control, treated = holdout["arms"]
    assert list(control) == ["arm", "customers", "goals"]
    assert [goal["lift"] for goal in control["goals"]] == [None, None]
    first = treated["goals"][0]
    assert list(first) == ["goal", "reached", "rate", "lift"]
    assert list(first["lift"]) == ["difference", "low", "high", "p_value"]
    figures = analysis.experiments[0].arms[1].goals[0]
    assert figures.lift is not None
    assert first["lift"] == {
        "difference": figures.lift.difference,
        "low": figures.lift.low,
        "high": figures.lift.high,
        "p_value": figures.lift.p_value,
    }


def test_a_journey_without_experiments_has_an_empty_experiments_list() -> None:
    analysis = cj.analyze(cj.loads(PLAIN), population(), AS_OF)
    assert analysis.experiments == ()
    assert analysis.to_dict()["experiments"] == []


def test_by_an_experiment_splits_the_customers_by_arm(
    journey: cj.Journey, analysis: cj.Analysis
) -> None:
    split = cj.analyze(journey, population(), AS_OF, by="experiment.offer")
    customers, _ = brute_force(journey)
    assert split.by == "experiment.offer"
    assert {value: group.customers for value, group in split.groups.items()} == {
        "discount": customers["offer", "discount"],
        "plain": customers["offer", "plain"],
    }
    assert split.experiments == analysis.experiments
    # Each group's tally counts its own customers: all of them in its own arm.
    discount = split.groups["discount"].experiments[1]
    assert [(arm.arm, arm.customers) for arm in discount.arms] == [
        ("plain", 0),
        ("discount", customers["offer", "discount"]),
    ]
    assert [goal.lift for goal in discount.arms[1].goals] == [None, None]
    holdout = split.groups["discount"].experiments[0]
    assert sum(arm.customers for arm in holdout.arms) == customers["offer", "discount"]


def test_by_an_unknown_experiment_is_refused_with_the_closest_one() -> None:
    with pytest.raises(cj.ArgumentError) as raised:
        cj.analyze(cj.loads(JOURNEY), population(), AS_OF, by="experiment.ofer")
    assert str(raised.value) == "unknown experiment 'ofer'; did you mean 'offer'?"


def test_by_an_experiment_of_a_journey_without_experiments_says_it_has_none() -> None:
    with pytest.raises(cj.ArgumentError) as raised:
        cj.analyze(cj.loads(PLAIN), population(), AS_OF, by="experiment.offer")
    assert str(raised.value) == "unknown experiment 'offer'; the journey has no experiments"


def test_count_part_refuses_an_unknown_experiment_too(journey: cj.Journey) -> None:
    source = journey.events_from(population())
    with pytest.raises(cj.ArgumentError, match="unknown experiment 'holdout'"):
        count_part(journey, source, None, by="experiment.holdout")


def _shares(parts: int) -> list[list[dict[str, str]]]:
    """The records cut into `parts` shares, each customer wholly in one."""
    shares: list[list[dict[str, str]]] = [[] for _ in range(parts)]
    for record in population():
        shares[sum(map(ord, record["customer_id"])) % parts].append(record)
    return shares


@pytest.mark.parametrize("by", [None, "experiment.global_holdout"])
def test_shares_counted_apart_merge_into_the_one_pass_experiments(
    journey: cj.Journey, by: str | None
) -> None:
    whole = cj.analyze(journey, population(), AS_OF, by=by)
    parts = [
        count_part(journey, journey.events_from(share), whole.as_of, by=by) for share in _shares(3)
    ]
    merged = merge_parts(journey, parts)
    assert merged.experiments == whole.experiments
    assert {key: group.experiments for key, group in merged.groups.items()} == {
        key: group.experiments for key, group in whole.groups.items()
    }


def test_worker_processes_give_the_one_process_experiments(
    journey: cj.Journey, analysis: cj.Analysis, tmp_path: Path
) -> None:
    events = tmp_path / "events.jsonl"
    events.write_text("".join(json.dumps(r) + "\n" for r in population()), encoding="utf-8")
    counted = cj.analyze(journey, events, AS_OF, workers=2, by="experiment.offer")
    assert counted.experiments == analysis.experiments
    assert counted.groups["plain"].experiments == (
        cj.analyze(journey, population(), AS_OF, by="experiment.offer").groups["plain"].experiments
    )


def test_the_experiments_frame_is_long_with_whole_counts(analysis: cj.Analysis) -> None:
    pytest.importorskip("pandas")
    frame = analysis.to_frames()["experiments"]
    assert list(frame.columns) == [
        "experiment", "arm", "goal", "customers", "reached", "rate",
        "difference", "low", "high", "p_value",
    ]  # fmt: skip
    assert len(frame) == 2 * 2 * 2
    assert (str(frame["customers"].dtype), str(frame["reached"].dtype)) == ("int64", "int64")
    rows: list[dict[str, Any]] = frame.to_dict("records")
    control = rows[0]
    assert (control["experiment"], control["arm"], control["goal"]) == (
        "global_holdout",
        "control",
        "subscribed",
    )
    assert control["difference"] != control["difference"]  # NaN: the reference has no lift
    treated: ExperimentFigures = analysis.experiments[0]
    lift = treated.arms[1].goals[0].lift
    assert lift is not None
    assert rows[2]["p_value"] == lift.p_value


def test_compare_shows_each_versions_experiments(journey: cj.Journey) -> None:
    wider = cj.loads(JOURNEY.replace("control: 20, treated: 80", "control: 50, treated: 50"))
    comparison = cj.compare(journey, wider, population(), AS_OF)
    data = comparison.to_dict()
    assert list(data)[list(data).index("goals") + 1] == "experiments"
    assert data["experiments"] == {
        "a": [
            figures.to_dict() for figures in cj.analyze(journey, population(), AS_OF).experiments
        ],
        "b": [figures.to_dict() for figures in cj.analyze(wider, population(), AS_OF).experiments],
    }
    holdout_a, holdout_b = (data["experiments"][v][0]["arms"][0]["customers"] for v in "ab")
    assert holdout_a < holdout_b  # half the customers are in the holdout under b
    text = comparison_text(comparison)
    assert (
        "\nExperiments under a: each arm's goals and lift\n  global_holdout: 90 customers" in text
    )
    assert (
        "\nExperiments under b: each arm's goals and lift\n  global_holdout: 90 customers" in text
    )

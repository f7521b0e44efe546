"""`analyze` checked against an independent count: one `Journey.replay` per customer.

Random populations (seeded, small) in the purpose-made journey of `conftest`: each
customer is replayed alone, and the funnel, goal and balance figures are counted by hand
here, for everyone, for each `first_channel` group, and at every trend snapshot.
"""

from __future__ import annotations

import random
from collections import Counter, defaultdict
from datetime import datetime, timedelta
from typing import Any

import pytest

import customer_journey as cj
from customer_journey.engine import ReplayResult

from .conftest import DAY_0, record

#: (event type, extra fields) a random customer's events are drawn from.
KINDS: list[tuple[str, dict[str, Any]]] = [
    ("ad.clicked", {}),
    ("page.viewed", {"page": "/home"}),
    ("page.viewed", {"page": "/pricing"}),
    ("cart.added", {}),
    ("order.completed", {}),
    ("payment.failed", {}),
    ("account.closed", {}),
    ("action.performed", {"action": "guide"}),
]
AS_OF = DAY_0 + timedelta(days=20, hours=12)
SEEDS = range(6)


def random_population(seed: int) -> dict[str, list[dict[str, Any]]]:
    """Customer -> records: 5 to 25 customers with 1 to 8 events each over 20 days."""
    rng = random.Random(seed)
    customers: dict[str, list[dict[str, Any]]] = {}
    for number in range(rng.randrange(5, 26)):
        customer = f"r{number:02d}"
        events = []
        for _ in range(rng.randrange(1, 9)):
            kind, fields = rng.choice(KINDS)
            events.append(record(customer, kind, rng.randrange(21), rng.randrange(24), **fields))
        customers[customer] = events
    return customers


def replayed(journey: cj.Journey, seed: int, as_of: datetime) -> dict[str, ReplayResult]:
    """Every customer in the journey as of `as_of`, each replayed on their own."""
    results = {}
    for customer, events in random_population(seed).items():
        before = [event for event in events if datetime.fromisoformat(event["timestamp"]) <= as_of]
        if not before:
            continue
        result = journey.replay(before, as_of, customer=customer)
        if result.stage is not None:
            results[customer] = result
    return results


def hand_count(journey: cj.Journey, results: list[ReplayResult]) -> dict[str, Any]:
    """The funnel, goal and balance figures, counted from the results one by one."""
    stages = journey.model.stages
    entered: Counter[str] = Counter()
    visits: Counter[str] = Counter()
    in_now: Counter[str] = Counter()
    reached: Counter[str] = Counter()
    goals: dict[str, Counter[str]] = defaultdict(Counter)
    for result in results:
        names = [visit.stage for visit in result.path]
        entered.update(set(names))
        visits.update(names)
        assert result.stage is not None
        in_now[result.stage] += 1
        furthest = max(
            (stages[name].index for name in names if stages[name].phase is not None), default=-1
        )
        for name, stage in stages.items():
            if stage.phase is not None and stage.index <= furthest:
                reached[name] += 1
        for goal, status in result.goals.items():
            goals[goal][status.status] += 1
    return {
        "customers": len(results),
        "stages": {
            name: (
                entered[name],
                visits[name],
                reached[name] if stages[name].phase is not None else None,
                in_now[name],
            )
            for name in stages
        },
        "goals": {
            goal: (goals[goal]["reached"], goals[goal]["missed"], goals[goal]["pending"])
            for goal in journey.model.goals
        },
    }


def figures_of(analysis: cj.Analysis) -> dict[str, Any]:
    """The same figures as `analyze` reports them."""
    return {
        "customers": analysis.customers,
        "stages": {f.stage: (f.entered, f.visits, f.reached, f.in_now) for f in analysis.stages},
        "goals": {g.goal: (g.reached, g.missed, g.pending) for g in analysis.goals},
    }


def records_of(seed: int) -> list[dict[str, Any]]:
    return [event for events in random_population(seed).values() for event in events]


@pytest.mark.parametrize("seed", SEEDS)
def test_funnel_and_goals_match_one_replay_per_customer(journey: cj.Journey, seed: int) -> None:
    results = replayed(journey, seed, AS_OF)
    analysis = cj.analyze(journey, records_of(seed), AS_OF)
    expected = hand_count(journey, list(results.values()))
    assert expected["customers"] >= 3  # the population is no empty one
    assert figures_of(analysis) == expected


@pytest.mark.parametrize("seed", SEEDS)
def test_every_stage_balances(journey: cj.Journey, seed: int) -> None:
    analysis = cj.analyze(journey, records_of(seed), AS_OF)
    for f in analysis.stages:
        assert f.entered == f.in_now + sum(f.left.values())
        assert f.visits == f.in_now + sum(f.exits.values())
    assert sum(f.in_now for f in analysis.stages) == analysis.customers
    for goal in analysis.goals:
        assert goal.reached + goal.missed + goal.pending == analysis.customers


@pytest.mark.parametrize("seed", SEEDS)
def test_each_first_channel_group_matches_its_customers_replayed(
    journey: cj.Journey, seed: int
) -> None:
    results = replayed(journey, seed, AS_OF)
    channels = {name: tp.channel for name, tp in journey.model.touchpoints.items()}
    groups: dict[str, list[ReplayResult]] = defaultdict(list)
    for result in results.values():
        touchpoint = result.path[0].touchpoint
        assert touchpoint is not None
        groups[channels[touchpoint]].append(result)
    analysis = cj.analyze(journey, records_of(seed), AS_OF, by="first_channel")
    assert sorted(analysis.groups) == sorted(groups)
    for value, members in groups.items():
        assert figures_of(analysis.groups[value]) == hand_count(journey, members)


@pytest.mark.parametrize("seed", SEEDS)
def test_every_trend_snapshot_matches_the_customers_replayed_as_of_it(
    journey: cj.Journey, seed: int
) -> None:
    analysis = cj.analyze(journey, records_of(seed), AS_OF, every="day")
    assert analysis.trend.snapshots[-1].at == AS_OF
    for shot in analysis.trend.snapshots:
        replays = replayed(journey, seed, shot.at)
        counted = Counter(result.stage for result in replays.values())
        assert dict(shot.stages) == {
            name: counted[name] for name in journey.model.stages if counted[name]
        }, shot.at

"""Analytics invariants, checked on generated populations against independent replays."""

from __future__ import annotations

import random
from collections import Counter, defaultdict, deque
from datetime import date, datetime, time, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

import customer_journey as cj
from customer_journey.analytics import Analysis

# A lapse timeout, a regression by touchpoint and by timeout, a re-entry, a terminal churn
# stage, goals with and without a window, declared friction, stalling and an action.
JOURNEY = cj.loads(
    """\
journey: analytics-properties
timezone: Europe/Paris
touchpoints:
  ad:      { event: ad.clicked, channel: paid_ads }
  mail:    { event: email.clicked, channel: email }
  visit:   { event: page.viewed, channel: web }
  pricing: { event: page.viewed, channel: web, where: { page: /pricing } }
  cart:    { event: cart.added, channel: web }
  order:   { event: order.completed, channel: web }
  close:   { event: account.closed, channel: web }
stages:
  aware:
    phase: awareness
    entry: [ad, visit]
    expected_duration: 2d
    transitions:
      - { to: considering, when: pricing }
      - { to: lapsed, after: 6d }
  considering:
    phase: consideration
    entry: [mail]
    expected_duration: 1d
    transitions:
      - { to: customer, when: order }
      - { to: aware, when: ad }
      - { to: considering, when: mail }
      - { to: aware, after: 4d }
    friction:
      - { label: cart trouble, when: cart, times: 2, within: 1d }
    actions:
      - { id: nudge, channel: email, priority: 10 }
  customer:
    phase: conversion
    transitions:
      - { to: customer, when: order }
      - { to: lapsed, after: 10d }
  lapsed:
    transitions:
      - { to: considering, when: pricing }
      - { to: customer, when: order }
  churned:
    terminal: true
anywhere:
  - { to: churned, when: close }
goals:
  buy: { reach: customer, within: 7d }
  ever: { reach: customer }
""",
    source="analytics-properties.yaml",
)

T0 = datetime(2026, 3, 10, 9, 0, tzinfo=timezone.utc)  # the data spans the DST change
AS_OF = T0 + timedelta(days=30)
LIFECYCLE = [name for name, stage in JOURNEY.model.stages.items() if stage.phase is not None]
ROUTES = ("timeout", "terminal", "back", "onward")
CHANNELS = {name: point.channel for name, point in JOURNEY.model.touchpoints.items()}

KINDS = [
    ("ad.clicked", {}),
    ("email.clicked", {}),
    ("page.viewed", {}),
    ("page.viewed", {"page": "/pricing"}),
    ("cart.added", {}),
    ("order.completed", {}),
    ("account.closed", {}),
    ("action.performed", {"action": "nudge"}),
    ("noise.happened", {}),
]
# Six-hour steps over five weeks: ties, stalls, timeouts in between, events after AS_OF.
moments = st.integers(min_value=0, max_value=35 * 4).map(lambda n: T0 + timedelta(hours=6 * n))


@st.composite
def populations(draw: st.DrawFn, least: int = 0) -> list[dict[str, Any]]:
    """Records of a few customers, interleaved, with repeated ids and copied records."""
    size = draw(st.integers(min_value=least, max_value=40))
    records: list[dict[str, Any]] = []
    for _ in range(size):
        kind, attributes = draw(st.sampled_from(KINDS))
        item: dict[str, Any] = {
            "customer_id": draw(st.sampled_from(["a", "b", "c", "d", "e", "f"])),
            "type": kind,
            "timestamp": draw(moments).isoformat(),
            **attributes,
        }
        event_id = draw(st.none() | st.sampled_from(["e1", "e2"]))
        if event_id is not None:
            item["event_id"] = event_id
        segment = draw(st.none() | st.sampled_from(["vip", "new"]))
        if segment is not None:
            item["traits"] = {"segment": segment}
        records.append(item)
    copies = draw(st.lists(st.integers(min_value=0, max_value=max(size - 1, 0)), max_size=4))
    records += [dict(records[i]) for i in copies if i < size]
    return records


def shuffled(records: list[dict[str, Any]], seed: int) -> list[dict[str, Any]]:
    """Reorder records, keeping the input order of one customer's records at one instant."""
    order = list(range(len(records)))
    random.Random(seed).shuffle(order)
    ties: dict[tuple[str, str], deque[dict[str, Any]]] = defaultdict(deque)
    for item in records:
        ties[item["customer_id"], item["timestamp"]].append(item)
    return [ties[records[i]["customer_id"], records[i]["timestamp"]].popleft() for i in order]


def positions(records: list[dict[str, Any]], as_of: datetime) -> list[cj.ReplayResult]:
    """Each customer's replay result, computed without analytics."""
    return list(JOURNEY.replay_all(records, as_of))


@settings(max_examples=20, deadline=None)
@given(populations())
def test_stage_counts_balance(records: list[dict[str, Any]]) -> None:
    analysis = cj.analyze(JOURNEY, records, AS_OF)
    flows = analysis.flows
    for figures in analysis.stages:
        assert figures.entered == figures.in_now + sum(figures.left.values())
        assert figures.visits == figures.in_now + sum(figures.exits.values())
        assert sum(flows.moves.get(figures.stage, {}).values()) == sum(figures.exits.values())
        into = sum(row.get(figures.stage, 0) for row in flows.moves.values())
        assert into + flows.entries.get(figures.stage, 0) == figures.visits
        assert set(figures.left) == set(figures.exits) == set(ROUTES)
    assert sum(figures.in_now for figures in analysis.stages) == analysis.customers
    assert sum(flows.entries.values()) == analysis.customers
    assert sum(variant.customers for variant in flows.variants) <= analysis.customers


@settings(max_examples=20, deadline=None)
@given(populations())
def test_customers_and_outside_are_those_replay_all_finds(records: list[dict[str, Any]]) -> None:
    analysis = cj.analyze(JOURNEY, records, AS_OF)
    where = Counter(result.stage for result in positions(records, AS_OF))
    assert analysis.outside == where.pop(None, 0)
    assert analysis.customers == sum(where.values())
    assert {f.stage: f.in_now for f in analysis.stages if f.in_now} == dict(where)
    assert analysis.totals is not None
    assert analysis.totals.customers == analysis.customers + analysis.outside
    assert analysis.totals.after_as_of == sum(r["timestamp"] > AS_OF.isoformat() for r in records)


@settings(max_examples=20, deadline=None)
@given(populations())
def test_the_funnel_never_widens_and_conversions_are_shares(
    records: list[dict[str, Any]],
) -> None:
    analysis = cj.analyze(JOURNEY, records, AS_OF)
    reached = [analysis.stage(name).reached or 0 for name in LIFECYCLE]
    assert reached == sorted(reached, reverse=True)
    assert all(count <= analysis.customers for count in reached)
    previous = analysis.customers
    for figures in analysis.stages:
        assert (figures.reached is None) == (figures.phase is None)
        if figures.reached is not None:
            assert figures.step_conversion == _share(figures.reached, previous)
            assert figures.overall_conversion == _share(figures.reached, analysis.customers)
            previous = figures.reached
        else:
            assert figures.step_conversion is None
            assert figures.overall_conversion == _share(figures.entered, analysis.customers)
        for share in (figures.step_conversion, figures.overall_conversion):
            assert share is None or 0.0 <= share <= 1.0
    phase_reached = [figures.reached for figures in analysis.phases]
    assert phase_reached == sorted(phase_reached, reverse=True)
    for phase in analysis.phases:
        for share in (phase.step_conversion, phase.overall_conversion):
            assert share is None or 0.0 <= share <= 1.0


@settings(max_examples=15, deadline=None)
@given(populations(), st.integers())
def test_input_order_does_not_change_the_analysis(records: list[dict[str, Any]], seed: int) -> None:
    expected = cj.analyze(JOURNEY, records, AS_OF).to_dict()
    assert cj.analyze(JOURNEY, shuffled(records, seed), AS_OF).to_dict() == expected
    grouped = sorted(records, key=lambda item: item["customer_id"])  # stable: ties kept
    assert cj.analyze(JOURNEY, grouped, AS_OF).to_dict() == expected


@settings(max_examples=15, deadline=None)
@given(populations())
def test_groups_by_first_channel_add_up_to_the_whole(records: list[dict[str, Any]]) -> None:
    whole = cj.analyze(JOURNEY, records, AS_OF, by="first_channel")
    groups = list(whole.groups.values())
    assert list(whole.groups) == sorted(whole.groups)
    assert sum(group.customers for group in groups) == whole.customers
    channels = Counter(
        CHANNELS[result.path[0].touchpoint or "(none)"]
        for result in positions(records, AS_OF)
        if result.stage is not None
    )
    assert {value: group.customers for value, group in whole.groups.items()} == dict(channels)
    for number, figures in enumerate(whole.stages):
        parts = [group.stages[number] for group in groups]
        assert sum(part.entered for part in parts) == figures.entered
        assert sum(part.visits for part in parts) == figures.visits
        assert sum(part.in_now for part in parts) == figures.in_now
        for routes in ("left", "exits"):
            summed: Counter[str] = Counter()
            for part in parts:
                summed.update(getattr(part, routes))
            assert {route: summed[route] for route in ROUTES} == getattr(figures, routes)
    moves: Counter[tuple[str, str]] = Counter()
    entries: Counter[str] = Counter()
    for group in groups:
        entries.update(group.flows.entries)
        for source, row in group.flows.moves.items():
            moves.update({(source, target): n for target, n in row.items()})
    whole_moves = {
        (source, target): n
        for source, row in whole.flows.moves.items()
        for target, n in row.items()
    }
    assert dict(moves) == whole_moves
    assert dict(entries) == dict(whole.flows.entries)


def _midnights(first: datetime, before: datetime) -> list[datetime]:
    """The journey's local midnights from the first at or after `first`, up to `before`."""
    zone = ZoneInfo("Europe/Paris")
    day = first.astimezone(zone).date()
    if first.astimezone(zone).time() != time(0):
        day += timedelta(days=1)
    found = []
    while (moment := datetime.combine(day, time(0), tzinfo=zone)) < before:
        found.append(moment)
        day = date.fromordinal(day.toordinal() + 1)
    return found


@settings(max_examples=15, deadline=None)
@given(populations())
def test_trend_snapshots_match_replaying_as_of_each_snapshot(
    records: list[dict[str, Any]],
) -> None:
    analysis = cj.analyze(JOURNEY, records, AS_OF, every="day")
    snapshots = analysis.trend.snapshots
    starts = [result.path[0].entered_at for result in positions(records, AS_OF) if result.path]
    expected_times = _midnights(min(starts), AS_OF) if starts else []
    assert [shot.at for shot in snapshots] == [*expected_times, AS_OF]
    for shot in snapshots:
        counts = JOURNEY.replay_all(records, shot.at).stage_counts()
        assert dict(shot.stages) == {
            stage: n for stage, n in counts.items() if stage is not None and n
        }


@settings(max_examples=15, deadline=None)
@given(populations(least=1))
def test_default_as_of_is_the_latest_event_time(records: list[dict[str, Any]]) -> None:
    latest = max(datetime.fromisoformat(item["timestamp"]) for item in records)
    implicit = cj.analyze(JOURNEY, records)
    assert implicit.as_of == latest
    assert implicit.to_dict() == cj.analyze(JOURNEY, records, latest).to_dict()


@settings(max_examples=20, deadline=None)
@given(populations())
def test_goal_statuses_cover_every_customer(records: list[dict[str, Any]]) -> None:
    analysis = cj.analyze(JOURNEY, records, AS_OF)
    results = [result for result in positions(records, AS_OF) if result.stage is not None]
    assert [figures.goal for figures in analysis.goals] == ["buy", "ever"]
    for figures in analysis.goals:
        assert figures.reached + figures.missed + figures.pending == analysis.customers
        statuses = Counter(result.goals[figures.goal].status for result in results)
        assert (figures.reached, figures.missed, figures.pending) == (
            statuses["reached"],
            statuses["missed"],
            statuses["pending"],
        )
        assert figures.time_to_goal.count == figures.reached


@settings(max_examples=20, deadline=None)
@given(populations())
def test_stalled_dwell_and_ongoing_counts(records: list[dict[str, Any]]) -> None:
    analysis = cj.analyze(JOURNEY, records, AS_OF)
    for figures in analysis.stages:
        assert 0 <= figures.stalled_now <= figures.in_now
        assert figures.dwell.count == figures.visits - figures.in_now
        assert figures.ongoing.count == figures.in_now
        assert 0 <= figures.over_expected <= figures.dwell.count
        if figures.expected_duration is None:
            assert figures.stalled_now == figures.over_expected == 0


def test_the_generated_populations_reach_every_route() -> None:
    """The journey and generator are rich enough for the properties above to mean something."""
    records = [
        {"customer_id": "a", "type": "ad.clicked", "timestamp": T0.isoformat()},
        {"customer_id": "a", "type": "page.viewed", "page": "/pricing", "timestamp": _at(1)},
        {"customer_id": "a", "type": "ad.clicked", "timestamp": _at(2)},
        {"customer_id": "a", "type": "page.viewed", "page": "/pricing", "timestamp": _at(3)},
        {"customer_id": "a", "type": "account.closed", "timestamp": _at(9)},
        {"customer_id": "b", "type": "page.viewed", "timestamp": T0.isoformat()},
    ]
    analysis: Analysis = cj.analyze(JOURNEY, records, AS_OF)
    exits = Counter[str]()
    for figures in analysis.stages:
        exits.update({route: n for route, n in figures.exits.items() if n})
    # a: aware -onward-> considering -back-> aware -onward-> considering -timeout-> aware
    #    -terminal-> churned; b: aware -timeout-> lapsed
    assert exits == {"onward": 2, "back": 1, "timeout": 2, "terminal": 1}


def _share(part: int, whole: int) -> float | None:
    return None if whole == 0 else part / whole


def _at(days: float) -> str:
    return (T0 + timedelta(days=days)).isoformat()

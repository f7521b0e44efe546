"""Path generation: the shortest histories reach every stage and fire every transition."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from customer_journey import Journey, load, loads
from customer_journey._timestamps import format_timestamp
from customer_journey.dsl import parse_yaml
from customer_journey.dsl._conditions import parse_where
from customer_journey.model import MISSING, ConditionTree
from customer_journey.testing._path_values import assignments, nest
from customer_journey.testing._paths import PATHS_START, shortest_paths, transition_name

RETAIL = Path(__file__).resolve().parents[2].parent / "shared" / "dsl" / "retail.journey.yaml"
STREAMING = RETAIL.with_name("streaming.journey.yaml")
MEMBERSHIP = Path(__file__).resolve().parents[2] / "examples" / "membership.journey.yaml"

ODD = """\
journey: odd
touchpoints:
  visit: { event: page.viewed, channel: web }
  pricing: { event: page.viewed, channel: web, where: { page: { matches: "^/pric(e|ing)$" } } }
  order:
    event: order.completed
    channel: web
    where: { all: [{ total: { gt: 10 } }, { not: { coupon: { exists: true } } }] }
  call: { event: call.ended, channel: phone }
  odd_call: { event: call.ended, channel: phone, where: { rating: { gt: 5, lt: 3 } } }
stages:
  visitor:
    entry: [visit]
    transitions:
      - { to: shopper, when: visit }
      - { to: lost, when: pricing }
      - { to: buyer, when: order, if: {event.total: {between: [100, 200]}, customer.tier: gold} }
      - { to: vip, when: call, if: { count.call: { gte: 3 }, time_in_stage: { gte: 2d } } }
      - { to: ghost, when: call, if: { event.x: { gt: 1, lt: 1 } } }
      - { to: ghost, when: odd_call }
      - { to: buyer, after: 9d }
      - { to: shopper, after: 7d }
  shopper:
    transitions:
      - { to: buyer, when: order }
  buyer:
    terminal: true
  lost:
    terminal: true
  vip:
    terminal: true
  ghost:
    terminal: true
  island:
    terminal: true
"""


@pytest.fixture(scope="module")
def odd() -> Journey:
    return loads(ODD, source="odd.journey.yaml")


def _fires_what_it_was_made_for(journey: Journey) -> None:
    report = shortest_paths(journey)
    for target in report.transitions:
        assert target.history is not None, target.describe()
        history = target.history
        result = journey.replay(history.records, history.as_of, trace=True)
        assert result.trace is not None
        assert result.trace[-1].transition is target.transition, target.name
        assert result.stage == target.transition.target  # type: ignore[union-attr]
    for target in report.stages:
        assert target.history is not None, target.describe()
        history = target.history
        assert journey.replay(history.records, history.as_of).stage == target.name


def test_every_stage_and_transition_of_the_reference_journey_is_reached_and_replays() -> None:
    if not RETAIL.is_file():
        pytest.skip(f"the reference journey is not at {RETAIL} (../shared is missing)")
    _fires_what_it_was_made_for(load(RETAIL))


@pytest.mark.parametrize("path", [STREAMING, MEMBERSHIP], ids=["streaming", "membership"])
def test_every_stage_and_transition_of_the_idle_journeys_is_reached_and_replays(
    path: Path,
) -> None:
    if not path.is_file():
        pytest.skip(f"the reference journey is not at {path} (../shared is missing)")
    _fires_what_it_was_made_for(load(path))


def test_a_stage_nothing_leads_to_is_reported_with_its_reason(odd: Journey) -> None:
    target = shortest_paths(odd).stage("island")
    assert target.history is None
    assert target.describe() == (
        "odd.journey.yaml:34:3: stage island: not reached; "
        "no transition leads to 'island' and it has no entry touchpoints"
    )


def test_each_unreachable_target_says_why(odd: Journey) -> None:
    report = shortest_paths(odd)
    assert [target.describe() for target in report.unreached] == [
        "odd.journey.yaml:28:3: stage lost: not reached; "
        "no transition leading to 'lost' can fire ('visitor -> lost on pricing')",
        "odd.journey.yaml:32:3: stage ghost: not reached; no transition leading to 'ghost' can "
        "fire ('visitor -> ghost on call', 'visitor -> ghost on odd_call')",
        "odd.journey.yaml:34:3: stage island: not reached; "
        "no transition leads to 'island' and it has no entry touchpoints",
        "odd.journey.yaml:16:9: transition visitor -> lost on pricing: not reached; "
        "shadowed by an earlier transition that always matches first: "
        "'visitor -> shopper on visit' (odd.journey.yaml:15:9)",
        "odd.journey.yaml:19:9: transition visitor -> ghost on call: not reached; "
        "'if' condition could not be satisfied by generated data",
        "odd.journey.yaml:20:9: transition visitor -> ghost on odd_call: not reached; "
        "the 'where' of 'odd_call' could not be satisfied by generated data",
        "odd.journey.yaml:21:9: transition visitor -> buyer after 9d: not reached; "
        "shadowed by the timeout 'visitor -> shopper after 7d' (odd.journey.yaml:22:9), due first",
    ]


def test_conditions_on_traits_counts_time_and_attributes_are_met(odd: Journey) -> None:
    report = shortest_paths(odd)
    fired = {target.name: target.history for target in report.transitions}
    buyer = fired["visitor -> buyer on order"]
    assert buyer is not None
    assert buyer.records[-1] == {
        "customer_id": "customer",
        "type": "order.completed",
        "timestamp": "2024-01-01T00:01:00Z",
        "total": 100,
        "traits": {"tier": "gold"},
    }
    vip = fired["visitor -> vip on call"]
    assert vip is not None
    assert [(r["type"], r["timestamp"]) for r in vip.records] == [
        ("page.viewed", "2024-01-01T00:00:00Z"),
        ("call.ended", "2024-01-01T00:01:00Z"),
        ("call.ended", "2024-01-01T00:02:00Z"),
        ("call.ended", "2024-01-03T00:00:00Z"),
    ]
    for target in (t for t in report.transitions if t.history is not None):
        history = target.history
        assert history is not None
        trace = odd.replay(history.records, history.as_of, trace=True).trace
        assert trace is not None
        assert trace[-1].transition is target.transition


def test_a_timeout_is_reached_by_setting_as_of_when_it_comes_due(odd: Journey) -> None:
    report = shortest_paths(odd)
    (timeout,) = [t for t in report.transitions if t.name == "visitor -> shopper after 7d"]
    assert timeout.to_dict() == {
        "kind": "transition",
        "name": "visitor -> shopper after 7d",
        "location": "odd.journey.yaml:22:9",
        "reached": True,
        "reason": None,
        "history": {
            "records": [
                {
                    "customer_id": "customer",
                    "type": "page.viewed",
                    "timestamp": "2024-01-01T00:00:00Z",
                }
            ],
            "as_of": "2024-01-08T00:00:00Z",
        },
    }


QUIET = """\
journey: quiet
touchpoints:
  visit: { event: page.viewed, channel: web }
  order: { event: order.completed, channel: web }
stages:
  trial:
    entry: [visit]
    transitions:
      - { to: buyer, when: order }
      - { to: ended, after: 14d }
      - { to: dormant, idle: 14d }
      - { to: quiet, idle: 3d }
  quiet:
    transitions:
      - { to: buyer, when: order }
  dormant:
    transitions:
      - { to: buyer, when: order }
  buyer:
    terminal: true
  ended:
    terminal: true
anywhere:
  - { to: quiet, idle: 30d }
"""


def test_a_stage_reached_only_through_an_idle_timeout_is_reached_when_it_comes_due() -> None:
    report = shortest_paths(loads(QUIET, source="quiet.journey.yaml"))
    quiet = report.stage("quiet")
    assert quiet.history is not None
    assert [r["timestamp"] for r in quiet.history.records] == ["2024-01-01T00:00:00Z"]
    assert format_timestamp(quiet.history.as_of) == "2024-01-04T00:00:00Z"
    # Shorter idles beat longer ones; the 'anywhere' one does not apply in 'quiet', its own
    # 'to', and in 'trial' the 3d one comes first.
    assert [target.describe() for target in report.unreached] == [
        "quiet.journey.yaml:16:3: stage dormant: not reached; no transition leading to "
        "'dormant' can fire ('trial -> dormant idle 14d')",
        "quiet.journey.yaml:11:9: transition trial -> dormant idle 14d: not reached; shadowed "
        "by the timeout 'trial -> quiet idle 3d' (quiet.journey.yaml:12:9), due first",
        "quiet.journey.yaml:18:9: transition dormant -> buyer on order: not reached; its stage "
        "'dormant' cannot be reached",
        "quiet.journey.yaml:24:5: transition anywhere -> quiet idle 30d: not reached; shadowed "
        "by the timeout 'trial -> quiet idle 3d' (quiet.journey.yaml:12:9), due first",
    ]


def test_an_after_beyond_a_shorter_idle_is_fired_by_staying_active_until_it_is_due() -> None:
    report = shortest_paths(loads(QUIET, source="quiet.journey.yaml"))
    (after,) = [t for t in report.transitions if t.name == "trial -> ended after 14d"]
    assert after.history is not None
    # The entry, then a visit every 36h (half the 3d idle) until the 14d timeout.
    assert [(r["type"], r["timestamp"]) for r in after.history.records] == [
        ("page.viewed", "2024-01-01T00:00:00Z"),
        *(
            ("page.viewed", format_timestamp(PATHS_START + timedelta(hours=36) * n))
            for n in range(1, 10)
        ),
    ]
    assert format_timestamp(after.history.as_of) == "2024-01-15T00:00:00Z"


def test_times_within_repeats_the_trigger_inside_the_window() -> None:
    journey = loads(
        """\
journey: t
touchpoints:
  visit: { event: page.viewed, channel: web }
  page: { event: page.viewed, channel: web, where: { page: /pricing } }
stages:
  aware:
    entry: [visit]
    transitions:
      - { to: keen, when: page }
      - { to: keen, when: visit, times: 3, within: 1d }
  keen: { terminal: true }
""",
        source="t.journey.yaml",
    )
    report = shortest_paths(journey)
    assert [t.name for t in report.transitions] == [
        "aware -> keen on page",
        "aware -> keen on visit 3 times within 1d",
    ]
    history = report.transitions[1].history
    assert history is not None
    assert [record.get("page") for record in history.records] == [None, None, None, None]
    assert len(history.records) == 4


def test_a_where_on_the_entry_touchpoint_is_satisfied() -> None:
    journey = loads(
        """\
journey: e
touchpoints:
  big:
    event: order.completed
    channel: web
    where: { total: { gte: 50 }, code: { matches: "^[A-Z]{3}-\\\\d+$" } }
stages:
  customer:
    entry: [big]
    terminal: true
""",
        source="e.journey.yaml",
    )
    history = shortest_paths(journey).stage("customer").history
    assert history is not None
    assert history.records == (
        {
            "customer_id": "customer",
            "type": "order.completed",
            "timestamp": "2024-01-01T00:00:00Z",
            "total": 50,
            "code": "AAA-0",
        },
    )


def test_unknown_stage_names_raise_key_error(odd: Journey) -> None:
    with pytest.raises(KeyError, match="unknown stage 'nowhere'"):
        shortest_paths(odd).stage("nowhere")


def test_transition_names_say_source_target_and_trigger(odd: Journey) -> None:
    transitions = odd.model.stages["visitor"].transitions
    assert transition_name(transitions[0]) == "visitor -> shopper on visit"
    assert transition_name(transitions[-1]) == "visitor -> shopper after 7d"


@pytest.mark.parametrize(
    ("text", "negate", "expected"),
    [
        ("{page: {in: [/a, /b]}}", False, [{"page": "/a"}, {"page": "/b"}]),
        ("{page: {in: [/a, /b]}}", True, [{"page": MISSING}, {"page": "other-/a-/b"}]),
        ("{total: {gt: 10}}", False, [{"total": 11}]),
        ("{total: {between: [1, 5]}}", True, [{"total": MISSING}, {"total": 0}, {"total": 6}]),
        ("{any: [{a: 1}, {b: 2}]}", False, [{"a": 1}, {"b": 2}]),
        ("{a: 1, b: {exists: false}}", False, [{"a": 1, "b": MISSING}]),
        ("{tags: {contains: vip}}", False, [{"tags": "vip"}, {"tags": ["vip"]}]),
        ("{code: {matches: '^(gold|silver)$'}}", False, [{"code": "gold"}, {"code": "silver"}]),
    ],
)
def test_proposed_values_follow_each_operator(
    text: str, negate: bool, expected: list[dict[str, object]]
) -> None:
    assert list(assignments(where_tree(text), negate=negate)) == expected


def where_tree(text: str) -> ConditionTree:
    """The tree of a `where` condition written as `text`."""
    raw, _locator, problems = parse_yaml(text, source="<where>")
    assert problems == []
    tree = parse_where(raw, report=lambda *problem: pytest.fail(str(problem)))
    assert tree is not None
    return tree


def test_dotted_paths_become_nested_attributes() -> None:
    assert nest({"address.city": "Paris", "zip": MISSING, "vip": True}) == {
        "address": {"city": "Paris"},
        "vip": True,
    }

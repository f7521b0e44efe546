"""The hypothesis strategies make valid records for any journey, with the hard cases in them."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, find, given, settings

import customer_journey as cj
from customer_journey.testing.strategies import (
    START,
    UNKNOWN_TYPES,
    AttributeExamples,
    attribute_examples,
    events,
    histories,
    moments,
    populations,
)

REFERENCE = Path(__file__).resolve().parents[3] / "shared" / "dsl" / "retail.journey.yaml"
FAST = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
FIND = settings(max_examples=400, deadline=None, database=None, derandomize=True)
FIRST = settings(FIND, phases=[Phase.generate])  # the first example found, unshrunk

# Own field names, several kinds of `where`, an `event.*` path, a trait in a consent rule.
SHOP = cj.loads(
    """\
journey: shop
events: { customer: user, type: name, time: ts, id: uid, traits: profile }
touchpoints:
  visit:   { event: page.viewed, channel: web }
  blog:    { event: page.viewed, channel: web, where: { path: { matches: "^/blog/" } } }
  big:     { event: order.completed, channel: web, where: { total: { gte: 100 } } }
  mixed:
    event: review.posted
    channel: social
    where:
      all:
        - { rating: { between: [4, 5] } }
        - not: { tags: { contains: spam } }
        - any: [{ verified: true }, { source: { in: [app, web] } }]
  quit:    { event: account.closed, channel: web }
stages:
  reader:
    entry: [visit, blog]
    transitions:
      - { to: buyer, when: big, if: { event.coupon: { exists: false } } }
      - { to: gone, after: 36h }
  buyer:
    transitions:
      - { to: fan, when: mixed }
      - { to: gone, after: 3d }
    actions:
      - { id: thanks, channel: email, priority: 1 }
  fan: {}
  gone:
    terminal: true
anywhere:
  - { to: gone, when: quit }
consent:
  email: { customer.opted_out: { ne: true } }
""",
    source="shop.journey.yaml",
)
KNOWN = {point.event for point in SHOP.model.touchpoints.values()}


def reference() -> cj.Journey:
    if not REFERENCE.exists():
        pytest.skip(f"the reference journey is missing: {REFERENCE} (../shared is not there)")
    return cj.load(REFERENCE)


def instant(record: dict[str, Any], key: str = "ts") -> datetime:
    return datetime.fromisoformat(record[key])


def test_examples_of_a_where_come_from_its_constants_on_both_sides() -> None:
    assert attribute_examples(reference(), "pricing_view") == AttributeExamples(
        satisfying=({"page": "/pricing"}, {"page": "/plans"}),
        violating=({}, {"page": "/pricingx"}, {"page": "/pricin"}),
    )
    assert attribute_examples(reference(), "online_order") == AttributeExamples(
        satisfying=({"total": 1},),
        violating=({}, {"total": 0}, {"total": -1}, {"total": "0"}),
    )


def test_a_touchpoint_without_a_where_is_matched_by_empty_attributes() -> None:
    assert attribute_examples(SHOP, "visit") == AttributeExamples(({},), ())


@pytest.mark.parametrize("touchpoint", ["blog", "big", "mixed"])
def test_every_example_is_judged_by_the_compiled_where(touchpoint: str) -> None:
    examples = attribute_examples(SHOP, touchpoint)
    where = SHOP.model.touchpoints[touchpoint].where
    assert where is not None
    assert examples.satisfying
    assert examples.violating
    assert all(where(attributes) for attributes in examples.satisfying)
    assert not any(where(attributes) for attributes in examples.violating)


def test_event_paths_of_transition_conditions_add_attributes_to_their_touchpoints() -> None:
    examples = attribute_examples(SHOP, "big")
    assert {"total": 100, "coupon": "x"} in examples.satisfying


@FAST
@given(events(SHOP))
def test_events_are_valid_records_in_the_journeys_field_mapping(record: dict[str, Any]) -> None:
    (event,) = SHOP.events_from([record], strict=True)
    assert event.customer == "c1"
    assert event.type in {*KNOWN, *UNKNOWN_TYPES, "action.performed"}
    assert set(record) <= {"user", "name", "ts", "uid", "profile", *event.attributes}
    if event.type == "action.performed":
        assert event.attributes == {"action": "thanks"}
    assert set(event.traits) <= {"opted_out"}


@FAST
@given(events(SHOP, where="satisfied", unknown=False, actions=False))
def test_satisfied_events_match_a_touchpoint(record: dict[str, Any]) -> None:
    points = [p for p in SHOP.model.touchpoints.values() if p.event == record["name"]]
    attributes = {
        k: v for k, v in record.items() if k not in ("user", "name", "ts", "uid", "profile")
    }
    assert any(p.where is None or p.where(attributes) for p in points)


@FAST
@given(events(SHOP, where="violated", unknown=False, actions=False))
def test_violated_events_are_of_touchpoints_with_a_where_and_fail_one(
    record: dict[str, Any],
) -> None:
    points = [p for p in SHOP.model.touchpoints.values() if p.event == record["name"]]
    attributes = {
        k: v for k, v in record.items() if k not in ("user", "name", "ts", "uid", "profile")
    }
    assert any(p.where is not None and not p.where(attributes) for p in points)


def test_violating_needs_a_touchpoint_with_a_where() -> None:
    plain = cj.loads(
        "journey: plain\ntouchpoints: { t: { event: a, channel: web } }\n"
        "stages: { s: { entry: [t] } }\n"
    )
    with pytest.raises(
        ValueError, match=r"^journey 'plain' has no touchpoint with a 'where' to violate$"
    ):
        events(plain, where="violated", unknown=False, actions=False)


@FAST
@given(moments(SHOP))
def test_moments_fall_on_a_grid_that_divides_every_duration(moment: datetime) -> None:
    # Durations 36h and 3d: a 12h grid over twice the longest, so timeouts land on it.
    assert (moment - START) % timedelta(hours=12) == timedelta(0)
    assert START <= moment <= START + timedelta(days=6)


@FAST
@given(histories(SHOP, customer="ann"))
def test_a_history_is_one_customers_valid_records(records: list[dict[str, Any]]) -> None:
    assert {e.customer for e in SHOP.events_from(records, strict=True)} <= {"ann"}


def test_histories_hold_ties_duplicates_and_out_of_order_input() -> None:
    tied = find(histories(SHOP), lambda r: len({x["ts"] for x in r}) < len(r), settings=FIND)
    assert len(tied) == 2
    assert tied[0]["ts"] == tied[1]["ts"]
    copied = find(
        histories(SHOP), lambda r: any("uid" in x and r.count(x) > 1 for x in r), settings=FIND
    )
    assert [copied.count(x) for x in copied if "uid" in x] == [2, 2]
    backwards = find(
        histories(SHOP),
        lambda r: [instant(x) for x in r] != sorted(instant(x) for x in r),
        settings=FIND,
    )
    assert len(backwards) == 2
    assert instant(backwards[0]) > instant(backwards[1])


def test_histories_land_exactly_on_a_timeout() -> None:
    def on_boundary(records: list[dict[str, Any]]) -> bool:
        times = sorted(instant(x) for x in records)
        return any(b - a == timedelta(hours=36) for a in times for b in times)

    assert len(find(histories(SHOP), on_boundary, settings=FIND)) == 2


def test_walks_reach_the_deepest_stages_of_the_reference_journey() -> None:
    journey = reference()
    found = find(
        histories(journey),
        lambda r: bool(r) and "advocate" in journey.replay(r).stages_entered,
        settings=FIRST,
    )
    assert "advocate" in journey.replay(found).stages_entered


@FAST
@given(populations(SHOP, customers=("a", "b")))
def test_populations_interleave_customers_keeping_each_ones_order(
    records: list[dict[str, Any]],
) -> None:
    assert {e.customer for e in SHOP.events_from(records, strict=True)} <= {"a", "b"}


def test_populations_interleave_customers() -> None:
    def interleaved(records: list[dict[str, Any]]) -> bool:
        owners = [x["user"] for x in records]
        return owners[:1] == ["a"] and "b" in owners and owners[-1] == "a"

    small = populations(SHOP, customers=("a", "b"), max_size=3, walks=False, duplicates=False)
    found = find(small, interleaved, settings=FIND)
    owners = [x["user"] for x in found]  # find raises when no interleaving is ever drawn
    assert owners[0] == owners[-1] == "a"
    assert "b" in owners


def test_populations_need_a_customer() -> None:
    with pytest.raises(ValueError, match=r"^populations needs at least one customer id$"):
        populations(SHOP, customers=())


def test_the_same_seed_draws_the_same_records() -> None:
    def draw() -> list[list[dict[str, Any]]]:
        drawn = []

        @settings(max_examples=10, database=None, derandomize=True)
        @given(populations(SHOP))
        def collect(records: list[dict[str, Any]]) -> None:
            drawn.append(records)

        collect()
        return drawn

    first = draw()
    assert first == draw()
    assert any(first)


# A stage left only by an `idle` timeout, and one reached only through it.
QUIET = cj.loads(
    """\
journey: quiet
touchpoints:
  visit: { event: page.viewed, channel: web }
  open:  { event: app.opened, channel: push }
stages:
  member:
    entry: [visit]
    transitions:
      - { to: inactive, idle: 36h }
  inactive:
    transitions:
      - { to: back, when: open }
  back: {}
anywhere:
  - { to: inactive, idle: 2d }
""",
    source="quiet.journey.yaml",
)


@FAST
@given(moments(QUIET))
def test_moments_fall_on_a_grid_that_divides_idle_timeouts_anywhere_ones_too(
    moment: datetime,
) -> None:
    # 36h and 2d: a 12h grid over twice the longest.
    assert (moment - START) % timedelta(hours=12) == timedelta(0)
    assert START <= moment <= START + timedelta(days=4)


def test_walks_wait_out_idle_timeouts_to_reach_the_stages_behind_them() -> None:
    found = find(
        histories(QUIET, walks=True),
        lambda r: bool(r) and "back" in QUIET.replay(r).stages_entered,
        settings=FIRST,
    )
    result = QUIET.replay(found, trace=True)
    assert result.stages_entered[:3] == ["member", "inactive", "back"]
    timeout = next(step for step in result.trace or () if step.outcome == "timeout")
    assert timeout.transition is not None
    assert (timeout.transition.idle, timeout.from_stage) == (timedelta(hours=36), "member")

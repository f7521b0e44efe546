"""The ready-made properties find planted engine bugs, and pass on the real engine.

Each broken journey below is the real one with one deliberate bug in how it replays;
`verify_journey` must find a counter-example against it, then pass on the real journey.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, settings

import customer_journey as cj
from customer_journey.engine import ReplayResult
from customer_journey.model import Event
from customer_journey.testing.properties import (
    PROPERTIES,
    check_as_of_consistency,
    check_batch_equals_incremental,
    check_idempotence,
    check_invariant,
    check_order_independence,
    never_in,
    never_moves,
    verify_journey,
)

REFERENCE = Path(__file__).resolve().parents[3] / "shared" / "dsl" / "retail.journey.yaml"
STREAMING = REFERENCE.with_name("streaming.journey.yaml")
MEMBERSHIP = Path(__file__).resolve().parents[2] / "examples" / "membership.journey.yaml"
CONFIG = settings(
    max_examples=30,
    deadline=None,
    database=None,
    derandomize=True,
    report_multiple_bugs=False,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
# Finding a bug is what counts here; shrinking it is shown once, below.
FIND = settings(CONFIG, max_examples=40, phases=[Phase.generate])
SMALL = """\
journey: small
touchpoints:
  visit: { event: page.viewed, channel: web }
  buy:   { event: order.completed, channel: web, where: { total: { gt: 0 } } }
  join:  { event: club.joined, channel: loyalty }
  rave:  { event: review.posted, channel: social }
stages:
  lead:
    entry: [visit]
    transitions:
      - { to: customer, when: buy }
      - { to: lost, after: 3d }
  customer:
    entry: [buy]
    transitions:
      - { to: member, when: join }
      - { to: fan, when: rave }
  member:
    transitions:
      - { to: fan, when: rave }
  fan: {}
  lost:
    transitions:
      - { to: fan, when: rave }
"""


def small() -> cj.Journey:
    return cj.loads(SMALL, source="small.journey.yaml")


def reference() -> cj.Journey:
    if not REFERENCE.exists():
        pytest.skip(f"the reference journey is missing: {REFERENCE} (../shared is not there)")
    return cj.load(REFERENCE)


def streaming() -> cj.Journey:
    """The reference journey of section 10: `idle` timeouts, experiments, send windows."""
    if not STREAMING.exists():
        pytest.skip(f"the reference journey is missing: {STREAMING} (../shared is not there)")
    return cj.load(STREAMING)


def membership() -> cj.Journey:
    return cj.load(MEMBERSHIP)


JOURNEYS = [pytest.param(small, id="small"), pytest.param(reference, id="retail")]
#: Each journey, and a stage no customer is in without having been in another first.
INVARIANTS = [
    pytest.param(small, ("member", "customer"), id="small"),
    pytest.param(reference, ("advocate", "customer"), id="retail"),
    pytest.param(streaming, ("binger", "subscriber"), id="streaming"),
    pytest.param(membership, ("regular", "member"), id="membership"),
]

Records = Iterable[Event | Mapping[str, Any]]


class IgnoresTies(cj.Journey):
    """Bug: sorts events of one instant by type instead of keeping their input order."""

    def _sorted(self, records: Records) -> list[Event]:
        return sorted(self.events_from(records, strict=True), key=lambda e: (e.at, e.type))

    def replay(self, events: Records, as_of: Any = None, **options: Any) -> ReplayResult:
        return super().replay(self._sorted(events), as_of, **options)

    def replay_all(self, records: Any, as_of: Any = None, **options: Any) -> Any:
        return super().replay_all(self._sorted(records), as_of, **options)


class TrustsInputOrder(cj.Journey):
    """Bug: drops a customer's records that come earlier than one already read."""

    def replay_all(self, records: Any, as_of: Any = None, **options: Any) -> Any:
        latest: dict[str, datetime] = {}
        kept = []
        for event in self.events_from(records, strict=True):
            if event.at >= latest.get(event.customer, event.at):
                kept.append(event)
                latest[event.customer] = event.at
        return super().replay_all(kept, as_of, **options)


class CountsCopies(cj.Journey):
    """Bug: forgets event ids, so a record replayed twice counts twice."""

    def replay_all(self, records: Any, as_of: Any = None, **options: Any) -> Any:
        events = [e._replace(id=None) for e in self.events_from(records, strict=True)]
        return super().replay_all(events, as_of, **options)


class LeaksLateEvents(cj.Journey):
    """Bug: events after `as_of` are applied as if they happened at `as_of`."""

    def replay_all(self, records: Any, as_of: Any = None, **options: Any) -> Any:
        if as_of is None:
            return super().replay_all(records, **options)
        moment = self._as_of(as_of)
        assert moment is not None
        events = [e._replace(at=min(e.at, moment)) for e in self.events_from(records, strict=True)]
        return super().replay_all(events, as_of, **options)


PLANTED = [
    pytest.param(IgnoresTies, "batch_equals_incremental", id="ignores-ties"),
    pytest.param(TrustsInputOrder, "order_independence", id="trusts-input-order"),
    pytest.param(CountsCopies, "idempotence", id="counts-copies"),
    pytest.param(LeaksLateEvents, "as_of_consistency", id="leaks-late-events"),
]


@pytest.mark.parametrize("load", JOURNEYS)
@pytest.mark.parametrize(("broken", "prop"), PLANTED)
def test_a_planted_bug_is_found_and_the_real_engine_passes(
    load: Any, broken: type[cj.Journey], prop: str
) -> None:
    real = load()
    with pytest.raises(AssertionError) as failed:
        verify_journey(broken(real.model), properties=[prop], config=FIND)
    report = str(failed.value)
    head, counter_example, *records = report.splitlines()
    assert head.startswith(f"property '{prop}' fails on journey '{real.name}': ")
    assert counter_example.startswith("counter-example (")
    assert records
    verify_journey(real, properties=[prop], config=CONFIG)


def test_ignoring_ties_is_shown_with_two_records_at_one_instant() -> None:
    with pytest.raises(AssertionError) as failed:
        verify_journey(
            IgnoresTies(small().model), properties=["batch_equals_incremental"], config=CONFIG
        )
    lines = str(failed.value).splitlines()
    assert lines[1] == "counter-example (2 records):"
    records = [json.loads(line) for line in lines[2:4]]
    assert lines[4].startswith("with [")  # the pauses drawn
    assert {r["type"] for r in records} == {"page.viewed", "order.completed"}
    assert records[0]["timestamp"] == records[1]["timestamp"]


@pytest.mark.parametrize(("load", "stages"), INVARIANTS)
def test_every_property_holds_on_the_real_engine(load: Any, stages: tuple[str, str]) -> None:
    stage, before = stages
    verify_journey(load(), invariants=[never_in(stage, unless_visited=before)], config=CONFIG)


def test_a_user_invariant_that_the_journey_breaks_is_reported_with_the_path() -> None:
    with pytest.raises(AssertionError) as failed:
        verify_journey(
            small(),
            invariants=[never_in("fan", unless_visited="member")],
            properties=[],
            config=CONFIG,
        )
    head = str(failed.value).splitlines()[0]
    assert head.startswith(
        "journey 'small': invariant 'never in 'fan' without having been in 'member'' "
        "does not hold for customer '"
    )
    assert head.endswith(("': path customer -> fan", "': path lead -> lost -> fan"))


# The checks one by one, on records written by hand.

T = "2026-01-01T09:00:00+00:00"
LATER = "2026-01-01T10:00:00+00:00"
VISIT = {"customer_id": "a", "type": "page.viewed", "timestamp": T, "event_id": "e1"}
BUY = {"customer_id": "a", "type": "order.completed", "timestamp": T, "total": 5}
JOIN = {"customer_id": "a", "type": "club.joined", "timestamp": LATER}


def test_order_independence_keeps_ties_in_input_order() -> None:
    check_order_independence(small(), [VISIT, BUY, JOIN], order=[3, 2, 1])


def test_order_independence_reports_the_difference() -> None:
    with pytest.raises(AssertionError) as failed:
        check_order_independence(TrustsInputOrder(small().model), [VISIT, BUY, JOIN])
    assert str(failed.value).startswith(
        'reordering the records changed the results: a.stage: "member" != null; '
    )
    assert str(failed.value).endswith(" (and 2 more)")


def test_idempotence_counts_only_the_duplicates() -> None:
    check_idempotence(small(), [VISIT, BUY, JOIN])
    with pytest.raises(AssertionError) as failed:
        check_idempotence(CountsCopies(small().model), [VISIT, BUY, JOIN])
    assert str(failed.value) == (
        "replaying 1 records again changed more than the duplicate counts: "
        "a.counts.visit: 1 != 2; a.events: 3 != 4; a.duplicates: 1 != 0"
    )


def test_as_of_consistency_ignores_later_records() -> None:
    check_as_of_consistency(small(), [VISIT, BUY, JOIN], T)
    with pytest.raises(AssertionError) as failed:
        check_as_of_consistency(LeaksLateEvents(small().model), [VISIT, BUY, JOIN], T)
    assert str(failed.value).startswith(
        'records after as_of "2026-01-01T09:00:00Z" changed the results: '
        'a.stage: "customer" != "member"; '
    )


def test_batch_equals_incremental_with_pauses_between_events() -> None:
    lead = {"customer_id": "b", "type": "page.viewed", "timestamp": T}
    late = {"customer_id": "b", "type": "review.posted", "timestamp": "2026-01-09T00:00:00+00:00"}
    check_batch_equals_incremental(
        small(),
        [VISIT, BUY, JOIN, lead, late],
        pauses=[datetime.fromisoformat("2026-01-05T00:00:00+00:00")],
    )
    check_batch_equals_incremental(small(), [])


def test_an_invariant_failure_names_the_customer_and_path() -> None:
    with pytest.raises(AssertionError) as failed:
        check_invariant(small(), [BUY, JOIN], never_moves("customer", "member"))
    assert str(failed.value) == (
        "invariant 'never moves from 'customer' to 'member'' does not hold "
        "for customer 'a': path customer -> member"
    )
    check_invariant(small(), [BUY, JOIN], never_in("fan"))


def test_a_plain_predicate_is_described_by_its_name() -> None:
    def stays_out(result: ReplayResult) -> bool:
        return result.stage != "member"

    with pytest.raises(AssertionError, match=r"^invariant 'stays_out' does not hold"):
        check_invariant(small(), [BUY, JOIN], stays_out)


def test_an_invariant_naming_an_unknown_stage_is_refused() -> None:
    with pytest.raises(
        ValueError, match=r"^the invariant names an unknown stage 'fna'; did you mean 'fan'\?$"
    ):
        verify_journey(small(), invariants=[never_in("fna")])


def test_an_unknown_property_is_refused() -> None:
    with pytest.raises(
        ValueError, match=r"^unknown property 'idempotency'; did you mean 'idempotence'\?$"
    ):
        verify_journey(small(), properties=["idempotency"])
    assert PROPERTIES == (
        "order_independence",
        "as_of_consistency",
        "idempotence",
        "batch_equals_incremental",
    )

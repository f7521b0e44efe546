"""Engine invariants, checked on generated histories (section 5, rules 1, 2, 6 and 7)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from customer_journey import Journey

from .conftest import T0, at

KINDS = [
    ("page.viewed", {}),
    ("page.viewed", {"page": "/pricing"}),
    ("cart.added", {}),
    ("order.completed", {"total": 5}),
    ("order.completed", {"total": 0}),
    ("call.ended", {}),
    ("account.closed", {}),
    ("noise.happened", {}),
]

# Few distinct hours over a month: plenty of ties and of timeouts (3d, 10d, 30d) in between.
moments = st.integers(min_value=0, max_value=40 * 24).map(lambda h: T0 + timedelta(hours=h))
ids = st.one_of(st.none(), st.sampled_from(["e1", "e2", "e3"]))


@st.composite
def histories(draw: st.DrawFn, customer: str = "c1") -> list[dict[str, Any]]:
    size = draw(st.integers(min_value=0, max_value=14))
    out = []
    for _ in range(size):
        kind, attributes = draw(st.sampled_from(KINDS))
        when = draw(st.sampled_from([T0]) | moments)
        item = {"customer_id": customer, "type": kind, "timestamp": when.isoformat(), **attributes}
        event_id = draw(ids)
        if event_id is not None:
            item["event_id"] = event_id
        out.append(item)
    return out


def tie_preserving_shuffle(records: list[dict[str, Any]], keys: list[int]) -> list[dict[str, Any]]:
    """Reorder records while keeping the input order of records at the same instant."""
    ranked = sorted(range(len(records)), key=lambda i: keys[i % len(keys)] if keys else 0)
    by_time: dict[str, list[dict[str, Any]]] = {}
    for item in records:
        by_time.setdefault(item["timestamp"], []).append(item)
    return [by_time[records[i]["timestamp"]].pop(0) for i in ranked]


AS_OF = at(45)


@given(histories(), st.lists(st.integers(), max_size=20))
def test_input_order_does_not_matter(
    journey: Journey, records: list[dict[str, Any]], keys: list[int]
) -> None:
    shuffled = tie_preserving_shuffle(records, keys)
    assert journey.replay(shuffled, AS_OF).to_dict() == journey.replay(records, AS_OF).to_dict()


@given(histories(), moments)
def test_replaying_up_to_t_equals_replaying_all_as_of_t(
    journey: Journey, records: list[dict[str, Any]], as_of: Any
) -> None:
    earlier = [r for r in records if r["timestamp"] <= as_of.isoformat()]
    everything = journey.replay(records, as_of).to_dict()
    up_to_t = journey.replay(earlier, as_of).to_dict()
    # With nothing up to T the customer's id is unknown; the position must still agree.
    everything.pop("customer")
    up_to_t.pop("customer")
    assert everything == up_to_t


@given(histories())
def test_replaying_duplicates_again_changes_only_the_duplicate_count(
    journey: Journey, records: list[dict[str, Any]]
) -> None:
    first = journey.replay(records, AS_OF).to_dict()
    with_ids = [r for r in records if "event_id" in r]
    again = journey.replay(records + with_ids, AS_OF).to_dict()
    assert again.pop("duplicates") == first.pop("duplicates") + len(with_ids)
    assert again == first


@given(histories(), st.lists(moments, max_size=3))
def test_step_by_step_equals_batch(
    journey: Journey, records: list[dict[str, Any]], pauses: list[Any]
) -> None:
    ordered = sorted(records, key=lambda r: r["timestamp"])  # stable: ties keep input order
    pending = sorted(pauses)
    state = journey.start("c1")
    for item in ordered:
        while pending and pending[0].isoformat() <= item["timestamp"]:
            moment = pending.pop(0)
            if state.clock is None or moment >= state.clock:
                state = journey.advance(state, moment)
        state = journey.step(state, item)
    expected = journey.replay(records, AS_OF, customer="c1").to_dict()
    assert journey.position(state, AS_OF).to_dict() == expected


@given(histories("a"), histories("b"), histories("c"), st.randoms(use_true_random=False))
def test_replay_all_equals_one_replay_per_customer_in_any_interleaving(
    journey: Journey, a: list[Any], b: list[Any], c: list[Any], rnd: Any
) -> None:
    records = a + b + c
    rnd.shuffle(records)
    batch = {r.customer: r.to_dict() for r in journey.replay_all(records, AS_OF)}
    expected = {}
    for customer in ("a", "b", "c"):
        own = [r for r in records if r["customer_id"] == customer]
        if any(r["timestamp"] <= AS_OF.isoformat() for r in own):
            expected[customer] = journey.replay(own, AS_OF).to_dict()
    assert batch == expected

"""The store's promise, as properties: its state is a batch replay of its events.

Whatever the arrival order, the chunking, the redelivery and the ticks in between,
`status(c, as_of=T)` equals `Journey.replay` of the customer's stored events as of T; and
when a customer's events are all at different instants (so that arrival order cannot
matter), it equals the replay of the records as they were first given.

Each test keeps one store across its examples and gives every example its own customers,
so that PostgreSQL runs do not pay for a new database per example.
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from ingest_worker import JOURNEY  # the store tests' journey (this folder is on sys.path)

import customer_journey
from customer_journey import Journey, ReplayResult, open_store
from customer_journey.engine import CustomerState, build_plan, fold
from customer_journey.store import Store
from customer_journey.store._codec import decode_state, encode_state
from customer_journey.testing.strategies import histories, populations

PROPERTIES = settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@pytest.fixture(scope="module")
def journey() -> Journey:
    return customer_journey.loads(JOURNEY, source="live-test.yaml")


@pytest.fixture
def store(store_url: str, journey: Journey) -> Iterator[Store]:
    with open_store(store_url, journey) as opened:
        yield opened


_examples = itertools.count()


def _own_customers(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The records with customer ids no earlier example of the test used."""
    prefix = f"x{next(_examples)}-"
    return [{**item, "customer_id": prefix + item["customer_id"]} for item in records]


def _moment(item: dict[str, Any]) -> datetime:
    return datetime.fromisoformat(item["timestamp"])


@st.composite
def deliveries(draw: st.DrawFn, records: list[dict[str, Any]]) -> list[list[dict[str, Any]]]:
    """The records in any order, cut into chunks, some delivered again."""
    order = draw(st.permutations(records))
    again = draw(st.lists(st.sampled_from(records), max_size=4)) if records else []
    stream = order + again
    cuts = sorted(draw(st.sets(st.integers(0, len(stream)), max_size=4)))
    bounds = [0, *cuts, len(stream)]
    return [stream[start:end] for start, end in itertools.pairwise(bounds) if end > start]


def _replayed(
    store: Store, journey: Journey, customer: str, as_of: datetime
) -> tuple[ReplayResult, ReplayResult]:
    return store.status(customer, as_of), journey.replay(store.events(customer), as_of)


@PROPERTIES
@given(data=st.data())
def test_status_is_a_replay_of_the_stored_events(
    store: Store, journey: Journey, data: st.DataObject
) -> None:
    records = _own_customers(data.draw(populations(journey, duplicates=False, max_size=8)))
    moments = [_moment(item) for item in records]
    for chunk in data.draw(deliveries(records)):
        store.ingest(chunk, chunk_size=data.draw(st.integers(1, 5)))
        if moments and data.draw(st.booleans()):
            store.tick(
                data.draw(st.sampled_from(moments)) + timedelta(days=data.draw(st.integers(0, 4)))
            )
    customers = sorted({item["customer_id"] for item in records})
    for customer in customers:
        latest = max(event.at for event in store.events(customer))
        for as_of in (latest, latest + timedelta(days=3), data.draw(st.sampled_from(moments))):
            status, replayed = _replayed(store, journey, customer, as_of)
            assert status == replayed


@st.composite
def apart(draw: st.DrawFn, journey: Journey) -> list[dict[str, Any]]:
    """A population without event ids whose customers' events are all at different instants."""
    records = draw(populations(journey, duplicates=False, max_size=8, ids=()))
    seen: set[tuple[str, str]] = set()
    kept = []
    for item in records:
        moment = (item["customer_id"], item["timestamp"])
        if moment not in seen:
            seen.add(moment)
            kept.append(item)
    return kept


@PROPERTIES
@given(data=st.data())
def test_status_is_a_replay_of_the_records_whatever_their_arrival(
    store: Store, journey: Journey, data: st.DataObject
) -> None:
    records = _own_customers(data.draw(apart(journey)))
    for chunk in data.draw(deliveries(records)):
        store.ingest(chunk, chunk_size=data.draw(st.integers(1, 5)))
    by_customer: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for item in records:
        by_customer[item["customer_id"]].append(item)
    for customer, own in by_customer.items():
        latest = max(_moment(item) for item in own)
        for as_of in (latest, latest - timedelta(days=1), latest + timedelta(days=10)):
            assert store.status(customer, as_of) == journey.replay(own, as_of)


@settings(max_examples=150, deadline=None)
@given(data=st.data())
def test_a_stored_state_reads_back_equal(journey: Journey, data: st.DataObject) -> None:
    """The JSON form of a state loses nothing the engine reads (ids seen aside).

    The arms are not written: they follow from the customer id, and the engine derives
    them again when it first folds or judges the state read back.
    """
    records = data.draw(histories(journey, duplicates=False, max_size=12))
    events = sorted(journey.events_from(records), key=lambda event: event.at)
    plan = build_plan(journey.model)
    state = CustomerState("c1")
    fold(plan, state, events)
    twin = decode_state("c1", encode_state(state))
    assert twin.arms is None
    fold(plan, twin, ())
    assert twin.arms == state.arms == {"control": "holdout", "reminder": "early"}
    for name in CustomerState.__slots__:
        if name not in ("seen_ids", "trace", "now", "event_attributes"):
            assert getattr(twin, name) == getattr(state, name), name

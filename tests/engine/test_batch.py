"""replay_all: grouping, order independence, as_of, totals and rejections."""

from __future__ import annotations

import pytest

from customer_journey import Journey, UngroupedInputError

from .conftest import at, record


def positions(batch: object) -> dict[str, str | None]:
    return {result.customer: result.stage for result in batch}  # type: ignore[attr-defined]


def test_results_come_sorted_by_customer_whatever_the_input_order(journey: Journey) -> None:
    records = [
        record("page.viewed", at(0), customer="b"),
        record("order.completed", at(0), customer="a", total=3),
    ]
    assert [r.customer for r in journey.replay_all(records)] == ["a", "b"]


def test_ungrouped_input_in_a_list_is_grouped(journey: Journey) -> None:
    records = [
        record("page.viewed", at(0), customer="a"),
        record("page.viewed", at(0), customer="b"),
        record("page.viewed", at(1), customer="a", page="/pricing"),
        record("page.viewed", at(0, -1), customer="b"),
    ]
    batch = journey.replay_all(records)
    assert positions(batch) == {"a": "interested", "b": "aware"}
    assert [r.path[0].entered_at for r in batch] == [at(0), at(0, -1)]


def test_a_one_shot_stream_of_grouped_records_is_replayed(journey: Journey) -> None:
    records = [
        record("page.viewed", at(0), customer="a"),
        record("page.viewed", at(1), customer="a", page="/pricing"),
        record("page.viewed", at(0), customer="b"),
    ]
    assert positions(journey.replay_all(iter(records))) == {"a": "interested", "b": "aware"}


def test_a_one_shot_stream_that_revisits_a_customer_is_refused(journey: Journey) -> None:
    records = [
        record("page.viewed", at(0), customer="a"),
        record("page.viewed", at(0), customer="b"),
        record("page.viewed", at(1), customer="a"),
    ]
    with pytest.raises(UngroupedInputError, match="customer 'a' are not together"):
        journey.replay_all(iter(records))


def test_the_default_as_of_is_the_latest_event_of_the_whole_input(journey: Journey) -> None:
    records = [
        record("page.viewed", at(0), customer="a"),
        record("page.viewed", at(20), customer="b"),
    ]
    batch = journey.replay_all(records)
    assert batch.as_of == at(20)
    assert positions(batch) == {"a": "gone", "b": "aware"}


def test_customers_with_no_event_by_as_of_are_left_out_and_counted(journey: Journey) -> None:
    records = [
        record("page.viewed", at(0), customer="a"),
        record("page.viewed", at(5), customer="a"),
        record("page.viewed", at(5), customer="b"),
    ]
    batch = journey.replay_all(records, as_of=at(1))
    assert positions(batch) == {"a": "aware"}
    assert batch.totals.after_as_of == 2
    assert batch.totals.customers == 1


def test_totals_account_for_every_record(journey: Journey) -> None:
    records = [
        record("page.viewed", at(0), customer="a", event_id="1"),
        record("page.viewed", at(1), customer="a", event_id="1"),
        {"type": "page.viewed", "timestamp": at(0).isoformat()},
        record("page.viewed", at(0), customer="b") | {"timestamp": "yesterday"},
        record("page.viewed", at(0), customer="b"),
    ]
    batch = journey.replay_all(records)
    assert batch.totals.to_dict() == {
        "read": 5,
        "accepted": 3,
        "rejected": 2,
        "duplicates": 1,
        "after_as_of": 0,
        "customers": 2,
        "events": 2,
    }
    assert [(r.row, r.reason.split(":")[0]) for r in batch.rejections] == [
        (3, "missing 'customer_id'"),
        (4, "unreadable time 'yesterday' in 'timestamp'"),
    ]


def test_stage_counts_follow_funnel_order(journey: Journey) -> None:
    records = [
        record("order.completed", at(0), customer="a", total=1),
        record("page.viewed", at(0), customer="b"),
        record("cart.added", at(0), customer="c"),
    ]
    assert journey.replay_all(records).stage_counts() == {
        "aware": 1,
        "interested": 0,
        "buyer": 1,
        "gone": 0,
        "closed": 0,
        None: 1,
    }


def test_batch_results_equal_one_replay_per_customer(journey: Journey) -> None:
    records = [
        record("page.viewed", at(0), customer="a"),
        record("page.viewed", at(2), customer="b", page="/pricing"),
        record("order.completed", at(3), customer="a", total=2),
        record("page.viewed", at(1), customer="b"),
    ]
    batch = {r.customer: r.to_dict() for r in journey.replay_all(records, as_of=at(30))}
    for customer in ("a", "b"):
        own = [r for r in records if r["customer_id"] == customer]
        assert batch[customer] == journey.replay(own, as_of=at(30)).to_dict()

"""from_records: records to events, every rejection with its row, strict mode, the report."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timezone
from types import MappingProxyType
from typing import Any

import pytest

from customer_journey._timestamps import to_zone
from customer_journey.errors import RecordError
from customer_journey.model import EMPTY, Event, EventFields
from customer_journey.readers import EventSource, ReadReport, Rejection, from_records

UTC = timezone.utc
FIELDS = EventFields()
AT = datetime(2026, 1, 1, 10, tzinfo=UTC)
GOOD = {"customer_id": "c1", "type": "page.viewed", "timestamp": "2026-01-01T10:00:00Z"}


def read(records: Any, **options: Any) -> EventSource:
    options.setdefault("fields", FIELDS)
    options.setdefault("timezone", UTC)
    return from_records(records, **options)


def reasons(source: EventSource) -> list[tuple[int, str]]:
    return [(rejection.row, rejection.reason) for rejection in source.report.rejections]


def test_a_record_becomes_an_event_with_every_field_in_its_place() -> None:
    record = {
        "customer_id": "c1",
        "type": "order.placed",
        "timestamp": "2026-01-01T11:00:00+01:00",
        "event_id": "e1",
        "channel": "web",
        "traits": {"vip": True, "tier": None},
        "total": 42.5,
        "coupon": None,
        "items": ["a", "b"],
    }
    (event,) = read([record])
    assert event == Event(
        customer="c1",
        type="order.placed",
        at=AT,
        id="e1",
        channel="web",
        attributes={"total": 42.5, "items": ["a", "b"]},
        traits={"vip": True},
    )


def test_a_record_with_only_the_required_fields_has_empty_attributes_and_traits() -> None:
    (event,) = read([GOOD])
    assert event == Event("c1", "page.viewed", AT)
    assert event.attributes is EMPTY
    assert event.traits is EMPTY


def test_whole_number_ids_become_text() -> None:
    (event,) = read([{**GOOD, "customer_id": 42, "event_id": 7}])
    assert (event.customer, event.id) == ("42", "7")


def test_empty_event_id_and_channel_are_none() -> None:
    (event,) = read([{**GOOD, "event_id": "", "channel": ""}])
    assert (event.id, event.channel) == (None, None)


def test_the_event_fields_name_the_record_fields() -> None:
    fields = EventFields(
        customer="user", type="event", time="ts", id="uid", channel="via", traits="profile"
    )
    record = {
        "user": "u1",
        "event": "signup",
        "ts": 1767261600,
        "uid": "x",
        "via": "email",
        "profile": {"plan": "pro"},
        "customer_id": "not-the-customer",
    }
    (event,) = read([record], fields=fields)
    assert event == Event(
        "u1", "signup", AT, "x", "email", {"customer_id": "not-the-customer"}, {"plan": "pro"}
    )


def test_times_without_offset_are_read_in_the_timezone() -> None:
    (event,) = read(
        [{**GOOD, "timestamp": "2026-07-01T12:00:00"}], timezone=to_zone("Europe/Paris")
    )
    assert event.at == datetime(2026, 7, 1, 10, tzinfo=UTC)


def test_any_mapping_is_a_record() -> None:
    (event,) = read([MappingProxyType(GOOD)])
    assert event == Event("c1", "page.viewed", AT)


def test_events_pass_through_unchanged() -> None:
    given = Event("c9", "x", AT, attributes={"a": 1})
    events = list(read([given, GOOD]))
    assert events[0] is given
    assert events == [given, Event("c1", "page.viewed", AT)]


def test_default_customer_fills_records_without_one() -> None:
    events = list(
        read([{"type": "a", "timestamp": 0}, {**GOOD, "customer_id": ""}], default_customer="me")
    )
    assert [event.customer for event in events] == ["me", "me"]


def test_default_customer_does_not_replace_a_customer_given() -> None:
    (event,) = read([GOOD], default_customer="me")
    assert event.customer == "c1"


@pytest.mark.parametrize(
    ("record", "reason", "code"),
    [
        ({"type": "a", "timestamp": 0}, "missing 'customer_id'", "missing-field"),
        ({**GOOD, "customer_id": None}, "missing 'customer_id'", "missing-field"),
        ({**GOOD, "customer_id": ""}, "missing 'customer_id'", "missing-field"),
        (
            {**GOOD, "customer_id": 1.5},
            "'customer_id' must be text or a whole number (got 1.5)",
            "bad-type",
        ),
        (
            {**GOOD, "customer_id": True},
            "'customer_id' must be text or a whole number (got true)",
            "bad-type",
        ),
        (
            {**GOOD, "customer_id": {"id": 1}},
            "'customer_id' must be text or a whole number (got {\"id\": 1})",
            "bad-type",
        ),
        ({"customer_id": "c", "timestamp": 0}, "missing 'type'", "missing-field"),
        ({**GOOD, "type": ""}, "missing 'type'", "missing-field"),
        (
            {**GOOD, "type": 3},
            "'type' must be an event type such as 'page.viewed' (got 3)",
            "bad-type",
        ),
        ({"customer_id": "c", "type": "a"}, "missing 'timestamp'", "missing-field"),
        ({**GOOD, "timestamp": ""}, "missing 'timestamp'", "missing-field"),
        (
            {**GOOD, "timestamp": "yesterday"},
            "unreadable time 'yesterday' in 'timestamp': not a date and time; write it like "
            "2026-01-01T10:00:00Z, 2026-01-01 or epoch seconds such as 1767225600",
            "bad-timestamp",
        ),
        (
            {**GOOD, "timestamp": "2026-02-30T10:00:00Z"},
            "unreadable time '2026-02-30T10:00:00Z' in 'timestamp': day is out of range for month",
            "bad-timestamp",
        ),
        (
            {**GOOD, "timestamp": False},
            "unreadable time 'false' in 'timestamp': not a date and time; write it like "
            "2026-01-01T10:00:00Z, 2026-01-01 or epoch seconds such as 1767225600",
            "bad-timestamp",
        ),
        (
            {**GOOD, "event_id": 2.0},
            "'event_id' must be text or a whole number (got 2.0)",
            "bad-type",
        ),
        (
            {**GOOD, "channel": 5},
            "'channel' must be a channel name such as 'email' (got 5)",
            "bad-type",
        ),
        (
            {**GOOD, "traits": "vip"},
            "'traits' must hold named values such as {\"vip\": true} (got vip)",
            "bad-traits",
        ),
        (
            {**GOOD, "traits": [1, 2]},
            "'traits' must hold named values such as {\"vip\": true} (got [1, 2])",
            "bad-traits",
        ),
        (
            ["c1", "page.viewed"],
            'not a record with named fields such as \'customer_id\' (got ["c1", "page.viewed"])',
            "not-an-object",
        ),
        ("c1", "not a record with named fields such as 'customer_id' (got c1)", "not-an-object"),
        (None, "not a record with named fields such as 'customer_id' (got null)", "not-an-object"),
    ],
)
def test_a_bad_record_is_rejected_with_a_reason_and_a_code(
    record: object, reason: str, code: str
) -> None:
    source = read([GOOD, record, GOOD])
    assert len(list(source)) == 2
    assert source.report.rejections == [Rejection("<records>", 2, reason, record, code=code)]


def test_the_first_problem_of_a_record_is_the_one_reported() -> None:
    source = read([{"timestamp": "never"}])
    assert list(source) == []
    assert reasons(source) == [(1, "missing 'customer_id'")]


def test_a_long_value_is_shortened_in_the_reason() -> None:
    source = read([{**GOOD, "timestamp": "x" * 100}])
    list(source)
    assert reasons(source) == [
        (
            1,
            "unreadable time '" + "x" * 57 + "...' in 'timestamp': not a date and time; write "
            "it like 2026-01-01T10:00:00Z, 2026-01-01 or epoch seconds such as 1767225600",
        )
    ]


def test_rejections_name_the_source_and_the_row() -> None:
    source = read([GOOD, {}, GOOD, {"type": "a"}], source="crm-export")
    list(source)
    assert [str(rejection) for rejection in source.report.rejections] == [
        "crm-export:2: missing 'customer_id'",
        "crm-export:4: missing 'customer_id'",
    ]


def test_rejection_to_dict_has_a_stable_key_order() -> None:
    rejection = Rejection("f.jsonl", 3, "missing 'type'", {"a": 1}, code="missing-field")
    assert list(rejection.to_dict().items()) == [
        ("source", "f.jsonl"),
        ("row", 3),
        ("code", "missing-field"),
        ("reason", "missing 'type'"),
        ("record", {"a": 1}),
    ]


def test_the_report_counts_read_accepted_and_rejected() -> None:
    source = read([GOOD, {}, GOOD, 7, GOOD])
    assert source.report == ReadReport()
    assert len(list(source)) == 3
    report = source.report
    assert (report.read, report.accepted, report.rejected) == (5, 3, 2)
    assert report.read == report.accepted + report.rejected
    assert report.to_dict() == {
        "read": 5,
        "accepted": 3,
        "rejected": 2,
        "rejections": [
            {
                "source": "<records>",
                "row": 2,
                "code": "missing-field",
                "reason": "missing 'customer_id'",
                "record": {},
            },
            {
                "source": "<records>",
                "row": 4,
                "code": "not-an-object",
                "reason": "not a record with named fields such as 'customer_id' (got 7)",
                "record": 7,
            },
        ],
    }


def test_the_report_is_up_to_date_while_iterating() -> None:
    source = read([GOOD, {}, GOOD])
    events = iter(source)
    next(events)
    assert (source.report.read, source.report.accepted, source.report.rejected) == (1, 1, 0)
    next(events)
    assert (source.report.read, source.report.accepted, source.report.rejected) == (3, 2, 1)


def test_strict_mode_raises_at_the_first_bad_record() -> None:
    source = read([GOOD, GOOD, {"customer_id": "c"}, {}], strict=True, source="in")
    events = iter(source)
    assert next(events) == Event("c1", "page.viewed", AT)
    next(events)
    with pytest.raises(RecordError, match=r".") as info:
        next(events)
    assert str(info.value) == "in:3: missing 'type'"
    assert (info.value.source, info.value.row, info.value.reason, info.value.code) == (
        "in",
        3,
        "missing 'type'",
        "missing-field",
    )
    assert (source.report.read, source.report.accepted, source.report.rejected) == (3, 2, 1)


def test_a_list_is_reiterable_and_later_passes_do_not_count_again() -> None:
    source = read([GOOD, {}, GOOD])
    assert source.reiterable
    first = list(source)
    second = list(source)
    assert first == second == [Event("c1", "page.viewed", AT)] * 2
    assert (source.report.read, source.report.accepted, source.report.rejected) == (3, 2, 1)
    assert len(source.report.rejections) == 1


def test_a_tuple_is_reiterable() -> None:
    assert read((GOOD,)).reiterable


def test_a_one_shot_iterator_is_read_once_and_goes_on_where_it_stopped() -> None:
    def records() -> Iterator[dict[str, object]]:
        for number in range(3):
            yield {**GOOD, "event_id": str(number)}

    source = read(records())
    assert not source.reiterable
    events = iter(source)
    assert next(events).id == "0"
    assert [event.id for event in source] == ["1", "2"]
    assert list(source) == []
    assert (source.report.read, source.report.accepted) == (3, 3)


def test_the_source_names_itself() -> None:
    source = read([], source="crm")
    assert (source.source, repr(source)) == ("crm", "EventSource('crm', reiterable=True)")


class Text(str):
    """Text from a library that subclasses str."""


def test_text_subclasses_are_read_as_text() -> None:
    record = {
        "customer_id": Text("c1"),
        "type": "page.viewed",
        "timestamp": Text("2026-01-01T10:00:00Z"),
        "channel": Text("web"),
    }
    (event,) = read([record])
    assert event == Event("c1", "page.viewed", AT, channel="web")
    assert (type(event.customer), type(event.channel)) == (str, str)


def test_a_value_json_cannot_spell_is_shown_as_python_writes_it() -> None:
    source = read([[{(1, 2): "pair"}]])
    list(source)
    assert reasons(source) == [
        (1, "not a record with named fields such as 'customer_id' (got [{(1, 2): 'pair'}])")
    ]

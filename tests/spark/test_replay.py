"""`customer_journey.spark` against the local replay: the same positions, the same rejections.

Populations are drawn from seeded generators: customers whose records arrive shuffled, with
nested attributes, traits structs whose unused fields are null, repeated event ids, ties,
times with offsets and rows that cannot become events. Spark reads them through an
explicit schema, as it would read a JSON or Parquet export; the local replay reads the
same records as a JSON export holds them, without the nulls.
"""

from __future__ import annotations

import itertools
import json
import random
import subprocess
import sys
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any

import pytest

import customer_journey
from customer_journey import Journey, spark
from customer_journey.errors import ArgumentError
from customer_journey.readers import MissingDependencyError

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession

pytestmark = pytest.mark.filterwarnings(
    # pyspark 4 warns when it meets pandas 3, which its Arrow functions do not use here.
    "ignore:PySpark does not yet fully support pandas:FutureWarning"
)

JOURNEY = """\
journey: spark
events: { customer: user, type: kind, time: at, id: eid, channel: via, traits: profile }
touchpoints:
  visit:   { event: page.viewed, channel: web }
  pricing: { event: page.viewed, channel: web, where: { page: /pricing } }
  cart:    { event: cart.added, channel: web, where: { basket.total: { gt: 0 } } }
  coupon:  { event: cart.added, channel: web, where: { basket.coupon: { exists: true } } }
  order:   { event: order.completed, channel: web }
  call:    { event: call.ended, channel: phone }
stages:
  aware:
    phase: awareness
    entry: [visit, pricing]
    expected_duration: 2d
    transitions:
      - { to: keen, when: pricing }
      - { to: keen, when: visit, if: { customer.vip: true } }
      - { to: gone, after: 6d }
  keen:
    phase: consideration
    friction:
      - { label: calls again, when: call, times: 2, within: 1d }
    transitions:
      - { to: buyer, when: [cart, coupon] }
      - { to: aware, after: 2d }
  buyer:
    phase: conversion
    entry: [order]
    transitions:
      - { to: gone, when: call, if: { customer.tier: { ne: gold } } }
  gone:
    transitions:
      - { to: buyer, when: order }
goals:
  buy: { reach: buyer, within: 5d }
actions:
  - { id: nudge, channel: email, stages: [keen], cooldown: 1d, max: 2 }
  - { id: gold_call, channel: phone, stages: [aware, keen], if: { customer.tier: gold } }
"""

#: How Spark reads the export: every field typed, the nested ones as structs.
SCHEMA = (
    "user string, kind string, at string, eid string, via string, page string, "
    "basket struct<total: double, coupon: string>, profile struct<vip: boolean, tier: string>"
)

#: `JOURNEY` with section 10's features: `idle` timeouts (a stage's and an `anywhere` one),
#: experiments (one with a holdout, one that an action's `if` reads), a send window, and
#: a contact policy that actions of other journeys count toward.
SECTION_10 = (
    JOURNEY.replace(
        "      - { to: gone, when: call, if: { customer.tier: { ne: gold } } }\n",
        "      - { to: gone, when: call, if: { customer.tier: { ne: gold } } }\n"
        "      - { to: gone, idle: 4d }\n",
    )
    + """\
  - { id: follow_up, channel: email, stages: [buyer], if: { experiment.offer: early } }
anywhere:
  - { to: gone, idle: 5d }
experiments:
  control: { arms: { holdout: 1, treated: 3 }, holdout: holdout }
  offer: { arms: { early: 1, late: 1 }, salt: spring }
send_windows:
  phone: { days: [mon, tue, wed, thu, fri], hours: "09:00-17:00" }
contact_policy:
  email: { max: 1, per: 3d }
"""
)
#: `SCHEMA` with the action a record of an action performed names.
SCHEMA_10 = SCHEMA + ", action string"
#: When the section 10 population is replayed: a Friday, 22:00, the phone window shut.
NIGHT = datetime(2026, 3, 13, 22, 0, tzinfo=timezone.utc)

START = datetime(2026, 3, 1, tzinfo=timezone.utc)
KINDS = ("page.viewed", "cart.added", "order.completed", "call.ended")
PAGES = ("/home", "/pricing", None)


@pytest.fixture(scope="module")
def journey() -> Journey:
    return customer_journey.loads(JOURNEY, source="spark.yaml")


def _time(rng: random.Random) -> str:
    """An event time as an export writes it: UTC with a Z, or with an offset; ties likely."""
    moment = START + timedelta(hours=rng.randrange(0, 24 * 20, 7))
    if rng.random() < 0.3:
        return moment.astimezone(timezone(timedelta(hours=2))).isoformat()
    return moment.isoformat().replace("+00:00", "Z")


def _row(rng: random.Random, customer: str, number: int) -> dict[str, Any]:
    """One record with every schema field (None where Spark would hold a null)."""
    kind = rng.choice(KINDS)
    return {
        "user": customer,
        "kind": kind,
        "at": _time(rng),
        "eid": f"{customer}-{rng.randrange(number + 1)}" if rng.random() < 0.5 else None,
        "via": "phone" if kind == "call.ended" else "web",
        "page": rng.choice(PAGES) if kind == "page.viewed" else None,
        "basket": (
            {"total": rng.choice((0.0, 12.5)), "coupon": rng.choice(("SPRING", None))}
            if kind == "cart.added"
            else None
        ),
        "profile": (
            {"vip": rng.choice((True, False, None)), "tier": rng.choice(("gold", None))}
            if rng.random() < 0.4
            else None
        ),
    }


def _bad_row(rng: random.Random, customer: str) -> dict[str, Any]:
    """A record that cannot become an event: no customer, no type or an unreadable time."""
    row = _row(rng, customer, 0)
    spoiled = rng.choice(("user", "kind", "at"))
    row[spoiled] = "yesterday" if spoiled == "at" else None
    return row


def population(seed: int, customers: int = 40) -> list[dict[str, Any]]:
    """Shuffled records of `customers` customers, a few of them rows to reject."""
    rng = random.Random(seed)
    rows = [
        _row(rng, f"c{number:03}", index)
        for number in range(customers)
        for index in range(rng.randrange(1, 12))
    ]
    rows += [_bad_row(rng, f"c{rng.randrange(customers):03}") for _ in range(customers // 8)]
    rng.shuffle(rows)
    return rows


def population_10(seed: int, customers: int = 30) -> list[dict[str, Any]]:
    """`population`'s records and actions performed: this journey's, and others' on email."""
    rng = random.Random(seed)
    rows = [row | {"action": None} for row in population(seed, customers)]
    for number in range(customers):
        action = rng.choice(("nudge", "follow_up", "newsletter"))
        row = _row(rng, f"c{number:03}", 0) | {"page": None, "basket": None, "profile": None}
        at = NIGHT - timedelta(hours=rng.randrange(1, 96, 5))  # some within the email cap's 3d
        rows.append(
            row
            | {"kind": "action.performed", "at": at.isoformat(), "via": "email", "action": action}
        )
    rng.shuffle(rows)
    return rows


def as_exported(value: Any) -> Any:
    """A record as a JSON export holds it: the fields without a value left out."""
    if isinstance(value, dict):
        return {name: as_exported(item) for name, item in value.items() if item is not None}
    return value


def local_results(
    journey: Journey, rows: list[dict[str, Any]], as_of: datetime | None = None
) -> list[dict[str, Any]]:
    """The local replay's results as `replay --format jsonl` writes them."""
    results = []
    for result in journey.replay_all([as_exported(row) for row in rows], as_of):
        data = result.to_dict()
        del data["trace"]
        results.append(data)
    return results


def spark_results(
    journey: Journey, df: DataFrame, as_of: datetime | str | None = None
) -> list[dict[str, Any]]:
    """Spark's results in customer order, as mappings."""
    rows = spark.replay(journey, df, as_of).orderBy("customer").collect()
    return [row.asDict(recursive=True) for row in rows]


def in_order(session: SparkSession, rows: list[dict[str, Any]]) -> DataFrame:
    """The rows as a DataFrame whose order is theirs (one partition, as from a file)."""
    return session.createDataFrame(rows, SCHEMA).coalesce(1)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_spark_replay_gives_every_customer_the_local_position(
    session: SparkSession, journey: Journey, seed: int
) -> None:
    rows = population(seed)
    expected = local_results(journey, rows)

    assert spark_results(journey, in_order(session, rows)) == expected
    visited = {visit["stage"] for result in expected for visit in result["path"]}
    assert visited == {"aware", "keen", "buyer", "gone"}


def test_spark_replay_gives_the_local_arms_idle_timeouts_and_send_windows(
    session: SparkSession,
) -> None:
    journey = customer_journey.loads(SECTION_10, source="spark-10.yaml")
    rows = population_10(8)
    expected = local_results(journey, rows, NIGHT)

    df = session.createDataFrame(rows, SCHEMA_10).coalesce(1)
    assert spark_results(journey, df, NIGHT) == expected
    arms = {(result["arms"]["control"], result["arms"]["offer"]) for result in expected}
    assert arms == {
        (control, offer) for control in ("holdout", "treated") for offer in ("early", "late")
    }
    held = {
        (held["reason"], held["available_at"])
        for result in expected
        for held in result["suppressed"]
    }
    assert {
        ("holdout", None),
        ("contact_policy", None),
        ("send_window", "2026-03-16T09:00:00Z"),
    } <= held
    timed_out = {
        (visit["stage"], after["stage"])
        for result in expected
        for visit, after in itertools.pairwise(result["path"])
        if after["trigger"] == "timeout"
    }
    assert ("buyer", "gone") in timed_out  # 'buyer' has only idle timeouts


def test_spark_replay_reads_null_traits_and_attributes_as_absent(
    session: SparkSession, journey: Journey
) -> None:
    rows = [
        {**_row(random.Random(0), "v", 0), "kind": "page.viewed", "at": "2026-03-01T10:00:00Z"}
        | {"page": "/home", "eid": "1", "basket": None, "profile": {"vip": True, "tier": None}},
        {**_row(random.Random(0), "v", 0), "kind": "page.viewed", "at": "2026-03-01T11:00:00Z"}
        | {"page": "/home", "eid": "2", "basket": None, "profile": {"vip": None, "tier": "gold"}},
        {**_row(random.Random(0), "v", 0), "kind": "cart.added", "at": "2026-03-01T12:00:00Z"}
        | {"page": None, "eid": "3", "basket": {"total": 0.0, "coupon": None}, "profile": None},
    ]

    (result,) = spark_results(journey, in_order(session, rows))

    # vip stayed true (the second event's null did not clear it), tier became gold, and
    # the null coupon does not exist: the cart event left the customer in 'keen'.
    assert result["stage"] == "keen"
    assert [action["action"] for action in result["next_actions"]] == ["nudge", "gold_call"]
    assert result == local_results(journey, rows)[0]


def test_spark_replay_keeps_the_input_order_of_events_at_the_same_instant(
    session: SparkSession, journey: Journey
) -> None:
    same = "2026-03-01T10:00:00Z"
    first = _row(random.Random(0), "t", 0) | {"kind": "page.viewed", "at": same, "page": "/home"}
    second = first | {"kind": "page.viewed", "page": "/pricing", "eid": None}
    rows = [first | {"eid": None, "profile": None}, second | {"profile": None}]

    results = [spark_results(journey, in_order(session, order))[0] for order in (rows, rows[::-1])]

    assert [result["stage"] for result in results] == ["keen", "aware"]
    assert results == [local_results(journey, rows)[0], local_results(journey, rows[::-1])[0]]


def test_spark_replay_takes_an_as_of_and_defaults_to_the_latest_event_time(
    session: SparkSession, journey: Journey
) -> None:
    rows = population(4, customers=12)
    df = in_order(session, rows)
    as_of = START + timedelta(days=9)

    assert spark_results(journey, df, "2026-03-10T00:00:00Z") == local_results(journey, rows, as_of)
    latest = max(row["as_of"] for row in local_results(journey, rows))
    assert spark.latest_time(journey, df) == datetime.fromisoformat(latest)


def test_spark_replay_reads_a_timestamp_column_as_the_local_replay_reads_times(
    session: SparkSession, journey: Journey
) -> None:
    rows = [row for row in population(5, customers=10) if row["at"] != "yesterday"]
    timed = [row | {"at": datetime.fromisoformat(row["at"])} for row in rows]
    df = session.createDataFrame(timed, SCHEMA.replace("at string", "at timestamp")).coalesce(1)

    assert spark_results(journey, df) == local_results(journey, rows)


def test_spark_replay_reads_whole_number_customer_ids_as_the_local_replay_does(
    session: SparkSession, journey: Journey
) -> None:
    rows = [
        row | {"user": int(row["user"][1:])}
        for row in population(7, customers=12)
        if row["user"] is not None
    ]
    df = session.createDataFrame(rows, SCHEMA.replace("user string", "user bigint")).coalesce(1)

    results = spark_results(journey, df)

    assert results == local_results(journey, rows)
    assert [result["customer"] for result in results][:3] == ["0", "1", "10"]


def test_spark_rejections_list_each_rejected_row_with_the_local_code_and_reason(
    session: SparkSession, journey: Journey
) -> None:
    rows = population(6, customers=80)
    local = journey.replay_all([as_exported(row) for row in rows]).rejections

    found = spark.rejections(journey, session.createDataFrame(rows, SCHEMA)).collect()

    def texts(items: list[tuple[str, str, object]]) -> list[str]:
        return sorted(json.dumps(item, sort_keys=True) for item in items)

    assert texts([(row["code"], row["reason"], json.loads(row["record"])) for row in found]) == (
        texts([(rejection.code, rejection.reason, rejection.record) for rejection in local])
    )
    assert {row["code"] for row in found} == {"missing-field", "bad-timestamp"}


def test_spark_replay_of_rows_that_are_all_rejected_has_no_rows(
    session: SparkSession, journey: Journey
) -> None:
    rows = [_bad_row(random.Random(seed), "x") | {"user": None} for seed in range(3)]

    assert spark.replay(journey, in_order(session, rows)).count() == 0
    assert spark.latest_time(journey, in_order(session, rows)) is None


def test_spark_replay_refuses_a_frame_without_the_customer_column(
    session: SparkSession, journey: Journey
) -> None:
    df = session.createDataFrame([("a", "page.viewed")], "customer_id string, kind string")

    with pytest.raises(ArgumentError) as caught:
        spark.replay(journey, df)

    assert str(caught.value) == (
        "'df' must have the journey's customer column 'user' (got columns customer_id, kind)"
    )


@pytest.mark.usefixtures("session")
def test_spark_replay_refuses_records_that_are_not_a_dataframe(journey: Journey) -> None:
    with pytest.raises(ArgumentError) as caught:
        spark.replay(journey, [{"user": "a"}])  # type: ignore[arg-type]

    assert str(caught.value) == "'df' must be a Spark DataFrame (got a list)"


def test_spark_replay_without_pyspark_says_how_to_install_it(
    journey: Journey, monkeypatch: pytest.MonkeyPatch
) -> None:
    for module in ("pyspark", "pyspark.sql"):
        monkeypatch.setitem(sys.modules, module, None)

    with pytest.raises(MissingDependencyError) as caught:
        spark.replay(journey, [])  # type: ignore[arg-type]

    assert str(caught.value) == (
        "running on Spark needs pyspark: pip install 'customer-journey[spark]'"
    )
    assert caught.value.code == "missing-dependency"


def test_importing_the_spark_module_does_not_import_pyspark() -> None:
    code = "import sys, customer_journey.spark; print('pyspark' in sys.modules)"

    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)

    assert run.stdout == "False\n"

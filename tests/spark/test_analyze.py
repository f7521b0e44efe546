"""`customer_journey.spark.analyze` against the local `analyze`: the same figures, every one.

The populations are `test_replay`'s: shuffled customers with nested attributes, traits
structs with null fields, repeated event ids, ties and rows to reject. The local analysis
reads the same records as a JSON export holds them, named `df` as Spark's rejections are.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

import pytest

import customer_journey
from customer_journey import Journey, analytics, spark
from customer_journey.errors import ArgumentError

from .test_replay import (
    JOURNEY,
    NIGHT,
    SCHEMA,
    SCHEMA_10,
    SECTION_10,
    START,
    as_exported,
    in_order,
    population,
    population_10,
)

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

pytestmark = pytest.mark.filterwarnings(
    # pyspark 4 warns when it meets pandas 3, which its Arrow functions do not use here.
    "ignore:PySpark does not yet fully support pandas:FutureWarning"
)

AS_OF = START + timedelta(days=9)


@pytest.fixture(scope="module")
def journey() -> Journey:
    return customer_journey.loads(JOURNEY, source="spark.yaml")


def local_analysis(
    journey: Journey,
    rows: list[dict[str, Any]],
    as_of: datetime | None = None,
    by: str | None = None,
) -> dict[str, Any]:
    """The local analysis of the rows, read as a JSON export holds them."""
    records = journey.events_from([as_exported(row) for row in rows], source="df")
    return analytics.analyze(journey, records, as_of, by=by, min_count=2).to_dict()


@pytest.mark.parametrize(
    ("seed", "by", "as_of", "groups"),
    [
        (1, None, None, set()),
        (2, "customer.tier", None, {"gold", "(none)"}),
        (3, "first_channel", AS_OF, {"web"}),
        (4, None, AS_OF, set()),
    ],
)
def test_spark_analyze_gives_the_local_analysis(
    session: SparkSession,
    journey: Journey,
    seed: int,
    by: str | None,
    as_of: datetime | None,
    groups: set[str],
) -> None:
    rows = population(seed, customers=60)
    expected = local_analysis(journey, rows, as_of, by)

    found = spark.analyze(journey, in_order(session, rows), as_of, by, min_count=2).to_dict()

    assert found == expected
    assert found["customers"] > 0
    assert found["rejections"]
    assert found["totals"]["read"] == len(rows)
    assert set(found["groups"]) == groups


def test_spark_analyze_gives_the_local_experiments_and_arms_breakdown(
    session: SparkSession,
) -> None:
    journey = customer_journey.loads(SECTION_10, source="spark-10.yaml")
    rows = population_10(9, customers=40)
    df = session.createDataFrame(rows, SCHEMA_10).coalesce(1)
    by = "experiment.control"

    found = spark.analyze(journey, df, NIGHT, by, min_count=2).to_dict()

    assert found == local_analysis(journey, rows, NIGHT, by)
    assert set(found["groups"]) == {"holdout", "treated"}
    experiments = {item["experiment"]: item for item in found["experiments"]}
    assert list(experiments) == ["control", "offer"]
    assert experiments["control"]["reference"] == "holdout"
    assert [arm["arm"] for arm in experiments["control"]["arms"]] == ["holdout", "treated"]
    assert sum(arm["customers"] for arm in experiments["offer"]["arms"]) == found["customers"]


def test_spark_analyze_numbers_rejections_by_their_place_in_a_frame_of_many_partitions(
    session: SparkSession, journey: Journey
) -> None:
    rows = population(5, customers=80)
    df = session.createDataFrame(rows, SCHEMA).repartition(3)
    in_df = [row.asDict(recursive=True) for row in df.collect()]

    found = spark.analyze(journey, df, "2026-03-12T00:00:00Z", min_count=2).to_dict()

    expected = local_analysis(journey, in_df, START + timedelta(days=11))
    assert found == expected
    assert [rejection["row"] for rejection in found["rejections"]] == [
        number for number, row in enumerate(in_df, 1) if _is_bad(row)
    ]


def _is_bad(row: dict[str, Any]) -> bool:
    """Whether `population` spoiled the row (no customer, no type or the time 'yesterday')."""
    return row["user"] is None or row["kind"] is None or row["at"] == "yesterday"


def test_spark_analyze_without_events_or_as_of_says_there_is_nothing_to_analyze(
    session: SparkSession, journey: Journey
) -> None:
    rows = [row | {"user": None} for row in population(6, customers=4)]

    with pytest.raises(ArgumentError) as caught:
        spark.analyze(journey, in_order(session, rows))

    assert str(caught.value) == "there are no events to analyze and no as_of"


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (
            {"by": "tier"},
            "'by' must be 'first_channel', a trait such as 'customer.segment' or an "
            "experiment such as 'experiment.global_holdout' (got 'tier')",
        ),
        ({"every": "hour"}, "'every' must be day, week or month (got 'hour')"),
        ({"min_count": 0}, "'min_count' must be a whole number of 1 or more (got 0)"),
    ],
)
def test_spark_analyze_refuses_the_options_the_local_analyze_refuses(
    session: SparkSession, journey: Journey, options: dict[str, Any], message: str
) -> None:
    df = in_order(session, population(7, customers=4))

    with pytest.raises(ArgumentError) as caught:
        spark.analyze(journey, df, AS_OF, **options)
    with pytest.raises(ArgumentError) as local:
        analytics.analyze(journey, [], AS_OF, **options)

    assert str(caught.value) == str(local.value) == message


def test_parts_counted_apart_and_merged_give_the_one_pass_analysis(journey: Journey) -> None:
    rows = [as_exported(row) for row in population(8, customers=30) if not _is_bad(row)]
    halves = [
        [row for row in rows if row["user"] < "c015"],
        [row for row in rows if row["user"] >= "c015"],
    ]

    parts = [
        analytics.count_part(
            journey, journey.events_from(half, source="df"), AS_OF, by="first_channel"
        )
        for half in halves
    ]
    merged = analytics.merge_parts(journey, parts, min_count=2)

    assert merged.to_dict() == local_analysis(
        journey, halves[0] + halves[1], AS_OF, "first_channel"
    )


def test_merge_parts_refuses_parts_counted_as_of_different_moments(journey: Journey) -> None:
    records = journey.events_from([as_exported(row) for row in population(9, customers=3)])
    parts = [
        analytics.count_part(journey, records, moment) for moment in (AS_OF, START + timedelta(1))
    ]

    with pytest.raises(ArgumentError) as caught:
        analytics.merge_parts(journey, parts)

    assert str(caught.value) == (
        "'parts' must be counted as of one moment, by one group and goal (got "
        "2026-03-10T00:00:00+00:00, None, buy and 2026-03-02T00:00:00+00:00, None, buy)"
    )


def test_count_part_refuses_records_that_are_not_an_event_source(journey: Journey) -> None:
    with pytest.raises(ArgumentError) as caught:
        analytics.count_part(journey, [], AS_OF)  # type: ignore[arg-type]

    assert str(caught.value) == "'source' must be an EventSource (got a list)"

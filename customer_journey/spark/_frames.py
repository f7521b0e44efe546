"""Journeys over Spark DataFrames: every customer's position, their analytics, the rejections.

`replay` shuffles the rows by customer (`repartition`), puts each customer's rows
together in input order (`sortWithinPartitions` on the customer and a row number taken
before the shuffle), and replays each partition with the one replay pipeline
(`mapInArrow`, see `_kernel`). Spark's sort is not stable, so sorting by time there would
lose the input order of events at the same instant, which the replay honours; and a
time column of text does not sort in time. The runner sorts each customer's events by
time itself, stably, as the local replay does. `analyze` counts each partition the same
way into an `analytics.AnalysisPart` and merges the parts on the driver.

pyspark is imported only inside these functions: importing `customer_journey.spark`
stays cheap and works without it.
"""

from __future__ import annotations

import pickle
from collections import Counter
from datetime import datetime, timedelta, timezone
from types import ModuleType
from typing import TYPE_CHECKING

import attrs

from customer_journey import analytics
from customer_journey._arguments import check_optional_time, shown
from customer_journey.errors import ArgumentError
from customer_journey.journey import Journey, check_journey
from customer_journey.readers import MissingDependencyError
from customer_journey.spark._kernel import (
    COUNTED_SCHEMA,
    LATEST_SCHEMA,
    ORDER,
    ORDER_BITS,
    REJECTIONS_SCHEMA,
    RESULTS_SCHEMA,
    Counted,
    analyze_kernel,
    latest_kernel,
    rejections_kernel,
    replay_kernel,
)

if TYPE_CHECKING:
    from pyspark.sql import DataFrame

__all__ = ["analyze", "latest_time", "rejections", "replay"]

_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)


def _functions() -> ModuleType:
    """Return `pyspark.sql.functions`, or say how to install the `spark` extra.

    Raises:
        MissingDependencyError: pyspark is not installed.
    """
    try:
        from pyspark.sql import functions  # noqa: PLC0415 - optional, and heavy to import
    except ImportError:
        raise MissingDependencyError(
            "running on Spark needs pyspark: pip install 'customer-journey[spark]'"
        ) from None
    return functions


def _text(journey: Journey) -> tuple[str, str]:
    """The journey's text and source, which travel to the workers."""
    if journey.text is None:
        raise ArgumentError(
            "'journey' must be loaded from text, with load, loads or from_mapping "
            "(got a Journey built from a model)"
        )
    return journey.text, journey.source


def _check_frame(df: object, customer: str) -> DataFrame:
    """A Spark DataFrame with the journey's customer column."""
    from pyspark.sql import DataFrame  # noqa: PLC0415 - optional, and heavy to import

    if not isinstance(df, DataFrame):
        raise ArgumentError(f"'df' must be a Spark DataFrame (got {shown(df)})")
    if customer not in df.columns:
        raise ArgumentError(
            f"'df' must have the journey's customer column '{customer}' "
            f"(got columns {', '.join(df.columns) or 'none'})"
        )
    return df


def _column(name: str) -> str:
    """A column name as Spark reads it literally (a dot is not a struct's field)."""
    return "`" + name.replace("`", "``") + "`"


def latest_time(journey: Journey, df: DataFrame) -> datetime | None:
    """The latest event time of `df`'s rows that become events (None without any).

    This is `replay`'s default `as_of`. One pass without a shuffle: each partition reads
    its rows as the replay does and gives its latest time; the driver takes the latest.

    Raises:
        ArgumentError: `journey` is not a Journey loaded from text, or `df` not a Spark
            DataFrame with the journey's customer column.
        MissingDependencyError: pyspark is not installed.
    """
    functions = _functions()
    journey = check_journey("journey", journey)
    frame = _check_frame(df, journey.model.events.customer)
    text, source = _text(journey)
    latest = (
        frame.mapInArrow(latest_kernel(text, source), LATEST_SCHEMA)
        .agg(functions.max("latest"))
        .first()
    )
    micros = None if latest is None else latest[0]
    return None if micros is None else _EPOCH + timedelta(microseconds=micros)


def replay(journey: Journey, df: DataFrame, as_of: datetime | str | None = None) -> DataFrame:
    """Every customer's position as of `as_of`, replayed on Spark: a row per customer.

    The rows of `df` are records, read with the journey's `events:` settings, exactly as
    `Journey.replay_all` reads them: a null value (in a struct too) is read as absent,
    and rows that cannot become events are left out (`rejections` lists them). Events at
    the same instant keep their order in `df`. The result has the fields of
    `replay --format jsonl` (`RESULTS_SCHEMA`), in no particular order: sort it by
    `customer` for the local order. The default `as_of` is the latest event time in `df`,
    found first by one pass without a shuffle.

    Raises:
        ArgumentError: `journey` is not a Journey loaded from text, `df` not a Spark
            DataFrame with the journey's customer column, or `as_of` not a time.
        MissingDependencyError: pyspark is not installed.
    """
    functions = _functions()
    from pyspark.sql.pandas.types import to_arrow_schema  # noqa: PLC0415 - present, as above

    journey = check_journey("journey", journey)
    customer = journey.model.events.customer
    frame = _check_frame(df, customer)
    moment = check_optional_time("as_of", as_of, journey.timezone)
    text, source = _text(journey)
    if moment is None:
        moment = latest_time(journey, frame)
    results = frame.sparkSession.createDataFrame([], RESULTS_SCHEMA)
    if moment is None:  # not one event: no customer to replay
        return results
    schema = to_arrow_schema(results.schema)
    grouped = _grouped(functions, frame, customer)
    return grouped.mapInArrow(replay_kernel(text, source, moment, schema), RESULTS_SCHEMA)


def _grouped(functions: ModuleType, frame: DataFrame, customer: str) -> DataFrame:
    """`frame` with each customer's rows together in one partition, in input order.

    The order is the `ORDER` column, Spark's `monotonically_increasing_id` of each row.
    """
    ordered = frame.withColumn(ORDER, functions.monotonically_increasing_id())
    return ordered.repartition(_column(customer)).sortWithinPartitions(_column(customer), ORDER)


def analyze(
    journey: Journey,
    df: DataFrame,
    as_of: datetime | str | None = None,
    by: str | None = None,
    *,
    goal: str | None = None,
    every: str | None = None,
    top: int = 10,
    min_count: int = 20,
) -> analytics.Analysis:
    """Journey analytics for every customer in `df`: `analytics.analyze`'s, on Spark.

    `df` is read as `replay` reads it, and grouped by customer as it groups it; each
    partition counts its customers into an `analytics.AnalysisPart`, which comes back to
    the driver pickled (one small row per partition) and is merged there. The analysis
    is the one `analytics.analyze` gives for the same records, figure for figure: the
    totals count every row, and the rejections are listed in the order of `df`, each
    with its row's 1-based place in `df` (partition by partition, as Spark numbers them
    with `monotonically_increasing_id`) and `df` as its source. The default `as_of` is
    the latest event time in `df` (`latest_time`). The other arguments are `analyze`'s.

    Raises:
        ArgumentError: `journey` is not a Journey loaded from text; `df` not a Spark
            DataFrame with the journey's customer column; `as_of` not a time; `by`,
            `goal` or `every` not one the journey allows; `top` or `min_count` not a
            whole number in range; `df` has no events and there is no `as_of`.
        MissingDependencyError: pyspark is not installed.
    """
    functions = _functions()
    journey = check_journey("journey", journey)
    customer = journey.model.events.customer
    frame = _check_frame(df, customer)
    moment = check_optional_time("as_of", as_of, journey.timezone)
    goal = analytics.resolve_goal(journey, goal)
    analytics.check_options(journey, by, every, top, min_count)
    text, source = _text(journey)
    if moment is None:
        moment = latest_time(journey, frame)
    if moment is None:
        raise ArgumentError("there are no events to analyze and no as_of")
    kernel = analyze_kernel(text, source, moment, by, goal)
    rows = _grouped(functions, frame, customer).mapInArrow(kernel, COUNTED_SCHEMA).collect()
    counted: list[Counted] = [pickle.loads(row[0]) for row in rows]
    # Keeps the merge defined when `df` has no partitions, and costs nothing otherwise.
    nothing = journey.events_from([], source="df")
    parts = [analytics.count_part(journey, nothing, moment, by=by, goal=goal)]
    parts += _numbered(counted)
    return analytics.merge_parts(journey, parts, every=every, top=top, min_count=min_count)


def _numbered(counted: list[Counted]) -> list[analytics.AnalysisPart]:
    """The partitions' parts with each rejection numbered by its row's place in `df`.

    `ORDER` holds the input partition's number and the row's place in it; the rows
    before that partition are those every kernel saw of the input partitions before it.
    """
    sizes: Counter[int] = Counter()
    for item in counted:
        sizes.update(item.sizes)
    before: dict[int, int] = {}
    total = 0
    for partition in sorted(sizes):
        before[partition] = total
        total += sizes[partition]
    mask = (1 << ORDER_BITS) - 1
    return [
        attrs.evolve(
            item.part,
            rejections=tuple(
                attrs.evolve(rejection, row=before[order >> ORDER_BITS] + (order & mask) + 1)
                for rejection, order in zip(item.part.rejections, item.orders, strict=True)
            ),
        )
        for item in counted
    ]


def rejections(journey: Journey, df: DataFrame) -> DataFrame:
    """The rows of `df` that cannot become events, each with its code and reason.

    Columns: `code` (`missing-field`, `bad-timestamp`, ... as in the error reference),
    `reason` (in the marketer's words) and `record` (the row as read, as JSON text,
    nulls left out). One pass without a shuffle.

    Raises:
        ArgumentError: `journey` is not a Journey loaded from text, or `df` not a Spark
            DataFrame with the journey's customer column.
        MissingDependencyError: pyspark is not installed.
    """
    _functions()
    journey = check_journey("journey", journey)
    frame = _check_frame(df, journey.model.events.customer)
    text, source = _text(journey)
    return frame.mapInArrow(rejections_kernel(text, source), REJECTIONS_SCHEMA)

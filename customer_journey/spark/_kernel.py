"""What runs on Spark's workers: Arrow record batches in; results, counts or rejections out.

Each kernel is a function of an iterator of `pyarrow.RecordBatch`es, as `mapInArrow` calls
it. The rows become records (mappings of field names to values) with Spark's nulls left
out, then go through the journey's own readers and the one replay pipeline
(`customer_journey._runner`): a worker replays exactly as `Journey.replay_all` does, and
counts its customers exactly as `analytics.analyze` does (`analytics.count_part`).

Null is absent: Spark's schemas turn a missing field into null (in a struct too), so a
null value, at any depth of mappings, is read as if the field were not there. A traits
struct's unused fields then leave the customer's traits alone, as a JSON record without
them would. Null items of a list are kept: they are the list's own values.

The journey travels to the workers as its text (compiled journeys hold closures that do
not pickle) and is compiled once per worker process. pyarrow is imported here only inside
the kernels, which run where pyarrow is installed with pyspark.
"""

from __future__ import annotations

import json
import pickle
from array import array
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime, timedelta, timezone
from functools import lru_cache
from typing import TYPE_CHECKING, Any

import attrs

from customer_journey import analytics
from customer_journey._runner import Runner, Runs
from customer_journey.engine import ReplayPlan, build_plan
from customer_journey.journey import Journey, loads

if TYPE_CHECKING:
    import pyarrow as pa

__all__ = [
    "COUNTED_SCHEMA",
    "LATEST_SCHEMA",
    "ORDER",
    "ORDER_BITS",
    "REJECTIONS_SCHEMA",
    "RESULTS_SCHEMA",
    "Counted",
    "Kernel",
    "analyze_kernel",
    "latest_kernel",
    "rejections_kernel",
    "replay_kernel",
    "without_nulls",
]

#: The column that carries each row's place in the input, so that ties keep their order.
ORDER = "__customer_journey_order"

#: The Spark schema (DDL) of a result row: `replay --format jsonl`'s fields, in its order.
#: Instants are the ISO-8601 text in UTC of the JSONL (`2026-01-01T10:00:00Z`), durations
#: its text (`2d4h`).
RESULTS_SCHEMA = (
    "customer string, as_of string, stage string, phase string, entered_at string, "
    "time_in_stage string, is_terminal boolean, is_stalled boolean, "
    "path array<struct<stage: string, entered_at: string, left_at: string, "
    "trigger: string, touchpoint: string>>, "
    "counts map<string, bigint>, "
    "goals map<string, struct<status: string, reached_at: string, deadline: string>>, "
    "events bigint, duplicates bigint, "
    "friction array<struct<kind: string, stage: string, label: string, touchpoint: string, "
    "first_at: string, last_at: string, count: bigint, severity: string, overdue: string>>, "
    "next_actions array<struct<action: string, channel: string, priority: double, "
    "reasons: array<string>>>, "
    "suppressed array<struct<action: string, channel: string, reason: string, detail: string, "
    "available_at: string>>, "
    "arms map<string, string>"
)

#: The Spark schema (DDL) of a rejected row: its code, the reason and the record as JSON.
REJECTIONS_SCHEMA = "code string, reason string, record string"

#: The Spark schema (DDL) of a partition's latest event time, in microseconds since 1970.
LATEST_SCHEMA = "latest bigint"

#: The Spark schema (DDL) of a partition's customers counted: a pickled `Counted`.
COUNTED_SCHEMA = "counted binary"

#: `ORDER` is Spark's `monotonically_increasing_id`: the input partition's number above
#: these bits, the row's place in that partition below them.
ORDER_BITS = 33

#: Result rows per output batch.
_BATCH_ROWS = 4096

_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
_MICROSECOND = timedelta(microseconds=1)

#: A `mapInArrow` function.
Kernel = Callable[[Iterator["pa.RecordBatch"]], Iterator["pa.RecordBatch"]]


@lru_cache(maxsize=8)
def _compiled(text: str, source: str) -> tuple[Journey, ReplayPlan]:
    """The journey of `text` and its engine tables, compiled once per worker process."""
    journey = loads(text, source=source)
    return journey, build_plan(journey.model)


def without_nulls(value: Any) -> Any:
    """`value` with every null of a mapping left out, at any depth (list items are kept)."""
    if isinstance(value, dict):
        return {name: without_nulls(item) for name, item in value.items() if item is not None}
    if isinstance(value, list):
        return [without_nulls(item) for item in value]
    return value


def _records(
    batches: Iterable[pa.RecordBatch], orders: array[int] | None = None
) -> Iterator[dict[str, Any]]:
    """The rows of `batches` as records: nulls left out, Spark maps as mappings.

    With `orders`, each row's `ORDER` is appended to it, in the order of the records.
    """
    for batch in batches:
        for row in batch.to_pylist(maps_as_pydicts="lossy"):
            order = row.pop(ORDER, None)
            if orders is not None:
                orders.append(order)
            yield without_nulls(row)


def replay_kernel(text: str, source: str, as_of: datetime, schema: pa.Schema) -> Kernel:
    """The kernel replaying a partition sorted by customer: a result row per customer.

    The rows of each customer are together and in input order; the runner sorts their
    events by time (ties keep that order), as the local replay does. Rejected rows are
    skipped (`rejections_kernel` lists them).
    """

    def kernel(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        import pyarrow as pa  # noqa: PLC0415 - on the workers, with pyspark

        journey, plan = _compiled(text, source)
        runner = Runner(plan, name="df")
        runs = Runs(runner, journey.events_from(_records(batches), source="df"), as_of)
        rows: list[dict[str, Any]] = []
        # A one-shot source never yields None: `Runs` raises instead.
        for _, state in filter(None, runs):
            data = runner.describe(state, as_of).to_dict()
            del data["trace"]
            rows.append(data)
            if len(rows) == _BATCH_ROWS:
                yield pa.RecordBatch.from_pylist(rows, schema=schema)
                rows = []
        if rows:
            yield pa.RecordBatch.from_pylist(rows, schema=schema)

    return kernel


@attrs.frozen
class Counted:
    """A partition's customers counted, with what the driver needs to number its rejections.

    Attributes:
        part: the partition's share of the analysis; its rejections' rows are their
            places in the partition, until the driver numbers them.
        orders: the `ORDER` of each rejected row, in the order of `part.rejections`.
        sizes: the number of rows the partition holds from each partition of the input
            (by the partition number in the upper bits of `ORDER`).
    """

    part: analytics.AnalysisPart
    orders: tuple[int, ...]
    sizes: dict[int, int]


def analyze_kernel(
    text: str, source: str, as_of: datetime, by: str | None, goal: str | None
) -> Kernel:
    """The kernel counting a partition sorted by customer: one row, its pickled `Counted`."""

    def kernel(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        import pyarrow as pa  # noqa: PLC0415 - on the workers, with pyspark

        journey, _ = _compiled(text, source)
        orders: array[int] = array("q")
        events = journey.events_from(_records(batches, orders), source="df")
        part = analytics.count_part(journey, events, as_of, by=by, goal=goal)
        counted = Counted(
            part,
            tuple(orders[rejection.row - 1] for rejection in part.rejections),
            dict(Counter(order >> ORDER_BITS for order in orders)),
        )
        data = pickle.dumps(counted, protocol=pickle.HIGHEST_PROTOCOL)
        yield pa.RecordBatch.from_pylist([{"counted": data}], schema=_counted_schema())

    return kernel


def rejections_kernel(text: str, source: str) -> Kernel:
    """The kernel listing the rows that cannot become events, with their code and reason."""

    def kernel(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        import pyarrow as pa  # noqa: PLC0415 - on the workers, with pyspark

        journey, _ = _compiled(text, source)
        for batch in batches:
            events = journey.events_from(list(_records([batch])), source="df")
            for _ in events:
                pass
            found = events.report.rejections
            if found:
                rows = [
                    {
                        "code": rejection.code,
                        "reason": rejection.reason,
                        "record": json.dumps(rejection.record, default=str, ensure_ascii=False),
                    }
                    for rejection in found
                ]
                yield pa.RecordBatch.from_pylist(rows, schema=_rejections_schema())

    return kernel


def latest_kernel(text: str, source: str) -> Kernel:
    """The kernel finding a partition's latest event time (None without events)."""

    def kernel(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        import pyarrow as pa  # noqa: PLC0415 - on the workers, with pyspark

        journey, _ = _compiled(text, source)
        latest = max((event.at for event in journey.events_from(_records(batches))), default=None)
        micros = None if latest is None else (latest - _EPOCH) // _MICROSECOND
        yield pa.RecordBatch.from_pylist([{"latest": micros}], schema=_latest_schema())

    return kernel


def _latest_schema() -> pa.Schema:
    """The Arrow form of `LATEST_SCHEMA`."""
    import pyarrow as pa  # noqa: PLC0415 - on the workers, with pyspark

    return pa.schema([("latest", pa.int64())])


def _counted_schema() -> pa.Schema:
    """The Arrow form of `COUNTED_SCHEMA`."""
    import pyarrow as pa  # noqa: PLC0415 - on the workers, with pyspark

    return pa.schema([("counted", pa.binary())])


def _rejections_schema() -> pa.Schema:
    """The Arrow form of `REJECTIONS_SCHEMA` (a record's times and the like become text)."""
    import pyarrow as pa  # noqa: PLC0415 - on the workers, with pyspark

    return pa.schema([("code", pa.string()), ("reason", pa.string()), ("record", pa.string())])

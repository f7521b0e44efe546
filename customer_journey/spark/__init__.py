"""Journeys on Apache Spark: the one replay pipeline over DataFrames (the `spark` extra)."""

from customer_journey.spark._frames import analyze, latest_time, rejections, replay
from customer_journey.spark._kernel import REJECTIONS_SCHEMA, RESULTS_SCHEMA

__all__ = [
    "REJECTIONS_SCHEMA",
    "RESULTS_SCHEMA",
    "analyze",
    "latest_time",
    "rejections",
    "replay",
]

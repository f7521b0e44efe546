"""The dwell-time histogram of each stage, against the hand-worked population of conftest.py."""

from __future__ import annotations

from datetime import timedelta

import customer_journey as cj

HOUR = timedelta(hours=1)
DAY = timedelta(days=1)


def buckets(analysis: cj.Analysis, stage: str) -> list[tuple[timedelta, timedelta | None, int]]:
    return [(b.low, b.high, b.visits) for b in analysis.stage(stage).dwell_histogram]


def test_buckets_are_multiples_of_the_expected_duration_and_include_their_upper_bound(
    analysis: cj.Analysis,
) -> None:
    # aware (expected 2d), completed visits: c1 3h, c2 exactly 1d, c4 1h, c6 2h, c8 1h,
    # c3 and c9 5d (timed out).
    assert buckets(analysis, "aware") == [
        (timedelta(0), 12 * HOUR, 4),
        (12 * HOUR, DAY, 1),
        (DAY, 2 * DAY, 0),
        (2 * DAY, 4 * DAY, 0),
        (4 * DAY, 8 * DAY, 2),
        (8 * DAY, None, 0),
    ]


def test_the_buckets_past_the_expected_duration_add_up_to_over_expected(
    analysis: cj.Analysis,
) -> None:
    for figures in analysis.stages:
        if figures.expected_duration is None:
            continue
        past = [b.visits for b in figures.dwell_histogram if b.low >= figures.expected_duration]
        assert sum(past) == figures.over_expected
        assert sum(b.visits for b in figures.dwell_histogram) == figures.dwell.count


def test_a_stage_without_an_expected_duration_gets_fixed_time_buckets(
    analysis: cj.Analysis,
) -> None:
    # lapsed: c9 5d07 -> 5d12 (5h), c3 5d08 -> 6d09 (25h).
    assert [b.visits for b in analysis.stage("lapsed").dwell_histogram] == [
        0, 1, 0, 1, 0, 0, 0, 0,
    ]  # fmt: skip
    assert [b.high for b in analysis.stage("lapsed").dwell_histogram] == [
        HOUR, 6 * HOUR, DAY, 3 * DAY, 7 * DAY, 30 * DAY, 90 * DAY, None,
    ]  # fmt: skip


def test_the_histogram_is_in_to_dict_in_seconds(analysis: cj.Analysis) -> None:
    data = analysis.to_dict()["stages"][0]
    assert list(data)[-1] == "dwell_histogram"
    assert data["dwell_histogram"][:2] == [
        {"low_seconds": 0.0, "high_seconds": 43_200.0, "visits": 4},
        {"low_seconds": 43_200.0, "high_seconds": 86_400.0, "visits": 1},
    ]
    assert data["dwell_histogram"][-1] == {
        "low_seconds": 691_200.0,
        "high_seconds": None,
        "visits": 0,
    }

"""Odds ratios and duration summaries, against values worked out by hand or by `statistics`."""

from __future__ import annotations

import math
import random
import statistics
from datetime import timedelta
from fractions import Fraction

import pytest

from customer_journey.analytics import OddsRatio, Summary
from customer_journey.analytics._stats import DurationSample, odds_ratio

#: The two-sided 95% point of the standard normal distribution, written out.
Z = 1.959963984540054
MICROSECOND = timedelta(microseconds=1)


def micros(value: timedelta | None) -> int:
    assert value is not None
    return value // MICROSECOND


def sample_of(values: list[int]) -> DurationSample:
    """A sample holding `values`, given in microseconds."""
    sample = DurationSample()
    for value in values:
        sample.add(timedelta(microseconds=value))
    return sample


# --- odds ratios -------------------------------------------------------------------------


def test_odds_ratio_of_a_table_without_zero_cells_is_ad_over_bc_with_woolf_interval() -> None:
    # 20 of 30 with the factor had the outcome, 10 of 30 without it.
    ratio = odds_ratio(20, 10, 10, 20)
    spread = Z * math.sqrt(1 / 20 + 1 / 10 + 1 / 10 + 1 / 20)
    assert ratio is not None
    assert ratio.value == pytest.approx(4.0)
    assert ratio.low == pytest.approx(math.exp(math.log(4.0) - spread))
    assert ratio.high == pytest.approx(math.exp(math.log(4.0) + spread))
    assert ratio.corrected is False
    assert ratio.low == pytest.approx(1.3672, abs=1e-4)
    assert ratio.high == pytest.approx(11.7026, abs=1e-4)


def test_odds_ratio_below_one_when_the_factor_lowers_the_odds() -> None:
    ratio = odds_ratio(3, 9, 6, 6)  # odds 1/3 against 1
    spread = Z * math.sqrt(1 / 3 + 1 / 9 + 1 / 6 + 1 / 6)
    assert ratio == pytest.approx(
        (1 / 3, math.exp(math.log(1 / 3) - spread), math.exp(math.log(1 / 3) + spread), False)
    )


def test_a_zero_cell_adds_one_half_to_every_cell() -> None:
    ratio = odds_ratio(0, 5, 3, 4)
    value = (0.5 * 4.5) / (5.5 * 3.5)
    spread = Z * math.sqrt(1 / 0.5 + 1 / 5.5 + 1 / 3.5 + 1 / 4.5)
    assert ratio is not None
    assert ratio.value == pytest.approx(value)
    assert ratio.low == pytest.approx(value * math.exp(-spread))
    assert ratio.high == pytest.approx(value * math.exp(spread))
    assert ratio.corrected is True


def test_a_zero_in_the_group_without_the_factor_is_corrected_too() -> None:
    ratio = odds_ratio(4, 2, 6, 0)
    assert ratio is not None
    assert ratio.value == pytest.approx((4.5 * 0.5) / (2.5 * 6.5))
    assert ratio.corrected is True


@pytest.mark.parametrize("cells", [(0, 0, 3, 4), (3, 4, 0, 0), (0, 0, 0, 0)])
def test_odds_ratio_is_none_when_a_group_is_empty(cells: tuple[int, int, int, int]) -> None:
    assert odds_ratio(*cells) is None


def test_odds_ratio_to_dict_keeps_value_interval_and_correction() -> None:
    assert OddsRatio(2.0, 0.5, 8.0, True).to_dict() == {
        "value": 2.0,
        "low": 0.5,
        "high": 8.0,
        "corrected": True,
    }


# --- duration summaries ------------------------------------------------------------------


def test_an_empty_sample_has_a_count_of_zero_and_no_figures() -> None:
    assert DurationSample().summary() == Summary(0, None, None, None, is_exact=True)


def test_one_value_is_its_own_median_p90_and_mean() -> None:
    summary = sample_of([90_000_000]).summary()
    assert summary == Summary(
        1, timedelta(seconds=90), timedelta(seconds=90), timedelta(seconds=90)
    )


def test_a_handful_of_durations_summarise_as_worked_out_by_hand() -> None:
    # Sorted 1h, 1h, 2h, 3h, 24h, 120h, 120h: the median is the 4th, p90 sits at rank
    # 0.9 * 6 = 5.4 between two 120h, the mean is 271h / 7.
    hours = [24, 1, 120, 3, 2, 120, 1]
    sample = DurationSample()
    for value in hours:
        sample.add(timedelta(hours=value))
    assert sample.summary() == Summary(
        7, timedelta(hours=3), timedelta(hours=120), timedelta(hours=271) / 7
    )


def test_quantiles_interpolate_between_the_two_nearest_values() -> None:
    # Sorted 48h, 98h, 169h, 217h: median (98 + 169) / 2; p90 at rank 2.7: 169 + 0.7 * 48.
    sample = DurationSample()
    for value in (217, 98, 48, 169):
        sample.add(timedelta(hours=value))
    summary = sample.summary()
    assert summary.median == timedelta(hours=133, minutes=30)
    assert summary.p90 == timedelta(hours=202, minutes=36)
    assert summary.mean == timedelta(hours=133)


@pytest.mark.parametrize("values", [[5, 1, 3, 10], [7, 7, 7], [0, 0, 1], [2, 11, 3, 17, 5, 13]])
def test_a_few_values_match_the_statistics_module(values: list[int]) -> None:
    seconds = [value * 1_000_000 for value in values]
    summary = sample_of(seconds).summary()
    assert summary.count == len(values)
    assert micros(summary.median) == statistics.median(seconds)
    assert micros(summary.p90) == statistics.quantiles(seconds, n=10, method="inclusive")[8]
    assert micros(summary.mean) == round(statistics.mean(seconds))
    assert summary.is_exact is True


@pytest.mark.parametrize("seed", range(5))
def test_random_durations_match_the_statistics_module_to_the_microsecond(seed: int) -> None:
    generator = random.Random(seed)
    values = [generator.randrange(0, 10**12) for _ in range(generator.randrange(2, 500))]
    summary = sample_of(values).summary()
    median = statistics.median(values)
    p90 = statistics.quantiles(values, n=10, method="inclusive")[8]
    assert summary.count == len(values)
    assert abs(micros(summary.median) - median) <= 1
    assert abs(micros(summary.p90) - p90) <= 1
    assert abs(micros(summary.mean) - Fraction(sum(values), len(values))) <= Fraction(1, 2)
    assert summary.is_exact is True


def test_twenty_thousand_values_are_still_exact() -> None:
    values = [1_000 * number for number in range(1, 20_001)]
    summary = sample_of(values).summary()
    assert summary.is_exact is True
    assert micros(summary.median) == statistics.median(values) == 10_000_500
    assert micros(summary.p90) == statistics.quantiles(values, n=10, method="inclusive")[8]


def test_past_twenty_thousand_values_quantiles_are_within_one_percent() -> None:
    generator = random.Random(7)
    values = [int(generator.lognormvariate(20, 1.5)) + 1 for _ in range(30_000)]
    summary = sample_of(values).summary()
    median = statistics.median(values)
    p90 = statistics.quantiles(values, n=10, method="inclusive")[8]
    assert summary.is_exact is False
    assert summary.count == 30_000
    assert abs(micros(summary.median) - median) <= 0.01 * median
    assert abs(micros(summary.p90) - p90) <= 0.01 * p90


def test_the_twenty_thousand_and_first_value_leaves_exact_mode() -> None:
    summary = sample_of(list(range(1, 20_002))).summary()
    assert summary.is_exact is False
    assert abs(micros(summary.median) - 10_001) <= 0.01 * 10_001


def test_past_twenty_thousand_values_the_mean_stays_exact() -> None:
    values = [3_600_000_000 * (number % 7) + number for number in range(25_000)]
    summary = sample_of(values).summary()
    assert summary.is_exact is False
    assert abs(micros(summary.mean) - Fraction(sum(values), len(values))) <= Fraction(1, 2)


def test_zero_durations_count_in_the_quantiles_once_past_the_exact_limit() -> None:
    values = [0] * 15_000 + [60_000_000] * 15_000
    summary = sample_of(values).summary()
    assert summary.is_exact is False
    assert summary.p90 is not None
    assert abs(micros(summary.p90) - 60_000_000) <= 600_000
    assert summary.mean == timedelta(seconds=30)


def test_past_twenty_thousand_values_a_median_between_two_clusters_is_within_one_percent() -> None:
    # 10,001 one-second and 10,001 1000-second durations: the median interpolates to 500.5s.
    values = [1_000_000] * 10_001 + [1_000_000_000] * 10_001
    summary = sample_of(values).summary()
    median = statistics.median(values)
    assert median == 500_500_000
    assert abs(micros(summary.median) - median) <= 0.01 * median


def test_summary_to_dict_gives_seconds() -> None:
    summary = Summary(3, timedelta(hours=73), timedelta(hours=132, minutes=12), timedelta(hours=82))
    assert summary.to_dict() == {
        "count": 3,
        "median_seconds": 262_800.0,
        "p90_seconds": 475_920.0,
        "mean_seconds": 295_200.0,
        "exact": True,
    }

"""The statistics analytics reports: odds ratios with intervals, and duration summaries.

Both are small and written out here rather than taken from a statistics package: the odds
ratio is four cells and a logarithm, and the duration summary must keep memory bounded
while staying exact on the small data sets marketers check by hand.
"""

from __future__ import annotations

import math
from array import array
from datetime import timedelta
from statistics import NormalDist
from typing import Any, NamedTuple

import attrs

__all__ = [
    "FEWEST_EACH_SIDE",
    "WIDEST_INTERVAL",
    "DurationSample",
    "OddsRatio",
    "Summary",
    "is_conclusive",
    "odds_ratio",
]

#: The two-sided 95% point of the standard normal distribution (1.959963...).
Z_95 = NormalDist().inv_cdf(0.975)

#: An odds ratio is shown only when each group (with and without the factor) holds at
#: least this many customers or visits.
FEWEST_EACH_SIDE = 5
#: An odds ratio is shown only when its interval's upper end is at most this many times
#: its lower end: a wider interval says nothing a marketer can act on.
WIDEST_INTERVAL = 100.0

#: Durations are kept exactly up to this many per sample, then in relative-error buckets.
EXACT_LIMIT = 20_000
#: The relative accuracy of a quantile once a sample is kept in buckets.
RELATIVE_ACCURACY = 0.01
_GAMMA = (1 + RELATIVE_ACCURACY) / (1 - RELATIVE_ACCURACY)
_LOG_GAMMA = math.log(_GAMMA)
_MICROSECOND = timedelta(microseconds=1)


class OddsRatio(NamedTuple):
    """An odds ratio and its 95% confidence interval (Woolf's logit method).

    Attributes:
        value: the odds of the outcome with the factor, divided by the odds without it.
        low, high: the 95% confidence interval.
        corrected: 0.5 was added to every cell because one of them was zero
            (the Haldane-Anscombe correction), so the ratio stays finite.
    """

    value: float
    low: float
    high: float
    corrected: bool

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready mapping with a stable key order."""
        return {
            "value": self.value,
            "low": self.low,
            "high": self.high,
            "corrected": self.corrected,
        }


def odds_ratio(with_yes: int, with_no: int, without_yes: int, without_no: int) -> OddsRatio | None:
    """The odds ratio of an outcome for a group with a factor against the group without.

    `OR = (a·d) / (b·c)` for cells `a = with_yes, b = with_no, c = without_yes,
    d = without_no`; the interval is `exp(ln OR ± 1.96·√(1/a + 1/b + 1/c + 1/d))`. When a
    cell is zero, 0.5 is added to every cell. Returns None when either group is empty.
    """
    if with_yes + with_no == 0 or without_yes + without_no == 0:
        return None
    cells = (with_yes, with_no, without_yes, without_no)
    corrected = 0 in cells
    a, b, c, d = (cell + 0.5 for cell in cells) if corrected else (float(x) for x in cells)
    log_ratio = math.log(a * d / (b * c))
    spread = Z_95 * math.sqrt(1 / a + 1 / b + 1 / c + 1 / d)
    return OddsRatio(
        math.exp(log_ratio), math.exp(log_ratio - spread), math.exp(log_ratio + spread), corrected
    )


def is_conclusive(ratio: OddsRatio | None, with_factor: int, without_factor: int) -> bool:
    """Whether an odds ratio is worth showing as a finding, not "too few customers to judge".

    It is when both groups hold at least `FEWEST_EACH_SIDE` and its 95% interval is at
    most `WIDEST_INTERVAL` wide (`high / low`): 2.0 (1.2-3.4) is, 84501 (1665-4288192) is not.
    """
    return (
        ratio is not None
        and min(with_factor, without_factor) >= FEWEST_EACH_SIDE
        and ratio.high <= ratio.low * WIDEST_INTERVAL
    )


@attrs.frozen
class Summary:
    """How long visits (or anything else) took: count, median, 90th percentile and mean.

    Quantiles interpolate linearly between the two nearest values (numpy's default, and
    `statistics.quantiles(method="inclusive")`). They are exact for up to 20,000 values and
    within 1% beyond (`is_exact` says which).
    """

    count: int
    median: timedelta | None
    p90: timedelta | None
    mean: timedelta | None
    is_exact: bool = True

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready mapping: durations in seconds, a stable key order."""
        return {
            "count": self.count,
            "median_seconds": _seconds(self.median),
            "p90_seconds": _seconds(self.p90),
            "mean_seconds": _seconds(self.mean),
            "exact": self.is_exact,
        }


def _seconds(value: timedelta | None) -> float | None:
    return None if value is None else value.total_seconds()


class DurationSample:
    """Durations added one at a time, summarised at the end in bounded memory.

    Durations are whole microseconds. The first 20,000 are kept in an array, so summaries
    of small data are exact; past that they move into logarithmic buckets, each 1% wide,
    whose number grows with the logarithm of the longest duration, not with the count.
    The total is kept exactly, so the mean is always exact.
    """

    __slots__ = ("_buckets", "_count", "_exact", "_total", "_zeros")

    def __init__(self) -> None:
        self._exact: array[int] | None = array("q")
        self._buckets: dict[int, int] = {}
        self._zeros = 0
        self._count = 0
        self._total = 0

    def add(self, duration: timedelta) -> None:
        """Add one duration (negative durations cannot occur in a replay)."""
        micros = duration // _MICROSECOND
        self._count += 1
        self._total += micros
        exact = self._exact
        if exact is not None:
            exact.append(micros)
            if len(exact) > EXACT_LIMIT:
                self._exact = None
                for value in exact:
                    self._bucket(value)
            return
        self._bucket(micros)

    def merge(self, other: DurationSample) -> None:
        """Add, in place, every duration of `other` (a sample of other customers).

        The result is the sample one pass over both would give: exact while the two hold
        20,000 durations or fewer together, else every duration in its bucket.
        """
        self._count += other._count
        self._total += other._total
        exact, theirs = self._exact, other._exact
        if exact is not None and theirs is not None and len(exact) + len(theirs) <= EXACT_LIMIT:
            exact.extend(theirs)
            return
        if exact is not None:
            self._exact = None
            for value in exact:
                self._bucket(value)
        if theirs is not None:
            for value in theirs:
                self._bucket(value)
            return
        self._zeros += other._zeros
        for index, count in other._buckets.items():
            self._buckets[index] = self._buckets.get(index, 0) + count

    def _bucket(self, micros: int) -> None:
        if micros <= 0:
            self._zeros += 1
            return
        index = math.ceil(math.log(micros) / _LOG_GAMMA)
        self._buckets[index] = self._buckets.get(index, 0) + 1

    def summary(self) -> Summary:
        """Count, median, 90th percentile and mean of the durations added."""
        count = self._count
        if count == 0:
            return Summary(0, None, None, None)
        mean = timedelta(microseconds=self._total / count)
        exact = self._exact
        if exact is not None:
            ordered = sorted(exact)
            return Summary(count, _interpolate(ordered, 0.5), _interpolate(ordered, 0.9), mean)
        return Summary(count, self._estimate(0.5), self._estimate(0.9), mean, is_exact=False)

    def _estimate(self, quantile: float) -> timedelta:
        """Interpolate between the values around rank `quantile·(n-1)`, each within 1%."""
        position = quantile * (self._count - 1)
        below = math.floor(position)
        low = self._nth(below)
        high = self._nth(min(below + 1, self._count - 1))
        return timedelta(microseconds=low + (high - low) * (position - below))

    def _nth(self, rank: int) -> float:
        """The `rank`-th smallest value (from 0), as the middle of its bucket."""
        seen = self._zeros
        if rank < seen:
            return 0.0
        for index in sorted(self._buckets):
            seen += self._buckets[index]
            if rank < seen:
                return 2 * _GAMMA**index / (_GAMMA + 1)
        raise AssertionError("the buckets hold every value")  # pragma: no cover


def _interpolate(ordered: list[int], quantile: float) -> timedelta:
    """Linear interpolation between the values around rank `quantile·(n-1)`."""
    position = quantile * (len(ordered) - 1)
    below = math.floor(position)
    above = min(below + 1, len(ordered) - 1)
    fraction = position - below
    value = ordered[below] + (ordered[above] - ordered[below]) * fraction
    return timedelta(microseconds=value)

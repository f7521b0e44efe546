"""Measured lift of experiments (section 10): per arm, who reached each goal, and by how much more.

Two statistics, written out rather than taken from a statistics package (each is a few
lines, and both must agree with published worked examples):

- the difference in reach rate between an arm and the reference arm, with Newcombe's hybrid
  score interval (Newcombe 1998, "Interval estimation for the difference between
  independent proportions: comparison of eleven methods", Statistics in Medicine
  17:873-890, method 10): built from the two Wilson score intervals, without continuity
  correction, so it stays inside [-1, 1] and behaves with 0 or all reached;
- the two-sided p-value of the pooled two-proportion z-test.

`ExperimentTally` counts customers into arms and goals with exact integers, so tallies of
any shares of the customers merge into the tally of all of them.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from statistics import NormalDist
from typing import Any, Protocol

import attrs

from customer_journey.engine import GoalStatus

__all__ = [
    "ArmFigures",
    "ArmGoal",
    "Assigned",
    "ExperimentDefinition",
    "ExperimentFigures",
    "ExperimentTally",
    "Lift",
    "difference_interval",
    "measure_lift",
    "two_proportion_p_value",
]

_NORMAL = NormalDist()


def difference_interval(
    reached_a: int, n_a: int, reached_b: int, n_b: int, *, confidence: float = 0.95
) -> tuple[float, float, float] | None:
    """The difference `p_a - p_b` of two reach rates, with Newcombe's hybrid score interval.

    With `(l_a, u_a)` and `(l_b, u_b)` the Wilson score intervals of `p_a = reached_a / n_a`
    and `p_b = reached_b / n_b`, the interval of `d = p_a - p_b` is
    `d - √((p_a - l_a)² + (u_b - p_b)²)` to `d + √((u_a - p_a)² + (p_b - l_b)²)`.

    Args:
        reached_a: how many customers of the first group reached the goal.
        n_a: the customers of the first group.
        reached_b: how many customers of the second group reached the goal.
        n_b: the customers of the second group.
        confidence: the interval's confidence level, between 0 and 1.

    Returns:
        `(difference, low, high)`, or None when either group is empty (`n` of 0): there is
        then no rate to compare.
    """
    if n_a == 0 or n_b == 0:
        return None
    z = _NORMAL.inv_cdf((1 + confidence) / 2)
    p_a, p_b = reached_a / n_a, reached_b / n_b
    low_a, high_a = _wilson(reached_a, n_a, z)
    low_b, high_b = _wilson(reached_b, n_b, z)
    difference = p_a - p_b
    low = difference - math.hypot(p_a - low_a, high_b - p_b)
    high = difference + math.hypot(high_a - p_a, p_b - low_b)
    return difference, low, high


def _wilson(reached: int, n: int, z: float) -> tuple[float, float]:
    """The Wilson score interval of `reached / n` (no continuity correction).

    Its ends are exactly 0 and 1 when none or all reached: the formula gives them only up
    to rounding, and a bound a hair below 0 would show as a nonsensical -0.0000.
    """
    p = reached / n
    square = z * z
    scale = 1 + square / n
    centre = (p + square / (2 * n)) / scale
    half = z * math.sqrt(p * (1 - p) / n + square / (4 * n * n)) / scale
    low = 0.0 if reached == 0 else centre - half
    high = 1.0 if reached == n else centre + half
    return low, high


def two_proportion_p_value(reached_a: int, n_a: int, reached_b: int, n_b: int) -> float | None:
    """The two-sided p-value of the pooled two-proportion z-test of `p_a = p_b`.

    `z = (p_a - p_b) / √(p (1 - p) (1/n_a + 1/n_b))` with the pooled rate
    `p = (reached_a + reached_b) / (n_a + n_b)`, and the p-value `2 Φ(-|z|)`.

    When the pooled rate is 0 or 1 (no customer of either group reached the goal, or every
    one did), `z` is 0/0; the two rates are then equal, exactly what the test's hypothesis
    says, so the p-value is 1.0.

    Returns:
        The p-value, or None when either group is empty (`n` of 0).
    """
    if n_a == 0 or n_b == 0:
        return None
    pooled = (reached_a + reached_b) / (n_a + n_b)
    spread = math.sqrt(pooled * (1 - pooled) * (1 / n_a + 1 / n_b))
    if spread == 0:
        return 1.0
    z = (reached_a / n_a - reached_b / n_b) / spread
    # 2 Φ(-|z|), through erfc: `NormalDist.cdf` computes 1 + erf(x), which rounds every
    # p-value below about 1e-16 to 0, while erfc stays accurate far into the tail.
    return math.erfc(abs(z) / math.sqrt(2))


@attrs.frozen
class Lift:
    """How much more (or less) often an arm reached a goal than the reference arm did.

    Attributes:
        difference: the arm's reach rate minus the reference arm's (0.042 is 4.2 points).
        low, high: the 95% confidence interval of the difference (Newcombe's hybrid score).
        p_value: the two-sided p-value of the pooled two-proportion z-test.
    """

    difference: float
    low: float
    high: float
    p_value: float

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready mapping with a stable key order."""
        return {
            "difference": self.difference,
            "low": self.low,
            "high": self.high,
            "p_value": self.p_value,
        }


def measure_lift(
    reached: int, customers: int, reference_reached: int, reference: int
) -> Lift | None:
    """The lift of an arm (`reached` of `customers`) over the reference arm, at 95%.

    Returns:
        The lift, or None when either arm has no customers.
    """
    interval = difference_interval(reached, customers, reference_reached, reference)
    p_value = two_proportion_p_value(reached, customers, reference_reached, reference)
    if interval is None or p_value is None:
        return None
    return Lift(*interval, p_value)


@attrs.frozen
class ArmGoal:
    """One goal in one arm.

    Attributes:
        goal: the goal's name.
        reached: the arm's customers in the journey who reached it.
        rate: `reached` over the arm's customers (None when it has none).
        lift: the difference from the reference arm (None for the reference arm itself,
            and when either arm has no customers).
    """

    goal: str
    reached: int
    rate: float | None
    lift: Lift | None

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready mapping with a stable key order."""
        return {
            "goal": self.goal,
            "reached": self.reached,
            "rate": self.rate,
            "lift": None if self.lift is None else self.lift.to_dict(),
        }


@attrs.frozen
class ArmFigures:
    """One arm of an experiment: its customers in the journey and its goals, in file order."""

    arm: str
    customers: int
    goals: tuple[ArmGoal, ...]

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready mapping with a stable key order."""
        return {
            "arm": self.arm,
            "customers": self.customers,
            "goals": [goal.to_dict() for goal in self.goals],
        }


@attrs.frozen
class ExperimentFigures:
    """One experiment: its arms in file order, each measured against `reference`.

    Attributes:
        experiment: the experiment's id.
        reference: the arm the others are compared with: the `holdout` arm when there is
            one, else the first arm.
        arms: every arm, the reference included.
    """

    experiment: str
    reference: str
    arms: tuple[ArmFigures, ...]

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready mapping with a stable key order."""
        return {
            "experiment": self.experiment,
            "reference": self.reference,
            "arms": [arm.to_dict() for arm in self.arms],
        }


class Assigned(Protocol):
    """What the tally reads of a replay result (a `ReplayResult` has it all)."""

    @property
    def stage(self) -> str | None:
        """The current stage; None when the customer is not in the journey."""

    @property
    def arms(self) -> Mapping[str, str]:
        """Experiment id -> the customer's arm."""

    @property
    def goals(self) -> Mapping[str, GoalStatus]:
        """Goal -> its status."""


#: An experiment as the tally needs it: its id, its arms in file order, its holdout arm.
ExperimentDefinition = tuple[str, Sequence[str], str | None]


class ExperimentTally:
    """Per experiment and arm: the customers in the journey and how many reached each goal.

    The counts are exact integers, so `merge` gives what one pass over every customer
    gives, whatever the shares; the tally pickles to cross processes.
    """

    __slots__ = ("customers", "experiments", "goals", "reached")

    def __init__(self, experiments: Iterable[ExperimentDefinition], goals: Iterable[str]) -> None:
        """Count nobody yet.

        Args:
            experiments: each experiment as (id, arm names in file order, holdout arm or
                None), in file order.
            goals: the journey's goals, in file order.
        """
        self.experiments = tuple(
            (name, tuple(arms), holdout) for name, arms, holdout in experiments
        )
        self.goals = tuple(goals)
        self.customers: Counter[tuple[str, str]] = Counter()  # (experiment, arm)
        self.reached: Counter[tuple[str, str, str]] = Counter()  # (experiment, arm, goal)

    def add(self, result: Assigned) -> None:
        """Count one customer; one not in the journey is not counted (section 10)."""
        if result.stage is None:
            return
        reached = [name for name, status in result.goals.items() if status.status == "reached"]
        for experiment, _, _ in self.experiments:
            arm = result.arms[experiment]
            self.customers[experiment, arm] += 1
            for goal in reached:
                self.reached[experiment, arm, goal] += 1

    def merge(self, other: ExperimentTally) -> None:
        """Add, in place, the counts of `other`: a tally of other customers, same journey."""
        self.customers.update(other.customers)
        self.reached.update(other.reached)

    def figures(self) -> tuple[ExperimentFigures, ...]:
        """Every experiment's arms, reach rates and lifts, in file order."""
        return tuple(self._experiment(*experiment) for experiment in self.experiments)

    def _experiment(
        self, name: str, arms: tuple[str, ...], holdout: str | None
    ) -> ExperimentFigures:
        reference = arms[0] if holdout is None else holdout
        base = self.customers[name, reference]
        figures = []
        for arm in arms:
            customers = self.customers[name, arm]
            goals = []
            for goal in self.goals:
                reached = self.reached[name, arm, goal]
                lift = None
                if arm != reference:
                    lift = measure_lift(
                        reached, customers, self.reached[name, reference, goal], base
                    )
                rate = None if customers == 0 else reached / customers
                goals.append(ArmGoal(goal, reached, rate, lift))
            figures.append(ArmFigures(arm, customers, tuple(goals)))
        return ExperimentFigures(name, reference, tuple(figures))

"""What `replay_all` gives: every customer's kept state, described on demand.

The replaying itself is `customer_journey._runner`'s: this keeps each customer's state
(without its per-event scratch) until the input ends, because the default `as_of` is the
latest event time of the whole input and is known only then, and builds each customer's
`ReplayResult` when the batch is iterated.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

from customer_journey._runner import ReplayTotals, Runner, Runs
from customer_journey.engine import CustomerState, ReplayResult
from customer_journey.readers import EventSource, Rejection

__all__ = ["ReplayBatch", "ReplayTotals", "replay_batch"]


class ReplayBatch:
    """The results of replaying many customers, sorted by customer id.

    Iterating builds each `ReplayResult` from the kept state, so the batch holds one
    compact state per customer, not one result object per customer.
    """

    def __init__(
        self,
        runner: Runner,
        states: dict[str, CustomerState],
        as_of: datetime | None,
        totals: ReplayTotals,
        rejections: list[Rejection],
    ) -> None:
        self._runner = runner
        self._states = states
        self._customers = sorted(states)
        self.as_of = as_of
        self.totals = totals
        self.rejections = rejections

    def __len__(self) -> int:
        return len(self._customers)

    def __iter__(self) -> Iterator[ReplayResult]:
        as_of = self.as_of
        if as_of is None:
            return
        describe = self._runner.describe
        for customer in self._customers:
            yield describe(self._states[customer], as_of)

    def stage_counts(self) -> dict[str | None, int]:
        """Customers per current stage, in funnel order; None counts those not in the journey."""
        counts: dict[str | None, int] = dict.fromkeys(self._runner.plan.model.stages, 0)
        counts[None] = 0
        for state in self._states.values():
            counts[state.stage] += 1
        return counts


def replay_batch(runner: Runner, source: EventSource, as_of: datetime | None) -> ReplayBatch:
    """Replay every customer of `source` as of `as_of` (default: its latest event time).

    Raises:
        ArgumentError: an event's time is naive or outside the supported range.
        UngroupedInputError: a one-shot source comes back to a customer.
    """
    runs = Runs(runner, source, as_of)
    states: dict[str, CustomerState] = {}
    for run in runs:
        if run is None:
            states.clear()
            continue
        customer, state = run
        state.release_scratch()
        states[customer] = state
    final = runs.as_of
    if as_of is None and final is not None:
        for state in states.values():
            runner.settle(state, final)
    return ReplayBatch(runner, states, final, runs.totals, source.report.rejections)

"""From a figure to the customers behind it: every id for a stage or a friction.

The analysis keeps a few example ids per figure (`EXAMPLES`); the full list may be as
long as the customers, so it is never kept in a tally. `customers_of` makes one more
streaming pass over the events that only replays each customer and keeps the ids that
match.
"""

from __future__ import annotations

from datetime import datetime

from customer_journey._runner import Runner, Runs
from customer_journey._suggest import did_you_mean
from customer_journey.engine import build_plan
from customer_journey.errors import ArgumentError
from customer_journey.journey import Journey
from customer_journey.readers import EventSource

__all__ = ["customers_of"]


def customers_of(
    journey: Journey, source: EventSource, as_of: datetime | None, name: str
) -> list[str]:
    """The ids, sorted, of the customers in stage `name` as of `as_of`, or with friction `name`.

    A stage name means every customer in that stage as of `as_of`, stalled or not (the
    stalled ones alone are the friction `stalled in 'NAME'`). Any other name is a friction:
    its label as the analysis shows it (`churned at 'cancelled'`, a declared rule's
    label). A stage name wins over a rule label spelled the same.

    Raises:
        KeyError: `name` is neither one of the journey's stages, nor a declared rule's
            label, nor a friction any customer has (with the closest name as a hint).
        ArgumentError: there are no events and no `as_of`.
        UngroupedInputError: the source cannot be read twice and has to be.
    """
    model = journey.model
    runner = Runner(build_plan(model))
    runs = Runs(runner, source, as_of, find_as_of=True)
    moment = runs.as_of
    if moment is None:
        msg = "there are no events to analyze and no as_of"
        raise ArgumentError(msg)
    is_stage = name in model.stages
    found: list[str] = []
    labels = {rule.label for stage in model.stages.values() for rule in stage.friction}
    for run in runs:
        if run is None:  # records were not together: the runs start over
            found.clear()
            continue
        customer, state = run
        if state.stage is None:
            continue
        result = runner.describe(state, moment)
        if is_stage:
            if result.stage == name:
                found.append(customer)
            continue
        seen = {point.label for point in result.friction}
        labels.update(seen)
        if name in seen:
            found.append(customer)
    if not is_stage and name not in labels:
        known = [*model.stages, *sorted(labels)]
        hint = did_you_mean(name, known) or "name a stage, or a friction as analyze shows it"
        raise KeyError(f"unknown stage or friction '{name}'; {hint}")
    return sorted(found)

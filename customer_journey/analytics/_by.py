"""What `by` may split an analysis by, and which group each customer falls in.

A breakdown is `first_channel` (the channel of the touchpoint that placed the customer),
a trait (`customer.segment`: its value as of `as_of`) or an experiment
(`experiment.global_holdout`: the customer's arm).
"""

from __future__ import annotations

from collections.abc import Mapping

from customer_journey._arguments import shown
from customer_journey.analytics._analysis import unknown_name
from customer_journey.analytics._observe import Observation, value_text
from customer_journey.errors import ArgumentError
from customer_journey.journey import Journey

__all__ = ["BY_FORMS", "NO_VALUE", "check_by", "group_of", "is_grouping"]

#: The group of customers whose `by` value is missing.
NO_VALUE = "(none)"
#: What `by` starts with to split by a trait, and to split by an experiment's arms.
TRAIT = "customer."
EXPERIMENT = "experiment."

#: What `by` may be, in the words of its error message.
BY_FORMS = (
    "'first_channel', a trait such as 'customer.segment' or an experiment such as "
    "'experiment.global_holdout'"
)


def is_grouping(by: str) -> bool:
    """Whether `by` names a breakdown: `first_channel`, `customer.<trait>`, `experiment.<id>`.

    A trait splits by its value, an experiment by its arms; whether the journey has the
    experiment is `check_by`'s to say.
    """
    return by == "first_channel" or any(
        by.startswith(prefix) and by != prefix for prefix in (TRAIT, EXPERIMENT)
    )


def _check_by_form(by: object) -> None:
    """`by` is None or one of the forms of `BY_FORMS`, whatever the journey.

    Raises:
        ArgumentError: it is not.
    """
    if by is None or (isinstance(by, str) and is_grouping(by)):
        return
    raise ArgumentError(f"'by' must be {BY_FORMS} (got {shown(by)})")


def check_by(journey: Journey, by: object) -> None:
    """`by` is None or one of `BY_FORMS`; an `experiment.<id>` is one of the journey's.

    Raises:
        ArgumentError: `by` is not one of those forms, or the journey has no such
            experiment (with the closest one as a hint).
    """
    _check_by_form(by)
    if by is None or not isinstance(by, str) or not by.startswith(EXPERIMENT):
        return
    experiments = list(journey.model.experiments)
    name = by.removeprefix(EXPERIMENT)
    if name not in experiments:
        raise ArgumentError(unknown_name("experiment", name, experiments))


def group_of(by: str, seen: Observation, channels: Mapping[str, str]) -> str:
    """The group of a customer in the journey: their first channel, trait value or arm.

    `channels` is `channels_of(model)`; a missing channel or trait is `NO_VALUE`.
    """
    if by == "first_channel":
        touchpoint = seen.result.path[0].touchpoint
        return NO_VALUE if touchpoint is None else channels[touchpoint]
    if by.startswith(EXPERIMENT):
        return seen.result.arms[by.removeprefix(EXPERIMENT)]
    value = seen.traits.get(by.removeprefix(TRAIT))
    if value is None:
        return NO_VALUE
    return value_text(value) or str(value)

"""What a compiled condition may look at, and the marker for a missing value.

Conditions are compiled once, when the journey loads, into plain callables. A `where`
condition reads an event's attributes; an `if` condition reads a `ConditionContext`, which
the engine's per-customer state provides without building a new object per event.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Mapping
from datetime import timedelta
from typing import Any, Protocol

__all__ = ["MISSING", "AttributeCondition", "Condition", "ConditionContext", "Missing"]


class Missing(enum.Enum):
    """The type of `MISSING`; an enum so that type checkers can narrow on it."""

    MISSING = "missing"

    def __repr__(self) -> str:
        return "MISSING"


#: What a path resolves to when the value is absent (an explicit null counts as absent).
MISSING = Missing.MISSING


class ConditionContext(Protocol):
    """The facts an `if` condition can read (section 4 of the DSL specification).

    Attributes:
        event_attributes: the current event's attributes, or None outside an event (when
            actions and consent are judged as of a moment).
        traits: the latest value of each customer trait.
        counts: touchpoint -> times seen in the history so far.
        stage_counts: touchpoint -> times seen since entering the current stage.
        visits: stage -> times entered.
        time_in_stage: time since entering the current stage, None outside the journey.
        is_stalled: time in stage exceeds the stage's expected duration.
        arms: experiment -> the customer's arm in it.
    """

    @property
    def event_attributes(self) -> Mapping[str, Any] | None: ...
    @property
    def traits(self) -> Mapping[str, Any]: ...
    @property
    def counts(self) -> Mapping[str, int]: ...
    @property
    def stage_counts(self) -> Mapping[str, int]: ...
    @property
    def visits(self) -> Mapping[str, int]: ...
    @property
    def time_in_stage(self) -> timedelta | None: ...
    @property
    def is_stalled(self) -> bool: ...
    @property
    def arms(self) -> Mapping[str, str] | None: ...


#: A compiled `if` condition.
Condition = Callable[[ConditionContext], bool]
#: A compiled `where` condition over an event's attributes.
AttributeCondition = Callable[[Mapping[str, Any]], bool]

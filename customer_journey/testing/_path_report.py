"""What path generation reports: generated histories, the targets they reach, and names.

`shortest_paths` (in `_paths`) fills these records; coverage and mutants name transitions
with `transition_name` the same way, so a transition reads alike in every report.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any, Literal

import attrs

from customer_journey._durations import format_duration
from customer_journey._timestamps import format_timestamp
from customer_journey.errors import Location
from customer_journey.model import Transition

__all__ = ["History", "PathReport", "PathTarget", "transition_name"]


def transition_name(transition: Transition) -> str:
    """Name a transition for people: `aware -> lapsed after 30d`, `idle 14d`, `on x, y`."""
    source = transition.source or "anywhere"
    if transition.after is not None:
        trigger = f"after {format_duration(transition.after)}"
    elif transition.idle is not None:
        trigger = f"idle {format_duration(transition.idle)}"
    else:
        trigger = "on " + ", ".join(transition.touchpoints)
        if transition.times is not None and transition.within is not None:
            trigger += f" {transition.times} times within {format_duration(transition.within)}"
    return f"{source} -> {transition.target} {trigger}"


@attrs.frozen
class History:
    """A generated event history: records in the journey's field mapping, and an `as_of`.

    Replay it with `journey.replay(history.records, history.as_of)`.
    """

    records: tuple[Mapping[str, Any], ...]
    as_of: datetime

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready mapping with a stable key order."""
        return {
            "records": [dict(record) for record in self.records],
            "as_of": format_timestamp(self.as_of),
        }


@attrs.frozen
class PathTarget:
    """A stage to reach or a transition to fire, with the shortest history that does it.

    Attributes:
        kind: `stage` or `transition`.
        name: the stage's name, or the transition's (see `transition_name`).
        location: where it is declared.
        history: the shortest history found, or None when none was.
        reason: why none was, in the marketer's words.
        transition: the transition, for kind `transition`.
    """

    kind: Literal["stage", "transition"]
    name: str
    location: Location | None
    history: History | None
    reason: str | None = None
    transition: Transition | None = attrs.field(default=None, eq=False, repr=False)

    @property
    def is_reached(self) -> bool:
        """A history reaches the stage or fires the transition."""
        return self.history is not None

    def describe(self) -> str:
        """One line: where, what, and the number of events or the reason."""
        where = f"{self.location}: " if self.location else ""
        if self.history is None:
            return f"{where}{self.kind} {self.name}: not reached; {self.reason}"
        count = len(self.history.records)
        return f"{where}{self.kind} {self.name}: {count} event{'s' * (count != 1)}"

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready mapping with a stable key order."""
        return {
            "kind": self.kind,
            "name": self.name,
            "location": str(self.location) if self.location else None,
            "reached": self.is_reached,
            "reason": self.reason,
            "history": self.history.to_dict() if self.history else None,
        }


@attrs.frozen
class PathReport:
    """Every stage and transition of a journey, each with its history or the reason it has none.

    Attributes:
        journey: the journey's name.
        stages: one per stage, in file order.
        transitions: one per transition: each stage's in file order, then `anywhere` ones.
    """

    journey: str
    stages: tuple[PathTarget, ...]
    transitions: tuple[PathTarget, ...]

    @property
    def unreached(self) -> tuple[PathTarget, ...]:
        """The stages that cannot be reached and the transitions that cannot fire."""
        return tuple(t for t in (*self.stages, *self.transitions) if not t.is_reached)

    def stage(self, name: str) -> PathTarget:
        """The target for stage `name`."""
        found = next((target for target in self.stages if target.name == name), None)
        if found is None:
            msg = f"unknown stage '{name}'"
            raise KeyError(msg)
        return found

    def describe(self) -> str:
        """One line per stage and transition."""
        lines = [target.describe() for target in (*self.stages, *self.transitions)]
        return "\n".join(lines)

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready mapping with a stable key order."""
        return {
            "journey": self.journey,
            "stages": [target.to_dict() for target in self.stages],
            "transitions": [target.to_dict() for target in self.transitions],
        }

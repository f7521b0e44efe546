"""A customer's replay state: everything the next event or moment needs to know.

The state is a plain slotted object so that the engine can update it without allocating
per event. Its containers are chosen so that a finished customer's state holds almost no
objects the cyclic garbage collector must track (dicts of plain values, tuples of visits):
batch replay keeps one state per customer, and tracked containers would make every full
collection slower as customers accumulate.

Purity is kept at the boundary: `customer_journey.engine.step` and `advance` work on a copy
and return it, so a caller's state never changes under them. The state also is the
`ConditionContext` that compiled `if` conditions read.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from customer_journey._facts import FrictionKey, Route
from customer_journey.engine._results import TraceStep, Trigger

__all__ = ["CustomerState", "FrictionRecord", "VisitRecord"]

#: One stay in a stage: (stage, entered_at, left_at, trigger, touchpoint, route out).
VisitRecord = tuple[str, datetime, "datetime | None", Trigger, "str | None", "Route | None"]
#: (touchpoint, first at, last at, count, severity), per `FrictionKey`.
FrictionRecord = tuple["str | None", datetime, datetime, int, str]


class CustomerState:
    """Where one customer stands after the events replayed so far.

    Attributes:
        customer: the customer's identifier.
        stage: the current stage, or None before the first entry touchpoint.
        entered_at: when the current stage was entered.
        expected_duration: the current stage's expected duration (for `stalled`).
        due: when the current stage's first timeout (`after` or `idle`) comes due, if it
            has one: see `StagePlan.next_timeout`.
        active_at: when the customer last showed activity in the current visit (an
            event, not a duplicate, matching a touchpoint, not an action performed);
            the visit's entry time until then. Kept only in stages with an `idle`
            timeout, where it times that timeout.
        joined_at: when the customer entered the journey (goal windows count from here).
        clock: the time of the last event or timeout applied.
        path: every visit, the last one open.
        first_entered: stage -> first time it was entered (goal status).
        counts, stage_counts, visits, traits: see `ConditionContext`.
        performed: action id -> times it was performed, in order (this journey's actions).
        other_actions: channel -> times actions this journey does not define were
            performed on it, as the records named the channel (caps across journeys).
        arms: experiment -> the customer's arm, set by the engine on the first fold or
            judgement (None before).
        friction: (kind, stage, to, rule) -> (touchpoint, first at, last at, count,
            severity) for the friction recorded while replaying (`stalled` is judged at
            `as_of`).
        seen_ids: event ids already applied (duplicates are ignored), as dict keys.
        windows: counting window id -> times of the events it holds.
        events: events applied; duplicates: events ignored as duplicates.
        trace: the steps so far when tracing, else None.
        now: the moment conditions are judged at.
        event_attributes: the current event's attributes while it is being applied.
    """

    __slots__ = (
        "active_at",
        "arms",
        "clock",
        "counts",
        "customer",
        "due",
        "duplicates",
        "entered_at",
        "event_attributes",
        "events",
        "expected_duration",
        "first_entered",
        "friction",
        "joined_at",
        "now",
        "other_actions",
        "path",
        "performed",
        "seen_ids",
        "stage",
        "stage_counts",
        "trace",
        "traits",
        "visits",
        "windows",
    )

    def __init__(self, customer: str, *, trace: bool = False) -> None:
        self.customer = customer
        self.stage: str | None = None
        self.entered_at: datetime | None = None
        self.expected_duration: timedelta | None = None
        self.due: datetime | None = None
        self.active_at: datetime | None = None
        self.joined_at: datetime | None = None
        self.clock: datetime | None = None
        self.path: list[VisitRecord] = []
        self.first_entered: dict[str, datetime] = {}
        self.counts: dict[str, int] = {}
        self.stage_counts: dict[str, int] = {}
        self.visits: dict[str, int] = {}
        self.traits: dict[str, Any] = {}
        self.performed: dict[str, list[datetime]] = {}
        self.other_actions: dict[str, list[datetime]] = {}
        self.arms: dict[str, str] | None = None
        self.friction: dict[FrictionKey, FrictionRecord] = {}
        self.seen_ids: dict[str, None] = {}
        self.windows: dict[int, deque[datetime]] = {}
        self.events = 0
        self.duplicates = 0
        self.trace: list[TraceStep] | None = [] if trace else None
        self.now: datetime | None = None
        self.event_attributes: Mapping[str, Any] | None = None

    @property
    def time_in_stage(self) -> timedelta | None:
        """Time since entering the current stage, judged at `now`."""
        if self.entered_at is None or self.now is None:
            return None
        return self.now - self.entered_at

    @property
    def is_stalled(self) -> bool:
        """Whether time in stage exceeds the stage's expected duration."""
        expected = self.expected_duration
        if expected is None or self.entered_at is None or self.now is None:
            return False
        return self.now - self.entered_at > expected

    def copy(self) -> CustomerState:
        """Return an independent copy (containers copied, immutable values shared)."""
        twin = CustomerState.__new__(CustomerState)
        for name in CustomerState.__slots__:
            setattr(twin, name, getattr(self, name))
        twin.path = list(self.path)
        twin.first_entered = dict(self.first_entered)
        twin.counts = dict(self.counts)
        twin.stage_counts = dict(self.stage_counts)
        twin.visits = dict(self.visits)
        twin.traits = dict(self.traits)
        twin.performed = {k: list(v) for k, v in self.performed.items()}
        twin.other_actions = {k: list(v) for k, v in self.other_actions.items()}
        twin.friction = dict(self.friction)
        twin.seen_ids = dict(self.seen_ids)
        twin.windows = {k: deque(v) for k, v in self.windows.items()}
        twin.trace = None if self.trace is None else list(self.trace)
        return twin

    def __reduce__(self) -> tuple[Any, tuple[tuple[Any, ...]]]:
        """Pickle as the values of the slots, in order: worker processes send back many states.

        Without this, each state pickles as a mapping of slot names to values; the plain
        tuple is smaller, and about twice as fast to pickle and to load.
        """
        return _restored, (tuple([getattr(self, name) for name in _SLOTS]),)

    def release_scratch(self) -> None:
        """Drop what only matters while more events may come (ids, counting windows).

        Batch replay calls this once a customer's records are all applied, so that the
        states it keeps until `as_of` is known do not grow with the number of events.
        """
        self.seen_ids = {}
        self.windows = {}


_SLOTS = CustomerState.__slots__


def _restored(values: tuple[Any, ...]) -> CustomerState:
    """A state again from its slots' values (see `CustomerState.__reduce__`)."""
    state = CustomerState.__new__(CustomerState)
    for name, value in zip(_SLOTS, values, strict=True):
        setattr(state, name, value)
    return state

"""What a replay tells: a customer's position, path, goals and (opt-in) trace, as values."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta, timezone
from typing import Any, Literal, NamedTuple

import attrs

from customer_journey import _display
from customer_journey._durations import describe_duration
from customer_journey._facts import (
    FrictionFacts,
    FrictionKind,
    Route,
    RuleCheck,
    SuppressionReason,
    describe_step,
    rule_text,
)
from customer_journey._timestamps import format_timestamp
from customer_journey.model import EMPTY, Event, Transition

__all__ = [
    "FrictionPoint",
    "GoalStatus",
    "Recommendation",
    "ReplayResult",
    "Suppression",
    "TraceStep",
    "Visit",
]

Trigger = Literal["entry", "touchpoint", "timeout"]
GoalState = Literal["reached", "missed", "pending"]
Outcome = Literal["duplicate", "outside", "entered", "moved", "stayed", "ended", "timeout"]

_UTC = timezone.utc


def _iso(moment: datetime | None) -> str | None:
    """UTC instants as ISO-8601 with a `Z`, the form every output uses.

    The engine's instants are all in UTC already: spelling them directly is three times
    cheaper than `format_timestamp`'s conversion, and `to_dict` spells several per visit.
    """
    if moment is None:
        return None
    if moment.tzinfo is _UTC:
        return moment.isoformat()[:-6] + "Z"
    return format_timestamp(moment)


def _span(value: timedelta | None) -> str | None:
    """Measured durations for people (`24d4h`), never `2089456s`."""
    return None if value is None else describe_duration(value)


class Visit(NamedTuple):
    """One stay in a stage: when it began and ended, and what moved the customer in.

    Like `GoalStatus`, a `NamedTuple`: a batch builds several per customer, and tuples of
    plain values are cheap to create and need no tracking by the garbage collector.

    Attributes:
        stage: the stage entered.
        entered_at: when the customer entered it.
        left_at: when they left it, or None if they are still there.
        trigger: `entry` (first placement), `touchpoint` or `timeout`.
        touchpoint: the touchpoint that moved them in (for `entry` and `touchpoint`).
        route: how the visit ended, as the engine judged the move out (section 7):
            `timeout`, `terminal` (churn), `back` (a regression) or `onward`; None while
            it goes on. Not in `to_dict()`, whose keys are stable; the next visit's
            `trigger` and `touchpoint` say what moved the customer out.
    """

    stage: str
    entered_at: datetime
    left_at: datetime | None
    trigger: Trigger
    touchpoint: str | None = None
    route: Route | None = None

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready mapping with a stable key order."""
        return {
            "stage": self.stage,
            "entered_at": _iso(self.entered_at),
            "left_at": _iso(self.left_at),
            "trigger": self.trigger,
            "touchpoint": self.touchpoint,
        }


class GoalStatus(NamedTuple):
    """A goal's status as of a moment (section 6).

    Attributes:
        goal: the goal's name.
        status: `reached`, `missed` or `pending`.
        reached_at: when its stage was first entered in time, if reached.
        deadline: the end of its window (journey entry + `within`), if it has one.
    """

    goal: str
    status: GoalState
    reached_at: datetime | None = None
    deadline: datetime | None = None

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready mapping with a stable key order."""
        return {
            "status": self.status,
            "reached_at": _iso(self.reached_at),
            "deadline": _iso(self.deadline),
        }


@attrs.frozen
class FrictionPoint(FrictionFacts):
    """Where a customer got stuck or slipped back (section 7), as facts.

    Attributes:
        kind: `stalled`, `declared`, `regression`, `timeout` or `churned`.
        stage: the stage it happened in (for moves, the stage left; for churn, the
            terminal stage entered).
        to: the stage a timeout or a regression led to (None for the other kinds).
        rule: the friction rule's label, for `declared` (None for the other kinds).
        touchpoint: the touchpoint involved, if any.
        first_at: when it first happened.
        last_at: when it last happened (for `stalled`, the `as_of`).
        count: how many times it happened.
        severity: `low`, `medium` or `high`, or the friction rule's own grading.
        overdue: for `stalled`, how far past the expected duration the customer is.
    """

    kind: FrictionKind
    stage: str
    to: str | None
    rule: str | None
    touchpoint: str | None
    first_at: datetime
    last_at: datetime
    count: int
    severity: str
    overdue: timedelta | None = None

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready mapping with a stable key order."""
        return {
            "kind": self.kind,
            "stage": self.stage,
            "label": self.label,
            "touchpoint": self.touchpoint,
            "first_at": _iso(self.first_at),
            "last_at": _iso(self.last_at),
            "count": self.count,
            "severity": self.severity,
            "overdue": _span(self.overdue),
        }


class Recommendation(NamedTuple):
    """An eligible next-best action, with the rules that make it eligible (section 8).

    Attributes:
        action: the action's id.
        channel: the channel it is delivered on.
        priority: its priority (higher ranks first).
        checks: each rule it passed, as (rule, figures), in the specification's order:
            `("stage", (stage,))`, then as they apply `("if", (condition as written,))`,
            `("cooldown", (last performed at or None, cooldown, as_of))`,
            `("max", (times performed, most allowed))`, `("contact_policy", (actions on
            the channel in the window, most allowed, window))`, `("consent", ())`,
            `("send_window", (zone,))`, and `("weight", (weight,))` when ranked by
            evidence.
    """

    action: str
    channel: str
    priority: float
    checks: tuple[RuleCheck, ...]

    @property
    def reasons(self) -> tuple[str, ...]:
        """Why it is eligible, in the marketer's words: one line per rule passed."""
        return tuple(rule_text(check, self.channel, holds=True) for check in self.checks)

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready mapping with a stable key order."""
        return {
            "action": self.action,
            "channel": self.channel,
            "priority": self.priority,
            "reasons": list(self.reasons),
        }


class Suppression(NamedTuple):
    """A candidate action that is not offered, and why (section 8).

    Attributes:
        action: the action's id.
        channel: the channel it would be delivered on.
        reason: the first rule that stops it: `holdout`, `if`, `cooldown`, `max`,
            `contact_policy`, `consent` or `send_window`.
        figures: that rule's figures, as in `Recommendation.checks` (for `consent`, the
            consent condition as written; for `holdout`, the experiment and the arm; for
            `send_window`, the zone it is read in and when it next opens).
        available_at: for `send_window`, when the window next opens (so that an app can
            schedule the send); None for the other reasons.
    """

    action: str
    channel: str
    reason: SuppressionReason
    figures: tuple[Any, ...]
    available_at: datetime | None = None

    @property
    def detail(self) -> str:
        """The reason in the marketer's words, with the figures."""
        return rule_text((self.reason, self.figures), self.channel, holds=False)

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready mapping with a stable key order."""
        return {
            "action": self.action,
            "channel": self.channel,
            "reason": self.reason,
            "detail": self.detail,
            "available_at": _iso(self.available_at),
        }


@attrs.frozen
class TraceStep:
    """One line of a replay trace: an event, or a timeout firing, and what it did.

    Attributes:
        at: when it happened.
        event: the event, or None for a timeout.
        touchpoints: the touchpoints the event matched.
        outcome: `duplicate` (repeated id, ignored), `outside` (counted, no position yet),
            `entered`, `moved`, `stayed`, `ended` (terminal stage, nothing moves) or
            `timeout`.
        from_stage: the stage before.
        to_stage: the stage after.
        transition: the transition that fired, if any.
        traits: for a step that ends a visit (`moved`, `timeout`), the customer's traits
            at that moment (the event's own included); None for the other steps. Not in
            `to_dict()`.
        action: for a record of an action performed, the action it names; else None.
            Its `description` names it.
    """

    at: datetime
    event: Event | None
    touchpoints: tuple[str, ...]
    outcome: Outcome
    from_stage: str | None
    to_stage: str | None
    transition: Transition | None = None
    traits: Mapping[str, Any] | None = None
    action: str | None = None

    def describe(self) -> str:
        """Say what happened in the marketer's words."""
        transition = self.transition
        return describe_step(
            self.outcome,
            None if self.event is None else self.event.type,
            touchpoints=self.touchpoints,
            from_stage=self.from_stage,
            to_stage=self.to_stage,
            waited=None if transition is None else transition.wait,
            is_idle=transition is not None and transition.idle is not None,
            action=self.action,
        )

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready mapping with a stable key order."""
        transition = self.transition
        return {
            "at": _iso(self.at),
            "event": self.event.to_dict() if self.event else None,
            "touchpoints": list(self.touchpoints),
            "outcome": self.outcome,
            "from_stage": self.from_stage,
            "to_stage": self.to_stage,
            "transition": (
                None
                if transition is None
                else {"stage": transition.source, "index": transition.index}
            ),
            "description": self.describe(),
        }


@attrs.frozen
class ReplayResult:
    """A customer's position as of a moment (section 5), with goals and counts.

    Attributes:
        customer: the customer's identifier.
        as_of: the moment the position describes.
        stage: the current stage, or None when the customer is not in the journey.
        phase: the current stage's phase (None outside the lifecycle or the journey).
        entered_at: when the customer entered the current stage.
        time_in_stage: `as_of - entered_at`.
        is_terminal: the current stage is terminal.
        is_stalled: time in stage exceeds the stage's expected duration.
        path: every stage visit, in order.
        counts: touchpoint -> times seen up to `as_of` (touchpoints never seen are left out).
        goals: goal -> status.
        events: events processed (duplicates and events after `as_of` excluded).
        duplicates: events ignored because their id was already seen.
        friction: where the customer got stuck or slipped back, oldest first.
        next_actions: eligible actions, best first (priority, then file order).
        suppressed: candidate actions not offered, each with the first reason.
        trace: what each event did, when the replay was asked to trace.
        arms: experiment -> the customer's arm, in the journey's experiment order (for
            every customer, one not yet in the journey too; empty without experiments).

    `counts` and `goals` are typed read-only and must be treated so; they are plain dicts
    rather than read-only views because a batch builds one result per customer, and the
    views are objects the garbage collector must track (measured: a quarter of the time
    spent building a million-event batch's results).
    """

    customer: str
    as_of: datetime
    stage: str | None
    phase: str | None
    entered_at: datetime | None
    time_in_stage: timedelta | None
    is_terminal: bool
    is_stalled: bool
    path: tuple[Visit, ...]
    counts: Mapping[str, int]
    goals: Mapping[str, GoalStatus]
    events: int
    duplicates: int
    friction: tuple[FrictionPoint, ...] = ()
    next_actions: tuple[Recommendation, ...] = ()
    suppressed: tuple[Suppression, ...] = ()
    trace: tuple[TraceStep, ...] | None = None
    arms: Mapping[str, str] = EMPTY

    def _repr_html_(self) -> str | None:
        """A compact card in a notebook: stage, time in it, path, goals, friction, actions.

        Made by `customer_journey.render` (see `customer_journey._display`): None until it
        is imported, and Jupyter then shows the plain `repr`.
        """
        return _display.shown("result", "text/html", self)

    @property
    def stages_entered(self) -> list[str]:
        """The stages entered, in order (the scenario files' `path`)."""
        return [visit.stage for visit in self.path]

    @property
    def next_action(self) -> str | None:
        """The best eligible action's id, or None when nothing is to be done."""
        return self.next_actions[0].action if self.next_actions else None

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready mapping with a stable key order."""
        return {
            "customer": self.customer,
            "as_of": _iso(self.as_of),
            "stage": self.stage,
            "phase": self.phase,
            "entered_at": _iso(self.entered_at),
            "time_in_stage": _span(self.time_in_stage),
            "is_terminal": self.is_terminal,
            "is_stalled": self.is_stalled,
            "path": [visit.to_dict() for visit in self.path],
            "counts": dict(self.counts),
            "goals": {name: status.to_dict() for name, status in self.goals.items()},
            "events": self.events,
            "duplicates": self.duplicates,
            "friction": [point.to_dict() for point in self.friction],
            "next_actions": [action.to_dict() for action in self.next_actions],
            "suppressed": [action.to_dict() for action in self.suppressed],
            "trace": None if self.trace is None else [step.to_dict() for step in self.trace],
            "arms": dict(self.arms),
        }

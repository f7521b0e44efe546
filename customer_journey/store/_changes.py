"""What changed for a customer, worth acting on: the store's outbox messages.

After each write, a customer's new result is compared with what the store last said of
them (their *view*: next action, goal statuses, friction counts) and with their path
before, and each difference becomes a `Change`:

- `stage_entered`, for a visit that was not on the path before: stage, phase, from,
  trigger, touchpoint;
- `next_action_changed`, when the best eligible action is another: action, channel,
  previous;
- `goal_reached` and `goal_missed`, when a goal's status became one of them: goal (and the
  deadline of a missed one);
- `friction_raised`, for a friction point that is new or happened again: friction (its
  kind: `declared`, `stalled`, `timeout`, ...), stage, to, rule, label, touchpoint, count,
  severity.

Paths are compared visit by visit: after a late event re-derives a customer, the visits
both versions share are not entered again, and only those after them are reported.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any, Literal

import attrs

from customer_journey._timestamps import format_timestamp
from customer_journey.engine import Judgement, VisitRecord
from customer_journey.model import JourneyModel

__all__ = ["CHANGE_KINDS", "Change", "ChangeKind", "View", "changes_between", "view_of"]

ChangeKind = Literal[
    "stage_entered", "next_action_changed", "goal_reached", "goal_missed", "friction_raised"
]
CHANGE_KINDS: tuple[ChangeKind, ...] = (
    "stage_entered",
    "next_action_changed",
    "goal_reached",
    "goal_missed",
    "friction_raised",
)

#: What the store last said of a customer: `next` action, `goals` (goal -> status) and
#: `friction` (key text -> count).
View = dict[str, Any]

_NO_VIEW: View = {"next": None, "goals": {}, "friction": {}}


@attrs.frozen
class Change:
    """One thing that changed for a customer, worth acting on.

    Attributes:
        customer: the customer it happened to.
        kind: `stage_entered`, `next_action_changed`, `goal_reached`, `goal_missed` or
            `friction_raised`.
        at: when it happened (for a changed action or a missed goal, the moment the store
            judged it).
        details: what happened, by kind (see the guide's table).
    """

    customer: str
    kind: ChangeKind
    at: datetime
    details: Mapping[str, Any]

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready mapping with a stable key order."""
        return {
            "customer": self.customer,
            "kind": self.kind,
            "at": format_timestamp(self.at),
            **self.details,
        }


def _friction_key(kind: str, stage: str, to: str | None, rule: str | None) -> str:
    return "\x1f".join((kind, stage, to or "", rule or ""))


def view_of(result: Judgement) -> View:
    """What a change is judged against next time."""
    best = result.next_actions[0].action if result.next_actions else None
    return {
        "next": best,
        "goals": {goal: status.status for goal, status in result.goals.items()},
        "friction": {
            _friction_key(point.kind, point.stage, point.to, point.rule): point.count
            for point in result.friction
        },
    }


def _shared_visits(before: Sequence[VisitRecord], after: Sequence[VisitRecord]) -> int:
    """How many visits, from the start, both paths have (same stage, entered at the same time)."""
    shared = 0
    for old, new in zip(before, after, strict=False):
        if old[0] != new[0] or old[1] != new[1]:
            break
        shared += 1
    return shared


def changes_between(
    model: JourneyModel,
    *,
    before: Sequence[VisitRecord],
    old_view: View | None,
    after: Sequence[VisitRecord],
    result: Judgement,
    new_view: View,
) -> list[Change]:
    """The changes from (`before`, `old_view`) to (`after`, `result`), in that order of kinds."""
    customer, as_of = result.customer, result.as_of
    old = old_view or _NO_VIEW
    found: list[Change] = []
    shared = _shared_visits(before, after)
    for index in range(shared, len(after)):
        stage, entered, _left, trigger, touchpoint, _route = after[index]
        found.append(
            Change(
                customer,
                "stage_entered",
                entered,
                {
                    "stage": stage,
                    "phase": model.stages[stage].phase,
                    "from": after[index - 1][0] if index else None,
                    "trigger": trigger,
                    "touchpoint": touchpoint,
                },
            )
        )
    if new_view["next"] != old["next"]:
        best = result.next_actions[0] if result.next_actions else None
        found.append(
            Change(
                customer,
                "next_action_changed",
                as_of,
                {
                    "action": best.action if best else None,
                    "channel": best.channel if best else None,
                    "previous": old["next"],
                },
            )
        )
    for goal, status in result.goals.items():
        if old["goals"].get(goal) == status.status or status.status == "pending":
            continue
        if status.status == "reached":
            assert status.reached_at is not None  # reached goals carry their time
            found.append(Change(customer, "goal_reached", status.reached_at, {"goal": goal}))
        else:
            deadline = status.deadline if status.deadline and status.deadline <= as_of else None
            found.append(
                Change(
                    customer,
                    "goal_missed",
                    deadline or as_of,
                    {"goal": goal, "deadline": deadline and format_timestamp(deadline)},
                )
            )
    old_friction = old["friction"]
    for point in result.friction:
        key = _friction_key(point.kind, point.stage, point.to, point.rule)
        if point.count <= old_friction.get(key, 0):
            continue
        found.append(
            Change(
                customer,
                "friction_raised",
                point.last_at,
                {
                    "friction": point.kind,
                    "stage": point.stage,
                    "to": point.to,
                    "rule": point.rule,
                    "label": point.label,
                    "touchpoint": point.touchpoint,
                    "count": point.count,
                    "severity": point.severity,
                },
            )
        )
    return found

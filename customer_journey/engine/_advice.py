"""Goals, what to do next and where it hurts, as of a moment (sections 6 to 8), as facts.

Friction recorded during replay (declared rules, timeouts, regressions, churn) is joined by
`stalled`, which only the `as_of` can tell. Next-best-action ranks the current stage's
candidates and records, for each, the rules it passed or the first it failed, with their
figures; `customer_journey._facts` says them in words when they are shown.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from customer_journey._facts import RuleCheck
from customer_journey.engine._plan import ReplayPlan
from customer_journey.engine._results import (
    FrictionPoint,
    GoalStatus,
    Recommendation,
    Suppression,
)
from customer_journey.engine._state import CustomerState
from customer_journey.model import Action

__all__ = ["friction_points", "goal_statuses", "next_best_actions", "weigh_actions"]

#: Friction kinds in the order results list them when they happen at the same moment.
_KIND_ORDER = {"declared": 0, "timeout": 1, "regression": 2, "churned": 3, "stalled": 4}


def friction_points(
    plan: ReplayPlan, state: CustomerState, as_of: datetime
) -> tuple[FrictionPoint, ...]:
    """Every friction point of the customer as of `as_of`, oldest first.

    Points at the same moment come by kind, then stage, then the stage moved to or the
    rule's label.
    """
    points = [
        FrictionPoint(kind, stage, to, rule, touchpoint, first_at, last_at, count, severity)
        for (kind, stage, to, rule), (touchpoint, first_at, last_at, count, severity) in (
            state.friction.items()
        )
    ]
    stalled = _stalled(state, as_of)
    if stalled is not None:
        points.append(stalled)
    points.sort(key=lambda p: (p.first_at, _KIND_ORDER[p.kind], p.stage, p.to or "", p.rule or ""))
    return tuple(points)


def _stalled(state: CustomerState, as_of: datetime) -> FrictionPoint | None:
    """`stalled`: longer in the stage than expected; twice as long or more is severe."""
    expected, entered_at, stage = state.expected_duration, state.entered_at, state.stage
    if expected is None or entered_at is None or stage is None:
        return None
    overdue = as_of - entered_at - expected
    if overdue <= timedelta(0):
        return None
    severity = "high" if overdue >= expected else "medium"
    return FrictionPoint(
        "stalled", stage, None, None, None, entered_at + expected, as_of, 1, severity, overdue
    )


def next_best_actions(
    plan: ReplayPlan, state: CustomerState, as_of: datetime
) -> tuple[tuple[Recommendation, ...], tuple[Suppression, ...]]:
    """Rank the current stage's candidates and say why each is offered or held back.

    The caller has set the state's `now` to `as_of`, the moment conditions are judged at.
    """
    stage = state.stage
    if stage is None:
        return (), ()
    candidates = plan.stages[stage].actions
    if not candidates:
        return (), ()
    state.event_attributes = None
    offered: list[Recommendation] = []
    held: list[Suppression] = []
    held_out = _held_out(plan, state) if plan.holdouts else None
    if held_out is not None:
        return (), tuple(Suppression(a.id, a.channel, "holdout", held_out) for a in candidates)
    for action in candidates:
        checks = _checks(plan, state, action, as_of)
        if isinstance(checks, Suppression):
            held.append(checks)
        else:
            offered.append(Recommendation(action.id, action.channel, action.priority, checks))
    return tuple(offered), tuple(held)


def _checks(
    plan: ReplayPlan, state: CustomerState, action: Action, as_of: datetime
) -> tuple[RuleCheck, ...] | Suppression:
    """The rules `action` passes, in the specification's order, or the first that stops it.

    The holdout, checked first, is judged for all candidates at once by the caller.
    """
    channel = action.channel
    passed: list[RuleCheck] = [("stage", (state.stage,))]
    figures: tuple[Any, ...]
    text = plan.if_texts.get(action.id)
    if action.condition is not None:
        if not action.condition(state):
            return Suppression(action.id, channel, "if", (text,))
        passed.append(("if", (text,)))
    performed = state.performed.get(action.id, ())
    if action.cooldown is not None:
        last = performed[-1] if performed else None
        figures = (last, action.cooldown, as_of)
        if last is not None and as_of - last < action.cooldown:
            return Suppression(action.id, channel, "cooldown", figures)
        passed.append(("cooldown", figures))
    if action.max is not None:
        figures = (len(performed), action.max)
        if len(performed) >= action.max:
            return Suppression(action.id, channel, "max", figures)
        passed.append(("max", figures))
    policy = plan.model.contact_policy.get(channel)
    if policy is not None:
        used = _channel_use(plan, state, channel, as_of - policy.per)
        figures = (used, policy.max, policy.per)
        if used >= policy.max:
            return Suppression(action.id, channel, "contact_policy", figures)
        passed.append(("contact_policy", figures))
    consent = plan.consent.get(channel)
    if consent is not None:
        if not consent(state):
            return Suppression(action.id, channel, "consent", (plan.consent_texts[channel],))
        passed.append(("consent", ()))
    held = _send_window(plan, state, action, as_of, passed)
    return tuple(passed) if held is None else held


def _send_window(
    plan: ReplayPlan,
    state: CustomerState,
    action: Action,
    as_of: datetime,
    passed: list[RuleCheck],
) -> Suppression | None:
    """Section 10: the suppression when the channel's window, read in its zone, is shut.

    An open window is added to the rules `passed`; a channel without one adds nothing.
    """
    window = plan.send_windows.get(action.channel)
    if window is None:
        return None
    zone = window.zone(state.traits, plan.model.timezone)
    if window.is_open(as_of, zone):
        passed.append(("send_window", (zone.key,)))
        return None
    opens_at = window.opens_at(as_of, zone)
    return Suppression(action.id, action.channel, "send_window", (zone.key, opens_at), opens_at)


def _held_out(plan: ReplayPlan, state: CustomerState) -> tuple[str, str] | None:
    """(experiment, arm) of the first experiment whose holdout arm the customer is in."""
    arms = state.arms or {}
    for experiment, holdout in plan.holdouts:
        if arms.get(experiment) == holdout:
            return experiment, holdout
    return None


def _channel_use(plan: ReplayPlan, state: CustomerState, channel: str, after: datetime) -> int:
    """Actions performed on `channel` after `after` (the policy's rolling window).

    Actions of other journeys count too, on the channel their records named.
    """
    channels = plan.action_channels
    ours = sum(
        1
        for action, times in state.performed.items()
        if channels.get(action) == channel
        for moment in times
        if moment > after
    )
    return ours + sum(1 for moment in state.other_actions.get(channel, ()) if moment > after)


def weigh_actions(
    offered: tuple[Recommendation, ...], weights: Mapping[str, float]
) -> tuple[Recommendation, ...]:
    """Rank offered actions by `priority * weight` (weight 1 for actions not in `weights`).

    The sort is stable, so equal scores keep the priority and file order. Each weighted
    action records its weight among the rules it passed.
    """
    weighed = [
        action._replace(checks=(*action.checks, ("weight", (weights[action.action],))))
        if action.action in weights
        else action
        for action in offered
    ]
    weighed.sort(key=lambda action: -action.priority * weights.get(action.action, 1.0))
    return tuple(weighed)


def goal_statuses(plan: ReplayPlan, state: CustomerState, as_of: datetime) -> dict[str, GoalStatus]:
    """Section 6: reached within the window, missed once it passed or the journey ended."""
    statuses: dict[str, GoalStatus] = {}
    stage = state.stage
    ended = stage is not None and plan.stages[stage].stage.is_terminal
    for goal in plan.model.goals.values():
        reached_at = state.first_entered.get(goal.stage)
        joined = state.joined_at
        deadline = None if joined is None or goal.within is None else joined + goal.within
        if reached_at is not None and (deadline is None or reached_at <= deadline):
            statuses[goal.name] = GoalStatus(goal.name, "reached", reached_at, deadline)
        elif ended or (deadline is not None and (as_of > deadline or reached_at is not None)):
            statuses[goal.name] = GoalStatus(goal.name, "missed", None, deadline)
        else:
            statuses[goal.name] = GoalStatus(goal.name, "pending", None, deadline)
    return statuses

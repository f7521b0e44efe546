"""What to do next and where it hurts, as of a moment (sections 7 and 8).

Friction recorded during replay (declared rules, timeouts, regressions, churn) is joined by
`stalled`, which only the `as_of` can tell. Next-best-action ranks the current stage's
candidates and says, for each, why it is offered or the first rule that stops it.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta

from customer_journey._durations import describe_duration, format_duration
from customer_journey._timestamps import format_timestamp
from customer_journey.engine._plan import ReplayPlan
from customer_journey.engine._results import (
    FrictionPoint,
    Recommendation,
    Suppression,
    SuppressionReason,
)
from customer_journey.engine._state import CustomerState
from customer_journey.model import Action

__all__ = ["friction_points", "next_best_actions", "weigh_actions"]

#: Friction kinds in the order results list them when they happen at the same moment.
_KIND_ORDER = {"declared": 0, "timeout": 1, "regression": 2, "churned": 3, "stalled": 4}


def friction_points(
    plan: ReplayPlan, state: CustomerState, as_of: datetime
) -> tuple[FrictionPoint, ...]:
    """Every friction point of the customer as of `as_of`, oldest first."""
    points = [
        FrictionPoint(kind, stage, label, touchpoint, first_at, last_at, count, severity)
        for (kind, stage, label), (touchpoint, first_at, last_at, count, severity) in (
            state.friction.items()
        )
    ]
    stalled = _stalled(state, as_of)
    if stalled is not None:
        points.append(stalled)
    points.sort(key=lambda p: (p.first_at, _KIND_ORDER[p.kind], p.stage, p.label))
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
    label = f"stalled in '{stage}'"
    return FrictionPoint(
        "stalled", stage, label, None, entered_at + expected, as_of, 1, severity, overdue
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
    for action in candidates:
        stop = _first_stop(plan, state, action, as_of)
        if stop is None:
            reasons = _reasons(plan, state, action, as_of)
            offered.append(Recommendation(action.id, action.channel, action.priority, reasons))
        else:
            held.append(Suppression(action.id, action.channel, *stop))
    return tuple(offered), tuple(held)


def _first_stop(
    plan: ReplayPlan, state: CustomerState, action: Action, as_of: datetime
) -> tuple[SuppressionReason, str] | None:
    """The first rule, in the specification's order, that keeps `action` from being offered."""
    if action.condition is not None and not action.condition(state):
        return "if", f"{action.condition_text} does not hold"
    performed = state.performed.get(action.id, ())
    if action.cooldown is not None and performed and as_of - performed[-1] < action.cooldown:
        again = format_timestamp(performed[-1] + action.cooldown)
        return "cooldown", f"performed {format_timestamp(performed[-1])}; cooldown ends {again}"
    if action.max is not None and len(performed) >= action.max:
        return "max", f"performed {len(performed)} of at most {action.max} times"
    policy = plan.model.contact_policy.get(action.channel)
    if policy is not None:
        used = _channel_use(plan, state, action.channel, as_of - policy.per)
        if used >= policy.max:
            window = format_duration(policy.per)
            return "contact_policy", (
                f"{used} of at most {policy.max} '{action.channel}' actions in the last {window}"
            )
    consent = plan.model.consent.get(action.channel)
    if consent is not None and not consent(state):
        text = plan.model.consent_text.get(action.channel, "")
        return "consent", f"consent for '{action.channel}' does not hold: {text}"
    return None


def _reasons(
    plan: ReplayPlan, state: CustomerState, action: Action, as_of: datetime
) -> tuple[str, ...]:
    """Why an offered action is eligible: each rule it passed, with the figures."""
    reasons = [f"a candidate in '{state.stage}'"]
    if action.condition_text is not None:
        reasons.append(f"{action.condition_text} holds")
    performed = state.performed.get(action.id, ())
    if action.cooldown is not None:
        cooldown = format_duration(action.cooldown)
        if performed:
            ago = describe_duration(as_of - performed[-1])
            reasons.append(f"last performed {ago} ago, cooldown {cooldown} over")
        else:
            reasons.append(f"never performed, cooldown {cooldown}")
    if action.max is not None:
        reasons.append(f"performed {len(performed)} of at most {action.max} times")
    policy = plan.model.contact_policy.get(action.channel)
    if policy is not None:
        used = _channel_use(plan, state, action.channel, as_of - policy.per)
        window = format_duration(policy.per)
        reasons.append(
            f"{used} of at most {policy.max} '{action.channel}' actions in the last {window}"
        )
    if action.channel in plan.model.consent:
        reasons.append(f"consent for '{action.channel}' holds")
    return tuple(reasons)


def _channel_use(plan: ReplayPlan, state: CustomerState, channel: str, after: datetime) -> int:
    """Actions performed on `channel` after `after` (the policy's rolling window)."""
    channels = plan.action_channels
    return sum(
        1
        for action, times in state.performed.items()
        if channels.get(action) == channel
        for moment in times
        if moment > after
    )


def weigh_actions(
    offered: tuple[Recommendation, ...], weights: Mapping[str, float]
) -> tuple[Recommendation, ...]:
    """Rank offered actions by `priority * weight` (weight 1 for actions not in `weights`).

    The sort is stable, so equal scores keep the priority and file order. Each weighted
    action says so in its reasons, with its weight.
    """
    weighed = [
        action._replace(
            reasons=(*action.reasons, f"weighted by evidence: weight {weights[action.action]:.2f}")
        )
        if action.action in weights
        else action
        for action in offered
    ]
    weighed.sort(key=lambda action: -action.priority * weights.get(action.action, 1.0))
    return tuple(weighed)

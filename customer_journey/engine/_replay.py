"""Replay semantics (section 5 of the DSL specification), in one place.

`fold` (events, then the timeouts due by a moment) updates a state in place and is what the
runner replays with; `step` and `advance` are the pure versions the public API promises:
they copy the state first. Nothing here reads a clock, the environment or a file: time
comes in as events and `as_of`.

Replay records facts, never words: each visit's route out, friction as (kind, stage, to,
rule) keys, and, when tracing, what each event did. `customer_journey._facts` says them in
words when a result is shown.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any, NamedTuple

from customer_journey._facts import FrictionKey, Route
from customer_journey.engine._advice import friction_points, goal_statuses, next_best_actions
from customer_journey.engine._plan import ReplayPlan, StagePlan
from customer_journey.engine._results import (
    FrictionPoint,
    GoalStatus,
    Outcome,
    Recommendation,
    ReplayResult,
    Suppression,
    TraceStep,
    Trigger,
    Visit,
)
from customer_journey.engine._state import CustomerState, VisitRecord
from customer_journey.errors import OutOfOrderEventError
from customer_journey.model import EMPTY, Event, FrictionRule, Transition

__all__ = [
    "Judgement",
    "advance",
    "advance_to",
    "apply_event",
    "fold",
    "judge",
    "result_of",
    "step",
]


def step(plan: ReplayPlan, state: CustomerState, event: Event) -> CustomerState:
    """Return the state after `event`, leaving `state` untouched.

    Raises:
        OutOfOrderEventError: the event is earlier than the last event or timeout applied.
    """
    if state.clock is not None and event.at < state.clock:
        msg = (
            f"event at {event.at.isoformat()} for customer '{state.customer}' is earlier than "
            f"the state's clock {state.clock.isoformat()}; replay events in time order"
        )
        raise OutOfOrderEventError(msg)
    twin = state.copy()
    fold(plan, twin, (event,))
    return twin


def advance(plan: ReplayPlan, state: CustomerState, until: datetime) -> CustomerState:
    """Return the state with every timeout due by `until` fired, leaving `state` untouched."""
    twin = state.copy()
    advance_to(plan, twin, until)
    return twin


def fold(
    plan: ReplayPlan,
    state: CustomerState,
    events: Sequence[Event],
    *,
    until: datetime | None = None,
) -> CustomerState:
    """Apply events already in time order (ties in input order) to `state`, in place.

    With `until` (no earlier than the last event), the timeouts due by then fire too, so
    the state is ready to describe as of `until`. The state's clock and event count are
    brought up to date once, at the end, rather than on every event.
    """
    if state.arms is None:
        state.arms = plan.arms_of(state.customer)
    if events:
        duplicates = state.duplicates
        for event in events:
            apply_event(plan, state, event)
        state.events += len(events) - (state.duplicates - duplicates)
        state.clock = events[-1].at
    if until is not None:
        advance_to(plan, state, until)
    return state


def advance_to(plan: ReplayPlan, state: CustomerState, until: datetime) -> None:
    """Fire, in place, the timeouts due at or before `until` (rule 5).

    Each timeout fires at its exact due time, and the next stage's timeouts are timed from
    that moment, so a chain of timeouts plays out in order.
    """
    due = state.due
    while due is not None and due <= until:
        stage = state.stage
        found = plan.stages[stage].next_timeout(state.entered_at, state.active_at)  # type: ignore[index,arg-type]
        assert found is not None  # `due` is set only for stages with a timeout
        timeout = found[1]
        if state.trace is not None:
            state.trace.append(
                TraceStep(
                    due, None, (), "timeout", stage, timeout.target, timeout, dict(state.traits)
                )
            )
        _enter(plan, state, timeout.target, due, trigger="timeout", via=None)
        state.clock = due
        due = state.due


def apply_event(plan: ReplayPlan, state: CustomerState, event: Event) -> None:
    """Apply one event in place (rules 2 to 5). This is the engine's hot path.

    The caller (`fold`) keeps the clock and the event count.
    """
    event_id = event.id
    if event_id is not None:
        seen = state.seen_ids
        if event_id in seen:
            state.duplicates += 1
            if state.trace is not None:
                _note(plan, state, event, (), "duplicate")
            return
        seen[event_id] = None
    at = event.at
    due = state.due
    if due is not None and due <= at:
        advance_to(plan, state, at)
    if event.traits is not EMPTY:
        _update_traits(state.traits, event.traits)
    kind = event.type
    if kind == plan.action_event:
        _record_action(plan, state, event)
    matched = plan.unconditional.get(kind)
    if matched is None:
        matcher = plan.matchers.get(kind)
        matched = () if matcher is None else matcher.match(event.attributes)
    if not matched:
        if state.trace is not None:
            _note(plan, state, event, matched, "outside" if state.stage is None else "stayed")
        return
    counts = state.counts
    for name in matched:
        counts[name] = counts.get(name, 0) + 1
    if state.stage is None:
        _place(plan, state, event, matched)
    else:
        _move(plan, state, event, matched)


class Judgement(NamedTuple):
    """What a state means as of a moment, without its path: what changes when time passes.

    The live store compares these after each write to find what changed for a customer;
    it needs no `Visit`s, counts or trace for that, which `result_of` builds.
    """

    customer: str
    as_of: datetime
    is_stalled: bool
    goals: dict[str, GoalStatus]
    friction: tuple[FrictionPoint, ...]
    next_actions: tuple[Recommendation, ...]
    suppressed: tuple[Suppression, ...]


def judge(plan: ReplayPlan, state: CustomerState, as_of: datetime) -> Judgement:
    """Judge `state` as of `as_of`; timeouts due by then must already have fired.

    Conditions of actions and consent are judged at `as_of`, so the state's `now` is set.
    """
    state.now = as_of
    if state.arms is None:
        state.arms = plan.arms_of(state.customer)
    next_actions, suppressed = next_best_actions(plan, state, as_of)
    return Judgement(
        state.customer,
        as_of,
        state.is_stalled,
        goal_statuses(plan, state, as_of),
        friction_points(plan, state, as_of),
        next_actions,
        suppressed,
    )


def result_of(plan: ReplayPlan, state: CustomerState, as_of: datetime) -> ReplayResult:
    """Describe `state` as of `as_of`; timeouts due by then must already have fired."""
    judged = judge(plan, state, as_of)
    model = plan.model
    stage_name = state.stage
    stage = model.stages[stage_name] if stage_name is not None else None
    counts = {name: state.counts[name] for name in model.touchpoints if name in state.counts}
    return ReplayResult(
        customer=state.customer,
        as_of=as_of,
        stage=stage_name,
        phase=stage.phase if stage else None,
        entered_at=state.entered_at,
        time_in_stage=state.time_in_stage,
        is_terminal=bool(stage and stage.is_terminal),
        is_stalled=judged.is_stalled,
        path=tuple(Visit(*visit) for visit in state.path),
        counts=counts,
        goals=judged.goals,
        events=state.events,
        duplicates=state.duplicates,
        friction=judged.friction,
        next_actions=judged.next_actions,
        suppressed=judged.suppressed,
        trace=None if state.trace is None else tuple(state.trace),
        arms=state.arms or EMPTY,
    )


def _place(plan: ReplayPlan, state: CustomerState, event: Event, matched: tuple[str, ...]) -> None:
    """Rule 3: an entry touchpoint places the customer, and does nothing else.

    Of the stages the matched touchpoints enter, the first in file order wins.
    """
    entries = [(plan.entry[name], name) for name in matched if name in plan.entry]
    if entries:
        (_, target), via = min(entries)
        _enter(plan, state, target, event.at, trigger="entry", via=via)
        if state.trace is not None:
            state.trace.append(TraceStep(event.at, event, matched, "entered", None, target))
        return
    if state.trace is not None:
        _note(plan, state, event, matched, "outside")


def _move(plan: ReplayPlan, state: CustomerState, event: Event, matched: tuple[str, ...]) -> None:
    """Rule 4 for a customer in a stage: count the touchpoints, fire the first transition."""
    stage_plan = plan.stages[state.stage]  # type: ignore[index]
    if stage_plan.is_terminal:
        if state.trace is not None:
            _note(plan, state, event, matched, "ended")
        return
    stage_counts = state.stage_counts
    for name in matched:
        stage_counts[name] = stage_counts.get(name, 0) + 1
    if stage_plan.idle is not None and event.type != plan.action_event:
        _record_activity(stage_plan, state, event.at)
    tried, windows, friction = stage_plan.reaction(matched)
    if windows:
        _record_in_windows(plan, state, windows, event.at)
    if not tried and not friction:
        if state.trace is not None:
            _note(plan, state, event, matched, "stayed")
        return
    state.now = event.at
    state.event_attributes = event.attributes
    if friction:
        _declare_friction(stage_plan, state, event, matched, friction)
    fired = _first_transition(stage_plan, state, event, tried)
    state.event_attributes = None
    if fired is None:
        if state.trace is not None:
            _note(plan, state, event, matched, "stayed")
        return
    if state.trace is not None:
        _note(plan, state, event, matched, "moved", fired=fired)
    via = next(name for name in fired.touchpoints if name in matched)
    _enter(plan, state, fired.target, event.at, trigger="touchpoint", via=via)


def _note(
    plan: ReplayPlan,
    state: CustomerState,
    event: Event,
    matched: tuple[str, ...],
    outcome: Outcome,
    *,
    fired: Transition | None = None,
) -> None:
    """Add a line to the trace (only called when tracing); a move keeps the traits it left with.

    A record of an action performed keeps the action it names, for its description.
    """
    assert state.trace is not None  # callers check first, to keep the hot path cheap
    stage = state.stage
    target, traits = (stage, None) if fired is None else (fired.target, dict(state.traits))
    named = event.attributes.get(plan.action_attribute) if event.type == plan.action_event else None
    action = named if isinstance(named, str) else None  # a record of an action names it
    state.trace.append(
        TraceStep(event.at, event, matched, outcome, stage, target, fired, traits, action)
    )


def _first_transition(
    stage_plan: StagePlan,
    state: CustomerState,
    event: Event,
    tried: tuple[Transition, ...],
) -> Transition | None:
    """Rule 4: of the candidates, in the order tried, the first that holds fires.

    The caller has set the state's `now` and `event_attributes` for the conditions.
    """
    for transition in tried:
        if transition.within is not None and not _window_reached(
            stage_plan, state, transition, event.at
        ):
            continue
        condition = transition.condition
        if condition is None or condition(state):
            return transition
    return None


def _declare_friction(
    stage_plan: StagePlan,
    state: CustomerState,
    event: Event,
    matched: tuple[str, ...],
    rules: tuple[FrictionRule, ...],
) -> None:
    """Section 7, `declared`: flag each of the stage's friction rules the event satisfies."""
    at = event.at
    for rule in rules:
        if rule.within is not None and not _window_reached(stage_plan, state, rule, at):
            continue
        if rule.condition is not None and not rule.condition(state):
            continue
        via = next(name for name in rule.touchpoints if name in matched)
        _flag(state, ("declared", stage_plan.stage.name, None, rule.label), via, at, rule.severity)


def _record_in_windows(
    plan: ReplayPlan, state: CustomerState, windows: tuple[int, ...], at: datetime
) -> None:
    """Add an event to the counting windows its touchpoints feed, once per window.

    An event matching two of a rule's touchpoints thus counts as one event.
    """
    for window in windows:
        times = state.windows.get(window)
        if times is None:
            times = state.windows[window] = deque()
        times.append(at)
        oldest = at - plan.window_spans[window]
        while times[0] < oldest:
            times.popleft()


def _window_reached(
    stage_plan: StagePlan,
    state: CustomerState,
    rule: Transition | FrictionRule,
    at: datetime,
) -> bool:
    """`times`/`within`: the events matching the rule in the last `within` reach `times`."""
    times = state.windows.get(stage_plan.window_of[id(rule)])
    if not times or rule.within is None or rule.times is None:
        return False
    since = at - rule.within
    held = 0
    for moment in reversed(times):
        if moment < since:
            break
        held += 1
    return held >= rule.times


def _enter(
    plan: ReplayPlan,
    state: CustomerState,
    target: str,
    at: datetime,
    *,
    trigger: Trigger,
    via: str | None,
) -> None:
    """Close the open visit with its route out and start a new one.

    Re-entering a stage restarts its clock. A move is also where section 7's timeout,
    regression and churn friction show.
    """
    target_plan = plan.stages[target]
    opened: VisitRecord = (target, at, None, trigger, via, None)
    if state.stage is not None:
        route = _flag_move(plan, state, target_plan, at, trigger=trigger, via=via)
        path = state.path
        stage, entered, _, how, through, _ = path[-1]
        path[-1] = (stage, entered, at, how, through, route)  # in place: moves stay linear
        path.append(opened)
    else:
        state.path = [opened]
    state.stage = target
    state.entered_at = at
    state.expected_duration = target_plan.stage.expected_duration
    state.active_at = at
    timeout = target_plan.timeout
    if target_plan.idle is not None:
        _record_activity(target_plan, state, at)
    else:
        state.due = None if timeout is None or timeout.after is None else at + timeout.after
    state.stage_counts = {}
    state.windows = {}
    state.visits[target] = state.visits.get(target, 0) + 1
    state.first_entered.setdefault(target, at)
    if state.joined_at is None:
        state.joined_at = at


def _flag_move(
    plan: ReplayPlan,
    state: CustomerState,
    target_plan: StagePlan,
    at: datetime,
    *,
    trigger: Trigger,
    via: str | None,
) -> Route:
    """Flag the friction a move from the current stage to `target_plan`'s shows; its route.

    A timeout, a move back to an earlier lifecycle stage (regression) and a move into a
    terminal stage that is no goal's (churn) are each friction. The route out is the first
    that applies of `timeout`, `terminal` (churn) and `back` (regression), else `onward`.
    """
    source = plan.stages[state.stage].stage  # type: ignore[index]
    target = target_plan.stage
    timed_out = trigger == "timeout"
    if timed_out:
        _flag(state, ("timeout", source.name, target.name, None), None, at, None)
    back = target.index < source.index and source.phase is not None and target.phase is not None
    if back:
        _flag(state, ("regression", source.name, target.name, None), via, at, None)
    churned = target.is_terminal and target.name not in plan.goal_stages
    if churned:
        _flag(state, ("churned", target.name, None, None), via, at, "high")
    if timed_out:
        return "timeout"
    if churned:
        return "terminal"
    return "back" if back else "onward"


def _flag(
    state: CustomerState,
    key: FrictionKey,
    touchpoint: str | None,
    at: datetime,
    severity: str | None,
) -> None:
    """Count one more occurrence of a friction point; the first sets touchpoint and severity."""
    known = state.friction.get(key)
    if known is None:
        state.friction[key] = (touchpoint, at, at, 1, severity or "medium")
    else:
        first_touchpoint, first_at, _, count, first_severity = known
        state.friction[key] = (first_touchpoint, first_at, at, count + 1, first_severity)


def _record_activity(stage_plan: StagePlan, state: CustomerState, at: datetime) -> None:
    """Section 10: activity at `at` puts off the stage's `idle` timeout; re-time `due`."""
    state.active_at = at
    found = stage_plan.next_timeout(state.entered_at, at)  # type: ignore[arg-type]
    state.due = None if found is None else found[0]


def _record_action(plan: ReplayPlan, state: CustomerState, event: Event) -> None:
    """Remember when an action was performed (cooldown, max and contact policy need it).

    An action this journey does not define counts on the channel the record names, and
    on none when it names none: caps hold across journeys (section 8).
    """
    action = event.attributes.get(plan.action_attribute)
    if isinstance(action, str) and action in plan.action_channels:
        state.performed.setdefault(action, []).append(event.at)
    elif event.channel is not None:
        state.other_actions.setdefault(event.channel, []).append(event.at)


def _update_traits(traits: dict[str, Any], changes: Mapping[str, Any]) -> None:
    """Apply an event's traits: the latest value of each trait wins; a null clears it."""
    for name, value in changes.items():
        if value is None:
            traits.pop(name, None)
        else:
            traits[name] = value

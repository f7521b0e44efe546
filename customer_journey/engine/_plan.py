"""Lookup tables the engine runs on, computed once per journey.

The model says what a journey means; the plan says how to run it fast: event type ->
touchpoints, stage -> touchpoint -> candidate transitions in the order they are tried,
each stage's first `after` and `idle` timeouts, the counting windows that `times`/`within`
rules need, and each customer's experiment arms.

The tables are plain dicts, not read-only views: the plan is private to the engine, never
changed after `build_plan`, and a dict lookup costs half a `mappingproxy` one on the
per-event path.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

import attrs

from customer_journey.model import (
    Action,
    AttributeCondition,
    Condition,
    FrictionRule,
    JourneyModel,
    SendWindow,
    Stage,
    Transition,
)

__all__ = ["Reaction", "ReplayPlan", "StagePlan", "TypeMatcher", "build_plan"]

#: The arms of every customer of a journey without experiments (never changed).
_NO_ARMS: dict[str, str] = {}


#: For one match in one stage: transitions to try, counting windows fed, friction rules hit.
Reaction = tuple[tuple[Transition, ...], tuple[int, ...], tuple[FrictionRule, ...]]


@attrs.frozen
class TypeMatcher:
    """Which touchpoints an event of one type matches, as a shared, canonical tuple.

    Each `where` sets one bit of a mask; the tuple for each mask is built once, so an
    event costs its condition calls and one dict lookup, and equal matches are the same
    tuple (the stage plans key their reactions on it).

    Attributes:
        names: the type's touchpoints in file order.
        conditions: (bit, `where`) for the touchpoints that have a condition.
        always: the mask of those that do not.
    """

    names: tuple[str, ...]
    conditions: tuple[tuple[int, AttributeCondition], ...]
    always: int
    _combos: dict[int, tuple[str, ...]] = attrs.field(factory=dict, eq=False, repr=False)

    def match(self, attributes: Mapping[str, Any]) -> tuple[str, ...]:
        """The touchpoints an event with these attributes matches, in file order."""
        mask = self.always
        for bit, where in self.conditions:
            if where(attributes):
                mask |= bit
        combo = self._combos.get(mask)
        if combo is None:
            combo = tuple(name for i, name in enumerate(self.names) if mask >> i & 1)
            self._combos[mask] = combo
        return combo


@attrs.frozen
class StagePlan:
    """How one stage runs.

    Attributes:
        stage: the model's stage.
        is_terminal: the stage is terminal (read on every event, so kept flat).
        tried: the transitions touchpoints can trigger, in the order they are tried:
            `anywhere` ones first, then the stage's own, each in file order.
        timeout: the `after` timeout that comes due first (smallest `after`, then the
            order transitions are tried in: `anywhere` first), or None.
        idle: the `idle` timeout that comes due first, likewise, or None. An `anywhere`
            timeout does not apply in its own `to` stage (section 10).
        idle_first: on a tie between the two, `idle` wins (it is tried first).
        windows: touchpoint -> ids of the counting windows the touchpoint feeds.
        window_of: transition or friction rule identity -> its counting window id.
        actions: next-best-action candidates (the stage's own and the journey-level ones
            that apply here), ranked: priority, highest first, then file order.
    """

    stage: Stage
    is_terminal: bool
    tried: tuple[Transition, ...]
    timeout: Transition | None
    idle: Transition | None
    idle_first: bool
    windows: dict[str, tuple[int, ...]]
    window_of: dict[int, int]
    actions: tuple[Action, ...]
    _reactions: dict[tuple[str, ...], Reaction] = attrs.field(factory=dict, eq=False, repr=False)

    def next_timeout(
        self, entered_at: datetime, active_at: datetime | None
    ) -> tuple[datetime, Transition] | None:
        """The timeout that comes due first in a visit, and when (rule 5, section 10).

        `after` counts from `entered_at`, `idle` from the later of `entered_at` and
        `active_at` (the last activity in the visit); the earlier wins, a tie goes to the
        one tried first.
        """
        after, idle = self.timeout, self.idle
        found: tuple[datetime, Transition] | None = None
        if after is not None and after.after is not None:
            found = (entered_at + after.after, after)
        if idle is not None and idle.idle is not None:
            since = entered_at if active_at is None or active_at < entered_at else active_at
            due = since + idle.idle
            if found is None or due < found[0] or (due == found[0] and self.idle_first):
                found = (due, idle)
        return found

    def reaction(self, matched: tuple[str, ...]) -> Reaction:
        """For an event matching `matched`: the transitions to try, and the windows it feeds.

        Computed once per distinct match (matches are canonical tuples, see `TypeMatcher`).
        """
        found = self._reactions.get(matched)
        if found is None:
            names = set(matched)
            transitions = tuple(t for t in self.tried if names.intersection(t.touchpoints))
            windows = tuple(sorted({w for name in matched for w in self.windows.get(name, ())}))
            friction = tuple(r for r in self.stage.friction if names.intersection(r.touchpoints))
            found = self._reactions[matched] = (transitions, windows, friction)
        return found


@attrs.frozen
class ReplayPlan:
    """Every table the engine needs, for one journey.

    Attributes:
        model: the compiled journey.
        unconditional: event type -> its touchpoints, for types none of whose touchpoints
            has a `where` (the common case needs no condition call).
        matchers: event type -> its matcher, for the other types.
        entry: touchpoint -> (stage index, stage) of the first stage in file order that it
            places a new customer in.
        action_event: the event type of actions performed.
        action_attribute: the attribute naming the action performed.
        stages: stage name -> its plan.
        window_spans: window id -> the longest `within` it is asked about (for trimming).
        action_channels: action id -> its channel (contact policies count by channel).
        goal_stages: the stages some goal names (reaching another terminal one is churn).
        if_texts: action id -> its `if` as written, for the actions that have one.
        consent_texts: channel -> its consent condition as written.
        forced_arms: experiment -> arm, forcing those arms for every customer (scenario
            files' `assign`); empty in ordinary replay.
        holdouts: (experiment, holdout arm) of each experiment that has one.
        consent: channel -> its compiled consent condition (the model's, as a dict).
        send_windows: channel -> its send window (the model's, as a dict).

    The texts are read once here, so that saying why an action is held back costs no
    rendering per customer.
    """

    model: JourneyModel
    unconditional: dict[str, tuple[str, ...]]
    matchers: dict[str, TypeMatcher]
    entry: dict[str, tuple[int, str]]
    action_event: str
    action_attribute: str
    stages: dict[str, StagePlan]
    window_spans: dict[int, timedelta]
    action_channels: dict[str, str]
    goal_stages: frozenset[str]
    if_texts: dict[str, str]
    consent_texts: dict[str, str]
    forced_arms: dict[str, str] = attrs.field(factory=dict)
    holdouts: tuple[tuple[str, str], ...] = ()
    consent: dict[str, Condition] = attrs.field(factory=dict)
    send_windows: dict[str, SendWindow] = attrs.field(factory=dict)

    def arms_of(self, customer: str) -> dict[str, str]:
        """Experiment -> the customer's arm, in the journey's experiment order.

        A pure function of the customer id (section 10), except for the forced arms.
        """
        experiments = self.model.experiments
        if not experiments:
            return _NO_ARMS
        forced = self.forced_arms
        return {
            name: forced[name] if name in forced else experiment.arm_of(customer)
            for name, experiment in experiments.items()
        }

    def with_arms(self, assign: Mapping[str, str]) -> ReplayPlan:
        """This plan with the arms of `assign` (experiment -> arm) forced for every customer."""
        return attrs.evolve(self, forced_arms={**self.forced_arms, **assign})


def build_plan(model: JourneyModel) -> ReplayPlan:
    """Compute the engine's tables for `model`."""
    by_type: dict[str, list[tuple[str, AttributeCondition | None]]] = {}
    for touchpoint in model.touchpoints.values():
        by_type.setdefault(touchpoint.event, []).append((touchpoint.name, touchpoint.where))
    unconditional: dict[str, tuple[str, ...]] = {}
    matchers: dict[str, TypeMatcher] = {}
    for kind, found in by_type.items():
        names = tuple(name for name, _ in found)
        conditions = tuple((1 << i, where) for i, (_, where) in enumerate(found) if where)
        if conditions:
            always = sum(1 << i for i, (_, where) in enumerate(found) if where is None)
            matchers[kind] = TypeMatcher(names, conditions, always)
        else:
            unconditional[kind] = names

    entry: dict[str, tuple[int, str]] = {}
    for stage in model.stages.values():
        for name in stage.entry:
            entry.setdefault(name, (stage.index, stage.name))

    window_of: dict[int, int] = {}
    window_spans: dict[int, timedelta] = {}
    stages = {
        stage.name: _plan_stage(model, stage, window_of, window_spans)
        for stage in model.stages.values()
    }
    actions = [*model.actions, *(a for stage in model.stages.values() for a in stage.actions)]
    consent_texts = model.consent_text
    return ReplayPlan(
        model=model,
        unconditional=unconditional,
        matchers=matchers,
        entry=entry,
        action_event=model.events.action_event,
        action_attribute=model.events.action_attribute,
        stages=stages,
        window_spans=window_spans,
        action_channels={action.id: action.channel for action in actions},
        goal_stages=frozenset(goal.stage for goal in model.goals.values()),
        if_texts={a.id: a.condition_text for a in actions if a.condition_text is not None},
        consent_texts={channel: consent_texts.get(channel, "") for channel in model.consent},
        holdouts=tuple(
            (name, experiment.holdout)
            for name, experiment in model.experiments.items()
            if experiment.holdout is not None
        ),
        consent=dict(model.consent),
        send_windows=dict(model.send_windows),
    )


def _plan_stage(
    model: JourneyModel,
    stage: Stage,
    window_of: dict[int, int],
    window_spans: dict[int, timedelta],
) -> StagePlan:
    """Tables for one stage; counting windows are numbered across the whole journey."""
    tried = model.applying(stage)
    windows: dict[str, list[int]] = {}
    own_windows: dict[int, int] = {}
    rules: list[Transition | FrictionRule] = [*tried, *stage.friction]
    for rule in rules:
        within = rule.within
        if within is None:
            continue
        window = own_windows[id(rule)] = window_of.setdefault(id(rule), len(window_of))
        window_spans[window] = max(within, window_spans.get(window, within))
        for name in rule.touchpoints:
            windows.setdefault(name, []).append(window)

    # Of the timeouts of each kind (`anywhere` ones included), the shortest comes due
    # first; ties go to the one tried first, `anywhere` before the stage's own.
    afters = [(t.after, rank, t) for rank, t in enumerate(tried) if t.after is not None]
    idles = [(t.idle, rank, t) for rank, t in enumerate(tried) if t.idle is not None]
    after = min(afters, key=lambda found: found[:2]) if afters else None
    idle = min(idles, key=lambda found: found[:2]) if idles else None
    candidates = [] if stage.is_terminal else [*stage.actions]
    if not stage.is_terminal:
        candidates += [a for a in model.actions if stage.name in a.stages]
    return StagePlan(
        stage=stage,
        is_terminal=stage.is_terminal,
        tried=tuple(t for t in tried if not t.is_timeout),
        timeout=None if after is None else after[2],
        idle=None if idle is None else idle[2],
        idle_first=after is None or (idle is not None and idle[1] < after[1]),
        windows={k: tuple(v) for k, v in windows.items()},
        window_of=own_windows,
        actions=tuple(sorted(candidates, key=lambda a: (-a.priority, a.order))),
    )

"""Lookup tables the engine runs on, computed once per journey.

The model says what a journey means; the plan says how to run it fast: event type ->
touchpoints, stage -> touchpoint -> candidate transitions in the order they are tried,
each stage's earliest timeout, and the counting windows that `times`/`within` rules need.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from types import MappingProxyType

import attrs

from customer_journey.model import (
    AttributeCondition,
    FrictionRule,
    JourneyModel,
    Stage,
    Transition,
)

__all__ = ["ReplayPlan", "StagePlan", "build_plan"]


@attrs.frozen
class StagePlan:
    """How one stage runs.

    Attributes:
        stage: the model's stage.
        candidates: touchpoint -> the transitions it can trigger, `anywhere` ones first,
            then the stage's own, each list in file order.
        order: transition -> its rank in that combined order, to merge candidate lists
            when an event matches several touchpoints.
        timeout: the timeout that comes due first (smallest `after`, then the order
            transitions are tried in: `anywhere` first, then file order).
        windows: touchpoint -> ids of the counting windows the touchpoint feeds.
        window_of: transition or friction rule identity -> its counting window id.
    """

    stage: Stage
    candidates: Mapping[str, tuple[Transition, ...]]
    order: Mapping[int, int]
    timeout: Transition | None
    windows: Mapping[str, tuple[int, ...]]
    window_of: Mapping[int, int]


@attrs.frozen
class ReplayPlan:
    """Every table the engine needs, for one journey.

    Attributes:
        model: the compiled journey.
        matchers: event type -> (touchpoint name, `where` condition or None), file order.
        unconditional: event type -> its touchpoints, for types none of whose touchpoints
            has a `where` (the common case needs no condition call).
        entry: touchpoint -> (stage index, stage) of the first stage in file order that it
            places a new customer in.
        action_event: the event type of actions performed.
        action_attribute: the attribute naming the action performed.
        stages: stage name -> its plan.
        window_spans: window id -> the longest `within` it is asked about (for trimming).
    """

    model: JourneyModel
    matchers: Mapping[str, tuple[tuple[str, AttributeCondition | None], ...]]
    unconditional: Mapping[str, tuple[str, ...]]
    entry: Mapping[str, tuple[int, str]]
    action_event: str
    action_attribute: str
    stages: Mapping[str, StagePlan]
    window_spans: Mapping[int, timedelta]


def build_plan(model: JourneyModel) -> ReplayPlan:
    """Compute the engine's tables for `model`."""
    matchers: dict[str, list[tuple[str, AttributeCondition | None]]] = {}
    for touchpoint in model.touchpoints.values():
        matchers.setdefault(touchpoint.event, []).append((touchpoint.name, touchpoint.where))

    unconditional = {
        kind: tuple(name for name, _ in found)
        for kind, found in matchers.items()
        if all(where is None for _, where in found)
    }
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
    return ReplayPlan(
        model=model,
        matchers=MappingProxyType({k: tuple(v) for k, v in matchers.items()}),
        unconditional=MappingProxyType(unconditional),
        entry=MappingProxyType(entry),
        action_event=model.events.action_event,
        action_attribute=model.events.action_attribute,
        stages=MappingProxyType(stages),
        window_spans=MappingProxyType(window_spans),
    )


def _plan_stage(
    model: JourneyModel,
    stage: Stage,
    window_of: dict[int, int],
    window_spans: dict[int, timedelta],
) -> StagePlan:
    """Tables for one stage; counting windows are numbered across the whole journey."""
    tried = [] if stage.is_terminal else [*model.anywhere, *stage.transitions]
    candidates: dict[str, list[Transition]] = {}
    for transition in tried:
        for name in transition.touchpoints:
            candidates.setdefault(name, []).append(transition)

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

    # Of the timeouts (`anywhere` ones included), the shortest comes due first; ties go
    # to the one tried first, `anywhere` before the stage's own, as for touchpoints.
    rank = {id(t): position for position, t in enumerate(tried)}
    timeouts = [t for t in tried if t.after is not None]
    timeout = min(timeouts, key=lambda t: (t.after, rank[id(t)])) if timeouts else None
    return StagePlan(
        stage=stage,
        candidates=MappingProxyType({k: tuple(v) for k, v in candidates.items()}),
        order=MappingProxyType(rank),
        timeout=timeout,
        windows=MappingProxyType({k: tuple(v) for k, v in windows.items()}),
        window_of=MappingProxyType(own_windows),
    )

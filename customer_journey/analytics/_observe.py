"""One customer, replayed with a trace and read back as the facts analytics counts.

For every visit this says how it ended (its route out) and what happened during it (its
features: touchpoints, channels, event types, attribute values, actions performed, and the
customer's traits when it ended). Everything here is per customer and short-lived: the
tallies keep only counts.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any, Literal, NamedTuple

from customer_journey.engine import CustomerState, ReplayPlan, ReplayResult, Visit, result_of
from customer_journey.engine._replay import advance_to, fold, update_traits
from customer_journey.model import EMPTY, Event, JourneyModel

__all__ = [
    "ROUTES",
    "Feature",
    "Observation",
    "Route",
    "VisitFacts",
    "channels_of",
    "describe_feature",
    "observe",
    "value_text",
]

#: How a visit ended: moved on by a touchpoint, sent back to an earlier stage, timed out,
#: or moved into a terminal stage that is no goal's.
Route = Literal["onward", "back", "timeout", "terminal"]
ROUTES: tuple[Route, ...] = ("onward", "back", "timeout", "terminal")

#: Something seen during a visit, as (kind, value): ("touchpoint", "pricing_view"),
#: ("channel", "email"), ("event", "app.crashed"), ("action", "cart_reminder"),
#: ("event.page", "/delivery"), ("customer.segment", "vip").
Feature = tuple[str, str]

#: Attribute and trait values longer than this are identifiers or free text, not factors.
_LONGEST_VALUE = 64


class VisitFacts(NamedTuple):
    """A visit and how it ended.

    Attributes:
        stage: the stage visited.
        entered_at, left_at: when it began and ended (None while it goes on).
        route: how it ended, None while it goes on.
        target: the stage entered next, None while it goes on.
        via: the touchpoint that moved the customer on (None for timeouts).
        features: what was seen during the visit, the events that moved the customer in
            and out excepted; traits as they were when the visit ended (or at `as_of`).
    """

    stage: str
    entered_at: datetime
    left_at: datetime | None
    route: Route | None
    target: str | None
    via: str | None
    features: frozenset[Feature]


class Observation(NamedTuple):
    """What analytics needs of one customer in the journey as of `as_of`.

    Attributes:
        result: the customer's replay result (position, path, goals, friction, actions).
        visits: each visit of the path, with its route out and its features.
        traits: the customer's traits as of `as_of`.
    """

    result: ReplayResult
    visits: tuple[VisitFacts, ...]
    traits: Mapping[str, Any]


def channels_of(model: JourneyModel) -> dict[str, str]:
    """Touchpoint -> its channel: built once per analysis, read for every event."""
    return {name: touchpoint.channel for name, touchpoint in model.touchpoints.items()}


def observe(
    plan: ReplayPlan,
    customer: str,
    events: list[Event],
    as_of: datetime,
    channels: Mapping[str, str],
) -> Observation | None:
    """Replay one customer's events (in time order, none after `as_of`) and read the facts.

    `channels` is `channels_of(plan.model)`. Returns None for a customer whom no entry
    touchpoint placed in the journey.
    """
    state = CustomerState(customer, trace=True)
    fold(plan, state, events)
    advance_to(plan, state, as_of)
    if state.stage is None:
        return None
    result = result_of(plan, state, as_of)
    features = _visit_features(plan, result, channels)
    model = plan.model
    visits = []
    path = result.path
    for number, visit in enumerate(path):
        left = path[number + 1] if number + 1 < len(path) else None
        route = None if left is None else _route(model, plan.goal_stages, visit.stage, left)
        visits.append(
            VisitFacts(
                visit.stage,
                visit.entered_at,
                visit.left_at,
                route,
                None if left is None else left.stage,
                None if left is None else left.touchpoint,
                frozenset(features[number]),
            )
        )
    return Observation(result, tuple(visits), state.traits)


def _route(model: JourneyModel, goal_stages: frozenset[str], source: str, left: Visit) -> Route:
    """The route out of `source` that the next visit `left` shows (in this order of rules)."""
    if left.trigger == "timeout":
        return "timeout"
    target = model.stages[left.stage]
    if target.is_terminal and target.name not in goal_stages:
        return "terminal"
    origin = model.stages[source]
    if target.index < origin.index and origin.phase is not None and target.phase is not None:
        return "back"
    return "onward"


def _visit_features(
    plan: ReplayPlan, result: ReplayResult, channels: Mapping[str, str]
) -> list[set[Feature]]:
    """Walk the trace: one feature set per visit, in path order."""
    assert result.trace is not None  # observe replays with a trace
    traits: dict[str, Any] = {}
    sets: list[set[Feature]] = []
    for step in result.trace:
        event = step.event
        outcome = step.outcome
        if outcome == "duplicate":
            continue
        if event is not None and event.traits is not EMPTY:
            update_traits(traits, event.traits)
        if outcome in ("moved", "timeout"):
            _add_traits(sets[-1], traits)
        if outcome in ("entered", "moved", "timeout"):
            sets.append(set())
        elif outcome in ("stayed", "ended") and event is not None:
            _add_event(sets[-1], plan, event, step.touchpoints, channels)
    _add_traits(sets[-1], traits)
    return sets


def _add_event(
    features: set[Feature],
    plan: ReplayPlan,
    event: Event,
    touchpoints: Iterable[str],
    channels: Mapping[str, str],
) -> None:
    """An event that did not move the customer: its touchpoints, type and values."""
    for name in touchpoints:
        features.add(("touchpoint", name))
        features.add(("channel", channels[name]))
    features.add(("event", event.type))
    if event.type == plan.action_event:
        action = event.attributes.get(plan.action_attribute)
        if isinstance(action, str):
            features.add(("action", action))
    for name, value in event.attributes.items():
        text = value_text(value)
        if text is not None:
            features.add((f"event.{name}", text))


def _add_traits(features: set[Feature], traits: Mapping[str, Any]) -> None:
    for name, value in traits.items():
        text = value_text(value)
        if text is not None:
            features.add((f"customer.{name}", text))


def value_text(value: object) -> str | None:
    """A value as it is written in a journey file (`true`, `42`, `vip`); None if unusable."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str) and len(value) <= _LONGEST_VALUE:
        return value
    return None


def describe_feature(feature: Feature) -> str:
    """A feature in a marketer's words: `touchpoint 'pricing_view'`, `customer.segment = vip`."""
    kind, value = feature
    if "." in kind:
        return f"{kind} = {value}"
    return f"{kind} '{value}'"

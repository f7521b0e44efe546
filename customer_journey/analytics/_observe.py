"""One customer's replay result, read as the facts analytics counts.

For every visit this says how it ended (the route the engine recorded) and what happened
during it (its features: touchpoints, channels, event types, attribute values, actions
performed, and the customer's traits when it ended), read from the trace. Nothing is
decided again here: the engine judged the routes, and its trace holds the traits each
visit ended with. Everything here is per customer and short-lived: the tallies keep only
counts.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any, NamedTuple

from customer_journey._facts import Route
from customer_journey.engine import ReplayPlan, ReplayResult
from customer_journey.model import Event, JourneyModel

__all__ = [
    "Feature",
    "Observation",
    "VisitFacts",
    "channels_of",
    "describe_feature",
    "observe",
    "value_text",
]

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
    result: ReplayResult,
    traits: Mapping[str, Any],
    channels: Mapping[str, str],
) -> Observation:
    """Read the facts of a traced result of a customer in the journey, with their traits.

    `channels` is `channels_of(plan.model)`; `traits` are the customer's as of `as_of`.
    """
    features = _visit_features(plan, result, traits, channels)
    path = result.path
    visits = []
    for number, visit in enumerate(path):
        left = path[number + 1] if number + 1 < len(path) else None
        visits.append(
            VisitFacts(
                visit.stage,
                visit.entered_at,
                visit.left_at,
                visit.route,
                None if left is None else left.stage,
                None if left is None else left.touchpoint,
                frozenset(features[number]),
            )
        )
    return Observation(result, tuple(visits), traits)


def _visit_features(
    plan: ReplayPlan,
    result: ReplayResult,
    traits: Mapping[str, Any],
    channels: Mapping[str, str],
) -> list[set[Feature]]:
    """Walk the trace: one feature set per visit, in path order."""
    assert result.trace is not None  # analytics replays with a trace
    sets: list[set[Feature]] = []
    for step in result.trace:
        outcome = step.outcome
        if outcome in ("moved", "timeout"):
            assert step.traits is not None  # a step that ends a visit keeps its traits
            _add_traits(sets[-1], step.traits)
            sets.append(set())
        elif outcome == "entered":
            sets.append(set())
        elif outcome in ("stayed", "ended") and step.event is not None:
            _add_event(sets[-1], plan, step.event, step.touchpoints, channels)
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

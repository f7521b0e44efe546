"""Hypothesis strategies that make records for a given journey: events, histories, populations.

Everything is derived from the compiled journey: event types come from its touchpoints
(plus a few types it does not know), attribute values from the constants in each
touchpoint's `where` (values on both sides of every comparison, judged by the compiled
condition itself, so an example is labelled satisfying only if the engine would match it),
trait values from the `customer.*` paths of its `if` and consent conditions, and the time
grid from its durations, so that timeouts fall exactly on event times. Records are plain
mappings laid out with the journey's own field mapping (`journey.model.events`).

All randomness is hypothesis's: the strategies shrink, replay and are deterministic under
`derandomize`. This module imports hypothesis, a test extra; `customer_journey.testing`
does not import it.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import datetime, timedelta, timezone
from typing import Any, Literal, NamedTuple

from hypothesis import strategies as st

from customer_journey.journey import Journey
from customer_journey.model import (
    MISSING,
    ConditionTree,
    FrictionRule,
    PathTest,
    Touchpoint,
    Transition,
    path_tests,
)
from customer_journey.testing._path_values import nest

__all__ = [
    "START",
    "UNKNOWN_TYPES",
    "AttributeExamples",
    "attribute_examples",
    "events",
    "histories",
    "moments",
    "populations",
]

#: Where generated time starts unless told otherwise.
START = datetime(2026, 1, 1, tzinfo=timezone.utc)
#: Event types no journey is expected to know, mixed in as noise.
UNKNOWN_TYPES = ("noise.happened", "unknown.event")

Where = Literal["any", "satisfied", "violated"]

_MAX_ASSIGNMENTS = 2048  # attribute combinations tried per event type
_MAX_EXAMPLES = 64  # satisfying (or violating) examples kept per touchpoint
_DEFAULT_WINDOW = timedelta(days=30)
# Strategies built once: building one inside a draw costs more than the draw itself.
_COIN = st.booleans()
_PLACING = st.sampled_from(("grid", "tie", "boundary"))
_NUDGE = st.sampled_from((0, -1, 1)).map(lambda n: timedelta(seconds=n))
_INDEXES = [st.integers(min_value=0, max_value=n - 1) for n in range(1, 65)]


def _pick(draw: st.DrawFn, size: int) -> int:
    """Draw an index below `size` (> 0), shrinking towards 0."""
    strategy = _INDEXES[size - 1] if size <= len(_INDEXES) else st.integers(0, size - 1)
    return draw(strategy)


class AttributeExamples(NamedTuple):
    """Attribute mappings for one touchpoint, each judged by its compiled `where`.

    Attributes:
        satisfying: attributes the touchpoint matches, simplest first.
        violating: attributes it does not match (empty when it has no `where`).
    """

    satisfying: tuple[Mapping[str, Any], ...]
    violating: tuple[Mapping[str, Any], ...]


def attribute_examples(journey: Journey, touchpoint: str) -> AttributeExamples:
    """Return attributes that satisfy and that violate a touchpoint's `where`.

    Candidate values come from the constants of every `where` (and `event.*` path of
    transition and friction conditions) on the touchpoint's event type; combinations are
    tried in order and each is judged by the compiled condition.

    Raises:
        KeyError: the journey has no such touchpoint.
    """
    point = journey.model.touchpoints[touchpoint]
    return _examples_by_touchpoint(journey, point.event)[touchpoint]


def moments(
    journey: Journey, *, start: datetime = START, window: timedelta | None = None
) -> st.SearchStrategy[datetime]:
    """Instants on a grid from `start` over `window`, the grid step dividing every duration.

    The default window is twice the journey's longest duration (timeouts, windows, goals,
    cooldowns), so that every timeout can fire; the grid step is the largest that divides
    all of them, so timeouts land exactly on instants events can have.
    """
    span, step = _time_grid(journey, window)
    return st.integers(min_value=0, max_value=span // step).map(lambda n: start + n * step)


def events(
    journey: Journey,
    *,
    customer: str | st.SearchStrategy[str] = "c1",
    at: st.SearchStrategy[datetime] | None = None,
    where: Where = "any",
    unknown: bool = True,
    actions: bool = True,
    ids: Sequence[str] = ("e1", "e2", "e3"),
    traits: bool = True,
) -> st.SearchStrategy[dict[str, Any]]:
    """One record for `journey`: a touchpoint's event, an unknown type, or an action performed.

    Args:
        journey: the journey the records are for.
        customer: the customer id, or a strategy of ids.
        at: instants to draw from (default: `moments(journey)`).
        where: for touchpoints with a `where`: `any` (both sides), `satisfied` or
            `violated` (then only touchpoints with a `where` are drawn, with unknown types
            and actions if asked). Touchpoints without a `where` are unaffected.
        unknown: also draw event types the journey does not know.
        actions: also draw `action.performed` records for the journey's actions.
        ids: event ids to draw from (or none); few ids make repeated ids likely.
        traits: also draw customer traits for the `customer.*` paths of its conditions.
    """
    fields = journey.model.events
    customers = st.just(customer) if isinstance(customer, str) else customer
    times = moments(journey) if at is None else at
    kinds = _kinds(journey, where=where, unknown=unknown, actions=actions)
    if not kinds:
        msg = f"journey '{journey.name}' has no touchpoint with a 'where' to violate"
        raise ValueError(msg)
    trait_values = _trait_strategy(journey) if traits else st.none()
    event_ids = st.none() | st.sampled_from(tuple(ids)) if ids else st.none()

    kind_and_attributes = st.one_of(*kinds)

    @st.composite
    def record(draw: st.DrawFn) -> dict[str, Any]:
        kind, attributes = draw(kind_and_attributes)
        item: dict[str, Any] = {
            fields.customer: draw(customers),
            fields.type: kind,
            fields.time: draw(times).isoformat(),
            **attributes,
        }
        event_id = draw(event_ids)
        if event_id is not None:
            item[fields.id] = event_id
        drawn_traits = draw(trait_values)
        if drawn_traits:
            item[fields.traits] = drawn_traits
        return item

    return record()


def histories(
    journey: Journey,
    *,
    customer: str = "c1",
    min_size: int = 0,
    max_size: int = 12,
    where: Where = "any",
    start: datetime = START,
    window: timedelta | None = None,
    duplicates: bool = True,
    walks: bool = True,
    **options: Any,
) -> st.SearchStrategy[list[dict[str, Any]]]:
    """One customer's records, in no particular order.

    Times are drawn so that ties, exact timeout boundaries and out-of-order input are
    common: each record is at a grid instant, at the same instant as an earlier record,
    or one of the journey's durations after an earlier record (exactly, or a second
    before or after). With `walks`, a history may begin with a walk through the journey's
    graph (an entry touchpoint, then touchpoints and timeouts of the transitions out of
    each stage reached), so that deep stages are reached, not only the first ones. With
    `duplicates`, some records are copied whole (same id: the engine must ignore the
    copy). Other `options` go to `events`.
    """
    span, step = _time_grid(journey, window)
    grid = st.integers(min_value=0, max_value=span // step).map(lambda n: start + n * step)
    offsets = _durations(journey) or (step,)
    one = events(journey, customer=customer, at=st.just(start), where=where, **options)
    many = st.lists(one, min_size=min_size, max_size=max_size)
    offset = st.sampled_from(offsets)
    time_key = journey.model.events.time
    walk = _walks(journey, customer=customer, grid=grid, step=step, max_size=max_size)

    @st.composite
    def history(draw: st.DrawFn) -> list[dict[str, Any]]:
        records = draw(many)
        placed: list[datetime] = []
        walked = draw(walk) if walks and draw(_COIN) else []
        for item in records:
            how = draw(_PLACING) if placed else "grid"
            if how == "grid":
                moment = draw(grid)
            else:
                moment = placed[_pick(draw, len(placed))]
                if how == "boundary":
                    moment += draw(offset) + draw(_NUDGE)
            placed.append(moment)
            item[time_key] = moment.isoformat()
        records[:0] = walked
        if duplicates and records:
            copies = draw(st.lists(st.integers(0, len(records) - 1), max_size=3))
            records += [dict(records[index]) for index in copies]
        return records

    return history()


def populations(
    journey: Journey,
    *,
    customers: Sequence[str] = ("a", "b", "c"),
    max_size: int = 8,
    **options: Any,
) -> st.SearchStrategy[list[dict[str, Any]]]:
    """Many customers' records, interleaved; each customer's own records keep their order.

    Keeping each customer's order keeps the input order of their ties, which the engine
    honours; the interleaving is free. Other `options` go to `histories`.
    """
    if not customers:
        msg = "populations needs at least one customer id"
        raise ValueError(msg)
    each = [histories(journey, customer=name, max_size=max_size, **options) for name in customers]

    @st.composite
    def population(draw: st.DrawFn) -> list[dict[str, Any]]:
        own = [draw(strategy) for strategy in each]
        owners = [number for number, records in enumerate(own) for _ in records]
        order = draw(st.permutations(owners))
        queues = [iter(records) for records in own]
        return [next(queues[number]) for number in order]

    return population()


def _walks(
    journey: Journey,
    *,
    customer: str,
    grid: st.SearchStrategy[datetime],
    step: timedelta,
    max_size: int,
) -> st.SearchStrategy[list[dict[str, Any]]]:
    """Records that follow the journey's graph, in time order, ignoring `if` conditions."""
    model = journey.model
    fields = model.events
    entries = [(stage.name, name) for stage in model.stages.values() for name in stage.entry]
    matching = {
        name: _examples_by_touchpoint(journey, point.event)[name].satisfying
        for name, point in model.touchpoints.items()
    }

    attributes = {name: st.sampled_from(found) for name, found in matching.items() if found}
    steps = st.integers(min_value=0, max_value=max_size)
    gaps = st.sampled_from((timedelta(0), step))

    @st.composite
    def walk(draw: st.DrawFn) -> list[dict[str, Any]]:
        usable = [(stage, name) for stage, name in entries if matching[name]]
        if not usable:
            return []
        stage, name = usable[_pick(draw, len(usable))]
        moment = draw(grid)
        moves: list[tuple[str | None, timedelta]] = [(name, timedelta(0))]
        for _ in range(draw(steps)):
            ways = model.applying(model.stages[stage])
            ways = tuple(t for t in ways if t.is_timeout or any(matching[n] for n in t.touchpoints))
            if not ways:
                break
            way = ways[_pick(draw, len(ways))]
            stage = way.target
            wait = way.wait  # the last record was activity, so an `idle` counts from it too
            if wait is not None:
                moves.append((None, wait))
                continue
            names = [n for n in way.touchpoints if matching[n]]
            name = names[_pick(draw, len(names))]
            gap = draw(gaps)
            moves += [(name, gap)] * (way.times or 1)
        out: list[dict[str, Any]] = []
        for name_or_wait, gap in moves:
            moment += gap
            if name_or_wait is None:
                continue
            point = model.touchpoints[name_or_wait]
            item = {fields.customer: customer, fields.type: point.event}
            item[fields.time] = moment.isoformat()
            out.append({**item, **draw(attributes[name_or_wait])})
        return out

    return walk()


# Attribute examples.


def _examples_by_touchpoint(journey: Journey, event_type: str) -> dict[str, AttributeExamples]:
    """Judge attribute combinations against every touchpoint on one event type."""
    points = [p for p in journey.model.touchpoints.values() if p.event == event_type]
    assignments = list(_assignments(journey, points))
    found: dict[str, AttributeExamples] = {}
    for point in points:
        if point.where is None:
            found[point.name] = AttributeExamples(({},), ())
            continue
        test = point.where
        satisfying = tuple(a for a in assignments if test(a))[:_MAX_EXAMPLES]
        violating = tuple(a for a in assignments if not test(a))[:_MAX_EXAMPLES]
        found[point.name] = AttributeExamples(satisfying, violating)
    return found


def _assignments(journey: Journey, points: Sequence[Touchpoint]) -> Iterator[dict[str, Any]]:
    """Attribute mappings over every path the conditions on these touchpoints read."""
    pools: dict[str, list[Any]] = {}
    names = {point.name for point in points}
    sources: list[tuple[ConditionTree | None, str]] = [(point.where_tree, "") for point in points]
    sources += [
        (rule.condition_tree, "event.")
        for rule in _rules(journey)
        if names.intersection(rule.touchpoints)
    ]
    reserved = _reserved(journey)
    for tree, prefix in sources:
        for test in _tests(tree):
            if not test.path.startswith(prefix):
                continue
            attribute = test.path.removeprefix(prefix)
            if attribute.partition(".")[0] not in reserved:
                _extend(pools.setdefault(attribute, [MISSING]), test.op.samples(test.operand))
    paths = list(pools)
    combos = itertools.product(*(pools[path] for path in paths))
    for values in itertools.islice(combos, _MAX_ASSIGNMENTS):
        yield nest(dict(zip(paths, values, strict=True)))


def _rules(journey: Journey) -> Iterator[Transition | FrictionRule]:
    """Every transition and friction rule, which may read `event.*` paths."""
    model = journey.model
    yield from model.anywhere
    for stage in model.stages.values():
        yield from stage.transitions
        yield from stage.friction


def _reserved(journey: Journey) -> set[str]:
    """Record fields that are not attributes."""
    fields = journey.model.events
    return {fields.customer, fields.type, fields.time, fields.id, fields.channel, fields.traits}


def _tests(tree: ConditionTree | None) -> Iterator[PathTest]:
    return iter(()) if tree is None else path_tests(tree)


def _extend(pool: list[Any], values: Iterable[Any]) -> None:
    """Add values not yet in the pool (same value and same type)."""
    for value in values:
        if not any(type(old) is type(value) and old == value for old in pool):
            pool.append(value)


# Traits and kinds.


def _trait_strategy(journey: Journey) -> st.SearchStrategy[dict[str, Any] | None]:
    """Traits for every `customer.*` path the journey's conditions read."""
    pools: dict[str, list[Any]] = {}
    for tree in journey.model.if_conditions():
        for test in path_tests(tree):
            if test.path.startswith("customer."):
                name = test.path.removeprefix("customer.")
                _extend(pools.setdefault(name, []), test.op.samples(test.operand))
    if not pools:
        return st.none()
    optional = {name: st.sampled_from(values) for name, values in pools.items()}
    return st.none() | st.fixed_dictionaries({}, optional=optional)


def _kinds(
    journey: Journey, *, where: Where, unknown: bool, actions: bool
) -> list[st.SearchStrategy[tuple[str, Mapping[str, Any]]]]:
    """Strategies of `(event type, attributes)`, one per touchpoint, unknown type or action."""
    model = journey.model
    kinds: list[st.SearchStrategy[tuple[str, Mapping[str, Any]]]] = []
    judged: dict[str, dict[str, AttributeExamples]] = {}
    for point in model.touchpoints.values():
        if point.event not in judged:
            judged[point.event] = _examples_by_touchpoint(journey, point.event)
        examples = judged[point.event][point.name]
        if point.where is None:
            chosen: Sequence[Mapping[str, Any]] = () if where == "violated" else ({},)
        elif where == "any":
            chosen = examples.satisfying + examples.violating
        else:
            chosen = examples.satisfying if where == "satisfied" else examples.violating
        if chosen:
            kinds.append(st.tuples(st.just(point.event), st.sampled_from(chosen)))
    if unknown:
        kinds.append(st.tuples(st.sampled_from(UNKNOWN_TYPES), st.just({})))
    ids = [a.id for stage in model.stages.values() for a in stage.actions]
    ids += [action.id for action in model.actions if action.id not in ids]
    if actions and ids:
        fields = model.events
        performed = st.sampled_from(ids).map(lambda name: {fields.action_attribute: name})
        kinds.append(st.tuples(st.just(fields.action_event), performed))
    return kinds


# Time.


def _durations(journey: Journey) -> tuple[timedelta, ...]:
    """Every positive duration the journey declares, in first-seen order."""
    model = journey.model
    found: list[timedelta | None] = []
    for stage in model.stages.values():
        found.append(stage.expected_duration)
        for transition in stage.transitions:
            found += [transition.wait, transition.within]
        found += [rule.within for rule in stage.friction]
        found += [action.cooldown for action in stage.actions]
    found += [wait for t in model.anywhere for wait in (t.wait, t.within)]
    found += [goal.within for goal in model.goals.values()]
    found += [action.cooldown for action in model.actions]
    found += [policy.per for policy in model.contact_policy.values()]
    return tuple(dict.fromkeys(d for d in found if d is not None and d > timedelta(0)))


def _time_grid(journey: Journey, window: timedelta | None) -> tuple[timedelta, timedelta]:
    """The window (default: twice the longest duration) and a step dividing every duration."""
    durations = _durations(journey)
    seconds = [int(d.total_seconds()) for d in durations if d.total_seconds() >= 1]
    step = timedelta(seconds=math.gcd(*seconds)) if seconds else timedelta(days=1)
    if window is None:
        window = 2 * max(durations) if durations else _DEFAULT_WINDOW
    return window, step

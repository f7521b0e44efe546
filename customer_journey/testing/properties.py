"""Ready-made property checks a user runs on their own journey, alone or under hypothesis.

Each `check_*` function takes a journey and records and raises `AssertionError` with the
difference when the property does not hold; it runs whatever `Journey` it is given, so a
subclass with a different engine behind it can be checked too. `verify_journey` runs them
all (and the invariants declared by the user) on populations drawn by
`customer_journey.testing.strategies`, and reports the smallest counter-example found.

Like `strategies`, this module imports hypothesis, a test extra.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

import attrs
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from customer_journey._suggest import did_you_mean
from customer_journey._timestamps import format_timestamp, parse_timestamp
from customer_journey.engine import ReplayResult
from customer_journey.journey import Journey
from customer_journey.model import Event
from customer_journey.testing.strategies import moments, populations

__all__ = [
    "PROPERTIES",
    "Invariant",
    "check_as_of_consistency",
    "check_batch_equals_incremental",
    "check_idempotence",
    "check_invariant",
    "check_order_independence",
    "never_in",
    "never_moves",
    "verify_journey",
]

Record = Mapping[str, Any] | Event
Predicate = Callable[[ReplayResult], bool]


@attrs.frozen
class Invariant:
    """A statement that must hold for every customer's replay result.

    Attributes:
        description: what must hold, in the marketer's words (used in failure reports).
        predicate: True when a result satisfies it.
        stages: the stages it names, checked against the journey so a typo cannot make
            it hold trivially.
    """

    description: str
    predicate: Predicate
    stages: tuple[str, ...] = ()

    def __call__(self, result: ReplayResult) -> bool:
        """Return whether `result` satisfies the invariant."""
        return self.predicate(result)


def never_in(stage: str, *, unless_visited: str | None = None) -> Invariant:
    """No customer enters `stage`, or (with `unless_visited`) not before visiting that stage."""
    if unless_visited is None:
        return Invariant(f"never in '{stage}'", lambda r: stage not in r.stages_entered, (stage,))

    def holds(result: ReplayResult) -> bool:
        path = result.stages_entered
        return stage not in path or unless_visited in path[: path.index(stage)]

    description = f"never in '{stage}' without having been in '{unless_visited}'"
    return Invariant(description, holds, (stage, unless_visited))


def never_moves(source: str, target: str) -> Invariant:
    """No customer moves straight from stage `source` to stage `target`."""

    def holds(result: ReplayResult) -> bool:
        path = result.stages_entered
        return (source, target) not in itertools.pairwise(path)

    return Invariant(f"never moves from '{source}' to '{target}'", holds, (source, target))


def check_order_independence(
    journey: Journey,
    records: Sequence[Record],
    as_of: datetime | str | None = None,
    *,
    order: Sequence[int] | None = None,
) -> None:
    """Reordering the records (ties kept in their input order) changes no result.

    `order` ranks the records (record `i` gets rank `order[i % len(order)]`; default:
    reversed). Records of one customer at one instant keep their relative order, which the
    engine honours (section 5, rule 2).
    """
    keys = _keys(journey, records)
    ranks = order or range(len(records), 0, -1)
    ranked = sorted(range(len(records)), key=lambda i: ranks[i % len(ranks)])
    ties: dict[tuple[str, datetime], list[int]] = {}
    for index, key in enumerate(keys):
        ties.setdefault((key.customer, key.at), []).append(index)
    moved = [records[ties[keys[i].customer, keys[i].at].pop(0)] for i in ranked]
    moment = _moment(journey, keys, as_of)
    _same(
        "reordering the records changed the results",
        _positions(journey, records, moment),
        _positions(journey, moved, moment),
    )


def check_as_of_consistency(
    journey: Journey, records: Sequence[Record], as_of: datetime | str
) -> None:
    """Replaying every record as of `as_of` equals replaying only those up to `as_of`."""
    keys = _keys(journey, records)
    moment = _moment(journey, keys, as_of)
    earlier = [
        item for item, key in zip(records, keys, strict=True) if moment is None or key.at <= moment
    ]
    _same(
        f"records after as_of {_show(moment)} changed the results",
        _positions(journey, earlier, moment),
        _positions(journey, records, moment),
    )


def check_idempotence(
    journey: Journey, records: Sequence[Record], as_of: datetime | str | None = None
) -> None:
    """Replaying records with an id a second time changes nothing but the duplicate counts."""
    keys = _keys(journey, records)
    moment = _moment(journey, keys, as_of)
    copies = [
        (item, key.customer)
        for item, key in zip(records, keys, strict=True)
        if key.id is not None and (moment is None or key.at <= moment)
    ]
    expected = _positions(journey, records, moment)
    for _, customer in copies:
        expected[customer]["duplicates"] += 1
    _same(
        f"replaying {len(copies)} records again changed more than the duplicate counts",
        expected,
        _positions(journey, [*records, *(item for item, _ in copies)], moment),
    )


def check_batch_equals_incremental(
    journey: Journey,
    records: Sequence[Record],
    as_of: datetime | str | None = None,
    *,
    pauses: Iterable[datetime] = (),
) -> None:
    """`replay_all`, `replay` per customer, and `start`/`step`/`advance`/`position` agree.

    Each customer's records are stepped in time order (ties in input order), with the state
    advanced to each of `pauses` on the way, as a live system would between events.
    """
    keys = _keys(journey, records)
    moment = _moment(journey, keys, as_of)
    if moment is None:
        return
    batch = _positions(journey, records, moment)
    stops = sorted(pauses)
    for customer in batch:
        own = [
            (key.at, item)
            for item, key in zip(records, keys, strict=True)
            if key.customer == customer
        ]
        single = journey.replay([item for _, item in own], moment, customer=customer)
        _same(f"replay and replay_all disagree on '{customer}'", batch[customer], single.to_dict())
        state = journey.start(customer)
        waiting = [stop for stop in stops if stop <= moment]
        for at, item in sorted(own, key=lambda pair: pair[0]):
            if at > moment:
                break
            while waiting and waiting[0] <= at:
                stop = waiting.pop(0)
                if state.clock is None or stop >= state.clock:
                    state = journey.advance(state, stop)
            state = journey.step(state, item)
        stepped = journey.position(state, moment).to_dict()
        _same(f"step by step and replay_all disagree on '{customer}'", batch[customer], stepped)


def check_invariant(
    journey: Journey,
    records: Sequence[Record],
    predicate: Predicate,
    description: str | None = None,
    *,
    as_of: datetime | str | None = None,
) -> None:
    """Every customer's result satisfies `predicate` (an `Invariant` or any callable)."""
    _check_stages(journey, predicate)
    said = description or getattr(predicate, "description", None) or _name(predicate)
    for result in journey.replay_all(records, as_of):
        if not predicate(result):
            path = " -> ".join(result.stages_entered) or "(none)"
            msg = f"invariant '{said}' does not hold for customer '{result.customer}': path {path}"
            raise AssertionError(msg)


#: The properties `verify_journey` runs, by name.
PROPERTIES = ("order_independence", "as_of_consistency", "idempotence", "batch_equals_incremental")


def verify_journey(
    journey: Journey,
    *,
    invariants: Iterable[Invariant | Predicate] = (),
    properties: Iterable[str] = PROPERTIES,
    customers: Sequence[str] = ("a", "b", "c"),
    max_examples: int = 50,
    config: settings | None = None,
) -> None:
    """Check every property, and each invariant, on populations hypothesis draws.

    Raises:
        AssertionError: a property or invariant fails; the message names it and shows the
            counter-example hypothesis found (shrunk unless `config` says otherwise), one
            record per line.
        ValueError: an unknown property name, or an invariant names an unknown stage.
    """
    chosen = list(properties)
    for name in chosen:
        if name not in PROPERTIES:
            hint = did_you_mean(name, PROPERTIES) or "the properties are " + ", ".join(PROPERTIES)
            msg = f"unknown property '{name}'; {hint}"
            raise ValueError(msg)
    declared = list(invariants)
    for invariant in declared:
        _check_stages(journey, invariant)
    base = config or settings(
        max_examples=max_examples,
        deadline=None,
        report_multiple_bugs=False,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    records = populations(journey, customers=customers)
    at = moments(journey)
    table: dict[str, tuple[st.SearchStrategy[Any], Callable[..., None]]] = {
        "order_independence": (
            st.tuples(records, st.lists(st.integers(), max_size=20)),
            lambda r, order: check_order_independence(journey, r, order=order),
        ),
        "as_of_consistency": (
            st.tuples(records, at),
            lambda r, as_of: check_as_of_consistency(journey, r, as_of),
        ),
        "idempotence": (st.tuples(records), lambda r: check_idempotence(journey, r)),
        "batch_equals_incremental": (
            st.tuples(records, st.lists(at, max_size=3)),
            lambda r, pauses: check_batch_equals_incremental(journey, r, pauses=pauses),
        ),
    }
    runs: list[tuple[str | None, st.SearchStrategy[Any], Callable[..., None]]] = [
        (name, *table[name]) for name in chosen
    ]
    for invariant in declared:
        check = _invariant_check(journey, invariant)
        runs.append((None, st.tuples(records), check))
    for title, strategy, body in runs:
        _run(journey, title, strategy, body, base)


def _invariant_check(journey: Journey, invariant: Predicate) -> Callable[..., None]:
    return lambda r: check_invariant(journey, r, invariant)


def _run(
    journey: Journey,
    name: str | None,
    strategy: st.SearchStrategy[tuple[Any, ...]],
    body: Callable[..., None],
    config: settings,
) -> None:
    """Run one check under hypothesis; report the last (smallest) failing example.

    Hypothesis replays the shrunk example last, so the last failure seen is the smallest.
    """
    failing: list[tuple[Any, ...]] = []

    @config
    @given(strategy)
    def run(example: tuple[Any, ...]) -> None:
        try:
            body(*example)
        except AssertionError:
            failing[:] = [example]
            raise

    try:
        run()
    except AssertionError as error:
        if not failing:
            raise
        raise AssertionError(_report(journey, name, failing[0], error)) from None


def _report(journey: Journey, name: str | None, example: tuple[Any, ...], error: Exception) -> str:
    """Say which property failed (None: an invariant, which names itself) and on what."""
    records, *extra = example
    head = (
        f"journey '{journey.name}'"
        if name is None
        else f"property '{name}' fails on journey '{journey.name}'"
    )
    lines = [
        f"{head}: {error}",
        f"counter-example ({len(records)} records):",
        *(f"  {_show(item)}" for item in records),
    ]
    lines += [f"with {_show(value)}" for value in extra]
    return "\n".join(lines)


# Helpers.


def _keys(journey: Journey, records: Sequence[Record]) -> list[Event]:
    """Each record as an event (customer, time, id), one for one."""
    return list(journey.events_from(records, strict=True))


def _moment(
    journey: Journey, keys: Sequence[Event], as_of: datetime | str | None
) -> datetime | None:
    """The instant to compare at: `as_of`, or the latest event's time (None without events)."""
    if as_of is not None:
        return parse_timestamp(as_of, journey.timezone)
    return max((key.at for key in keys), default=None)


def _positions(
    journey: Journey, records: Sequence[Record], moment: datetime | None
) -> dict[str, dict[str, Any]]:
    """Every customer's result as of `moment`, by customer, as JSON-ready mappings."""
    if moment is None:
        return {}
    return {result.customer: result.to_dict() for result in journey.replay_all(records, moment)}


def _same(what: str, expected: Mapping[str, Any], got: Mapping[str, Any]) -> None:
    """Raise with the first differing entries of two nested mappings."""
    if expected == got:
        return
    differences = list(_differences(expected, got, ""))
    shown = "; ".join(f"{path}: {_show(a)} != {_show(b)}" for path, a, b in differences[:5])
    more = f" (and {len(differences) - 5} more)" if len(differences) > 5 else ""
    raise AssertionError(f"{what}: {shown}{more}")


def _differences(a: Any, b: Any, path: str) -> Iterable[tuple[str, Any, Any]]:
    if isinstance(a, Mapping) and isinstance(b, Mapping):
        for key in dict.fromkeys([*a, *b]):
            yield from _differences(a.get(key), b.get(key), f"{path}.{key}" if path else str(key))
    elif a != b:
        yield path, a, b


def _show(value: Any) -> str:
    """A value as compact JSON, instants in the `...Z` form every output uses."""
    return json.dumps(value, default=_plain)


def _plain(value: Any) -> str:
    return format_timestamp(value) if isinstance(value, datetime) else str(value)


def _name(predicate: Callable[..., Any]) -> str:
    return getattr(predicate, "__name__", None) or repr(predicate)


def _check_stages(journey: Journey, predicate: Callable[..., Any]) -> None:
    """An invariant naming a stage the journey lacks would hold trivially: refuse it."""
    names = list(journey.model.stages)
    for stage in getattr(predicate, "stages", ()):
        if stage not in names:
            hint = did_you_mean(stage, names) or "the stages are " + ", ".join(names)
            msg = f"the invariant names an unknown stage '{stage}'; {hint}"
            raise ValueError(msg)

"""How customers move through a journey: which transitions can fire, which stages are reached.

A transition can fire unless one tried before it always takes the event first (rule 4 of
the replay semantics: `anywhere` transitions, then the stage's own, in file order; the
first that matches fires); a timeout, unless another timeout of the stage always comes
due first (rule 5): a shorter `after` than an `after`, a shorter `idle` than an `idle`,
and an `after` no longer than an `idle` (an `idle` counts from the later of entry and
the last activity, so it is never due before entry plus its length); and neither when
lint proved that its conditions never let it fire (`blocked`). An `anywhere` timeout
does not apply in its own `to` stage (section 10). Reachability follows only transitions
that can fire, and entries whose touchpoints can match (a touchpoint whose `where` never
holds is `silent`). The stalling rules (`never_stalled`) live here too: timeouts decide
them.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator, Mapping, Sequence
from datetime import timedelta
from typing import Literal

import attrs

from customer_journey.model import JourneyModel, Stage, Touchpoint, Transition

__all__ = [
    "Flow",
    "Shadowing",
    "analyse",
    "early_timeout",
    "entry_taken_by",
    "idle_can_fire",
    "never_stalled",
]


@attrs.frozen
class Shadowing:
    """A transition that can never fire because `by` always fires first.

    Attributes:
        transition: the transition that never fires.
        by: the earlier transition (or shorter timeout) that takes its place.
        stage: the stage where it happens, or None for `anywhere` transitions (everywhere).
    """

    transition: Transition
    by: Transition
    stage: str | None


@attrs.frozen
class Flow:
    """What a journey lets customers do.

    Attributes:
        shadowed: every transition that can never fire.
        exits: stage -> the stages that a transition which can fire there leads to.
        reachable: the stages some customer can be in: those with an entry that places
            customers, and those a transition that can fire leads to from them.
    """

    shadowed: tuple[Shadowing, ...]
    exits: Mapping[str, frozenset[str]]
    reachable: frozenset[str]


def _covers(earlier: Touchpoint | None, later: Touchpoint | None) -> bool:
    """Whether every event matching `later` also matches `earlier`."""
    if earlier is None or later is None:
        return False
    if earlier.name == later.name:
        return True
    return earlier.event == later.event and earlier.where is None


def _always_matches_first(
    earlier: Transition, later: Transition, touchpoints: Mapping[str, Touchpoint]
) -> bool:
    """Whether `earlier` fires on every event that could fire `later`."""
    if earlier.is_timeout or later.is_timeout:
        return False
    if earlier.condition is not None or earlier.times is not None:
        return False
    return all(
        any(_covers(touchpoints.get(mine), touchpoints.get(theirs)) for mine in earlier.touchpoints)
        for theirs in later.touchpoints
    )


def _first_due(
    tried: Sequence[Transition], kind: Literal["after", "idle"]
) -> tuple[timedelta, int, Transition] | None:
    """(length, rank, timeout) of the shortest `after` or `idle` of `tried` (ties: first)."""
    timeouts = [
        (wait, rank, t) for rank, t in enumerate(tried) if (wait := getattr(t, kind)) is not None
    ]
    return min(timeouts, key=lambda found: found[:2]) if timeouts else None


def _timeout_shadowed_in(tried: Sequence[Transition], rank: int) -> Transition | None:
    """The timeout always due before the timeout `tried[rank]`, or None (rule 5, section 10).

    Of one kind, the shortest wins (ties: the one tried first), as every `after` counts
    from entry and every `idle` from the same later moment. An `idle` is due no earlier
    than entry plus its length, so an `after` no longer than it (tried first on a tie)
    always comes first. An `idle` never shadows an `after`: activity can put it off.
    """
    timeout = tried[rank]
    kind: Literal["after", "idle"] = "after" if timeout.after is not None else "idle"
    found = _first_due(tried, kind)
    if found is not None and found[1] != rank:
        return found[2]
    after = _first_due(tried, "after") if kind == "idle" else None
    if after is not None and timeout.idle is not None and after[:2] < (timeout.idle, rank):
        return after[2]
    return None


def _shadowed_in(
    tried: Sequence[Transition], touchpoints: Mapping[str, Touchpoint]
) -> Iterator[tuple[Transition, Transition]]:
    """(transition, the one that fires instead) for each of `tried` that never fires."""
    for rank in range(len(tried)):
        later = tried[rank]
        if later.is_timeout:
            by = _timeout_shadowed_in(tried, rank)
            if by is not None:
                yield later, by
            continue
        earlier = next(
            (t for t in tried[:rank] if _always_matches_first(t, later, touchpoints)), None
        )
        if earlier is not None:
            yield later, earlier


def entry_taken_by(
    model: JourneyModel, stage: Stage, silent: Collection[str] = ()
) -> tuple[str, ...]:
    """The earlier stages whose `entry` takes every customer `stage`'s entry would place.

    The first stage in file order whose entry matches wins (section 3), so an entry whose
    every touchpoint an earlier stage's entry also matches never places anyone. Silent
    touchpoints (whose `where` never holds) place no one and take no one.
    """
    touchpoints = model.touchpoints
    earlier = [other for other in model.stages.values() if other.index < stage.index]
    takers = [
        [
            other.name
            for other in earlier
            if any(
                _covers(touchpoints.get(mine), touchpoints.get(theirs))
                for mine in other.entry
                if mine not in silent
            )
        ]
        for theirs in stage.entry
        if theirs not in silent
    ]
    if not takers or not all(takers):
        return ()
    return tuple(name for name in model.stages if any(name in names for names in takers))


def analyse(
    model: JourneyModel, *, blocked: Collection[int] = (), silent: Collection[str] = ()
) -> Flow:
    """Find the transitions that never fire and the stages customers can reach.

    Args:
        model: the journey.
        blocked: the `id`s of transitions whose conditions never let them fire.
        silent: the touchpoints that never match, their `where` never holding.
    """
    touchpoints = model.touchpoints
    shadowed = [
        Shadowing(transition, by, None)
        for transition, by in _shadowed_in(model.anywhere, touchpoints)
        if _applies_wherever(model, by, transition)
    ]
    exits: dict[str, frozenset[str]] = {}
    for stage in model.stages.values():
        tried = model.applying(stage)
        never = {
            id(transition): (transition, by) for transition, by in _shadowed_in(tried, touchpoints)
        }
        shadowed += (
            Shadowing(transition, by, stage.name)
            for transition, by in never.values()
            if transition.source is not None
        )
        exits[stage.name] = frozenset(
            t.target for t in tried if id(t) not in never and id(t) not in blocked
        )
    reachable = {
        name
        for name, stage in model.stages.items()
        if set(stage.entry) - set(silent) and not entry_taken_by(model, stage, silent)
    }
    frontier = list(reachable)
    while frontier:
        for target in exits[frontier.pop()]:
            if target not in reachable:
                reachable.add(target)
                frontier.append(target)
    return Flow(shadowed=tuple(shadowed), exits=exits, reachable=frozenset(reachable))


def idle_can_fire(model: JourneyModel, stage: Stage) -> bool:
    """Whether an `idle` timeout can fire in `stage` (one applies and none shadows it)."""
    tried = model.applying(stage)
    return any(
        t.idle is not None and _timeout_shadowed_in(tried, rank) is None
        for rank, t in enumerate(tried)
    )


def _applies_wherever(model: JourneyModel, by: Transition, transition: Transition) -> bool:
    """Whether the `anywhere` transition `by` applies in every stage `transition` does.

    Only timeouts skip a stage (their own `to`), and skipping a terminal one changes
    nothing.
    """
    if not by.is_timeout or by.target == transition.target:
        return True
    own = model.stages.get(by.target)
    return own is None or own.is_terminal


def early_timeout(model: JourneyModel, stage: Stage) -> Transition | None:
    """The stage's first `after` timeout when it is due no later than its expected duration.

    Only `after` counts: an `idle` timeout leaves an active customer in the stage, who
    can stall.
    """
    found = _first_due(model.applying(stage), "after")
    timeout = None if found is None else found[2]
    expected = stage.expected_duration
    if timeout is None or timeout.after is None or expected is None:
        return None
    return timeout if timeout.after <= expected else None


def never_stalled(model: JourneyModel, stage: Stage) -> str | None:
    """Why no customer is ever stalled in `stage`, or None when some can be.

    A customer is stalled once their time in the stage exceeds its expected duration; a
    timeout due no later than that moves every customer on first.
    """
    if stage.expected_duration is None:
        return f"stage '{stage.name}' has no 'expected_duration'"
    if early_timeout(model, stage) is not None:
        return f"stage '{stage.name}' times out before its expected duration passes"
    return None

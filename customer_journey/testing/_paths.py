"""Path generation: the shortest event history that reaches each stage and fires each transition.

A breadth-first search over the positions a customer can be in (a stage and the stages
visited on the way), one transition at a time. Candidate events are built from the model
(touchpoint `where`, transition `if`, `times`/`within`, timeouts) and every candidate is
replayed with the real engine: a history is kept only when the replay's trace shows it
firing the transition it was made for. What cannot be reached or fired gets a reason.
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Iterator, Mapping
from datetime import datetime, timedelta, timezone
from typing import Any

import attrs

from customer_journey._timestamps import format_timestamp
from customer_journey.engine import ReplayResult
from customer_journey.journey import Journey
from customer_journey.model import MISSING, JourneyModel, Transition
from customer_journey.testing._path_report import History, PathReport, PathTarget, transition_name
from customer_journey.testing._path_values import Assignment, assignments, nest

__all__ = [
    "PATHS_START",
    "History",
    "PathReport",
    "PathTarget",
    "shortest_paths",
    "transition_name",
]

#: When generated histories begin, unless told otherwise.
PATHS_START = datetime(2024, 1, 1, tzinfo=timezone.utc)
_GAP = timedelta(minutes=1)  # between generated events
_ATTEMPTS = 48  # candidate histories tried per transition from one position
_KEPT_ACTIVE = 48  # at most this many events keep an `idle` off until an `after` is due
_CUSTOMER = "customer"


def shortest_paths(
    journey: Journey, *, start: datetime = PATHS_START, max_positions: int = 2000
) -> PathReport:
    """Find the shortest event history reaching each stage and firing each transition.

    Shortest counts transitions: the search goes breadth-first from the stages customers
    enter by, one transition at a time; a timeout is reached by setting the history's
    `as_of` to when it comes due. `max_positions` bounds the search on very large journeys.
    """
    return _Search(journey, start, max_positions).run()


@attrs.define
class _Position:
    """Where a history leaves a customer."""

    records: tuple[dict[str, Any], ...]
    as_of: datetime
    stage: str
    entered_at: datetime
    visited: frozenset[str]

    @property
    def history(self) -> History:
        return History(self.records, self.as_of)


class _Search:
    """One breadth-first search over a journey's positions."""

    def __init__(self, journey: Journey, start: datetime, max_positions: int) -> None:
        self.journey = journey
        self.model: JourneyModel = journey.model
        self.start = start
        self.max_positions = max_positions
        self.reached: dict[str, History] = {}
        self.fired: dict[int, History] = {}
        self.shadowed: dict[int, Transition] = {}
        self.entry_misses: dict[str, str] = {}
        self.attributes: dict[str, tuple[dict[str, Any], ...]] = {}
        fields = self.model.events
        self.fields = fields
        self.transitions = [
            *(t for stage in self.model.stages.values() for t in stage.transitions),
            *self.model.anywhere,
        ]

    def run(self) -> PathReport:
        queue: deque[_Position] = deque(self._entries())
        seen = {(p.stage, p.visited) for p in queue}
        explored = 0
        while queue and explored < self.max_positions and len(self.fired) < len(self.transitions):
            position = queue.popleft()
            explored += 1
            for reached in self._moves(position):
                self.reached.setdefault(reached.stage, reached.history)
                key = (reached.stage, reached.visited)
                if key not in seen:
                    seen.add(key)
                    queue.append(reached)
        return self._report()

    # Entry and moves.

    def _entries(self) -> Iterator[_Position]:
        """The first position in each stage customers can enter the journey by."""
        for stage in self.model.stages.values():
            for name in stage.entry:
                position = self._enter(stage.name, name)
                if position is not None:
                    self.reached.setdefault(stage.name, position.history)
                    yield position
                    break

    def _enter(self, stage: str, touchpoint: str) -> _Position | None:
        for attributes in self._attributes(touchpoint):
            record = self._record(touchpoint, self.start, attributes, None)
            result = self._replay((record,), self.start)
            if result.stage == stage:
                return _Position((record,), self.start, stage, self.start, frozenset((stage,)))
            if result.stage is not None:
                self.entry_misses.setdefault(stage, result.stage)
        return None

    def _moves(self, position: _Position) -> Iterator[_Position]:
        """The positions one transition away, one per transition that can fire."""
        for transition in self.model.applying(self.model.stages[position.stage]):
            for records, as_of in self._attempts(transition, position):
                history = (*position.records, *records)
                result = self._replay(history, as_of)
                if not self._fires(result, transition):
                    self._note_miss(transition, result, position)
                    continue
                self.fired.setdefault(id(transition), History(history, as_of))
                yield _Position(
                    history,
                    as_of,
                    transition.target,
                    result.entered_at or as_of,
                    frozenset(visit.stage for visit in result.path),
                )
                break

    @staticmethod
    def _fires(result: ReplayResult, transition: Transition) -> bool:
        trace = result.trace or ()
        return (
            bool(trace)
            and trace[-1].transition is transition
            and (result.stage == transition.target)
        )

    def _note_miss(self, transition: Transition, result: ReplayResult, position: _Position) -> None:
        """Remember a transition that fired instead, from the same stage, on the last step."""
        trace = result.trace or ()
        other = trace[-1].transition if trace else None
        if other is not None and other is not transition and trace[-1].from_stage == position.stage:
            self.shadowed.setdefault(id(transition), other)

    # Candidate events.

    def _attempts(
        self, transition: Transition, position: _Position
    ) -> Iterator[tuple[tuple[dict[str, Any], ...], datetime]]:
        """Candidate events (and the `as_of`) to fire `transition` from `position`.

        A timeout needs no event, only an `as_of` when it is due. A position is where a
        move has just landed, with no activity since, so an `idle` counts from entry too.
        An `after` that a shorter `idle` of the stage would beat is tried again with
        activity that keeps the `idle` off (section 10).
        """
        wait = transition.wait
        if wait is not None:
            due = position.entered_at + wait
            yield (), due
            if transition.after is not None:
                yield from self._kept_active(position, due)
            return
        needs = assignments(transition.condition_tree)
        tried = 0
        for touchpoint in transition.touchpoints:
            for attributes in self._attributes(touchpoint):
                for need in needs:
                    for attempt in self._triggers(
                        transition, touchpoint, attributes, need, position
                    ):
                        yield attempt
                        tried += 1
                        if tried >= _ATTEMPTS:
                            return

    def _kept_active(
        self, position: _Position, due: datetime
    ) -> Iterator[tuple[tuple[dict[str, Any], ...], datetime]]:
        """Histories active until `due` (an event every half of the stage's shortest `idle`).

        One per touchpoint, in file order, so that one whose events move the customer is
        passed over for one whose events do not.
        """
        stage = self.model.stages[position.stage]
        idles = [t.idle for t in self.model.applying(stage) if t.idle is not None]
        if not idles:
            return
        step = min(idles) / 2
        count = math.ceil((due - position.entered_at) / step) - 1
        if not 0 < count <= _KEPT_ACTIVE:
            return
        for touchpoint in self.model.touchpoints:
            options = self._attributes(touchpoint)
            if options:
                yield (
                    tuple(
                        self._record(touchpoint, position.entered_at + step * n, options[0], None)
                        for n in range(1, count + 1)
                    ),
                    due,
                )

    def _triggers(
        self,
        transition: Transition,
        touchpoint: str,
        attributes: dict[str, Any],
        need: Assignment,
        position: _Position,
    ) -> Iterator[tuple[tuple[dict[str, Any], ...], datetime]]:
        """The trigger events for one proposal: fillers for counts, then `times` repeats."""
        event_part = {path[6:]: value for path, value in need.items() if path.startswith("event.")}
        traits = {
            path[9:]: None if value is MISSING else value
            for path, value in need.items()
            if path.startswith("customer.")
        }
        merged = {**attributes, **nest(event_part)}
        for name in (path for path, value in event_part.items() if value is MISSING):
            merged.pop(name, None)
        wait = self._wait(need, position)
        if wait is None:
            return
        for fillers in self._fillers(need):
            at = position.as_of + _GAP
            records: list[dict[str, Any]] = []
            for name in fillers:
                options = self._attributes(name)
                if not options:
                    break
                records.append(self._record(name, at, options[0], None))
                at += _GAP
            repeats = transition.times or 1
            last = max(at + _GAP * (repeats - 1), position.entered_at + wait)
            for index in range(repeats):
                moment = last - _GAP * (repeats - 1 - index)
                records.append(self._record(touchpoint, moment, merged, traits or None))
            yield tuple(records), last

    def _wait(self, need: Assignment, position: _Position) -> timedelta | None:
        """How long after entering the stage to trigger, for `time_in_stage` and `stalled`."""
        wait = timedelta(0)
        spent = need.get("time_in_stage", MISSING)
        if isinstance(spent, timedelta):
            wait = spent
        if need.get("stalled") is True:
            expected = self.model.stages[position.stage].expected_duration
            if expected is None:
                return None
            wait = max(wait, expected + _GAP)
        return wait

    @staticmethod
    def _fillers(need: Assignment) -> Iterator[list[str]]:
        """Touchpoints to see before the trigger so that `count`/`stage_count` tests hold."""
        wanted: list[tuple[str, int]] = []
        for path, value in need.items():
            root, _, name = path.partition(".")
            if root in ("count", "stage_count") and isinstance(value, (int, float)):
                wanted.append((name, max(0, math.ceil(value))))
        if not wanted:
            yield []
            return
        for less in (1, 0):
            yield [name for name, times in wanted for _ in range(max(0, times - less))]

    def _attributes(self, touchpoint: str) -> tuple[dict[str, Any], ...]:
        """Attributes for an event matching `touchpoint`, preferring to miss its siblings.

        Siblings are the other touchpoints on the same event type; an event matching one of
        them too could fire another transition first. Each proposal is checked with the
        touchpoint's own compiled `where`.
        """
        found = self.attributes.get(touchpoint)
        if found is not None:
            return found
        own = self.model.touchpoints[touchpoint]
        siblings = [
            other.where_tree
            for other in self.model.touchpoints.values()
            if other.event == own.event and other.name != touchpoint and other.where_tree
        ]
        avoid: list[dict[str, Any]] = [{}]
        for tree in siblings:
            avoid = [{**a, **b} for a in avoid for b in assignments(tree, negate=True)][:24]
        kept: list[dict[str, Any]] = []
        for proposal in assignments(own.where_tree):
            for other in (*avoid, {}):
                attributes = nest({**other, **proposal})
                if attributes not in kept and (own.where is None or own.where(attributes)):
                    kept.append(attributes)
        found = self.attributes[touchpoint] = tuple(kept)
        return found

    def _record(
        self,
        touchpoint: str,
        at: datetime,
        attributes: Mapping[str, Any],
        traits: Mapping[str, Any] | None,
    ) -> dict[str, Any]:
        fields = self.fields
        record: dict[str, Any] = {
            fields.customer: _CUSTOMER,
            fields.type: self.model.touchpoints[touchpoint].event,
            fields.time: format_timestamp(at),
        }
        record.update((k, v) for k, v in attributes.items() if k not in record)
        if traits:
            record[fields.traits] = dict(traits)
        return record

    def _replay(self, records: tuple[dict[str, Any], ...], as_of: datetime) -> ReplayResult:
        return self.journey.replay(records, as_of, trace=True)

    # The report.

    def _report(self) -> PathReport:
        stages = tuple(
            PathTarget(
                "stage",
                name,
                stage.location,
                self.reached.get(name),
                None if name in self.reached else self._stage_reason(name),
            )
            for name, stage in self.model.stages.items()
        )
        transitions = tuple(
            PathTarget(
                "transition",
                transition_name(transition),
                transition.location,
                self.fired.get(id(transition)),
                None if id(transition) in self.fired else self._transition_reason(transition),
                transition,
            )
            for transition in self.transitions
        )
        return PathReport(self.model.name, stages, transitions)

    def _stage_reason(self, name: str) -> str:
        leading = [t for t in self.transitions if t.target == name]
        stage = self.model.stages[name]
        if not leading and not stage.entry:
            return f"no transition leads to '{name}' and it has no entry touchpoints"
        if not leading:
            earlier = self.entry_misses.get(name)
            if earlier is not None:
                return (
                    f"no transition leads to '{name}'; its entry touchpoints place in '{earlier}'"
                )
            return f"no transition leads to '{name}'; no event of its entry touchpoints matches"
        names = ", ".join(f"'{transition_name(t)}'" for t in leading)
        return f"no transition leading to '{name}' can fire ({names})"

    def _transition_reason(self, transition: Transition) -> str:
        source = transition.source
        if source is not None and source not in self.reached:
            return f"its stage '{source}' cannot be reached"
        if source is None and not any(
            transition in self.model.applying(self.model.stages[name]) for name in self.reached
        ):
            return "no stage it applies from can be reached"
        return self._firing_reason(transition)

    def _firing_reason(self, transition: Transition) -> str:
        """Why a transition whose stage can be reached never fired."""
        unmatched = [name for name in transition.touchpoints if not self._attributes(name)]
        if unmatched and len(unmatched) == len(transition.touchpoints):
            names = ", ".join(f"'{name}'" for name in unmatched)
            return f"the 'where' of {names} could not be satisfied by generated data"
        other = self.shadowed.get(id(transition))
        if other is not None:
            where = f" ({other.location})" if other.location else ""
            if transition.is_timeout:
                return f"shadowed by the timeout '{transition_name(other)}'{where}, due first"
            return (
                f"shadowed by an earlier transition that always matches first: "
                f"'{transition_name(other)}'{where}"
            )
        if transition.condition_tree is not None:
            return "'if' condition could not be satisfied by generated data"
        if transition.times is not None:
            return "'times' within 'within' could not be reached by generated data"
        return "no generated event history fires it"

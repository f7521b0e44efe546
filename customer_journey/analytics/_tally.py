"""Counting customers into an analysis: one `Tally` per group, added to one customer at a time.

A tally holds counts and bounded duration samples, never customers or events, so its size
depends on the journey (stages, touchpoints, goals), on the days the data spans and on the
distinct path variants, not on the number of events.
"""

from __future__ import annotations

from bisect import bisect_left, insort
from collections import Counter
from datetime import datetime, time, timedelta, tzinfo

from customer_journey._facts import FrictionKey, Route
from customer_journey._timestamps import to_zone
from customer_journey.analytics._lift import ExperimentTally
from customer_journey.analytics._markov import Chain
from customer_journey.analytics._observe import Feature, Observation
from customer_journey.analytics._stats import DurationSample
from customer_journey.engine import ReplayPlan

__all__ = [
    "DWELL_BOUNDS",
    "EXAMPLES",
    "EXPECTED_MULTIPLES",
    "TIMEOUT",
    "Tally",
    "dwell_bounds",
]

#: Feature kinds whose values come from the data: more distinct values than this in one
#: stage and the kind is taken for an identifier and no longer counted there.
MOST_VALUES = 50
#: Kinds whose values the journey itself bounds (they are never dropped).
_BOUNDED_KINDS = ("touchpoint", "channel")

#: Example customer ids kept per friction, stalled stage and root-cause factor.
EXAMPLES = 5
#: How a visit left without a touchpoint, in `StageFigures.leaving`.
TIMEOUT = "(timeout)"

#: Dwell-time buckets of a stage with an expected duration: multiples of it.
EXPECTED_MULTIPLES = (0.25, 0.5, 1.0, 2.0, 4.0)
#: Dwell-time buckets of a stage without one: roughly log-spaced.
DWELL_BOUNDS = tuple(
    timedelta(hours=hours) for hours in (1, 6, 24, 3 * 24, 7 * 24, 30 * 24, 90 * 24)
)


def dwell_bounds(expected: timedelta | None) -> tuple[timedelta, ...]:
    """The upper bounds of a stage's dwell-time buckets (the last bucket has none).

    Relative to the expected duration when there is one, so that the bucket after the
    expected duration starts exactly where `over_expected` does.
    """
    if expected is None:
        return DWELL_BOUNDS
    return tuple(expected * multiple for multiple in EXPECTED_MULTIPLES)


def keep_example(kept: list[str], customer: str) -> None:
    """Keep `customer` among the `EXAMPLES` smallest ids in `kept` (sorted, no repeats).

    The smallest ids, not the first seen, so that any split of the customers between
    tallies merges to the same examples.
    """
    if len(kept) >= EXAMPLES and customer >= kept[-1]:
        return
    if customer in kept:
        return
    insort(kept, customer)
    del kept[EXAMPLES:]


def merge_examples(kept: list[str], other: list[str]) -> None:
    """Add, in place, the examples of another tally: the smallest of both."""
    for customer in other:
        keep_example(kept, customer)


class _StageCounts:
    """Everything counted for one stage."""

    __slots__ = (
        "bounds",
        "dwell",
        "entered",
        "examples",
        "exits",
        "features",
        "histogram",
        "in_now",
        "judged",
        "leaving",
        "left",
        "moved_on",
        "ongoing",
        "over_expected",
        "stalled_examples",
        "stalled_now",
        "too_many",
        "values",
        "visits",
    )

    def __init__(self, bounds: tuple[timedelta, ...]) -> None:
        self.bounds = bounds
        self.histogram = [0] * (len(bounds) + 1)
        self.entered = 0
        self.visits = 0
        self.in_now = 0
        self.stalled_now = 0
        self.stalled_examples: list[str] = []
        self.leaving: Counter[str] = Counter()  # touchpoint (or TIMEOUT) -> exits
        self.left: Counter[Route] = Counter()
        self.exits: Counter[Route] = Counter()
        self.dwell = DurationSample()
        self.ongoing = DurationSample()
        self.over_expected = 0
        self.judged = 0
        self.moved_on = 0
        self.features: dict[Feature, list[int]] = {}  # feature -> [visits, moved on]
        self.examples: dict[Feature, list[str]] = {}  # feature -> customer ids
        self.values: Counter[str] = Counter()  # kind -> distinct values counted
        self.too_many: set[str] = set()

    def count_features(
        self, features: frozenset[Feature], *, moved_on: bool, customer: str | None = None
    ) -> None:
        """One judged visit: its features, whether it moved on, and whose (for examples)."""
        self.judged += 1
        self.moved_on += moved_on
        table = self.features
        examples = self.examples
        for feature in features:
            cell = table.get(feature)
            if cell is None:
                kind = feature[0]
                if kind in self.too_many:
                    continue
                cell = table[feature] = [0, 0]
                examples[feature] = []
                if kind not in _BOUNDED_KINDS:
                    self._limit(kind)
                    if kind in self.too_many:
                        continue
            cell[0] += 1
            cell[1] += moved_on
            kept = examples[feature]
            # The common case, a full list of smaller ids, costs no call.
            if customer is not None and (len(kept) < EXAMPLES or customer < kept[-1]):
                keep_example(kept, customer)

    def merge(self, other: _StageCounts) -> None:
        """Add, in place, the counts of `other` (the same stage, other customers).

        A kind with more than `MOST_VALUES` distinct values over both is dropped, as one
        pass over both would have dropped it.
        """
        self.histogram = [
            mine + theirs for mine, theirs in zip(self.histogram, other.histogram, strict=True)
        ]
        self.entered += other.entered
        self.visits += other.visits
        self.in_now += other.in_now
        self.stalled_now += other.stalled_now
        merge_examples(self.stalled_examples, other.stalled_examples)
        self.leaving.update(other.leaving)
        self.left.update(other.left)
        self.exits.update(other.exits)
        self.dwell.merge(other.dwell)
        self.ongoing.merge(other.ongoing)
        self.over_expected += other.over_expected
        self.judged += other.judged
        self.moved_on += other.moved_on
        for kind in other.too_many - self.too_many:
            self._drop(kind)
        for feature, (visits, moved_on) in other.features.items():
            kind = feature[0]
            if kind in self.too_many:
                continue
            cell = self.features.get(feature)
            if cell is None:
                cell = self.features[feature] = [0, 0]
                self.examples[feature] = []
                if kind not in _BOUNDED_KINDS:
                    self.values[kind] += 1
            cell[0] += visits
            cell[1] += moved_on
            merge_examples(self.examples[feature], other.examples.get(feature, []))
        for kind, count in list(self.values.items()):
            if count > MOST_VALUES and kind not in self.too_many:
                self._drop(kind)

    def _limit(self, kind: str) -> None:
        """Stop counting a kind once it has more distinct values than `MOST_VALUES`."""
        self.values[kind] += 1
        if self.values[kind] > MOST_VALUES:
            self._drop(kind)

    def _drop(self, kind: str) -> None:
        """No longer count `kind` in this stage: it is taken for an identifier."""
        self.values[kind] = MOST_VALUES + 1
        self.too_many.add(kind)
        for feature in [feature for feature in self.features if feature[0] == kind]:
            del self.features[feature]
            self.examples.pop(feature, None)


#: The `Tally` counters that merge by adding (`days`, `goal_status` and the samples nest).
_COUNTERS = (
    "furthest",
    "phase_entered",
    "phase_in_now",
    "furthest_phase",
    "entries",
    "moves",
    "variants",
    "friction",
    "friction_goal",
    "friction_judged",
    "friction_judged_goal",
    "next_actions",
)


class Tally:
    """The counts behind an `Analysis`, for the customers added so far."""

    def __init__(self, plan: ReplayPlan, goal: str | None, channels: dict[str, str]) -> None:
        model = plan.model
        self.plan = plan
        self.goal = goal
        self.zone: tzinfo = to_zone(model.timezone)
        self.channels = channels  # touchpoint -> channel (`channels_of`)
        self.customers = 0
        self.outside = 0
        self.stages = {
            name: _StageCounts(dwell_bounds(stage.expected_duration))
            for name, stage in model.stages.items()
        }
        self.furthest: Counter[int] = Counter()
        self.phase_entered: Counter[str] = Counter()
        self.phase_in_now: Counter[str] = Counter()
        self.furthest_phase: Counter[int] = Counter()
        self.entries: Counter[str] = Counter()
        self.moves: Counter[tuple[str, str]] = Counter()
        self.variants: Counter[tuple[str, ...]] = Counter()
        self.goal_status = {name: Counter[str]() for name in model.goals}
        self.time_to_goal = {name: DurationSample() for name in model.goals}
        self.friction: Counter[FrictionKey] = Counter()
        self.friction_goal: Counter[FrictionKey] = Counter()  # reached the goal, ever
        self.friction_judged: Counter[FrictionKey] = Counter()  # had not reached it yet
        self.friction_judged_goal: Counter[FrictionKey] = Counter()  # and reached it later
        self.friction_examples: dict[FrictionKey, list[str]] = {}
        self.reached_goal = 0
        self.days: dict[int, Counter[str]] = {}
        self.chains = {name: Chain(goal.stage) for name, goal in model.goals.items()}
        self.next_actions: Counter[str | None] = Counter()
        self.experiments = ExperimentTally(
            ((e.id, tuple(e.arms), e.holdout) for e in model.experiments.values()), model.goals
        )

    def __getstate__(self) -> dict[str, object]:
        """The counts without the engine tables: a tally crosses processes to be merged."""
        state = dict(self.__dict__)
        del state["plan"]
        return state

    def merge(self, other: Tally) -> None:
        """Add, in place, the counts of `other`: a tally of other customers, same journey.

        Counting customers in any number of tallies and merging them gives the tally of
        counting them all in one: the same counts, samples and dropped feature kinds.
        `other` may have crossed processes without its engine tables: only its counts
        are read.
        """
        self.customers += other.customers
        self.outside += other.outside
        for name, counts in self.stages.items():
            counts.merge(other.stages[name])
        for name in _COUNTERS:
            getattr(self, name).update(getattr(other, name))
        for name, status in self.goal_status.items():
            status.update(other.goal_status[name])
        for name, sample in self.time_to_goal.items():
            sample.merge(other.time_to_goal[name])
        self.reached_goal += other.reached_goal
        for day, changes in other.days.items():
            mine = self.days.get(day)
            if mine is None:
                mine = self.days[day] = Counter()
            mine.update(changes)
        for name, chain in self.chains.items():
            chain.merge(other.chains[name])
        for key, examples in other.friction_examples.items():
            merge_examples(self.friction_examples.setdefault(key, []), examples)
        self.experiments.merge(other.experiments)

    def add(self, seen: Observation) -> None:
        """Count one customer in the journey."""
        result = seen.result
        model = self.plan.model
        self.customers += 1
        self.experiments.add(result)
        self._add_visits(seen)
        current = result.stage
        assert current is not None  # only customers in the journey are observed
        counts = self.stages[current]
        counts.in_now += 1
        counts.stalled_now += result.is_stalled
        if result.is_stalled:
            keep_example(counts.stalled_examples, result.customer)
        phase = model.stages[current].phase
        if phase is not None:
            self.phase_in_now[phase] += 1
        reached = {name for name, status in result.goals.items() if status.status == "reached"}
        for name, status in result.goals.items():
            self.goal_status[name][status.status] += 1
            if status.reached_at is not None and status.status == "reached":
                self.time_to_goal[name].add(status.reached_at - result.path[0].entered_at)
        reached_goal = self.goal in reached
        self.reached_goal += reached_goal
        self._add_friction(seen, reached_goal=reached_goal)
        first = result.path[0]
        entry: set[Feature] = set()
        if first.touchpoint is not None:
            entry = {("touchpoint", first.touchpoint), ("channel", self.channels[first.touchpoint])}
        for name, chain in self.chains.items():
            chain.add(seen.visits, entry, self.channels, converted=name in reached)
        self.next_actions[result.next_action] += 1

    def _add_friction(self, seen: Observation, *, reached_goal: bool) -> None:
        """Each friction once per customer; judged if the goal was not reached before it."""
        result = seen.result
        status = None if self.goal is None else result.goals[self.goal]
        reached_at = None if status is None or not reached_goal else status.reached_at
        first: dict[FrictionKey, datetime] = {}
        for point in result.friction:
            first[point.key] = min(first.get(point.key, point.first_at), point.first_at)
        for key, first_at in first.items():
            self.friction[key] += 1
            self.friction_goal[key] += reached_goal
            if reached_at is None or reached_at >= first_at:
                self.friction_judged[key] += 1
                self.friction_judged_goal[key] += reached_goal
            kept = self.friction_examples.get(key)
            if kept is None:
                kept = self.friction_examples[key] = []
            keep_example(kept, result.customer)

    def _add_visits(self, seen: Observation) -> None:
        """Per stage: entries, exits, routes, dwell, features; flows and the trend."""
        model = self.plan.model
        visits = seen.visits
        as_of = seen.result.as_of
        last_route: dict[str, Route | None] = {}
        furthest = -1
        for visit in visits:
            stage = model.stages[visit.stage]
            counts = self.stages[visit.stage]
            counts.visits += 1
            last_route[visit.stage] = visit.route
            if stage.phase is not None:
                furthest = max(furthest, stage.index)
            if visit.left_at is None:
                counts.ongoing.add(as_of - visit.entered_at)
            else:
                spent = visit.left_at - visit.entered_at
                counts.dwell.add(spent)
                counts.histogram[bisect_left(counts.bounds, spent)] += 1
                expected = stage.expected_duration
                counts.over_expected += expected is not None and spent > expected
            if visit.route is not None:
                counts.exits[visit.route] += 1
                counts.leaving[visit.via or TIMEOUT] += 1
                assert visit.target is not None  # a visit with a route has a next one
                self.moves[visit.stage, visit.target] += 1
            if not stage.is_terminal and (visit.route is not None or seen.result.is_stalled):
                counts.count_features(
                    visit.features, moved_on=visit.route == "onward", customer=seen.result.customer
                )
            self._add_to_trend(visit.stage, visit.entered_at, visit.left_at)
        for name, route in last_route.items():
            counts = self.stages[name]
            counts.entered += 1
            if route is not None:
                counts.left[route] += 1
        self.entries[visits[0].stage] += 1
        self.variants[tuple(visit.stage for visit in visits)] += 1
        if furthest >= 0:
            self.furthest[furthest] += 1
        entered_phases = {
            phase for name in last_route if (phase := model.stages[name].phase) is not None
        }
        for phase in entered_phases:
            self.phase_entered[phase] += 1
        if entered_phases:
            self.furthest_phase[max(model.phases.index(phase) for phase in entered_phases)] += 1

    def _add_to_trend(self, stage: str, entered_at: datetime, left_at: datetime | None) -> None:
        """The visit counts at each midnight from its start until (not including) its end."""
        first = self._next_midnight(entered_at)
        after = None if left_at is None else self._next_midnight(left_at)
        if after is not None and after <= first:
            return
        self._shift(first, stage, 1)
        if after is not None:
            self._shift(after, stage, -1)

    def _shift(self, day: int, stage: str, change: int) -> None:
        counts = self.days.get(day)
        if counts is None:
            counts = self.days[day] = Counter()
        counts[stage] += change

    def _next_midnight(self, moment: datetime) -> int:
        """The day (ordinal) of the first local midnight at or after `moment`."""
        local = moment.astimezone(self.zone)
        day = local.toordinal()
        return day if local.time() == time(0) else day + 1

"""The simulator: a seeded population of synthetic customers flowing through a journey.

Each customer enters through one of the journey's entry touchpoints, then, stage by stage,
takes one of the stage's transitions: an event matching one of its touchpoints (as many as
`times` asks for, inside `within`), or a silence long enough for the stage's timeout to
fire (an `idle` one counts from the customer's last activity, the engine's `due`), or they
stop. Where the customer stands is never guessed: every event goes through
the engine, and the next choice is made in the stage the engine says the customer is in.
Noise events (types no touchpoint matches), traits and `action.performed` records for
eligible actions are mixed in.

One `random.Random(seed)` drives everything and nothing reads the clock: the same
arguments always give the same records.
"""

from __future__ import annotations

import random
from collections.abc import Iterator, Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

from customer_journey._durations import parse_duration
from customer_journey._suggest import did_you_mean
from customer_journey._timestamps import format_timestamp, parse_timestamp
from customer_journey.dsl import parse_yaml
from customer_journey.engine import CustomerState
from customer_journey.errors import CustomerJourneyError, JourneyError
from customer_journey.journey import Journey
from customer_journey.model import ConditionTree, Event, Transition
from customer_journey.testing._satisfy import AttributeMaker, event_condition, trait_values

__all__ = ["SETTINGS", "Simulation", "SimulationError", "read_settings", "simulate"]

DEFAULT_START = "2026-01-01T00:00:00Z"
#: The keys a settings file may hold: `simulate`'s keyword arguments.
SETTINGS = (
    "customers", "seed", "start", "arrivals", "until", "entry", "probabilities", "delays",
    "traits", "noise", "actions", "max_events",
)  # fmt: skip
#: Event types for noise; those the journey's touchpoints use are left out.
NOISE_TYPES = (
    "search.performed", "email.opened", "email.delivered", "recommendation.shown",
    "app.opened", "sms.delivered", "page.scrolled",
)  # fmt: skip
END = "end"
#: Default weights: each touchpoint transition of the stage, each timeout (staying quiet),
#: each `anywhere` transition, and stopping (the customer's history ends there).
_MOVE, _TIMEOUT, _ANYWHERE, _END = 1.0, 0.5, 0.02, 0.1
_SECOND = timedelta(seconds=1)
_YEAR = timedelta(days=365)


class SimulationError(CustomerJourneyError, ValueError):
    """The simulation's settings do not fit the journey; the message says what to change."""

    code = "bad-simulation"


def read_settings(text: str, *, source: str = "<settings>") -> dict[str, Any]:
    """Read simulation settings from YAML or JSON text: `simulate`'s keyword arguments.

    Raises:
        JourneyError: the text is not YAML.
        SimulationError: it is not a mapping, or has a key `simulate` does not take.
    """
    data, _locator, problems = parse_yaml(text, source=source)
    if problems:
        raise JourneyError(problems)
    if data is None:
        return {}
    if not isinstance(data, Mapping):
        raise SimulationError(f"{source}: the settings must be a mapping of setting: value")
    for key in data:
        if key not in SETTINGS:
            hint = did_you_mean(str(key), SETTINGS) or "the settings are " + _quoted(SETTINGS)
            raise SimulationError(f"{source}: unknown setting '{key}'; {hint}")
    return dict(data)


def simulate(
    journey: Journey,
    customers: int = 100,
    *,
    seed: int = 0,
    start: datetime | str = DEFAULT_START,
    arrivals: timedelta | str = timedelta(days=30),
    until: datetime | str | None = None,
    entry: Mapping[str, float] | None = None,
    probabilities: Mapping[str, Mapping[str, float]] | None = None,
    delays: Mapping[str, timedelta | str] | None = None,
    traits: Mapping[str, Sequence[Any]] | None = None,
    noise: float = 0.1,
    actions: float = 0.2,
    max_events: int = 40,
) -> Simulation:
    """Simulate `customers` customers; iterate the result for their records.

    Args:
        journey: the journey they flow through.
        customers: how many.
        seed: the same seed always gives the same records.
        start: the first customer's earliest arrival (naive times are in the journey's zone).
        arrivals: customers arrive at random within this time after `start`.
        until: no event after this moment, the export's end (default: a year after the
            last possible arrival).
        entry: entry touchpoint -> weight (default: all alike).
        probabilities: stage -> {target stage or `end`: weight}. A stage listed here takes
            only the choices it lists; weights are relative. A target reached by a timeout
            means staying quiet until it fires; `end` means the history stops.
        delays: stage -> mean wait before the next move there (default: half the stage's
            expected duration, else a quarter of its shortest timeout, else 7 days).
        traits: trait -> values to pick from (default: the values the journey's conditions
            name, such as consent flags).
        noise: chance of an event no touchpoint matches before each move.
        actions: chance, after each move, of an `action.performed` record for the best
            eligible action.
        max_events: at most this many events per customer.

    Raises:
        SimulationError: a setting names an unknown stage, target or touchpoint, or is out
            of range.
    """
    first = parse_timestamp(start, journey.timezone)
    spread = _duration("arrivals", arrivals)
    return Simulation(
        journey,
        customers,
        seed=seed,
        start=first,
        arrivals=spread,
        until=first + spread + _YEAR if until is None else parse_timestamp(until, journey.timezone),
        entry=entry,
        probabilities=probabilities,
        delays=delays,
        traits=traits,
        noise=_chance("noise", noise),
        actions=_chance("actions", actions),
        max_events=_count("max_events", max_events, least=1),
    )


class Simulation:
    """A simulated population: iterate it (again and again) for the same records.

    Records are mappings in the journey's field names with ISO 8601 UTC timestamps,
    grouped by customer, each customer's in time order.

    Attributes:
        customers: how many customers it simulates.
        skipped_touchpoints: touchpoints it cannot produce events for (a `where` it cannot
            satisfy); transitions on them alone are never taken.
    """

    def __init__(
        self,
        journey: Journey,
        customers: int,
        *,
        seed: int,
        start: datetime,
        arrivals: timedelta,
        until: datetime,
        entry: Mapping[str, float] | None,
        probabilities: Mapping[str, Mapping[str, float]] | None,
        delays: Mapping[str, timedelta | str] | None,
        traits: Mapping[str, Sequence[Any]] | None,
        noise: float,
        actions: float,
        max_events: int,
    ) -> None:
        self.journey = journey
        self.customers = _count("customers", customers, least=0)
        self.seed = seed
        self.start = start
        self.arrivals = arrivals
        self.until = until
        self.noise = noise
        self.actions = actions
        self.max_events = max_events
        model = journey.model
        self._makers = {name: AttributeMaker(model.touchpoints, name) for name in model.touchpoints}
        self.skipped_touchpoints = tuple(n for n, m in self._makers.items() if not m.possible)
        self._entry = self._entry_weights(entry or {})
        self._choices = self._stage_choices(probabilities or {})
        self._delays = self._mean_delays(delays or {})
        self._traits = trait_values(journey.model) if traits is None else _given_traits(traits)
        used = {t.event for t in model.touchpoints.values()} | {model.events.action_event}
        self._noise_types = tuple(t for t in NOISE_TYPES if t not in used)
        self._event_conditions = {
            id(t): event_condition(t) for s in model.stages.values() for t in s.transitions
        }

    def __iter__(self) -> Iterator[dict[str, Any]]:
        rng = random.Random(self.seed)
        width = max(5, len(str(self.customers)))
        arrivals = self.arrivals.total_seconds()
        for number in range(self.customers):
            arrival = self.start + timedelta(seconds=int(rng.random() * arrivals))
            walk = _Walk(self, rng, f"sim-{number:0{width}d}", arrival)
            walk.live()
            yield from walk.records

    def _entry_weights(self, given: Mapping[str, float]) -> list[tuple[float, str]]:
        """(weight, touchpoint) for each entry touchpoint the simulator can produce."""
        names = list(dict.fromkeys(t for s in self.journey.model.stages.values() for t in s.entry))
        if not names:
            raise SimulationError("the journey has no entry touchpoints: nobody can enter it")
        for name in given:
            if name not in names:
                hint = did_you_mean(name, names) or "the entry touchpoints are " + _quoted(names)
                raise SimulationError(f"'{name}' in entry is not an entry touchpoint; {hint}")
        weights = [
            (_weight(f"entry '{name}'", given.get(name, 0.0 if given else 1.0)), name)
            for name in names
            if self._makers[name].possible
        ]
        if not any(weight for weight, _ in weights):
            raise SimulationError("no entry touchpoint has a weight above 0: nobody can enter")
        return weights

    def _stage_choices(
        self, given: Mapping[str, Mapping[str, float]]
    ) -> dict[str, list[tuple[float, Transition | None]]]:
        """Stage -> (weight, transition, or None to stop) for every choice there."""
        model = self.journey.model
        _check_stages(model.stages, given, "probabilities")
        for name in given:
            if model.stages[name].is_terminal:
                raise SimulationError(f"stage '{name}' is terminal: nothing leaves it")
        choices: dict[str, list[tuple[float, Transition | None]]] = {}
        for name, stage in model.stages.items():
            if stage.is_terminal:
                continue
            # A timeout means staying quiet, as likely wherever it is written; an `anywhere`
            # one applies in every open stage but its own `to` (section 10).
            ways = [
                (t, _TIMEOUT if t.is_timeout else _MOVE if t.source else _ANYWHERE)
                for t in model.applying(stage)
            ]
            wanted = given.get(name)
            if wanted is None:
                listed = [(w, t) for t, w in ways if self._can_take(t)]
                choices[name] = [*listed, (_END, None)]
                continue
            targets = [END, *dict.fromkeys(t.target for t, _ in ways)]
            for target in wanted:
                if target not in targets:
                    hint = did_you_mean(target, targets) or "choose from " + _quoted(targets)
                    raise SimulationError(
                        f"stage '{name}' has no transition to '{target}' in probabilities; {hint}"
                    )
            share = {t: sum(1 for way, _ in ways if way.target == t) for t in targets[1:]}
            label = f"probabilities of '{name}'"
            listed = [
                (_weight(label, wanted.get(t.target, 0.0)) / share[t.target], t)
                for t, _ in ways
                if self._can_take(t)
            ]
            choices[name] = [*listed, (_weight(label, wanted.get(END, 0.0)), None)]
        return choices

    def _can_take(self, transition: Transition) -> bool:
        return transition.is_timeout or any(
            self._makers[name].possible for name in transition.touchpoints
        )

    def _mean_delays(self, given: Mapping[str, timedelta | str]) -> dict[str, timedelta]:
        """Stage -> the mean wait before the next move there."""
        stages = self.journey.model.stages
        _check_stages(stages, given, "delays")
        delays = {}
        for name, stage in stages.items():
            waits = (t.wait for t in self.journey.model.applying(stage))
            timeouts = [wait for wait in waits if wait is not None]
            if name in given:
                delays[name] = _duration(f"the delay of '{name}'", given[name])
            elif stage.expected_duration is not None:
                delays[name] = stage.expected_duration / 2
            elif timeouts:
                delays[name] = min(timeouts) / 4
            else:
                delays[name] = timedelta(days=7)
        return delays


class _Walk:
    """One simulated customer: choices made where the engine says they are."""

    def __init__(
        self, simulation: Simulation, rng: random.Random, customer: str, at: datetime
    ) -> None:
        self.sim = simulation
        self.rng = rng
        self.customer = customer
        self.now = at
        self.journey = simulation.journey
        self.fields = simulation.journey.model.events
        self.state: CustomerState = simulation.journey.start(customer)
        self.records: list[dict[str, Any]] = []

    def live(self) -> None:
        """Enter, then move, wait or stop until the history ends."""
        sim, rng, stages = self.sim, self.rng, self.journey.model.stages
        weights, names = zip(*sim._entry, strict=True)
        entry = rng.choices(names, weights=weights)[0]
        traits = {k: rng.choice(v) for k, v in sim._traits.items() if rng.random() < 0.9}
        if not self._emit_touchpoint(entry, None, self.now, traits):
            return
        for _ in range(2 * sim.max_events):
            stage = self.state.stage
            if stage is None or stages[stage].is_terminal or len(self.records) >= sim.max_events:
                return
            choices = sim._choices[stage]
            if not any(weight for weight, _ in choices):
                return
            transition = rng.choices([t for _, t in choices], weights=[w for w, _ in choices])[0]
            if transition is None or not self._take(stage, transition):
                return
            if rng.random() < sim.actions and not self._act():
                return

    def _take(self, stage: str, transition: Transition) -> bool:
        """Take `transition` from `stage`; False when the history ends on the way."""
        rng, due = self.rng, self.state.due
        if transition.is_timeout:
            if due is None:
                return False
            moment = due + timedelta(seconds=rng.randint(1, 6 * 3600))
            if moment > self.sim.until:
                return False
            self.now = moment
            self.state = self.journey.advance(self.state, moment)
            return True
        names = [n for n in transition.touchpoints if self.sim._makers[n].possible]
        touchpoint = rng.choice(names)
        times = transition.times or 1
        room = (transition.within or timedelta(hours=1)) / (times + 1)
        gaps = [room * rng.uniform(0.05, 0.9) for _ in range(times - 1)]
        wait = timedelta(seconds=rng.expovariate(1.0) * self.sim._delays[stage].total_seconds())
        if due is not None:
            left = due - self.now
            span = sum(gaps, timedelta())
            if span > left / 2:  # squeeze the events in before the timeout
                gaps = [gap * (left / 2 / span) for gap in gaps]
                span = left / 2
            wait = min(wait, (left - span) * 0.9)
        at = self.now + max(_whole(wait), _SECOND)
        if rng.random() < self.sim.noise and not self._noise(at):
            return False
        extra = self.sim._event_conditions.get(id(transition))
        for gap in [timedelta(), *gaps]:
            at = max(at + _whole(gap), self.now + _SECOND)
            if not self._emit_touchpoint(touchpoint, extra, at, None):
                return False
        return True

    def _emit_touchpoint(
        self, name: str, extra: ConditionTree | None, at: datetime, traits: dict[str, Any] | None
    ) -> bool:
        touchpoint = self.sim._makers[name]
        attributes = touchpoint.make(self.rng, extra)
        if attributes is None:
            attributes = touchpoint.make(self.rng, None) or {}
        return self._emit(
            touchpoint.touchpoint.event, touchpoint.touchpoint.channel, attributes, at, traits
        )

    def _noise(self, before: datetime) -> bool:
        if not self.sim._noise_types:
            return True
        between = max(_whole((before - self.now) * self.rng.random()), _SECOND)
        channel = self.rng.choice(self.journey.model.channels)
        return self._emit(
            self.rng.choice(self.sim._noise_types), channel, {}, self.now + between, None
        )

    def _act(self) -> bool:
        """Record the best eligible action as performed, a little after the last event."""
        offered = self.journey.position(self.state).next_actions
        if not offered:
            return True
        action = offered[0]
        at = self.now + timedelta(seconds=self.rng.randint(60, 3600))
        attributes = {self.fields.action_attribute: action.action}
        return self._emit(self.fields.action_event, action.channel, attributes, at, None)

    def _emit(
        self,
        type_: str,
        channel: str,
        attributes: dict[str, Any],
        at: datetime,
        traits: dict[str, Any] | None,
    ) -> bool:
        """Write one record and step the customer through it; False past `until`."""
        if at > self.sim.until:
            return False
        fields = self.fields
        number = len(self.records) + 1
        record: dict[str, Any] = {
            fields.id: f"{self.customer}-{number:04d}",
            fields.customer: self.customer,
            fields.type: type_,
            fields.time: format_timestamp(at),
            fields.channel: channel,
            **attributes,
        }
        if traits:
            record[fields.traits] = traits
        self.records.append(record)
        event = Event(
            self.customer, type_, at, record[fields.id], channel, attributes, traits or {}
        )
        self.state = self.journey.step(self.state, event)
        self.now = at
        return True


def _check_stages(stages: Mapping[str, Any], given: Mapping[str, Any], setting: str) -> None:
    for name in given:
        if name not in stages:
            hint = did_you_mean(name, stages) or "the stages are " + _quoted(stages)
            raise SimulationError(f"unknown stage '{name}' in {setting}; {hint}")


def _whole(span: timedelta) -> timedelta:
    """`span` cut to whole seconds: records' timestamps read `...:05Z`, not `...:05.25Z`."""
    return timedelta(seconds=int(span.total_seconds()))


def _given_traits(traits: Mapping[str, Sequence[Any]]) -> dict[str, list[Any]]:
    checked = {}
    for name, choices in traits.items():
        if isinstance(choices, (str, bytes)) or not isinstance(choices, Sequence) or not choices:
            raise SimulationError(f"trait '{name}' must list the values to pick from")
        checked[name] = list(choices)
    return checked


def _weight(what: str, value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not value >= 0:
        raise SimulationError(f"the weights in {what} must be numbers of 0 or more (got {value!r})")
    return float(value)


def _chance(what: str, value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= 1:
        raise SimulationError(f"'{what}' must be a number from 0 to 1 (got {value!r})")
    return float(value)


def _count(what: str, value: object, *, least: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < least:
        raise SimulationError(f"'{what}' must be a whole number of {least} or more (got {value!r})")
    return value


def _duration(what: str, value: timedelta | str) -> timedelta:
    found = parse_duration(value) if isinstance(value, str) else value
    if not isinstance(found, timedelta) or found <= timedelta():
        raise SimulationError(f"{what} must be a duration such as 7d or 36h (got {value!r})")
    return found


def _quoted(names: Sequence[str] | Mapping[str, Any]) -> str:
    return ", ".join(f"'{name}'" for name in names)

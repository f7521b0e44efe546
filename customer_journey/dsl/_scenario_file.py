"""Scenario files (spec section 9): acceptance tests for a journey, written as data.

This module only reads: YAML text in, an immutable `ScenarioFile` out, every mistake a
located `Problem` raised together in one `JourneyError`. Running the scenarios against a
journey is `customer_journey.testing`'s job. Naive timestamps are read in the timezone the
caller passes (the journey's), so the runner parses once it knows the journey.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta, timezone, tzinfo
from types import MappingProxyType
from typing import Any

import attrs

from customer_journey._durations import LONGEST_TEXT, is_too_long, parse_duration
from customer_journey._timestamps import parse_timestamp
from customer_journey.dsl._hints import Hints
from customer_journey.dsl._scenario_values import (
    GOAL_STATUSES,
    expectation_error,
    format_value,
    frozen,
    kind_of_value,
)
from customer_journey.dsl._yaml import Locator, Path, parse_yaml
from customer_journey.errors import JourneyError, Location, Problem
from customer_journey.model import EMPTY, Event

__all__ = [
    "EXPECTATION_KEYS",
    "GOAL_STATUSES",
    "SCENARIO_CUSTOMER",
    "Assignment",
    "Expectation",
    "Scenario",
    "ScenarioFile",
    "format_value",
    "parse_scenario_file",
    "read_scenario_file",
]

#: The customer id a scenario's events carry unless it names its own `customer`.
SCENARIO_CUSTOMER = "customer"

#: Every key `expect` may hold, in the order the spec lists them.
EXPECTATION_KEYS = (
    "stage",
    "phase",
    "path",
    "terminal",
    "goals",
    "next_action",
    "next_actions",
    "not_next_actions",
    "suppressed",
    "friction",
    "no_friction",
    "arms",
)


_FILE_KEYS = ("journey", "as_of", "scenarios")
_SCENARIO_KEYS = ("name", "customer", "assign", "as_of", "events", "expect")
_EVENT_FIELDS = ("type", "at", "id", "channel", "traits")
_EXAMPLE_TIME = "2026-01-01T10:00:00Z"


@attrs.frozen
class Expectation:
    """One `expect` entry: what `key` must be after the replay.

    Attributes:
        key: one of `EXPECTATION_KEYS`.
        value: as written, with lists as tuples and mappings read-only.
        location: where the key is written.
    """

    key: str
    value: Any
    location: Location | None


@attrs.frozen
class Assignment:
    """One entry of a scenario's `assign`: the arm forced in an experiment.

    Attributes:
        experiment: the experiment, as written.
        arm: the arm forced.
        location: where the experiment's key is written.
        arm_location: where the arm is written.
    """

    experiment: str
    arm: str
    location: Location | None
    arm_location: Location | None


@attrs.frozen
class Scenario:
    """One named scenario: a customer's events and what must be true afterwards.

    Attributes:
        name: the scenario's name (unique in its file).
        location: where its list item starts.
        events: the events, in the order written, for customer `customer`.
        as_of: its own `as_of`, else the file's, else None (the latest event time).
        expect: the expectations, in the order written.
        customer: the customer id (its experiment arms follow from it), by default
            `SCENARIO_CUSTOMER`.
        assign: the arms forced, in the order written.
    """

    name: str
    location: Location | None
    events: tuple[Event, ...]
    as_of: datetime | None
    expect: tuple[Expectation, ...]
    customer: str = SCENARIO_CUSTOMER
    assign: tuple[Assignment, ...] = ()

    @property
    def arms(self) -> dict[str, str]:
        """The forced arms: experiment -> arm."""
        return {assignment.experiment: assignment.arm for assignment in self.assign}


@attrs.frozen
class ScenarioFile:
    """A parsed scenario file.

    Attributes:
        source: the name used in locations (usually the file's path).
        journey_path: the `journey` key as written, relative to the scenario file.
        journey_location: where the `journey` value is written.
        as_of: the file's default `as_of`, or None.
        scenarios: in file order.
        named: every expectation and assignment read, those of scenarios with other
            mistakes too, so that the names they use are checked against the journey in
            the same round as the file's structure.
    """

    source: str
    journey_path: str
    journey_location: Location | None
    as_of: datetime | None
    scenarios: tuple[Scenario, ...]
    named: tuple[Expectation | Assignment, ...] = ()


def parse_scenario_file(text: str, *, source: str, timezone: tzinfo = timezone.utc) -> ScenarioFile:
    """Read a scenario file, reporting every mistake at once.

    Args:
        text: the file's content.
        source: the name used in locations.
        timezone: the zone naive timestamps are read in (the journey's).

    Raises:
        JourneyError: with a located problem for each mistake.
    """
    scenario_file, problems = read_scenario_file(text, source=source, timezone=timezone)
    if problems or scenario_file is None:
        raise JourneyError(problems)
    return scenario_file


def read_scenario_file(
    text: str, *, source: str, timezone: tzinfo = timezone.utc
) -> tuple[ScenarioFile | None, list[Problem]]:
    """Read a scenario file as far as it goes: what could be read, and every mistake.

    The file comes back despite mistakes when its `journey` could be read, holding the
    scenarios without mistakes and, in `named`, every expectation and assignment read,
    so that a caller can check their names against the journey and report all the
    file's mistakes at once. Problems are sorted by place.
    """
    data, locator, problems = parse_yaml(text, source=source)
    if problems:
        return None, problems
    reader = _Reader(locator, timezone)
    scenario_file = reader.file(data)
    return scenario_file, sorted(reader.problems, key=_position)


class _Reader:
    """Walks the plain data of a scenario file, collecting problems as it goes."""

    def __init__(self, locator: Locator, zone: tzinfo) -> None:
        self.locator = locator
        self.zone = zone
        self.problems: list[Problem] = []
        self.hints = Hints()
        self.named: list[Expectation | Assignment] = []

    def problem(
        self, path: Path, code: str, message: str, *, at_key: bool = False, hint: str | None = None
    ) -> None:
        where = self.locator.key(path) if at_key else self.locator.nearest(path)
        self.problems.append(Problem(where, code, message, hint))

    def unknown_keys(self, data: Mapping[Any, Any], path: Path, known: tuple[str, ...]) -> None:
        for key in data:
            if key not in known:
                hint = self.hints.closest(str(key), known)
                tail = f"; {hint}" if hint else f"; expected one of {', '.join(known)}"
                self.problem((*path, key), "unknown-key", f"unknown key '{key}'{tail}", at_key=True)

    def required(self, data: Mapping[Any, Any], path: Path, key: str, what: str) -> Any:
        """`data[key]`, or None with a problem when it is missing or empty."""
        if data.get(key) is None:
            where = (*path, key) if key in data else path
            self.problem(where, "missing-key", f"{what} has no '{key}'; add it", at_key=True)
            return None
        return data[key]

    def file(self, data: Any) -> ScenarioFile | None:
        if not isinstance(data, Mapping):
            self.problem(
                (),
                "bad-type",
                "a scenario file must be a mapping with 'journey' and "
                f"'scenarios' (got {kind_of_value(data)})",
            )
            return None
        self.unknown_keys(data, (), _FILE_KEYS)
        journey = self.required(data, (), "journey", "the scenario file")
        if journey is not None and not isinstance(journey, str):
            self.problem(
                ("journey",),
                "bad-type",
                f"'journey' must be the journey file's path (got {format_value(journey)})",
            )
        as_of = self.timestamp(data.get("as_of"), ("as_of",))
        scenarios = self.required(data, (), "scenarios", "the scenario file")
        parsed: list[Scenario] = []
        if scenarios is not None and (not isinstance(scenarios, list) or not scenarios):
            self.problem(
                ("scenarios",),
                "bad-type",
                f"'scenarios' must be a list of scenarios (got {kind_of_value(scenarios)})",
            )
        elif scenarios:
            names: dict[str, int] = {}
            for index, item in enumerate(scenarios):
                scenario = self.scenario(item, ("scenarios", index), as_of)
                if scenario is None:
                    continue
                if scenario.name in names:
                    self.problem(
                        ("scenarios", index, "name"),
                        "duplicate-scenario",
                        f"duplicate scenario name '{scenario.name}' (first at line "
                        f"{names[scenario.name]}); give each scenario its own name",
                    )
                else:
                    names[scenario.name] = scenario.location.line if scenario.location else 0
                parsed.append(scenario)
        if not isinstance(journey, str):
            return None
        return ScenarioFile(
            source=self.locator.source,
            journey_path=journey,
            journey_location=self.locator.value(("journey",)),
            as_of=as_of,
            scenarios=tuple(parsed),
            named=tuple(self.named),
        )

    def scenario(self, data: Any, path: Path, default_as_of: datetime | None) -> Scenario | None:
        if not isinstance(data, Mapping):
            self.problem(
                path,
                "bad-type",
                "each scenario must be a mapping with 'name', "
                f"'events' and 'expect' (got {kind_of_value(data)})",
            )
            return None
        self.unknown_keys(data, path, _SCENARIO_KEYS)
        what = f"scenario {path[-1] + 1 if isinstance(path[-1], int) else path[-1]}"
        name = self.required(data, path, "name", what)
        if name is not None and (not isinstance(name, str) or not name.strip()):
            self.problem(
                (*path, "name"),
                "bad-type",
                f"'name' must be a sentence saying what the scenario shows (got "
                f"{format_value(name)})",
            )
            name = None
        what = f"scenario '{name}'" if name else what
        as_of = self.timestamp(data.get("as_of"), (*path, "as_of"))
        customer = self.customer(data.get("customer", SCENARIO_CUSTOMER), (*path, "customer"))
        assign = self.assign(data.get("assign"), (*path, "assign"))
        events = self.events(self.required(data, path, "events", what), (*path, "events"))
        expect = self.expectations(self.required(data, path, "expect", what), (*path, "expect"))
        if name is None or events is None or expect is None or customer is None:
            return None
        if assign is None:
            return None
        return Scenario(
            name=name,
            location=self.locator.value(path),
            events=tuple(event._replace(customer=customer) for event in events),
            as_of=default_as_of if as_of is None else as_of,
            expect=expect,
            customer=customer,
            assign=assign,
        )

    def customer(self, value: Any, path: Path) -> str | None:
        """The scenario's customer id: text, or a whole number read as its digits."""
        if isinstance(value, int) and not isinstance(value, bool):
            return str(value)
        if isinstance(value, str) and value.strip():
            return value
        self.bad(path[:-1], "customer", "a customer id such as viewer-1", value)
        return None

    def assign(self, data: Any, path: Path) -> tuple[Assignment, ...] | None:
        """The forced arms (experiment -> arm); None when the mapping is malformed."""
        if data is None:
            return ()
        must_be = "a mapping of experiments to arms, such as { trial_offer: discount }"
        if not isinstance(data, Mapping) or not data:
            self.bad(path[:-1], "assign", must_be, data)
            return None
        found: list[Assignment] = []
        for experiment, arm in data.items():
            if not isinstance(experiment, str) or not isinstance(arm, str):
                self.bad(path[:-1], "assign", must_be, data)
                return None
            assignment = Assignment(
                experiment,
                arm,
                self.locator.key((*path, experiment)),
                self.locator.value((*path, experiment)),
            )
            found.append(assignment)
            self.named.append(assignment)
        return tuple(found)

    def timestamp(self, value: Any, path: Path, *, written: str | None = None) -> datetime | None:
        """Read a time; `written` is how it was written when `value` was worked out."""
        if value is None:
            return None
        try:
            return parse_timestamp(value, self.zone)
        except ValueError as error:  # out of the supported range, too
            got = format_value(value) if written is None else written
            self.problem(path, "bad-timestamp", f"'{path[-1]}' must be a time (got {got}); {error}")
            return None

    def events(self, data: Any, path: Path) -> tuple[Event, ...] | None:
        if data is None:
            return None
        if not isinstance(data, list) or not data:
            self.problem(
                path,
                "bad-type",
                "'events' must be a list of events such as "
                f"- {{ type: page.viewed, at: {_EXAMPLE_TIME} }} (got {kind_of_value(data)})",
            )
            return None
        events: list[Event] = []
        previous: datetime | None = None
        broken = False
        for index, item in enumerate(data):
            at = self.event_time(item, (*path, index), previous, first=index == 0)
            event = self.event(item, (*path, index), at)
            previous = at
            broken = broken or event is None
            if event is not None:
                events.append(event)
        return None if broken else tuple(events)

    def event_time(
        self, data: Any, path: Path, previous: datetime | None, *, first: bool
    ) -> datetime | None:
        """Resolve `at`: absolute, or `+DURATION` after the previous event."""
        if not isinstance(data, Mapping) or data.get("at") is None:
            return None
        at = data["at"]
        if not (isinstance(at, str) and at.startswith("+")):
            return self.timestamp(at, (*path, "at"))
        delay: timedelta | None = parse_duration(at[1:])
        if is_too_long(at[1:]):
            self.problem(
                (*path, "at"),
                "bad-duration",
                f"'at' must be at most +{LONGEST_TEXT} after the previous event (got {at})",
                hint="split the scenario, or give the event an absolute time",
            )
        elif delay is None:
            self.problem(
                (*path, "at"),
                "bad-duration",
                "'at' must be a timestamp such as "
                f"{_EXAMPLE_TIME} or +DURATION such as +1h or +2d (got {at})",
            )
        elif first:
            self.problem(
                (*path, "at"),
                "bad-timestamp",
                f"the first event needs an absolute 'at' such as {_EXAMPLE_TIME} (got {at})",
            )
        elif previous is not None:
            # A time in range plus at most 100 years is a datetime; `timestamp` checks that
            # it is in range too.
            return self.timestamp(previous + delay, (*path, "at"), written=at)
        return None

    def event(self, data: Any, path: Path, at: datetime | None) -> Event | None:
        if not isinstance(data, Mapping):
            self.problem(
                path,
                "bad-type",
                "each event must be a mapping such as "
                f"{{ type: page.viewed, at: {_EXAMPLE_TIME} }} (got {kind_of_value(data)})",
            )
            return None
        ok = at is not None
        for key in ("type", "at"):
            if data.get(key) is None:
                self.problem(path, "missing-key", f"the event has no '{key}'; add it")
                ok = False
        event_type: Any = data.get("type")
        event_id = data.get("id")
        if event_type is not None and not isinstance(event_type, str):
            ok = self.bad(path, "type", "the event type, such as page.viewed", event_type)
        if event_id is not None and (
            isinstance(event_id, bool) or not isinstance(event_id, (str, int))
        ):
            ok = self.bad(path, "id", "text or a number", event_id)
        channel, traits = data.get("channel"), data.get("traits", EMPTY)
        if channel is not None and not isinstance(channel, str):
            ok = self.bad(path, "channel", "a channel name", channel)
        if not isinstance(traits, Mapping):
            ok = self.bad(path, "traits", "a mapping of trait names to values", traits)
        if not ok or at is None:
            return None
        attributes = {str(k): v for k, v in data.items() if k not in _EVENT_FIELDS}
        return Event(
            customer=SCENARIO_CUSTOMER,
            type=event_type,
            at=at,
            id=None if event_id is None else str(event_id),
            channel=channel,
            attributes=MappingProxyType(attributes) if attributes else EMPTY,
            traits=MappingProxyType(dict(traits)) if traits else EMPTY,
        )

    def bad(self, path: Path, key: str, must_be: str, value: Any, hint: str | None = None) -> bool:
        """Report that `key` must be `must_be`; returns False so callers can mark failure."""
        message = f"'{key}' must be {must_be} (got {format_value(value)})"
        self.problem((*path, key), "bad-type", message, hint=hint)
        return False

    def expectations(self, data: Any, path: Path) -> tuple[Expectation, ...] | None:
        if data is None:
            return None
        if not isinstance(data, Mapping) or not data:
            self.problem(
                path,
                "bad-type",
                "'expect' must say what should be true, such as "
                f"{{ stage: considering }} (got {kind_of_value(data)})",
            )
            return None
        self.unknown_keys(data, path, EXPECTATION_KEYS)
        found: list[Expectation] = []
        for key, value in data.items():
            if key not in EXPECTATION_KEYS:
                continue
            must_be = expectation_error(key, value)
            if must_be:
                hint = "remove it to allow friction" if key == "no_friction" else None
                self.bad(path, key, must_be, value, hint)
                continue
            found.append(Expectation(key, frozen(value), self.locator.key((*path, key))))
        self.named.extend(found)
        return tuple(found) if len(found) == len(data) else None


def _position(problem: Problem) -> tuple[int, int]:
    """Sort key: problems in the order of the file (all of them have a location here)."""
    location = problem.location
    return (location.line, location.column) if location else (0, 0)

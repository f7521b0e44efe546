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
from customer_journey.dsl._yaml import Locator, Path, parse_yaml
from customer_journey.errors import JourneyError, Location, Problem
from customer_journey.model import EMPTY, SUPPRESSION_REASONS, Event

__all__ = [
    "EXPECTATION_KEYS",
    "GOAL_STATUSES",
    "SCENARIO_CUSTOMER",
    "Expectation",
    "Scenario",
    "ScenarioFile",
    "format_value",
    "parse_scenario_file",
]

#: The customer id every scenario's events carry.
SCENARIO_CUSTOMER = "scenario"

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
)

GOAL_STATUSES = ("reached", "missed", "pending")

_FILE_KEYS = ("journey", "as_of", "scenarios")
_SCENARIO_KEYS = ("name", "as_of", "events", "expect")
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
class Scenario:
    """One named scenario: a customer's events and what must be true afterwards.

    Attributes:
        name: the scenario's name (unique in its file).
        location: where its list item starts.
        events: the events, in the order written, for customer `SCENARIO_CUSTOMER`.
        as_of: its own `as_of`, else the file's, else None (the latest event time).
        expect: the expectations, in the order written.
    """

    name: str
    location: Location | None
    events: tuple[Event, ...]
    as_of: datetime | None
    expect: tuple[Expectation, ...]


@attrs.frozen
class ScenarioFile:
    """A parsed scenario file.

    Attributes:
        source: the name used in locations (usually the file's path).
        journey_path: the `journey` key as written, relative to the scenario file.
        journey_location: where the `journey` value is written.
        as_of: the file's default `as_of`, or None.
        scenarios: in file order.
    """

    source: str
    journey_path: str
    journey_location: Location | None
    as_of: datetime | None
    scenarios: tuple[Scenario, ...]


def parse_scenario_file(text: str, *, source: str, timezone: tzinfo = timezone.utc) -> ScenarioFile:
    """Read a scenario file, reporting every mistake at once.

    Args:
        text: the file's content.
        source: the name used in locations.
        timezone: the zone naive timestamps are read in (the journey's).

    Raises:
        JourneyError: with a located problem for each mistake.
    """
    data, locator, problems = parse_yaml(text, source=source)
    if problems:
        raise JourneyError(problems)
    reader = _Reader(locator, timezone)
    scenario_file = reader.file(data)
    if reader.problems or scenario_file is None:
        raise JourneyError(sorted(reader.problems, key=_position))
    return scenario_file


def format_value(value: Any) -> str:
    """Spell a YAML value the way a marketer wrote it, never with a Python type name."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(format_value(item) for item in value) + "]"
    if isinstance(value, Mapping):
        return "{" + ", ".join(f"{key}: {format_value(item)}" for key, item in value.items()) + "}"
    return str(value)


class _Reader:
    """Walks the plain data of a scenario file, collecting problems as it goes."""

    def __init__(self, locator: Locator, zone: tzinfo) -> None:
        self.locator = locator
        self.zone = zone
        self.problems: list[Problem] = []
        self.hints = Hints()

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
                f"'scenarios' (got {_kind(data)})",
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
                f"'scenarios' must be a list of scenarios (got {_kind(scenarios)})",
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
        )

    def scenario(self, data: Any, path: Path, default_as_of: datetime | None) -> Scenario | None:
        if not isinstance(data, Mapping):
            self.problem(
                path,
                "bad-type",
                "each scenario must be a mapping with 'name', "
                f"'events' and 'expect' (got {_kind(data)})",
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
        events = self.events(self.required(data, path, "events", what), (*path, "events"))
        expect = self.expectations(self.required(data, path, "expect", what), (*path, "expect"))
        if name is None or events is None or expect is None:
            return None
        return Scenario(
            name=name,
            location=self.locator.value(path),
            events=events,
            as_of=default_as_of if as_of is None else as_of,
            expect=expect,
        )

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
                f"- {{ type: page.viewed, at: {_EXAMPLE_TIME} }} (got {_kind(data)})",
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
                f"{{ type: page.viewed, at: {_EXAMPLE_TIME} }} (got {_kind(data)})",
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
                f"{{ stage: considering }} (got {_kind(data)})",
            )
            return None
        self.unknown_keys(data, path, EXPECTATION_KEYS)
        found: list[Expectation] = []
        for key, value in data.items():
            if key not in EXPECTATION_KEYS:
                continue
            must_be = _expectation_error(key, value)
            if must_be:
                hint = "remove it to allow friction" if key == "no_friction" else None
                self.bad(path, key, must_be, value, hint)
                continue
            found.append(Expectation(key, _frozen(value), self.locator.key((*path, key))))
        return tuple(found) if len(found) == len(data) else None


def _position(problem: Problem) -> tuple[int, int]:
    """Sort key: problems in the order of the file (all of them have a location here)."""
    location = problem.location
    return (location.line, location.column) if location else (0, 0)


def _names(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(item, str) for item in value)


def _name_or_null(value: Any) -> bool:
    return value is None or isinstance(value, str)


def _mapping_to(value: Any, allowed: tuple[str, ...]) -> bool:
    return isinstance(value, Mapping) and all(
        isinstance(key, str) and item in allowed for key, item in value.items()
    )


def _expectation_error(key: str, value: Any) -> str | None:
    """Say what `value` must be for expectation `key`, or None when it is fine."""
    rules: dict[str, tuple[bool, str]] = {
        "stage": (_name_or_null(value), "a stage name, or null for not in the journey"),
        "phase": (_name_or_null(value), "a phase name, or null for no phase"),
        "path": (_names(value), "the list of stages entered, such as [aware, considering]"),
        "terminal": (isinstance(value, bool), "true or false"),
        "goals": (
            _mapping_to(value, GOAL_STATUSES),
            "a mapping of goal names to reached, missed or pending",
        ),
        "next_action": (_name_or_null(value), "an action id, or null for no action"),
        "next_actions": (_names(value), "a list of action ids, such as [call_back]"),
        "not_next_actions": (_names(value), "a list of action ids, such as [call_back]"),
        "suppressed": (
            _mapping_to(value, SUPPRESSION_REASONS),
            "a mapping of action ids to if, cooldown, max, contact_policy or consent",
        ),
        "friction": (_names(value), "a list of friction kinds or labels, such as [stalled]"),
        "no_friction": (value is True, "true"),
    }
    valid, must_be = rules[key]
    return None if valid else must_be


def _frozen(value: Any) -> Any:
    """Lists become tuples and mappings read-only, so expectations stay immutable."""
    if isinstance(value, list):
        return tuple(_frozen(item) for item in value)
    if isinstance(value, Mapping):
        return MappingProxyType({key: _frozen(item) for key, item in value.items()})
    return value


def _kind(value: Any) -> str:
    """Name the shape of a wrong value in marketer's words."""
    if isinstance(value, list):
        return "an empty list" if not value else "a list"
    if isinstance(value, Mapping):
        return "an empty mapping" if not value else "a mapping"
    return "nothing" if value is None else format_value(value)

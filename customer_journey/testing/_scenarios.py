"""Running scenario files: replay each scenario and compare what it expects with the result.

Each expectation key of section 9 has one check function in `CHECKS`.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Mapping
from datetime import timezone
from pathlib import Path
from typing import Any

import attrs

from customer_journey._file_access import read_text
from customer_journey._suggest import did_you_mean
from customer_journey._timestamps import format_timestamp
from customer_journey.dsl import (
    WHOLE_FILE_CODES,
    Assignment,
    Expectation,
    Scenario,
    ScenarioFile,
    format_value,
    read_scenario_file,
)
from customer_journey.engine import ReplayResult
from customer_journey.errors import JourneyError, Location, Problem
from customer_journey.journey import Journey, load
from customer_journey.model import JourneyModel

__all__ = [
    "CHECKS",
    "FRICTION_KINDS",
    "Failure",
    "ScenarioFileResult",
    "ScenarioResult",
    "describe_trace",
    "load_scenario_file",
    "run_scenario",
    "run_scenario_file",
]

#: The kinds of friction point (spec section 7); `friction` expectations name these or labels.
FRICTION_KINDS = ("stalled", "declared", "regression", "timeout", "churned")

#: A check returns whether `expected` holds for the result, and the actual value to show.
Check = Callable[[ReplayResult, Any], tuple[bool, Any]]


def _equal(actual: Any, expected: Any) -> tuple[bool, Any]:
    return actual == expected, actual


def _check_goals(result: ReplayResult, expected: Mapping[str, str]) -> tuple[bool, Any]:
    """Only the goals the scenario lists are compared."""
    actual = {
        goal: result.goals[goal].status if goal in result.goals else None for goal in expected
    }
    return actual == dict(expected), actual


def _action_ids(result: ReplayResult) -> tuple[str, ...]:
    return tuple(recommendation.action for recommendation in result.next_actions)


def _check_next_actions(result: ReplayResult, expected: tuple[str, ...]) -> tuple[bool, Any]:
    """The ranked list begins with these ids, in this order."""
    actual = _action_ids(result)
    return actual[: len(expected)] == tuple(expected), actual


def _check_not_next_actions(result: ReplayResult, expected: tuple[str, ...]) -> tuple[bool, Any]:
    """None of these ids is offered."""
    actual = _action_ids(result)
    return not set(actual).intersection(expected), actual


def _check_suppressed(result: ReplayResult, expected: Mapping[str, str]) -> tuple[bool, Any]:
    """Each listed action is held back for that reason word; others are not compared."""
    reasons = {held.action: held.reason for held in result.suppressed}
    actual = {action: reasons.get(action) for action in expected}
    return actual == dict(expected), actual


def _check_arms(result: ReplayResult, expected: Mapping[str, str]) -> tuple[bool, Any]:
    """Each listed experiment gives the customer that arm; others are not compared."""
    actual = {experiment: result.arms.get(experiment) for experiment in expected}
    return actual == dict(expected), actual


def _friction_names(result: ReplayResult) -> tuple[str, ...]:
    return tuple(f"{point.kind}: {point.label}" for point in result.friction)


def _check_friction(result: ReplayResult, expected: tuple[str, ...]) -> tuple[bool, Any]:
    """Each listed kind or label is among the customer's friction points."""
    present: set[str] = {point.kind for point in result.friction}
    present.update(point.label for point in result.friction)
    return present.issuperset(expected), _friction_names(result)


def _check_no_friction(result: ReplayResult, _expected: bool) -> tuple[bool, Any]:  # noqa: FBT001 - `no_friction: true` is the only form
    return not result.friction, _friction_names(result)


#: Expectation key -> check, one per key of section 9.
CHECKS: Mapping[str, Check] = {
    "stage": lambda result, expected: _equal(result.stage, expected),
    "phase": lambda result, expected: _equal(result.phase, expected),
    "path": lambda result, expected: _equal(tuple(result.stages_entered), expected),
    "terminal": lambda result, expected: _equal(result.is_terminal, expected),
    "goals": _check_goals,
    "next_action": lambda result, expected: _equal(result.next_action, expected),
    "next_actions": _check_next_actions,
    "not_next_actions": _check_not_next_actions,
    "suppressed": _check_suppressed,
    "friction": _check_friction,
    "no_friction": _check_no_friction,
    "arms": _check_arms,
}


@attrs.frozen
class Failure:
    """An expectation that did not hold.

    Attributes:
        key: the expectation key.
        expected: what the scenario expects.
        actual: what the replay gave (None when the key could not be checked).
        location: where the expectation is written.
        message: why the key could not be checked, when it could not.
    """

    key: str
    expected: Any
    actual: Any
    location: Location | None
    message: str | None = None

    def describe(self) -> str:
        """Say what went wrong, with the place it is written."""
        where = f"{self.location}: " if self.location else ""
        if self.message:
            return f"{where}{self.message}"
        expected, actual = format_value(self.expected), format_value(self.actual)
        return f"{where}{self.key}: expected {expected}, got {actual}"


@attrs.frozen
class ScenarioResult:
    """The outcome of one scenario.

    Attributes:
        scenario: the scenario run.
        passed: every expectation held.
        failures: the expectations that did not, in the order written.
        result: the replay, with its trace.
    """

    scenario: Scenario
    passed: bool
    failures: tuple[Failure, ...]
    result: ReplayResult

    def describe(self) -> str:
        """`PASS name`, or `FAIL name` with the place, each failure and the replay trace."""
        head = f"{'PASS' if self.passed else 'FAIL'} {self.scenario.name}"
        if self.passed:
            return head
        lines = [head]
        if self.scenario.location:
            lines.append(f"  at {self.scenario.location}")
        lines.extend(f"  {failure.describe()}" for failure in self.failures)
        lines.extend(f"  {line}" for line in describe_trace(self.result))
        return "\n".join(lines)


@attrs.frozen
class ScenarioFileResult:
    """The outcomes of every scenario of one file.

    Attributes:
        scenario_file: the parsed file.
        journey: the journey its scenarios ran against.
        results: one per scenario, in file order.
    """

    scenario_file: ScenarioFile
    journey: Journey
    results: tuple[ScenarioResult, ...]

    @property
    def passed(self) -> bool:
        """Every scenario passed."""
        return all(result.passed for result in self.results)

    @property
    def failed(self) -> tuple[ScenarioResult, ...]:
        """The scenarios that failed."""
        return tuple(result for result in self.results if not result.passed)


def describe_trace(result: ReplayResult) -> list[str]:
    """A replay's trace for a report: a heading with `as_of`, then one line per step.

    The result must come from a replay asked to trace; without a trace it reads as a
    replay with no events.
    """
    lines = [f"trace, as of {format_timestamp(result.as_of)}:"]
    steps = result.trace or ()
    lines.extend(f"  {format_timestamp(step.at)}  {step.describe()}" for step in steps)
    if not steps:
        lines.append("  no events at or before as_of")
    return lines


def run_scenario(journey: Journey, scenario: Scenario) -> ScenarioResult:
    """Replay one scenario (with a trace, its arms forced) and check its expectations."""
    result = journey.replay(
        scenario.events,
        as_of=scenario.as_of,
        customer=scenario.customer,
        trace=True,
        assign=scenario.arms,
    )
    failures = tuple(
        failure
        for expectation in scenario.expect
        if (failure := _check(result, expectation)) is not None
    )
    return ScenarioResult(scenario, not failures, failures, result)


def run_scenario_file(path: str | os.PathLike[str]) -> ScenarioFileResult:
    """Load a scenario file and its journey, and run every scenario.

    Raises:
        JourneyError: the scenario file or its journey has mistakes.
        DataFileError: a file cannot be read, or is not UTF-8 text.
    """
    scenario_file, journey = load_scenario_file(path)
    results = tuple(run_scenario(journey, scenario) for scenario in scenario_file.scenarios)
    return ScenarioFileResult(scenario_file, journey, results)


def load_scenario_file(path: str | os.PathLike[str]) -> tuple[ScenarioFile, Journey]:
    """Read a scenario file and load the journey it names (relative to the file).

    Naive timestamps in the scenarios are read in the journey's timezone, and names in
    expectations and `assign` (stages, goals, actions, experiments, arms...) must exist
    in the journey. Mistakes in the file's structure and in its names are reported
    together, in one round.

    Raises:
        JourneyError: the scenario file or its journey has mistakes.
        DataFileError: a file cannot be read, or is not UTF-8 text.
    """
    scenario_path = Path(path)
    text = read_text(os.fspath(path))
    source = str(path)
    scenario_file, problems = read_scenario_file(text, source=source)
    if scenario_file is None:
        raise JourneyError(problems)
    journey_path = scenario_path.parent / scenario_file.journey_path
    if not journey_path.is_file():
        problem = Problem(
            scenario_file.journey_location,
            "missing-journey",
            f"journey file '{scenario_file.journey_path}' not found (looked for {journey_path})",
        )
        raise JourneyError(_in_order([*problems, problem]))
    try:
        journey = load(journey_path)
    except JourneyError as error:
        # A file that is no journey at all is reported where the scenario file names it:
        # its own lines may hold anything, and are neither located nor quoted.
        whole = [p for p in error.problems if p.code in WHOLE_FILE_CODES]
        if whole:
            moved = attrs.evolve(whole[0], location=scenario_file.journey_location)
            raise JourneyError(_in_order([*problems, moved])) from None
        raise
    if journey.timezone is not timezone.utc and not problems:
        scenario_file, problems = read_scenario_file(text, source=source, timezone=journey.timezone)
        assert scenario_file is not None  # the same text read the same way above
    problems += [
        problem for named in scenario_file.named for problem in _unknown_names(journey.model, named)
    ]
    if problems:
        raise JourneyError(_in_order(problems))
    return scenario_file, journey


def _in_order(problems: list[Problem]) -> list[Problem]:
    """Problems by place in the scenario file (those without a place first)."""
    return sorted(
        problems, key=lambda p: (p.location.line, p.location.column) if p.location else (0, 0)
    )


def _check(result: ReplayResult, expectation: Expectation) -> Failure | None:
    key, expected = expectation.key, expectation.value
    passed, actual = CHECKS[key](result, expected)
    return None if passed else Failure(key, expected, actual, expectation.location)


def _unknown_names(model: JourneyModel, named: Expectation | Assignment) -> Iterable[Problem]:
    """Problems for names in an expectation or assignment that the journey does not have."""
    if isinstance(named, Assignment):
        yield from _unknown_arm(model, "assign", named.experiment, named.arm, assignment=named)
        return
    expectation = named
    key, value = expectation.key, expectation.value
    if key == "arms":
        for experiment, arm in value.items():
            yield from _unknown_arm(model, key, experiment, arm, location=expectation.location)
        return
    known = _known_names(model, key)
    if known is None:
        return
    kind, choices = known
    names = value.keys() if isinstance(value, Mapping) else (value,)
    for name in names:
        for item in name if isinstance(name, tuple) else (name,):
            if item is None or item in choices:
                continue
            hint = did_you_mean(item, choices)
            tail = f"; {hint}" if hint else ""
            message = f"unknown {kind} '{item}' in '{key}'{tail}"
            yield Problem(expectation.location, f"unknown-{kind}", message)


def _unknown_arm(
    model: JourneyModel,
    key: str,
    experiment: str,
    arm: str,
    *,
    assignment: Assignment | None = None,
    location: Location | None = None,
) -> Iterable[Problem]:
    """A problem when `experiment` or its `arm` is not the journey's, in `key`.

    An assignment's problems are at the experiment's key or at the arm; an expectation's
    at its `arms` key.
    """
    experiments = model.experiments
    if experiment not in experiments:
        hint = did_you_mean(experiment, experiments)
        tail = f"; {hint}" if hint else ""
        where = assignment.location if assignment else location
        message = f"unknown experiment '{experiment}' in '{key}'{tail}"
        yield Problem(where, "unknown-experiment", message)
        return
    arms = experiments[experiment].arms
    if arm not in arms:
        hint = did_you_mean(arm, arms)
        tail = f"; {hint}" if hint else ""
        where = assignment.arm_location if assignment else location
        message = f"unknown arm '{arm}' of experiment '{experiment}' in '{key}'{tail}"
        yield Problem(where, "unknown-arm", message)


def _known_names(model: JourneyModel, key: str) -> tuple[str, tuple[str, ...]] | None:
    """The kind of name an expectation key holds, and the names the journey has."""
    if key in ("stage", "path"):
        return "stage", tuple(model.stages)
    if key == "phase":
        return "phase", model.phases
    if key == "goals":
        return "goal", tuple(model.goals)
    if key in ("next_action", "next_actions", "not_next_actions", "suppressed"):
        stage_actions = (action for stage in model.stages.values() for action in stage.actions)
        return "action", tuple(dict.fromkeys(a.id for a in (*model.actions, *stage_actions)))
    if key == "friction":
        labels = (rule.label for stage in model.stages.values() for rule in stage.friction)
        return "friction", (*FRICTION_KINDS, *labels)
    return None

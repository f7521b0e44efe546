"""Assertions for test code: replay one customer, then check where they are, fluently.

`assert_journey(journey, events).at("checkout").reached("first_purchase")` replays once,
with a trace; each check returns the same object so checks chain, and a check that does
not hold raises `JourneyAssertionError` with what was expected, what the replay gave, and
what each event did. Names are checked against the journey first: a misspelt action is a
mistake in the test (`ValueError`), not a `does_not_offer` that can never fail.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from customer_journey._suggest import did_you_mean
from customer_journey.dsl import format_value
from customer_journey.engine import ReplayResult
from customer_journey.errors import CustomerJourneyError
from customer_journey.journey import Journey
from customer_journey.model import SUPPRESSION_REASONS, Event
from customer_journey.testing._scenarios import _known_names, describe_trace

__all__ = ["JourneyAssertion", "JourneyAssertionError", "assert_journey"]


class JourneyAssertionError(CustomerJourneyError, AssertionError):
    """A journey assertion did not hold.

    The message is `what: expected ..., got ...` followed by the replay trace.

    Attributes:
        what: what was checked: `stage`, `phase`, `path`, `goals`, `next_actions`,
            `suppressed`, `friction` or `arms` (the scenario files' words).
        expected: the value the test expected.
        actual: the value the replay gave.
        result: the traced replay.
    """

    code = "assertion-failed"

    def __init__(
        self,
        what: str,
        expected: Any,
        actual: Any,
        result: ReplayResult,
        *,
        wanted: str | None = None,
    ) -> None:
        self.what = what
        self.expected = expected
        self.actual = actual
        self.result = result
        head = f"{what}: expected {wanted or format_value(expected)}, got {format_value(actual)}"
        super().__init__("\n".join([head, *describe_trace(result)]))


def assert_journey(
    journey: Journey,
    events: Iterable[Event | Mapping[str, Any]],
    as_of: datetime | str | None = None,
    *,
    customer: str | None = None,
) -> JourneyAssertion:
    """Replay one customer's events (with a trace) for checks chained on the result.

    Arguments are those of `Journey.replay`.

    Raises:
        RecordError: a record cannot become an event.
        ValueError: the events belong to several customers, or there are no events and no
            `as_of`.
    """
    return JourneyAssertion(journey, journey.replay(events, as_of, customer=customer, trace=True))


class JourneyAssertion:
    """Checks on one replay; each returns this object, so they chain.

    Every check raises `JourneyAssertionError` when it does not hold, and `ValueError`
    when it names a stage, phase, goal, action or friction the journey does not have.

    Attributes:
        journey: the journey replayed.
        result: the replay, with its trace, for checks of your own.
    """

    __slots__ = ("journey", "result")

    def __init__(self, journey: Journey, result: ReplayResult) -> None:
        self.journey = journey
        self.result = result

    def __repr__(self) -> str:
        return f"<JourneyAssertion {self.result.customer!r} at {self.result.stage!r}>"

    def at(self, stage: str | None) -> JourneyAssertion:
        """The customer is in `stage` (None: not in the journey)."""
        __tracebackhide__ = True  # pytest shows the test's line, not this one
        self._known("stage", stage)
        return self._hold("stage", stage, self.result.stage, held=self.result.stage == stage)

    def in_phase(self, phase: str | None) -> JourneyAssertion:
        """The current stage is in `phase` (None: outside the lifecycle or the journey)."""
        __tracebackhide__ = True
        self._known("phase", phase)
        return self._hold("phase", phase, self.result.phase, held=self.result.phase == phase)

    def passed_through(self, *stages: str) -> JourneyAssertion:
        """The stages entered include these, in this order (others may come between)."""
        __tracebackhide__ = True
        if not stages:
            msg = "passed_through needs at least one stage"
            raise ValueError(msg)
        for stage in stages:
            self._known("stage", stage)
        entered = self.result.stages_entered
        remaining = iter(entered)
        held = all(stage in remaining for stage in stages)
        wanted = f"to pass through {format_value(stages)}" + (
            " in this order" if len(stages) > 1 else ""
        )
        return self._hold("path", stages, entered, wanted=wanted, held=held)

    def reached(self, goal: str) -> JourneyAssertion:
        """`goal` is reached."""
        __tracebackhide__ = True
        return self._goal(goal, "reached")

    def missed(self, goal: str) -> JourneyAssertion:
        """`goal` is missed (its window passed, or the journey ended without it)."""
        __tracebackhide__ = True
        return self._goal(goal, "missed")

    def offers(self, action: str) -> JourneyAssertion:
        """`action` is among the eligible next actions, at any rank."""
        __tracebackhide__ = True
        self._known("next_actions", action)
        offered = self._offered()
        wanted = f"to include {action}"
        return self._hold("next_actions", action, offered, wanted=wanted, held=action in offered)

    def does_not_offer(self, action: str) -> JourneyAssertion:
        """`action` is not among the eligible next actions (held back, or not a candidate)."""
        __tracebackhide__ = True
        self._known("next_actions", action)
        offered = self._offered()
        wanted = f"not to include {action}"
        return self._hold(
            "next_actions", action, offered, wanted=wanted, held=action not in offered
        )

    def suppressed(self, action: str, reason: str | None = None) -> JourneyAssertion:
        """`action` is a candidate held back, for `reason` when given (`if`, `cooldown`...)."""
        __tracebackhide__ = True
        self._known("suppressed", action)
        if reason is not None and reason not in SUPPRESSION_REASONS:
            msg = f"unknown reason '{reason}'; use one of {', '.join(SUPPRESSION_REASONS)}"
            raise ValueError(msg)
        reasons = {held.action: held.reason for held in self.result.suppressed}
        held = action in reasons and reason in (None, reasons[action])
        actual = [f"{name}: {why}" for name, why in reasons.items()]
        wanted = f"{action} held back" + (f" for {reason}" if reason else "")
        return self._hold("suppressed", action, actual, wanted=wanted, held=held)

    def in_arm(self, experiment: str, arm: str) -> JourneyAssertion:
        """The customer is in `arm` of `experiment` (section 10)."""
        __tracebackhide__ = True
        experiments = self.journey.model.experiments
        found = experiments.get(experiment)
        if found is None or arm not in found.arms:
            name, choices = (experiment, experiments) if found is None else (arm, found.arms)
            hint = did_you_mean(name, choices)
            what = f"experiment '{experiment}'"
            if found is not None:
                what = f"arm '{arm}' of {what}"
            tail = f"; {hint}" if hint else ""
            msg = f"unknown {what} in journey '{self.journey.name}'{tail}"
            raise ValueError(msg)
        actual = {experiment: self.result.arms.get(experiment)}
        return self._hold("arms", {experiment: arm}, actual, held=actual[experiment] == arm)

    def has_friction(self, kind_or_label: str) -> JourneyAssertion:
        """A friction point of this kind (`stalled`, `timeout`...) or rule label is present."""
        __tracebackhide__ = True
        self._known("friction", kind_or_label)
        points = self.result.friction
        present = any(kind_or_label in (point.kind, point.label) for point in points)
        wanted = f"to include {kind_or_label}"
        return self._hold("friction", kind_or_label, self._friction(), wanted=wanted, held=present)

    def has_no_friction(self) -> JourneyAssertion:
        """The customer has no friction point at all."""
        __tracebackhide__ = True
        friction = self._friction()
        return self._hold("friction", [], friction, wanted="none", held=not friction)

    def _goal(self, goal: str, status: str) -> JourneyAssertion:
        __tracebackhide__ = True
        self._known("goals", goal)
        status_now = self.result.goals.get(goal)
        actual = {goal: status_now.status if status_now else None}
        return self._hold("goals", {goal: status}, actual, held=actual[goal] == status)

    def _offered(self) -> list[str]:
        return [recommendation.action for recommendation in self.result.next_actions]

    def _friction(self) -> list[str]:
        return [f"{point.kind}: {point.label}" for point in self.result.friction]

    def _hold(
        self, what: str, expected: Any, actual: Any, *, held: bool, wanted: str | None = None
    ) -> JourneyAssertion:
        __tracebackhide__ = True
        if not held:
            raise JourneyAssertionError(what, expected, actual, self.result, wanted=wanted)
        return self

    def _known(self, key: str, name: str | None) -> None:
        """Raise `ValueError` when the journey has no such name (None is always allowed)."""
        known = _known_names(self.journey.model, key)
        if name is None or known is None:
            return
        kind, choices = known
        if name not in choices:
            hint = did_you_mean(name, choices)
            tail = f"; {hint}" if hint else ""
            msg = f"unknown {kind} '{name}' in journey '{self.journey.name}'{tail}"
            raise ValueError(msg)

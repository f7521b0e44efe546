"""The lint rules' codes and severities, and the one way to make a finding."""

from __future__ import annotations

from types import MappingProxyType

from customer_journey.errors import Location, Problem, Severity

__all__ = ["RULES", "problem"]

#: Every lint rule's code and severity, in the order of the lint reference. An error is
#: something that can never happen as written; a warning may be meant.
RULES = MappingProxyType(
    {
        "unreachable-stage": Severity.ERROR,
        "dead-end": Severity.WARNING,
        "shadowed-transition": Severity.ERROR,
        "unreachable-goal": Severity.ERROR,
        "action-never-eligible": Severity.ERROR,
        "unused-touchpoint": Severity.WARNING,
        "timeout-before-expected-duration": Severity.WARNING,
        "idle-after-timeout": Severity.ERROR,
        "condition-never-holds": Severity.ERROR,
        "condition-always-holds": Severity.WARNING,
        "impossible-transition": Severity.ERROR,
    }
)


def problem(code: str, location: Location | None, message: str, hint: str) -> Problem:
    """A lint finding, with the severity its rule has."""
    return Problem(location, code, message, hint, RULES[code])

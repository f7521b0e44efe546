"""Checking the values of a scenario file's expectations, and spelling values as written.

The scenario reader (`_scenario_file`) asks here what each expectation key must hold;
`format_value` spells a YAML value the way a marketer wrote it, for its messages and for
the reports of failed scenarios.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

from customer_journey.model import SUPPRESSION_REASONS

__all__ = ["GOAL_STATUSES", "expectation_error", "format_value", "frozen", "kind_of_value"]

GOAL_STATUSES = ("reached", "missed", "pending")


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


def _names(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(item, str) for item in value)


def _name_or_null(value: Any) -> bool:
    return value is None or isinstance(value, str)


def _mapping_to(value: Any, allowed: tuple[str, ...]) -> bool:
    return isinstance(value, Mapping) and all(
        isinstance(key, str) and item in allowed for key, item in value.items()
    )


def expectation_error(key: str, value: Any) -> str | None:
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
            "a mapping of action ids to holdout, if, cooldown, max, contact_policy, consent "
            "or send_window",
        ),
        "friction": (_names(value), "a list of friction kinds or labels, such as [stalled]"),
        "no_friction": (value is True, "true"),
        "arms": (
            isinstance(value, Mapping)
            and bool(value)
            and all(isinstance(k, str) and isinstance(v, str) for k, v in value.items()),
            "a mapping of experiments to arms, such as { trial_offer: discount }",
        ),
    }
    valid, must_be = rules[key]
    return None if valid else must_be


def frozen(value: Any) -> Any:
    """Lists become tuples and mappings read-only, so expectations stay immutable."""
    if isinstance(value, list):
        return tuple(frozen(item) for item in value)
    if isinstance(value, Mapping):
        return MappingProxyType({key: frozen(item) for key, item in value.items()})
    return value


def kind_of_value(value: Any) -> str:
    """Name the shape of a wrong value in marketer's words."""
    if isinstance(value, list):
        return "an empty list" if not value else "a list"
    if isinstance(value, Mapping):
        return "an empty mapping" if not value else "a mapping"
    return "nothing" if value is None else format_value(value)

"""Conditions read back from the text the model keeps beside them, for generating data.

The simulator, path generation and the hypothesis strategies all make event attributes and
traits that satisfy (or break) a journey's conditions. They read the conditions the same
way, from here: the `where` and `if` text parsed again, every condition text of a journey,
and attributes built from dotted paths.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from customer_journey.dsl import parse_yaml
from customer_journey.model import MISSING, JourneyModel

__all__ = ["condition_texts", "nest", "parse_condition"]


def parse_condition(text: str | None) -> Any:
    """A condition parsed back from its one-line text (`where_text`, `condition_text`).

    None when there is no text or it does not parse.
    """
    if not text:
        return None
    data, _locator, problems = parse_yaml(text, source="<condition>")
    return None if problems else data


def condition_texts(model: JourneyModel) -> list[str | None]:
    """The text of every `if` and consent condition of a journey.

    Consent first, then each stage's transitions, friction rules and actions, then the
    journey-level actions and the `anywhere` transitions.
    """
    texts: list[str | None] = [*model.consent_text.values()]
    for stage in model.stages.values():
        texts += [t.condition_text for t in stage.transitions]
        texts += [f.condition_text for f in stage.friction]
        texts += [a.condition_text for a in stage.actions]
    texts += [a.condition_text for a in model.actions]
    texts += [t.condition_text for t in model.anywhere]
    return texts


def nest(pairs: Iterable[tuple[str, Any]]) -> dict[str, Any]:
    """Attributes from (dotted path, value) pairs: `a.b` becomes `{"a": {"b": ...}}`.

    A `MISSING` value leaves its path out.
    """
    attributes: dict[str, Any] = {}
    for path, value in pairs:
        if value is MISSING:
            continue
        *parents, last = path.split(".")
        target = attributes
        for part in parents:
            inner = target.get(part)
            if not isinstance(inner, dict):
                inner = target[part] = {}
            target = inner
        target[last] = value
    return attributes

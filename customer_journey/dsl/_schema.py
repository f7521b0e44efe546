"""The journey file's JSON Schema, and its errors said in a marketer's words.

The schema (`journey.schema.json`, shipped in the package) gives editors completion and
catches the shape of a file: unknown keys, missing keys, wrong types, malformed durations.
Each validation error becomes a `Problem` at the node at fault; none is ever shown as a
schema dump. What the schema cannot say well (references between names, triggers, times
and windows) is left to the semantic checks in `_checks`.
"""

from __future__ import annotations

import functools
import json
import math
from collections.abc import Iterator, Mapping
from importlib import resources
from typing import TYPE_CHECKING, Any

from customer_journey._durations import DURATION_PATTERN
from customer_journey.dsl._hints import Hints
from customer_journey.dsl._yaml import Locator, Path
from customer_journey.errors import Problem

if TYPE_CHECKING:
    from jsonschema import Draft202012Validator, ValidationError

__all__ = ["describe", "journey_keys", "journey_schema", "schema_problems", "show"]

_TYPE_WORDS = {
    "string": "text",
    "number": "a number",
    "integer": "a whole number",
    "boolean": "true or false",
    "object": "a mapping",
    "array": "a list",
    "null": "empty",
}
_SPECIAL_TYPES = {
    ("string", "array"): "a touchpoint name or a list of touchpoint names",
    ("object", "null"): "a mapping",
}


def journey_schema() -> dict[str, Any]:
    """Return the JSON Schema (draft 2020-12) of journey files, as a fresh dict."""
    text = (
        resources.files("customer_journey.dsl")
        .joinpath("journey.schema.json")
        .read_text(encoding="utf-8")
    )
    schema: dict[str, Any] = json.loads(text)
    return schema


@functools.cache
def _schema() -> Mapping[str, Any]:
    """The schema, read once; never changed."""
    return journey_schema()


def journey_keys() -> frozenset[str]:
    """The keys a journey file may have at its top level."""
    return frozenset(_schema()["properties"])


@functools.cache
def _validator() -> Draft202012Validator:
    # Imported here: jsonschema costs more to import than the rest of the library, and
    # importing customer_journey must stay cheap (the pytest plugin loads it everywhere).
    from jsonschema import Draft202012Validator  # noqa: PLC0415

    return Draft202012Validator(_schema())


def show(value: object) -> str:  # noqa: PLR0911  # one return per kind of value reads best
    """Spell a value as the marketer wrote it, for `(got ...)` in messages."""
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return f"'{value}'"
    if isinstance(value, float) and math.isfinite(value) and value.is_integer():
        return str(int(value))
    if isinstance(value, Mapping):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return str(value)


def describe(path: Path, data: object) -> str:  # noqa: PLR0911  # one case per kind of mapping
    """Name the mapping at `path` the way a marketer would (`stage 'aware'`)."""
    owner = _at(data, path)
    name = path[-1] if path else None
    match path:
        case ():
            return "the journey file"
        case ("touchpoints", str()):
            return f"touchpoint '{name}'"
        case ("stages", str()):
            return f"stage '{name}'"
        case ("stages", str(stage), "transitions", int()):
            return f"a transition of stage '{stage}'"
        case ("anywhere", int()):
            return "an 'anywhere' transition"
        case ("stages", str(stage), "friction", int()):
            label = owner.get("label") if isinstance(owner, Mapping) else None
            return (
                f"friction rule '{label}'"
                if isinstance(label, str)
                else (f"a friction rule of stage '{stage}'")
            )
        case ("stages", str(), "actions", int()) | ("actions", int()):
            action = owner.get("id") if isinstance(owner, Mapping) else None
            if isinstance(action, str):
                return f"action '{action}'"
            return f"an action of stage '{path[1]}'" if len(path) > 2 else "a journey-level action"
        case ("goals", str()):
            return f"goal '{name}'"
        case ("contact_policy", str()):
            return f"the contact policy for '{name}'"
        case ("experiments", str()):
            return f"experiment '{name}'"
        case ("send_windows", str()):
            return f"the send window for '{name}'"
    return f"'{name}'"


def _at(data: object, path: Path) -> object:
    """Return the value at `path` in `data`, or None when the path leads nowhere."""
    for element in path:
        in_list = isinstance(data, list) and isinstance(element, int) and element < len(data)
        if not in_list and not (isinstance(data, Mapping) and element in data):
            return None
        data = data[element]  # type: ignore[index]  # checked just above
    return data


def _subject(path: Path) -> str:
    """The key a value belongs to, quoted (`'priority'`, `each item of 'entry'`)."""
    if not path:
        return "the journey file"
    if isinstance(path[-1], int):
        keys = [element for element in path if isinstance(element, str)]
        return f"each item of '{keys[-1]}'" if keys else "each item"
    return f"'{path[-1]}'"


def _allowed_keys(schema: Mapping[str, Any], root: Mapping[str, Any]) -> list[str]:
    """The keys a mapping may have under `schema`, following local `$ref`s."""
    keys = list(schema.get("properties", {}))
    ref = schema.get("$ref")
    if isinstance(ref, str) and ref.startswith("#/$defs/"):
        keys += _allowed_keys(root["$defs"][ref.removeprefix("#/$defs/")], root)
    return keys


def _expected(types: object) -> str:
    if isinstance(types, list):
        return _SPECIAL_TYPES.get(tuple(types), " or ".join(_TYPE_WORDS[t] for t in types))
    return _TYPE_WORDS[str(types)]


def _is_duration(schema: Mapping[str, Any]) -> bool:
    return schema.get("pattern") == DURATION_PATTERN


def _translate(
    error: ValidationError, data: object, locator: Locator, hints: Hints
) -> Iterator[Problem]:
    """Say one validation error as marketer-facing problems at the node at fault."""
    path: Path = tuple(error.absolute_path)
    schema: Mapping[str, Any] = error.schema if isinstance(error.schema, Mapping) else {}
    instance: Any = error.instance
    kind = error.validator
    expects: Any = error.validator_value
    if kind in ("additionalProperties", "unevaluatedProperties"):
        allowed = _allowed_keys(schema, _schema())
        for key in instance:
            if key not in allowed:
                yield Problem(
                    locator.key((*path, key)),
                    "unknown-key",
                    f"unknown key {show(key)} in {describe(path, data)}",
                    hints.closest(str(key), allowed),
                )
    elif kind == "required":
        for key in expects:
            if key not in instance:
                yield Problem(
                    locator.key(path), "missing-key", f"{describe(path, data)} needs '{key}'"
                )
    elif _is_duration(schema) and kind in ("type", "pattern"):
        yield Problem(
            locator.value(path),
            "bad-duration",
            f"{_subject(path)} must be a duration such as 7d or 36h (got {show(instance)})",
        )
    elif kind == "type" and "propertyNames" in error.schema_path:
        # A name that YAML read as a number, true/false or empty: its key is at fault.
        yield Problem(
            locator.key((*path, instance)),
            "bad-type",
            f"the name {show(instance)} must be text",
            f'put it in quotes: "{instance}"',
        )
    elif kind == "type":
        expected = _expected(expects)
        subject = describe(path, data) if expected == "a mapping" else _subject(path)
        yield Problem(
            locator.value(path),
            "bad-type",
            f"{subject} must be {expected} (got {show(instance)})",
        )
    elif kind == "minimum":
        yield Problem(
            locator.value(path),
            "bad-value",
            f"{_subject(path)} must be at least {expects} (got {show(instance)})",
        )
    elif kind in ("minItems", "minProperties"):
        yield Problem(locator.value(path), "bad-value", f"{_subject(path)} must not be empty")
    else:
        yield Problem(locator.nearest(path), "bad-value", f"{_subject(path)} is not valid here")


def schema_problems(data: object, locator: Locator, hints: Hints) -> list[Problem]:
    """Validate `data` against the journey schema; return every error as a located problem."""
    problems = (
        problem
        for error in _validator().iter_errors(data)
        for problem in _translate(error, data, locator, hints)
    )
    return list(dict.fromkeys(problems))

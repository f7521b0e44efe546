"""The shipped JSON Schema: valid draft 2020-12, documented, and accepting the reference."""

from __future__ import annotations

from typing import Any

import jsonschema
import pytest

from customer_journey._durations import DURATION_PATTERN
from customer_journey.dsl import journey_schema, parse_yaml


def test_the_schema_is_valid_draft_2020_12_with_an_id() -> None:
    schema = journey_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["$id"].endswith("/journey.schema.json")


def test_the_schema_accepts_the_reference_journey(retail_text: str) -> None:
    data, _, problems = parse_yaml(retail_text, source="retail.journey.yaml")
    assert problems == []
    errors = list(jsonschema.Draft202012Validator(journey_schema()).iter_errors(data))
    assert errors == []


def test_durations_use_the_parsers_pattern() -> None:
    assert journey_schema()["$defs"]["duration"]["pattern"] == DURATION_PATTERN


def test_journey_schema_returns_a_fresh_copy_each_time() -> None:
    schema = journey_schema()
    schema["title"] = "changed"
    assert journey_schema()["title"] != "changed"


def _keys_of(schema: dict[str, Any], name: str) -> dict[str, Any]:
    node = schema["$defs"][name]
    return dict(node.get("properties", {}))


@pytest.mark.parametrize(
    "where",
    [
        "top level",
        "events",
        "touchpoint",
        "stage",
        "transition",
        "friction",
        "actionProperties",
        "journeyAction",
        "goal",
        "contactPolicy",
    ],
)
def test_every_key_has_a_title_and_a_description(where: str) -> None:
    schema = journey_schema()
    if where == "top level":
        keys = schema["properties"]
    elif where == "events":
        keys = schema["properties"]["events"]["properties"]
    else:
        keys = _keys_of(schema, where)
    assert keys
    undocumented = [key for key, value in keys.items() if not value.get("description")]
    untitled = [key for key, value in keys.items() if not value.get("title")]
    assert (undocumented, untitled) == ([], [])


def test_the_top_level_keys_are_the_specifications() -> None:
    assert list(journey_schema()["properties"]) == [
        "journey",
        "version",
        "title",
        "description",
        "timezone",
        "events",
        "phases",
        "channels",
        "touchpoints",
        "stages",
        "anywhere",
        "goals",
        "actions",
        "contact_policy",
        "consent",
        "experiments",
        "send_windows",
    ]

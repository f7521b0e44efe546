"""Reading YAML: 1.2 scalars, duplicate keys, syntax errors and node locations."""

from __future__ import annotations

import math

import pytest

from customer_journey.dsl import Locator, parse_yaml
from customer_journey.errors import Location


def parse(text: str) -> tuple[object, Locator, list[str]]:
    data, locator, problems = parse_yaml(text, source="f.yaml")
    return data, locator, [str(problem) for problem in problems]


@pytest.mark.parametrize(
    ("written", "value"),
    [
        ("on", "on"),
        ("off", "off"),
        ("yes", "yes"),
        ("no", "no"),
        ("y", "y"),
        ("n", "n"),
        ("12:30", "12:30"),
        ("1:20:30", "1:20:30"),
        ("2026-01-01", "2026-01-01"),
        ("2026-01-01T10:00:00Z", "2026-01-01T10:00:00Z"),
        ("1_000", "1_000"),
        ("7d", "7d"),
        ("true", True),
        ("True", True),
        ("FALSE", False),
        ("~", None),
        ("null", None),
        ("NULL", None),
        ("", None),
        ("42", 42),
        ("-7", -7),
        ("+5", 5),
        ("0o17", 15),
        ("0x1F", 31),
        ("1.5", 1.5),
        ("1e3", 1000.0),
        (".5", 0.5),
        (".inf", math.inf),
        ("-.Inf", -math.inf),
        ("'true'", "true"),
        ('"42"', "42"),
        ("!!str 42", "42"),
    ],
)
def test_plain_scalars_follow_the_yaml_1_2_core_schema(written: str, value: object) -> None:
    data, _, problems = parse(f"key: {written}\n")
    assert problems == []
    assert data == {"key": value}
    assert type(data["key"]) is type(value)


def test_nan_is_a_float() -> None:
    data, _, _ = parse("key: .NaN\n")
    assert math.isnan(data["key"])


def test_a_duplicate_key_is_reported_at_the_second_key_and_the_first_value_is_kept() -> None:
    data, _, problems = parse("a: 1\nb:\n  c: 2\n  c: 3\na: 4\n")
    assert data == {"a": 1, "b": {"c": 2}}
    assert problems == [
        "f.yaml:4:3: duplicate key 'c' (first at line 3) [duplicate-key]",
        "f.yaml:5:1: duplicate key 'a' (first at line 1) [duplicate-key]",
    ]


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        (
            "a: b: c\n",
            "f.yaml:1:5: mapping values are not allowed here; "
            "put a space after each ':' and quote text that contains ': ' [yaml-syntax]",
        ),
        (
            "a:\n\t- b\n",
            "f.yaml:2:1: found character '\\t' that cannot start any token; "
            "indent with spaces, not tabs [yaml-syntax]",
        ),
        (
            "a: [1, 2\n",
            "f.yaml:2:1: expected ',' or ']', but got the end of the file "
            "(while parsing a flow sequence at line 1) [yaml-syntax]",
        ),
        (
            "a: *nowhere\n",
            "f.yaml:1:4: found undefined alias 'nowhere'; "
            "define the anchor ('&name') before using it ('*name') [yaml-syntax]",
        ),
        (
            "a: 1\n---\nb: 2\n",
            "f.yaml:2:1: expected a single document in the stream, but found another document; "
            "keep one journey per file, without '---' between parts [yaml-syntax]",
        ),
        (
            "a: \x07\n",
            "f.yaml:1:4: the file contains a character YAML does not allow ('\\x07') [yaml-syntax]",
        ),
    ],
)
def test_a_syntax_error_is_one_problem_at_the_parsers_mark(text: str, problem: str) -> None:
    data, _, problems = parse(text)
    assert data is None
    assert problems == [problem]


def test_tags_that_would_construct_objects_are_refused() -> None:
    data, _, problems = parse("a: !!python/object:os.system ls\n")
    assert data == {"a": "ls"}
    assert problems == [
        "f.yaml:1:4: unsupported tag '!!python/object:os.system'; remove it [yaml-syntax]"
    ]


def test_an_empty_document_is_none_without_problems() -> None:
    assert parse("# nothing\n")[0::2] == (None, [])


def test_aliases_and_merge_keys_resolve_with_the_keys_written_in_the_mapping_winning() -> None:
    data, _, problems = parse("base: &b {x: 1, y: 2}\nm:\n  <<: *b\n  y: 3\nc: *b\n")
    assert problems == []
    assert data == {"base": {"x": 1, "y": 2}, "m": {"x": 1, "y": 3}, "c": {"x": 1, "y": 2}}


def test_an_alias_inside_its_own_anchor_is_reported() -> None:
    _, _, problems = parse("a: &x [*x]\n")
    assert problems == [
        "f.yaml:1:4: an alias ('*name') cannot refer to the block it is inside [yaml-syntax]"
    ]


def test_the_locator_finds_values_keys_and_the_nearest_ancestor() -> None:
    _, locator, _ = parse("stages:\n  aware:\n    entry: [visit, ad]\n")
    assert locator.value(("stages", "aware", "entry", 1)) == Location("f.yaml", 3, 20)
    assert locator.key(("stages", "aware", "entry")) == Location("f.yaml", 3, 5)
    assert locator.value(("stages", "aware")) == Location("f.yaml", 3, 5)
    assert locator.key(("stages", "aware")) == Location("f.yaml", 2, 3)
    assert locator.key(("stages", "aware", "entry", 0)) == Location("f.yaml", 3, 13)
    assert locator.value(("stages", "missing")) is None
    assert locator.nearest(("stages", "missing", "to")) == Location("f.yaml", 2, 3)
    assert locator.value(()) == Location("f.yaml", 1, 1)


def test_the_locator_gives_a_scalar_exactly_as_written() -> None:
    data, locator, _ = parse("version: 1.10\n")
    assert data == {"version": 1.1}
    assert locator.text(("version",)) == "1.10"


def test_a_locator_without_a_document_knows_no_places() -> None:
    locator = Locator("<mapping>")
    assert locator.value(("a",)) is None
    assert locator.nearest(("a", 1)) is None

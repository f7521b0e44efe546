"""Output that is safe to open: no live spreadsheet formulas, strict JSON, no terminal codes."""

from __future__ import annotations

import csv
import io
import json
import math
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import Result

from customer_journey.cli import _replay
from customer_journey.cli._output import format_problems, json_text
from customer_journey.cli._positions import csv_cell
from customer_journey.errors import Location, Problem

Run = Callable[..., Result]

FORMULAS = ['=HYPERLINK("http://x","y")', "+1+2", "-2+3", "@SUM(A1)", "\tx", "\rx"]


def write_jsonl(path: Path, records: list[dict[str, Any]]) -> str:
    path.write_text("".join(json.dumps(record) + "\n" for record in records), encoding="utf-8")
    return path.name


# CSV injection --------------------------------------------------------------------------------


def test_csv_positions_neutralise_every_cell_that_starts_like_a_formula(
    run: Run, workdir: Path
) -> None:
    records = [
        {"customer_id": name, "type": "page.viewed", "timestamp": "2026-01-01T09:00:00Z"}
        for name in [*FORMULAS, "c1", "a=b"]
    ]
    events = write_jsonl(workdir / "events.jsonl", records)
    result = run("replay", "shop.journey.yaml", events, "--format", "csv")
    assert result.exit_code == 0, result.stderr
    customers = [row[0] for row in csv.reader(io.StringIO(result.stdout, newline=""))][1:]
    assert sorted(customers) == sorted([*("'" + name for name in FORMULAS), "c1", "a=b"])


@pytest.mark.parametrize(
    ("value", "cell"),
    [
        ("=1+1", "'=1+1"),
        ("-3", "'-3"),
        ("c-1", "c-1"),
        ("", ""),
        (-3, -3),
        (-2.5, -2.5),
    ],
)
def test_only_text_cells_are_neutralised_numbers_stay_numbers(value: object, cell: object) -> None:
    assert csv_cell(value) == cell


# Strict JSON ----------------------------------------------------------------------------------


def strict(text: str) -> Any:
    """Parse JSON as RFC 8259 has it: `NaN`, `Infinity` and `-Infinity` are errors."""

    def refuse(constant: str) -> None:
        raise ValueError(f"not JSON: {constant}")

    return json.loads(text, parse_constant=refuse)


def test_json_text_writes_numbers_that_are_not_finite_as_null() -> None:
    value = {"a": math.nan, "b": [math.inf, -math.inf, 1.5], "c": {"d": (math.nan,)}}
    assert json_text(value) == '{"a": null, "b": [null, null, 1.5], "c": {"d": [null]}}'


def test_json_text_escapes_controls_json_would_leave_raw() -> None:
    assert json_text(["\x7f\x9b\u2028\u202e é\x1b"]) == r'["\u007f\u009b\u2028\u202e é\u001b"]'


@pytest.fixture
def nan_events(workdir: Path) -> str:
    """Events whose traits hold NaN and infinities, as Parquet keeps them."""
    readers = pytest.importorskip("customer_journey.readers")
    pytest.importorskip("pyarrow")
    records = [
        {
            "customer_id": "c1",
            "type": "page.viewed",
            "timestamp": "2026-01-01T09:00:00Z",
            "traits": {"score": math.nan, "reach": math.inf},
        },
        {
            "customer_id": "c1",
            "type": "cart.added",
            "timestamp": "2026-01-01T10:00:00Z",
            "traits": {"score": -math.inf, "reach": 1.0},
        },
    ]
    readers.write_parquet(records, workdir / "events.parquet")
    return "events.parquet"


@pytest.mark.parametrize(
    "arguments",
    [
        ["explain", "shop.journey.yaml", "EVENTS", "--customer", "c1", "--format", "json"],
        ["analyze", "shop.journey.yaml", "EVENTS", "--json", "-"],
        ["analyze", "shop.journey.yaml", "EVENTS", "--by", "customer.score", "--json", "-"],
        ["compare", "shop.journey.yaml", "shop.journey.yaml", "EVENTS", "--json", "-"],
        ["validate", "--format", "json", "shop.journey.yaml"],
        ["lint", "--format", "json", "shop.journey.yaml"],
        ["schema"],
    ],
    ids=["explain", "analyze", "analyze-by", "compare", "validate", "lint", "schema"],
)
def test_every_json_output_is_strict_json(run: Run, nan_events: str, arguments: list[str]) -> None:
    result = run(*[nan_events if argument == "EVENTS" else argument for argument in arguments])
    assert result.exit_code in (0, 1), result.stderr
    assert strict(result.stdout) is not None


def test_the_explain_json_has_null_where_the_data_had_nan(run: Run, nan_events: str) -> None:
    result = run("explain", "shop.journey.yaml", nan_events, "--customer", "c1", "--format", "json")
    assert result.exit_code == 0, result.stderr
    first = strict(result.stdout)["trace"][0]
    assert first["event"]["traits"] == {"score": None, "reach": None}


def test_jsonl_positions_and_rejects_are_strict_json(
    run: Run, workdir: Path, nan_events: str
) -> None:
    (workdir / "more.jsonl").write_text(
        '{"customer_id": "c2", "type": "page.viewed", "timestamp": "2026-01-01T09:00:00Z"}\n'
        '{"customer_id": "c3", "type": "page.viewed", "amount": NaN}\n',
        encoding="utf-8",
    )
    result = run(
        "replay", "shop.journey.yaml", "more.jsonl", "--format", "jsonl", "--rejects", "r.jsonl"
    )
    assert result.exit_code == 0, result.stderr
    assert [strict(line)["customer"] for line in result.stdout.splitlines()] == ["c2"]
    rejected = [strict(line) for line in (workdir / "r.jsonl").read_text().splitlines()]
    assert [rejection["row"] for rejection in rejected] == [2]


def test_simulated_records_and_coverage_are_strict_json(run: Run, workdir: Path) -> None:
    (workdir / "nan.yaml").write_text(
        "customers: 2\ntraits: { score: [.nan, .inf] }\n", encoding="utf-8"
    )
    result = run("simulate", "shop.journey.yaml", "--config", "nan.yaml")
    assert result.exit_code == 0, result.stderr
    records = [strict(line) for line in result.stdout.splitlines()]
    assert {record["traits"]["score"] for record in records if "traits" in record} == {None}
    covered = run("test", "shop.scenarios.yaml", "--coverage-json", "coverage.json")
    assert covered.exit_code == 0, covered.stderr
    assert strict((workdir / "coverage.json").read_text(encoding="utf-8"))["percent"] >= 0


# Names are shown, never obeyed ------------------------------------------------------------------

EVIL = """\
journey: evil
touchpoints:
  visit: { event: page.viewed, channel: web }
stages:
  "[bold]a\\nb\\e]0;pwned\\a":
    entry: [visit]
    transitions:
      - { to: "\\tnowhere\\e[31m", when: visit }
"""
MESSAGE = (
    "evil.yaml:8:15: unknown stage '\\tnowhere\\x1b[31m'; the journey's stages are "
    "'[bold]a\\nb\\x1b]0;pwned\\x07' [unknown-stage]"
)


@pytest.fixture
def evil(workdir: Path) -> str:
    (workdir / "evil.yaml").write_text(EVIL, encoding="utf-8")
    return "evil.yaml"


def test_parsable_problems_spell_out_control_characters_in_names(run: Run, evil: str) -> None:
    result = run("validate", "--format", "parsable", evil)
    assert result.exit_code == 1
    assert result.stdout == MESSAGE + "\n"


def test_human_problems_spell_out_control_characters_and_keep_the_caret_in_place(
    run: Run, evil: str
) -> None:
    result = run("validate", evil)
    assert result.exit_code == 1
    assert result.stdout == (
        f"{MESSAGE}\n"
        '    8 |       - { to: "\\tnowhere\\e[31m", when: visit }\n'
        "      |               ^\n"
    )


def test_github_annotations_spell_out_control_characters_in_names(run: Run, evil: str) -> None:
    result = run("validate", "--format", "github", evil)
    assert result.exit_code == 1
    assert result.stdout == (
        "::error file=evil.yaml,line=8,col=15::unknown stage '\\tnowhere\\x1b[31m'; the "
        "journey's stages are '[bold]a\\nb\\x1b]0;pwned\\x07' [unknown-stage]\n"
    )


def test_a_parsable_line_with_a_raw_control_in_its_source_line_is_one_line() -> None:
    problem = Problem(Location("a\nb.yaml", 1, 3), "bad-type", "x\x1b[2Jy\u2028z", None)
    assert format_problems([problem], "parsable") == "a\\nb.yaml:1:3: x\\x1b[2Jy\\u2028z [bad-type]"


def test_a_caret_under_a_tab_points_at_the_column(tmp_path: Path) -> None:
    source = tmp_path / "j.yaml"
    source.write_text("a:\tb\n", encoding="utf-8")
    problem = Problem(Location(str(source), 1, 4), "bad-type", "bad", None)
    text = format_problems([problem], "human", quotable={str(source)})
    assert text.splitlines()[1:] == ["    1 | a:\\tb", "      |     ^"]


@pytest.fixture
def evil_stages(workdir: Path) -> str:
    (workdir / "markup.yaml").write_text(
        "journey: markup\n"
        "touchpoints:\n"
        "  visit: { event: page.viewed, channel: web }\n"
        "stages:\n"
        '  "[bold red]a\\e[31m":\n'
        "    entry: [visit]\n",
        encoding="utf-8",
    )
    write_jsonl(
        workdir / "events.jsonl",
        [{"customer_id": "x\x1b[2J\ny", "type": "page.viewed", "timestamp": "2026-01-01"}],
    )
    return "markup.yaml"


def test_the_replay_table_and_summary_spell_out_controls_in_ids_and_names(
    run: Run, evil_stages: str
) -> None:
    result = run("replay", evil_stages, "events.jsonl")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines()[1].startswith("x\\x1b[2J\\ny  [bold red]a\\x1b[31m  -  ")
    assert "\n[bold red]a\\x1b[31m           1\n" in result.stderr


def test_the_rich_summary_shows_markup_in_names_as_written(
    run: Run, evil_stages: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(_replay, "stderr_is_terminal", lambda: True)
    result = run("replay", evil_stages, "events.jsonl")
    assert result.exit_code == 0, result.stderr
    assert "│ [bold red]a\\x1b[31m  │         1 │" in result.stderr
    assert "\x1b" not in result.stderr


def test_explain_text_spells_out_controls_in_the_customer_id(run: Run, evil_stages: str) -> None:
    result = run("explain", evil_stages, "events.jsonl", "--customer", "x\x1b[2J\ny")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines()[0] == "customer x\\x1b[2J\\ny, as of 2026-01-01T00:00:00Z"


# No file content in errors ----------------------------------------------------------------------


def test_problems_quote_lines_only_of_the_files_named_as_journeys(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("password: hunter2\n", encoding="utf-8")
    problem = Problem(Location(str(secret), 1, 1), "bad-type", "not a journey", None)
    assert format_problems([problem], "human") == f"{secret}:1:1: not a journey [bad-type]"
    quoted = format_problems([problem], "human", quotable={str(secret)})
    assert quoted.splitlines()[1] == "    1 | password: hunter2"


def test_a_settings_file_that_is_not_yaml_is_not_quoted_in_the_error(
    run: Run, workdir: Path
) -> None:
    (workdir / "secret.yaml").write_text("token: [hunter2\n", encoding="utf-8")
    result = run("simulate", "shop.journey.yaml", "--config", "secret.yaml")
    assert result.exit_code == 3
    assert result.stderr.startswith("secret.yaml:")
    assert "hunter2" not in result.stderr

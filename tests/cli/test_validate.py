"""`customer-journey validate`: every problem of every file, in four formats."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import Result

Run = Callable[..., Result]

BAD = """\
journey: x
touchpoints:
  visit: { event: page.viewed, channel: webb }
stages:
  a:
    entry: [vist]
"""


@pytest.fixture
def bad(workdir: Path) -> str:
    (workdir / "bad.yaml").write_text(BAD, encoding="utf-8")
    return "bad.yaml"


def test_a_valid_journey_says_ok_with_its_size(run: Run) -> None:
    result = run("validate", "shop.journey.yaml")
    assert result.exit_code == 0
    assert result.stdout == "shop.journey.yaml: ok (journey 'shop': 3 stages, 3 touchpoints)\n"
    assert result.stderr == ""


def test_human_format_quotes_the_line_with_a_caret_under_the_column(run: Run, bad: str) -> None:
    result = run("validate", "shop.journey.yaml", bad)
    assert result.exit_code == 1
    assert result.stdout == (
        "shop.journey.yaml: ok (journey 'shop': 3 stages, 3 touchpoints)\n"
        "bad.yaml:3:41: unknown channel 'webb'; did you mean 'web'? [unknown-channel]\n"
        "    3 |   visit: { event: page.viewed, channel: webb }\n"
        "      |                                         ^\n"
        "bad.yaml:6:13: unknown touchpoint 'vist'; did you mean 'visit'? [unknown-touchpoint]\n"
        "    6 |     entry: [vist]\n"
        "      |             ^\n"
    )


def test_parsable_format_is_one_line_per_problem(run: Run, bad: str) -> None:
    result = run("validate", "--format", "parsable", "shop.journey.yaml", bad)
    assert result.exit_code == 1
    assert result.stdout == (
        "bad.yaml:3:41: unknown channel 'webb'; did you mean 'web'? [unknown-channel]\n"
        "bad.yaml:6:13: unknown touchpoint 'vist'; did you mean 'visit'? [unknown-touchpoint]\n"
    )


def test_github_format_writes_annotations(run: Run, bad: str) -> None:
    result = run("validate", "--format", "github", bad)
    assert result.exit_code == 1
    assert result.stdout == (
        "::error file=bad.yaml,line=3,col=41::unknown channel 'webb'; did you mean 'web'? "
        "[unknown-channel]\n"
        "::error file=bad.yaml,line=6,col=13::unknown touchpoint 'vist'; did you mean "
        "'visit'? [unknown-touchpoint]\n"
    )


def test_json_format_lists_every_file_and_problem(run: Run, bad: str) -> None:
    result = run("validate", "--format", "json", "shop.journey.yaml", bad)
    assert result.exit_code == 1
    assert json.loads(result.stdout) == {
        "valid": False,
        "files": [
            {
                "file": "shop.journey.yaml",
                "valid": True,
                "journey": "shop",
                "error": None,
                "problems": [],
            },
            {
                "file": "bad.yaml",
                "valid": False,
                "journey": None,
                "error": None,
                "problems": [
                    {
                        "source": "bad.yaml",
                        "line": 3,
                        "column": 41,
                        "severity": "error",
                        "code": "unknown-channel",
                        "message": "unknown channel 'webb'",
                        "hint": "did you mean 'web'?",
                    },
                    {
                        "source": "bad.yaml",
                        "line": 6,
                        "column": 13,
                        "severity": "error",
                        "code": "unknown-touchpoint",
                        "message": "unknown touchpoint 'vist'",
                        "hint": "did you mean 'visit'?",
                    },
                ],
            },
        ],
    }


def test_a_missing_file_is_an_input_error_and_the_others_are_still_checked(run: Run) -> None:
    result = run("validate", "nowhere.yaml", "shop.journey.yaml")
    assert result.exit_code == 3
    assert result.stderr == "error: cannot read 'nowhere.yaml': no such file\n"
    assert result.stdout == "shop.journey.yaml: ok (journey 'shop': 3 stages, 3 touchpoints)\n"


def test_a_directory_or_a_binary_file_cannot_be_read(run: Run, workdir: Path) -> None:
    (workdir / "binary.yaml").write_bytes(b"\xff\xfe\x00")
    result = run("validate", ".", "binary.yaml")
    assert result.exit_code == 3
    assert result.stderr == (
        "error: cannot read '.': it is a directory\n"
        "error: cannot read 'binary.yaml': it is not UTF-8 text (byte 0xff at line 1, "
        "column 1); save it as UTF-8\n"
    )


def test_validate_needs_a_file(run: Run) -> None:
    result = run("validate")
    assert result.exit_code == 2
    assert "Missing argument 'FILE...'" in result.stderr

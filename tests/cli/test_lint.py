"""`customer-journey lint`: findings in four formats, and exit codes by severity."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import Result

Run = Callable[..., Result]

SUSPICIOUS = """\
journey: x
touchpoints:
  visit: { event: page.viewed, channel: web }
  help: { event: ticket.opened, channel: support }
stages:
  browsing:
    entry: visit
    terminal: true
  forgotten:
    terminal: true
"""

UNUSED = "unused.yaml:4:3: touchpoint 'help' is never used: no entry, transition, friction rule "
UNUSED += "or condition names it; use it in 'entry', a transition's 'when', a friction rule or "
UNUSED += "a 'count.' condition, or remove it [unused-touchpoint]"

FORGOTTEN = "bad.yaml:9:3: no customer can reach stage 'forgotten': it has no 'entry' and no "
FORGOTTEN += "transition leads to it; add 'entry' to it or a transition 'to: forgotten' from a "
FORGOTTEN += "stage customers reach, or remove it [unreachable-stage]"


@pytest.fixture
def bad(workdir: Path) -> str:
    """A journey with an error (an unreachable stage) and a warning (an unused touchpoint)."""
    (workdir / "bad.yaml").write_text(SUSPICIOUS, encoding="utf-8")
    return "bad.yaml"


@pytest.fixture
def unused(workdir: Path) -> str:
    """A journey whose only finding is a warning."""
    text = SUSPICIOUS.replace("  forgotten:\n    terminal: true\n", "")
    (workdir / "unused.yaml").write_text(text, encoding="utf-8")
    return "unused.yaml"


def test_a_clean_journey_says_ok_and_exits_0(run: Run) -> None:
    result = run("lint", "shop.journey.yaml")
    assert (result.exit_code, result.stdout, result.stderr) == (0, "shop.journey.yaml: ok\n", "")


def test_human_format_quotes_each_finding_and_counts_errors_and_warnings(
    run: Run, bad: str
) -> None:
    result = run("lint", bad)
    assert result.exit_code == 1
    assert result.stdout == (
        f"{UNUSED.replace('unused.yaml', 'bad.yaml')}\n"
        "    4 |   help: { event: ticket.opened, channel: support }\n"
        "      |   ^\n"
        f"{FORGOTTEN}\n"
        "    9 |   forgotten:\n"
        "      |   ^\n"
        "bad.yaml: 1 error, 1 warning\n"
    )


def test_warnings_alone_exit_0(run: Run, unused: str) -> None:
    result = run("lint", "--format", "parsable", unused)
    assert (result.exit_code, result.stdout) == (0, f"{UNUSED}\n")


def test_strict_fails_on_warnings_too(run: Run, unused: str) -> None:
    assert run("lint", "--strict", unused).exit_code == 1


def test_json_format_is_one_list_of_every_file_s_problems(run: Run, bad: str) -> None:
    result = run("lint", "--format", "json", "shop.journey.yaml", bad)
    assert result.exit_code == 1
    problems = json.loads(result.stdout)
    assert [(p["line"], p["column"], p["severity"], p["code"]) for p in problems] == [
        (4, 3, "warning", "unused-touchpoint"),
        (9, 3, "error", "unreachable-stage"),
    ]
    assert problems[1] == {
        "source": "bad.yaml",
        "line": 9,
        "column": 3,
        "severity": "error",
        "code": "unreachable-stage",
        "message": "no customer can reach stage 'forgotten': it has no 'entry' and no "
        "transition leads to it",
        "hint": "add 'entry' to it or a transition 'to: forgotten' from a stage customers "
        "reach, or remove it",
    }


def test_github_format_annotates_warnings_and_errors(run: Run, bad: str) -> None:
    lines = run("lint", "--format", "github", bad).stdout.splitlines()
    assert [line.split("::")[1] for line in lines] == [
        "warning file=bad.yaml,line=4,col=3",
        "error file=bad.yaml,line=9,col=3",
    ]


def test_a_journey_that_does_not_load_shows_its_problems_and_exits_3(
    run: Run, workdir: Path
) -> None:
    (workdir / "broken.yaml").write_text("journey: x\nstages:\n  a: { entry: vist }\n")
    result = run("lint", "--format", "parsable", "broken.yaml", "shop.journey.yaml")
    assert result.exit_code == 3
    assert result.stdout == (
        "broken.yaml:3:15: unknown touchpoint 'vist'; declare some touchpoints "
        "[unknown-touchpoint]\n"
    )


def test_a_missing_file_is_an_input_error(run: Run) -> None:
    result = run("lint", "nowhere.yaml")
    assert result.exit_code == 3
    assert result.stderr == "error: cannot read 'nowhere.yaml': no such file\n"

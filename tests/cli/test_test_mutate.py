"""`customer-journey test --mutate`: survivors where the change is, the score, exit codes.

The suites are the worked example of the tester's guide (`docs/examples/signup*`): a
journey whose 30-day timeout the first file never tests at its edges, and a second file
that does.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import Result

Run = Callable[..., Result]

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "docs" / "examples"
GUIDE = ROOT / "docs" / "guides" / "testers.md"

WEAK = "signup.scenarios.yaml"
EDGES = "signup-edges.scenarios.yaml"
PASSES = "PASS signing up makes a member\nPASS a visitor who never signs up is gone\n"
MOVED = "moved 'after' of transition 'visitor -> gone after 30d' from 30d to"
SURVIVORS = (
    f"signup.journey.yaml:12:9: mutant survived: {MOVED} 29d\n"
    f"signup.journey.yaml:12:9: mutant survived: {MOVED} 31d\n"
)


@pytest.fixture(autouse=True)
def signup(workdir: Path) -> Path:
    """The guide's example journey and scenario files, in the current directory."""
    for path in EXAMPLES.glob("signup*.yaml"):
        shutil.copy(path, workdir)
    return workdir


def test_survivors_are_reported_where_the_change_is_then_the_score(run: Run) -> None:
    result = run("test", WEAK, "--mutate")
    assert result.exit_code == 0
    assert result.stdout == (
        PASSES
        + "2 passed, 0 failed\n"
        + SURVIVORS
        + "1 equivalent mutant left out\n6 of 8 mutants killed (75.0%)\n"
    )


def test_a_score_under_min_score_exits_1(run: Run) -> None:
    result = run("test", WEAK, "--mutate", "--min-score", "80")
    assert result.exit_code == 1
    assert result.stdout.splitlines()[-2:] == [
        "6 of 8 mutants killed (75.0%)",
        "mutation score 75.0% is under the required 80%",
    ]


def test_a_score_at_min_score_passes(run: Run) -> None:
    assert run("test", WEAK, "--min-score", "75").exit_code == 0


def test_min_score_alone_makes_the_mutants(run: Run) -> None:
    result = run("test", WEAK, "--min-score", "50")
    assert result.stdout.splitlines()[-1] == "6 of 8 mutants killed (75.0%)"


def test_scenarios_at_the_edges_of_the_timeout_kill_every_mutant(run: Run) -> None:
    result = run("test", WEAK, EDGES, "--mutate", "--min-score", "100")
    assert result.exit_code == 0
    assert result.stdout.splitlines()[-3:] == [
        "4 passed, 0 failed",
        "1 equivalent mutant left out",
        "8 of 8 mutants killed (100.0%)",
    ]


def test_no_mutants_are_made_while_a_scenario_fails(run: Run, signup: Path) -> None:
    text = (signup / WEAK).read_text(encoding="utf-8").replace("stage: member", "stage: gone")
    (signup / WEAK).write_text(text, encoding="utf-8")
    result = run("test", WEAK, "--mutate")
    assert result.exit_code == 1
    assert result.stdout.splitlines()[-2:] == [
        "1 passed, 1 failed",
        "no mutants made: mutation testing needs every scenario to pass",
    ]


def test_no_mutants_are_made_when_a_file_cannot_be_read(run: Run) -> None:
    result = run("test", WEAK, "missing.scenarios.yaml", "--mutate")
    assert result.exit_code == 3
    assert result.stdout == (
        PASSES
        + "2 passed, 0 failed\nno mutants made: mutation testing needs every scenario to pass\n"
    )


def test_a_min_score_over_100_is_a_usage_error(run: Run) -> None:
    result = run("test", WEAK, "--min-score", "101")
    assert result.exit_code == 2
    assert "'--min-score': 101.0 is not in the range 0<=x<=100" in result.stderr


def test_the_testers_guide_shows_what_its_commands_print(
    run: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(ROOT)
    section = GUIDE.read_text(encoding="utf-8").split("## Mutation testing", 1)[1]
    blocks = re.findall(r"```console\n\$ customer-journey ([^\n]*)\n(.*?)```", section, re.S)
    assert len(blocks) == 2
    for arguments, shown in blocks:
        assert run(*arguments.split()).stdout == shown


def test_two_workers_report_the_same_survivors_in_the_same_order_as_one(run: Run) -> None:
    one = run("test", WEAK, EDGES, "--mutate", "--workers", "1")
    two = run("test", WEAK, EDGES, "--mutate", "--workers", "2")
    assert one.exit_code == two.exit_code == 0
    assert two.stdout == one.stdout
    assert one.stdout.endswith("1 equivalent mutant left out\n8 of 8 mutants killed (100.0%)\n")


def test_a_run_where_no_file_can_be_read_prints_no_counts(run: Run) -> None:
    result = run("test", "missing.scenarios.yaml", "--mutate", "--workers", "2")
    assert result.exit_code == 3
    assert result.stdout == "no mutants made: mutation testing needs every scenario to pass\n"

"""The pytest plugin's `--journey-mutate`: the collected scenario files against mutants."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

pytest_plugins = ["pytester"]

EXAMPLES = Path(__file__).resolve().parents[2] / "docs" / "examples"
QUIET = ("-p", "no:hypothesispytest")
MOVED = "moved 'after' of transition 'visitor -> gone after 30d' from 30d to"
SECTION = [
    f"signup.journey.yaml:12:9: mutant survived: {MOVED} 29d",
    f"signup.journey.yaml:12:9: mutant survived: {MOVED} 31d",
    "1 equivalent mutant left out",
    "6 of 8 mutants killed (75.0%)",
]


@pytest.fixture(autouse=True)
def signup(pytester: pytest.Pytester) -> Path:
    """The tester's guide's example journey and its first scenario file."""
    for name in ("signup.journey.yaml", "signup.scenarios.yaml"):
        shutil.copy(EXAMPLES / name, pytester.path)
    return pytester.path


def mutants_section(result: pytest.RunResult) -> list[str]:
    """The lines of the "journey mutants" section, up to pytest's closing line."""
    start = next(i for i, line in enumerate(result.outlines) if "journey mutants" in line)
    lines = result.outlines[start + 1 :]
    return lines[: next(i for i, line in enumerate(lines) if line.startswith("==="))]


def test_journey_mutate_lists_the_survivors_and_the_score(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest(*QUIET, "--journey-mutate")
    result.assert_outcomes(passed=2)
    assert result.ret == pytest.ExitCode.OK
    assert mutants_section(result) == SECTION


def test_a_score_under_journey_min_score_fails_the_run(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest(*QUIET, "--journey-min-score", "80")
    result.assert_outcomes(passed=2)
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    assert mutants_section(result) == [
        *SECTION,
        "mutation score 75.0% is under the required 80%",
    ]


def test_no_mutants_are_made_while_a_scenario_fails(
    pytester: pytest.Pytester, signup: Path
) -> None:
    scenarios = signup / "signup.scenarios.yaml"
    text = scenarios.read_text(encoding="utf-8").replace("stage: member", "stage: gone")
    scenarios.write_text(text, encoding="utf-8")
    result = pytester.runpytest(*QUIET, "--journey-mutate")
    result.assert_outcomes(passed=1, failed=1)
    assert mutants_section(result) == [
        "no mutants made: mutation testing needs every scenario to pass"
    ]


def test_without_the_option_no_mutants_are_made(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest(*QUIET)
    result.assert_outcomes(passed=2)
    assert not any("journey mutants" in line for line in result.outlines)

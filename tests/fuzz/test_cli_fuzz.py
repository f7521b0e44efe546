"""The command line turns broken journeys and events files into documented exit codes.

Each test runs one target of `fuzz_cli` under a smaller share of the suite's budget
(`fuzz_support.CI`): every case starts the command in-process.
"""

from __future__ import annotations

from fuzz_cli import ValidateCase, check_replay, check_validate, validate_cases
from fuzz_readers import FileCase, file_cases
from fuzz_support import CI
from hypothesis import given, settings

CLI = settings(CI, max_examples=30)


@CLI
@given(validate_cases())
def test_validate_exits_0_1_or_3_with_strict_json_for_any_journey_mutant(
    case: ValidateCase,
) -> None:
    check_validate(case)


@CLI
@given(file_cases("jsonl"))
def test_replay_exits_0_or_3_with_strict_json_for_broken_json_lines(case: FileCase) -> None:
    check_replay(case)


@CLI
@given(file_cases("csv"))
def test_replay_exits_0_or_3_with_strict_json_for_broken_csv(case: FileCase) -> None:
    check_replay(case)

"""The command's edge: exit codes, internal errors, --debug, Ctrl-C, --version, schema."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest
from click.testing import Result

from customer_journey.cli import _validate
from customer_journey.dsl import journey_schema

Run = Callable[..., Result]


def fail_with(error: BaseException) -> Callable[[str], None]:
    def validate_file(file: str) -> None:
        raise error

    return validate_file


def test_an_internal_error_is_one_line_without_a_traceback(
    run: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(_validate, "_validate_file", fail_with(RuntimeError("boom")))
    result = run("validate", "shop.journey.yaml")
    assert result.exit_code == 4
    assert result.stderr == (
        "internal error: RuntimeError: boom (rerun with --debug for the traceback)\n"
    )


def test_debug_shows_the_traceback_of_an_internal_error(
    run: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(_validate, "_validate_file", fail_with(RuntimeError("boom")))
    result = run("--debug", "validate", "shop.journey.yaml")
    assert result.exit_code == 4
    assert result.stderr.startswith("Traceback (most recent call last):\n")
    assert result.stderr.endswith(
        "RuntimeError: boom\n"
        "internal error: RuntimeError: boom (rerun with --debug for the traceback)\n"
    )


def test_ctrl_c_exits_130(run: Run, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_validate, "_validate_file", fail_with(KeyboardInterrupt()))
    result = run("validate", "shop.journey.yaml")
    assert result.exit_code == 130
    assert result.stderr == "interrupted\n"


def test_an_unknown_command_is_a_usage_error(run: Run) -> None:
    result = run("vaildate")
    assert result.exit_code == 2
    assert "No such command 'vaildate'" in result.stderr


def test_version_names_the_program(run: Run) -> None:
    result = run("--version")
    assert result.exit_code == 0
    assert result.stdout.startswith("customer-journey ")


def test_schema_prints_the_journey_schema_as_indented_json(run: Run) -> None:
    result = run("schema")
    assert result.exit_code == 0
    assert json.loads(result.stdout) == journey_schema()
    assert result.stdout.startswith("{\n  ")

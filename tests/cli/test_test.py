"""`customer-journey test`: one line per scenario, details of failures, counts, exit codes."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from customer_journey.cli import main
from customer_journey.testing import run_scenario_file

Run = Callable[..., Result]
SHARED = Path(__file__).resolve().parents[2].parent / "shared" / "dsl"


def test_passing_scenarios_print_pass_and_the_counts(run: Run) -> None:
    result = run("test", "shop.scenarios.yaml")
    assert result.exit_code == 0
    assert result.stdout == (
        "PASS a cart makes a shopper\nPASS an abandoned cart times out\n2 passed, 0 failed\n"
    )


def test_a_failure_shows_where_expected_actual_and_the_trace(run: Run) -> None:
    result = run("test", "shop.scenarios.yaml", "shop.failing.scenarios.yaml")
    assert result.exit_code == 1
    assert result.stdout == (
        "PASS a cart makes a shopper\n"
        "PASS an abandoned cart times out\n"
        "PASS an order makes a buyer\n"
        "FAIL a deliberately wrong expectation\n"
        "  at shop.failing.scenarios.yaml:10:5\n"
        "  shop.failing.scenarios.yaml:16:7: stage: expected buyer, got shopper\n"
        "  shop.failing.scenarios.yaml:18:7: goals: expected {purchase: reached}, "
        "got {purchase: pending}\n"
        "  trace, as of 2026-01-01T12:00:00Z:\n"
        "    2026-01-01T10:00:00Z  page.viewed [visit]: entered the journey at 'visitor'\n"
        "    2026-01-01T11:00:00Z  cart.added [cart]: moved visitor -> shopper\n"
        "    2026-01-01T12:00:00Z  cart.added [no touchpoint]: duplicate event id, ignored\n"
        "3 passed, 1 failed\n"
    )


def test_a_trace_without_events_says_so(run: Run, workdir: Path) -> None:
    (workdir / "s.yaml").write_text(
        "journey: shop.journey.yaml\n"
        "scenarios:\n"
        "  - name: too early\n"
        "    as_of: 2025-12-31T00:00:00Z\n"
        "    events: [{ type: page.viewed, at: 2026-01-01T10:00:00Z }]\n"
        "    expect: { stage: visitor }\n",
        encoding="utf-8",
    )
    result = run("test", "s.yaml")
    assert result.exit_code == 1
    assert result.stdout == (
        "FAIL too early\n"
        "  at s.yaml:3:5\n"
        "  s.yaml:6:15: stage: expected visitor, got null\n"
        "  trace, as of 2025-12-31T00:00:00Z:\n"
        "    no events at or before as_of\n"
        "0 passed, 1 failed\n"
    )


def test_a_scenario_file_with_mistakes_is_an_input_error(run: Run, workdir: Path) -> None:
    (workdir / "s.yaml").write_text(
        "journey: shop.journey.yaml\nscenarios:\n  - name: x\n    events: []\n",
        encoding="utf-8",
    )
    result = run("test", "s.yaml", "shop.scenarios.yaml")
    assert result.exit_code == 3
    assert result.stderr == (
        "s.yaml:3:5: scenario 'x' has no 'expect'; add it [missing-key]\n"
        "    3 |   - name: x\n"
        "      |     ^\n"
        "s.yaml:4:13: 'events' must be a list of events such as - { type: page.viewed, "
        "at: 2026-01-01T10:00:00Z } (got an empty list) [bad-type]\n"
        "    4 |     events: []\n"
        "      |             ^\n"
    )
    assert result.stdout.splitlines()[-1] == "2 passed, 0 failed"


def test_a_missing_scenario_file_is_an_input_error(run: Run) -> None:
    result = run("test", "nowhere.yaml")
    assert result.exit_code == 3
    assert result.stderr == "error: cannot read 'nowhere.yaml': no such file\n"
    assert result.stdout == ""


@pytest.mark.skipif(not SHARED.is_dir(), reason="../shared/dsl (the reference journey) is missing")
def test_the_retail_scenarios_run_from_the_command_line() -> None:
    path = str(SHARED / "retail.scenarios.yaml")
    outcome = run_scenario_file(path)
    result = CliRunner().invoke(main, ["test", path])
    assert outcome.passed
    assert result.stdout.splitlines()[-1] == "29 passed, 0 failed"
    assert result.exit_code == 0


def test_a_scenario_naming_a_file_that_is_no_journey_quotes_nothing_of_it(
    run: Run, workdir: Path
) -> None:
    secret = workdir / "secret.txt"
    secret.write_text("root:x:0:0:root:/root:/bin/bash\napi_key: s3cr3t\n", encoding="utf-8")
    (workdir / "s.yaml").write_text(
        "journey: secret.txt\nscenarios:\n  - name: x\n    events: [{type: a, at: 2026-01-01}]\n"
        "    expect: {stage: a}\n",
        encoding="utf-8",
    )
    result = run("test", "s.yaml")
    assert result.exit_code == 3
    assert "root" not in result.stderr
    assert "s3cr3t" not in result.stderr
    assert result.stderr.startswith(
        "s.yaml:1:10: 'secret.txt' is not a journey file: it is not a mapping with 'journey', "
        "'touchpoints' and 'stages'; check the path"
    )

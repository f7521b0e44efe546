"""`customer-journey test --coverage`: the table, what was missed, thresholds and JSON."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from click.testing import Result

Run = Callable[..., Result]

TABLE = (
    "coverage of 'shop' (shop.journey.yaml), 2 scenarios\n"
    "  kind         covered total percent\n"
    "  stages             2     3   66.7%\n"
    "  transitions        2     4   50.0%\n"
    "  friction           0     0  100.0%\n"
    "  actions            0     0  100.0%\n"
    "  total              4     7   57.1%\n"
    "not covered:\n"
    "  shop.journey.yaml:19:3: stage buyer\n"
    "  shop.journey.yaml:13:9: transition visitor -> buyer on order\n"
    "  shop.journey.yaml:17:9: transition shopper -> buyer on order\n"
)
RESULTS = "PASS a cart makes a shopper\nPASS an abandoned cart times out\n2 passed, 0 failed\n"


def test_coverage_prints_the_table_and_what_was_missed_after_the_results(run: Run) -> None:
    result = run("test", "--coverage", "shop.scenarios.yaml")
    assert result.exit_code == 0
    assert result.stdout == RESULTS + TABLE


def test_coverage_under_the_threshold_exits_1(run: Run) -> None:
    result = run("test", "--fail-under", "60", "shop.scenarios.yaml")
    assert result.exit_code == 1
    assert result.stdout == RESULTS + TABLE + "coverage 57.1% is under the required 60%\n"


def test_coverage_at_the_threshold_passes(run: Run) -> None:
    result = run("test", "--fail-under", "57", "shop.scenarios.yaml")
    assert result.exit_code == 0
    assert result.stdout == RESULTS + TABLE


def test_the_threshold_is_a_percentage(run: Run) -> None:
    result = run("test", "--fail-under", "120", "shop.scenarios.yaml")
    assert result.exit_code == 2
    assert "120.0 is not in the range 0<=x<=100" in result.stderr


def test_several_files_of_one_journey_make_one_table(run: Run) -> None:
    result = run("test", "--coverage", "shop.scenarios.yaml", "shop.failing.scenarios.yaml")
    assert result.exit_code == 1
    assert result.stdout.endswith(
        "coverage of 'shop' (shop.journey.yaml), 4 scenarios\n"
        "  kind         covered total percent\n"
        "  stages             3     3  100.0%\n"
        "  transitions        3     4   75.0%\n"
        "  friction           0     0  100.0%\n"
        "  actions            0     0  100.0%\n"
        "  total              6     7   85.7%\n"
        "not covered:\n"
        "  shop.journey.yaml:17:9: transition shopper -> buyer on order\n"
    )


def test_coverage_json_writes_every_item(run: Run, workdir: Path) -> None:
    result = run("test", "--coverage-json", "coverage.json", "shop.scenarios.yaml")
    assert result.exit_code == 0
    assert result.stdout == RESULTS + TABLE
    report = json.loads((workdir / "coverage.json").read_text(encoding="utf-8"))
    assert report["percent"] == 57.14
    (journey,) = report["journeys"]
    assert journey["total"] == {"covered": 4, "total": 7, "percent": 57.14}
    assert journey["items"][2] == {
        "kind": "stage",
        "name": "buyer",
        "location": "shop.journey.yaml:19:3",
        "covered": False,
        "suppressed": [],
    }


def test_an_unwritable_coverage_json_exits_3(run: Run) -> None:
    result = run("test", "--coverage-json", "missing/coverage.json", "shop.scenarios.yaml")
    assert result.exit_code == 3
    assert result.stderr == "error: cannot write 'missing/coverage.json': no such file\n"

"""The pytest plugin: scenario files collected as items, failures reported with the trace."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

# Imported before any in-process run: pytester restores `sys.modules` after each run, and
# a module first imported inside one would be imported afresh (unpatched) by the next.
from customer_journey import testing

pytest_plugins = ["pytester"]

DATA = Path(__file__).parent / "data"
SHARED = Path(__file__).resolve().parents[2].parent / "shared" / "dsl"
QUIET = ("-p", "no:hypothesispytest")
REFERENCE = ("retail.journey.yaml", "retail.scenarios.yaml")

SHOP_SCENARIOS = (DATA / "shop.scenarios.yaml").read_text(encoding="utf-8")


@pytest.fixture
def reference(pytester: pytest.Pytester) -> Path:
    """The reference journey and its scenarios, copied into pytester's directory."""
    if not all((SHARED / name).is_file() for name in REFERENCE):
        pytest.skip(f"the reference journey and scenarios are not in {SHARED}")
    for name in REFERENCE:
        shutil.copy(SHARED / name, pytester.path)
    return pytester.path / "retail.scenarios.yaml"


@pytest.fixture
def shop(pytester: pytest.Pytester) -> Path:
    """The small shop journey, copied into pytester's directory."""
    shutil.copy(DATA / "shop.journey.yaml", pytester.path)
    return pytester.path


def run(pytester: pytest.Pytester, *args: str) -> pytest.RunResult:
    """Run pytest in `pytester`'s directory, without hypothesis's plugin (slow to load)."""
    return pytester.runpytest(*QUIET, *args)


def section(lines: list[str], first: str, count: int) -> list[str]:
    """`count` lines of the output, from the one equal to `first`."""
    start = lines.index(first)
    return lines[start : start + count]


def test_the_reference_scenarios_run_as_29_passing_items(
    pytester: pytest.Pytester, reference: Path
) -> None:
    result = run(pytester, "-v")
    result.assert_outcomes(passed=29)
    items = [line for line in result.outlines if line.startswith("retail.scenarios.yaml::")]
    assert len(items) == 29
    assert items[0] == (
        "retail.scenarios.yaml::a pricing page view makes an aware visitor consider PASSED [  3%]"
    )


def test_a_wrong_expectation_fails_with_the_name_place_values_and_trace(
    pytester: pytest.Pytester, reference: Path
) -> None:
    lines = reference.read_text(encoding="utf-8").splitlines()
    name_line = lines.index("  - name: a pricing page view makes an aware visitor consider") + 1
    stage_line = lines.index("      stage: considering", name_line) + 1
    lines[stage_line - 1] = "      stage: checkout"
    reference.write_text("\n".join(lines) + "\n", encoding="utf-8")

    result = run(pytester, "-vv")  # -vv: the summary line is not cut to the terminal's width

    result.assert_outcomes(passed=28, failed=1)
    name = "a pricing page view makes an aware visitor consider"
    first = f"retail.scenarios.yaml:{stage_line}:7: stage: expected checkout, got considering"
    assert section(result.outlines, first, 5) == [
        first,
        f"scenario '{name}' at retail.scenarios.yaml:{name_line}:5",
        "trace, as of 2026-01-01T11:00:00Z:",
        "  2026-01-01T10:00:00Z  ad.clicked [ad_click]: entered the journey at 'aware'",
        "  2026-01-01T11:00:00Z  page.viewed [site_visit, pricing_view]: "
        "moved aware -> considering",
    ]
    assert f" scenario: {name} _" in result.outlines[result.outlines.index(first) - 1]
    assert f"FAILED retail.scenarios.yaml::{name} - {first}" in result.outlines


def test_each_scenario_is_an_item_named_after_it_located_at_its_line(
    pytester: pytest.Pytester, shop: Path
) -> None:
    pytester.makefile(".scenarios.yaml", shop=SHOP_SCENARIOS)
    items, _ = pytester.inline_genitems(*QUIET)
    assert [item.nodeid for item in items] == [
        "shop.scenarios.yaml::a cart makes a shopper",
        "shop.scenarios.yaml::an abandoned cart times out",
    ]
    assert [item.location for item in items] == [
        ("shop.scenarios.yaml", 2, "scenario: a cart makes a shopper"),
        ("shop.scenarios.yaml", 12, "scenario: an abandoned cart times out"),
    ]


def test_files_ending_in_scenarios_yml_are_collected_and_other_yaml_files_are_not(
    pytester: pytest.Pytester, shop: Path
) -> None:
    pytester.makefile(".scenarios.yml", shop=SHOP_SCENARIOS)
    pytester.makefile(".yaml", other=SHOP_SCENARIOS)
    result = run(pytester)
    result.assert_outcomes(passed=2)


def test_the_ini_option_sets_the_file_name_patterns(pytester: pytest.Pytester, shop: Path) -> None:
    pytester.makefile(".scenarios.yaml", shop=SHOP_SCENARIOS)
    pytester.makefile(".yaml", checks=SHOP_SCENARIOS)
    pytester.makeini("[pytest]\njourney_scenarios = checks.yaml\n")
    items, _ = pytester.inline_genitems(*QUIET)
    assert [item.nodeid for item in items] == [
        "checks.yaml::a cart makes a shopper",
        "checks.yaml::an abandoned cart times out",
    ]


def test_an_empty_ini_option_collects_no_scenario_file(
    pytester: pytest.Pytester, shop: Path
) -> None:
    pytester.makefile(".scenarios.yaml", shop=SHOP_SCENARIOS)
    pytester.makeini("[pytest]\njourney_scenarios =\n")
    result = run(pytester)
    assert result.ret == pytest.ExitCode.NO_TESTS_COLLECTED


def test_disabling_the_plugin_collects_no_scenario_file(
    pytester: pytest.Pytester, shop: Path
) -> None:
    pytester.makefile(".scenarios.yaml", shop=SHOP_SCENARIOS)
    result = run(pytester, "-p", "no:customer_journey")
    assert result.ret == pytest.ExitCode.NO_TESTS_COLLECTED


@pytest.mark.parametrize(
    ("file", "mistake", "problem"),
    [
        (
            "shop.scenarios.yaml",
            ("stage: shopper", "stage: shoper"),
            "shop.scenarios.yaml:8:7: unknown stage 'shoper' in 'stage'; "
            "did you mean 'shopper'? [unknown-stage]",
        ),
        (
            "shop.journey.yaml",
            ("when: cart }", "when: crat }"),
            "shop.journey.yaml:12:30: unknown touchpoint 'crat'; did you mean 'cart'? "
            "[unknown-touchpoint]",
        ),
    ],
    ids=["in the scenario file", "in the journey"],
)
def test_mistakes_are_a_collection_error_listing_each_problem_not_a_traceback(
    pytester: pytest.Pytester, shop: Path, file: str, mistake: tuple[str, str], problem: str
) -> None:
    pytester.makefile(".scenarios.yaml", shop=SHOP_SCENARIOS)
    edited = shop / file
    edited.write_text(edited.read_text(encoding="utf-8").replace(*mistake), encoding="utf-8")
    result = run(pytester)
    result.assert_outcomes(errors=1)
    assert section(result.outlines, "1 problem found", 2) == ["1 problem found", problem]
    assert "Traceback" not in result.stdout.str()


def test_a_file_that_is_not_utf8_is_a_collection_error_saying_so(
    pytester: pytest.Pytester,
) -> None:
    (pytester.path / "latin.scenarios.yaml").write_bytes("journey: caf\xe9\n".encode("latin-1"))
    result = run(pytester)
    result.assert_outcomes(errors=1)
    assert (
        "cannot read 'latin.scenarios.yaml': it is not UTF-8 text (byte 0xe9 at line 1, "
        "column 13); save it as UTF-8" in result.outlines
    )


def test_an_unexpected_error_while_collecting_keeps_pytests_report(
    pytester: pytest.Pytester, shop: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(path: object) -> None:
        raise RuntimeError("broken loader")

    monkeypatch.setattr(testing, "load_scenario_file", broken)
    pytester.makefile(".scenarios.yaml", shop=SHOP_SCENARIOS)
    result = run(pytester)
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["E *RuntimeError: broken loader"])


def test_an_unexpected_error_while_running_keeps_pytests_report(
    pytester: pytest.Pytester, shop: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(journey: object, scenario: object) -> None:
        raise RuntimeError("broken runner")

    monkeypatch.setattr(testing, "run_scenario", broken)
    pytester.makefile(".scenarios.yaml", shop=SHOP_SCENARIOS)
    result = run(pytester)
    result.assert_outcomes(failed=2)
    result.stdout.fnmatch_lines(["E *RuntimeError: broken runner"])


def test_every_expectation_that_did_not_hold_is_reported(
    pytester: pytest.Pytester, shop: Path
) -> None:
    shutil.copy(DATA / "shop.failing.scenarios.yaml", shop)
    result = run(pytester)
    result.assert_outcomes(passed=1, failed=1)
    first = "shop.failing.scenarios.yaml:16:7: stage: expected buyer, got shopper"
    assert section(result.outlines, first, 3) == [
        first,
        "shop.failing.scenarios.yaml:18:7: goals: expected {purchase: reached}, "
        "got {purchase: pending}",
        "scenario 'a deliberately wrong expectation' at shop.failing.scenarios.yaml:10:5",
    ]

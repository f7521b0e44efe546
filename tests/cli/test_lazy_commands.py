"""The group loads a command's module only when that command runs (click's lazy group).

What each run imports is read from `sys.modules` in a fresh interpreter: in this one,
other tests have imported everything already.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import click
import pytest
from click.testing import CliRunner, Result

from customer_journey.cli import main
from customer_journey.cli._main import COMMANDS, CliGroup, LazyCommand

Run = Callable[..., Result]

HELP = """\
Usage: customer-journey [OPTIONS] COMMAND [ARGS]...

  Executable customer journeys: validate journeys, replay events, run
  scenarios.

Options:
  --debug     Show the traceback of an internal error.
  --version   Show the version and exit.
  -h, --help  Show this message and exit.

Commands:
  analyze   Analyze every customer of the EVENTS file in the JOURNEY, as...
  compare   Replay the EVENTS file through two versions of a journey and...
  diagram   Draw the JOURNEY as a Mermaid or Graphviz DOT diagram.
  explain   Explain one customer's replay of the EVENTS file through the...
  ingest    Ingest the EVENTS files into the live store of the JOURNEY,...
  lint      Find what loads fine but can never happen or looks like a...
  outbox    Claim the live store's outbox messages to send, or...
  rejects   List the records the live store refused, oldest first, with...
  replay    Replay the EVENTS file through the JOURNEY and print each...
  report    Write an HTML report of every customer of the EVENTS file in...
  schema    Print the JSON Schema of journey files (for editor completion...
  simulate  Simulate customers flowing through the JOURNEY and write...
  status    Print each customer's position in the live store, as replay...
  test      Run scenario files against their journeys.
  tick      Fire the timeouts due in the live store and judge the goals...
  upgrade   Show who a new version of the JOURNEY would move in the live...
  validate  Check journey files and report every problem of every file.
"""

#: Modules that only some commands need, and none of `--help`, `--version` or `validate`.
HEAVY = (
    "rich",
    "pyarrow",
    "hypothesis",
    "importlib.metadata",
    "customer_journey.checks",
    "customer_journey.testing",
)


def loaded_by(*args: str, cwd: Path) -> list[str]:
    """The modules a fresh interpreter has loaded after `customer-journey ARGS...`."""
    code = (
        "import json, sys\n"
        "from customer_journey.cli import main\n"
        f"main({list(args)!r}, prog_name='customer-journey', standalone_mode=False)\n"
        "print(json.dumps(sorted(sys.modules)))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=cwd, capture_output=True, text=True, check=True
    )
    return json.loads(done.stdout.splitlines()[-1])


def command_modules(loaded: list[str]) -> list[str]:
    return [
        m
        for m in loaded
        if m.startswith("customer_journey.cli._") and m != "customer_journey.cli._main"
    ]


def heavy(loaded: list[str]) -> list[str]:
    return [m for m in loaded if any(m == h or m.startswith(h + ".") for h in HEAVY)]


def test_help_lists_every_command_with_its_summary() -> None:
    # as on an 80-column terminal: click leaves two columns free
    result = CliRunner().invoke(main, ["--help"], prog_name="customer-journey", terminal_width=78)
    assert result.exit_code == 0
    assert result.stdout == HELP


def test_help_imports_no_command(tmp_path: Path) -> None:
    loaded = loaded_by("--help", cwd=tmp_path)
    assert command_modules(loaded) == []
    assert [m for m in loaded if m.startswith(("customer_journey.", "yaml", "attr"))] == [
        "customer_journey._display",
        "customer_journey.cli",
        "customer_journey.cli._main",
    ]


def test_version_imports_no_command_and_nothing_of_the_library(tmp_path: Path) -> None:
    loaded = loaded_by("--version", cwd=tmp_path)
    assert [m for m in loaded if m.startswith("customer_journey.")] == [
        "customer_journey._display",
        "customer_journey.cli",
        "customer_journey.cli._main",
    ]


def test_validate_imports_its_own_module_and_none_of_the_heavy_ones(workdir: Path) -> None:
    loaded = loaded_by("validate", "shop.journey.yaml", cwd=workdir)
    assert command_modules(loaded) == [
        "customer_journey.cli._errors",
        "customer_journey.cli._output",
        "customer_journey.cli._validate",
    ]
    assert heavy(loaded) == []
    above_the_dsl = ("engine", "readers", "analytics", "render", "testing")
    assert [
        m for m in loaded if m.startswith(tuple(f"customer_journey.{p}" for p in above_the_dsl))
    ] == []


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_each_summary_is_the_first_sentence_of_its_commands_help(name: str) -> None:
    command = main.get_command(click.Context(main), name)
    assert command is not None
    assert command.name == name
    assert COMMANDS[name].summary == command.get_short_help_str(limit=1000)


def test_a_misspelt_command_is_a_usage_error_naming_the_closest(run: Run) -> None:
    result = run("valdate", "shop.journey.yaml")
    assert result.exit_code == 2
    assert result.stderr.endswith("Error: No such command 'valdate'; did you mean 'validate'?\n")


def test_an_unknown_command_with_nothing_close_says_only_that(run: Run) -> None:
    result = run("xyzzy")
    assert result.exit_code == 2
    assert result.stderr.endswith("Error: No such command 'xyzzy'.\n")


def test_a_lazy_entry_that_is_not_a_command_is_an_internal_error() -> None:
    group = CliGroup(
        "customer-journey", lazy_commands={"x": LazyCommand("_validate", "_plural", "X.")}
    )
    result = CliRunner().invoke(group, ["x"])
    assert result.exit_code == 4
    assert result.stderr == (
        "internal error: TypeError: '_validate._plural' must be a click command (got function) "
        "(rerun with --debug for the traceback)\n"
    )

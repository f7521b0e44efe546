"""The `customer-journey` command: the group, its global options, and the error edge.

Every exception ends here as one line on stderr and an exit code. A user's mistake never
shows a traceback, and an internal error shows one only with `--debug`: event data may hold
personal data.

A command's module is imported only when that command runs, so that `--version`, `--help`
and `validate` stay quick enough for an editor or a pre-commit hook to run on every save
(click's lazy-group pattern).
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from typing import Any, NamedTuple

import click

__all__ = ["COMMANDS", "CliGroup", "LazyCommand", "main"]


class LazyCommand(NamedTuple):
    """Where a command is defined, and the summary `--help` lists without importing it."""

    module: str  # a module of this package, such as `_validate`
    name: str  # the click command's name in that module
    summary: str  # the first sentence of the command's help (a test keeps them the same)


#: The commands of `customer-journey`, imported only when they run.
COMMANDS: dict[str, LazyCommand] = {
    "analyze": LazyCommand(
        "_analyze",
        "analyze_command",
        "Analyze every customer of the EVENTS file in the JOURNEY, as tables.",
    ),
    "compare": LazyCommand(
        "_analyze",
        "compare_command",
        "Replay the EVENTS file through two versions of a journey and show what differs.",
    ),
    "diagram": LazyCommand(
        "_diagram", "diagram", "Draw the JOURNEY as a Mermaid or Graphviz DOT diagram."
    ),
    "explain": LazyCommand(
        "_explain",
        "explain",
        "Explain one customer's replay of the EVENTS file through the JOURNEY.",
    ),
    "ingest": LazyCommand(
        "_store",
        "ingest",
        "Ingest the EVENTS files into the live store of the JOURNEY, making it if needed.",
    ),
    "lint": LazyCommand(
        "_lint", "lint", "Find what loads fine but can never happen or looks like a mistake."
    ),
    "outbox": LazyCommand(
        "_store_admin",
        "outbox",
        "Claim the live store's outbox messages to send, or acknowledge the ones sent.",
    ),
    "rejects": LazyCommand(
        "_store_admin",
        "rejects",
        "List the records the live store refused, oldest first, with their reasons.",
    ),
    "replay": LazyCommand(
        "_replay",
        "replay",
        "Replay the EVENTS file through the JOURNEY and print each customer's position.",
    ),
    "report": LazyCommand(
        "_report",
        "report_command",
        "Write an HTML report of every customer of the EVENTS file in the JOURNEY.",
    ),
    "schema": LazyCommand(
        "_schema",
        "schema",
        "Print the JSON Schema of journey files (for editor completion and CI checks).",
    ),
    "simulate": LazyCommand(
        "_simulate",
        "simulate",
        "Simulate customers flowing through the JOURNEY and write their events.",
    ),
    "status": LazyCommand(
        "_store", "status", "Print each customer's position in the live store, as replay does."
    ),
    "test": LazyCommand("_test", "test", "Run scenario files against their journeys."),
    "tick": LazyCommand(
        "_store",
        "tick",
        "Fire the timeouts due in the live store and judge the goals and stalls due by now.",
    ),
    "upgrade": LazyCommand(
        "_store_admin",
        "upgrade",
        "Show who a new version of the JOURNEY would move in the live store; --apply switches.",
    ),
    "validate": LazyCommand(
        "_validate",
        "validate",
        "Check journey files and report every problem of every file.",
    ),
}


class CliGroup(click.Group):
    """A click group that imports a command only when it runs, and ends every error.

    The one place where errors become exit codes (`exit_code` says which): every
    exception a command raises ends here as a message on stderr.
    """

    def __init__(
        self,
        name: str | None = None,
        *,
        lazy_commands: Mapping[str, LazyCommand] | None = None,
        **settings: Any,
    ) -> None:
        """A group whose `lazy_commands` are imported when they run (or `--help` asks)."""
        super().__init__(name, **settings)
        self.lazy_commands = dict(lazy_commands or {})

    def list_commands(self, ctx: click.Context) -> list[str]:
        """Every command's name, sorted."""
        return sorted({*self.lazy_commands, *super().list_commands(ctx)})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        """The command named `cmd_name`, importing its module now; None if there is none."""
        if cmd_name not in self.lazy_commands:
            return super().get_command(ctx, cmd_name)
        module, name, _ = self.lazy_commands[cmd_name]
        command = getattr(importlib.import_module(f"{__package__}.{module}"), name)
        if not isinstance(command, click.Command):  # a mistake in COMMANDS
            msg = f"'{module}.{name}' must be a click command (got {type(command).__name__})"
            raise TypeError(msg)
        return command

    def resolve_command(
        self, ctx: click.Context, args: list[str]
    ) -> tuple[str | None, click.Command | None, list[str]]:
        """Find the command `args` start with; an unknown one is a usage error with a hint.

        Click suggests a close name only among the commands it has loaded, and this group
        loads none before one runs.
        """
        name = args[0]
        known = self.list_commands(ctx)
        if name not in known and not name.startswith("-") and not ctx.resilient_parsing:
            from customer_journey._suggest import did_you_mean  # noqa: PLC0415 - only on a typo

            hint = did_you_mean(name, known)
            ctx.fail(f"No such command '{name}'" + (f"; {hint}" if hint else "."))
        return super().resolve_command(ctx, args)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """List the commands with their summaries, shortened to fit as click does."""
        commands = [(name, self._listed(name)) for name in self.list_commands(ctx)]
        shown = [(name, command) for name, command in commands if not command.hidden]
        if not shown:
            return
        limit = formatter.width - 6 - max(len(name) for name, _ in shown)
        with formatter.section("Commands"):
            formatter.write_dl(
                [(name, command.get_short_help_str(limit)) for name, command in shown]
            )

    def _listed(self, name: str) -> click.Command:
        """What `--help` lists for `name`: a stand-in with a lazy command's summary."""
        if name in self.lazy_commands:
            return click.Command(name, help=self.lazy_commands[name].summary)
        return self.commands[name]

    def invoke(self, ctx: click.Context) -> Any:
        """Run the command; turn errors into messages and exit codes."""
        try:
            return super().invoke(ctx)
        except (click.exceptions.Exit, click.exceptions.Abort, click.ClickException):
            raise
        except (Exception, KeyboardInterrupt) as error:
            # Imported only when something went wrong, to keep the commands quick to start.
            from customer_journey.cli._failures import exit_code  # noqa: PLC0415

            ctx.exit(exit_code(error, debug=bool(ctx.params.get("debug"))))


def _show_version(ctx: click.Context, _param: click.Parameter, value: bool) -> None:  # noqa: FBT001 - click's callback signature
    if not value:
        return
    # importlib.metadata takes a while to import: only `--version` needs it.
    from importlib.metadata import PackageNotFoundError, version  # noqa: PLC0415

    try:
        number = version("customer-journey")
    except PackageNotFoundError:  # a source tree that is not installed
        number = "unknown (not installed)"
    click.echo(f"customer-journey {number}")  # not `emit`: our own text, and a costly import
    ctx.exit()


@click.group(
    cls=CliGroup,
    lazy_commands=COMMANDS,
    context_settings={"help_option_names": ["-h", "--help"]},
)
@click.option("--debug", is_flag=True, help="Show the traceback of an internal error.")
@click.option(
    "--version",
    is_flag=True,
    expose_value=False,
    is_eager=True,
    callback=_show_version,
    help="Show the version and exit.",
)
def main(*, debug: bool) -> None:
    """Executable customer journeys: validate journeys, replay events, run scenarios."""

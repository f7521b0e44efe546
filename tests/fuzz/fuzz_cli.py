"""The command line over the same broken inputs: documented exit codes, strict JSON, no trace.

`validate` gets journey mutants (written as files, bytes that are not UTF-8 included) and
`replay` gets broken events files, run in-process with click's `CliRunner`. What must hold:
the exit code is one the command documents for bad input (never 4, an internal error, and
never an exception out of the command), nothing prints a traceback, and what is written as
JSON is strict JSON (no `NaN` or `Infinity`), one object per line.
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Any, NamedTuple

from click.testing import CliRunner, Result
from fuzz_dsl import EXAMPLE_JOURNEYS, JourneyCase, journey_cases
from fuzz_readers import JOURNEY, FileCase, file_cases
from fuzz_support import EscapeError, Target, compact, guarded
from hypothesis import strategies as st

from customer_journey.cli import main

#: What each command may exit with on bad input: ok, findings, input or data error.
VALIDATE_EXITS = frozenset((0, 1, 3))
REPLAY_EXITS = frozenset((0, 3))
FORMATS = ("json", "human", "parsable", "github")


class ValidateCase(NamedTuple):
    """A journey mutant to validate, and the output format asked for."""

    journey: JourneyCase
    format: str

    def __repr__(self) -> str:
        return f"ValidateCase({self.journey!r}, {self.format!r})"


@st.composite
def validate_cases(draw: st.DrawFn) -> ValidateCase:
    """Mutants of the shipped journeys, each with an output format."""
    return ValidateCase(draw(journey_cases(EXAMPLE_JOURNEYS)), draw(st.sampled_from(FORMATS)))


def _strict(constant: str) -> Any:
    raise ValueError(f"{constant} is not JSON")


def _json(text: str, what: str, signature: str, *, lines: bool) -> None:
    """`text` is strict JSON: one document, or (`lines`) one value per non-blank line."""
    for part in text.splitlines() if lines else [text]:
        if part.strip():
            try:
                json.loads(part, parse_constant=_strict)
            except ValueError as exc:
                shown = f"{what} is not strict JSON ({exc}): {compact(part, 300)}"
                raise EscapeError(shown, signature) from None


def _run(args: list[str], allowed: frozenset[int]) -> Result:
    """Run the command line; any exit but `allowed`, an exception or a traceback escapes."""
    result = guarded(
        lambda: CliRunner().invoke(main, args, prog_name="customer-journey"), allowed=()
    )
    assert isinstance(result, Result)
    exception = result.exception
    if exception is not None and not isinstance(exception, SystemExit):
        kind = type(exception).__name__
        raise EscapeError(f"{args[0]} raised {kind}: {compact(str(exception), 300)}", kind)
    said = result.stderr.strip().splitlines()[:1] or ["(nothing on stderr)"]
    if result.exit_code not in allowed:
        headline = said[0].split(":")[0]
        shown = compact(said[0], 300)
        raise EscapeError(
            f"{args[0]} exited {result.exit_code}: {shown}",
            f"cli {args[0]} exit {result.exit_code}: {headline}",
        )
    if "Traceback" in result.output:
        raise EscapeError(f"{args[0]} printed a traceback: {compact(said[0])}", "traceback")
    return result


def check_validate(case: ValidateCase) -> None:
    """`validate` a journey mutant: exits 0, 1 or 3; its JSON output is strict."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / case.journey.seed.name
        path.write_bytes(case.journey.text.encode("utf-8", "surrogatepass"))
        result = _run(["validate", "--format", case.format, str(path)], VALIDATE_EXITS)
        if case.format == "json":
            _json(result.stdout, "validate --format json", "cli validate json", lines=False)


def check_replay(case: FileCase) -> None:
    """`replay` a broken events file: exits 0 or 3; positions and rejects are strict JSON."""
    with tempfile.TemporaryDirectory() as folder:
        events = Path(folder) / f"events.{case.format}"
        events.write_bytes(case.data)
        rejects = Path(folder) / "rejects.jsonl"
        args = ["replay", str(JOURNEY), str(events), "--format", "jsonl"]
        args += ["--rejects", str(rejects), "--max-reject-rate", "1"]
        result = _run([*args, "--strict"] if case.strict else args, REPLAY_EXITS)
        _json(result.stdout, "replay --format jsonl", "cli replay json", lines=True)
        if rejects.exists():
            rejected = rejects.read_text("utf-8")
            _json(rejected, "replay --rejects", "cli rejects json", lines=True)


TARGETS = (
    Target(
        "cli validate",
        "cli",
        validate_cases(),
        check_validate,
    ),
    Target("cli replay jsonl", "cli", file_cases("jsonl"), check_replay),
    Target("cli replay csv", "cli", file_cases("csv"), check_replay),
)

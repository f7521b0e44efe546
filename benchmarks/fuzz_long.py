"""Run the fuzz targets of tests/fuzz for as long as asked, and print what escaped.

The targets (journey and scenario mutants, broken JSON Lines, CSV and Parquet files, and
the command line over both) and their strategies are imported from `tests/fuzz`, not
copied. Targets take turns in rounds of `--round` cases (or `--round-seconds`, which also
bounds the shrinking of a hang), each round with its own seed derived from `--seed`, so a
run is repeatable (up to timing). Once an escape is found and shrunk to a minimal case,
later rounds treat that same escape (its exception type and the library line that raised
it) as a pass, so that the time goes to finding other ones.

Prints, per target: cases run, distinct escapes, and the slowest case; then each escape
with its exception and its minimal reproducer. Exits 1 when anything escaped.
"""

from __future__ import annotations

import argparse
import difflib
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from _workload import REPO, use_working_tree

if TYPE_CHECKING:
    from fuzz_support import Target

FUZZ = REPO / "tests" / "fuzz"


class _OutOfTime(BaseException):
    """Stops a round when the run's time is up (hypothesis lets BaseExceptions through)."""


class _Found:
    """One distinct escape: its message and the smallest case seen raising it."""

    def __init__(self, message: str, case: Any) -> None:
        self.message = message
        self.case = case


class _Tally:
    """What one target did: cases, the slowest case, and its escapes by signature."""

    def __init__(self) -> None:
        self.cases = 0
        self.slowest = 0.0
        self.slowest_case: Any = None
        self.escapes: dict[str, _Found] = {}


def _show(case: Any) -> str:
    """A reproducer: a mutant as a diff against its seed file, anything else as its repr.

    A mutant changed in its parsed tree was written out again by `yaml.safe_dump`, so it is
    compared with the seed written out the same way too; the shortest of the two diffs and
    the mutant itself is shown.
    """
    from fuzz_dsl import dump, read_seed
    from fuzz_support import compact

    if hasattr(case, "journey"):  # a journey mutant given to `validate`
        return _show(case.journey) + f"format = {case.format!r}\n"
    seed, text = getattr(case, "seed", None), getattr(case, "text", None)
    if not (isinstance(seed, Path) and isinstance(text, str)):
        return compact(case)
    after = text.splitlines(keepends=True)
    diffs = []
    for before in (read_seed(seed).text, dump(read_seed(seed).tree)):
        lines = difflib.unified_diff(before.splitlines(keepends=True), after, seed.name, "mutant")
        diffs.append("".join(lines) or "(the seed file itself)\n")
    ends = text.endswith("\n")
    title = "the whole mutant" + ("" if ends else " (no line end after its last line)")
    diffs.append(f"{title}:\n{text}" + ("" if ends else "\n"))
    extra = "".join(
        f"{k} = {compact(v)}\n" for k, v in case._asdict().items() if k not in ("seed", "text")
    )
    return compact(min(diffs, key=len) + extra)


def _run_round(target: Target, tally: _Tally, seed: int, cases: int, ends_at: float) -> None:
    """Run one round of a target until `ends_at`; record a new escape (shrunk) in the tally.

    A round cut short while shrinking keeps the smallest failing case found so far.
    """
    from fuzz_support import EscapeError
    from hypothesis import HealthCheck, Phase, given, settings
    from hypothesis import seed as with_seed

    failing: list[tuple[EscapeError, Any]] = []

    def body(case: Any) -> None:
        if time.monotonic() > ends_at:
            raise _OutOfTime
        started = time.perf_counter()
        try:
            target.check(case)
        except EscapeError as exc:
            if exc.signature in tally.escapes:
                return  # known: look for others
            failing.append((exc, case))
            raise
        finally:
            took = time.perf_counter() - started
            tally.cases += 1
            if took > tally.slowest:
                tally.slowest, tally.slowest_case = took, case

    config = settings(
        max_examples=cases,
        deadline=None,
        database=None,
        print_blob=False,
        report_multiple_bugs=False,
        phases=[Phase.generate, Phase.shrink],
        suppress_health_check=list(HealthCheck),
    )
    test: Callable[[], None] = given(target.strategy)(body)
    test = with_seed(seed)(config(test))
    try:
        test()
    except _OutOfTime:
        pass
    except Exception:  # hypothesis re-raises the shrunk escape: noted below
        if not failing:
            raise
    if failing:
        exc, case = failing[-1]  # hypothesis replays the minimal case last
        tally.escapes[exc.signature] = _Found(str(exc).split("\nFailing test case")[0], case)


def main(argv: Sequence[str] | None = None) -> int:
    """Fuzz for `--minutes`; print figures; exit 1 when something escaped."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--round", type=int, default=100, help="cases per round (default 100)")
    parser.add_argument("--only", action="append", help="a target name (repeatable)")
    parser.add_argument(
        "--round-seconds", type=float, default=60.0, help="most seconds per round (default 60)"
    )
    parser.add_argument(
        "--hang", type=float, default=5.0, help="seconds after which a call is a hang (default 5)"
    )
    args = parser.parse_args(argv)
    use_working_tree()
    sys.path.insert(0, str(FUZZ))
    import fuzz_cli  # imported after use_working_tree(): they import customer_journey
    import fuzz_dsl
    import fuzz_readers
    import fuzz_support

    fuzz_support.CASE_SECONDS = args.hang

    every = (*fuzz_dsl.TARGETS, *fuzz_readers.TARGETS, *fuzz_cli.TARGETS)
    targets = [target for target in every if target.available() is None]
    if args.only:
        targets = [t for t in targets if t.name in args.only]
    if not targets:
        parser.error("no target to run (see --only, and whether ../shared is there)")
    tallies = {target.name: _Tally() for target in targets}
    started = time.monotonic()
    ends_at = started + args.minutes * 60
    rounds = 0
    while time.monotonic() < ends_at:
        target = targets[rounds % len(targets)]
        seed = args.seed * 100_003 + rounds
        round_ends = min(ends_at, time.monotonic() + args.round_seconds)
        _run_round(target, tallies[target.name], seed, args.round, round_ends)
        rounds += 1
    _print(targets, tallies, time.monotonic() - started, rounds)
    return 1 if any(tally.escapes for tally in tallies.values()) else 0


def _print(targets: list[Target], tallies: dict[str, _Tally], seconds: float, rounds: int) -> None:
    print(f"{'target':<26} {'area':<8} {'cases':>7} {'escapes':>7} {'slowest s':>9}")
    for target in targets:
        tally = tallies[target.name]
        print(
            f"{target.name:<26} {target.area:<8} {tally.cases:>7,} "
            f"{len(tally.escapes):>7} {tally.slowest:>9.3f}"
        )
    total = sum(tally.cases for tally in tallies.values())
    print(f"\n{total:,} cases in {rounds} rounds, {seconds:.0f} s")
    for target in targets:
        tally = tallies[target.name]
        if tally.slowest_case is not None:
            print(f"\nslowest {target.name} case ({tally.slowest:.3f} s):")
            print(_show(tally.slowest_case))
        for signature, found in tally.escapes.items():
            print(f"\nESCAPE in {target.name} [{target.area}]: {signature}\n  {found.message}")
            print(_show(found.case))


if __name__ == "__main__":
    raise SystemExit(main())

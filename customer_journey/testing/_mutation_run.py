"""Mutation testing: scenario suites run against the mutants of their journeys.

`run_mutants` loads scenario files, groups them by the journey they test, makes the
mutants of each journey (`mutants_of`) and runs the journey's scenarios against every
mutant not known to be equivalent. A mutant is killed when some scenario fails on it; one
that every scenario passes on survives, and points at a behaviour no scenario pins down.

Mutants run in `workers` processes. Each worker loads the scenario files and their
journeys once; mutants travel to it as small records, in chunks, and it applies each to
its own compiled model and replays in memory. Nothing is written.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import attrs

from customer_journey._arguments import check_count, check_path, shown
from customer_journey._workers import cores, run_in_processes
from customer_journey.dsl import Scenario
from customer_journey.errors import ArgumentError
from customer_journey.journey import Journey
from customer_journey.model import JourneyModel
from customer_journey.testing._mutant_making import mutants_of
from customer_journey.testing._mutants import Mutant
from customer_journey.testing._scenarios import load_scenario_file, run_scenario

__all__ = ["MutationReport", "run_mutants"]

#: Chunks per worker: enough to even out slow mutants, few enough to keep messages rare.
_CHUNKS_PER_WORKER = 4


@attrs.frozen
class MutationReport:
    """What scenario suites made of the mutants of their journeys.

    Attributes:
        tested: the mutants run against the suites, in the order made.
        survivors: those no scenario failed on.
        equivalent: those left out because no scenario can tell them from the journey.
    """

    tested: tuple[Mutant, ...]
    survivors: tuple[Mutant, ...]
    equivalent: tuple[Mutant, ...]

    @property
    def killed(self) -> int:
        """How many tested mutants some scenario failed on."""
        return len(self.tested) - len(self.survivors)

    @property
    def score(self) -> float:
        """Killed mutants as a percentage of those tested (100 when none was)."""
        return 100 * self.killed / len(self.tested) if self.tested else 100.0

    def lines(self) -> list[str]:
        """One line per survivor in file order, the equivalent ones' count, then the score.

        `shop.journey.yaml:64:9: mutant survived: dropped transition 'aware -> lapsed
        after 30d'`, ..., `12 of 14 mutants killed (85.7%)`.
        """
        lines = [_survivor_line(mutant) for mutant in sorted(self.survivors, key=_place)]
        if self.equivalent:
            count = len(self.equivalent)
            lines.append(f"{count} equivalent mutant{'' if count == 1 else 's'} left out")
        lines.append(f"{self.killed} of {len(self.tested)} mutants killed ({self.score:.1f}%)")
        return lines

    def describe(self) -> str:
        """The report's lines as one text."""
        return "\n".join(self.lines())

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready mapping with a stable key order."""
        return {
            "tested": len(self.tested),
            "killed": self.killed,
            "score": round(self.score, 2),
            "survivors": [_mutant_dict(mutant) for mutant in sorted(self.survivors, key=_place)],
            "equivalent": [_mutant_dict(mutant) for mutant in self.equivalent],
        }


def run_mutants(
    paths: str | os.PathLike[str] | Iterable[str | os.PathLike[str]],
    *,
    workers: int | None = None,
) -> MutationReport:
    """Run scenario files against every mutant of the journeys they test.

    Files that test the same journey file are one suite. `workers` processes run the
    mutants (default: one per processor); with 1, they run in this process.

    Raises:
        ArgumentError: `paths` is not scenario file paths, `workers` not a whole number of
            1 or more, or a scenario fails on the journey itself (mutants would tell
            nothing).
        JourneyError: a scenario file or its journey has mistakes.
        OSError: a file cannot be read.
    """
    files = _paths(paths)
    processes = cores() if workers is None else check_count("workers", workers, 1)
    suites = _suites(files)
    for model, scenarios in suites:
        _check_passing(model, scenarios)
    tested: list[tuple[int, Mutant]] = []
    equivalent: list[Mutant] = []
    for index, (model, _scenarios) in enumerate(suites):
        for mutant in mutants_of(model):
            if mutant.equivalent is None:
                tested.append((index, mutant))
            else:
                equivalent.append(mutant)
    processes = min(processes, len(tested))
    if processes <= 1:
        killed = [_kills(suites[index], mutant) for index, mutant in tested]
    else:
        killed = _run_in_workers(files, tested, processes)
    return MutationReport(
        tested=tuple(mutant for _, mutant in tested),
        survivors=tuple(m for (_, m), kills in zip(tested, killed, strict=True) if not kills),
        equivalent=tuple(equivalent),
    )


#: A journey and the scenarios of every file that tests it.
_Suite = tuple[JourneyModel, tuple[Scenario, ...]]

#: The suites of this worker process, loaded once by `_start_worker`.
_WORKER_SUITES: list[_Suite] = []


def _paths(paths: object) -> tuple[str, ...]:
    """The scenario file paths, as text; one path alone is a list of one."""
    if isinstance(paths, (str, os.PathLike)):
        paths = [paths]
    if not isinstance(paths, Iterable):
        raise ArgumentError(f"'paths' must be scenario file paths (got {shown(paths)})")
    files = tuple(os.fspath(check_path("paths", path, "a scenario file")) for path in paths)
    if not files:
        raise ArgumentError("'paths' must be scenario file paths (got none)")
    return files


def _suites(files: Sequence[str]) -> list[_Suite]:
    """Load the scenario files; files testing one journey file make one suite."""
    suites: dict[Path, _Suite] = {}
    for file in files:
        scenario_file, journey = load_scenario_file(file)
        key = Path(journey.source).resolve()
        model, scenarios = suites.get(key, (journey.model, ()))
        suites[key] = (model, (*scenarios, *scenario_file.scenarios))
    return list(suites.values())


def _check_passing(model: JourneyModel, scenarios: tuple[Scenario, ...]) -> None:
    """Refuse a suite with a scenario that fails on the journey itself: it kills every mutant.

    Raises:
        ArgumentError: a scenario fails.
    """
    journey = Journey(model)
    failing = [s.name for s in scenarios if not run_scenario(journey, s).passed]
    if failing:
        raise ArgumentError(
            "'paths' must be scenario files whose scenarios pass before any mutant is made "
            f"(got {len(failing)} failing, such as '{failing[0]}')"
        )


def _kills(suite: _Suite, mutant: Mutant) -> bool:
    """Whether some scenario of the suite fails on the mutant; stops at the first that does."""
    model, scenarios = suite
    journey = Journey(mutant.apply(model))
    return any(not run_scenario(journey, scenario).passed for scenario in scenarios)


def _run_in_workers(
    files: Sequence[str], tested: list[tuple[int, Mutant]], workers: int
) -> list[bool]:
    """Whether each mutant is killed, in order, from `workers` processes."""
    chunk = max(1, len(tested) // (workers * _CHUNKS_PER_WORKER))
    return run_in_processes(
        _kills_in_worker,
        tested,
        workers=workers,
        chunksize=chunk,
        initializer=_start_worker,
        initargs=(files,),
    )


def _start_worker(files: Sequence[str]) -> None:
    """Load the suites once in a fresh worker process."""
    _WORKER_SUITES[:] = _suites(files)


def _kills_in_worker(task: tuple[int, Mutant]) -> bool:
    """`_kills` for (suite index, mutant), on the suites of this worker."""
    index, mutant = task
    return _kills(_WORKER_SUITES[index], mutant)


def _survivor_line(mutant: Mutant) -> str:
    where = f"{mutant.location}: " if mutant.location else ""
    return f"{where}mutant survived: {mutant.description}"


def _place(mutant: Mutant) -> tuple[str, int, int]:
    where = mutant.location
    return ("", 0, 0) if where is None else (where.source, where.line, where.column)


def _mutant_dict(mutant: Mutant) -> dict[str, Any]:
    where = mutant.location
    return {
        "operator": mutant.operator,
        "description": mutant.description,
        "location": None if where is None else str(where),
        "equivalent": mutant.equivalent,
    }

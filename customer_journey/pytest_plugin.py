"""pytest plugin: every scenario of a scenario file (spec section 9) runs as a test item.

Registered through the `pytest11` entry point, pytest loads this module in every run of
every project that installs customer_journey. So, beyond the package itself, it imports
nothing of the library at the top: the testing layer is imported, journeys loaded and
scenarios run only when a scenario file is collected.

Files whose name matches one of the `journey_scenarios` ini patterns (default
`*.scenarios.yaml` and `*.scenarios.yml`) are collected; an empty list collects none, and
`-p no:customer_journey` turns the plugin off altogether.

With `--journey-mutate`, the collected scenario files then run against every mutant of
their journeys when the session ends, and a "journey mutants" section of the summary lists
the survivors and the score; `--journey-min-score` fails the run under a score.
"""

from __future__ import annotations

from collections.abc import Iterator
from fnmatch import fnmatch
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from _pytest._code.code import TerminalRepr, TracebackStyle

    from customer_journey.dsl import Scenario
    from customer_journey.journey import Journey
    from customer_journey.testing import ScenarioResult

__all__ = [
    "DEFAULT_PATTERNS",
    "PATTERNS_INI",
    "JourneyScenario",
    "JourneyScenarios",
    "ScenarioFailedError",
    "pytest_addoption",
    "pytest_collect_file",
    "pytest_sessionfinish",
    "pytest_terminal_summary",
]

#: The ini option holding the file name patterns of scenario files.
PATTERNS_INI = "journey_scenarios"

#: The patterns collected when the ini option is not set.
DEFAULT_PATTERNS = ("*.scenarios.yaml", "*.scenarios.yml")

#: The scenario files collected in this session, in the order collected.
_COLLECTED = pytest.StashKey[list[str]]()
#: The lines of the "journey mutants" section of the summary.
_MUTANTS_SECTION = pytest.StashKey[list[str]]()


def pytest_addoption(parser: pytest.Parser) -> None:
    """Declare the `journey_scenarios` ini option and the mutation testing options."""
    parser.addini(
        PATTERNS_INI,
        "file name patterns of customer_journey scenario files (empty: collect none)",
        type="args",
        default=list(DEFAULT_PATTERNS),
    )
    group = parser.getgroup("customer_journey", "customer_journey scenario files")
    group.addoption(
        "--journey-mutate",
        action="store_true",
        help="at the end, run the collected scenario files against every mutant of their "
        "journeys and list the mutants no scenario noticed",
    )
    group.addoption(
        "--journey-min-score",
        type=float,
        metavar="PERCENT",
        help="fail the run when the scenarios kill fewer than PERCENT of the mutants "
        "(implies --journey-mutate)",
    )


def pytest_collect_file(file_path: Path, parent: pytest.Collector) -> JourneyScenarios | None:
    """Collect a file whose name matches one of the scenario file patterns."""
    patterns: list[str] = parent.config.getini(PATTERNS_INI)
    if any(fnmatch(file_path.name, pattern) for pattern in patterns):
        return JourneyScenarios.from_parent(parent, path=file_path)
    return None


class ScenarioFailedError(AssertionError):
    """A scenario's expectations did not all hold; `result` says which, with the trace."""

    def __init__(self, result: ScenarioResult) -> None:
        self.result = result
        super().__init__(_report(result))


class JourneyScenarios(pytest.File):
    """A scenario file: loads it and its journey once, and yields one item per scenario."""

    def collect(self) -> Iterator[JourneyScenario]:
        """One `JourneyScenario` per scenario, in file order.

        Raises:
            JourneyError: the scenario file or its journey has mistakes.
        """
        from customer_journey.testing import load_scenario_file  # noqa: PLC0415 - keep the plugin cheap to load

        path = _shown_path(self.path)
        scenario_file, journey = load_scenario_file(path)
        self.config.stash.setdefault(_COLLECTED, []).append(path)
        for scenario in scenario_file.scenarios:
            yield JourneyScenario.from_parent(
                self, name=scenario.name, scenario=scenario, journey=journey
            )

    def repr_failure(
        self,
        excinfo: pytest.ExceptionInfo[BaseException],
        style: TracebackStyle | None = None,
    ) -> str | TerminalRepr:
        """Mistakes in the files as `file:line:column` problems, not a traceback.

        `style` is in the signature of every node's `repr_failure`; a collector has one
        form of report.
        """
        from customer_journey.errors import DataFileError, JourneyError  # noqa: PLC0415 - keep the plugin cheap to load

        error = excinfo.value
        if isinstance(error, JourneyError):
            return str(error)
        if isinstance(error, DataFileError):
            return f"cannot read '{_shown_path(Path(error.path))}': {error.reason}"
        return super().repr_failure(excinfo)


class JourneyScenario(pytest.Item):
    """One scenario: replays its events and checks every expectation.

    Attributes:
        scenario: the scenario, as parsed.
        journey: the journey it runs against.
    """

    def __init__(self, *, scenario: Scenario, journey: Journey, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]  # pytest's own keywords, passed on
        self.scenario = scenario
        self.journey = journey

    def runtest(self) -> None:
        """Run the scenario.

        Raises:
            ScenarioFailedError: an expectation did not hold.
        """
        from customer_journey.testing import run_scenario  # noqa: PLC0415 - keep the plugin cheap to load

        result = run_scenario(self.journey, self.scenario)
        if not result.passed:
            raise ScenarioFailedError(result)

    def repr_failure(
        self,
        excinfo: pytest.ExceptionInfo[BaseException],
        style: TracebackStyle | None = None,
    ) -> str | TerminalRepr:
        """For a failed scenario: where it is written, expected and actual values, the trace."""
        if isinstance(excinfo.value, ScenarioFailedError):
            return str(excinfo.value)
        return super().repr_failure(excinfo, style)

    def reportinfo(self) -> tuple[Path, int | None, str]:
        """The scenario file and the (0-based) line where the scenario starts."""
        location = self.scenario.location
        return self.path, location.line - 1 if location else None, f"scenario: {self.name}"


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """With `--journey-mutate`, run the collected scenario files against the mutants.

    The run fails (exit status 1) when the score is under `--journey-min-score`. No
    mutants are made when the session did not run its tests to the end, or when a
    scenario fails on its journey itself.
    """
    config = session.config
    min_score: float | None = config.getoption("journey_min_score")
    mutate = config.getoption("journey_mutate") or min_score is not None
    files: list[str] = config.stash.get(_COLLECTED, [])
    ran = exitstatus in (pytest.ExitCode.OK, pytest.ExitCode.TESTS_FAILED)
    if not (mutate and files and ran) or config.getoption("collectonly"):
        return
    from customer_journey.errors import ArgumentError  # noqa: PLC0415 - keep the plugin cheap to load
    from customer_journey.testing import run_mutants  # noqa: PLC0415 - keep the plugin cheap to load

    try:
        report = run_mutants(files)
    except ArgumentError:  # a scenario fails on the journey itself
        config.stash[_MUTANTS_SECTION] = [
            "no mutants made: mutation testing needs every scenario to pass"
        ]
        return
    lines = report.lines()
    if min_score is not None and report.score < min_score:
        lines.append(f"mutation score {report.score:.1f}% is under the required {min_score:g}%")
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
    config.stash[_MUTANTS_SECTION] = lines


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """The "journey mutants" section: the survivors, then the score."""
    lines = terminalreporter.config.stash.get(_MUTANTS_SECTION, [])
    if lines:
        terminalreporter.write_sep("-", "journey mutants")
        for line in lines:
            terminalreporter.write_line(line)


def _report(result: ScenarioResult) -> str:
    """Each failed expectation first (pytest's summary line shows the first), then the trace."""
    from customer_journey.testing import describe_trace  # noqa: PLC0415 - keep the plugin cheap to load

    scenario = result.scenario
    where = f" at {scenario.location}" if scenario.location else ""
    return "\n".join(
        [
            *(failure.describe() for failure in result.failures),
            f"scenario '{scenario.name}'{where}",
            *describe_trace(result.result),
        ]
    )


def _shown_path(path: Path) -> str:
    """The path relative to the current directory when it is below it (short locations)."""
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)

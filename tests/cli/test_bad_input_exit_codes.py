"""Bad input ends every command alike: one line and exit 3 (data) or 2 (usage), never 4."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import Result

from customer_journey.cli import _analyze, _inputs
from customer_journey.errors import DataFileError, UngroupedInputError
from customer_journey.readers import MissingDependencyError, UnknownFormatError

Run = Callable[..., Result]

RECORDS = [
    {"customer_id": "c1", "type": "page.viewed", "timestamp": "2026-01-01T09:00:00Z"},
    {"customer_id": "c1", "type": "cart.added", "timestamp": "2026-01-01T10:00:00Z"},
]

#: Every command that reads an events file, with FILE where the file goes.
READING_COMMANDS = {
    "replay": ["replay", "shop.journey.yaml", "FILE"],
    "explain": ["explain", "shop.journey.yaml", "FILE", "--customer", "c1"],
    "analyze": ["analyze", "shop.journey.yaml", "FILE"],
    "compare": ["compare", "shop.journey.yaml", "shop.journey.yaml", "FILE"],
    "report": ["report", "shop.journey.yaml", "FILE", "--out", "report.html"],
    "diagram": ["diagram", "shop.journey.yaml", "--events", "FILE"],
}


def command(name: str, file: str, *more: str) -> list[str]:
    return [file if argument == "FILE" else argument for argument in READING_COMMANDS[name]] + [
        *more
    ]


@pytest.fixture
def events(workdir: Path) -> str:
    lines = "".join(json.dumps(record) + "\n" for record in RECORDS)
    (workdir / "events.jsonl").write_text(lines, encoding="utf-8")
    return "events.jsonl"


@pytest.fixture
def corrupt_parquet(workdir: Path) -> str:
    (workdir / "events.parquet").write_bytes(b"PAR1 this is not a Parquet file at all")
    return "events.parquet"


@pytest.mark.parametrize("name", READING_COMMANDS)
def test_a_corrupt_parquet_file_is_one_line_and_exit_3_in_every_command(
    run: Run, corrupt_parquet: str, name: str
) -> None:
    result = run(*command(name, corrupt_parquet))
    assert result.exit_code == 3, result.stderr
    assert result.stderr.startswith("error: cannot read 'events.parquet': ")
    assert result.stderr.count("\n") == 1
    assert result.stdout == ""


@pytest.mark.parametrize("name", READING_COMMANDS)
def test_a_folder_given_as_the_events_file_is_one_line_and_exit_3_in_every_command(
    run: Run, workdir: Path, name: str
) -> None:
    (workdir / "folder.jsonl").mkdir()
    result = run(*command(name, "folder.jsonl"))
    assert result.exit_code == 3, result.stderr
    assert result.stderr.startswith("error: cannot read 'folder.jsonl': ")
    assert result.stderr.count("\n") == 1


@pytest.mark.parametrize("name", READING_COMMANDS)
def test_a_missing_events_file_is_one_line_and_exit_3_in_every_command(run: Run, name: str) -> None:
    result = run(*command(name, "nope.jsonl"))
    assert result.exit_code == 3, result.stderr
    assert result.stderr.startswith("error: cannot read 'nope.jsonl': ")
    assert result.stderr.count("\n") == 1


@pytest.mark.parametrize("name", READING_COMMANDS)
def test_an_events_file_of_unknown_format_is_one_line_and_exit_3_in_every_command(
    run: Run, workdir: Path, name: str
) -> None:
    (workdir / "events.txt").write_text("", encoding="utf-8")
    result = run(*command(name, "events.txt"))
    assert result.exit_code == 3, result.stderr
    assert result.stderr.startswith("error: cannot tell the format of 'events.txt' from its name")
    assert result.stderr.count("\n") == 1


@pytest.mark.parametrize("name", ["replay", "explain", "analyze", "report"])
def test_dev_null_as_the_events_file_is_one_line_and_exit_3(run: Run, name: str) -> None:
    result = run(*command(name, "/dev/null", "--input-format", "jsonl"))
    assert result.exit_code == 3, result.stderr
    assert result.stderr.startswith("error: cannot read '/dev/null': ")
    assert result.stderr.count("\n") == 1


@pytest.mark.parametrize("name", READING_COMMANDS)
@pytest.mark.parametrize(
    "moment", ["0001-01-01T00:00:00+05:00", "9999-12-31T23:00:00-05:00", "1850-06-01"]
)
def test_an_as_of_outside_the_supported_years_is_a_usage_error_in_every_command(
    run: Run, events: str, name: str, moment: str
) -> None:
    result = run(*command(name, events, "--as-of", moment))
    assert result.exit_code == 2, result.stderr
    assert "Error: Invalid value for '--as-of': " in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("option", ["--start", "--until"])
@pytest.mark.parametrize("moment", ["0001-01-01T00:00:00+05:00", "9999-12-31T23:00:00-05:00"])
def test_a_simulation_time_outside_the_supported_years_is_a_usage_error(
    run: Run, option: str, moment: str
) -> None:
    result = run("simulate", "shop.journey.yaml", "--customers", "1", option, moment)
    assert result.exit_code == 2, result.stderr
    assert f"Error: Invalid value for '{option}': " in result.stderr
    assert result.stdout == ""


def test_a_simulation_start_that_is_not_a_time_is_a_usage_error(run: Run) -> None:
    result = run("simulate", "shop.journey.yaml", "--start", "soon")
    assert result.exit_code == 2
    assert result.stderr.endswith(
        "Error: Invalid value for '--start': not a date and time; write it like "
        "2026-01-01T10:00:00Z, 2026-01-01 or epoch seconds such as 1767225600\n"
    )


def test_a_simulation_start_out_of_range_in_the_settings_file_is_an_input_error(
    run: Run, workdir: Path
) -> None:
    (workdir / "settings.yaml").write_text(
        "customers: 1\nstart: 0001-01-01T00:00:00+05:00\n", encoding="utf-8"
    )
    result = run("simulate", "shop.journey.yaml", "--config", "settings.yaml")
    assert result.exit_code == 3, result.stderr
    assert result.stderr.startswith("error: settings.yaml: 'start' is not a usable time: ")
    assert result.stderr.count("\n") == 1


@pytest.mark.parametrize(
    "error",
    [
        DataFileError("events.jsonl", "it is damaged"),
        UnknownFormatError("unknown events format 'xml'; use one of 'jsonl', 'csv', 'parquet'"),
        MissingDependencyError("reading Parquet files needs pyarrow: pip install pyarrow"),
        UngroupedInputError("the records of customer 'c1' are not together"),
    ],
    ids=lambda error: type(error).__name__,
)
@pytest.mark.parametrize("name", READING_COMMANDS)
def test_every_error_about_the_data_is_one_line_and_exit_3_in_every_command(
    run: Run, events: str, monkeypatch: pytest.MonkeyPatch, error: Exception, name: str
) -> None:
    def fail(*_args: object, **_kwargs: object) -> None:
        raise error

    monkeypatch.setattr(_inputs.EventsFile, "open", fail)
    monkeypatch.setattr(_analyze, "compare", fail)
    result = run(*command(name, events))
    assert result.exit_code == 3, result.stderr
    assert result.stderr == f"error: {error}\n"

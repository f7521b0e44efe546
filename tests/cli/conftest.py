"""Running the command line in-process, in a directory holding the shop journey."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from customer_journey.cli import main

DATA = Path(__file__).parent.parent / "testing" / "data"

Run = Callable[..., Result]


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The current directory, with the shop journey and its scenario files in it."""
    for path in DATA.iterdir():
        shutil.copy(path, tmp_path)
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.fixture
def run(workdir: Path) -> Run:
    """Run `customer-journey` with the given arguments; stdout and stderr kept apart."""

    def invoke(*args: str) -> Result:
        return CliRunner().invoke(main, list(args), prog_name="customer-journey")

    return invoke

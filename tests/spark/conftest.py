"""One local Spark session for the Spark tests: `local[2]`, few shuffle partitions, no UI.

Without pyspark or Java here (see `.ci/java`) the tests skip, giving the reason; in CI they
fail instead, since there they must run. The workers run this interpreter, so that they
import the same customer_journey and its dependencies.
"""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from pyspark.sql import SparkSession


def _unavailable(reason: str) -> None:
    """Skip for `reason`, or fail in CI, where the Spark tests must run."""
    if os.environ.get("CI") == "true":
        pytest.fail(f"{reason} (CI is set: the Spark tests must run)", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def session() -> Iterator[SparkSession]:
    """The session, started on first use and stopped at the end."""
    try:
        from pyspark.sql import SparkSession
    except ImportError:
        _unavailable("pyspark is not installed: pip install 'customer-journey[spark]'")
    home = os.environ.get("JAVA_HOME")
    if shutil.which("java") is None and not (home and Path(home, "bin", "java").is_file()):
        _unavailable(
            "Spark needs Java 17 or later, and 'java' is neither on PATH nor in JAVA_HOME "
            "(see .ci/java)"
        )
    before = os.environ.get("PYSPARK_PYTHON")
    os.environ["PYSPARK_PYTHON"] = sys.executable
    session = (
        SparkSession.builder.master("local[2]")
        .appName("customer-journey-tests")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.shuffle.partitions", "4")
        .config("spark.default.parallelism", "2")
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()
    if before is None:
        del os.environ["PYSPARK_PYTHON"]
    else:
        os.environ["PYSPARK_PYTHON"] = before

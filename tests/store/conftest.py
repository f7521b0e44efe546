"""Fixtures for the store's tests: a throw-away PostgreSQL server, and a store URL of each kind.

`store_url` runs a test on SQLite and on PostgreSQL. Without a PostgreSQL server here (see
`.ci/postgres`) the PostgreSQL runs skip, giving the reason; in CI they fail instead, since
there they must run. Also puts this folder on `sys.path`, so that test modules can import
`postgres_server` (pytest's importlib mode does not).
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

HERE = str(Path(__file__).resolve().parent)
if HERE not in sys.path:
    sys.path.insert(0, HERE)

from postgres_server import (  # noqa: E402 (needs the sys.path entry above)
    PostgresServer,
    ServerUnavailableError,
    in_ci,
    start_server,
)


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    """One server for the whole session: started on first use, stopped at the end."""
    try:
        server = start_server()
    except ServerUnavailableError as error:
        if in_ci():
            pytest.fail(f"{error} (CI is set: the PostgreSQL tests must run)", pytrace=False)
        pytest.skip(str(error))
    yield server
    server.stop()


@pytest.fixture
def postgres_url(postgres_server: PostgresServer) -> Iterator[str]:
    """The URL of a new empty database, dropped after the test."""
    with postgres_server.fresh_database() as url:
        yield url


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A URL for a new empty store: a SQLite file under `tmp_path`, or a PostgreSQL database."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'store.db'}"
    url: str = request.getfixturevalue("postgres_url")
    return url

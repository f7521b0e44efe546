"""The throw-away PostgreSQL server the store's tests run against, and its fixtures."""

from __future__ import annotations

import shutil
from contextlib import closing
from pathlib import Path

import postgres_server
import psycopg
import pytest
from postgres_server import PostgresServer, ServerStartError, find_bindir, in_ci, start_server

pytest_plugins = ["pytester"]

HERE = Path(__file__).resolve().parent


def test_the_server_answers_as_postgresql(postgres_url: str) -> None:
    with psycopg.connect(postgres_url) as connection:
        row = connection.execute("SELECT version()").fetchone()
    assert row is not None
    assert row[0].startswith("PostgreSQL ")


def test_the_server_listens_on_loopback_and_its_own_folder_only(
    postgres_server: PostgresServer, postgres_url: str
) -> None:
    with psycopg.connect(postgres_url) as connection:
        listening = connection.execute("SHOW listen_addresses").fetchone()
        sockets = connection.execute("SHOW unix_socket_directories").fetchone()
        address = connection.execute("SELECT host(inet_server_addr())").fetchone()
    assert listening == ("127.0.0.1",)
    assert sockets == (str(postgres_server.folder),)
    assert address == ("127.0.0.1",)


def test_each_fresh_database_is_a_separate_empty_database(
    postgres_server: PostgresServer, postgres_url: str
) -> None:
    with psycopg.connect(postgres_url, autocommit=True) as first:
        first.execute("CREATE TABLE marker (id integer)")
        with (
            postgres_server.fresh_database() as other_url,
            psycopg.connect(other_url) as other,
        ):
            names = (
                first.execute("SELECT current_database()").fetchone(),
                other.execute("SELECT current_database()").fetchone(),
            )
            tables = other.execute("SELECT count(*) FROM pg_tables WHERE tablename = 'marker'")
            assert tables.fetchone() == (0,)
    assert names[0] != names[1]
    assert all(name is not None and name[0].startswith("t_") for name in names)


def test_a_fresh_database_is_dropped_after_use_even_while_connected(
    postgres_server: PostgresServer,
) -> None:
    with postgres_server.fresh_database() as url:
        lingering = psycopg.connect(url)
        name = url.rsplit("/", 1)[1]
    with closing(lingering), pytest.raises(psycopg.OperationalError):
        lingering.execute("SELECT 1")
    with psycopg.connect(postgres_server.url) as connection:
        left = connection.execute("SELECT count(*) FROM pg_database WHERE datname = %s", [name])
        assert left.fetchone() == (0,)


def test_store_url_is_a_sqlite_file_or_a_postgresql_database(
    store_url: str, request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    kind = request.node.callspec.params["store_url"]
    if kind == "sqlite":
        assert store_url == f"sqlite:///{tmp_path}/store.db"
    else:
        server = request.getfixturevalue("postgres_server")
        assert store_url.startswith(f"postgresql://postgres@127.0.0.1:{server.port}/t_")


def test_a_server_that_cannot_bind_its_port_fails_quoting_its_log(
    postgres_server: PostgresServer,
) -> None:
    with pytest.raises(ServerStartError) as raised:
        start_server(port=postgres_server.port)
    message = str(raised.value)
    assert message.startswith(
        f"the PostgreSQL server did not start on port {postgres_server.port} (pg_ctl exit 1);"
        " the end of its log:\n"
    )
    assert "Address already in use" in message


def make_bindir(root: Path, version: str, *programs: str) -> Path:
    bindir = root / version / "bin"
    bindir.mkdir(parents=True)
    for program in programs:
        (bindir / program).touch()
    return bindir


def test_find_bindir_takes_the_newest_debian_version_with_both_programs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    make_bindir(tmp_path, "9.6", "initdb", "pg_ctl")
    newest = make_bindir(tmp_path, "15", "initdb", "pg_ctl")
    make_bindir(tmp_path, "13", "initdb", "pg_ctl")
    make_bindir(tmp_path, "16", "initdb")
    assert find_bindir(versions=tmp_path) == newest


def test_find_bindir_is_none_without_server_programs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    make_bindir(tmp_path, "15", "pg_ctl")
    assert find_bindir(versions=tmp_path) is None


@pytest.mark.parametrize(
    ("value", "expected"),
    [("true", True), ("True", True), ("1", True), ("", False), ("false", False), ("0", False)],
)
def test_in_ci_reads_the_ci_variable(
    value: str, expected: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CI", value)
    assert in_ci() is expected


@pytest.fixture
def no_server_programs(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> None:
    """A pytester folder with this conftest and a store test, on a machine without a server."""
    monkeypatch.setattr(postgres_server, "find_bindir", lambda **_: None)
    shutil.copy(HERE / "conftest.py", pytester.path)
    pytester.makepyfile(test_store="def test_store(store_url):\n    pass\n")


@pytest.mark.usefixtures("no_server_programs")
def test_without_a_server_postgresql_tests_skip_saying_how_to_install(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("CI", raising=False)
    result = pytester.runpytest("-rs", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=1, skipped=1)
    result.stdout.fnmatch_lines(
        ["SKIPPED [[]1[]] *: PostgreSQL server programs not found: run sh .ci/postgres"]
    )


@pytest.mark.usefixtures("no_server_programs")
def test_without_a_server_postgresql_tests_fail_in_ci(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CI", "true")
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(passed=1, errors=1)
    result.stdout.fnmatch_lines(
        [
            "*PostgreSQL server programs not found: run sh .ci/postgres"
            " (CI is set: the PostgreSQL tests must run)"
        ]
    )

"""A throw-away PostgreSQL server for the store's tests, run from Debian's `postgresql` package.

`start_server` runs `initdb` into a fresh temporary folder and starts the server on a free
loopback port, with its Unix socket in that folder and durability off (`fsync=off`): the
data is thrown away with the folder when `PostgresServer.stop` is called. As root it runs
both as the `postgres` user, because PostgreSQL refuses to run as root.

`ServerUnavailableError` says why no server can be had here (no server programs, no
psycopg, no `postgres` user); the fixtures in `conftest.py` skip on it, or fail in CI.
`ServerStartError` means the programs are there but the server did not start: always a
failure, with the end of the server's log.
"""

from __future__ import annotations

import contextlib
import importlib.util
import itertools
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

#: Where Debian installs each major version's server programs, off PATH.
DEBIAN_VERSIONS = Path("/usr/lib/postgresql")
#: The superuser `initdb` creates; every connection logs in as it (trust, loopback only).
SUPERUSER = "postgres"
#: The database the server is started with; `PostgresServer.url` points at it.
SESSION_DATABASE = "customer_journey"
#: How many lines of a log a `ServerStartError` quotes.
LOG_TAIL = 20
#: The fix a skip or failure names.
INSTALL_HINT = "run sh .ci/postgres"


class ServerUnavailableError(Exception):
    """No PostgreSQL server can be run on this machine; the message says why and the fix."""


class ServerStartError(RuntimeError):
    """The server programs were found but `initdb` or the server failed; quotes the log."""


def find_bindir(*, versions: Path = DEBIAN_VERSIONS) -> Path | None:
    """The folder holding `initdb` and `pg_ctl`, or None when there is none.

    Looks, in order, at `pg_config --bindir`, the newest version under `versions` (Debian's
    layout, `/usr/lib/postgresql/15/bin`) and the folder of `initdb` on PATH. Debian's
    `pg_config` comes with libpq-dev and may point at a folder without the server, so each
    candidate must hold both programs.
    """
    candidates: list[Path] = []
    pg_config = shutil.which("pg_config")
    if pg_config is not None:
        result = subprocess.run(
            [pg_config, "--bindir"], capture_output=True, text=True, check=False
        )
        if result.returncode == 0:
            candidates.append(Path(result.stdout.strip()))
    candidates.extend(sorted(versions.glob("*/bin"), key=_version_of, reverse=True))
    initdb = shutil.which("initdb")
    if initdb is not None:
        candidates.append(Path(initdb).parent)
    for folder in candidates:
        if (folder / "initdb").is_file() and (folder / "pg_ctl").is_file():
            return folder
    return None


def _version_of(bindir: Path) -> tuple[int, ...]:
    """The version a Debian folder such as `.../9.6/bin` is for, compared as numbers."""
    return tuple(int(part) for part in bindir.parent.name.split(".") if part.isdigit())


def in_ci() -> bool:
    """Whether this is a CI run (CI set, and not to false or 0), where nothing may skip."""
    return os.environ.get("CI", "").strip().lower() not in {"", "false", "0"}


def free_port() -> int:
    """A loopback TCP port nothing listens on now (the kernel's pick for port 0)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


class PostgresServer:
    """A running throw-away server: its folder, port and the URLs of its databases.

    Its data lives in `folder / "data"`, its log in `folder / "server.log"` and its Unix
    socket in `folder`; `as_postgres` says its programs run as the `postgres` user. Make one
    with `start_server`; `stop` ends it and deletes the folder.
    """

    def __init__(self, bindir: Path, folder: Path, port: int, *, as_postgres: bool) -> None:
        self.bindir = bindir
        self.folder = folder
        self.port = port
        self.as_postgres = as_postgres
        self._numbers = itertools.count(1)

    @property
    def url(self) -> str:
        """The URL of the database the server was started with."""
        return self.url_of(SESSION_DATABASE)

    def url_of(self, database: str) -> str:
        """The URL a client connects to `database` with, over loopback TCP."""
        return f"postgresql://{SUPERUSER}@127.0.0.1:{self.port}/{database}"

    def create_database(self, name: str) -> str:
        """Create the empty database `name` and return its URL."""
        self._administer("CREATE DATABASE {}", name)
        return self.url_of(name)

    def drop_database(self, name: str) -> None:
        """Drop the database `name`, ending any connection still open to it."""
        self._administer("DROP DATABASE IF EXISTS {} WITH (FORCE)", name)

    def _administer(self, statement: str, database: str) -> None:
        """Run `statement` with the quoted name of `database` in it, outside a transaction.

        psycopg is imported here, not at the top, so that the SQLite tests sharing the
        fixtures run without it.
        """
        import psycopg
        from psycopg import sql

        with psycopg.connect(self.url_of("postgres"), autocommit=True) as admin:
            admin.execute(sql.SQL(statement).format(sql.Identifier(database)))

    @contextlib.contextmanager
    def fresh_database(self) -> Iterator[str]:
        """A new empty database `t_<n>` for the duration of the block; yields its URL."""
        name = f"t_{next(self._numbers)}"
        url = self.create_database(name)
        try:
            yield url
        finally:
            self.drop_database(name)

    def run(self, program: str, *arguments: str | Path) -> subprocess.CompletedProcess[str]:
        """Run one of the server programs in the folder, as `postgres` if need be; output merged."""
        prefix = ["runuser", "-u", SUPERUSER, "--"] if self.as_postgres else []
        return subprocess.run(
            [*prefix, self.bindir / program, *arguments],
            cwd=self.folder,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            text=True,
            check=False,
        )

    def stop(self) -> None:
        """Stop the server at once (its data is thrown away) and delete its folder."""
        try:
            if (self.folder / "data" / "postmaster.pid").exists():
                self.run("pg_ctl", "-D", self.folder / "data", "-m", "immediate", "-w", "stop")
        finally:
            shutil.rmtree(self.folder, ignore_errors=True)


def start_server(*, port: int | None = None) -> PostgresServer:
    """Start a throw-away server on `port` (a free one by default) with its session database.

    Raises:
        ServerUnavailableError: no server programs, no psycopg, or no `postgres` user to run
            as when running as root.
        ServerStartError: `initdb` or the server failed; the message ends with its output.
    """
    if importlib.util.find_spec("psycopg") is None:
        raise ServerUnavailableError("psycopg is not installed: install the 'test' extra")
    bindir = find_bindir()
    if bindir is None:
        raise ServerUnavailableError(f"PostgreSQL server programs not found: {INSTALL_HINT}")
    as_postgres = os.geteuid() == 0
    folder = _make_folder(as_postgres=as_postgres)
    server = PostgresServer(bindir, folder, port or free_port(), as_postgres=as_postgres)
    try:
        _initdb(server)
        _pg_ctl_start(server)
        server.create_database(SESSION_DATABASE)
    except BaseException:
        server.stop()
        raise
    return server


def _make_folder(*, as_postgres: bool) -> Path:
    """A new private folder for the server; as root, under /tmp and owned by `postgres`.

    The `postgres` user must be able to reach it, so as root it is not made under TMPDIR,
    which may be inside root's home.
    """
    if not as_postgres:
        return Path(tempfile.mkdtemp(prefix="cj-postgres-"))
    try:
        user = pwd.getpwnam(SUPERUSER)
    except KeyError:
        raise ServerUnavailableError(
            f"running as root and there is no '{SUPERUSER}' user to run the server as: "
            f"{INSTALL_HINT}"
        ) from None
    folder = Path(tempfile.mkdtemp(prefix="cj-postgres-", dir="/tmp"))
    os.chown(folder, user.pw_uid, user.pw_gid)
    return folder


def _initdb(server: PostgresServer) -> None:
    """Make the cluster: trust logins, the `postgres` superuser, UTF8, the C locale."""
    arguments: list[str | Path] = ["-D", server.folder / "data", "-A", "trust", "-U", SUPERUSER]
    result = server.run("initdb", *arguments, "--no-sync", "-E", "UTF8", "--locale=C")
    if result.returncode != 0:
        raise ServerStartError(f"initdb failed (exit {result.returncode}):\n{_tail(result.stdout)}")


def _pg_ctl_start(server: PostgresServer) -> None:
    """Start the server on loopback only and wait until it accepts connections."""
    options = [
        "-c listen_addresses=127.0.0.1",
        f"-p {server.port}",
        f"-c unix_socket_directories={server.folder}",
        "-c fsync=off",
        "-c max_connections=50",
    ]
    log = server.folder / "server.log"
    arguments: list[str | Path] = ["-w", "-t", "30", "-D", server.folder / "data", "-l", log]
    result = server.run("pg_ctl", *arguments, "-o", " ".join(options), "start")
    if result.returncode != 0:
        logged = log.read_text(errors="replace") if log.exists() else ""
        raise ServerStartError(
            f"the PostgreSQL server did not start on port {server.port} "
            f"(pg_ctl exit {result.returncode}); the end of its log:\n"
            f"{_tail(logged or result.stdout)}"
        )


def _tail(text: str) -> str:
    """The last `LOG_TAIL` lines of `text`."""
    return "\n".join(text.rstrip().splitlines()[-LOG_TAIL:])

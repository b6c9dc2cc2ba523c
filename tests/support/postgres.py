"""A real, throw-away PostgreSQL server for the test-suite, and fresh databases on it.

The server is a private cluster: ``initdb`` into a temporary directory, started with
``pg_ctl`` on a free loopback port, with its unix socket in that directory too, trust
authentication, and durability switched off (``fsync=off``): a test database is worth
nothing after the run, and syncing is most of PostgreSQL's start-up and write cost.

PostgreSQL refuses to run as root, so when the tests run as root (containers, CI)
``initdb`` and ``pg_ctl`` run as the ``postgres`` OS user through ``runuser``.

``CREDTRAIL_TEST_PG_URL`` points the suite at an existing server instead (a
developer's own); its user must be allowed to ``CREATE DATABASE``.
"""

from __future__ import annotations

import contextlib
import glob
import itertools
import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote, urlparse

import psycopg
from psycopg import sql

EXTERNAL_URL_ENV = "CREDTRAIL_TEST_PG_URL"
"""A ``postgresql://`` URL of a server to use instead of starting one."""

REQUIRE_ENV = "CREDTRAIL_REQUIRE_POSTGRES"
"""Set (CI does): missing PostgreSQL binaries fail the run instead of skipping."""

TEST_ROLE = "credtrail"
"""The role the application connects as; it owns every test database."""

ADMIN_ROLE = "postgres"
"""The bootstrap superuser of the private cluster."""

SERVER_SETTINGS = {
    "listen_addresses": "'127.0.0.1'",
    "fsync": "off",
    "synchronous_commit": "off",
    "full_page_writes": "off",
    "max_connections": "200",
    "shared_buffers": "32MB",
    # Tests that fail mid-transaction must not hold locks long enough to hang others.
    "idle_in_transaction_session_timeout": "'60s'",
}


class PostgresUnavailable(Exception):
    """The PostgreSQL binaries are not installed: the postgres tests cannot run."""


class PostgresStartError(Exception):
    """The binaries are there but the server did not come up; carries its log."""


def find_bindir() -> Path:
    """The folder holding ``initdb``/``pg_ctl``: PATH first, then Debian's layout."""
    on_path = [shutil.which("pg_ctl"), shutil.which("initdb")]
    if all(on_path):
        return Path(os.path.realpath(str(on_path[0]))).parent
    # Debian installs versioned binaries outside PATH; prefer the newest.
    candidates = sorted(
        glob.glob("/usr/lib/postgresql/*/bin"),
        key=lambda p: int(Path(p).parent.name) if Path(p).parent.name.isdigit() else 0,
    )
    for bindir in reversed(candidates):
        if (Path(bindir) / "pg_ctl").exists() and (Path(bindir) / "initdb").exists():
            return Path(bindir)
    raise PostgresUnavailable(
        "PostgreSQL binaries (initdb, pg_ctl) not found on PATH or in /usr/lib/postgresql/*/bin; "
        "install Debian's 'postgresql' package or set "
        f"{EXTERNAL_URL_ENV}=postgresql://user@host:port/db"
    )


def free_port() -> int:
    """A loopback TCP port nobody listens on right now (the server may still race us)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _run_as_owner_prefix() -> list[str]:
    """Command prefix that drops root to the ``postgres`` user; empty when not root."""
    if os.geteuid() != 0:
        return []
    try:
        pwd.getpwnam("postgres")
    except KeyError:
        raise PostgresStartError(
            "running as root, and PostgreSQL refuses root: create a 'postgres' OS user "
            "(Debian's postgresql package does) or run the tests as a normal user"
        ) from None
    runuser = shutil.which("runuser")
    if runuser:
        return [runuser, "-u", "postgres", "--"]
    setpriv = shutil.which("setpriv")
    if setpriv:
        return [setpriv, "--reuid=postgres", "--regid=postgres", "--init-groups", "--"]
    raise PostgresStartError("running as root but neither runuser nor setpriv is available")


PASSWORD_ROLE = "credtrail_pw"
"""A role the private cluster authenticates by password (scram-sha-256)."""


def database_url(user: str, host: str, port: int, dbname: str, password: str = "") -> str:
    """``postgresql://user[:password]@host:port/dbname``, the form credtrail's --store takes."""
    secret = f":{quote(password, safe='')}" if password else ""
    return f"postgresql://{quote(user, safe='')}{secret}@{host}:{port}/{quote(dbname, safe='')}"


@dataclass
class PostgresServer:
    """A PostgreSQL server the tests may create and drop databases on.

    ``admin()`` connects with rights to create databases; ``url(db)`` is what the
    application gets (an unprivileged role owning the database, or the external URL's user).
    """

    host: str
    port: int
    admin_user: str
    app_user: str
    password: str = ""
    admin_dbname: str = "postgres"
    prefix: str = "credtrail_t"
    owned: bool = False
    _counter: Iterator[int] = field(default_factory=lambda: itertools.count(1))
    _used: list[str] = field(default_factory=list)
    _broken: list[str] = field(default_factory=list)
    _admin: psycopg.Connection[tuple[object, ...]] | None = None

    def url(self, dbname: str) -> str:
        return database_url(self.app_user, self.host, self.port, dbname, self.password)

    def admin(self) -> psycopg.Connection[tuple[object, ...]]:
        """One autocommit superuser connection, reused (CREATE DATABASE needs autocommit)."""
        if self._admin is None or self._admin.closed:
            self._admin = psycopg.connect(
                host=self.host,
                port=self.port,
                user=self.admin_user,
                password=self.password or None,
                dbname=self.admin_dbname,
                autocommit=True,
                connect_timeout=10,
            )
        return self._admin

    def create_database(self) -> str:
        """A new empty database owned by the application role; returns its name."""
        name = f"{self.prefix}_{os.getpid()}_{next(self._counter)}"
        # WAL_LOG (PG15's default) rather than FILE_COPY: FILE_COPY forces two
        # checkpoints, which cost ~80 ms once earlier tests left dirty buffers.
        self.admin().execute(
            sql.SQL("CREATE DATABASE {} OWNER {} TEMPLATE template0").format(
                sql.Identifier(name), sql.Identifier(self.app_user)
            )
        )
        return name

    def drop_database(self, name: str) -> None:
        """Drop a test database, cutting off any connection a test left open."""
        self.admin().execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )

    def reset_database(self, name: str) -> bool:
        """Empty a used database (drop and recreate schema ``public``); False if it can't be.

        A test that left a transaction open holds locks: give up after a moment rather
        than hang, and let the caller drop the database instead.
        """
        try:
            with psycopg.connect(
                host=self.host,
                port=self.port,
                user=self.app_user,
                password=self.password or None,
                dbname=name,
                autocommit=True,
                connect_timeout=10,
            ) as conn:
                conn.execute("SET lock_timeout = '2s'")
                conn.execute("DROP SCHEMA IF EXISTS public CASCADE")
                conn.execute("CREATE SCHEMA public")
        except psycopg.Error:
            return False
        return True

    @contextlib.contextmanager
    def fresh_database(self) -> Iterator[str]:
        """An empty database for one test; yields its URL.

        Databases are recycled: emptying a used one (~6 ms) is several times cheaper
        than CREATE DATABASE, and DROP DATABASE waits ~100 ms for the backends of a
        client that just disconnected. A database is emptied when it is taken, not
        when it is given back, so those backends have had a whole test to exit.
        """
        name = None
        while self._used:
            candidate = self._used.pop()
            if self.reset_database(candidate):
                name = candidate
                break
            self._broken.append(candidate)
        if name is None:
            name = self.create_database()
        try:
            yield self.url(name)
        finally:
            self._used.append(name)

    def close(self) -> None:
        """Drop the test databases (on a server we keep) and disconnect."""
        try:
            if not self.owned:
                for name in [*self._used, *self._broken]:
                    self.drop_database(name)
                self._used.clear()
                self._broken.clear()
        finally:
            if self._admin is not None:
                self._admin.close()
                self._admin = None


def external_server(url: str) -> PostgresServer:
    """Use a developer's server: databases are created (and dropped) beside theirs."""
    u = urlparse(url)
    if u.scheme not in ("postgresql", "postgres") or not u.hostname:
        raise PostgresStartError(
            f"{EXTERNAL_URL_ENV}={url!r} is not a postgresql://user@host:port/db URL"
        )
    user = u.username or ADMIN_ROLE
    server = PostgresServer(
        host=u.hostname,
        port=u.port or 5432,
        admin_user=user,
        app_user=user,
        password=u.password or "",
        admin_dbname=u.path.strip("/") or "postgres",
    )
    try:
        server.admin().execute("SELECT 1")
    except psycopg.Error as exc:
        raise PostgresStartError(f"cannot connect to {EXTERNAL_URL_ENV} server: {exc}") from None
    return server


class LocalCluster:
    """initdb + pg_ctl in a temporary directory; ``stop`` removes every trace."""

    def __init__(self, bindir: Path) -> None:
        self.bindir = bindir
        self.prefix = _run_as_owner_prefix()
        self.root = Path(tempfile.mkdtemp(prefix="credtrail-pg-"))
        self.data = self.root / "data"
        self.log = self.root / "server.log"
        self.port = 0
        self.started = False
        if self.prefix:
            # mkdtemp makes a 0700 root-owned folder: hand it to the server's user, and
            # check the path to it is traversable (a TMPDIR under /root is not).
            pw = pwd.getpwnam("postgres")
            os.chown(self.root, pw.pw_uid, pw.pw_gid)
            probe = subprocess.run(
                [*self.prefix, "test", "-w", str(self.root)], capture_output=True, check=False
            )
            if probe.returncode != 0:
                shutil.rmtree(self.root, ignore_errors=True)
                raise PostgresStartError(
                    f"the postgres user cannot write {self.root}; set TMPDIR to a folder "
                    "every user can traverse (e.g. /tmp)"
                )

    def _run(self, *args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
        # cwd: the server user may not be able to enter the caller's folder.
        return subprocess.run(
            [*self.prefix, *args],
            cwd=self.root,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )

    def _log_text(self) -> str:
        try:
            return self.log.read_text(errors="replace")[-4000:]
        except OSError:
            return "(no server log)"

    def init(self) -> None:
        result = self._run(
            str(self.bindir / "initdb"),
            "-D",
            str(self.data),
            "-U",
            ADMIN_ROLE,
            "--auth=trust",
            "--encoding=UTF8",
            "--locale=C",
            "--no-sync",
            "--no-instructions",
        )
        if result.returncode != 0:
            raise PostgresStartError(
                f"initdb failed (exit {result.returncode}):\n{result.stdout}\n{result.stderr}"
            )
        # One role must give a password (the tests of wrong passwords, PGPASSWORD and
        # ~/.pgpass need a server that asks); every other role is trusted as before.
        hba = self.data / "pg_hba.conf"
        hba.write_text(
            f"host all {PASSWORD_ROLE} 127.0.0.1/32 scram-sha-256\n"
            f"local all {PASSWORD_ROLE} scram-sha-256\n" + hba.read_text()
        )

    def start(self, attempts: int = 3) -> None:
        """Start on a free port; another process may grab the port first, so retry."""
        for attempt in range(1, attempts + 1):
            self.port = free_port()
            settings = {**SERVER_SETTINGS, "port": str(self.port)}
            settings["unix_socket_directories"] = f"'{self.root}'"
            conf = "\n".join(f"{k} = {v}" for k, v in settings.items())
            (self.data / "postgresql.auto.conf").write_text(conf + "\n")
            if self.prefix:
                pw = pwd.getpwnam("postgres")
                os.chown(self.data / "postgresql.auto.conf", pw.pw_uid, pw.pw_gid)
            result = self._run(
                str(self.bindir / "pg_ctl"),
                "-D",
                str(self.data),
                "-l",
                str(self.log),
                "-w",
                "-t",
                "60",
                "start",
            )
            if result.returncode == 0:
                self.started = True
                return
            log = self._log_text()
            port_taken = "could not bind" in log or "already in use" in log
            if port_taken and attempt < attempts:
                continue
            raise PostgresStartError(
                f"pg_ctl start failed (exit {result.returncode}) on port {self.port}:\n"
                f"{result.stdout}{result.stderr}\n--- server log ({self.log}) ---\n{log}"
            )

    def stop(self) -> None:
        """Stop the server (immediate: nothing in it is worth a checkpoint) and delete it."""
        try:
            if self.started:
                self._run(
                    str(self.bindir / "pg_ctl"),
                    "-D",
                    str(self.data),
                    "-m",
                    "immediate",
                    "-w",
                    "stop",
                    timeout=60,
                )
                self.started = False
        finally:
            shutil.rmtree(self.root, ignore_errors=True)


def _wait_accepting(host: str, port: int, user: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            psycopg.connect(host=host, port=port, user=user, dbname="postgres").close()
            return
        except psycopg.OperationalError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)


@contextlib.contextmanager
def _teardown_on_sigterm() -> Iterator[None]:
    """Make SIGTERM (CI's timeout, a killed job) unwind like Ctrl-C, so the server stops.

    pg_ctl starts the server in its own session: a signal to the test run's process
    group never reaches it, and without the teardown it would outlive the run.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def interrupt(signum: int, frame: object) -> None:
        raise KeyboardInterrupt(f"signal {signum}")

    previous = signal.signal(signal.SIGTERM, interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


@contextlib.contextmanager
def postgres_server() -> Iterator[PostgresServer]:
    """The server for one test session: external if configured, else a private cluster.

    Raises ``PostgresUnavailable`` when the binaries are absent (callers skip) and
    ``PostgresStartError`` with the server log when they are present but fail.
    """
    external = os.environ.get(EXTERNAL_URL_ENV)
    if external:
        shared = external_server(external)
        try:
            yield shared
        finally:
            shared.close()
        return
    cluster = LocalCluster(find_bindir())
    server: PostgresServer | None = None
    with _teardown_on_sigterm():
        try:
            cluster.init()
            cluster.start()
            _wait_accepting("127.0.0.1", cluster.port, ADMIN_ROLE)
            server = PostgresServer(
                host="127.0.0.1",
                port=cluster.port,
                admin_user=ADMIN_ROLE,
                app_user=TEST_ROLE,
                owned=True,
            )
            server.admin().execute(
                sql.SQL("CREATE ROLE {} LOGIN").format(sql.Identifier(TEST_ROLE))
            )
            yield server
        finally:
            if server is not None:
                server.close()
            cluster.stop()

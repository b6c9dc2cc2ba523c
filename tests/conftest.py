"""Fixtures every test may use: a fresh store on each backend, the plugin manager, the app.

``store_url`` runs a test once on SQLite and once on PostgreSQL (marked ``postgres``,
so ``pytest -m "not postgres"`` never starts a server). The PostgreSQL server is real:
started once per session by ``support.postgres``, one fresh database per test.
"""

from __future__ import annotations

import os
import tempfile
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pluggy
import pytest
from hypothesis import settings
from support.postgres import (
    REQUIRE_ENV,
    PostgresServer,
    PostgresStartError,
    PostgresUnavailable,
    postgres_server,
)

from credtrail.core.application import Credtrail
from credtrail.core.plugins import build_plugin_manager
from credtrail.plugins import builtin_plugins

# Parsed data files are cached per user (core/datafiles.py): the suite and the CLI
# processes it starts use a cache of their own, never the real ~/.cache.
os.environ["CREDTRAIL_CACHE_DIR"] = tempfile.mkdtemp(prefix="credtrail-test-cache-")

# Tests never assert wall-clock time: Hypothesis's default 200 ms deadline per example
# is one (a loaded CI machine fails it as "Flaky"), so no property test has one.
settings.register_profile("credtrail", deadline=None)
settings.load_profile("credtrail")

BACKENDS = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]


@pytest.fixture(scope="session")
def postgres() -> Iterator[PostgresServer]:
    """The session's PostgreSQL server (private cluster, or ``CREDTRAIL_TEST_PG_URL``)."""
    try:
        with postgres_server() as server:
            yield server
    except PostgresUnavailable as exc:
        # CI sets the variable: a suite that silently skips half its runs proves nothing.
        if os.environ.get(REQUIRE_ENV):
            pytest.fail(f"{exc} ({REQUIRE_ENV} is set)", pytrace=False)
        pytest.skip(str(exc))
    except PostgresStartError as exc:
        pytest.fail(f"PostgreSQL did not start:\n{exc}", pytrace=False)


@pytest.fixture
def postgres_url(postgres: PostgresServer) -> Iterator[str]:
    """The URL of a new, empty PostgreSQL database, dropped after the test."""
    with postgres.fresh_database() as url:
        yield url


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    """The path of a SQLite store that does not exist yet, in the test's own folder."""
    return str(tmp_path / "credtrail.db")


@pytest.fixture(autouse=True, scope="session")
def _no_real_home(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """No test writes to the real per-user store: the user data folder is a temporary one."""
    saved = {k: os.environ.get(k) for k in ("XDG_CONFIG_HOME", "CREDTRAIL_STORE")}
    os.environ["XDG_CONFIG_HOME"] = str(tmp_path_factory.mktemp("config-home"))
    os.environ.pop("CREDTRAIL_STORE", None)
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


@pytest.fixture(params=BACKENDS)
def store_backend(request: pytest.FixtureRequest) -> str:
    """``"sqlite"`` or ``"postgres"``: which backend this run of the test uses."""
    request.node.user_properties.append(("backend", request.param))
    return str(request.param)


@pytest.fixture
def store_url(store_backend: str, request: pytest.FixtureRequest) -> str:
    """A fresh, empty store location on each backend (the value ``--store`` takes)."""
    # Resolved lazily so that SQLite-only runs never start PostgreSQL.
    fixture = "postgres_url" if store_backend == "postgres" else "sqlite_url"
    return str(request.getfixturevalue(fixture))


@pytest.fixture
def pm() -> pluggy.PluginManager:
    """The built-in plugins only: entry points off, so installed plugins never leak in."""
    return build_plugin_manager(builtin_plugins(), load_entrypoints=False)


@pytest.fixture
def app(store_url: str, pm: pluggy.PluginManager) -> Iterator[Credtrail]:
    """A ``Credtrail`` on a freshly created store, closed after the test."""
    application = Credtrail.open(store_url, pm, create=True)
    try:
        yield application
    finally:
        application.close()


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """One line of test outcomes per store backend (the figure the issue notes quote)."""
    counts: dict[str, Counter[str]] = {}
    for outcome in ("passed", "failed", "skipped", "error"):
        for report in terminalreporter.stats.get(outcome, []):
            if not isinstance(report, pytest.TestReport):
                continue
            # A test counts once: by its call, or by the phase that stopped it.
            if report.when != "call" and outcome == "passed":
                continue
            backend = dict(report.user_properties).get("backend")
            if backend is None and "postgres" in report.keywords:
                backend = "postgres"
            if backend is not None:
                counts.setdefault(str(backend), Counter())[outcome] += 1
    if counts:
        parts = [
            f"{backend}: " + ", ".join(f"{n} {outcome}" for outcome, n in sorted(c.items()))
            for backend, c in sorted(counts.items())
        ]
        terminalreporter.write_line("store backends -- " + "; ".join(parts))

"""Both store backends, end to end through the real application: SQLite and PostgreSQL.

The profession here is a small plugin defined in this file, registered alone: these
tests pin what the *store* does, whatever rules the built-in professions carry.
"""

from __future__ import annotations

import glob
import multiprocessing
import shutil
import sqlite3
import stat
import tempfile
from collections.abc import Callable, Iterator
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pluggy
import psycopg
import pytest
import support.postgres as pg_support
from support.postgres import PostgresServer, free_port

from credtrail.core import (
    Accreditor,
    Authority,
    Citation,
    CreditType,
    Credtrail,
    EarnRequest,
    Profession,
    Topic,
    hookimpl,
)
from credtrail.core.errors import (
    CreditRejectedError,
    OverClaimError,
    StoreChangedError,
    StoreError,
)
from credtrail.core.persistence.location import mask
from credtrail.core.persistence.retry import retry_on_conflict
from credtrail.core.plugins import build_plugin_manager
from credtrail.core.store import GENESIS, LOG_TABLE, StoreLocation, chain_link, iter_log

SOURCE = Citation(
    authority="credtrail tests",
    document="tests/test_backends.py",
    date_read=date(2026, 11, 23),
)


class StoreTestProfession:
    """A profession with one accredited and one self-claimed credit type."""

    @hookimpl
    def credtrail_register_professions(self, register: Callable[[Profession], None]) -> None:
        register(Profession(code="storetest", label="Store test profession"))

    @hookimpl
    def credtrail_register_accreditors(self, register: Callable[[Accreditor], None]) -> None:
        register(Accreditor(code="STA", name="Store Test Accreditor", source=SOURCE))

    @hookimpl
    def credtrail_register_credit_types(self, register: Callable[[CreditType], None]) -> None:
        register(
            CreditType(
                code="storetest_1",
                label="Store test category 1",
                profession="storetest",
                unit="hours",
                increment=Decimal("0.25"),
                accreditors=("STA",),
                source=SOURCE,
            )
        )
        register(
            CreditType(
                code="storetest_2",
                label="Store test category 2",
                profession="storetest",
                unit="hours",
                increment=Decimal("0.25"),
                requires_accreditor=False,
                source=SOURCE,
            )
        )

    @hookimpl
    def credtrail_register_topics(self, register: Callable[[Topic], None]) -> None:
        register(Topic(code="ethics", description="ethics"))

    @hookimpl
    def credtrail_register_authorities(self, register: Callable[[Authority], None]) -> None:
        register(
            Authority(
                code="ST-BOARD",
                name="Store Test Board",
                professions=("storetest",),
                requires_claim=True,
                source=SOURCE,
            )
        )


@pytest.fixture
def pm() -> pluggy.PluginManager:
    """Only this file's profession; entry points off."""
    return build_plugin_manager(
        extra=[("storetest", StoreTestProfession())], load_entrypoints=False
    )


def earn_request(activity: str, units: str = "1", **overrides: Any) -> EarnRequest:
    fields: dict[str, Any] = {
        "clinician_id": "dr-lee",
        "credit_type": "storetest_1",
        "units": Decimal(units),
        "completed_on": date(2026, 3, 2),
        "provider": "Example Medical School",
        "accreditor": "STA",
        "activity_id": activity,
        "topics": ("ethics",),
        **overrides,
    }
    return EarnRequest(**fields)


def log_rows(store_url: str) -> list[tuple[Any, ...]]:
    """``credtrail_log`` read with the database's own driver, bypassing credtrail."""
    query = (
        "SELECT notification_id, originator_id, originator_version, topic, "
        f"recorded_at, valid_on, chain FROM {LOG_TABLE} ORDER BY notification_id"
    )
    if StoreLocation.parse(store_url).backend == "postgres":
        with psycopg.connect(store_url) as conn:
            return list(conn.execute(query).fetchall())
    with sqlite3.connect(store_url) as conn:
        return list(conn.execute(query).fetchall())


def notifications(app: Credtrail) -> list[Any]:
    return [n for page in iter_log(app.store) for n in page]


@pytest.fixture
def ledger_app(app: Credtrail) -> Credtrail:
    """The application with clinician ``dr-lee`` of the test profession added."""
    app.add_clinician("dr-lee", "storetest", name="Dr. Ada Lee")
    return app


def test_store_starts_empty(app: Credtrail, store_url: str) -> None:
    """Each test gets a store with tables but no events and no log rows."""
    assert notifications(app) == []
    assert log_rows(store_url) == []


def test_earn_claim_revoke_survive_reopening(
    ledger_app: Credtrail, store_url: str, pm: pluggy.PluginManager
) -> None:
    """Credits earned, claimed and revoked read back the same from a reopened store."""
    first = ledger_app.earn(earn_request("act-1", "1.5"))
    second = ledger_app.earn(earn_request("act-2", "2"))
    self_claimed = ledger_app.earn(
        earn_request("reading", "0.75", credit_type="storetest_2", accreditor=None)
    )
    assert ledger_app.claim("dr-lee", first, "ST-BOARD", claimed_on=date(2026, 4, 1)) == Decimal(
        "1.5"
    )
    ledger_app.revoke("dr-lee", second, "provider withdrew the activity", date(2026, 4, 2))
    before = ledger_app.transcript("dr-lee")
    ledger_app.close()

    reopened = Credtrail.open(store_url, pm)
    try:
        after = reopened.transcript("dr-lee")
        ledger = reopened.ledger("dr-lee")
    finally:
        reopened.close()
    assert after == before
    assert after.model_dump(mode="json")["totals"] == {"storetest_1": "1.5", "storetest_2": "0.75"}
    assert ledger.credits[first].claims == {"ST-BOARD": Decimal("1.5")}
    assert ledger.credits[second].revoked
    assert ledger.credits[second].revoked_reason == "provider withdrew the activity"
    assert ledger.credits[self_claimed].accreditor is None
    assert isinstance(ledger.credits[first].units, Decimal)


def test_log_has_one_row_per_event_with_times_and_valid_chain(
    ledger_app: Credtrail, store_url: str
) -> None:
    """credtrail_log indexes every stored event; its hash chain recomputes from the events."""
    credit = ledger_app.earn(earn_request("act-1"))
    ledger_app.claim("dr-lee", credit, "ST-BOARD", claimed_on=date(2026, 5, 6))
    ledger_app.revoke("dr-lee", credit, "duplicate certificate", date(2026, 5, 7))

    events = notifications(ledger_app)
    rows = log_rows(store_url)
    assert [e.topic for e in events] == [
        "credtrail:ClinicianRegistered",
        "credtrail:CreditEarned",
        "credtrail:CreditClaimed",
        "credtrail:CreditRevoked",
    ]
    assert [r[0] for r in rows] == [e.id for e in events]
    assert [r[5] for r in rows] == [None, "2026-03-02", "2026-05-06", "2026-05-07"]
    assert all(r[4].endswith("+00:00") for r in rows), "recorded_at must be UTC"
    assert [r[4] for r in rows] == sorted(r[4] for r in rows)

    head = GENESIS
    for event, row in zip(events, rows, strict=True):
        stream = event.originator_id.hex
        assert row[1:4] == (stream, event.originator_version, event.topic)
        head = chain_link(
            head, event.id, stream, event.originator_version, event.topic, bytes(event.state)
        )
        assert row[6] == head


def test_chain_continues_across_sessions(
    ledger_app: Credtrail, store_url: str, pm: pluggy.PluginManager
) -> None:
    """A second process's first event links to the last link the first process wrote."""
    ledger_app.earn(earn_request("act-1"))
    last = log_rows(store_url)[-1]
    ledger_app.close()

    reopened = Credtrail.open(store_url, pm)
    try:
        reopened.earn(earn_request("act-2"))
        event = notifications(reopened)[-1]
    finally:
        reopened.close()
    new = log_rows(store_url)[-1]
    expected = chain_link(
        last[6],
        event.id,
        event.originator_id.hex,
        event.originator_version,
        event.topic,
        bytes(event.state),
    )
    assert new[0] == last[0] + 1
    assert new[6] == expected


def test_failed_batch_writes_nothing(ledger_app: Credtrail, store_url: str) -> None:
    """earn_many with one invalid request records none of the batch, events or log rows."""
    ledger_app.earn(earn_request("already-there"))
    events_before = notifications(ledger_app)
    rows_before = log_rows(store_url)
    batch = [
        earn_request("batch-1"),
        earn_request("batch-2", "0.3"),  # not a multiple of 0.25
        earn_request("batch-3"),
    ]
    with pytest.raises(CreditRejectedError, match=r"storetest_1-increment"):
        ledger_app.earn_many(batch)

    assert notifications(ledger_app) == events_before
    assert log_rows(store_url) == rows_before
    assert [c.activity_id for c in ledger_app.ledger("dr-lee").credits.values()] == [
        "already-there"
    ]


def test_valid_batch_is_one_transaction_and_idempotent(ledger_app: Credtrail) -> None:
    """A valid batch records every credit; re-running it records nothing new."""
    batch = [earn_request(f"batch-{i}") for i in range(5)]
    first = ledger_app.earn_many(batch)
    count = len(notifications(ledger_app))
    again = ledger_app.earn_many(batch)

    assert [r.created for r in first] == [True] * 5
    assert [r.created for r in again] == [False] * 5
    assert [r.credit_id for r in again] == [r.credit_id for r in first]
    assert len(notifications(ledger_app)) == count == 1 + 5


def test_rejected_claim_leaves_log_unchanged(ledger_app: Credtrail, store_url: str) -> None:
    """An over-claim is refused by the aggregate before anything reaches the store."""
    credit = ledger_app.earn(earn_request("act-1", "1"))
    rows = log_rows(store_url)
    with pytest.raises(OverClaimError, match="claim-within-earned"):
        ledger_app.claim("dr-lee", credit, "ST-BOARD", units=Decimal("1.25"))
    assert log_rows(store_url) == rows


def public_tables(url: str) -> list[str]:
    with psycopg.connect(url) as conn:
        rows = conn.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename"
        ).fetchall()
    return [row[0] for row in rows]


@pytest.mark.postgres
def test_postgres_databases_are_isolated(
    postgres: PostgresServer, pm: pluggy.PluginManager
) -> None:
    """Two databases handed out at once share nothing."""
    with postgres.fresh_database() as one, postgres.fresh_database() as other:
        assert one != other
        first = Credtrail.open(one, pm, create=True)
        try:
            first.add_clinician("dr-lee", "storetest")
        finally:
            first.close()
        second = Credtrail.open(other, pm, create=True)
        try:
            assert not second.has_clinician("dr-lee")
        finally:
            second.close()


@pytest.mark.postgres
def test_recycled_postgres_database_is_empty(
    postgres: PostgresServer, pm: pluggy.PluginManager
) -> None:
    """A database given back is handed out again with no tables left in it."""
    with postgres.fresh_database() as used:
        app = Credtrail.open(used, pm, create=True)
        try:
            app.add_clinician("dr-lee", "storetest")
        finally:
            app.close()
        assert LOG_TABLE in public_tables(used)
    with postgres.fresh_database() as again:
        assert again == used
        assert public_tables(again) == []
        app = Credtrail.open(again, pm, create=True)
        try:
            assert not app.has_clinician("dr-lee")
            assert notifications(app) == []
        finally:
            app.close()


# -- the test server itself: skip only without binaries, fail loudly otherwise ----------


def test_missing_binaries_mean_unavailable(monkeypatch: pytest.MonkeyPatch) -> None:
    """Without initdb/pg_ctl anywhere, the harness says what to install (the only skip)."""
    monkeypatch.setattr(shutil, "which", lambda name: None)
    monkeypatch.setattr(glob, "glob", lambda pattern: [])
    with pytest.raises(pg_support.PostgresUnavailable, match="'postgresql' package"):
        pg_support.find_bindir()


@pytest.mark.postgres
def test_server_that_cannot_start_fails_with_its_log(monkeypatch: pytest.MonkeyPatch) -> None:
    """A server that does not come up is an error carrying its log, and leaves no folder."""
    try:
        pg_support.find_bindir()
    except pg_support.PostgresUnavailable as exc:
        pytest.skip(str(exc))
    monkeypatch.setitem(pg_support.SERVER_SETTINGS, "shared_buffers", "'lots'")
    monkeypatch.delenv(pg_support.EXTERNAL_URL_ENV, raising=False)
    before = set(Path(tempfile.gettempdir()).glob("credtrail-pg-*"))
    with (
        pytest.raises(
            pg_support.PostgresStartError, match='invalid value for parameter "shared_buffers"'
        ),
        pg_support.postgres_server(),
    ):
        pass
    assert set(Path(tempfile.gettempdir()).glob("credtrail-pg-*")) <= before


# --------------------------------------------- trust: secrets, private files, safe retries


def test_mask_hides_every_password() -> None:
    """One helper masks a URL's password, a password= parameter and any given secret."""
    assert mask("postgresql://u:S3cret@h/db") == "postgresql://u:***@h/db"
    assert mask("postgresql://u@h/db?sslmode=require&password=S3cret") == (
        "postgresql://u@h/db?sslmode=require&password=***"
    )
    assert mask("host=h password='S3 cret' dbname=d") == "host=h password=*** dbname=d"
    assert mask("failed for S3cret", "S3cret") == "failed for ***"


def test_postgres_url_mistakes_are_clear_and_never_print_the_password() -> None:
    """A non-numeric port is a StoreError naming it; an unreachable socket folder says so
    at once; neither message holds the password."""
    with pytest.raises(StoreError, match="port 'abc' is not a number") as bad_port:
        StoreLocation.parse("postgresql://credtrail:S3cret@localhost:abc/db")
    location = StoreLocation.parse("postgresql://credtrail:S3cret@/db?host=/nonexistent")
    with pytest.raises(StoreError, match="cannot reach the PostgreSQL server") as unreachable:
        location.resolve()
    for message in (str(bad_port.value), str(unreachable.value), repr(location)):
        assert "S3cret" not in message
        assert "credtrail:***@" in message


@pytest.fixture
def password_db(postgres: PostgresServer) -> Iterator[tuple[str, int, str]]:
    """(host, port, dbname) of a database owned by a role that must give a password."""
    admin = postgres.admin()
    role = psycopg.sql.Identifier(pg_support.PASSWORD_ROLE)
    admin.execute(psycopg.sql.SQL("DROP ROLE IF EXISTS {}").format(role))
    admin.execute(psycopg.sql.SQL("CREATE ROLE {} LOGIN PASSWORD 'S3cret'").format(role))
    name = postgres.create_database()
    admin.execute(
        psycopg.sql.SQL("ALTER DATABASE {} OWNER TO {}").format(psycopg.sql.Identifier(name), role)
    )
    try:
        yield postgres.host, postgres.port, name
    finally:
        postgres.drop_database(name)
        admin.execute(psycopg.sql.SQL("DROP ROLE IF EXISTS {}").format(role))


@pytest.mark.postgres
def test_postgres_failures_have_their_own_messages_and_libpq_finds_the_password(
    password_db: tuple[str, int, str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    pm: pluggy.PluginManager,
) -> None:
    """A wrong password, an unknown database and a closed port each get their own message
    (no 10 s wait, no password shown); PGPASSWORD and a passfile work without one in the URL."""
    host, port, db = password_db
    user = pg_support.PASSWORD_ROLE
    monkeypatch.delenv("PGPASSWORD", raising=False)
    monkeypatch.setenv("PGPASSFILE", str(tmp_path / "none"))

    def message(url: str) -> str:
        with pytest.raises(StoreError) as caught:
            StoreLocation.parse(url).resolve()
        assert "Wr0ng" not in str(caught.value)
        return str(caught.value)

    assert "refused the credentials" in message(f"postgresql://{user}:Wr0ng@{host}:{port}/{db}")
    assert "does not exist" in message(f"postgresql://{user}:S3cret@{host}:{port}/nope")
    assert "cannot reach" in message(f"postgresql://{user}:S3cret@{host}:{free_port()}/{db}")

    bare = f"postgresql://{user}@{host}:{port}/{db}"
    monkeypatch.setenv("PGPASSWORD", "S3cret")
    assert StoreLocation.parse(bare).resolve()["POSTGRES_PASSWORD"] == "S3cret"
    monkeypatch.delenv("PGPASSWORD")
    passfile = tmp_path / "pgpass"
    passfile.write_text(f"{host}:{port}:{db}:{user}:S3cret\n")
    passfile.chmod(0o600)
    app = Credtrail.open(f"{bare}?passfile={passfile}", pm, create=True)
    app.close()


def test_new_sqlite_store_is_private_and_symlinks_are_refused(
    tmp_path: Path, pm: pluggy.PluginManager
) -> None:
    """credtrail init creates the store 0600; a store path that is a symlink is refused."""
    path = tmp_path / "private.db"
    Credtrail.open(str(path), pm, create=True).close()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    link_path = tmp_path / "link.db"
    link_path.symlink_to(path)
    with pytest.raises(StoreError, match="symbolic link"):
        Credtrail.open(str(link_path), pm)


def test_retry_on_conflict_reruns_only_store_changes() -> None:
    """A StoreChangedError is retried (bounded); any other error is raised at once."""
    calls: list[int] = []
    pauses: list[float] = []

    def flaky() -> str:
        calls.append(1)
        if len(calls) < 3:
            raise StoreChangedError("changed")
        return "done"

    assert retry_on_conflict(flaky, sleep=pauses.append)() == "done"
    assert len(calls) == 3
    assert len(pauses) == 2
    assert all(0 <= p <= 0.5 for p in pauses)

    def always() -> None:
        calls.append(1)
        raise StoreChangedError("changed")

    calls.clear()
    with pytest.raises(StoreChangedError):
        retry_on_conflict(always, attempts=4, sleep=pauses.append)()
    assert len(calls) == 4

    def other() -> None:
        calls.append(1)
        raise OverClaimError("no")

    calls.clear()
    with pytest.raises(OverClaimError):
        retry_on_conflict(other, sleep=pauses.append)()
    assert len(calls) == 1


def _earn_in_child(store_url: str, activity: str, results: Any) -> None:
    pm = build_plugin_manager(extra=[("storetest", StoreTestProfession())], load_entrypoints=False)
    app = Credtrail.open(store_url, pm)
    try:
        app.earn(earn_request(activity))
        results.put("ok")
    except Exception as exc:  # the parent counts what failed, and why
        results.put(f"{type(exc).__name__}: {exc}")
    finally:
        app.close()


def test_concurrent_writers_of_one_ledger_lose_nothing(
    ledger_app: Credtrail, store_url: str
) -> None:
    """Processes earning credits on the same ledger at once all succeed: a refused write of
    an idempotent command is retried."""
    writers = 6
    context = multiprocessing.get_context("spawn")
    results = context.Queue()
    procs = [
        context.Process(target=_earn_in_child, args=(store_url, f"race-{i}", results))
        for i in range(writers)
    ]
    for proc in procs:
        proc.start()
    for proc in procs:
        proc.join(120)
    outcomes = [results.get(timeout=5) for _ in procs]
    assert outcomes == ["ok"] * writers
    assert len(ledger_app.ledger("dr-lee").credits) == writers

"""The projection tables and the little SQL that differs between SQLite and PostgreSQL.

Views live in the same database as the events and are written through the store's
own datastore (``store.factory.datastore``), so a view page and its tracking row
commit in one transaction on either backend. Statements are written once, with
``?`` placeholders; PostgreSQL gets ``%s`` and schema-qualified names. Everything
else (``INSERT ... ON CONFLICT DO UPDATE``, ``DELETE``, ``RETURNING``-free SQL) is
common to SQLite >= 3.24 and PostgreSQL.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from functools import lru_cache
from typing import Any

from eventsourcing.persistence import PersistenceError

from credtrail.core.errors import StoreError
from credtrail.core.store import EventStore
from credtrail.core.viewtables import CLINICIANS as CLINICIANS
from credtrail.core.viewtables import COMPLIANCE as COMPLIANCE
from credtrail.core.viewtables import COMPLIANCE_DAY as COMPLIANCE_DAY
from credtrail.core.viewtables import CREDITS as CREDITS
from credtrail.core.viewtables import LEASES as LEASES
from credtrail.core.viewtables import LICENSES as LICENSES
from credtrail.core.viewtables import PAGES as PAGES
from credtrail.core.viewtables import REQUIREMENTS as REQUIREMENTS
from credtrail.core.viewtables import SCHEMA as SCHEMA
from credtrail.core.viewtables import SCHEMA_VERSION as SCHEMA_VERSION
from credtrail.core.viewtables import TRACKING as TRACKING

_TABLES = (
    SCHEMA,
    TRACKING,
    CLINICIANS,
    LICENSES,
    CREDITS,
    REQUIREMENTS,
    COMPLIANCE,
    COMPLIANCE_DAY,
    LEASES,
    PAGES,
)

# One DDL for both backends: TEXT and BIGINT mean the same to SQLite and PostgreSQL,
# dates and decimals are ISO/decimal strings (exact, and sortable where it matters).
_DDL = (
    f"CREATE TABLE IF NOT EXISTS {TRACKING} ("
    "view TEXT PRIMARY KEY, position BIGINT NOT NULL, rebuilt_at TEXT, fingerprint TEXT)",
    f"CREATE TABLE IF NOT EXISTS {CLINICIANS} ("
    "clinician_id TEXT PRIMARY KEY, stream TEXT NOT NULL, profession TEXT NOT NULL, "
    "name TEXT, npi TEXT)",
    f"CREATE UNIQUE INDEX IF NOT EXISTS {CLINICIANS}_stream ON {CLINICIANS} (stream)",
    f"CREATE TABLE IF NOT EXISTS {LICENSES} ("
    "clinician_id TEXT NOT NULL, license_id TEXT NOT NULL, requirement_id TEXT NOT NULL, "
    "issued_on TEXT NOT NULL, expires_on TEXT, birth_date TEXT, number TEXT, "
    "ended_on TEXT, end_reason TEXT, attributes TEXT NOT NULL, facts TEXT NOT NULL, "
    "PRIMARY KEY (clinician_id, license_id))",
    f"CREATE INDEX IF NOT EXISTS {LICENSES}_requirement ON {LICENSES} (requirement_id)",
    # One JSON document per credit: a page writes tens of thousands of credit rows, and
    # binding three parameters instead of twenty is most of the cost of writing them.
    f"CREATE TABLE IF NOT EXISTS {CREDITS} ("
    "clinician_id TEXT NOT NULL, credit_id TEXT NOT NULL, data TEXT NOT NULL, "
    "PRIMARY KEY (clinician_id, credit_id))",
    f"CREATE TABLE IF NOT EXISTS {REQUIREMENTS} ("
    "requirement_id TEXT PRIMARY KEY, stream TEXT NOT NULL, authority TEXT NOT NULL, "
    "versions TEXT NOT NULL)",
    f"CREATE UNIQUE INDEX IF NOT EXISTS {REQUIREMENTS}_stream ON {REQUIREMENTS} (stream)",
    f"CREATE TABLE IF NOT EXISTS {COMPLIANCE} ("
    "clinician_id TEXT NOT NULL, requirement_id TEXT NOT NULL, cycle_start TEXT NOT NULL, "
    "cycle_end TEXT NOT NULL, license_id TEXT NOT NULL, status TEXT NOT NULL, "
    "counted TEXT NOT NULL, required TEXT NOT NULL, missing TEXT NOT NULL, "
    "explanation TEXT NOT NULL, "
    "PRIMARY KEY (clinician_id, requirement_id, cycle_start))",
    # The roster (``Views.roster``) and the day's catch-up read the rows whose cycle
    # contains a day: an index from the cycle's end that holds every column they read
    # but the explanation, so the rows themselves (mostly their explanations) are not
    # visited. It replaces schema 6's index on cycle_end alone (``_REPLACED_INDEXES``).
    f"CREATE INDEX IF NOT EXISTS {COMPLIANCE}_by_day ON {COMPLIANCE} "
    "(cycle_end, cycle_start, clinician_id, requirement_id, license_id, status, counted, "
    "required, missing)",
    f"CREATE TABLE IF NOT EXISTS {COMPLIANCE_DAY} (view TEXT PRIMARY KEY, day TEXT NOT NULL)",
)

_REPLACED_INDEXES = (f"{COMPLIANCE}_cycle_end",)
"""Indexes an older credtrail created and the DDL above replaces: dropped when the views'
tables are opened (by their schema-qualified name on PostgreSQL, where an index lives in
its table's schema, which need not be on the search path)."""

# The partitioned workers' leases and page record (PostgreSQL only: SQLite has one writer).
_POSTGRES_DDL = (
    f"CREATE TABLE IF NOT EXISTS {LEASES} ("
    "part BIGINT PRIMARY KEY, parts BIGINT NOT NULL, owner TEXT, token TEXT, "
    "expires_at TIMESTAMPTZ, caught_up BIGINT NOT NULL, claims BIGINT NOT NULL)",
    f"CREATE TABLE IF NOT EXISTS {PAGES} ("
    "view TEXT NOT NULL, part BIGINT NOT NULL, token TEXT NOT NULL, "
    "from_position BIGINT NOT NULL, to_position BIGINT NOT NULL, "
    "committed_at TIMESTAMPTZ NOT NULL)",
)


Writes = list[tuple[str, Sequence[Sequence[Any]]]]
"""What a view will write for a page: (statement, rows for ``executemany``), in order."""


class Database:
    """The store's database as the projections use it: one dialect, two backends."""

    def __init__(self, store: EventStore) -> None:
        self.store = store
        self.datastore: Any = getattr(store.factory, "datastore")  # noqa: B009 (not typed)
        self.postgres = store.is_postgres
        self._created = False

    def table(self, name: str) -> str:
        """The name to write in SQL (schema-qualified on PostgreSQL)."""
        return self.store.qualified(name)

    def sql(self, statement: str) -> str:
        """Adapt a statement written for SQLite (``?``, bare names) to this backend."""
        if not self.postgres:
            return statement
        for name in _TABLES:
            statement = _replace_name(statement, name, self.table(name))
        return statement.replace("?", "%s")

    @contextmanager
    def transaction(self, *, commit: bool = True) -> Iterator[Cursor]:
        """One transaction on the store's own connection pool; errors become ``StoreError``."""
        self.ensure_tables()
        try:
            if self.postgres:
                with self.datastore.transaction(commit=commit) as cursor:
                    yield Cursor(self, cursor)
                return
            with (
                self.datastore.get_connection(commit=commit) as conn,
                _relaxed_sync(conn),
                conn.transaction(commit=commit) as cursor,
            ):
                yield Cursor(self, cursor)
        except PersistenceError as exc:
            raise StoreError(f"projection store error, nothing was written: {exc}") from None

    def ensure_tables(self) -> None:
        if self._created:
            return
        self._created = True
        try:
            with self.datastore.transaction(commit=True) as cursor:
                cursor.execute(self.sql(f"CREATE TABLE IF NOT EXISTS {SCHEMA} (version BIGINT)"))
                cursor.execute(self.sql(f"SELECT version FROM {SCHEMA}"))
                row = cursor.fetchone()
                if row is None or row["version"] != SCHEMA_VERSION:
                    # Views are derived data: drop what an older credtrail built, and the
                    # tracking rows with them, so the next catch-up rebuilds from event 1.
                    for name in _TABLES[1:]:
                        cursor.execute(self.sql(f"DROP TABLE IF EXISTS {name}"))
                    cursor.execute(self.sql(f"DELETE FROM {SCHEMA}"))
                    cursor.execute(
                        self.sql(f"INSERT INTO {SCHEMA} (version) VALUES ({SCHEMA_VERSION})")
                    )
                for index in _REPLACED_INDEXES:
                    cursor.execute(f"DROP INDEX IF EXISTS {self.table(index)}")
                for statement in _DDL + (_POSTGRES_DDL if self.postgres else ()):
                    cursor.execute(self.sql(statement))
        except PersistenceError as exc:
            self._created = False
            raise StoreError(f"cannot create the projection tables: {exc}") from None


@contextmanager
def _relaxed_sync(connection: Any) -> Iterator[None]:
    """``synchronous=NORMAL`` for a view transaction, then the connection's own setting.

    In WAL mode NORMAL never corrupts the database; a power cut may lose the last
    commits, which for a view means re-applying the last pages (the rows and the
    tracking position are lost together). Skipping the fsync per page is most of the
    cost of a commit.
    """
    # The library's connection (``SQLiteConnection.cursor()``), outside the transaction
    # it is about to begin: the connection is in autocommit mode between transactions.
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA synchronous")
        before = int(cursor.fetchone()[0])
        try:
            cursor.execute("PRAGMA synchronous=NORMAL")
        except sqlite3.OperationalError:
            # A Ctrl-C between the library's BEGIN and the end of its __enter__ returns
            # the connection to the pool inside a transaction (nothing of it committed,
            # nothing written yet): end it, then go on.
            connection.rollback()
            cursor.execute("PRAGMA synchronous=NORMAL")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA synchronous={before}")


class Cursor:
    """A backend cursor that takes SQLite-style statements."""

    def __init__(self, db: Database, cursor: Any) -> None:
        self.db = db
        self.raw = cursor

    def execute(self, statement: str, params: Sequence[Any] = ()) -> Cursor:
        self.raw.execute(self.db.sql(statement), tuple(params))
        return self

    def executemany(self, statement: str, rows: Sequence[Sequence[Any]]) -> None:
        if not rows:
            return
        if self.db.postgres and len(rows) > 1:
            many = multirow(statement, rows)
            if many is not None:
                # A round trip per statement of many rows: psycopg's own executemany
                # sends (and adapts, in Python) one statement per row.
                for text, params in many:
                    self.raw.execute(self.db.sql(text), params)
                return
        self.raw.executemany(self.db.sql(statement), rows)

    def fetchall(self) -> list[Any]:
        return list(self.raw.fetchall())

    def fetchone(self) -> Any:
        return self.raw.fetchone()

    @property
    def rowcount(self) -> int:
        raw = getattr(self.raw, "sqlite_cursor", self.raw)
        return int(raw.rowcount)


def _replace_name(statement: str, name: str, qualified: str) -> str:
    # Table names are distinct words that never prefix each other except via "_"
    # suffixes (indexes), so split on word boundaries by hand.
    out = []
    i = 0
    while True:
        j = statement.find(name, i)
        if j < 0:
            out.append(statement[i:])
            return "".join(out)
        end = j + len(name)
        before = statement[j - 1] if j > 0 else " "
        after = statement[end] if end < len(statement) else " "
        is_word = not (before.isalnum() or before in '_".') and not (
            after.isalnum() or after == "_"
        )
        out.append(statement[i:j])
        out.append(qualified if is_word else name)
        i = end


def chunks(items: Sequence[Any], size: int) -> Iterator[Sequence[Any]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


MULTIROW_PARAMS = 30_000
"""Parameters per multi-row statement (PostgreSQL takes at most 65,535)."""

_INSERT = re.compile(
    r"INSERT INTO (?P<table>\S+) \((?P<columns>[^)]*)\) VALUES \((?P<marks>\?(?:, \?)*)\)"
    r"(?P<tail>(?: ON CONFLICT \((?P<key>[^)]*)\) DO (?:UPDATE SET|NOTHING)[^;]*)?)",
    re.DOTALL,
)


@lru_cache(maxsize=64)
def _shape(statement: str) -> tuple[int, tuple[int, ...] | None, str, str] | None:
    """(columns, conflict key's column indexes or None, head, tail) of a one-row INSERT,
    or None for any other statement."""
    found = _INSERT.fullmatch(statement)
    if found is None or "?" in found["tail"]:
        return None
    columns = [c.strip() for c in found["columns"].split(",")]
    if len(columns) != found["marks"].count("?"):
        return None
    key = None
    if found["key"] is not None:
        names = [c.strip() for c in found["key"].split(",")]
        if not set(names) <= set(columns):
            return None
        key = tuple(columns.index(n) for n in names)
    head = f"INSERT INTO {found['table']} ({found['columns']}) VALUES "
    return len(columns), key, head, found["tail"]


def multirow(statement: str, rows: Sequence[Sequence[Any]]) -> list[tuple[str, list[Any]]] | None:
    """``rows`` of a one-row ``INSERT ... VALUES (?, ...) [ON CONFLICT (key) DO ...]`` as
    multi-row statements that do the same, or None (another statement, or rows that
    share a conflict key: applied one after the other they would update one row twice,
    which one statement may not do)."""
    shape = _shape(statement)
    if shape is None:
        return None
    width, key, head, tail = shape
    if key is not None and len({tuple(row[i] for i in key) for row in rows}) != len(rows):
        return None
    if any(len(row) != width for row in rows):
        return None
    size = max(1, MULTIROW_PARAMS // width)
    one = "(" + ", ".join("?" * width) + ")"
    out = []
    for start in range(0, len(rows), size):
        part = rows[start : start + size]
        out.append((head + ", ".join([one] * len(part)) + tail, [v for row in part for v in row]))
    return out

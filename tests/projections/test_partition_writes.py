"""Property: on PostgreSQL, view rows written as multi-row statements leave exactly the
rows psycopg's one-statement-per-row ``executemany`` leaves (the plain path)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pluggy
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from credtrail.core.application import Credtrail
from credtrail.core.projections import Views, db
from credtrail.core.projections.db import multirow

pytestmark = pytest.mark.postgres

UPSERT = (
    "INSERT INTO scratch_rows (k1, k2, data) VALUES (?, ?, ?) "
    "ON CONFLICT (k1, k2) DO UPDATE SET data = excluded.data"
)
INSERT = "INSERT INTO scratch_rows (k1, k2, data) VALUES (?, ?, ?)"
TABLES = ("scratch_rows", "scratch_plain")


@pytest.fixture
def views(postgres_url: str, pm: pluggy.PluginManager) -> Iterator[Views]:
    app = Credtrail.open(postgres_url, pm, create=True)
    views = Views.of(app, workers=1)
    with views.runner.db.transaction(commit=True) as cur:
        for table in TABLES:
            cur.execute(
                f"CREATE TABLE IF NOT EXISTS {table} "
                "(k1 TEXT, k2 TEXT, data TEXT, PRIMARY KEY (k1, k2))"
            )
    yield views
    app.close()


row = st.tuples(
    st.sampled_from(["a", "b", "c'd", "é"]),
    st.sampled_from(["1", "2", "?", ""]),
    st.none()
    | st.text(st.characters(blacklist_characters="\x00", blacklist_categories=("Cs",)), max_size=8),
)


def contents(views: Views, table: str) -> list[tuple[Any, ...]]:
    with views.runner.db.transaction(commit=False) as cur:
        cur.raw.execute(f"SELECT k1, k2, data FROM {table} ORDER BY k1, k2")
        return [(r["k1"], r["k2"], r["data"]) for r in cur.raw.fetchall()]


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    before=st.lists(row, max_size=6, unique_by=lambda r: r[:2]),
    rows=st.lists(row, min_size=2, max_size=40),
    upsert=st.booleans(),
    per_statement=st.integers(3, 12),
)
def test_multirow_writes_equal_one_statement_per_row(
    views: Views,
    monkeypatch: pytest.MonkeyPatch,
    before: list[tuple[Any, ...]],
    rows: list[tuple[Any, ...]],
    upsert: bool,
    per_statement: int,
) -> None:
    """Upserts (duplicate keys included) and plain inserts: the same rows."""
    monkeypatch.setattr(db, "MULTIROW_PARAMS", per_statement)
    statement = UPSERT if upsert else INSERT
    if not upsert:
        rows = list({r[:2]: r for r in rows}.values())  # a plain insert of distinct keys
        rows = [r for r in rows if r[:2] not in {b[:2] for b in before}]
    outcomes = []
    for table, fast in (("scratch_rows", True), ("scratch_plain", False)):
        text = statement.replace("scratch_rows", table)
        with views.runner.db.transaction(commit=True) as cur:
            cur.execute(f"DELETE FROM {table}")
            cur.raw.executemany(cur.db.sql(text.split(" ON ")[0]), before)
        with views.runner.db.transaction(commit=True) as cur:
            if fast:
                cur.executemany(text, rows)
            else:
                cur.raw.executemany(cur.db.sql(text), rows)
        outcomes.append(contents(views, table))
    assert outcomes[0] == outcomes[1]
    keys = {r[:2] for r in rows}
    assert (multirow(statement, rows) is None) == (upsert and len(keys) < len(rows))


def test_multirow_leaves_other_statements_alone() -> None:
    """Only a one-row INSERT (with or without ON CONFLICT (key)) is rewritten."""
    rows = [("a", "1", "x"), ("b", "2", "y")]
    assert multirow("DELETE FROM t WHERE a = ? AND b = ? AND c = ?", rows) is None
    assert (
        multirow(
            "INSERT INTO t (a, b, c) VALUES (?, ?, ?) ON CONFLICT (a) DO UPDATE SET c = ?", rows
        )
        is None
    )
    assert multirow(INSERT, rows) == [
        (
            "INSERT INTO scratch_rows (k1, k2, data) VALUES (?, ?, ?), (?, ?, ?)",
            ["a", "1", "x", "b", "2", "y"],
        )
    ]

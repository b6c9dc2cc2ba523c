"""Property: the compliance view's batched reads (a few statements per page, which the
PostgreSQL workers' catch-up needs) read exactly what one clinician at a time reads."""

from __future__ import annotations

from datetime import date

import pluggy
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from credtrail.core.application import Credtrail
from credtrail.core.projections import Views, compliance_read
from credtrail.core.projections.compliance_read import ClinicianInput, read_clinicians
from credtrail.core.projections.db import COMPLIANCE, CREDITS, LICENSES, REQUIREMENTS, Cursor
from credtrail.core.projections.transcript import LICENSE_COLUMNS

from .conftest import StoreFactory
from .history import REQUIREMENT, ops, record

CLINICIANS = [f"c{i}" for i in range(4)]
DAY = date(2026, 6, 30)
FIELDS = ("clinician_id", *LICENSE_COLUMNS.replace(" ", "").split(",")[1:])


def plain_read(
    cur: Cursor,
    cid: str,
    pairs: dict[str, set[str] | None],
    documents: dict[str, str | None],
    day: date,
) -> ClinicianInput:
    """The plain path: one clinician's rows, a statement each (ordered by key)."""
    cur.execute(f"SELECT data FROM {CREDITS} WHERE clinician_id = ? ORDER BY credit_id", [cid])
    credits = [r["data"] for r in cur.fetchall()]
    cur.execute(
        f"SELECT {LICENSE_COLUMNS} FROM {LICENSES} WHERE clinician_id = ? ORDER BY license_id",
        [cid],
    )
    licenses = [tuple(r[name] for name in FIELDS) for r in cur.fetchall()]
    cur.execute(
        f"SELECT requirement_id, MAX(cycle_start) AS last FROM {COMPLIANCE} "
        "WHERE clinician_id = ? GROUP BY requirement_id",
        [cid],
    )
    last = {r["requirement_id"]: r["last"] for r in cur.fetchall()}
    for rid in pairs:
        if rid not in documents:
            cur.execute(f"SELECT versions FROM {REQUIREMENTS} WHERE requirement_id = ?", [rid])
            row = cur.fetchone()
            documents[rid] = None if row is None else str(row["versions"])
    return ClinicianInput(
        cid,
        credits,
        licenses,
        [
            (rid, None if ids is None else tuple(sorted(ids)), None, last.get(rid))
            for rid, ids in sorted(pairs.items())
        ],
        day.isoformat(),
    )


pairs_of = st.dictionaries(
    st.sampled_from([*CLINICIANS, "nobody"]),
    st.dictionaries(
        st.sampled_from([REQUIREMENT, "us-ny-physician", "no-such-requirement"]),
        st.none() | st.sets(st.sampled_from(["x1", "x2", "x3"]), max_size=2),
        min_size=1,
        max_size=3,
    ),
    min_size=1,
)


@settings(
    max_examples=10,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    history=st.lists(ops, min_size=1, max_size=25),
    pairs=pairs_of,
    batch=st.integers(1, 4),
)
def test_batched_reads_equal_one_clinician_at_a_time(
    new_store: StoreFactory,
    pm: pluggy.PluginManager,
    monkeypatch: pytest.MonkeyPatch,
    history: list[tuple[object, ...]],
    pairs: dict[str, dict[str, set[str] | None]],
    batch: int,
) -> None:
    """``read_clinicians`` in batches of any size == the plain per-clinician reads."""
    monkeypatch.setattr(compliance_read, "READ_BATCH", batch)
    with new_store() as url:
        app = Credtrail.open(url, pm, create=True)
        try:
            app.sync_builtin_requirements()
            counter = [0]
            prelude = [("add", i) for i in range(4)] + [
                ("license", 0, date(2021, 3, 1)),
                ("license", 1, date(2023, 7, 9)),
            ]
            for op in [*prelude, *history]:
                if op[0] != "catch-up":
                    record(app, op, counter)
            views = Views.of(app, workers=1)
            views.catch_up()
            order = sorted(pairs)
            with views.runner.db.transaction(commit=False) as cur:
                plain_documents: dict[str, str | None] = {}
                plain = [plain_read(cur, cid, pairs[cid], plain_documents, DAY) for cid in order]
                documents: dict[str, str | None] = {}
                batched = list(read_clinicians(cur, order, dict(pairs), documents, DAY))
            assert batched == plain
            assert documents == plain_documents
        finally:
            app.close()

"""Random and scripted histories recorded through the real application, and view dumps."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from hypothesis import strategies as st

from credtrail.core.application import Credtrail, EarnRequest
from credtrail.core.errors import CredtrailError
from credtrail.core.projections import Views
from credtrail.core.projections.compliance import evaluate_pair
from credtrail.core.projections.db import (
    CLINICIANS,
    COMPLIANCE,
    CREDITS,
    LICENSES,
    REQUIREMENTS,
    TRACKING,
)
from credtrail.core.transcript import transcript_of

REQUIREMENT = "us-ca-physician"
KINDS = (("ama_pra_1", "ACCME"), ("ama_pra_2", None))
AUTHORITIES = ("AMA", "CA-MBC")
START = date(2019, 1, 1)

clinician_ix = st.integers(0, 3)
day = st.integers(0, 8 * 365).map(lambda n: START + timedelta(days=n))
ops = st.one_of(
    st.tuples(st.just("add"), clinician_ix),
    st.tuples(
        st.just("earn"),
        clinician_ix,
        st.sampled_from(KINDS),
        st.integers(1, 16),
        day,
        st.booleans(),
    ),
    st.tuples(st.just("claim"), clinician_ix, st.integers(0, 20), st.sampled_from(AUTHORITIES)),
    st.tuples(st.just("revoke"), clinician_ix, st.integers(0, 20)),
    st.tuples(st.just("amend"), clinician_ix, st.integers(0, 20), st.integers(1, 16), day),
    st.tuples(st.just("license"), clinician_ix, day),
    st.tuples(st.just("end"), clinician_ix, st.integers(0, 400)),
    st.tuples(st.just("requirement"), st.integers(1, 3), day),
    st.tuples(st.just("catch-up"), st.integers(1, 7)),
)


def record(app: Credtrail, op: tuple[Any, ...], counter: list[int]) -> None:
    """Apply one operation; commands the application rejects are simply not recorded."""
    kind, *args = op
    counter[0] += 1
    n = counter[0]
    try:
        if kind == "add":
            app.add_clinician(f"c{args[0]}", "physician", name=f"Dr {args[0]}")
        elif kind == "earn":
            cix, (ctype, acc), quarters, when, ethics = args
            app.earn(
                EarnRequest(
                    clinician_id=f"c{cix}",
                    credit_type=ctype,
                    units=Decimal(quarters) / 4,
                    completed_on=when,
                    provider="Provider",
                    accreditor=acc,
                    activity_id=f"act-{n}",
                    topics=("ethics",) if ethics else (),
                )
            )
        elif kind == "claim":
            cix, which, authority = args
            ledger = app.ledger(f"c{cix}")
            ids = sorted(ledger.credits)
            if ids:
                credit = ledger.credits[ids[which % len(ids)]]
                half = credit.unclaimed_for(authority) / 2
                units = half if half % Decimal("0.25") == 0 and half > 0 else None
                app.claim(f"c{cix}", credit.credit_id, authority, units, credit.completed_on)
        elif kind == "revoke":
            cix, which = args
            ids = sorted(app.ledger(f"c{cix}").credits)
            if ids:
                app.revoke(f"c{cix}", ids[which % len(ids)], "withdrawn", date(2026, 1, 1))
        elif kind == "amend":
            cix, which, quarters, when = args
            ids = sorted(app.ledger(f"c{cix}").credits)
            if ids:
                changes = {"units": Decimal(quarters) / 4, "completed_on": when}
                app.amend(f"c{cix}", ids[which % len(ids)], changes, reason="fix", amended_by="t")
        elif kind == "license":
            cix, issued = args
            app.add_license(
                f"c{cix}",
                REQUIREMENT,
                issued - timedelta(days=3 * 365),
                expires_on=date(2028, 1, 31),
                birth_date=date(1970, 5, 17),
                number="A12345",
            )
        elif kind == "end":
            cix, after = args
            ledger = app.ledger(f"c{cix}")
            for lic in ledger.licenses.values():
                if lic.ended_on is None:
                    app.end_license(f"c{cix}", lic.license_id, lic.issued_on + timedelta(after))
        elif kind == "requirement":
            version, effective = args
            doc = dict(latest_document(app, REQUIREMENT))
            doc["version"] = f"test-{version}"
            doc["effective_from"] = effective.isoformat()
            app.record_requirement(doc)
    except CredtrailError:
        pass


def latest_document(app: Credtrail, requirement_id: str) -> dict[str, Any]:
    docs = [d for d in app.registry.requirements.values() if d["id"] == requirement_id]
    return docs[-1]


def dump(views: Views) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every view table (and the tracking positions), in a stable order."""
    out = {}
    with views.runner.db.transaction(commit=False) as cur:
        for table in (TRACKING, CLINICIANS, LICENSES, CREDITS, REQUIREMENTS, COMPLIANCE):
            cur.execute(f"SELECT * FROM {table}")
            rows = [tuple(_plain(v) for v in dict(r).values()) for r in cur.fetchall()]
            if table == TRACKING:
                # When it was rebuilt is not part of what the view says.
                rows = [r[:2] for r in rows]
            out[table] = sorted(rows, key=repr)
    return out


def _plain(value: Any) -> Any:
    return value if not isinstance(value, memoryview) else bytes(value)


def direct(app: Credtrail, clinician_ids: Sequence[str], day: date | None = None) -> dict[str, Any]:
    """What the views must say, computed from the aggregates (replaying the log): every
    cycle through the one containing ``day`` (default today) of the licence in force then."""
    day = day or date.today()
    out: dict[str, Any] = {}
    for cid in clinician_ids:
        if not app.has_clinician(cid):
            continue
        ledger = app.ledger(cid)
        rows = []
        for rid in sorted({lic.requirement_id for lic in ledger.licenses.values()}):
            docs = [v.document for v in app.requirement_history(rid).versions]
            rows += evaluate_pair(
                cid,
                rid,
                docs,
                list(ledger.credits.values()),
                list(ledger.licenses.values()),
                app.registry,
                day,
            )
        out[cid] = (
            transcript_of(ledger),
            sorted(rows, key=lambda r: (r.requirement_id, r.cycle_start)),
        )
    return out


def from_views(views: Views, clinician_ids: Sequence[str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for cid in clinician_ids:
        try:
            transcript = views.transcript(cid)
        except CredtrailError:
            continue
        out[cid] = (transcript, views.compliance(cid, catch_up=False))
    return out


def standing_key(r: Any) -> tuple[Any, ...]:
    """What two readers' rows of one standing (a compliance row, a roster row) must agree
    on: the licence, the cycle, the status and the units."""
    return (
        r.requirement_id,
        r.license_id,
        r.cycle_start,
        r.cycle_end,
        r.status,
        r.counted,
        r.required,
        r.missing,
    )

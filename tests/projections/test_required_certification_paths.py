"""Property: a certification a board requires is judged alike by status (the compliance
view), report, audit replay and the plain judging path, as certifications are recorded,
renewed and ended."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pluggy
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from credtrail.core.application import Credtrail, EarnRequest
from credtrail.core.domain import held_on
from credtrail.core.errors import CredtrailError
from credtrail.core.projections import Views

from .conftest import StoreFactory
from .test_one_answer import answers

REQUIREMENT = "us-ak-pa"  # Alaska: current active NCCPA certification required for renewal
START = date(2021, 1, 1)
day = st.integers(0, 6 * 365).map(lambda n: START + timedelta(days=n))
ops = st.one_of(
    st.tuples(st.just("earn"), st.integers(1, 60), day, st.booleans()),
    st.tuples(st.just("certify"), day, st.integers(30, 3 * 365)),
    st.tuples(st.just("renew"), st.integers(-60, 200), st.integers(30, 2 * 365)),
    st.tuples(st.just("end"), st.integers(0, 3 * 365)),
)


def record(app: Credtrail, op: tuple[Any, ...], n: int) -> None:
    """Apply one operation to c0; what the application rejects is simply not recorded."""
    kind, *args = op
    try:
        ledger = app.ledger("c0")
        held = [c for c in ledger.licenses.values() if c.kind == "certification"]
        current = held[-1] if held else None
        if kind == "earn":
            units, when, opioid = args
            app.earn(
                EarnRequest(
                    clinician_id="c0",
                    credit_type="aapa_1",
                    units=Decimal(units),
                    completed_on=when,
                    provider="Provider",
                    accreditor="AAPA",
                    activity_id=f"act-{n}",
                    topics=("opioid-prescribing",) if opioid else (),
                )
            )
            return
        if kind == "certify":
            issued, days = args
            ledger.add_certification(
                certification_id=f"nccpa-pa-c#{len(ledger.licenses) + 1}",
                certification="nccpa-pa-c",
                certifier="NCCPA",
                requirement_id="nccpa-cme",
                issued_on=issued,
                expires_on=issued + timedelta(days=days),
            )
        elif kind == "renew" and current is not None and current.expires_on is not None:
            late, longer = args
            renewed = current.expires_on + timedelta(days=late)
            expires = current.expires_on + timedelta(days=longer)
            ledger.renew_certification(current.license_id, renewed, expires)
        elif kind == "end" and current is not None:
            ledger.end_certification(
                current.license_id, current.issued_on + timedelta(days=args[0]), "retired"
            )
        else:
            return
        app.save(ledger)
    except CredtrailError:
        pass


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    history=st.lists(ops, max_size=12),
    on=st.integers(0, 7 * 365).map(lambda n: START + timedelta(days=n)),
    dea=st.booleans(),
)
def test_status_report_audit_and_plain_judging_agree_on_a_required_certification(
    new_store: StoreFactory,
    pm: pluggy.PluginManager,
    history: list[tuple[Any, ...]],
    on: date,
    dea: bool,
) -> None:
    """Whatever certifications were recorded, renewed or ended, every reader gives the
    same standing for the Alaska licence; the certification is missing exactly when no
    recorded period holds it on the cycle's end (or the day judged), and then the
    licence is not met."""
    with new_store() as url:
        app = Credtrail.open(url, pm, create=True)
        try:
            app.sync_builtin_requirements()
            app.add_clinician("c0", "pa")
            attributes = {"dea": "yes" if dea else "no"}
            app.add_license(
                "c0",
                REQUIREMENT,
                date(2018, 3, 1),
                expires_on=date(2030, 12, 31),
                attributes=attributes,
            )
            for n, op in enumerate(history):
                record(app, op, n)
            views = Views.of(app, workers=1)
            views.catch_up()
            seen = answers(app, views, "c0", on)
            assert seen["report"] == seen["plain"]
            assert seen["audit"] == seen["plain"]
            assert seen["status"] == seen["plain"]
            board = [a for a in seen["plain"] if a[0] == REQUIREMENT]
            assert len(board) == 1
            cycle_end, status, missing = board[0][3], board[0][4], dict(board[0][7])
            ledger = app.ledger("c0")
            periods = [
                period
                for cert in ledger.licenses.values()
                if cert.kind == "certification"
                for period in cert.held_periods()
            ]
            held = held_on(periods, min(on, cycle_end))
            assert ("nccpa-certification" in missing) is not held
            if not held:
                assert status in ("in_progress", "deficient")
        finally:
            app.close()

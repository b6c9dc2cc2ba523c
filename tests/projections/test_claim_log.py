"""The views keep every claim's date, as the ledger does (a late partial claim must not
count in the compliance view either)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from credtrail.core.application import Credtrail, EarnRequest
from credtrail.core.projections import Views
from credtrail.core.projections.compliance_read import load_credits


def test_view_credits_carry_each_claim_with_its_date(app: Credtrail) -> None:
    """Two claims of one credit toward NCCPA, on different days, survive the projection."""
    app.add_clinician("pa-1", "pa")
    credit_id = app.earn(
        EarnRequest(
            clinician_id="pa-1",
            credit_type="aapa_1",
            units=Decimal(10),
            completed_on=date(2020, 6, 1),
            provider="AAPA",
            accreditor="AAPA",
            activity_id="A1",
        )
    )
    app.claim("pa-1", credit_id, "NCCPA", Decimal(6), date(2020, 12, 31))
    app.claim("pa-1", credit_id, "NCCPA", Decimal(4), date(2021, 1, 1))
    views = Views.of(app)
    views.catch_up()
    with views.runner.db.transaction(commit=False) as cur:
        (projected,) = load_credits(cur, "pa-1")
    live = app.ledger("pa-1").credits[credit_id]
    assert (
        projected.claim_log
        == live.claim_log
        == [
            ("NCCPA", Decimal(6), date(2020, 12, 31)),
            ("NCCPA", Decimal(4), date(2021, 1, 1)),
        ]
    )
    assert projected.claimed_by("NCCPA", date(2020, 12, 31)) == Decimal(6)

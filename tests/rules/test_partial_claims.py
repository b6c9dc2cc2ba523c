"""Each claim keeps its own date: a partial claim logged late does not count (G05)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from credtrail.core.domain import ClinicianLedger
from credtrail.core.rules import evaluate

from .support import license, make_registry
from .test_golden import NCCPA


def pa_with_one_credit(units: int) -> ClinicianLedger:
    ledger = ClinicianLedger.register("pa-1", "pa")
    ledger.earn(
        credit_id="c1",
        natural_key="k1",
        credit_type="aapa_1",
        units=Decimal(units),
        completed_on=date(2019, 3, 1),
        provider="AAPA",
        accreditor="AAPA",
        activity_id="A1",
    )
    return ledger


def test_units_logged_after_the_deadline_do_not_count_even_if_part_was_on_time() -> None:
    """60 units logged 2020-12-31 count; 40 more of the same credit logged 2021-01-01 do not."""
    ledger = pa_with_one_credit(100)
    ledger.claim("c1", "NCCPA", Decimal(60), date(2020, 12, 31))
    ledger.claim("c1", "NCCPA", Decimal(40), date(2021, 1, 1))
    assert ledger.credits["c1"].claims == {"NCCPA": Decimal(100)}
    lic = license(date(2012, 1, 1), date(2020, 12, 31))
    result = evaluate(
        [NCCPA],
        ledger.credits,
        lic,
        make_registry(),
        on=date(2021, 2, 1),
        cycle_start=date(2018, 5, 1),
    )
    assert result.part("total").counted == Decimal(60)
    assert result.status == "deficient"


def test_credit_claimed_only_after_the_deadline_is_excluded_as_late() -> None:
    """A credit whose only claim is late is listed as claimed-late with its claim date."""
    ledger = pa_with_one_credit(100)
    ledger.claim("c1", "NCCPA", None, date(2021, 1, 1))
    lic = license(date(2012, 1, 1), date(2020, 12, 31))
    result = evaluate(
        [NCCPA],
        ledger.credits,
        lic,
        make_registry(),
        on=date(2021, 2, 1),
        cycle_start=date(2018, 5, 1),
    )
    assert [(e.credit_id, e.rule) for e in result.excluded] == [("c1", "claimed-late")]
    assert "claimed on 2021-01-01" in result.excluded[0].reason

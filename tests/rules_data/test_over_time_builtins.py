"""Requirements over time with the built-in rules: Ohio HB 166's transition, AANPCB's
examination pathway and pharmacology hours inside a credit, Florida RN's certification
pathway, California's one-time pain mandate over renewal history."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from .conftest import Judge, Ledger, license_for


def test_ohio_january_2020_renewal_may_use_the_old_law(judge: Judge) -> None:
    """SMBO guidance on HB 166 (OSMA 2019-10-08): a 2020-01-01 renewal with 100 hours,
    40 of them Category 1, meets the old law though not the new 50 Category 1."""
    licence = license_for("us-oh-physician", date(2016, 1, 2), date(2020, 1, 1))
    ledger = Ledger()
    ledger.earn("ama_pra_1", 40, date(2019, 2, 1))
    ledger.earn("ama_pra_2", 60, date(2019, 3, 1))
    result = judge(
        "us-oh-physician",
        ledger.credits,
        licence,
        on=date(2020, 2, 1),
        cycle_start=date(2018, 1, 2),
    )
    assert result.cycle_end == date(2020, 1, 1)
    assert (result.version, result.status) == ("v1", "compliant")
    assert result.version_why is not None
    assert "previous version v1" in result.version_why


def test_ohio_april_2020_renewal_needs_the_new_law(judge: Judge) -> None:
    """A renewal on 2020-04-01 is after the transition: only v2.1 (v2 as corrected) judges it."""
    licence = license_for("us-oh-physician", date(2016, 4, 2), date(2020, 4, 1))
    ledger = Ledger()
    ledger.earn("ama_pra_1", 40, date(2019, 2, 1))
    ledger.earn("ama_pra_2", 60, date(2019, 3, 1))
    result = judge(
        "us-oh-physician",
        ledger.credits,
        licence,
        on=date(2020, 5, 1),
        cycle_start=date(2018, 4, 2),
    )
    assert (result.version, result.status) == ("v2.1", "deficient")
    assert result.version_why is None


def test_aanpcb_recertification_by_examination(judge: Judge) -> None:
    """AANPCB (aanpcert.org/recert): passing the exam again in the period recertifies."""
    licence = license_for("aanp-renewal", date(2020, 6, 1), date(2025, 5, 31)).model_copy(
        update={"exams": [("AANPCB-FNP", date(2025, 3, 1))]}
    )
    result = judge("aanp-renewal", [], licence, on=date(2025, 4, 1))
    assert (result.status, result.pathway) == ("compliant", "examination")


def test_aanpcb_pharmacology_inside_a_credit(judge: Judge) -> None:
    """12.5 contact hours of which 4.5 pharmacology: 4.5 toward the 25, 12.5 toward the 100."""
    ledger = Ledger()
    c = ledger.earn(
        "ancc_contact_hour",
        "12.5",
        date(2022, 1, 1),
        "pharmacology",
        claim=("AANP", date(2022, 1, 2)),
    )
    c = c.model_copy(update={"topic_units": {"pharmacology": Decimal("4.5")}})
    licence = license_for("aanp-renewal", date(2020, 6, 1), date(2025, 5, 31))
    result = judge("aanp-renewal", [c], licence, on=date(2024, 1, 1))
    assert result.counted_for(c.credit_id) == {
        "total": Decimal("12.5"),
        "pharmacology": Decimal("4.5"),
    }


def test_florida_rn_certification_pathway_leaves_trafficking(judge: Judge) -> None:
    """F.S. 464.013(3): a nurse holding an NCCA-accredited specialty certification needs
    only the trafficking hours (and APRN controlled substances)."""
    licence = license_for("us-fl-nurse", date(2015, 3, 1), date(2025, 4, 30)).model_copy(
        update={"certifications": [("NCCA", date(2020, 1, 1), None)]}
    )
    ledger = Ledger()
    ledger.earn("ancc_contact_hour", 2, date(2024, 10, 1), "human-trafficking")
    result = judge("us-fl-nurse", ledger.credits, licence, on=date(2025, 4, 1))
    assert (result.status, result.pathway) == ("compliant", "specialty-certification")
    bare = judge("us-fl-nurse", [], licence, on=date(2025, 4, 1))
    assert dict(bare.missing) == {"human-trafficking": 2}


def test_california_pain_mandate_completed_late_is_met_late_at_the_next_renewal(
    judge: Judge,
) -> None:
    """B&P 2190.5: licence issued 2021-06-10, renewed for the term ending 2023-06-30; the
    12 pain hours are due by 2025-06-09 (four years, earlier than renewal 2). Done on
    2025-06-20: renewal 2 is deficient, renewal 3 shows the mandate met late."""
    licence = license_for("us-ca-physician", date(2021, 6, 10)).model_copy(
        update={
            "renewals": [(date(2023, 6, 1), date(2023, 6, 30), date(2025, 6, 30))],
            "expires_on": date(2025, 6, 30),
        }
    )
    ledger = Ledger()
    ledger.earn("ama_pra_1", 50, date(2022, 1, 1))
    ledger.earn("ama_pra_1", 50, date(2024, 1, 1))
    ledger.earn("ama_pra_1", 12, date(2025, 6, 20), "pain-management")
    ledger.earn("ama_pra_1", 50, date(2026, 1, 1))
    second = judge(
        "us-ca-physician",
        ledger.credits,
        licence,
        on=date(2025, 8, 1),
        cycle_start=date(2023, 7, 1),
    )
    assert second.renewal_number == 2
    assert second.status == "deficient"
    assert dict(second.missing) == {"pain-management": 12}
    third = judge("us-ca-physician", ledger.credits, licence, on=date(2027, 6, 1))
    assert third.part("pain-management").status == "met-late"
    assert third.status == "compliant"

"""Behaviour of built-ins outside the golden list: AMA award, AANP, California, Nebraska."""

from __future__ import annotations

from datetime import date

from .conftest import Judge, Ledger, license_for

APPLY_ON = date(2026, 3, 1)


def _award_ledger(category_1: int, category_2: int) -> Ledger:
    ledger = Ledger()
    ledger.earn("ama_pra_1", category_1, date(2025, 6, 1), claim=("AMA", APPLY_ON))
    ledger.earn("ama_pra_2", category_2, date(2025, 9, 1), claim=("AMA", APPLY_ON))
    return ledger


def test_one_year_award_needs_50_credits_in_the_12_months_before(judge: Judge) -> None:
    """AMA PRA award: an average of 50 a year, so 50 claimed credits in 12 months for 1 year."""
    licence = license_for("ama-pra-award-1y", date(2010, 7, 1))
    result = judge("ama-pra-award-1y", _award_ledger(20, 30).credits, licence, on=APPLY_ON)
    assert (result.cycle_start, result.cycle_end) == (date(2025, 3, 2), APPLY_ON)
    assert result.part("total").counted == 50
    assert result.part("category-1").status == "met"


def test_award_category_1_minimum_is_encoded_unconfirmed(judge: Judge) -> None:
    """19 Category 1 of 50 misses the (unconfirmed) 20; its citation says it is unconfirmed."""
    licence = license_for("ama-pra-award-1y", date(2010, 7, 1))
    result = judge("ama-pra-award-1y", _award_ledger(19, 31).credits, licence, on=APPLY_ON)
    assert dict(result.missing) == {"category-1": 1}
    source = result.part("category-1").source
    assert source is not None
    assert source.confidence == "unconfirmed"


def test_three_year_award_counts_credit_from_three_years(judge: Judge) -> None:
    """The 3-year certificate looks back 36 months: 150 credits, 60 of them Category 1."""
    ledger = Ledger()
    for year in (2023, 2024, 2025):
        ledger.earn("ama_pra_1", 20, date(year, 5, 1), claim=("AMA", APPLY_ON))
        ledger.earn("ama_pra_2", 30, date(year, 5, 1), claim=("AMA", APPLY_ON))
    licence = license_for("ama-pra-award-3y", date(2010, 7, 1))
    assert judge("ama-pra-award-3y", ledger.credits, licence, on=APPLY_ON).missing == ()
    two_year = judge("ama-pra-award-2y", ledger.credits, licence, on=APPLY_ON)
    assert two_year.part("total").counted == 100  # the 2023 credits are outside 24 months


def test_aanp_pharmacology_is_part_of_the_100_hours(judge: Judge) -> None:
    """support.aanp.org: pharmacology is a component of the 100 contact hours, not extra."""
    ledger = Ledger()
    day = date(2024, 2, 1)
    ledger.earn("ancc_contact_hour", 25, day, "pharmacology", claim=("AANP", day))
    ledger.earn("aanp_contact_hour", 75, day, claim=("AANP", day))
    ledger.earn("np_practice_hour", 1000, day, claim=("AANP", day))
    licence = license_for("aanp-renewal", date(2020, 9, 1), date(2025, 8, 31))
    result = judge(
        "aanp-renewal", ledger.credits, licence, on=date(2025, 9, 15), cycle_start=date(2020, 9, 1)
    )
    assert (result.cycle_start, result.cycle_end) == (date(2020, 9, 1), date(2025, 8, 31))
    assert result.part("total").counted == 100
    assert result.status == "compliant"


def test_aanp_practice_hours_are_required_and_never_count_as_ce(judge: Judge) -> None:
    """aanpcert.org/recert: 1,000 practice hours in the 5 years AND 100 CE hours (25
    pharmacology), or re-examination; practice hours are not CE."""
    ledger = Ledger()
    day = date(2024, 2, 1)
    ledger.earn("ancc_contact_hour", 100, day, "pharmacology", claim=("AANP", day))
    licence = license_for("aanp-renewal", date(2020, 9, 1), date(2025, 8, 31))
    on = {"on": date(2025, 9, 15), "cycle_start": date(2020, 9, 1)}
    no_hours = judge("aanp-renewal", ledger.credits, licence, **on)
    assert (no_hours.status, dict(no_hours.missing)) == ("deficient", {"practice-hours": 1000})
    only_practice = Ledger()
    only_practice.earn("np_practice_hour", 1200, day, claim=("AANP", day))
    result = judge("aanp-renewal", only_practice.credits, licence, **on)
    assert dict(result.missing) == {"total": 100, "pharmacology": 25}
    examined = licence.model_copy(update={"exams": [("AANPCB-FNP", date(2025, 6, 1))]})
    by_exam = judge("aanp-renewal", [], examined, **on)
    assert (by_exam.status, by_exam.pathway) == ("compliant", "examination")


def test_california_pain_mandate_is_due_by_the_second_renewal(judge: Judge) -> None:
    """B&P §2190.5: the one-time 12 h is not yet due at renewal 1 and missing at renewal 2."""
    licence = license_for("us-ca-physician", date(2021, 3, 1), date(2023, 2, 28))
    ledger = Ledger()
    ledger.earn("ama_pra_1", 50, date(2022, 5, 1))
    first = judge(
        "us-ca-physician",
        ledger.credits,
        licence,
        on=date(2023, 3, 15),
        cycle_start=date(2021, 3, 1),
    )
    assert first.part("pain-management").status == "not-due"
    assert first.status == "compliant"
    ledger.earn("ama_pra_1", 50, date(2024, 5, 1))
    second = judge(
        "us-ca-physician",
        ledger.credits,
        licence,
        on=date(2025, 3, 15),
        cycle_start=date(2023, 3, 1),
    )
    assert dict(second.missing) == {"pain-management": 12}


def test_california_practice_management_counts_at_most_30_percent(judge: Judge) -> None:
    """B&P §2190.15: of 50 hours at most 15 may be practice management."""
    licence = license_for(
        "us-ca-physician", date(2015, 3, 1), date(2025, 2, 28), pain_mandate_exempt="yes"
    )
    ledger = Ledger()
    ledger.earn("ama_pra_1", 20, date(2024, 5, 1), "practice-management")
    ledger.earn("ama_pra_1", 30, date(2024, 5, 1))
    result = judge(
        "us-ca-physician",
        ledger.credits,
        licence,
        on=date(2025, 3, 15),
        cycle_start=date(2023, 3, 1),
    )
    assert result.part("total").counted == 45
    assert dict(result.missing) == {"total": 5}


def test_nebraska_pa_carries_at_most_25_hours(judge: Judge) -> None:
    """dhhs.ne.gov: more than 50 hours in one period carry at most 25 into the next."""
    licence = license_for("us-ne-pa", date(2015, 10, 1), date(2025, 9, 30))
    ledger = Ledger()
    ledger.earn("aapa_1", 90, date(2024, 1, 10))
    first = judge(
        "us-ne-pa", ledger.credits, licence, on=date(2025, 11, 1), cycle_start=date(2023, 10, 1)
    )
    assert first.carry_out == 25
    ledger.earn("aapa_1", 25, date(2026, 4, 1))
    second = judge(
        "us-ne-pa", ledger.credits, licence, on=date(2027, 11, 1), cycle_start=date(2025, 10, 1)
    )
    assert second.carry_in == 25
    assert second.status == "compliant"


def test_nccpa_certified_pa_owes_the_board_nothing(judge: Judge) -> None:
    """CA and NE PAs certified by NCCPA at renewal meet the board's CME rule without hours."""
    for requirement in ("us-ca-pa", "us-ne-pa"):
        licence = license_for(
            requirement, date(2015, 10, 1), date(2025, 9, 30), nccpa_certified="yes"
        )
        result = judge(
            requirement, [], licence, on=date(2025, 11, 1), cycle_start=date(2023, 10, 1)
        )
        # Met through the pathway kept for the attribute stand-in (CA: the remaining
        # parts do not apply, so nothing is owed: exempt; NE: the pathway meets all).
        assert result.status in ("exempt", "compliant"), requirement
        assert result.pathway == "nccpa-certified-attribute", requirement
        assert not result.missing, requirement

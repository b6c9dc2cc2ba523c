"""Golden scenarios (research.md §6) judged against the REAL built-in board rules.

Each test names the scenario and the rule text it follows; the requirement data is
read from ``plugins/*/rules`` through the plugins, exactly as ``credtrail`` uses it.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from credtrail.core.domain import CreditState

from .conftest import Judge, Ledger, license_for

TX_ISSUED = date(2024, 6, 1)
TX_DUE = date(2026, 5, 31)


def _g07_ledger() -> tuple[Ledger, dict[str, CreditState]]:
    ledger = Ledger()
    day = date(2025, 6, 1)
    made = {
        "trafficking": ledger.earn("ama_pra_1", 1, day, "human-trafficking"),
        "ethics": ledger.earn("ama_pra_1", 1, day, "ethics"),
        "opioid": ledger.earn("ama_pra_1", 2, day, "opioid-prescribing", "pain-management"),
        "formal": ledger.earn("ama_pra_1", 20, day),
        "informal": ledger.earn("ama_pra_2", 24, day),
    }
    return ledger, made


def test_g07_texas_trafficking_counts_as_ethics_formal_and_total(judge: Judge) -> None:
    """G07 (22 TAC §161.35(a); Occ. Code §156.060(c)): trafficking counts as ethics and formal."""
    ledger, made = _g07_ledger()
    licence = license_for("us-tx-physician", TX_ISSUED, TX_DUE)
    result = judge(
        "us-tx-physician", ledger.credits, licence, on=date(2026, 7, 15), cycle_start=TX_ISSUED
    )
    assert result.status == "compliant"
    assert result.renewal_number == 1  # trafficking (1st, 4th ...) and opioid (1st, 2nd) are due
    assert (result.cycle_start, result.cycle_end) == (TX_ISSUED, TX_DUE)
    counted = {p.part: p.counted for p in result.parts}
    assert counted["total"] == 48
    assert counted["formal"] == 24
    assert counted["ethics"] == 2
    assert counted["human-trafficking"] == 1
    assert counted["opioid-first-renewals"] == 2
    trafficking = made["trafficking"]
    assert result.counted_for(trafficking.credit_id) == {
        "total": 1,
        "formal": 1,
        "ethics": 1,
        "human-trafficking": 1,
    }


def test_g07_without_the_ethics_hour_is_short_one_ethics_and_one_formal(judge: Judge) -> None:
    """G07: without the ethics hour, ethics is 1 of 2 and formal 23 of 24 once the cure ends."""
    ledger, made = _g07_ledger()
    licence = license_for("us-tx-physician", TX_ISSUED, TX_DUE)
    credits = ledger.without(made["ethics"])
    result = judge("us-tx-physician", credits, licence, on=date(2026, 7, 15), cycle_start=TX_ISSUED)
    assert result.status == "deficient"
    assert dict(result.missing) == {"total": 1, "formal": 1, "ethics": 1}
    assert result.part("ethics").counted == 1
    assert result.part("formal").counted == 23


def test_g07_a_later_registration_period_needs_no_trafficking_hour(judge: Judge) -> None:
    """§156.060(b): the trafficking hour is due at renewals 1, 4, 7 ...; not at renewal 2."""
    ledger = Ledger()
    ledger.earn("ama_pra_1", 2, date(2027, 1, 10), "ethics")
    ledger.earn("ama_pra_1", 2, date(2027, 1, 10), "opioid-prescribing")
    ledger.earn("ama_pra_1", 20, date(2027, 1, 10))
    ledger.earn("ama_pra_2", 24, date(2027, 1, 10))
    licence = license_for("us-tx-physician", TX_ISSUED, TX_DUE)
    result = judge(
        "us-tx-physician",
        ledger.credits,
        licence,
        on=date(2028, 7, 15),
        cycle_start=date(2026, 6, 1),
    )
    assert result.renewal_number == 2
    assert result.part("human-trafficking").status == "not-applicable"
    assert result.status == "compliant"


def test_g08_texas_carries_48_excess_credits_but_no_required_topic_credit(judge: Judge) -> None:
    """G08 (22 TAC §161.35(c)(2)-(3)): 100 credits, 4 of them topic credits, carry 48 once."""
    ledger = Ledger()
    day = date(2025, 2, 1)
    ledger.earn("ama_pra_1", 1, day, "human-trafficking")
    ledger.earn("ama_pra_1", 1, day, "ethics")
    ledger.earn("ama_pra_1", 2, day, "opioid-prescribing")
    ledger.earn("ama_pra_1", 46, day)
    ledger.earn("ama_pra_2", 50, day)
    licence = license_for("us-tx-physician", TX_ISSUED, TX_DUE)
    first = judge(
        "us-tx-physician", ledger.credits, licence, on=date(2026, 7, 15), cycle_start=TX_ISSUED
    )
    assert first.status == "compliant"
    assert first.required == 48
    assert first.counted == 100
    assert first.carry_out == 48  # 100 - 48 = 52 excess, capped at 48; none of it topic credit
    # The next period: nothing new earned. The 48 carried meet the total only; the
    # required-topic hours (ethics, opioid at renewal 2) must be earned anew.
    second = judge(
        "us-tx-physician",
        ledger.credits,
        licence,
        on=date(2028, 7, 15),
        cycle_start=date(2026, 6, 1),
    )
    assert second.carry_in == 48
    assert second.part("total").counted == 48
    # Carried credit counts toward the total only (§161.35(c)(2) does not say it stays
    # "formal"), so the formal 24 must also be earned anew.
    assert second.part("formal").counted == 0
    assert second.status == "deficient"
    assert dict(second.missing)["ethics"] == 2
    assert dict(second.missing)["opioid-first-renewals"] == 2
    # Carried credit is good for the next period only, never the one after.
    third = judge(
        "us-tx-physician",
        ledger.credits,
        licence,
        on=date(2030, 7, 15),
        cycle_start=date(2028, 6, 1),
    )
    assert third.carry_in == 0


def _g09_ledger() -> Ledger:
    ledger = Ledger()
    day = date(2025, 3, 1)
    ledger.earn("ama_pra_1", 1, day, "human-trafficking")
    ledger.earn("ama_pra_1", 1, day, "ethics")
    ledger.earn("ama_pra_1", 2, day, "opioid-prescribing")
    ledger.earn("ama_pra_1", 20, day)
    ledger.earn("ama_pra_2", 22, day)
    return ledger


def test_g09_texas_deficiency_not_cured_after_30_days(judge: Judge) -> None:
    """G09 (22 TAC §161.35(c)(1)): 46 of 48 at the due date; 2 credits 35 days later: too late."""
    ledger = _g09_ledger()
    licence = license_for("us-tx-physician", TX_ISSUED, TX_DUE)
    on_due = judge("us-tx-physician", ledger.credits, licence, on=TX_DUE, cycle_start=TX_ISSUED)
    assert on_due.status == "in_progress"
    assert dict(on_due.missing) == {"total": 2}
    assert on_due.grace_until == date(2026, 6, 30)

    ledger.earn("ama_pra_2", 2, date(2026, 7, 5))
    late = judge(
        "us-tx-physician", ledger.credits, licence, on=date(2026, 8, 1), cycle_start=TX_ISSUED
    )
    assert late.status == "deficient"
    assert dict(late.missing) == {"total": 2}


def test_g09_texas_deficiency_cured_within_30_days(judge: Judge) -> None:
    """G09 (22 TAC §161.35(c)(1)): 2 credits earned 20 days after the due date cure it."""
    ledger = _g09_ledger()
    ledger.earn("ama_pra_2", 2, date(2026, 6, 20))
    licence = license_for("us-tx-physician", TX_ISSUED, TX_DUE)
    cured = judge(
        "us-tx-physician", ledger.credits, licence, on=date(2026, 8, 1), cycle_start=TX_ISSUED
    )
    assert cured.status == "cured"
    assert cured.missing == ()


PA_START = date(2023, 1, 1)


def _g10_ledger() -> Ledger:
    ledger = Ledger()
    day = date(2024, 3, 1)
    ledger.earn("ama_pra_1", 2, day, "child-abuse", "risk-management")
    ledger.earn("ama_pra_1", 2, day, "opioid-prescribing", "risk-management")
    ledger.earn("ama_pra_2", 8, day, "patient-safety", "risk-management")
    ledger.earn("ama_pra_1", 21, day)
    ledger.earn("ama_pra_2", 67, day)
    return ledger


def test_g10_pennsylvania_mandated_hours_do_not_count_as_patient_safety(judge: Judge) -> None:
    """G10 (49 Pa. Code §16.19(b); PAFP, UPMC): mandated hours tagged RM leave PS/RM 8 of 12."""
    licence = license_for("us-pa-physician", date(2015, 7, 1), date(2024, 12, 31))
    result = judge(
        "us-pa-physician", _g10_ledger().credits, licence, on=date(2025, 2, 1), cycle_start=PA_START
    )
    assert (result.cycle_start, result.cycle_end) == (PA_START, date(2024, 12, 31))
    assert result.status == "deficient"
    assert dict(result.missing) == {"patient-safety": 4}
    assert result.part("patient-safety").counted == 8
    assert result.part("total").counted == 100
    assert result.part("category-1").counted == 25
    assert result.part("child-abuse").status == "met"
    assert result.part("opioid").status == "met"


def test_g10_pennsylvania_four_more_patient_safety_hours_comply(judge: Judge) -> None:
    """G10: adding 4 h of patient safety / risk management makes the cycle compliant."""
    ledger = _g10_ledger()
    ledger.earn("ama_pra_2", 4, date(2024, 9, 1), "risk-management")
    licence = license_for("us-pa-physician", date(2015, 7, 1), date(2024, 12, 31))
    result = judge(
        "us-pa-physician", ledger.credits, licence, on=date(2025, 2, 1), cycle_start=PA_START
    )
    assert result.status == "compliant"
    assert result.part("patient-safety").counted == 12


FL_ISSUED = date(2019, 3, 15)
FL_FIRST_EXPIRY = date(2021, 1, 31)


def test_g16_florida_first_renewal_needs_hiv_not_domestic_violence(judge: Judge) -> None:
    """G16 (64B8-13.005(1)(a),(b)): renewal 1 needs 1 h HIV/AIDS; not DV, not the 40 hours."""
    licence = license_for("us-fl-physician", FL_ISSUED, FL_FIRST_EXPIRY)
    ledger = Ledger()
    ledger.earn("ama_pra_1", 2, date(2020, 5, 1), "medical-errors")
    ledger.earn("ama_pra_1", 1, date(2020, 5, 1), "human-trafficking")  # one-time, §456.0341
    missing_hiv = judge(
        "us-fl-physician", ledger.credits, licence, on=date(2021, 3, 1), cycle_start=FL_ISSUED
    )
    assert missing_hiv.renewal_number == 1
    assert missing_hiv.status == "deficient"
    assert dict(missing_hiv.missing) == {"hiv-aids": 1}
    assert missing_hiv.part("domestic-violence").status in ("exempt", "not-applicable")
    assert missing_hiv.part("total").status == "exempt"  # secondary: Heritage guide

    ledger.earn("ama_pra_1", 1, date(2020, 6, 1), "hiv-aids")
    with_hiv = judge(
        "us-fl-physician", ledger.credits, licence, on=date(2021, 3, 1), cycle_start=FL_ISSUED
    )
    assert with_hiv.status == "compliant"


def _fl_third_renewal(dv: bool = True) -> Ledger:
    ledger = Ledger()
    day = date(2024, 4, 1)
    ledger.earn("ama_pra_1", 2, day, "medical-errors")
    ledger.earn("ama_pra_1", 1, day, "human-trafficking")
    if dv:
        ledger.earn("ama_pra_1", 2, day, "domestic-violence")
    ledger.earn("ama_pra_1", 35 if dv else 37, day)
    return ledger


def test_g16_florida_third_renewal_needs_domestic_violence_not_hiv(judge: Judge) -> None:
    """G16: renewal 3 requires 40 h including 2 h DV; HIV/AIDS is no longer due."""
    licence = license_for("us-fl-physician", FL_ISSUED, FL_FIRST_EXPIRY)
    third = date(2023, 2, 1)
    result = judge(
        "us-fl-physician",
        _fl_third_renewal().credits,
        licence,
        on=date(2025, 3, 1),
        cycle_start=third,
    )
    assert result.renewal_number == 3
    assert result.cycle_end == date(2025, 1, 31)
    assert result.status == "compliant"
    assert result.part("hiv-aids").status == "not-applicable"
    assert result.part("domestic-violence").counted == 2

    without_dv = judge(
        "us-fl-physician",
        _fl_third_renewal(dv=False).credits,
        licence,
        on=date(2025, 3, 1),
        cycle_start=third,
    )
    assert without_dv.status == "deficient"
    assert dict(without_dv.missing) == {"domestic-violence": 2}


def test_g16_florida_dea_registrant_without_controlled_substances_course(judge: Judge) -> None:
    """G16 (F.S. 456.0301): a DEA registrant at renewal 3 with 40 h but no 2 h CS is deficient."""
    licence = license_for("us-fl-physician", FL_ISSUED, FL_FIRST_EXPIRY, dea="yes")
    result = judge(
        "us-fl-physician",
        _fl_third_renewal().credits,
        licence,
        on=date(2025, 3, 1),
        cycle_start=date(2023, 2, 1),
    )
    assert result.part("total").counted == 40
    assert result.status == "deficient"
    assert dict(result.missing) == {"controlled-substances": 2}


FL_RN_ISSUED = date(2019, 5, 1)
FL_RN_EXPIRY = date(2021, 4, 30)
FL_RN_THIRD = date(2023, 5, 1)


def _fl_rn_third(dv: bool) -> Ledger:
    ledger = Ledger()
    ledger.earn("ancc_contact_hour", 1, date(2020, 9, 1), "hiv-aids")  # one-time, before renewal 1
    day = date(2024, 10, 1)
    ledger.earn("ancc_contact_hour", 2, day, "medical-errors")
    ledger.earn("ancc_contact_hour", 2, day, "nursing-laws-and-rules")
    ledger.earn("ancc_contact_hour", 2, day, "human-trafficking")
    ledger.earn("ancc_contact_hour", 2, day, "workplace-impairment")
    ledger.earn("ancc_contact_hour", 16, day)
    if dv:
        ledger.earn("ancc_contact_hour", 2, day, "domestic-violence")
    return ledger


def test_g17_florida_nurse_third_renewal_needs_26_hours_with_domestic_violence(
    judge: Judge,
) -> None:
    """G17 (floridasnursing.gov FAQ): 24 h with mandates but no DV is short; DV makes 26."""
    licence = license_for("us-fl-nurse", FL_RN_ISSUED, FL_RN_EXPIRY)
    short = judge(
        "us-fl-nurse",
        _fl_rn_third(dv=False).credits,
        licence,
        on=date(2025, 6, 1),
        cycle_start=FL_RN_THIRD,
    )
    assert short.renewal_number == 3
    assert short.part("total").counted == 24
    assert short.status == "deficient"
    assert dict(short.missing) == {"domestic-violence": 2}

    full = judge(
        "us-fl-nurse",
        _fl_rn_third(dv=True).credits,
        licence,
        on=date(2025, 6, 1),
        cycle_start=FL_RN_THIRD,
    )
    assert full.status == "compliant"
    additional = [p for p in full.parts if not p.counts_toward_total and p.status == "met"]
    assert [p.part for p in additional] == ["domestic-violence"]
    assert full.required + sum(p.required for p in additional) == 26
    # The DV hours are additional: they are not also counted in the 24.
    assert full.part("total").counted == 24


def test_g17_florida_certified_nurse_needs_only_the_trafficking_course(judge: Judge) -> None:
    """G17 (F.S. 464.013(3)(a),(c)): a specialty-certified RN with only 2 h trafficking complies."""
    ledger = Ledger()
    ledger.earn("ancc_contact_hour", 2, date(2024, 10, 1), "human-trafficking")
    licence = license_for("us-fl-nurse", FL_RN_ISSUED, FL_RN_EXPIRY, specialty_certified="yes")
    result = judge(
        "us-fl-nurse", ledger.credits, licence, on=date(2025, 6, 1), cycle_start=FL_RN_THIRD
    )
    assert result.status == "compliant"
    assert result.part("domestic-violence").status == "not-applicable"
    # Without the trafficking course even a certified nurse is deficient.
    bare = judge("us-fl-nurse", [], licence, on=date(2025, 6, 1), cycle_start=FL_RN_THIRD)
    assert bare.status == "deficient"
    assert dict(bare.missing) == {"human-trafficking": 2}


def test_amounts_are_decimals(judge: Judge) -> None:
    """Figures come back as exact decimals, never floats."""
    ledger, _ = _g07_ledger()
    licence = license_for("us-tx-physician", TX_ISSUED, TX_DUE)
    result = judge(
        "us-tx-physician", ledger.credits, licence, on=date(2026, 7, 15), cycle_start=TX_ISSUED
    )
    assert all(isinstance(p.counted, Decimal) for p in result.parts)


NY_ISSUED = date(2012, 1, 1)
NY_EXPIRY = date(2026, 12, 31)


def test_new_york_infection_control_course_lasts_four_years(judge: Judge) -> None:
    """PHL §239: infection control every 4 years, so a course 45 months old meets a 3-year cycle."""
    licence = license_for("us-ny-physician", NY_ISSUED, NY_EXPIRY)
    ledger = Ledger()
    ledger.earn("ama_pra_1", 1, date(2023, 3, 1), "infection-control")
    result = judge("us-ny-physician", ledger.credits, licence, on=date(2026, 6, 1))
    assert (result.cycle_start, result.cycle_end) == (date(2024, 1, 1), NY_EXPIRY)
    assert result.part("infection-control").status == "met"
    assert result.status == "compliant"  # no general hours, not a DEA registrant


def test_new_york_infection_control_older_than_four_years_is_missing(judge: Judge) -> None:
    """A course 49 months before the registration ends no longer counts."""
    licence = license_for("us-ny-physician", NY_ISSUED, NY_EXPIRY)
    ledger = Ledger()
    ledger.earn("ama_pra_1", 1, date(2022, 11, 30), "infection-control")
    result = judge("us-ny-physician", ledger.credits, licence, on=date(2026, 6, 1))
    assert dict(result.missing) == {"infection-control": 1}


def test_new_york_dea_registrant_needs_three_hours(judge: Judge) -> None:
    """PHL §3309-a(3): DEA registrants need 3 hours of the 8 topics every 3 years."""
    licence = license_for("us-ny-physician", NY_ISSUED, NY_EXPIRY, dea="yes")
    ledger = Ledger()
    ledger.earn("ama_pra_1", 1, date(2025, 3, 1), "infection-control")
    ledger.earn("ama_pra_1", 2, date(2025, 3, 1), "pain-management")
    result = judge("us-ny-physician", ledger.credits, licence, on=date(2026, 6, 1))
    assert dict(result.missing) == {"controlled-substances": 1}


def test_texas_opioid_hours_last_eight_years_after_the_second_renewal(judge: Judge) -> None:
    """§156.055(c): at renewal 4, opioid hours from renewal 2's period (within 8 years) suffice."""
    licence = license_for("us-tx-physician", TX_ISSUED, TX_DUE)
    ledger = Ledger()
    ledger.earn("ama_pra_1", 2, date(2027, 3, 1), "opioid-prescribing")
    day = date(2031, 3, 1)
    ledger.earn("ama_pra_1", 1, day, "human-trafficking")  # due at renewals 1, 4, 7 ...
    ledger.earn("ama_pra_1", 2, day, "ethics")
    ledger.earn("ama_pra_1", 21, day)
    ledger.earn("ama_pra_2", 24, day)
    result = judge(
        "us-tx-physician",
        ledger.credits,
        licence,
        on=date(2032, 7, 15),
        cycle_start=date(2030, 6, 1),
    )
    assert result.renewal_number == 4
    assert result.part("opioid-every-8-years").status == "met"
    assert result.status == "compliant"

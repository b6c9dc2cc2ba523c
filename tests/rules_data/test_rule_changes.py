"""Dated rule changes in the built-in data govern the right cycles (research.md §0.4).

Each built-in requirement whose rule changed ships both versions; a cycle is judged
by the version in force at its end (the documents' ``version_policy``).
"""

from __future__ import annotations

from datetime import date

from .conftest import Judge, Ledger, license_for


def _ohio_ledger(*days: date) -> Ledger:
    ledger = Ledger()
    for day in days:
        ledger.earn("ama_pra_1", 60, day)
    return ledger


def test_ohio_before_hb_166_needs_100_hours(judge: Judge) -> None:
    """OAC 4731-10-02 (before 2019-10-17): 60 Category 1 hours of 100 leave 40 missing."""
    licence = license_for("us-oh-physician", date(2016, 7, 1), date(2020, 6, 30))
    ledger = _ohio_ledger(date(2017, 5, 1))
    result = judge(
        "us-oh-physician",
        ledger.credits,
        licence,
        on=date(2018, 8, 1),
        cycle_start=date(2016, 7, 1),
    )
    assert result.cycle_end == date(2018, 6, 30)
    assert result.version == "v1"
    assert result.status == "deficient"
    assert dict(result.missing) == {"total": 40}


def test_ohio_cycle_straddling_hb_166_is_judged_by_the_new_rule(judge: Judge) -> None:
    """HB 166 (2019-10-17): a cycle ending after it needs 50 Category 1, so 60 comply."""
    licence = license_for("us-oh-physician", date(2016, 7, 1), date(2020, 6, 30))
    ledger = _ohio_ledger(date(2019, 2, 1))
    result = judge(
        "us-oh-physician",
        ledger.credits,
        licence,
        on=date(2020, 8, 1),
        cycle_start=date(2018, 7, 1),
    )
    assert (result.cycle_start, result.cycle_end) == (date(2018, 7, 1), date(2020, 6, 30))
    assert result.version == "v2.1"
    assert result.effective_from == date(2019, 10, 17)
    assert result.status == "compliant"
    assert result.required == 50


def test_ohio_category_2_no_longer_counts_after_hb_166(judge: Judge) -> None:
    """v2 accepts only Category 1: 50 Category 2 hours are excluded as a type not accepted."""
    licence = license_for("us-oh-physician", date(2016, 7, 1), date(2020, 6, 30))
    ledger = Ledger()
    ledger.earn("ama_pra_2", 50, date(2019, 2, 1))
    result = judge(
        "us-oh-physician",
        ledger.credits,
        licence,
        on=date(2020, 8, 1),
        cycle_start=date(2018, 7, 1),
    )
    assert result.status == "deficient"
    assert {e.rule for e in result.excluded} == {"type-not-accepted"}


def _massachusetts_ledger(day: date) -> Ledger:
    ledger = Ledger()
    ledger.earn("ama_pra_1", 10, day, "risk-management")
    ledger.earn("ama_pra_1", 2, day, "board-regulations")
    ledger.earn("ama_pra_1", 2, date(2011, 1, 5), "end-of-life-care")
    ledger.earn("ama_pra_1", 3, date(2011, 1, 5), "electronic-health-records")
    _massachusetts_one_time_trainings(ledger)
    ledger.earn("ama_pra_2", 38, day)  # 10 + 2 + 38 = 50 in the cycle
    return ledger


def _massachusetts_one_time_trainings(ledger: Ledger) -> None:
    """The one-time child-abuse, DV and Alzheimer's trainings (v1.1, v1.2), done long ago."""
    ledger.earn("ama_pra_1", 1, date(2011, 1, 5), "child-abuse")
    ledger.earn("ama_pra_1", 1, date(2011, 1, 5), "domestic-violence")
    ledger.earn("ama_pra_1", 1, date(2011, 1, 5), "dementia")


def test_massachusetts_implicit_bias_only_from_june_2022(judge: Judge) -> None:
    """mass.gov 2021-11-18: renewals from 2022-06-01 need 2 implicit-bias credits; before, none."""
    licence = license_for("us-ma-physician", date(2010, 1, 1), birth=date(1970, 3, 10))
    before = judge(
        "us-ma-physician",
        _massachusetts_ledger(date(2021, 1, 5)).credits,
        licence,
        on=date(2022, 4, 1),
        cycle_start=date(2020, 3, 11),
    )
    assert (before.cycle_start, before.cycle_end) == (date(2020, 3, 11), date(2022, 3, 10))
    assert before.version == "v1.2"
    assert before.status == "compliant"

    after = judge(
        "us-ma-physician",
        _massachusetts_ledger(date(2023, 1, 5)).credits,
        licence,
        on=date(2024, 4, 1),
        cycle_start=date(2022, 3, 11),
    )
    assert after.version == "v2.1"
    assert after.status == "deficient"
    assert dict(after.missing) == {"implicit-bias": 2}


def test_massachusetts_implicit_bias_counts_toward_risk_management(judge: Judge) -> None:
    """The 2 implicit-bias credits may be applied toward the 10 risk-management credits."""
    licence = license_for("us-ma-physician", date(2010, 1, 1), birth=date(1970, 3, 10))
    ledger = Ledger()
    day = date(2023, 1, 5)
    bias = ledger.earn("ama_pra_1", 2, day, "implicit-bias")
    ledger.earn("ama_pra_1", 8, day, "risk-management")
    ledger.earn("ama_pra_1", 2, day, "board-regulations")
    ledger.earn("ama_pra_1", 2, date(2011, 1, 5), "end-of-life-care")
    ledger.earn("ama_pra_1", 3, date(2011, 1, 5), "electronic-health-records")
    _massachusetts_one_time_trainings(ledger)
    ledger.earn("ama_pra_2", 38, day)
    result = judge(
        "us-ma-physician",
        ledger.credits,
        licence,
        on=date(2024, 4, 1),
        cycle_start=date(2022, 3, 11),
    )
    assert result.status == "compliant"
    assert result.counted_for(bias.credit_id)["risk-management"] == 2


def _ancc_ledger(day: date) -> Ledger:
    ledger = Ledger()
    ledger.earn("ancc_contact_hour", 75, day, claim=("ANCC", day))
    return ledger


def test_ancc_pharmacology_required_of_aprns_from_2014(judge: Judge) -> None:
    """ANCC renewal: from 2014-01-01 APRNs need 25 of the 75 hours in pharmacotherapeutics."""
    old = license_for("ancc-renewal", date(2008, 7, 1), date(2013, 6, 30), aprn="yes")
    before = judge(
        "ancc-renewal",
        _ancc_ledger(date(2011, 1, 1)).credits,
        old,
        on=date(2013, 7, 1),
        cycle_start=date(2008, 7, 1),
    )
    assert before.version == "v1"
    assert before.status == "compliant"

    new = license_for("ancc-renewal", date(2013, 7, 1), date(2018, 6, 30), aprn="yes")
    after = judge(
        "ancc-renewal",
        _ancc_ledger(date(2016, 1, 1)).credits,
        new,
        on=date(2018, 7, 1),
        cycle_start=date(2013, 7, 1),
    )
    assert after.version == "v2"
    assert after.status == "deficient"
    assert dict(after.missing) == {"pharmacology": 25}


def test_ancc_pharmacology_does_not_bind_non_aprn_certifications(judge: Judge) -> None:
    """The pharmacology minimum applies to APRN certifications only (licence attribute aprn)."""
    licence = license_for("ancc-renewal", date(2013, 7, 1), date(2018, 6, 30))
    result = judge(
        "ancc-renewal",
        _ancc_ledger(date(2016, 1, 1)).credits,
        licence,
        on=date(2018, 7, 1),
        cycle_start=date(2013, 7, 1),
    )
    assert result.status == "compliant"
    assert result.part("pharmacology").status == "not-applicable"


def test_texas_nurse_jurisprudence_only_in_cycles_after_2014(judge: Judge) -> None:
    """TX BON: 2 h jurisprudence and ethics every third cycle, from the 2014 version on."""
    licence = license_for("us-tx-nurse", date(2006, 3, 1), date(2008, 2, 29))
    ledger = Ledger()
    ledger.earn("ancc_contact_hour", 20, date(2011, 5, 1))
    early = judge(
        "us-tx-nurse", ledger.credits, licence, on=date(2012, 3, 15), cycle_start=date(2010, 3, 1)
    )
    assert early.renewal_number == 3
    assert early.version == "v1"
    assert early.status == "compliant"

    ledger.earn("ancc_contact_hour", 20, date(2017, 5, 1))
    later = judge(
        "us-tx-nurse", ledger.credits, licence, on=date(2018, 3, 15), cycle_start=date(2016, 3, 1)
    )
    assert later.renewal_number == 6
    assert later.version == "v2.1"
    assert dict(later.missing) == {"jurisprudence-ethics": 2}


def test_illinois_2026_renewal_follows_the_streamlined_rule(judge: Judge) -> None:
    """ISMS 2023-10-20: the 2023 renewal needed 3 opioid hours, the 2026 renewal 1 in 6 years."""
    licence = license_for("us-il-physician", date(2014, 1, 1), prescriber="yes")
    ledger = Ledger()
    for day in (date(2021, 6, 1), date(2024, 6, 1)):
        ledger.earn("ama_pra_1", 1, day, "opioid-prescribing")
    old = judge(
        "us-il-physician",
        ledger.credits,
        licence,
        on=date(2023, 9, 1),
        cycle_start=date(2020, 8, 1),
    )
    assert old.version == "v1"
    assert old.part("opioid").required == 3
    assert old.part("opioid").missing == 2
    new = judge(
        "us-il-physician",
        ledger.credits,
        licence,
        on=date(2026, 9, 1),
        cycle_start=date(2023, 8, 1),
    )
    assert new.version == "v2.1"
    assert new.part("opioid").required == 1
    assert new.part("cultural-competency").status in ("missing", "not-applicable")

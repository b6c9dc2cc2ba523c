"""NCCPA golden scenarios (research.md §6, G03-G06) against the REAL ``nccpa-cme`` file."""

from __future__ import annotations

from datetime import date

from .conftest import Judge, Ledger, license_for

CYCLE_2026 = date(2024, 5, 1)
"""Certification expiring 2026: CME earned 2024-05-01 to 2026-12-31 (nccpa.net)."""


def _logged(ledger: Ledger, credit_type: str, units: int, on: date) -> None:
    ledger.earn(credit_type, units, on, claim=("NCCPA", on))


def test_g03_forty_category_1_of_100_is_short_ten(judge: Judge) -> None:
    """G03 (nccpa.net/ContinuingMedicalEducation): 40 Cat 1 + 60 Cat 2 is short 10 Cat 1."""
    ledger = Ledger()
    _logged(ledger, "aapa_1", 40, date(2025, 3, 1))
    _logged(ledger, "aapa_2", 60, date(2025, 4, 1))
    licence = license_for("nccpa-cme", date(2016, 6, 1), date(2026, 12, 31))
    result = judge(
        "nccpa-cme", ledger.credits, licence, on=date(2027, 1, 15), cycle_start=CYCLE_2026
    )
    assert (result.cycle_start, result.cycle_end) == (CYCLE_2026, date(2026, 12, 31))
    assert result.counts == "claimed"
    assert result.status == "deficient"
    assert dict(result.missing) == {"category-1": 10}


def test_g03_ama_pra_category_1_counts_as_category_1(judge: Judge) -> None:
    """G03 (nccpa.net/CMECategoryTypes): 10 AMA PRA Category 1 more make 110 with 50 Category 1."""
    ledger = Ledger()
    _logged(ledger, "aapa_1", 40, date(2025, 3, 1))
    _logged(ledger, "aapa_2", 60, date(2025, 4, 1))
    _logged(ledger, "ama_pra_1", 10, date(2026, 2, 1))
    licence = license_for("nccpa-cme", date(2016, 6, 1), date(2026, 12, 31))
    result = judge(
        "nccpa-cme", ledger.credits, licence, on=date(2027, 1, 15), cycle_start=CYCLE_2026
    )
    assert result.status == "compliant"
    assert result.part("total").counted == 110
    assert result.part("category-1").counted == 50


def test_g03_unlogged_credit_does_not_count_for_nccpa(judge: Judge) -> None:
    """Only CME logged with NCCPA counts: the same 10 AMA credits, unclaimed, leave the PA short."""
    ledger = Ledger()
    _logged(ledger, "aapa_1", 40, date(2025, 3, 1))
    _logged(ledger, "aapa_2", 60, date(2025, 4, 1))
    ledger.earn("ama_pra_1", 10, date(2026, 2, 1))
    licence = license_for("nccpa-cme", date(2016, 6, 1), date(2026, 12, 31))
    result = judge(
        "nccpa-cme", ledger.credits, licence, on=date(2027, 1, 15), cycle_start=CYCLE_2026
    )
    assert result.status == "deficient"
    assert {e.rule for e in result.excluded} == {"not-claimed"}


def test_g04_self_assessment_and_performance_improvement_are_weighted(judge: Judge) -> None:
    """G04 (nccpa.net/qanda): SA x1.5, first 20 PI x2 -> 100 total with 65 Category 1 for NCCPA."""
    ledger = Ledger()
    _logged(ledger, "nccpa_sa_cme", 10, date(2025, 1, 10))
    _logged(ledger, "nccpa_pi_cme", 30, date(2025, 2, 10))
    _logged(ledger, "aapa_2", 35, date(2025, 3, 10))
    licence = license_for("nccpa-cme", date(2016, 6, 1), date(2026, 12, 31))
    result = judge(
        "nccpa-cme", ledger.credits, licence, on=date(2027, 1, 15), cycle_start=CYCLE_2026
    )
    assert result.status == "compliant"
    assert result.part("total").counted == 100
    assert result.part("category-1").counted == 65


def test_g04_state_board_counts_the_same_records_at_face_value(judge: Judge) -> None:
    """G04 (22 TAC §185.6): for the Texas PA board the same records are 75 h, 40 Category I."""
    ledger = Ledger()
    ledger.earn("nccpa_sa_cme", 10, date(2025, 1, 10))
    ledger.earn("nccpa_pi_cme", 30, date(2025, 2, 10))
    ledger.earn("aapa_2", 35, date(2025, 3, 10))
    licence = license_for("us-tx-pa", date(2020, 1, 1), date(2026, 12, 31))
    result = judge(
        "us-tx-pa", ledger.credits, licence, on=date(2027, 1, 15), cycle_start=date(2025, 1, 1)
    )
    assert result.part("total").counted == 75
    assert result.part("formal").counted == 40
    assert result.valued == ()


def test_g05_earning_window_starts_may_1_of_the_issue_year(judge: Judge) -> None:
    """G05 (nccpa.net): expiring 2020 -> window 2018-05-01..2020-12-31; 2018-04-30 is outside."""
    ledger = Ledger()
    before = ledger.earn("aapa_1", 5, date(2018, 4, 30), claim=("NCCPA", date(2018, 5, 2)))
    first_day = ledger.earn("aapa_1", 5, date(2018, 5, 1), claim=("NCCPA", date(2018, 5, 2)))
    licence = license_for("nccpa-cme", date(2012, 6, 1), date(2020, 12, 31))
    result = judge(
        "nccpa-cme", ledger.credits, licence, on=date(2021, 2, 1), cycle_start=date(2018, 5, 1)
    )
    assert (result.cycle_start, result.cycle_end) == (date(2018, 5, 1), date(2020, 12, 31))
    assert result.counted_for(first_day.credit_id)["total"] == 5
    assert [(e.credit_id, e.rule) for e in result.excluded] == [(before.credit_id, "outside-cycle")]


def test_g05_logging_after_december_31_is_late(judge: Judge) -> None:
    """G05: a log entry on 2020-12-31 counts; one on 2021-01-01 is late and the cycle is not met."""
    licence = license_for("nccpa-cme", date(2012, 6, 1), date(2020, 12, 31))
    on_time = Ledger()
    on_time.earn("aapa_1", 50, date(2019, 3, 1), claim=("NCCPA", date(2019, 3, 2)))
    on_time.earn("aapa_1", 50, date(2020, 11, 1), claim=("NCCPA", date(2020, 12, 31)))
    ok = judge(
        "nccpa-cme", on_time.credits, licence, on=date(2021, 2, 1), cycle_start=date(2018, 5, 1)
    )
    assert ok.status == "compliant"

    late = Ledger()
    late.earn("aapa_1", 50, date(2019, 3, 1), claim=("NCCPA", date(2019, 3, 2)))
    tardy = late.earn("aapa_1", 50, date(2020, 11, 1), claim=("NCCPA", date(2021, 1, 1)))
    result = judge(
        "nccpa-cme", late.credits, licence, on=date(2021, 2, 1), cycle_start=date(2018, 5, 1)
    )
    assert result.status == "deficient"
    assert [(e.credit_id, e.rule) for e in result.excluded] == [(tardy.credit_id, "claimed-late")]


def test_g06_certification_program_counts_once_per_calendar_year(judge: Judge) -> None:
    """G06 (nccpa.net/CMECategoryTypes): the same program thrice (2019, 2019, 2020) credits 16."""
    ledger = Ledger()
    runs = [
        ledger.earn(
            "aapa_1",
            8,
            day,
            fmt="certification-program",
            activity="acls-provider",
            claim=("NCCPA", day),
        )
        for day in (date(2019, 6, 1), date(2019, 11, 1), date(2020, 6, 1))
    ]
    licence = license_for("nccpa-cme", date(2019, 5, 1), date(2020, 12, 31))
    result = judge(
        "nccpa-cme", ledger.credits, licence, on=date(2021, 2, 1), cycle_start=date(2019, 5, 1)
    )
    assert (result.cycle_start, result.cycle_end) == (date(2019, 5, 1), date(2020, 12, 31))
    assert result.part("total").counted == 16
    assert [(e.credit_id, e.rule) for e in result.excluded] == [(runs[1].credit_id, "repeat-limit")]

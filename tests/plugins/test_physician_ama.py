"""AMA PRA credit: quarter-hour designation (G01), direct credit (G02), accreditation."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from credtrail.core.application import Credtrail, EarnRequest
from credtrail.core.errors import CreditRejectedError, InputError
from credtrail.core.registry import Registry
from credtrail.plugins.physician_ama import designate_credit, direct_credit_amount

MakeRequest = Callable[..., EarnRequest]
Rejections = Callable[[EarnRequest], set[str]]


@pytest.mark.parametrize(
    ("minutes", "credit"),
    [(95, "1.50"), (100, "1.75"), (50, "0.75"), (60, "1.00"), (0, "0.00"), (52, "0.75")],
)
def test_g01_designation_rounds_to_nearest_quarter_hour(minutes: int, credit: str) -> None:
    """G01: 95 min designates 1.50, 100 min 1.75, 50 min 0.75 AMA PRA Category 1 credits."""
    assert designate_credit(minutes) == Decimal(credit)


@given(st.integers(min_value=0, max_value=100_000))
def test_designation_is_a_quarter_within_seven_and_a_half_minutes(minutes: int) -> None:
    """Designated credit is a multiple of 0.25 and within 7.5 minutes of the time spent."""
    credit = designate_credit(minutes)
    assert credit % Decimal("0.25") == 0
    assert abs(credit * 60 - minutes) <= Decimal("7.5")


@pytest.mark.parametrize("minutes", [-1, 1.5, True, "60"])
def test_designation_refuses_non_minutes(minutes: object) -> None:
    """Negative, fractional or non-numeric minutes are the user's error, named."""
    with pytest.raises(InputError, match="minutes must be a whole number"):
        designate_credit(minutes)  # type: ignore[arg-type]


def test_g01_credit_commensurate_with_participation(
    ledger: Credtrail, make_request: MakeRequest, rejections: Rejections
) -> None:
    """G01: 1.00 of a 1.50-credit activity is recorded; 1.75 exceeds the designated maximum."""
    ok = make_request("dr-a", "ama_pra_1", "1.00", accreditor="ACCME", designated_units="1.5")
    ledger.earn(ok)
    too_much = make_request("dr-a", "ama_pra_1", "1.75", accreditor="ACCME", designated_units="1.5")
    assert "within-designated-maximum" in rejections(too_much)


@pytest.mark.parametrize(
    ("fmt", "completed", "units"),
    [
        ("direct:moc", date(2010, 9, 1), 60),
        ("direct:moc", date(2010, 8, 31), 25),
        ("direct:article", date(2025, 1, 15), 10),
        ("direct:poster", date(2025, 1, 15), 5),
        ("direct:degree", date(2025, 1, 15), 25),
        ("direct:residency", date(2025, 6, 30), 20),
        ("direct:residency", date(2025, 6, 30), 60),
    ],
)
def test_g02_direct_credit_amounts_are_recorded(
    ledger: Credtrail, make_request: MakeRequest, fmt: str, completed: date, units: int
) -> None:
    """G02: the AMA's fixed direct-credit amounts (MOC 60 from 2010-09-01, 25 before) record."""
    req = make_request(
        "dr-a", "ama_pra_1", units, accreditor="AMA", format=fmt, completed_on=completed
    )
    credit_id = ledger.earn(req)
    assert ledger.ledger("dr-a").credit(credit_id).units == Decimal(units)


@pytest.mark.parametrize(
    ("fmt", "completed", "units"),
    [
        ("direct:moc", date(2010, 8, 31), 60),  # before the cut-off MOC earns 25
        ("direct:moc", date(2010, 9, 1), 25),
        ("direct:article", date(2025, 1, 15), 12),
        ("direct:poster", date(2025, 1, 15), 10),
        ("direct:residency", date(2025, 6, 30), 30),  # not a whole year
    ],
)
def test_g02_other_direct_credit_amounts_are_rejected(
    make_request: MakeRequest, rejections: Rejections, fmt: str, completed: date, units: int
) -> None:
    """Direct credit of another amount than the AMA awards is refused (ama-direct-credit-amount)."""
    req = make_request(
        "dr-a", "ama_pra_1", units, accreditor="AMA", format=fmt, completed_on=completed
    )
    assert rejections(req) == {"ama-direct-credit-amount"}


def test_direct_credit_amount_helper() -> None:
    """direct_credit_amount gives G02's figures and None for a format that is not direct."""
    assert direct_credit_amount("direct:moc", date(2010, 9, 1)) == 60
    assert direct_credit_amount("direct:moc", date(2010, 8, 31)) == 25
    assert direct_credit_amount("live", date(2025, 1, 1)) is None


def test_direct_credit_needs_a_direct_format(
    make_request: MakeRequest, rejections: Rejections
) -> None:
    """Credit from the AMA without one of the direct-credit formats is refused."""
    for fmt in (None, "live", "direct:teaching"):
        req = make_request("dr-a", "ama_pra_1", 10, accreditor="AMA", format=fmt)
        assert rejections(req) == {"ama-direct-credit-format"}


def test_direct_format_needs_the_ama_as_accreditor(
    make_request: MakeRequest, rejections: Rejections
) -> None:
    """A direct-credit format from an ACCME provider, or on Category 2, is refused."""
    accme = make_request("dr-a", "ama_pra_1", 10, accreditor="ACCME", format="direct:article")
    assert rejections(accme) == {"ama-direct-credit-source"}
    cat2 = make_request("dr-a", "ama_pra_2", 10, format="direct:article")
    assert rejections(cat2) == {"ama-direct-credit-source"}


def test_direct_credit_is_for_physicians(make_request: MakeRequest, rejections: Rejections) -> None:
    """A PA cannot record AMA direct credit, though PAs may record ACCME Category 1."""
    req = make_request("pa-a", "ama_pra_1", 10, accreditor="AMA", format="direct:article")
    assert rejections(req) == {"ama-direct-credit-physicians"}


def test_category_2_cannot_carry_an_accreditor(
    make_request: MakeRequest, rejections: Rejections, ledger: Credtrail
) -> None:
    """AMA PRA Category 2 is self-claimed: recorded without an accreditor, refused with one."""
    credit_id = ledger.earn(make_request("dr-a", "ama_pra_2", "2.5", provider="Reading"))
    assert ledger.ledger("dr-a").credit(credit_id).accreditor is None
    req = make_request("dr-a", "ama_pra_2", "1", accreditor="ACCME")
    assert rejections(req) == {"ama_pra_2-self-claimed"}


def test_category_1_from_a_nursing_accreditor_is_refused(
    make_request: MakeRequest, ledger: Credtrail
) -> None:
    """AMA PRA Category 1 from an ANCC provider is refused and the violation cites the AMA."""
    req = make_request("dr-a", "ama_pra_1", "1", accreditor="ANCC")
    with pytest.raises(CreditRejectedError) as info:
        ledger.earn(req)
    (violation,) = info.value.violations
    assert violation.rule == "ama_pra_1-accepted-accreditors"
    assert violation.source is not None
    assert violation.source.authority == "American Medical Association"


@pytest.mark.parametrize("accreditor", ["ACCME", "SMS", "JA"])
def test_category_1_from_accme_system_providers(
    ledger: Credtrail, make_request: MakeRequest, accreditor: str
) -> None:
    """ACCME, ACCME-recognized state societies and JA providers designate Category 1."""
    credit_id = ledger.earn(make_request("dr-a", "ama_pra_1", "0.25", accreditor=accreditor))
    assert ledger.ledger("dr-a").credit(credit_id).accreditor == accreditor


def test_topics_must_be_known_slugs(make_request: MakeRequest, rejections: Rejections) -> None:
    """Topics are lowercase known slugs: 'Ethics' and 'astrology' are refused, each named."""
    req = make_request(
        "dr-a", "ama_pra_1", 1, accreditor="ACCME", topics=("Ethics", "astrology", "ethics")
    )
    assert rejections(req) == {"topic-slug", "known-topic"}


def test_osteopathic_and_aafp_credit_counts_as_category_1_in_texas(registry: Registry) -> None:
    """22 TAC §161.35: AOA 1-A and AAFP Prescribed count as formal Category 1 for TX-TMB only."""
    for code in ("aoa_1a", "aafp_prescribed"):
        assert registry.counts_as(code, "ama_pra_1", "TX-TMB") == 1
        assert registry.counts_as(code, "ama_pra_1", "CA-MBC") is None

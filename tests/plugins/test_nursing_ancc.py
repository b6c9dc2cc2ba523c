"""Nursing contact hours: conversions, accreditors and what NP certifiers accept."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from credtrail.core.application import Credtrail, EarnRequest
from credtrail.core.errors import InputError
from credtrail.core.registry import Registry
from credtrail.plugins.nursing_ancc import contact_hours, contact_hours_from_ceu

MakeRequest = Callable[..., EarnRequest]
Rejections = Callable[[EarnRequest], set[str]]


@pytest.mark.parametrize(
    ("minutes", "hours"), [(60, "1.00"), (360, "6.00"), (90, "1.50"), (50, "0.83"), (0, "0.00")]
)
def test_contact_hours_are_sixty_minutes(minutes: int, hours: str) -> None:
    """60 minutes = 1 contact hour; 360 minutes = 6.0 (ANCC criteria via Midwest MSD)."""
    assert contact_hours(minutes) == Decimal(hours)


@given(st.integers(min_value=0, max_value=100_000))
def test_contact_hours_never_exceed_the_time_spent(minutes: int) -> None:
    """Rounding down to 0.01 never awards more than the minutes, and loses under 0.01 h."""
    hours = contact_hours(minutes)
    assert hours * 60 <= minutes
    assert minutes / 60 - float(hours) < 0.01


def test_contact_hours_refuse_negative_minutes() -> None:
    """Negative minutes are the user's error."""
    with pytest.raises(InputError):
        contact_hours(-5)


def test_ceu_is_ten_contact_hours() -> None:
    """1 CEU = 10 contact hours: 0.6 CEU is 6 contact hours."""
    assert contact_hours_from_ceu(Decimal("0.6")) == Decimal(6)
    with pytest.raises(InputError):
        contact_hours_from_ceu(Decimal(-1))


def test_contact_hours_from_ancc_ja_and_aanp_providers(
    ledger: Credtrail, make_request: MakeRequest
) -> None:
    """ANCC and JA providers award ANCC contact hours, AANP its own, in hundredths."""
    for credit_type, accreditor in [
        ("ancc_contact_hour", "ANCC"),
        ("ancc_contact_hour", "JA"),
        ("aanp_contact_hour", "AANP"),
    ]:
        req = make_request(
            "rn-a", credit_type, "1.08", accreditor=accreditor, topics=("pharmacology",)
        )
        credit_id = ledger.earn(req)
        assert ledger.ledger("rn-a").credit(credit_id).units == Decimal("1.08")


def test_contact_hours_from_other_accreditors_are_refused(
    make_request: MakeRequest, rejections: Rejections
) -> None:
    """ACCME does not award ANCC contact hours; ANCC does not award AANP ones."""
    accme = make_request("rn-a", "ancc_contact_hour", 1, accreditor="ACCME")
    assert rejections(accme) == {"ancc_contact_hour-accepted-accreditors"}
    ancc = make_request("rn-a", "aanp_contact_hour", 1, accreditor="ANCC")
    assert rejections(ancc) == {"aanp_contact_hour-accepted-accreditors"}


def test_contact_hours_need_an_accreditor(
    make_request: MakeRequest, rejections: Rejections
) -> None:
    """Contact hours without an accredited provider are refused."""
    req = make_request("rn-a", "ancc_contact_hour", 1)
    assert rejections(req) == {"ancc_contact_hour-accreditor-required"}


def test_nursing_topics_are_checked(make_request: MakeRequest, rejections: Rejections) -> None:
    """A nursing credit with an unknown topic is refused with known-topic."""
    req = make_request("rn-a", "ancc_contact_hour", 1, accreditor="ANCC", topics=("pharma",))
    assert rejections(req) == {"known-topic"}


def test_np_certifiers_accept_physician_and_pa_category_1(registry: Registry) -> None:
    """ANCC and AANPCB take AMA PRA and AAPA Category 1 as contact hours (secondary sources)."""
    for authority in ("ANCC", "AANP"):
        assert registry.counts_as("ama_pra_1", "ancc_contact_hour", authority) == 1
        assert registry.counts_as("aapa_1", "ancc_contact_hour", authority) == 1
    assert registry.counts_as("aanp_contact_hour", "ancc_contact_hour", "AANP") == 1
    assert registry.counts_as("aanp_contact_hour", "ancc_contact_hour", "ANCC") is None


def test_state_nursing_boards_accept_accme_credit_only_where_cited(registry: Registry) -> None:
    """NC-BON takes ACCME-approved hours for NPs; no source says so for CA-BRN."""
    assert registry.counts_as("ama_pra_1", "ancc_contact_hour", "NC-BON") == 1
    assert registry.counts_as("ama_pra_1", "ancc_contact_hour", "CA-BRN") is None
    assert registry.counts_as("aapa_1", "ancc_contact_hour", "CA-BRN") is None


def test_aapa_for_nps_is_marked_secondary(registry: Registry) -> None:
    """AAPA's 'NPs can often claim' statement is a secondary source that says to check."""
    (eq,) = [e for e in registry.equivalences if e.from_type == "aapa_1"]
    assert eq.source.confidence == "secondary"
    assert "check" in (eq.source.note or "")

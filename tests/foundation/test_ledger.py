"""The clinician ledger keeps its invariants without any store (pure domain)."""

from __future__ import annotations

import contextlib
from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from credtrail.core.domain import EVENT_CLASSES, ClinicianLedger, CreditState, clinician_uuid
from credtrail.core.errors import (
    CreditRevokedError,
    DuplicateCreditError,
    OverClaimError,
    UnknownCreditError,
    UnknownLicenseError,
)


def ledger_with_credit(units: str = "2") -> ClinicianLedger:
    ledger = ClinicianLedger.register("dr-1", "physician")
    ledger.earn(
        credit_id="c1",
        natural_key="k1",
        credit_type="ama_pra_1",
        units=Decimal(units),
        completed_on=date(2025, 3, 1),
        provider="Mercy CME",
        accreditor="ACCME",
        activity_id="A-1",
    )
    return ledger


def test_ledger_id_is_derived_from_the_clinician_id() -> None:
    """Two ledgers for the same clinician id collide in the store (same aggregate id)."""
    assert ClinicianLedger.register("dr-1", "physician").id == clinician_uuid("dr-1")
    assert clinician_uuid("dr-1") != clinician_uuid("dr-2")


def test_claims_per_authority_cannot_exceed_earned_units() -> None:
    """Each authority may receive at most the credit's units; authorities are independent."""
    ledger = ledger_with_credit("2")
    ledger.claim("c1", "AMA", Decimal("1.5"), date(2025, 3, 2))
    ledger.claim("c1", "CA-MBC", Decimal("2"), date(2025, 3, 2))
    with pytest.raises(OverClaimError, match=r"0.5 of its 2 units are unclaimed for AMA"):
        ledger.claim("c1", "AMA", Decimal("1"), date(2025, 3, 3))
    assert ledger.credits["c1"].claims == {"AMA": Decimal("1.5"), "CA-MBC": Decimal("2")}


def test_claim_without_units_takes_all_unclaimed_units() -> None:
    """Omitting --units claims what is left for that authority."""
    ledger = ledger_with_credit("2")
    ledger.claim("c1", "AMA", Decimal("0.5"), date(2025, 3, 2))
    assert ledger.claim("c1", "AMA", None, date(2025, 3, 2)) == Decimal("1.5")
    with pytest.raises(OverClaimError):
        ledger.claim("c1", "AMA", None, date(2025, 3, 2))


def test_claim_dated_before_completion_is_rejected() -> None:
    """A credit cannot be claimed before the activity was completed."""
    ledger = ledger_with_credit()
    with pytest.raises(OverClaimError, match="claim-after-completion"):
        ledger.claim("c1", "AMA", None, date(2025, 2, 28))


def test_revoked_credit_cannot_be_claimed_or_revoked_again() -> None:
    """Revocation is final for that credit id; its reason is kept."""
    ledger = ledger_with_credit()
    ledger.revoke("c1", "provider withdrew the activity", date(2025, 4, 1))
    with pytest.raises(CreditRevokedError, match="provider withdrew"):
        ledger.claim("c1", "AMA", None, date(2025, 4, 2))
    with pytest.raises(CreditRevokedError, match="already revoked"):
        ledger.revoke("c1", "again", date(2025, 4, 2))


def test_same_credit_twice_is_a_duplicate_until_revoked() -> None:
    """The natural key guards against double recording; revoking frees it for a correction."""
    ledger = ledger_with_credit()
    payload = {
        "credit_type": "ama_pra_1",
        "units": Decimal("1"),
        "completed_on": date(2025, 3, 1),
        "provider": "Mercy CME",
        "accreditor": "ACCME",
        "activity_id": "A-1",
    }
    with pytest.raises(DuplicateCreditError, match="'c1'"):
        ledger.earn(credit_id="c2", natural_key="k1", **payload)
    ledger.revoke("c1", "wrong units", date(2025, 3, 5))
    ledger.earn(credit_id="c2", natural_key="k1", **payload)
    assert set(ledger.credits) == {"c1", "c2"}


def test_unknown_credit_and_license_are_named() -> None:
    """Errors name the clinician and the id the user typed."""
    ledger = ledger_with_credit()
    with pytest.raises(UnknownCreditError, match="'dr-1' has no credit 'nope'"):
        ledger.claim("nope", "AMA", None, date(2025, 3, 2))
    with pytest.raises(UnknownLicenseError, match="no license 'x'"):
        ledger.end_license("x", date(2025, 1, 1), None)


def test_license_end_must_follow_issue_and_happen_once() -> None:
    """A license ends once, not before it was issued."""
    ledger = ledger_with_credit()
    ledger.add_license(
        license_id="us-ca-physician#1", requirement_id="us-ca-physician", issued_on=date(2020, 1, 1)
    )
    with pytest.raises(UnknownLicenseError, match="before the license was issued"):
        ledger.end_license("us-ca-physician#1", date(2019, 1, 1), None)
    ledger.end_license("us-ca-physician#1", date(2024, 1, 1), "moved")
    with pytest.raises(UnknownLicenseError, match="already ended"):
        ledger.end_license("us-ca-physician#1", date(2024, 2, 1), None)


@given(
    units=st.decimals(min_value=Decimal("0.25"), max_value=Decimal("50"), places=2),
    claims=st.lists(st.decimals(min_value=Decimal("0.01"), max_value=Decimal("60"), places=2)),
)
def test_accepted_claims_never_sum_past_earned_units(units: Decimal, claims: list[Decimal]) -> None:
    """Whatever sequence of claims is tried, the accepted ones never exceed the credit."""
    ledger = ledger_with_credit(str(units))
    for amount in claims:
        with contextlib.suppress(OverClaimError):
            ledger.claim("c1", "NCCPA", amount, date(2025, 3, 2))
        claimed = ledger.credits["c1"].claims.get("NCCPA", Decimal(0))
        assert Decimal(0) <= claimed <= units


def test_a_licence_is_in_force_from_its_issue_day_through_its_end_day() -> None:
    """Held on the day it was issued and on the day it ended, not before or after."""
    ledger = ClinicianLedger.register("dr-1", "physician")
    ledger.add_license(license_id="L1", requirement_id="r", issued_on=date(2024, 1, 10))
    lic = ledger.licenses["L1"]
    assert not lic.in_force_on(date(2024, 1, 9))
    assert lic.in_force_on(date(2024, 1, 10))
    assert lic.in_force_on(date(2099, 1, 1))
    ledger.end_license("L1", date(2024, 6, 30), "moved")
    assert lic.in_force_on(date(2024, 6, 30))
    assert not lic.in_force_on(date(2024, 7, 1))
    same_day = ClinicianLedger.register("dr-2", "physician")
    same_day.add_license(license_id="L2", requirement_id="r", issued_on=date(2024, 1, 10))
    same_day.end_license("L2", date(2024, 1, 10), None)
    assert same_day.licenses["L2"].in_force_on(date(2024, 1, 10))


def test_a_credit_state_reads_back_from_its_json_unchanged() -> None:
    """Claims (with their dates), revocation and every field survive the view's row form."""
    ledger = ledger_with_credit("2.5")
    ledger.claim("c1", "AMA", Decimal("1.25"), date(2025, 4, 1))
    ledger.claim("c1", "AMA", Decimal("0.5"), date(2025, 5, 1))
    ledger.revoke("c1", "withdrawn", date(2025, 6, 1))
    state = ledger.credits["c1"]
    assert CreditState.from_json(state.to_json()) == state
    assert CreditState.from_json(state.to_json()).claimed_by("AMA", date(2025, 4, 30)) == Decimal(
        "1.25"
    )


def test_event_topics_never_change() -> None:
    """Stored events name their class by these topics: they are part of the log's format."""
    assert [cls.TOPIC for cls in EVENT_CLASSES] == [  # type: ignore[attr-defined]
        "credtrail:ClinicianRegistered",
        "credtrail:CreditEarned",
        "credtrail:CreditClaimed",
        "credtrail:CreditRevoked",
        "credtrail:LicenseRegistered",
        "credtrail:LicenseEnded",
        "credtrail:LicenseRenewed",
        "credtrail:LicenseFactRecorded",
        "credtrail:RequirementDefined",
        "credtrail:RequirementChanged",
        "credtrail:CreditAmended",
        "credtrail:CertificateAttached",
        "credtrail:CertificateDetached",
        "credtrail:CertificationRecorded",
        "credtrail:CertificationRenewed",
        "credtrail:CertificationEnded",
    ]

"""What the ledger knows of a credit and a licence now: derived from events, not stored."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from credtrail.core.standing import in_force

AMENDABLE_FIELDS = (
    "credit_type",
    "units",
    "completed_on",
    "provider",
    "accreditor",
    "activity_id",
    "title",
    "topics",
    "format",
    "designated_units",
    "topic_units",
)
"""The fields of a recorded credit an amendment may correct (``CreditAmended``); the
natural key is recomputed from the fields it is made of."""


def credit_natural_key(
    provider: str, activity_id: str, completed_on: date, credit_type: str
) -> str:
    """Provider, activity, completion date and type: the same credit, twice, is one.

    The one definition: an earn request's key, and an amended credit's new key.
    """
    parts = (provider, activity_id, completed_on.isoformat(), credit_type)
    return "|".join(" ".join(p.split()).casefold() for p in parts)


class Amendment(BaseModel):
    """One correction of a credit, as its state keeps it: when, by whom, why, what."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    at: datetime
    by: str
    reason: str
    fields: tuple[str, ...]


class Certificate(BaseModel):
    """A certificate file attached to a credit (its bytes are kept by sha256 in the store)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    sha256: str
    media_type: str
    filename: str
    size: int
    attached_at: datetime


class CreditState(BaseModel):
    """A credit as the ledger knows it now (not stored: derived from events)."""

    model_config = ConfigDict(extra="forbid")

    credit_id: str
    credit_type: str
    units: Decimal
    completed_on: date
    provider: str
    accreditor: str | None
    activity_id: str
    title: str | None
    topics: tuple[str, ...]
    format: str | None
    designated_units: Decimal | None
    evidence: dict[str, Any] | None
    natural_key: str
    recorded_at: datetime
    revoked: bool = False
    revoked_reason: str | None = None
    revoked_on: date | None = None
    claims: dict[str, Decimal] = Field(default_factory=dict)
    """Units claimed per authority, all claims summed."""
    claim_dates: dict[str, date] = Field(default_factory=dict)
    """The first claim date per authority."""
    claim_log: list[tuple[str, Decimal, date]] = Field(default_factory=list)
    """Every claim (authority, units, date) in order: later partial claims keep their date."""
    topic_units: dict[str, Decimal] = Field(default_factory=dict)
    """Units per topic inside the credit (pharmacology 4.5 of 12.5); a topic in ``topics``
    without an amount here covers the whole credit."""
    amendments: list[Amendment] = Field(default_factory=list)
    """Corrections applied to the credit (``CreditAmended``), oldest first."""
    certificates: list[Certificate] = Field(default_factory=list)
    """Certificates attached to the credit (``CertificateAttached``), oldest first."""

    def claimed_by(self, authority: str, day: date) -> Decimal:
        """Units claimed toward ``authority`` with a claim date on or before ``day``."""
        if not self.claim_log and authority in self.claims:
            # Built without the log (a view row): all units carry the first date.
            first = self.claim_dates.get(authority)
            return self.claims[authority] if first is not None and first <= day else Decimal(0)
        return sum(
            (units for who, units, on in self.claim_log if who == authority and on <= day),
            Decimal(0),
        )

    def unclaimed_for(self, authority: str) -> Decimal:
        return self.units - self.claims.get(authority, Decimal(0))

    def to_json(self) -> bytes:
        """The state as JSON (decimals and dates as strings): a view's credit row."""
        return CreditState.__pydantic_serializer__.to_json(self)

    @classmethod
    def from_json(cls, data: str | bytes) -> CreditState:
        """The state ``to_json`` wrote, validated by pydantic's JSON parser.

        pydantic's ``model_validate_json`` parses and converts in one pass (rows written
        before a field existed get its default); converting an ``orjson`` dict by hand
        and then validating it cost ~1.6x as much per row (the compliance view reads
        every credit row of each clinician it judges).
        """
        return cls.model_validate_json(data)


def amend_credit(
    credit: CreditState, after: dict[str, Any], note: Amendment | None = None
) -> CreditState:
    """The credit with an amendment's new values (JSON form) applied and noted.

    The one way an amendment changes a credit: the ledger, the views and the as-of
    replay all call it (without ``note``: the credit as it would stand, to check it).
    The values are validated into the state's own types, so an amended credit is as
    well-formed as an earned one.
    """
    values = {name: getattr(credit, name) for name in type(credit).model_fields}
    values.update(after)
    values["amendments"] = [*credit.amendments, *([note] if note else [])]
    amended = CreditState.model_validate(values)
    amended.natural_key = credit_natural_key(
        amended.provider, amended.activity_id, amended.completed_on, amended.credit_type
    )
    return amended


class LicenseState(BaseModel):
    """A license or certification that subjects a clinician to a requirement."""

    model_config = ConfigDict(extra="forbid")

    license_id: str
    requirement_id: str
    issued_on: date
    expires_on: date | None
    birth_date: date | None
    number: str | None
    attributes: dict[str, str] = Field(default_factory=dict)
    """Facts rules condition on (``dea = "yes"``); see ``docs/rules.md``."""
    ended_on: date | None = None
    """The last day the licence was held (``LicenseEnded``); None while it is held."""
    end_reason: str | None = None
    renewals: list[tuple[date, date, date]] = Field(default_factory=list)
    """Recorded renewals in order: (renewed on, expiry of the term renewed, new expiry)."""
    exams: list[tuple[str, date]] = Field(default_factory=list)
    """Examinations passed: (name, date) (PANRE, an AANPCB certification exam)."""
    certifications: list[tuple[str, date, date | None]] = Field(default_factory=list)
    """Certifications held: (name, from, until or None)."""
    attestations: list[tuple[str, date, str]] = Field(default_factory=list)
    """One-time parts the clinician attests were done before credtrail's records:
    (part id, completed on, reason)."""
    # -- certifications (``credtrail certification``) --------------------------------
    kind: Literal["license", "certification"] = "license"
    """A licence, or a national certification (``CertificationRecorded``) held the same
    way: issued, renewed, ended, subjecting its holder to its certifier's requirement."""
    certification: str | None = None
    """The certification's code in the plugins' vocabulary (``nccpa-pa-c``)."""
    certifier: str | None = None
    """The authority that granted it (``NCCPA``)."""

    def in_force_on(self, day: date) -> bool:
        """Whether the licence subjects its holder to the requirement on ``day``.

        From the day it was issued through the day it ended, both included: a licence
        ended on D was still held on D (as a licence that expires on D is valid that
        day), so a licence issued and ended on the same day was held for that day. The
        one definition: report, status, explain, audit replay and the views ask this.
        """
        return in_force(self.issued_on, self.ended_on, day)

    def record_renewal(self, renewed_on: date, expires_on: date) -> None:
        """A renewal on ``renewed_on`` for a term ending ``expires_on`` (licence or
        certification: ``LicenseRenewed``, ``CertificationRenewed``)."""
        ended = self.expires_on or renewed_on
        self.renewals = [*self.renewals, (renewed_on, ended, expires_on)]
        self.expires_on = expires_on

    def held_periods(self) -> list[tuple[date, date | None]]:
        """The periods a certification was held: from issue to each expiry, a renewal
        after the expiry leaving a lapse between them; cut at the day it ended. (A
        licence: from issue to its end, as ``in_force_on``.)"""
        if self.kind != "certification":
            return [(self.issued_on, self.ended_on)]
        periods: list[tuple[date, date | None]] = []
        start = self.issued_on
        for renewed_on, term_end, _ in self.renewals:
            if renewed_on > term_end:
                periods.append((start, term_end))
                start = renewed_on
        periods.append((start, self.expires_on))
        if self.ended_on is None:
            return periods
        end = self.ended_on
        return [(a, b if b is not None and b <= end else end) for a, b in periods if a <= end]


def held_on(periods: list[tuple[date, date | None]], day: date) -> bool:
    """Whether ``day`` falls in one of ``periods`` (from, until or None), both ends
    included: the one answer to "was the certification held on D" (the rule engine's
    pathways ask it of every certification a clinician recorded)."""
    return any(start <= day and (end is None or day <= end) for start, end in periods)

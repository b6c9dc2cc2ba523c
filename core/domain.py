"""Aggregates and events: the facts credtrail records. No I/O here.

Each event is a pydantic model on an ``eventsourcing`` aggregate. Every event carries
two times: ``timestamp`` (when it was *recorded*, set by the library, UTC) and a
*valid-time* date in its payload (``completed_on``, ``claimed_on``, ``effective_from``).
Events are never edited: corrections are new events.

Topics are explicit and stable (``TOPIC``): a stored event names its class by topic,
so moving a class never orphans the log. Schema changes bump ``class_version`` and
add an ``upcast_vN_vM`` method.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any, ClassVar, Literal
from uuid import NAMESPACE_URL, UUID, uuid5

import orjson
from eventsourcing.domain import Aggregate as _LibAggregate
from eventsourcing.domain import CanInitAggregate, CanMutateAggregate
from pydantic import BaseModel, ConfigDict, Field

from credtrail.core import clock
from credtrail.core.errors import (
    ConflictError,
    CreditRevokedError,
    DuplicateCreditError,
    OverClaimError,
    UnknownCreditError,
    UnknownLicenseError,
)
from credtrail.core.models import Citation, trusted

_NAMESPACE = uuid5(NAMESPACE_URL, "https://credtrail.invalid/ids")


def clinician_uuid(clinician_id: str) -> UUID:
    """The aggregate id of a clinician's ledger: derived, so no lookup table is needed."""
    return uuid5(_NAMESPACE, f"clinician:{clinician_id}")


def requirement_uuid(requirement_id: str) -> UUID:
    """The aggregate id of a requirement's history."""
    return uuid5(_NAMESPACE, f"requirement:{requirement_id}")


class DomainEvent(BaseModel):
    """Base of every stored event: immutable, validated, JSON-serialisable."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    originator_id: UUID
    originator_version: int
    timestamp: datetime


class Aggregate(_LibAggregate):
    """eventsourcing's aggregate with pydantic events (the library's aggregate8 pattern)."""

    class Event(DomainEvent, CanMutateAggregate[UUID]):
        @staticmethod
        def create_timestamp() -> datetime:
            # Through credtrail's clock, so audit tests can record at chosen instants.
            return clock.now()

    class Created(Event, CanInitAggregate[UUID]):
        originator_topic: str


_VALID_FIELDS = (
    "completed_on",
    "claimed_on",
    "revoked_on",
    "issued_on",
    "ended_on",
    "effective_from",
)
_valid_field: dict[type, str | None] = {}


def valid_time(event: object) -> date | None:
    """The date an event *happened* (valid time), if it has one."""
    cls = type(event)
    if cls not in _valid_field:
        fields = getattr(cls, "model_fields", {})
        _valid_field[cls] = next((n for n in _VALID_FIELDS if n in fields), None)
    name = _valid_field[cls]
    value = getattr(event, name, None) if name else None
    return value if isinstance(value, date) else None


# --------------------------------------------------------------------------- ledger


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
        """The state ``to_json`` wrote (trusted: the writer validated it; no re-validation)."""
        d = orjson.loads(data)
        designated = d["designated_units"]
        revoked_on = d["revoked_on"]
        return trusted(
            cls,
            {
                "credit_id": d["credit_id"],
                "credit_type": d["credit_type"],
                "units": Decimal(d["units"]),
                "completed_on": date.fromisoformat(d["completed_on"]),
                "provider": d["provider"],
                "accreditor": d["accreditor"],
                "activity_id": d["activity_id"],
                "title": d["title"],
                "topics": tuple(d["topics"]),
                "format": d["format"],
                "designated_units": None if designated is None else Decimal(designated),
                "evidence": d["evidence"],
                "natural_key": d["natural_key"],
                "recorded_at": datetime.fromisoformat(d["recorded_at"]),
                "revoked": bool(d["revoked"]),
                "revoked_reason": d["revoked_reason"],
                "revoked_on": None if revoked_on is None else date.fromisoformat(revoked_on),
                "claims": {k: Decimal(v) for k, v in d["claims"].items()},
                "claim_dates": {k: date.fromisoformat(v) for k, v in d["claim_dates"].items()},
                "claim_log": [
                    (who, Decimal(units), date.fromisoformat(on))
                    for who, units, on in d["claim_log"]
                ],
                "topic_units": {k: Decimal(v) for k, v in d.get("topic_units", {}).items()},
            },
        )


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

    def in_force_on(self, day: date) -> bool:
        """Whether the licence subjects its holder to the requirement on ``day``.

        From the day it was issued through the day it ended, both included: a licence
        ended on D was still held on D (as a licence that expires on D is valid that
        day), so a licence issued and ended on the same day was held for that day. The
        one definition: report, status, explain, audit replay and the views ask this.
        """
        return self.issued_on <= day and (self.ended_on is None or day <= self.ended_on)


class ClinicianLedger(Aggregate):
    """One clinician's credits, claims and licenses: the consistency boundary.

    Invariants kept here: a claim never exceeds the unrevoked earned units of a credit
    for one authority; a revoked credit cannot be claimed or revoked again; the same
    credit (natural key) is not recorded twice while it stands.
    """

    TOPIC: ClassVar[str] = "credtrail:ClinicianLedger"

    class Created(Aggregate.Created):
        """A clinician was added (``credtrail clinician add``): ``ClinicianRegistered``."""

        TOPIC: ClassVar[str] = "credtrail:ClinicianRegistered"
        clinician_id: str
        profession: str
        name: str | None = None
        npi: str | None = None

    class CreditEarned(Aggregate.Event):
        """An accredited provider awarded units of a credit type for an activity."""

        TOPIC: ClassVar[str] = "credtrail:CreditEarned"
        credit_id: str
        credit_type: str
        units: Decimal
        completed_on: date
        provider: str
        accreditor: str | None = None
        activity_id: str
        title: str | None = None
        topics: tuple[str, ...] = ()
        format: str | None = None
        designated_units: Decimal | None = None
        evidence: dict[str, Any] | None = None
        natural_key: str
        topic_units: dict[str, Decimal] = Field(default_factory=dict)
        """Units per topic inside the credit (``pharmacology = 4.5`` of 12.5)."""

        def apply(self, aggregate: ClinicianLedger) -> None:
            aggregate.credits[self.credit_id] = self.credit_state()
            aggregate.natural_keys[self.natural_key] = self.credit_id

        def credit_state(self) -> CreditState:
            """The credit as it stands once earned: unclaimed, unrevoked."""
            # The event's fields were validated when it was made (or decoded): no need
            # to validate them again (a third of the ledger's earn command). Every field
            # of the event but the envelope is a field of the state; trusted() refuses
            # the state if that ever stops being true.
            values = dict(self.__dict__)
            del values["originator_id"], values["originator_version"]
            values["recorded_at"] = values.pop("timestamp")
            values["revoked"] = False
            values["revoked_reason"] = values["revoked_on"] = None
            values["claims"] = {}
            values["claim_dates"] = {}
            values["claim_log"] = []
            return trusted(CreditState, values)

    class CreditClaimed(Aggregate.Event):
        """The clinician claimed (part of) an earned credit toward one authority."""

        TOPIC: ClassVar[str] = "credtrail:CreditClaimed"
        credit_id: str
        authority: str
        units: Decimal
        claimed_on: date

        def apply(self, aggregate: ClinicianLedger) -> None:
            self.apply_to(aggregate.credits[self.credit_id])

        def apply_to(self, credit: CreditState) -> None:
            """Count the claim on the credit's state (the ledger's and the views')."""
            credit.claims[self.authority] = (
                credit.claims.get(self.authority, Decimal(0)) + self.units
            )
            credit.claim_dates.setdefault(self.authority, self.claimed_on)
            credit.claim_log.append((self.authority, self.units, self.claimed_on))

    class CreditRevoked(Aggregate.Event):
        """A provider or operator withdrew an earned credit; its claims stop counting."""

        TOPIC: ClassVar[str] = "credtrail:CreditRevoked"
        credit_id: str
        reason: str
        revoked_on: date

        def apply(self, aggregate: ClinicianLedger) -> None:
            credit = aggregate.credits[self.credit_id]
            self.apply_to(credit)
            aggregate.natural_keys.pop(credit.natural_key, None)

        def apply_to(self, credit: CreditState) -> None:
            """Mark the credit's state revoked (the ledger's and the views')."""
            credit.revoked = True
            credit.revoked_reason = self.reason
            credit.revoked_on = self.revoked_on

    class LicenseRegistered(Aggregate.Event):
        """The clinician holds a license that subjects them to a requirement."""

        TOPIC: ClassVar[str] = "credtrail:LicenseRegistered"
        license_id: str
        requirement_id: str
        issued_on: date
        expires_on: date | None = None
        birth_date: date | None = None
        number: str | None = None
        attributes: dict[str, str] = Field(default_factory=dict)

        def apply(self, aggregate: ClinicianLedger) -> None:
            aggregate.licenses[self.license_id] = self.license_state()

        def license_state(self) -> LicenseState:
            """The licence as registered: held from ``issued_on``, not ended."""
            return LicenseState(
                license_id=self.license_id,
                requirement_id=self.requirement_id,
                issued_on=self.issued_on,
                expires_on=self.expires_on,
                birth_date=self.birth_date,
                number=self.number,
                attributes=dict(self.attributes),
            )

    class LicenseEnded(Aggregate.Event):
        """The license lapsed, was surrendered or moved: its requirement stops applying."""

        TOPIC: ClassVar[str] = "credtrail:LicenseEnded"
        license_id: str
        ended_on: date
        reason: str | None = None

        def apply(self, aggregate: ClinicianLedger) -> None:
            self.apply_to(aggregate.licenses[self.license_id])

        def apply_to(self, lic: LicenseState) -> None:
            """End the licence's state (the ledger's and the views')."""
            lic.ended_on = self.ended_on
            lic.end_reason = self.reason

    class LicenseRenewed(Aggregate.Event):
        """The licence was renewed on ``renewed_on`` for a term ending ``expires_on``."""

        TOPIC: ClassVar[str] = "credtrail:LicenseRenewed"
        license_id: str
        renewed_on: date
        expires_on: date

        def apply(self, aggregate: ClinicianLedger) -> None:
            self.apply_to(aggregate.licenses[self.license_id])

        def apply_to(self, lic: LicenseState) -> None:
            """Record the renewal on the licence's state (the ledger's and the views')."""
            ended = lic.expires_on or self.renewed_on
            lic.renewals = [*lic.renewals, (self.renewed_on, ended, self.expires_on)]
            lic.expires_on = self.expires_on

    class LicenseFactRecorded(Aggregate.Event):
        """A fact requirement pathways and one-time parts read: an exam passed (``name``,
        ``on``), a certification held (from ``on`` to ``until``), or an attestation that
        the part ``name`` was completed ``on`` (``reason``)."""

        TOPIC: ClassVar[str] = "credtrail:LicenseFactRecorded"
        license_id: str
        kind: Literal["exam", "certification", "attestation"]
        name: str
        on: date
        until: date | None = None
        reason: str | None = None

        def apply(self, aggregate: ClinicianLedger) -> None:
            self.apply_to(aggregate.licenses[self.license_id])

        def apply_to(self, lic: LicenseState) -> None:
            """Add the fact to the licence's state (the ledger's and the views')."""
            if self.kind == "exam":
                lic.exams = [*lic.exams, (self.name, self.on)]
            elif self.kind == "certification":
                lic.certifications = [*lic.certifications, (self.name, self.on, self.until)]
            else:
                lic.attestations = [*lic.attestations, (self.name, self.on, self.reason or "")]

    def __init__(
        self,
        clinician_id: str,
        profession: str,
        name: str | None = None,
        npi: str | None = None,
    ) -> None:
        self.clinician_id = clinician_id
        self.profession = profession
        self.name = name
        self.npi = npi
        self.credits: dict[str, CreditState] = {}
        self.natural_keys: dict[str, str] = {}
        self.licenses: dict[str, LicenseState] = {}

    @classmethod
    def register(
        cls, clinician_id: str, profession: str, name: str | None = None, npi: str | None = None
    ) -> ClinicianLedger:
        return cls._create(
            cls.Created,
            id=clinician_uuid(clinician_id),
            clinician_id=clinician_id,
            profession=profession,
            name=name,
            npi=npi,
        )

    # -- commands: check the invariant, then trigger the event ----------------------

    def earn(self, *, credit_id: str, natural_key: str, **payload: Any) -> None:
        existing = self.natural_keys.get(natural_key)
        if existing is not None:
            raise DuplicateCreditError(self.clinician_id, existing)
        self.trigger_event(
            self.CreditEarned, credit_id=credit_id, natural_key=natural_key, **payload
        )

    def credit(self, credit_id: str) -> CreditState:
        try:
            return self.credits[credit_id]
        except KeyError:
            raise UnknownCreditError(self.clinician_id, credit_id) from None

    def claim(
        self, credit_id: str, authority: str, units: Decimal | None, claimed_on: date
    ) -> Decimal:
        credit = self.credit(credit_id)
        if credit.revoked:
            raise CreditRevokedError(
                f"credit {credit_id!r} was revoked ({credit.revoked_reason}); "
                "a revoked credit cannot be claimed"
            )
        available = credit.unclaimed_for(authority)
        amount = available if units is None else units
        if amount <= 0 or amount > available:
            raise OverClaimError(
                f"units: cannot claim {amount} of credit {credit_id!r} toward {authority}: "
                f"{available} of its {credit.units} units are unclaimed for {authority} "
                "[claim-within-earned]"
            )
        if claimed_on < credit.completed_on:
            raise OverClaimError(
                f"date: claim date {claimed_on} is before the activity was completed "
                f"({credit.completed_on}) [claim-after-completion]"
            )
        self.trigger_event(
            self.CreditClaimed,
            credit_id=credit_id,
            authority=authority,
            units=amount,
            claimed_on=claimed_on,
        )
        return amount

    def revoke(self, credit_id: str, reason: str, revoked_on: date) -> None:
        credit = self.credit(credit_id)
        if credit.revoked:
            raise CreditRevokedError(f"credit {credit_id!r} is already revoked")
        self.trigger_event(
            self.CreditRevoked, credit_id=credit_id, reason=reason, revoked_on=revoked_on
        )

    def add_license(self, **payload: Any) -> None:
        self.trigger_event(self.LicenseRegistered, **payload)

    def end_license(self, license_id: str, ended_on: date, reason: str | None) -> None:
        lic = self.licenses.get(license_id)
        if lic is None:
            raise UnknownLicenseError(
                f"clinician {self.clinician_id!r} has no license {license_id!r}"
            )
        if lic.ended_on is not None:
            raise UnknownLicenseError(f"license {license_id!r} already ended on {lic.ended_on}")
        if ended_on < lic.issued_on:
            raise UnknownLicenseError(
                f"end date {ended_on} is before the license was issued ({lic.issued_on})"
            )
        self.trigger_event(
            self.LicenseEnded, license_id=license_id, ended_on=ended_on, reason=reason
        )

    def renew_license(self, license_id: str, renewed_on: date, expires_on: date) -> None:
        lic = self._held(license_id)
        if lic.expires_on is not None and expires_on <= lic.expires_on:
            raise ConflictError(
                f"license {license_id!r} already runs to {lic.expires_on}; a renewal needs a "
                f"later expiry than {expires_on}"
            )
        if renewed_on < lic.issued_on:
            raise ConflictError(
                f"renewal date {renewed_on} is before the license was issued ({lic.issued_on})"
            )
        self.trigger_event(
            self.LicenseRenewed, license_id=license_id, renewed_on=renewed_on, expires_on=expires_on
        )

    def record_fact(
        self,
        license_id: str,
        kind: Literal["exam", "certification", "attestation"],
        name: str,
        on: date,
        until: date | None = None,
        reason: str | None = None,
    ) -> None:
        self._held(license_id)
        self.trigger_event(
            self.LicenseFactRecorded,
            license_id=license_id,
            kind=kind,
            name=name,
            on=on,
            until=until,
            reason=reason,
        )

    def _held(self, license_id: str) -> LicenseState:
        lic = self.licenses.get(license_id)
        if lic is None:
            raise UnknownLicenseError(
                f"clinician {self.clinician_id!r} has no license {license_id!r}"
            )
        return lic


# ---------------------------------------------------------------------- requirement


class RequirementVersionState(BaseModel):
    """One published version of a requirement (the document kept as given)."""

    model_config = ConfigDict(extra="forbid")

    version: str
    effective_from: date
    document: dict[str, Any]
    source: Citation
    recorded_at: datetime


class RequirementHistory(Aggregate):
    """Every version an authority published of one requirement, in recording order."""

    TOPIC: ClassVar[str] = "credtrail:RequirementHistory"

    class Created(Aggregate.Created):
        """A requirement id was first recorded: ``RequirementDefined``."""

        TOPIC: ClassVar[str] = "credtrail:RequirementDefined"
        requirement_id: str
        authority: str

    class RequirementChanged(Aggregate.Event):
        """An authority published a version, effective from a date, with its citation.

        ``document`` is the whole rule document as published (validated by the rule
        model before recording), so later rule-format changes never rewrite history.
        """

        TOPIC: ClassVar[str] = "credtrail:RequirementChanged"
        version: str
        effective_from: date
        document: dict[str, Any]
        source: Citation

        def apply(self, aggregate: RequirementHistory) -> None:
            aggregate.versions.append(self.version_state())

        def version_state(self) -> RequirementVersionState:
            """The version as the requirement's history (and the views) keep it."""
            return RequirementVersionState(
                version=self.version,
                effective_from=self.effective_from,
                document=self.document,
                source=self.source,
                recorded_at=self.timestamp,
            )

    def __init__(self, requirement_id: str, authority: str) -> None:
        self.requirement_id = requirement_id
        self.authority = authority
        self.versions: list[RequirementVersionState] = []

    @classmethod
    def define(cls, requirement_id: str, authority: str) -> RequirementHistory:
        return cls._create(
            cls.Created,
            id=requirement_uuid(requirement_id),
            requirement_id=requirement_id,
            authority=authority,
        )

    def change(
        self, version: str, effective_from: date, document: dict[str, Any], source: Citation
    ) -> bool:
        """Record a version; returns False (and records nothing) if it is already known."""
        for known in self.versions:
            if known.version == version and known.document == document:
                return False
        self.trigger_event(
            self.RequirementChanged,
            version=version,
            effective_from=effective_from,
            document=document,
            source=source,
        )
        return True


EVENT_CLASSES: tuple[type[DomainEvent], ...] = (
    ClinicianLedger.Created,
    ClinicianLedger.CreditEarned,
    ClinicianLedger.CreditClaimed,
    ClinicianLedger.CreditRevoked,
    ClinicianLedger.LicenseRegistered,
    ClinicianLedger.LicenseEnded,
    ClinicianLedger.LicenseRenewed,
    ClinicianLedger.LicenseFactRecorded,
    RequirementHistory.Created,
    RequirementHistory.RequirementChanged,
)
"""Every event class, for tools that decode the log without loading aggregates."""

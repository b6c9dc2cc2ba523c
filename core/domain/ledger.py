"""One clinician's ledger: credits, claims and licences, and the events that change them."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any, ClassVar, Literal

from pydantic import Field

from credtrail.core.domain.base import Aggregate, clinician_uuid
from credtrail.core.domain.state import (
    AMENDABLE_FIELDS,
    Amendment,
    Certificate,
    CreditState,
    LicenseState,
    amend_credit,
)
from credtrail.core.errors import (
    ConflictError,
    CreditRevokedError,
    CredtrailError,
    DuplicateCreditError,
    NotFoundError,
    OverClaimError,
    UnknownCreditError,
    UnknownLicenseError,
)
from credtrail.core.models import trusted


def check_amendment(credit: CreditState, amended: CreditState) -> None:
    """Raise if ``credit`` may not become ``amended``: its claims must still hold.

    Decided: a claim is the clinician's own act, so a correction never cuts it
    silently; fewer units than claimed toward an authority, or a completion date after
    a claim's date, is refused (revoke and record the credit anew to undo claims).
    """
    for authority, units in sorted(credit.claims.items()):
        if amended.units < units:
            raise OverClaimError(
                f"units: cannot amend credit {credit.credit_id!r} to {amended.units} units: "
                f"{units} are already claimed toward {authority} [claim-within-earned]"
            )
    for authority, _, on in credit.claim_log:
        if on < amended.completed_on:
            raise OverClaimError(
                f"date: cannot amend credit {credit.credit_id!r} to completed on "
                f"{amended.completed_on}: it was claimed toward {authority} on {on} "
                "[claim-after-completion]"
            )


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
            values["amendments"] = []
            values["certificates"] = []
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

    # -- corrections and certificates (#15 items 3 and 7) ----------------------------

    class CreditAmended(Aggregate.Event):
        """An operator corrected fields of a recorded credit: old and new values, why,
        by whom. ``before`` and ``after`` hold the changed fields only (JSON form); the
        natural key follows from them (``amend_credit``)."""

        TOPIC: ClassVar[str] = "credtrail:CreditAmended"
        credit_id: str
        before: dict[str, Any]
        after: dict[str, Any]
        reason: str
        amended_by: str

        def apply(self, aggregate: ClinicianLedger) -> None:
            old = aggregate.credits[self.credit_id]
            new = aggregate.credits[self.credit_id] = self.amended(old)
            if new.natural_key != old.natural_key:
                aggregate.natural_keys.pop(old.natural_key, None)
                aggregate.natural_keys[new.natural_key] = self.credit_id

        def amended(self, credit: CreditState) -> CreditState:
            """The credit's state with the new values (the ledger's and the views')."""
            note = Amendment(
                at=self.timestamp, by=self.amended_by, reason=self.reason, fields=tuple(self.after)
            )
            return amend_credit(credit, self.after, note)

    class CertificateAttached(Aggregate.Event):
        """A certificate (PDF or image) was attached to a credit. Its bytes are kept in
        the store by ``sha256`` (``credtrail_attachments``), written with this event."""

        TOPIC: ClassVar[str] = "credtrail:CertificateAttached"
        credit_id: str
        sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
        media_type: str
        filename: str
        size: int = Field(ge=0)

        def apply(self, aggregate: ClinicianLedger) -> None:
            self.apply_to(aggregate.credits[self.credit_id])

        def apply_to(self, credit: CreditState) -> None:
            """List the certificate on the credit's state (the ledger's and the views')."""
            credit.certificates = [
                *credit.certificates,
                Certificate(
                    sha256=self.sha256,
                    media_type=self.media_type,
                    filename=self.filename,
                    size=self.size,
                    attached_at=self.timestamp,
                ),
            ]

    class CertificateDetached(Aggregate.Event):
        """A certificate was removed from a credit: from then on it is not listed with the
        credit (transcript, report, evidence bundles). Its bytes stay in the store (the
        log's ``CertificateAttached`` still names them) and an as-of replay before this
        event lists it still."""

        TOPIC: ClassVar[str] = "credtrail:CertificateDetached"
        credit_id: str
        sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
        reason: str

        def apply(self, aggregate: ClinicianLedger) -> None:
            self.apply_to(aggregate.credits[self.credit_id])

        def apply_to(self, credit: CreditState) -> None:
            """Drop the certificate from the credit's state (the ledger's and the views')."""
            credit.certificates = [c for c in credit.certificates if c.sha256 != self.sha256]

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
            lic.record_renewal(self.renewed_on, self.expires_on)

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

    # -- certifications: clinician-level, held like licences (credtrail certification) --

    class CertificationRecorded(Aggregate.Event):
        """The clinician holds a national certification (``certification``, a code of
        the plugins' vocabulary, granted by ``certifier``) from ``issued_on``; it
        subjects them to ``requirement_id`` (its renewal cycle; "" where none is
        encoded), and any requirement's pathway may read it."""

        TOPIC: ClassVar[str] = "credtrail:CertificationRecorded"
        certification_id: str
        certification: str
        certifier: str
        requirement_id: str
        issued_on: date
        expires_on: date | None = None
        number: str | None = None
        attributes: dict[str, str] = Field(default_factory=dict)
        """Facts its requirement conditions on, from the vocabulary (``aprn = "yes"``)."""

        def apply(self, aggregate: ClinicianLedger) -> None:
            aggregate.licenses[self.certification_id] = self.license_state()

        def license_state(self) -> LicenseState:
            """The certification as recorded: held from ``issued_on`` to its expiry."""
            return LicenseState(
                license_id=self.certification_id,
                requirement_id=self.requirement_id,
                issued_on=self.issued_on,
                expires_on=self.expires_on,
                birth_date=None,
                number=self.number,
                attributes=dict(self.attributes),
                kind="certification",
                certification=self.certification,
                certifier=self.certifier,
            )

    class CertificationRenewed(Aggregate.Event):
        """The certification was renewed on ``renewed_on`` until ``expires_on`` (a renewal
        after the previous expiry leaves the days between them unheld)."""

        TOPIC: ClassVar[str] = "credtrail:CertificationRenewed"
        certification_id: str
        renewed_on: date
        expires_on: date

        def apply(self, aggregate: ClinicianLedger) -> None:
            self.apply_to(aggregate.licenses[self.certification_id])

        def apply_to(self, lic: LicenseState) -> None:
            """Record the renewal on the certification's state (the ledger's and the views')."""
            lic.record_renewal(self.renewed_on, self.expires_on)

    class CertificationEnded(Aggregate.Event):
        """The certification ended (lapsed, revoked, retired) on ``ended_on``: it is not
        held after that day and its requirement stops applying."""

        TOPIC: ClassVar[str] = "credtrail:CertificationEnded"
        certification_id: str
        ended_on: date
        reason: str | None = None

        def apply(self, aggregate: ClinicianLedger) -> None:
            self.apply_to(aggregate.licenses[self.certification_id])

        def apply_to(self, lic: LicenseState) -> None:
            """End the certification's state (the ledger's and the views')."""
            lic.ended_on = self.ended_on
            lic.end_reason = self.reason

    # ---------------------------------------------------------------------------------

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

    def amend(
        self,
        credit_id: str,
        after: dict[str, Any],
        *,
        reason: str,
        amended_by: str,
    ) -> dict[str, tuple[Any, Any]]:
        """Correct fields of a credit; returns {field: (old, new)} of what changed.

        ``after`` holds new values (JSON form or typed); the natural key follows the
        fields it is made of, so the amended credit is found again by its key.
        Refused: a revoked credit; an amendment its claims forbid
        (``check_amendment``); a key another standing credit has. Fields that do not
        change are dropped; nothing left to change is an error.
        """
        credit = self.credit(credit_id)
        if credit.revoked:
            raise CreditRevokedError(
                f"credit {credit_id!r} was revoked ({credit.revoked_reason}); "
                "a revoked credit cannot be amended"
            )
        unknown = sorted(set(after) - set(AMENDABLE_FIELDS))
        if unknown:
            raise ConflictError(f"cannot amend {', '.join(unknown)} of a credit")
        # The credit as it would stand: validates the new values, and compares them
        # typed (5.0 units is 5 units).
        amended = amend_credit(credit, after)
        changed = {k: v for k, v in after.items() if getattr(amended, k) != getattr(credit, k)}
        if not changed:
            raise ConflictError(f"credit {credit_id!r} already has these values; nothing to amend")
        check_amendment(credit, amended)
        current = credit.model_dump(mode="json", include=set(changed))
        new = amended.model_dump(mode="json", include=set(changed))
        other = self.natural_keys.get(amended.natural_key)
        if other is not None and other != credit_id:
            raise DuplicateCreditError(self.clinician_id, other)
        self.trigger_event(
            self.CreditAmended,
            credit_id=credit_id,
            before=current,
            after=new,
            reason=reason,
            amended_by=amended_by,
        )
        return {k: (current[k], new[k]) for k in changed}

    def attach(
        self, credit_id: str, *, sha256: str, media_type: str, filename: str, size: int
    ) -> bool:
        """Attach a certificate to a credit; False if this file is already attached to it."""
        credit = self.credit(credit_id)
        if credit.revoked:
            raise CreditRevokedError(
                f"credit {credit_id!r} was revoked ({credit.revoked_reason}); "
                "attach certificates to standing credits"
            )
        if any(c.sha256 == sha256 for c in credit.certificates):
            return False
        self.trigger_event(
            self.CertificateAttached,
            credit_id=credit_id,
            sha256=sha256,
            media_type=media_type,
            filename=filename,
            size=size,
        )
        return True

    def certificate(self, credit_id: str, sha256: str | None = None) -> Certificate:
        """The credit's certificate listed now: the only one, or the one whose sha256
        starts with ``sha256``."""
        credit = self.credit(credit_id)
        listed = [c for c in credit.certificates if sha256 is None or c.sha256.startswith(sha256)]
        if not listed:
            raise NotFoundError(
                f"credit {credit_id!r} has no certificate"
                + (f" whose sha256 starts with {sha256!r}" if sha256 else "")
                + "; attach one with 'credtrail credit attach'"
            )
        if len(listed) > 1:
            hashes = ", ".join(c.sha256[:12] for c in listed)
            raise CredtrailError(
                f"credit {credit_id!r} has {len(listed)} certificates ({hashes}); "
                "name one with --sha256"
            )
        return listed[0]

    def detach(self, credit_id: str, sha256: str | None, reason: str) -> Certificate:
        """Remove a certificate from a credit (``certificate`` says which); returns it."""
        removed = self.certificate(credit_id, sha256)
        self.trigger_event(
            self.CertificateDetached, credit_id=credit_id, sha256=removed.sha256, reason=reason
        )
        return removed

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

    # -- certification commands --------------------------------------------------------

    def add_certification(
        self,
        *,
        certification_id: str,
        certification: str,
        certifier: str,
        requirement_id: str,
        issued_on: date,
        expires_on: date | None = None,
        number: str | None = None,
        attributes: dict[str, str] | None = None,
    ) -> None:
        if certification_id in self.licenses:
            raise ConflictError(f"clinician {self.clinician_id!r} already has {certification_id!r}")
        if expires_on is not None and expires_on <= issued_on:
            raise ConflictError(f"expiry {expires_on} must be after the issue date {issued_on}")
        for held in self.licenses.values():
            if held.certification == certification and held.ended_on is None:
                raise ConflictError(
                    f"clinician {self.clinician_id!r} already holds {certification} as "
                    f"{held.license_id!r}; renew or end it"
                )
        self.trigger_event(
            self.CertificationRecorded,
            certification_id=certification_id,
            certification=certification,
            certifier=certifier,
            requirement_id=requirement_id,
            issued_on=issued_on,
            expires_on=expires_on,
            number=number,
            attributes=dict(attributes or {}),
        )

    def renew_certification(
        self, certification_id: str, renewed_on: date, expires_on: date
    ) -> None:
        cert = self._certification(certification_id)
        if cert.ended_on is not None:
            raise ConflictError(
                f"certification {certification_id!r} ended on {cert.ended_on}; record it again"
            )
        if cert.expires_on is not None and expires_on <= cert.expires_on:
            raise ConflictError(
                f"certification {certification_id!r} already runs to {cert.expires_on}; a "
                f"renewal needs a later expiry than {expires_on}"
            )
        if renewed_on < cert.issued_on:
            raise ConflictError(
                f"renewal date {renewed_on} is before the certification was issued "
                f"({cert.issued_on})"
            )
        self.trigger_event(
            self.CertificationRenewed,
            certification_id=certification_id,
            renewed_on=renewed_on,
            expires_on=expires_on,
        )

    def end_certification(self, certification_id: str, ended_on: date, reason: str | None) -> None:
        cert = self._certification(certification_id)
        if cert.ended_on is not None:
            raise ConflictError(
                f"certification {certification_id!r} already ended on {cert.ended_on}"
            )
        if ended_on < cert.issued_on:
            raise ConflictError(
                f"end date {ended_on} is before the certification was issued ({cert.issued_on})"
            )
        self.trigger_event(
            self.CertificationEnded,
            certification_id=certification_id,
            ended_on=ended_on,
            reason=reason,
        )

    def _certification(self, certification_id: str) -> LicenseState:
        cert = self.licenses.get(certification_id)
        if cert is None or cert.kind != "certification":
            raise UnknownLicenseError(
                f"clinician {self.clinician_id!r} has no certification {certification_id!r}; "
                f"see 'credtrail certification list {self.clinician_id}'"
            )
        return cert

    def _held(self, license_id: str) -> LicenseState:
        lic = self.licenses.get(license_id)
        if lic is None:
            raise UnknownLicenseError(
                f"clinician {self.clinician_id!r} has no license {license_id!r}"
            )
        return lic

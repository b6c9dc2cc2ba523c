"""The application layer: commands and queries over the event store.

Every command validates completely before it writes, and writes all its events in
one ``save`` (one transaction), so a rejected command leaves nothing behind.
Infrastructure errors are translated here into ``StoreError``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any, Literal
from uuid import UUID

import pluggy
from eventsourcing.application import AggregateNotFoundError
from eventsourcing.persistence import IntegrityError, PersistenceError
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator
from pydantic_core import to_jsonable_python

from credtrail.core.domain import (
    AMENDABLE_FIELDS,
    Certificate,
    ClinicianLedger,
    CreditState,
    RequirementHistory,
    clinician_uuid,
    credit_natural_key,
    requirement_uuid,
)
from credtrail.core.errors import (
    ClinicianExistsError,
    ConflictError,
    CreditRejectedError,
    CredtrailError,
    InputError,
    NotFoundError,
    RuleError,
    StoreChangedError,
    StoreError,
    UnknownClinicianError,
    UnknownLicenseError,
    UnknownRequirementError,
)
from credtrail.core.inputs import check_npi
from credtrail.core.models import Citation, CreditDraft, PositiveUnits, trusted
from credtrail.core.persistence.attachments import (
    ATTACHMENTS_KWARG,
    CertificateFile,
    read_attachment,
)
from credtrail.core.persistence.retry import retry_on_conflict
from credtrail.core.registry import Registry, build_registry, core_violations, plugin_violations
from credtrail.core.rules import load_requirement
from credtrail.core.store import EventStore, StoreLocation, open_event_store
from credtrail.core.transcript import Transcript, transcript_of


class RequirementHeader(BaseModel):
    """The part of a requirement document every version must have to be recorded."""

    model_config = ConfigDict(extra="allow")

    id: str = Field(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$")
    authority: str = Field(min_length=1)
    version: str = Field(min_length=1)
    effective_from: date
    source: Citation


class EarnRequest(BaseModel):
    """Everything needed to record one earned credit (CLI flags or an import row)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    clinician_id: str = Field(min_length=1)
    credit_type: str
    units: PositiveUnits
    completed_on: date
    provider: str = Field(min_length=1)
    accreditor: str | None = None
    activity_id: str = Field(min_length=1)
    title: str | None = None
    topics: tuple[str, ...] = ()
    format: str | None = None
    designated_units: PositiveUnits | None = None
    evidence: dict[str, Any] | None = None
    topic_units: dict[str, PositiveUnits] = Field(default_factory=dict)
    """Units per topic inside the credit (each topic also listed in ``topics``)."""

    @model_validator(mode="after")
    def _topic_units_inside(self) -> EarnRequest:
        for topic, amount in self.topic_units.items():
            if topic not in self.topics:
                raise ValueError(f"topic {topic!r} has units but is not one of the topics")
            if amount > self.units:
                raise ValueError(f"topic {topic!r}: {amount} units is more than the credit's")
        return self

    def natural_key(self) -> str:
        """Provider, activity, completion date and type: the same credit, twice, is one."""
        return credit_natural_key(
            self.provider, self.activity_id, self.completed_on, self.credit_type
        )


@dataclass(frozen=True)
class EarnResult:
    """What happened to one earn request: recorded, or already there (idempotent)."""

    clinician_id: str
    credit_id: str
    created: bool


def _credit_id(clinician_id: str, natural_key: str, version: int) -> str:
    # Derived from the history, so replays and re-imports are reproducible; the
    # ledger version makes a re-recorded (corrected) credit get a fresh id.
    digest = hashlib.sha256(f"{clinician_id}\x1f{natural_key}\x1f{version}".encode()).hexdigest()
    return f"cr-{digest[:10]}"


class Credtrail:
    """credtrail's application service: the one door to the store for CLI and tests."""

    def __init__(
        self,
        store: EventStore,
        pm: pluggy.PluginManager,
        registry: Registry | None = None,
        location: StoreLocation | None = None,
    ) -> None:
        self.store = store
        self.location = location or StoreLocation.parse(":memory:")
        self.pm = pm
        self.registry = registry if registry is not None else build_registry(pm)

    @classmethod
    def open(
        cls,
        location: str | StoreLocation,
        pm: pluggy.PluginManager,
        *,
        create: bool = False,
        registry: Registry | None = None,
    ) -> Credtrail:
        """Open the store at ``location``; plugins are checked before the store is touched."""
        loc = location if isinstance(location, StoreLocation) else StoreLocation.parse(location)
        registry = registry if registry is not None else build_registry(pm)
        return cls(open_event_store(loc, create=create), pm, registry, loc)

    def close(self) -> None:
        self.store.close()

    # -- infrastructure edge ----------------------------------------------------------

    @contextmanager
    def _writing(self) -> Iterator[None]:
        try:
            yield
        except IntegrityError:
            # Another writer saved the same aggregate version first: nothing was written.
            raise StoreChangedError(
                "the store changed while this command ran (another writer?); "
                "nothing was written, run it again"
            ) from None
        except PersistenceError as exc:
            raise StoreError(f"store error, nothing was written: {exc}") from None

    def save(self, *aggregates: Any) -> None:
        """Save the pending events of aggregates in ONE transaction (all or nothing).

        For batch writers (imports, benchmarks) that stage many ledgers with
        ``apply_earn`` and the ledgers' own commands; store errors become ``StoreError``
        and a concurrent write of the same aggregate a ``ConflictError``.
        """
        with self._writing():
            self.store.save(*aggregates)

    def _get(self, aggregate_id: UUID) -> Any:
        try:
            return self.store.load(aggregate_id)
        except AggregateNotFoundError:
            return None
        except PersistenceError as exc:
            raise StoreError(f"cannot read the store: {exc}") from None

    # -- clinicians -------------------------------------------------------------------

    def ledger(self, clinician_id: str) -> ClinicianLedger:
        ledger = self._get(clinician_uuid(clinician_id))
        if ledger is None:
            raise UnknownClinicianError(clinician_id)
        assert isinstance(ledger, ClinicianLedger)
        return ledger

    def has_clinician(self, clinician_id: str) -> bool:
        return self._get(clinician_uuid(clinician_id)) is not None

    def add_clinician(
        self, clinician_id: str, profession: str, name: str | None = None, npi: str | None = None
    ) -> None:
        self.save(self.new_clinician(clinician_id, profession, name=name, npi=npi))

    def new_clinician(
        self, clinician_id: str, profession: str, name: str | None = None, npi: str | None = None
    ) -> ClinicianLedger:
        """Check and stage a new clinician (nothing is written until ``save``):
        ``add_clinician`` and the roster import both come through here."""
        self.registry.profession(profession)
        if not clinician_id.strip() or clinician_id != clinician_id.strip():
            raise CredtrailError(
                f"clinician id {clinician_id!r} must be non-empty with no surrounding spaces"
            )
        if npi is not None:
            try:
                check_npi(npi)
            except ValueError as exc:
                raise InputError(str(exc)) from None
        if self.has_clinician(clinician_id):
            raise ClinicianExistsError(f"clinician {clinician_id!r} already exists")
        return ClinicianLedger.register(clinician_id, profession, name=name, npi=npi)

    # -- credits ----------------------------------------------------------------------

    def check_credit(self, request: EarnRequest, profession: str) -> None:
        """Raise ``CreditRejectedError`` with every violation core and plugins find."""
        # EarnRequest validated these very fields (hot path of imports): no re-validation.
        draft = trusted(
            CreditDraft,
            {
                "clinician_id": request.clinician_id,
                "profession": profession,
                "credit_type": request.credit_type,
                "units": request.units,
                "completed_on": request.completed_on,
                "provider": request.provider,
                "accreditor": request.accreditor,
                "activity_id": request.activity_id,
                "title": request.title,
                "topics": request.topics,
                "format": request.format,
                "designated_units": request.designated_units,
            },
        )
        violations = core_violations(self.registry, draft)
        if not any(v.rule == "known-credit-type" for v in violations):
            violations += plugin_violations(self.pm, self.registry, draft)
        if violations:
            raise CreditRejectedError(violations)

    @retry_on_conflict
    def earn(self, request: EarnRequest) -> str:
        """Record one earned credit; returns its id. A duplicate is an error here."""
        ledger = self.ledger(request.clinician_id)
        self.check_credit(request, ledger.profession)
        credit_id = self.apply_earn(ledger, request)
        self.save(ledger)
        return credit_id

    @retry_on_conflict
    def earn_many(self, requests: Sequence[EarnRequest]) -> list[EarnResult]:
        """Record a batch in one transaction: all valid, or nothing written.

        Credits already recorded (same natural key, unrevoked) are skipped, so
        re-running a batch is idempotent. Raises on the first invalid request.
        """
        ledgers: dict[str, ClinicianLedger] = {}
        results = []
        for request in requests:
            ledger = ledgers.get(request.clinician_id) or self.ledger(request.clinician_id)
            ledgers[request.clinician_id] = ledger
            self.check_credit(request, ledger.profession)
            existing = ledger.natural_keys.get(request.natural_key())
            if existing is not None:
                results.append(EarnResult(request.clinician_id, existing, created=False))
                continue
            credit_id = self.apply_earn(ledger, request)
            results.append(EarnResult(request.clinician_id, credit_id, created=True))
        if ledgers:
            self.save(*ledgers.values())
        return results

    def apply_earn(self, ledger: ClinicianLedger, request: EarnRequest) -> str:
        """Stage an earned credit on a ledger you hold (nothing is written until ``save``).

        The request must have passed ``check_credit``; raises ``DuplicateCreditError``
        if the ledger already has it. Returns the new credit id.
        """
        key = request.natural_key()
        credit_id = _credit_id(ledger.clinician_id, key, ledger.version)
        ledger.earn(
            credit_id=credit_id,
            natural_key=key,
            credit_type=request.credit_type,
            units=request.units,
            completed_on=request.completed_on,
            provider=request.provider,
            accreditor=request.accreditor,
            activity_id=request.activity_id,
            title=request.title,
            topics=request.topics,
            format=request.format,
            designated_units=request.designated_units,
            evidence=request.evidence,
            topic_units=dict(request.topic_units),
        )
        return credit_id

    @retry_on_conflict
    def claim(
        self,
        clinician_id: str,
        credit_id: str,
        authority: str,
        units: Decimal | None = None,
        claimed_on: date | None = None,
    ) -> Decimal:
        """Claim (part of) a credit toward an authority; returns the units claimed."""
        self.registry.authority(authority)
        ledger = self.ledger(clinician_id)
        amount = ledger.claim(credit_id, authority, units, claimed_on or date.today())
        self.save(ledger)
        return amount

    def revoke(
        self, clinician_id: str, credit_id: str, reason: str, revoked_on: date | None = None
    ) -> None:
        if not reason.strip():
            raise CredtrailError("a revocation needs a reason (--reason)")
        ledger = self.ledger(clinician_id)
        ledger.revoke(credit_id, reason.strip(), revoked_on or date.today())
        self.save(ledger)

    # -- corrections and certificates ---------------------------------------------------

    @retry_on_conflict
    def amend(
        self,
        clinician_id: str,
        credit_id: str,
        changes: dict[str, Any],
        *,
        reason: str,
        amended_by: str,
    ) -> dict[str, tuple[Any, Any]]:
        """Correct fields of a recorded credit (``CreditAmended``); returns
        {field: (old, new)} in JSON form. The amended credit is checked like a new one."""
        ledger = self.ledger(clinician_id)
        credit = ledger.credit(credit_id)
        request = request_of(clinician_id, credit).model_copy(update=changes)
        request = EarnRequest.model_validate(request.model_dump())
        self.check_credit(request, ledger.profession)
        changed = self.apply_amend(ledger, credit_id, request, reason=reason, amended_by=amended_by)
        self.save(ledger)
        return changed

    def apply_amend(
        self,
        ledger: ClinicianLedger,
        credit_id: str,
        request: EarnRequest,
        *,
        reason: str,
        amended_by: str,
    ) -> dict[str, tuple[Any, Any]]:
        """Stage the amendment making a credit say what ``request`` says (checked already)."""
        if not reason.strip():
            raise CredtrailError("an amendment needs a reason (--reason)")
        if not amended_by.strip():
            raise CredtrailError("an amendment needs the name of who made it (--by)")
        changed = differences(ledger.credit(credit_id), request)
        after = {name: new for name, (_, new) in changed.items()}
        return ledger.amend(credit_id, after, reason=reason.strip(), amended_by=amended_by.strip())

    @retry_on_conflict
    def attach(self, clinician_id: str, credit_id: str, certificate: CertificateFile) -> bool:
        """Attach a certificate file to a credit (``CertificateAttached``), its bytes
        saved in the same transaction; False if that file is already attached to it."""
        ledger = self.ledger(clinician_id)
        if not ledger.attach(
            credit_id,
            sha256=certificate.sha256,
            media_type=certificate.media_type,
            filename=certificate.filename,
            size=len(certificate.data),
        ):
            return False
        with self._writing():
            self.store.save(ledger, **{ATTACHMENTS_KWARG: [certificate]})
        return True

    def certificate(
        self, clinician_id: str, credit_id: str, sha256: str | None = None
    ) -> tuple[Certificate, bytes]:
        """A credit's certificate (the only one, or the one whose sha256 starts with
        ``sha256``) and its bytes, checked against the hash the log recorded."""
        credit = self.ledger(clinician_id).credit(credit_id)
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
        return listed[0], read_attachment(self.store, listed[0].sha256)

    # -- licenses ---------------------------------------------------------------------

    def add_license(
        self,
        clinician_id: str,
        requirement_id: str,
        issued_on: date,
        expires_on: date | None = None,
        birth_date: date | None = None,
        number: str | None = None,
        attributes: dict[str, str] | None = None,
    ) -> str:
        """Subject a clinician to a requirement; returns the license id.

        ``attributes`` are the facts rules condition on (``dea=yes``); a key no version
        of the requirement uses is refused, so a typo cannot silently change a result.
        """
        ledger = self.ledger(clinician_id)
        license_id = self.apply_license(
            ledger,
            requirement_id,
            issued_on,
            expires_on=expires_on,
            birth_date=birth_date,
            number=number,
            attributes=attributes,
        )
        self.save(ledger)
        return license_id

    def apply_license(
        self,
        ledger: ClinicianLedger,
        requirement_id: str,
        issued_on: date,
        expires_on: date | None = None,
        birth_date: date | None = None,
        number: str | None = None,
        attributes: dict[str, str] | None = None,
    ) -> str:
        """Check and stage a licence on a ledger you hold (written by ``save``); returns
        its id. ``add_license`` and the roster import both come through here."""
        clinician_id = ledger.clinician_id
        history = self.requirement_history(requirement_id)  # must exist
        used = sorted({k for v in history.versions for k in condition_keys(v.document)})
        for key in attributes or {}:
            if key not in used:
                hint = ", ".join(used) if used else "none"
                raise CredtrailError(
                    f"--attribute {key}: {requirement_id} has no condition on {key!r} "
                    f"(its rules use: {hint})"
                )
        if expires_on is not None and expires_on <= issued_on:
            raise CredtrailError(f"--expires {expires_on} must be after --issued {issued_on}")
        for lic in ledger.licenses.values():
            if lic.requirement_id == requirement_id and lic.ended_on is None:
                raise ConflictError(
                    f"clinician {clinician_id!r} already holds license {lic.license_id!r} "
                    f"for {requirement_id}; end it first"
                )
        license_id = f"{requirement_id}#{len(ledger.licenses) + 1}"
        ledger.add_license(
            license_id=license_id,
            requirement_id=requirement_id,
            issued_on=issued_on,
            expires_on=expires_on,
            birth_date=birth_date,
            number=number,
            attributes=dict(attributes or {}),
        )
        return license_id

    def end_license(
        self, clinician_id: str, license_id: str, ended_on: date, reason: str | None = None
    ) -> None:
        ledger = self.ledger(clinician_id)
        ledger.end_license(license_id, ended_on, reason)
        self.save(ledger)

    def renew_license(
        self, clinician_id: str, license_id: str, expires_on: date, renewed_on: date
    ) -> None:
        """Record a renewal (``LicenseRenewed``): the licence now runs to ``expires_on``."""
        ledger = self.ledger(clinician_id)
        ledger.renew_license(license_id, renewed_on, expires_on)
        self.save(ledger)

    def record_fact(
        self,
        clinician_id: str,
        kind: Literal["exam", "certification", "attestation"],
        name: str,
        on: date,
        *,
        license_id: str | None = None,
        until: date | None = None,
        reason: str | None = None,
    ) -> list[str]:
        """Record an exam, certification or attestation (``LicenseFactRecorded``) on one
        licence, or on every licence the clinician holds on ``on``; returns their ids."""
        ledger = self.ledger(clinician_id)
        if license_id is not None:
            ids = [license_id]
        else:
            ids = sorted(lid for lid, lic in ledger.licenses.items() if lic.in_force_on(on))
            if not ids and kind == "exam" and ledger.licenses:
                # An exam is the clinician's fact: every licence's pathways read it
                # (core.compliance.with_clinician_facts), so any credential can carry it.
                latest = max(ledger.licenses.values(), key=lambda lic: lic.issued_on)
                ids = [latest.license_id]
            if not ids:
                raise UnknownLicenseError(
                    f"clinician {clinician_id!r} holds no license on {on}; name one with --license"
                )
        for lid in ids:
            ledger.record_fact(lid, kind, name, on, until, reason)
        self.save(ledger)
        return ids

    # -- requirements -----------------------------------------------------------------

    def requirement_history(self, requirement_id: str) -> RequirementHistory:
        history = self._get(requirement_uuid(requirement_id))
        if history is None:
            known = self.registry.requirement_ids()
            raise UnknownRequirementError(requirement_id, known)
        assert isinstance(history, RequirementHistory)
        return history

    def record_requirement(self, document: dict[str, Any]) -> bool:
        """Record a requirement version (``RequirementChanged``); False if already known."""
        return self.record_requirements([document]) == 1

    @retry_on_conflict
    def record_requirements(self, documents: Sequence[dict[str, Any]]) -> int:
        """Record several versions in one transaction; returns how many were new.

        Every document is validated (header, whole rule, known authority) before
        anything is written.
        """
        histories: dict[str, RequirementHistory] = {}
        recorded = 0
        for raw in documents:
            # Canonical JSON form (dates and decimals as strings): what the event
            # stores, so a document read again from TOML compares equal.
            document = to_jsonable_python(raw)
            header = parse_requirement_header(document)
            load_requirement(document)  # the whole rule must be valid, not just its header
            self.registry.authority(header.authority)
            history = histories.get(header.id) or self._get(requirement_uuid(header.id))
            if history is None:
                history = RequirementHistory.define(header.id, header.authority)
            elif history.authority != header.authority:
                raise RuleError(
                    f"requirement {header.id!r} belongs to {history.authority}, "
                    f"not {header.authority}"
                )
            histories[header.id] = history
            if history.change(header.version, header.effective_from, document, header.source):
                recorded += 1
        if recorded:
            self.save(*histories.values())
        return recorded

    def sync_builtin_requirements(self) -> int:
        """Record plugin-registered requirement versions not yet in the store."""
        return self.record_requirements(list(self.registry.requirements.values()))

    def requirement_histories(self) -> list[RequirementHistory]:
        """Every requirement recorded in the store (built-in or changed by users)."""
        topic = RequirementHistory.Created.TOPIC
        histories = [self.store.load(i) for i in self.store.originators(topic)]
        return sorted(histories, key=lambda h: h.requirement_id)

    # -- queries ----------------------------------------------------------------------

    def transcript(self, clinician_id: str) -> Transcript:
        return transcript_of(self.ledger(clinician_id))


def request_of(clinician_id: str, credit: CreditState) -> EarnRequest:
    """The earn request that records ``credit`` as it stands (amendments compare to it)."""
    return EarnRequest(
        clinician_id=clinician_id,
        credit_type=credit.credit_type,
        units=credit.units,
        completed_on=credit.completed_on,
        provider=credit.provider,
        accreditor=credit.accreditor,
        activity_id=credit.activity_id,
        title=credit.title,
        topics=credit.topics,
        format=credit.format,
        designated_units=credit.designated_units,
        evidence=credit.evidence,
        topic_units=dict(credit.topic_units),
    )


def differences(credit: CreditState, request: EarnRequest) -> dict[str, tuple[Any, Any]]:
    """The amendable fields where ``request`` says something else than ``credit``:
    {field: (recorded, requested)}, values in JSON form (compared typed: 5.0 is 5)."""
    out: dict[str, tuple[Any, Any]] = {}
    for name in AMENDABLE_FIELDS:
        recorded, requested = getattr(credit, name), getattr(request, name)
        if recorded != requested:
            out[name] = (to_jsonable_python(recorded), to_jsonable_python(requested))
    return out


def parse_requirement_header(document: dict[str, Any]) -> RequirementHeader:
    try:
        return RequirementHeader.model_validate(document)
    except ValidationError as exc:
        details = "; ".join(
            f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors()
        )
        raise RuleError(f"requirement document is invalid: {details}") from None


def condition_keys(document: Any) -> set[str]:
    """Licence attribute names a requirement document conditions on (only_if / unless)."""
    keys: set[str] = set()
    if isinstance(document, dict):
        for name, value in document.items():
            if name in ("only_if", "unless") and isinstance(value, dict):
                keys.update(str(k) for k in value)
            else:
                keys |= condition_keys(value)
    elif isinstance(document, list):
        for item in document:
            keys |= condition_keys(item)
    return keys

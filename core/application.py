"""The application layer: commands and queries over the event store.

Every command validates completely before it writes, and writes all its events in
one ``save`` (one transaction), so a rejected command leaves nothing behind.
Infrastructure errors are translated here into ``StoreError``.
"""

from __future__ import annotations

import functools
import hashlib
import json
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import date
from decimal import Decimal
from typing import Any, Literal
from uuid import UUID

import pluggy
from eventsourcing.application import AggregateNotFoundError
from eventsourcing.persistence import IntegrityError, PersistenceError
from pydantic import TypeAdapter, ValidationError
from pydantic_core import to_jsonable_python

from credtrail.core.domain import (
    Certificate,
    ClinicianLedger,
    RequirementHistory,
    clinician_uuid,
    requirement_uuid,
)
from credtrail.core.errors import (
    ClinicianExistsError,
    ConflictError,
    CreditRejectedError,
    CredtrailError,
    DuplicateNpiError,
    InvalidInputError,
    RuleError,
    StoreChangedError,
    StoreError,
    UnknownClinicianError,
    UnknownLicenseError,
    UnknownRequirementError,
)
from credtrail.core.inputs import MAX_ID, check_id, check_npi, check_text
from credtrail.core.models import (
    CreditDraft,
    trusted,
)
from credtrail.core.persistence.attachments import (
    ATTACHMENTS_KWARG,
    CertificateFile,
    read_attachment,
)
from credtrail.core.persistence.retry import retry_on_conflict
from credtrail.core.registry import Registry, build_registry, core_violations, plugin_violations
from credtrail.core.requests import (
    MAX_AGE_YEARS,
    PAST,
    UNITS,
    EarnRequest,
    EarnResult,
    RequirementHeader,
    check_birth_date,
    checked,
    condition_keys,
    differences,
    invalid_input,
    parse_requirement_header,
    request_of,
)
from credtrail.core.rules import load_requirement
from credtrail.core.rules.cycles import LicenseFact, license_facts_needed
from credtrail.core.rules.model import Cycle
from credtrail.core.store import EventStore, StoreLocation, open_event_store
from credtrail.core.transcript import Transcript, transcript_of

__all__ = [
    "MAX_AGE_YEARS",
    "Credtrail",
    "EarnRequest",
    "EarnResult",
    "RequirementHeader",
    "checked",
    "condition_keys",
    "differences",
    "invalid_input",
    "parse_requirement_header",
    "request_of",
]


_FACT_OPTIONS: dict[LicenseFact, tuple[str, str]] = {
    "expires_on": ("--expires", "the licence's expiry date"),
    "birth_date": ("--birth-date", "the holder's birthday"),
    "number": ("--number", "the parity of the licence number"),
}


@functools.lru_cache(maxsize=4096)
def _cycle_facts(requirement_id: str, version: str, cycle_json: str) -> frozenset[LicenseFact]:
    """The licence facts one version's cycle needs (cached on the version's values)."""
    return license_facts_needed(TypeAdapter(Cycle).validate_json(cycle_json))


def facts_needed(history: RequirementHistory, issued_on: date) -> frozenset[LicenseFact]:
    """The licence facts (expiry, birth date, number) that some version which can bind a
    cycle of a licence issued on ``issued_on`` computes its cycles from: the version in
    force on the issue date and every later one."""
    versions = sorted(history.versions, key=lambda v: v.effective_from)
    binding = [v for v in versions if v.effective_from > issued_on]
    earlier = [v for v in versions if v.effective_from <= issued_on]
    if earlier:
        binding.append(earlier[-1])
    needed: set[LicenseFact] = set()
    for v in binding:
        cycle = json.dumps(v.document.get("cycle"), sort_keys=True, default=str)
        needed |= _cycle_facts(history.requirement_id, v.version, cycle)
    return frozenset(needed)


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

    @contextmanager
    def staging(self) -> Iterator[None]:
        """Around a batch that is checked, staged on ledgers and saved (``earn_many``,
        imports, the ingest benchmark): Python's cyclic collector is paused.

        A batch keeps every event and state object it makes alive until it is saved, so
        the collector ran every few hundred allocations and walked them all, again and
        again, with the plugins' registry. None of them is in a reference cycle. The same
        switch as the views' pages (``projections.runner.collector_paused``).
        """
        from credtrail.core.projections.runner import collector_paused

        with collector_paused():
            yield

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

    @retry_on_conflict
    def add_clinician(
        self, clinician_id: str, profession: str, name: str | None = None, npi: str | None = None
    ) -> None:
        """Register a clinician. The id and name are plain bounded text; an NPI has a
        valid check digit and belongs to no other clinician (``DuplicateNpiError``)."""
        self.save(self.new_clinician(clinician_id, profession, name=name, npi=npi))

    def new_clinician(
        self, clinician_id: str, profession: str, name: str | None = None, npi: str | None = None
    ) -> ClinicianLedger:
        """Check and stage a new clinician (nothing is written until ``save``):
        ``add_clinician`` and the roster import both come through here."""
        checked("clinician_id", check_id, clinician_id, what="clinician id")
        self.registry.profession(profession)
        if name is not None:
            checked("name", check_text, name, what="the name")
        if npi is not None:
            checked("npi", check_npi, npi)
        if self.has_clinician(clinician_id):
            raise ClinicianExistsError(f"clinician {clinician_id!r} already exists")
        holder = self.clinician_with_npi(npi) if npi is not None else None
        if holder is not None:
            raise DuplicateNpiError(npi or "", holder)
        return ClinicianLedger.register(clinician_id, profession, name=name, npi=npi)

    def clinician_with_npi(self, npi: str) -> str | None:
        """The clinician registered with ``npi``, if any (``npi_holders`` for one NPI)."""
        return self.npi_holders(npi).get(npi)

    def npi_holders(self, npi: str | None = None) -> dict[str, str]:
        """NPI -> the clinician registered with it (``npi``: only that one).

        Read from the transcript view (caught up first), which keeps every clinician's
        NPI on SQLite and PostgreSQL alike: a query instead of replaying the log, and no
        new event or aggregate the views, the audit replay and stores recorded before
        would all have to learn. The check is not part of the write's transaction, so
        two clinicians added with one NPI at the same instant could both pass it.
        """
        from credtrail.core.projections import Views

        with Views(self.store) as views:
            return views.npi_holders(npi)

    def _ledger_for(self, clinician_id: str) -> ClinicianLedger:
        """The ledger a command writes to; the id is checked before it is looked up."""
        checked("clinician_id", check_id, clinician_id, what="clinician id")
        return self.ledger(clinician_id)

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
        with self.staging():
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
        """Claim (part of) a credit toward an authority; returns the units claimed.

        The authority must serve the clinician's profession and accept the credit's
        type (directly or by an equivalence); ``units`` must be a multiple of the
        type's increment; the claim date is neither in the future nor before completion.
        """
        auth = self.registry.authority(authority)
        amount = None if units is None else checked("units", UNITS.validate_python, units)
        day = checked("claimed_on", PAST.validate_python, claimed_on or date.today())
        ledger = self._ledger_for(clinician_id)
        credit = ledger.credit(credit_id)
        if ledger.profession not in auth.professions:
            raise InvalidInputError(
                "authority",
                f"{auth.code} takes credit from {' and '.join(auth.professions)} clinicians; "
                f"{clinician_id!r} is a {ledger.profession}",
            )
        ct = self.registry.credit_types.get(credit.credit_type)
        if ct is not None:
            accepted = ct.profession in auth.professions or any(
                self.registry.counts_as(ct.code, target.code, auth.code) is not None
                for target in self.registry.credit_types.values()
                if target.profession in auth.professions
            )
            if not accepted:
                raise InvalidInputError(
                    "authority",
                    f"{auth.code} does not accept {ct.label} (credit {credit_id!r}): it is "
                    f"{ct.profession} credit and no equivalence makes it count for {auth.code}",
                )
            if amount is not None and amount % ct.increment != 0:
                raise InvalidInputError(
                    "units",
                    f"{amount} is not a multiple of {ct.increment} {ct.unit}, the increment "
                    f"of {ct.label}",
                )
        amount = ledger.claim(credit_id, authority, amount, day)
        self.save(ledger)
        return amount

    @retry_on_conflict
    def revoke(
        self, clinician_id: str, credit_id: str, reason: str, revoked_on: date | None = None
    ) -> None:
        """Withdraw a credit: the reason is plain text, the date neither in the future
        nor before the credit was completed."""
        if not reason.strip():
            raise InvalidInputError("reason", "a revocation needs a reason (--reason)")
        checked("reason", check_text, reason, what="the reason")
        day = checked("revoked_on", PAST.validate_python, revoked_on or date.today())
        ledger = self._ledger_for(clinician_id)
        credit = ledger.credit(credit_id)
        if day < credit.completed_on:
            raise InvalidInputError(
                "revoked_on",
                f"{day} is before the credit was completed ({credit.completed_on})",
            )
        ledger.revoke(credit_id, reason.strip(), day)
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
        try:
            request = EarnRequest.model_validate(request.model_dump())
        except ValidationError as exc:  # a corrected value the request refuses: by field
            raise invalid_input(exc) from None
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
        listed = self.ledger(clinician_id).certificate(credit_id, sha256)
        return listed, read_attachment(self.store, listed.sha256)

    @retry_on_conflict
    def detach(
        self, clinician_id: str, credit_id: str, reason: str, sha256: str | None = None
    ) -> Certificate:
        """Remove a certificate from a credit (``CertificateDetached``): no longer listed
        from now on; its bytes stay in the store, as the history that names them."""
        if not reason.strip():
            raise InvalidInputError("reason", "removing a certificate needs a reason (--reason)")
        checked("reason", check_text, reason, what="the reason")
        ledger = self._ledger_for(clinician_id)
        removed = ledger.detach(credit_id, sha256, reason.strip())
        self.save(ledger)
        return removed

    # -- licenses ---------------------------------------------------------------------

    @retry_on_conflict
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
        The requirement must apply to the clinician's profession; a birth date must be
        plausible (not in the future, at most ``MAX_AGE_YEARS`` back, before issue).
        """
        ledger = self._ledger_for(clinician_id)
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
        checked("requirement", check_id, requirement_id, what="requirement id")
        if number is not None:
            checked("number", check_text, number, limit=MAX_ID, what="the licence number")
        for key, value in (attributes or {}).items():
            checked("attribute", check_text, key, limit=MAX_ID, what="the attribute's name")
            checked("attribute", check_text, value, limit=MAX_ID, what=f"the value of {key}")
        if birth_date is not None:
            check_birth_date(birth_date, issued_on)
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
        professions = sorted(
            {str(p) for v in history.versions for p in v.document.get("professions") or ()}
        )
        if professions and ledger.profession not in professions:
            raise InvalidInputError(
                "requirement",
                f"{requirement_id} applies to {' and '.join(professions)} licences; "
                f"{clinician_id!r} is a {ledger.profession}",
            )
        for lic in ledger.licenses.values():
            if lic.requirement_id == requirement_id and lic.ended_on is None:
                raise ConflictError(
                    f"clinician {clinician_id!r} already holds license {lic.license_id!r} "
                    f"for {requirement_id}; end it first"
                )
        given = {"expires_on": expires_on, "birth_date": birth_date, "number": number}
        for fact in sorted(facts_needed(history, issued_on)):
            if given[fact] is None:
                option, what = _FACT_OPTIONS[fact]
                raise InvalidInputError(
                    option.removeprefix("--").replace("-", "_"),
                    f"{requirement_id} counts its cycles from {what}: "
                    f"give {option} (as on the licence)",
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
        checked("license_id", check_id, license_id, what="licence id")
        if reason is not None:
            checked("reason", check_text, reason, what="the reason")
        ledger = self._ledger_for(clinician_id)
        ledger.end_license(license_id, ended_on, reason)
        self.save(ledger)

    def renew_license(
        self, clinician_id: str, license_id: str, expires_on: date, renewed_on: date
    ) -> None:
        """Record a renewal (``LicenseRenewed``): the licence now runs to ``expires_on``."""
        checked("license_id", check_id, license_id, what="licence id")
        ledger = self._ledger_for(clinician_id)
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
        licence, or on every licence the clinician holds on ``on``; returns their ids.

        The name and reason are plain text; an exam or attestation is not dated in the
        future; a certification's ``until`` is not before ``on``.
        """
        checked("name", check_text, name, limit=MAX_ID, what=f"the {kind}'s name")
        if not name.strip():
            raise InvalidInputError("name", f"the {kind} needs a name")
        if reason is not None:
            checked("reason", check_text, reason, what="the reason")
        if license_id is not None:
            checked("license_id", check_id, license_id, what="licence id")
        if kind != "certification":
            checked("date", PAST.validate_python, on)
        if until is not None and until < on:
            raise InvalidInputError("until", f"{until} is before {on}")
        ledger = self._ledger_for(clinician_id)
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

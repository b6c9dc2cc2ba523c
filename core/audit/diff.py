"""What changed between an as-of instant and now, event by event, and why.

Every event recorded after the instant is a change; its *why* is read from the event
and its two times:

- ``late-record``: a credit (or claim) that happened on or before the instant but was
  recorded after it — the system could not have known it then;
- ``new-record``: a credit completed after the instant;
- ``new-claim``, ``revocation``, ``license``, ``new-clinician``;
- ``amendment``: a credit corrected (each field's old and new value, by whom, why);
- ``certificate``: a certificate attached to a credit (its name and sha256);
- ``rule-change``: a requirement version recorded after the instant (``retroactive``
  when its ``effective_from`` is on or before the instant's date).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Literal
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError

from credtrail.core.audit.asof import AsOf
from credtrail.core.audit.reader import LogRow
from credtrail.core.domain import (
    ClinicianLedger,
    RequirementHistory,
    clinician_uuid,
    requirement_uuid,
    valid_time,
)
from credtrail.core.errors import UnknownClinicianError
from credtrail.core.store import EventStore
from credtrail.core.transcript import format_units

Why = Literal[
    "late-record",
    "new-record",
    "new-claim",
    "revocation",
    "amendment",
    "certificate",
    "license",
    "new-clinician",
    "rule-change",
]


@dataclass(frozen=True)
class Change:
    """One event recorded after the as-of instant."""

    position: int
    recorded_at: datetime
    valid_on: date | None
    subject: str
    event: str
    why: Why
    summary: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "position": self.position,
            "recorded_at": self.recorded_at.isoformat(),
            "valid_on": self.valid_on.isoformat() if self.valid_on else None,
            "subject": self.subject,
            "event": self.event,
            "why": self.why,
            "summary": self.summary,
        }


def _classify(event: Any, as_of: datetime, credits: dict[str, Any]) -> tuple[Why, str] | None:
    day = as_of.date()
    if isinstance(event, ClinicianLedger.Created):
        return "new-clinician", f"clinician {event.clinician_id} added ({event.profession})"
    if isinstance(event, ClinicianLedger.CreditEarned):
        what = (
            f"{format_units(event.units)} {event.credit_type} for {event.activity_id} "
            f"from {event.provider}, completed {event.completed_on}"
        )
        if event.completed_on <= day:
            return "late-record", f"{what} — recorded {event.timestamp.date()}, after the instant"
        return "new-record", what
    if isinstance(event, ClinicianLedger.CreditClaimed):
        late = (
            " (claimed on or before the instant, recorded after)" if event.claimed_on <= day else ""
        )
        return (
            "new-claim",
            f"{format_units(event.units)} of {event.credit_id} claimed toward {event.authority}"
            f" on {event.claimed_on}{late}",
        )
    if isinstance(event, ClinicianLedger.CreditRevoked):
        credit = credits.get(event.credit_id)
        units = f"{format_units(credit.units)} {credit.credit_type} " if credit else ""
        return (
            "revocation",
            f"{units}{event.credit_id} revoked on {event.revoked_on}: {event.reason}",
        )
    if isinstance(event, ClinicianLedger.CreditAmended):
        return "amendment", describe_amendment(event)
    if isinstance(event, ClinicianLedger.CertificateAttached):
        return (
            "certificate",
            f"certificate {event.filename} ({event.media_type}, {event.size} bytes, sha256 "
            f"{event.sha256[:12]}) attached to {event.credit_id}",
        )
    if isinstance(event, ClinicianLedger.CertificateDetached):
        return (
            "certificate",
            f"certificate sha256 {event.sha256[:12]} removed from {event.credit_id}: "
            f"{event.reason}",
        )
    if isinstance(event, ClinicianLedger.LicenseRegistered):
        return (
            "license",
            f"license {event.license_id} for {event.requirement_id} issued {event.issued_on}",
        )
    if isinstance(event, ClinicianLedger.LicenseEnded):
        return "license", f"license {event.license_id} ended {event.ended_on}"
    if isinstance(event, ClinicianLedger.LicenseRenewed):
        return (
            "license",
            f"license {event.license_id} renewed {event.renewed_on}, expires {event.expires_on}",
        )
    if isinstance(event, ClinicianLedger.LicenseFactRecorded):
        return "license", f"license {event.license_id}: {event.kind} {event.name} ({event.on})"
    if isinstance(event, ClinicianLedger.CertificationRecorded):
        return (
            "license",
            f"certification {event.certification_id} ({event.certification}, "
            f"{event.certifier}) issued {event.issued_on}",
        )
    if isinstance(event, ClinicianLedger.CertificationRenewed):
        return (
            "license",
            f"certification {event.certification_id} renewed {event.renewed_on}, "
            f"expires {event.expires_on}",
        )
    if isinstance(event, ClinicianLedger.CertificationEnded):
        return "license", f"certification {event.certification_id} ended {event.ended_on}"
    if isinstance(event, RequirementHistory.RequirementChanged):
        retro = (
            " (retroactive: effective before the instant)" if event.effective_from <= day else ""
        )
        return (
            "rule-change",
            f"version {event.version} effective {event.effective_from} published"
            f" ({event.source.authority}, {event.source.document}){retro}",
        )
    return None  # RequirementDefined: its first version follows as a rule-change


def describe_amendment(event: ClinicianLedger.CreditAmended) -> str:
    """``cr-1 amended by ana: units 0.25 -> 5; title ... (reason: ...)``."""
    fields = "; ".join(
        f"{name} {_value(event.before.get(name))} -> {_value(new)}"
        for name, new in event.after.items()
    )
    return f"{event.credit_id} amended by {event.amended_by}: {fields} (reason: {event.reason})"


def _value(value: Any) -> str:
    if value is None:
        return "(none)"
    if isinstance(value, list | tuple):
        return ",".join(str(v) for v in value) or "(none)"
    if isinstance(value, dict):
        return ",".join(f"{k}={v}" for k, v in value.items()) or "(none)"
    return str(value)


def _stream_changes(
    view: AsOf, uuid: UUID, subject: str, credits: dict[str, Any]
) -> Iterator[Change]:
    since = view.version_of(uuid) or 0
    rows: dict[int, LogRow] = {r.version: r for r in view.reader.stream_log(uuid.hex)}
    event: Any
    for event in view.store.events.get(uuid, gt=since):
        classified = _classify(event, view.as_of, credits)
        row = rows.get(event.originator_version)
        if classified is None or row is None:
            continue
        why, summary = classified
        yield Change(
            position=row.position,
            recorded_at=event.timestamp,
            valid_on=valid_time(event),
            subject=subject,
            event=type(event).__name__,
            why=why,
            summary=summary,
        )


def changes_since(
    store: EventStore,
    as_of: datetime,
    clinician_id: str | None = None,
    requirement_ids: Iterable[str] = (),
) -> list[Change]:
    """Events recorded after ``as_of``, in log order.

    With ``clinician_id``: that clinician's events and the requirement versions of the
    requirements they hold licenses for (plus ``requirement_ids``). Without: every
    stream that changed.
    """
    view = AsOf(store, as_of)
    out: list[Change] = []
    if clinician_id is not None:
        try:
            ledger: Any = store.repository.get(clinician_uuid(clinician_id))
        except AggregateNotFoundError:
            raise UnknownClinicianError(clinician_id) from None
        out += _stream_changes(
            view, clinician_uuid(clinician_id), f"clinician {clinician_id}", ledger.credits
        )
        required = {lic.requirement_id for lic in ledger.licenses.values()} | set(requirement_ids)
        for rid in sorted(required):
            out += _stream_changes(view, requirement_uuid(rid), f"requirement {rid}", {})
    else:
        for stream in view.reader.streams_changed_after(as_of):
            uuid = UUID(stream)
            aggregate: Any = store.repository.get(uuid)
            if isinstance(aggregate, ClinicianLedger):
                subject, credits = f"clinician {aggregate.clinician_id}", aggregate.credits
            elif isinstance(aggregate, RequirementHistory):
                subject, credits = f"requirement {aggregate.requirement_id}", {}
            else:
                continue
            out += _stream_changes(view, uuid, subject, credits)
    return sorted(out, key=lambda c: c.position)

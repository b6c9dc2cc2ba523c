"""The transcript: a clinician's credits with their current state (the ledger's ``CreditState``)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from decimal import Decimal

from pydantic import BaseModel, ConfigDict, field_serializer

from credtrail.core.domain import Amendment, Certificate, ClinicianLedger, CreditState
from credtrail.core.inputs import format_units as format_units


class TranscriptCredit(BaseModel):
    """One credit as a transcript shows it (units as decimal strings in JSON)."""

    model_config = ConfigDict(frozen=True)

    credit_id: str
    type: str
    units: Decimal
    date: date
    accreditor: str | None
    provider: str
    activity: str
    title: str | None
    topics: list[str]
    format: str | None
    revoked: bool
    revoked_reason: str | None
    claimed: dict[str, Decimal]
    amendments: list[Amendment] = []
    """Corrections of the credit (when, by whom, why, which fields), oldest first."""
    certificates: list[Certificate] = []
    """Certificates attached (sha256, media type, file name, size), oldest first."""

    @field_serializer("units")
    def _units(self, value: Decimal) -> str:
        return format_units(value)

    @field_serializer("claimed")
    def _claimed(self, value: dict[str, Decimal]) -> dict[str, str]:
        return {k: format_units(v) for k, v in sorted(value.items())}


class Transcript(BaseModel):
    """All credits of one clinician, oldest first, with totals of unrevoked units by type."""

    model_config = ConfigDict(frozen=True)

    clinician: str
    name: str | None
    profession: str
    credits: list[TranscriptCredit]
    totals: dict[str, Decimal]

    @field_serializer("totals")
    def _totals(self, value: dict[str, Decimal]) -> dict[str, str]:
        return {k: format_units(v) for k, v in sorted(value.items())}


def transcript_of(ledger: ClinicianLedger) -> Transcript:
    """The ledger's transcript (what the transcript view reads, from the aggregate)."""
    return transcript_from_states(
        ledger.clinician_id, ledger.name, ledger.profession, ledger.credits.values()
    )


def transcript_from_states(
    clinician_id: str, name: str | None, profession: str, credits: Iterable[CreditState]
) -> Transcript:
    """A transcript of credit states: completion date, recording time, id order; totals
    of unrevoked units per credit type."""
    ordered = sorted(credits, key=lambda c: (c.completed_on, c.recorded_at, c.credit_id))
    totals: dict[str, Decimal] = {}
    rows = []
    for c in ordered:
        if not c.revoked:
            totals[c.credit_type] = totals.get(c.credit_type, Decimal(0)) + c.units
        rows.append(
            TranscriptCredit(
                credit_id=c.credit_id,
                type=c.credit_type,
                units=c.units,
                date=c.completed_on,
                accreditor=c.accreditor,
                provider=c.provider,
                activity=c.activity_id,
                title=c.title,
                topics=list(c.topics),
                format=c.format,
                revoked=c.revoked,
                revoked_reason=c.revoked_reason,
                claimed=dict(c.claims),
                amendments=list(c.amendments),
                certificates=list(c.certificates),
            )
        )
    return Transcript(
        clinician=clinician_id, name=name, profession=profession, credits=rows, totals=totals
    )


def transcript_notes(transcript: Transcript) -> list[str]:
    """One line per amendment and per certificate, for the text transcript and report."""
    lines = []
    for c in transcript.credits:
        for a in c.amendments:
            lines.append(
                f"Amended {c.credit_id} on {a.at.date()} by {a.by} "
                f"({', '.join(a.fields)}): {a.reason}"
            )
    for c in transcript.credits:
        for cert in c.certificates:
            lines.append(
                f"Certificate of {c.credit_id}: {cert.filename} ({cert.media_type}, "
                f"{cert.size} bytes, sha256 {cert.sha256[:16]})"
            )
    return lines

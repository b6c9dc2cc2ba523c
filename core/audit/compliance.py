"""Compliance as the system would have concluded it at a past instant.

The rule engine (``credtrail.core.rules.evaluate``) is pure; here it is called with
state reconstructed as of the instant: the ledger's credits and licences recorded by
then, and only the requirement versions recorded by then. ``on`` is the valid-time
date judged (default: the instant's date). The plugins' registry (credit types,
equivalences) is today's: plugin code is not in the log.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from credtrail.core.audit.asof import AsOf
from credtrail.core.domain import ClinicianLedger, LicenseState
from credtrail.core.errors import CredtrailError
from credtrail.core.registry import Registry
from credtrail.core.rules import Evaluation, evaluate


@dataclass(frozen=True)
class Standing:
    """One licence's requirement judged as of the instant (or why it could not be)."""

    clinician_id: str
    requirement_id: str
    license_id: str
    known_versions: tuple[str, ...]
    evaluation: Evaluation | None
    problem: str | None = None

    @property
    def status(self) -> str:
        if self.evaluation is not None:
            return self.evaluation.status
        return "unknown-requirement" if not self.known_versions else "error"

    def as_dict(self) -> dict[str, Any]:
        return {
            "clinician": self.clinician_id,
            "requirement": self.requirement_id,
            "license": self.license_id,
            "status": self.status,
            "known_versions": list(self.known_versions),
            "evaluation": self.evaluation.to_json() if self.evaluation else None,
            "problem": self.problem,
        }


def _held_on(lic: LicenseState, on: date) -> bool:
    return lic.issued_on <= on and (lic.ended_on is None or on <= lic.ended_on)


def standings(
    view: AsOf,
    ledger: ClinicianLedger,
    registry: Registry,
    on: date | None = None,
    requirement_id: str | None = None,
) -> list[Standing]:
    """Every licence held on ``on`` (as known at the instant), judged with the rules known then."""
    day = on or view.as_of.date()
    out: list[Standing] = []
    for lic in ledger.licenses.values():
        if not _held_on(lic, day):
            continue
        if requirement_id is not None and lic.requirement_id != requirement_id:
            continue
        known = view.requirement(lic.requirement_id, on=day)
        versions = tuple(v.version for v in known.versions) if known else ()
        who = (ledger.clinician_id, lic.requirement_id, lic.license_id, versions)
        if known is None or not known.versions:
            recorded_by = view.as_of.isoformat()
            problem = f"no version of {lic.requirement_id} was recorded by {recorded_by}"
            out.append(Standing(*who, None, problem))
            continue
        documents = [v.document for v in known.versions]
        try:
            result = evaluate(documents, ledger.credits, lic, registry, on=day)
        except CredtrailError as exc:
            out.append(Standing(*who, None, str(exc)))
            continue
        out.append(Standing(*who, result))
    return out

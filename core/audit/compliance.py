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
from credtrail.core.compliance import judge_on
from credtrail.core.domain import ClinicianLedger, RequirementVersionState
from credtrail.core.registry import Registry
from credtrail.core.rules import Evaluation


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


def standings(
    view: AsOf,
    ledger: ClinicianLedger,
    registry: Registry,
    on: date | None = None,
    requirement_id: str | None = None,
) -> list[Standing]:
    """Every requirement the clinician was subject to on ``on`` (as known at the instant),
    judged with the rules known then (``credtrail.core.compliance.judge_on``)."""
    day = on or view.as_of.date()
    known: dict[str, tuple[RequirementVersionState, ...]] = {}
    for rid in sorted({lic.requirement_id for lic in ledger.licenses.values()}):
        history = view.requirement(rid, on=day)
        known[rid] = tuple(history.versions) if history else ()
    documents = {rid: [v.document for v in versions] for rid, versions in known.items()}
    out: list[Standing] = []
    for judged in judge_on(
        ledger.licenses.values(), ledger.credits, documents, registry, day, requirement_id
    ):
        rid = judged.requirement_id
        versions = tuple(v.version for v in known[rid])
        who = (ledger.clinician_id, rid, judged.licence.license_id, versions)
        if judged.evaluation is not None:
            out.append(Standing(*who, judged.evaluation))
        elif judged.error is not None:
            out.append(Standing(*who, None, str(judged.error)))
        else:
            recorded_by = view.as_of.isoformat()
            out.append(Standing(*who, None, f"no version of {rid} was recorded by {recorded_by}"))
    return out

"""The evaluations a compliance report shows: one per licence in force, current cycle."""

from __future__ import annotations

from datetime import date

from credtrail.core.application import Credtrail
from credtrail.core.rules.evaluate import evaluate
from credtrail.core.rules.result import Evaluation


def evaluations_for(app: Credtrail, clinician_id: str, on: date) -> list[Evaluation]:
    """Judge every licence the clinician held on ``on`` against its requirement's versions."""
    ledger = app.ledger(clinician_id)
    out = []
    for lic in sorted(ledger.licenses.values(), key=lambda lic: lic.license_id):
        if lic.issued_on > on or (lic.ended_on is not None and lic.ended_on <= on):
            continue
        history = app.requirement_history(lic.requirement_id)
        documents = [v.document for v in history.versions]
        out.append(evaluate(documents, ledger.credits, lic, app.registry, on=on))
    return out

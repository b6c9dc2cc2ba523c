"""The evaluations a compliance report shows: one per requirement the clinician is subject to."""

from __future__ import annotations

from datetime import date

from credtrail.core.application import Credtrail
from credtrail.core.compliance import judge_on
from credtrail.core.rules.result import Evaluation


def evaluations_for(app: Credtrail, clinician_id: str, on: date) -> list[Evaluation]:
    """Judge, on ``on``, every requirement the clinician is subject to that day
    (``credtrail.core.compliance.judge_on``); the engine's refusal is raised."""
    ledger = app.ledger(clinician_id)
    held = {lic.requirement_id for lic in ledger.licenses.values()}
    documents = {
        rid: [v.document for v in app.requirement_history(rid).versions] for rid in sorted(held)
    }
    out = []
    for judged in judge_on(ledger.licenses.values(), ledger.credits, documents, app.registry, on):
        if judged.error is not None:
            raise judged.error
        if judged.evaluation is not None:
            out.append(judged.evaluation)
    return out

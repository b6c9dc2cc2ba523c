"""The evaluations a compliance report shows: one per requirement the clinician is subject to."""

from __future__ import annotations

from datetime import date

from credtrail.core.application import Credtrail
from credtrail.core.compliance import judge_on
from credtrail.core.errors import UnknownLicenseError
from credtrail.core.exchange.render import Holding, ReportFacts
from credtrail.core.rules.result import Evaluation


def evaluations_for(
    app: Credtrail, clinician_id: str, on: date, requirement_id: str | None = None
) -> list[Evaluation]:
    """Judge, on ``on``, every requirement the clinician is subject to that day (only
    ``requirement_id``'s when given; ``credtrail.core.compliance.judge_on``); the engine's
    refusal is raised."""
    ledger = app.ledger(clinician_id)
    held = {lic.requirement_id for lic in ledger.licenses.values()}
    documents = {
        rid: [v.document for v in app.requirement_history(rid).versions] for rid in sorted(held)
    }
    out = []
    for judged in judge_on(
        ledger.licenses.values(), ledger.credits, documents, app.registry, on, requirement_id
    ):
        if judged.error is not None:
            raise judged.error
        if judged.evaluation is not None:
            out.append(judged.evaluation)
    return out


def report_facts(
    app: Credtrail, clinician_id: str, on: date, requirement_id: str | None = None
) -> ReportFacts:
    """What the board-ready report shows: each requirement judged on ``on`` with its
    licence and the authority's own names, the transcript and the NPI."""
    ledger = app.ledger(clinician_id)
    evaluations = evaluations_for(app, clinician_id, on, requirement_id)
    if requirement_id is not None and not evaluations:
        raise UnknownLicenseError(
            f"clinician {clinician_id!r} holds no licence for {requirement_id} on {on}; "
            f"see 'credtrail license list {clinician_id}'"
        )
    holdings = []
    for ev in evaluations:
        versions = app.requirement_history(ev.requirement).versions
        docs = [v.document for v in versions if v.document["version"] == ev.version]
        cycle = docs[-1].get("cycle", {}) if docs else {}
        holdings.append(
            Holding(
                evaluation=ev,
                licence=ledger.licenses[ev.license_id],
                authority=app.registry.authorities.get(ev.authority),
                title=docs[-1].get("title") if docs else None,
                rolling=cycle.get("kind") == "rolling"
                and cycle.get("ends", "evaluation-date") == "evaluation-date",
            )
        )
    # Licences first, then certifications, registrations and awards (a board reads on).
    order = {"licence": 0, "certification": 1, "registration": 2, "award": 3}
    holdings.sort(key=lambda h: (order.get(h.kind, 9), h.display_name))
    return ReportFacts(
        transcript=app.transcript(clinician_id),
        holdings=holdings,
        on=on,
        npi=ledger.npi,
        credit_types={code: t.label for code, t in app.registry.credit_types.items()},
    )

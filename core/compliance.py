"""Judging a clinician's licences on a day: the one answer every reader gives.

``credtrail status``, ``credtrail explain``, ``credtrail report``, ``credtrail audit
replay`` and the compliance view all ask the same three questions, and all ask them
here:

- which licences subject the clinician to a requirement on day D
  (``licences_in_force``, built on ``LicenseState.in_force_on``: from the day a
  licence was issued through the day it ended, both included; both are defined in
  the import-light ``credtrail.core.standing``, which ``status`` reads the views with);
- which licence speaks for a requirement when two are in force on the same day (an
  ended licence and its successor on the end day): the later one (``precedence``);
- what the rule engine concludes for that licence on D (``judge``, ``judge_on``): the
  requirement version and cycle in force on D, evaluated with the credits given and
  the clinician's exams and certifications (``with_clinician_facts``).

A national certification (``credtrail certification``) is held like a licence: it
subjects its holder to its certifier's requirement (NCCPA's ``nccpa-cme``) and is
judged here the same way; ``LicenseState.kind`` tells the two apart.

What differs between the callers is only where the facts come from (the ledger now,
the ledger as of an instant, the views' rows). A faster reading (the compliance
view's materialised rows) stays behind ``Views.compliance`` and a property test holds
it equal to this path.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from credtrail.core.domain import CreditState, LicenseState
from credtrail.core.errors import CredtrailError
from credtrail.core.registry import Registry
from credtrail.core.standing import lapsed_on
from credtrail.core.standing import licences_in_force as licences_in_force
from credtrail.core.standing import precedence as precedence

if TYPE_CHECKING:
    from credtrail.core.rules import Evaluation

Documents = Sequence[Any]
"""Every recorded version of a requirement (documents or ``RequirementVersion`` models)."""


def licence_for(
    licences: Iterable[LicenseState], requirement_id: str, day: date
) -> LicenseState | None:
    """The licence to judge ``requirement_id`` by on ``day``: the one in force then, else
    the last one held (to explain a requirement the clinician is no longer subject to)."""
    held = [lic for lic in licences if lic.requirement_id == requirement_id]
    in_force = licences_in_force(held, day)
    if in_force:
        return in_force[0]
    return max(held, key=precedence, default=None)


def expired_unrenewed(licence: LicenseState, day: date) -> date | None:
    """The day ``licence`` expired, if that was before ``day`` and no renewal after it is
    recorded (``credtrail.core.standing.lapsed_on``); None otherwise."""
    return lapsed_on(licence.expires_on, day)


def with_clinician_facts(
    licence: LicenseState, credentials: Iterable[LicenseState], registry: Registry
) -> LicenseState:
    """``licence`` as the rule engine reads it: with the clinician's facts, not only its own.

    Exams and certifications are facts about the clinician, so any licence's pathway
    reads them: the exams recorded on any of the clinician's licences and
    certifications, and every certification recorded (``credtrail certification``)
    over the periods it was held (``LicenseState.held_periods``), under its code and
    the names its vocabulary entry counts it as (``NCCA``). Certifications recorded on
    the licence itself (``LicenseFactRecorded``, before certifications were their own
    records) are kept.
    """
    others = [c for c in credentials if c.license_id != licence.license_id]
    exams = set(licence.exams)
    certifications = list(licence.certifications)
    for held in (licence, *others):
        exams.update(held.exams)
        if held.kind != "certification" or held.certification is None:
            continue
        known = registry.certifications.get(held.certification)
        names = (held.certification, *(known.counts_as if known is not None else ()))
        for start, until in held.held_periods():
            certifications.extend((name, start, until) for name in names)
    if len(exams) == len(set(licence.exams)) and len(certifications) == len(licence.certifications):
        return licence  # nothing the licence did not already carry (the common case)
    return licence.model_copy(
        update={
            "exams": sorted(exams, key=lambda e: (e[1], e[0])),
            "certifications": certifications,
        }
    )


def judge(
    documents: Documents,
    credits: Mapping[str, CreditState] | Iterable[CreditState],
    licence: LicenseState,
    registry: Registry,
    on: date,
    *,
    cycle_start: date | None = None,
    credentials: Iterable[LicenseState] = (),
) -> Evaluation:
    """The rule engine's verdict for ``licence`` on ``on`` (the cycle containing it, or
    the one starting on ``cycle_start``): the version in force, the cycle, the evaluation.

    ``credentials``: every licence and certification of the clinician, whose exams and
    certifications the licence's pathways read (``with_clinician_facts``).
    """
    from credtrail.core.rules import evaluate

    facts = with_clinician_facts(licence, credentials, registry)
    return evaluate(documents, credits, facts, registry, on=on, cycle_start=cycle_start)


@dataclass(frozen=True)
class Judgement:
    """One requirement a clinician was subject to on a day, and the verdict.

    ``evaluation`` is None when no version of the requirement is known (``documents``
    had none) or when the engine refused to judge (``error`` says why: a licence
    without the date its cycle needs, say).
    """

    requirement_id: str
    licence: LicenseState
    evaluation: Evaluation | None
    error: CredtrailError | None = None


def judge_on(
    licences: Iterable[LicenseState],
    credits: Mapping[str, CreditState] | Iterable[CreditState],
    documents: Mapping[str, Documents],
    registry: Registry,
    day: date,
    requirement_id: str | None = None,
) -> list[Judgement]:
    """Every requirement the clinician was subject to on ``day``, judged on ``day``.

    ``documents``: the versions known of each requirement (a requirement missing or
    empty here is reported with no evaluation and no error). Ordered by requirement.
    """
    out: list[Judgement] = []
    pool = list(credits.values()) if isinstance(credits, Mapping) else list(credits)
    licences = list(licences)
    for lic in licences_in_force(licences, day, requirement_id):
        versions = documents.get(lic.requirement_id)
        if not versions:
            out.append(Judgement(lic.requirement_id, lic, None))
            continue
        try:
            result = judge(versions, pool, lic, registry, day, credentials=licences)
        except CredtrailError as exc:
            out.append(Judgement(lic.requirement_id, lic, None, exc))
            continue
        out.append(Judgement(lic.requirement_id, lic, result))
    return out

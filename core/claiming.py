"""Which recorded credit a requirement would count if it were claimed.

Some requirements count only credit claimed toward their authority (the AANP and the
AMA award, say): a credit recorded but never claimed is excluded as ``not-claimed``.
``claimable`` answers "what would count here if claimed" with the rule engine itself:
it judges the licence once more with every unclaimed credit claimed on the day, and
keeps the credits the engine then finds eligible (counted toward a part, or eligible
but over a cap or not needed). No second copy of the eligibility rules exists, so a
claim made from this list counts exactly as the engine says it would.

``credtrail credit claim --all`` claims what this returns; ``status`` and ``explain``
say how many units it found.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from credtrail.core.compliance import Documents, judge, licences_in_force
from credtrail.core.domain import ClinicianLedger, CreditState, LicenseState
from credtrail.core.errors import CredtrailError
from credtrail.core.registry import Registry

if TYPE_CHECKING:
    from credtrail.core.application import Credtrail


@dataclass(frozen=True)
class Claimable:
    """Units of one recorded credit a claim toward ``authority`` would make count."""

    credit_id: str
    authority: str
    units: Decimal
    completed_on: date


def claimable(
    documents: Documents,
    credits: Iterable[CreditState],
    licence: LicenseState,
    registry: Registry,
    on: date,
    *,
    since: date | None = None,
) -> list[Claimable]:
    """The unclaimed credit ``licence``'s requirement would count if claimed on ``on``
    (ordered by completion date, then id); empty where it counts earned credit.

    ``since``: only credit completed on or after this day.
    """
    pool = list(credits)
    actual = judge(documents, pool, licence, registry, on)
    if actual.counts != "claimed":
        return []
    authority = actual.authority
    candidates = {
        c.credit_id: c
        for c in pool
        if not c.revoked
        and c.unclaimed_for(authority) > 0
        and c.completed_on <= on
        and (since is None or c.completed_on >= since)
    }
    if not candidates:
        return []
    supposed = [_claimed(c, authority, on) if c.credit_id in candidates else c for c in pool]
    result = judge(documents, supposed, licence, registry, on)
    eligible = {a.credit_id for a in result.allocation} | {u.credit_id for u in result.unused}
    out = [
        Claimable(cid, authority, c.unclaimed_for(authority), c.completed_on)
        for cid, c in candidates.items()
        if cid in eligible
    ]
    return sorted(out, key=lambda x: (x.completed_on, x.credit_id))


def _claimed(credit: CreditState, authority: str, on: date) -> CreditState:
    """``credit`` as if its unclaimed units were claimed toward ``authority`` on ``on``."""
    units = credit.unclaimed_for(authority)
    log = list(credit.claim_log)
    if not log:
        # A view row may carry totals only: spell them out so the new claim adds to them.
        log = [(who, n, credit.claim_dates.get(who, on)) for who, n in credit.claims.items()]
    claims = dict(credit.claims)
    claims[authority] = claims.get(authority, Decimal(0)) + units
    dates = dict(credit.claim_dates)
    dates.setdefault(authority, on)
    return credit.model_copy(
        update={"claims": claims, "claim_dates": dates, "claim_log": [*log, (authority, units, on)]}
    )


@dataclass(frozen=True)
class PlannedClaim:
    """One claim ``credit claim --all`` would make (or made)."""

    clinician_id: str
    credit_id: str
    authority: str
    units: Decimal
    completed_on: date
    requirement_ids: tuple[str, ...]


def plan_claims(
    app: Credtrail,
    authority: str,
    clinicians: Iterable[str],
    on: date,
    *,
    since: date | None = None,
) -> list[PlannedClaim]:
    """Per clinician, every unclaimed credit a requirement of ``authority`` they are
    subject to on ``on`` would count if claimed (``claimable``); ordered by clinician,
    completion date and credit. Nothing is written."""
    app.registry.authority(authority)  # an unknown authority is an error, not "nothing"
    histories: dict[str, Any] = {}
    out: list[PlannedClaim] = []
    for cid in clinicians:
        ledger = app.ledger(cid)
        found: dict[str, tuple[Claimable, list[str]]] = {}
        for lic in licences_in_force(ledger.licenses.values(), on):
            rid = lic.requirement_id
            if rid not in histories:
                histories[rid] = app.requirement_history(rid)
            history = histories[rid]
            if history.authority != authority or not history.versions:
                continue
            documents = [v.document for v in history.versions]
            try:
                eligible = claimable(
                    documents, ledger.credits.values(), lic, app.registry, on, since=since
                )
            except CredtrailError:
                # The engine cannot judge this licence (status shows why): nothing to claim.
                continue
            for c in eligible:
                found.setdefault(c.credit_id, (c, []))[1].append(rid)
        for c, rids in sorted(found.values(), key=lambda x: (x[0].completed_on, x[0].credit_id)):
            out.append(
                PlannedClaim(cid, c.credit_id, authority, c.units, c.completed_on, tuple(rids))
            )
    return out


def make_claims(app: Credtrail, plans: Sequence[PlannedClaim], on: date) -> Decimal:
    """Record every planned claim in one transaction (all or nothing); the units claimed.

    Each claim goes through the ledger's own ``claim`` (its invariants hold), for the
    units planned.
    """
    ledgers: dict[str, ClinicianLedger] = {}
    total = Decimal(0)
    with app.staging():  # a batch, as earn_many's
        for plan in plans:
            ledger = ledgers.get(plan.clinician_id) or app.ledger(plan.clinician_id)
            ledgers[plan.clinician_id] = ledger
            total += ledger.claim(plan.credit_id, plan.authority, plan.units, on)
        if ledgers:
            app.save(*ledgers.values())
    return total

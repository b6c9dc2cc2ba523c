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

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from credtrail.core.compliance import Documents, judge
from credtrail.core.domain import CreditState, LicenseState
from credtrail.core.registry import Registry


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

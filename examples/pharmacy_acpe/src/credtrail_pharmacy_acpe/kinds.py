"""The ``acpe-audience`` rule kind: count only activities meant for the licensee's role.

ACPE marks each activity's audience in the last letter of its UAN (P pharmacists,
T pharmacy technicians); a board counts only its own licensees' activities
(``data.TECHNICIAN_COURSES``). Core has no notion of a UAN, so the plugin registers
this evaluator and a requirement names it in ``[[custom]]``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from credtrail.core import Adjustment, Candidate, CycleWindow
from credtrail_pharmacy_acpe.uan import parse_uan

KIND = "acpe-audience"
AUDIENCES = {"P": "pharmacists", "T": "pharmacy technicians"}


class AudienceRule:
    """Credits whose UAN targets another audience are worth nothing here."""

    def check(self, params: Mapping[str, Any]) -> None:
        audience = params.get("audience")
        if audience not in AUDIENCES:
            raise ValueError(f"params.audience must be one of P, T (got {audience!r})")
        if set(params) - {"audience"}:
            raise ValueError(f"unknown params: {', '.join(sorted(set(params) - {'audience'}))}")

    def adjust(
        self, candidates: Sequence[Candidate], params: Mapping[str, Any], cycle: CycleWindow
    ) -> Sequence[Adjustment]:
        audience = params["audience"]
        out = []
        for candidate in candidates:
            uan = parse_uan(candidate.activity_id)
            if uan is not None and uan.audience != audience:
                out.append(
                    Adjustment(
                        credit_id=candidate.credit_id,
                        units=Decimal(0),
                        reason=(
                            f"UAN {candidate.activity_id} is for {AUDIENCES[uan.audience]}, "
                            f"not {AUDIENCES[audience]}"
                        ),
                    )
                )
        return out

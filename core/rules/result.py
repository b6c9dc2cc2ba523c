"""What an evaluation returns: status, per-part figures, allocation and exclusions.

Everything ``credtrail status`` and ``credtrail explain`` show is here, and
``Evaluation.to_json()`` is the ``--json`` shape (units as decimal strings).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any, Literal

from credtrail.core.models import Citation, Frozen

Status = Literal["compliant", "cured", "in_progress", "deficient", "exempt"]
PartStatus = Literal[
    "met", "missing", "not-due", "not-applicable", "exempt", "met-late", "attested", "overdue"
]

ExclusionRule = Literal[
    "revoked",
    "not-completed-yet",
    "outside-cycle",
    "not-claimed",
    "claimed-late",
    "type-not-accepted",
    "accreditor-not-accepted",
    "repeat-limit",
    "used-to-cure",
    "custom",
    "no-matching-part",
]


class PartResult(Frozen):
    """One target (``total`` or a part) in one cycle."""

    part: str
    label: str
    status: PartStatus
    required: Decimal
    counted: Decimal
    missing: Decimal
    counts_toward_total: bool = True
    schedule: str = "every cycle"
    why: str | None = None
    """Why the part is not-due, not-applicable or exempt, or how it was pro-rated."""
    source: Citation | None = None
    note: str | None = None
    due_by: date | None = None
    """A one-time part's deadline (the engine's, from the licence's history), else None."""


class Counted(Frozen):
    """Units of one credit counted toward one target."""

    credit_id: str
    part: str
    units: Decimal


class Excluded(Frozen):
    """A credit (or some of its units) that did not count, and why."""

    credit_id: str
    units: Decimal
    rule: ExclusionRule
    reason: str


class Valued(Frozen):
    """A credit this requirement values differently from its face units."""

    credit_id: str
    units: Decimal
    value: Decimal
    reason: str


class Unused(Frozen):
    """Eligible units that count toward no target (a cap bound, or not needed)."""

    credit_id: str
    units: Decimal
    reason: str


class Evaluation(Frozen):
    """A clinician's standing against one requirement version for one cycle."""

    requirement: str
    authority: str
    version: str
    effective_from: date
    source: Citation
    license_id: str
    cycle_start: date
    cycle_end: date
    renewal_number: int
    evaluated_on: date
    counts: Literal["claimed", "earned"]
    status: Status
    required: Decimal
    counted: Decimal
    parts: tuple[PartResult, ...]
    allocation: tuple[Counted, ...]
    excluded: tuple[Excluded, ...]
    valued: tuple[Valued, ...] = ()
    unused: tuple[Unused, ...] = ()
    carry_in: Decimal = Decimal(0)
    carry_out: Decimal = Decimal(0)
    grace_until: date | None = None
    cure: tuple[Counted, ...] = ()
    """Units of credit dated in the grace window applied to cure this cycle (status cured)."""
    pathway: str | None = None
    """The alternative pathway taken (its id), if any; ``notes`` say why."""
    version_why: str | None = None
    """Why this version judged the cycle, when a transition window offered two."""
    certification: str | None = None
    """Set when the credential judged is a national certification, not a licence: its
    code (``nccpa-pa-c``); ``status`` labels the row with it."""
    notes: tuple[str, ...] = ()

    @property
    def missing(self) -> tuple[tuple[str, Decimal], ...]:
        """(part, units) still missing, for every due part that is not met."""
        return tuple((p.part, p.missing) for p in self.parts if p.missing > 0)

    def part(self, name: str) -> PartResult:
        for p in self.parts:
            if p.part == name:
                return p
        raise KeyError(name)

    def counted_for(self, credit_id: str) -> dict[str, Decimal]:
        """Units of one credit counted per target."""
        return {a.part: a.units for a in self.allocation if a.credit_id == credit_id}

    def to_json(self) -> dict[str, Any]:
        """The ``--json`` shape: the issue's required keys first, then the explanation."""
        data = self.model_dump(mode="json")
        if data["certification"] is None:
            del data["certification"]  # a licence: the shape it always had
        head = {
            "requirement": data.pop("requirement"),
            "version": data.pop("version"),
            "cycle_start": data.pop("cycle_start"),
            "cycle_end": data.pop("cycle_end"),
            "status": data.pop("status"),
            "required": data.pop("required"),
            "counted": data.pop("counted"),
            "missing": [{"part": p, "units": str(u)} for p, u in self.missing],
            "allocation": data.pop("allocation"),
        }
        return {**head, **data}

"""A clinician's standing as the compliance view holds it, without the rule engine.

Import-light on purpose (the standard library and orjson): ``credtrail status`` of one
clinician reads its answer from here when the views are current
(``credtrail.core.viewread``), and every other reader uses the same definitions:

- ``in_force``: whether a licence subjects its holder to its requirement on day D
  (the one definition; ``LicenseState.in_force_on`` asks it);
- ``licences_in_force`` and ``precedence``: per requirement, the licence that speaks
  for it on D (``credtrail.core.compliance`` re-exports them);
- ``HeldLicence`` and ``held_licence``: a licence row of the transcript view read for
  choosing the licence in force only (its dates, number and ids; not its facts), the
  one light decoding (the views' roster and ``credtrail.core.viewread``); readers that
  judge build the full ``LicenseState`` of the clinicians they judge;
- ``ComplianceRow`` and ``compliance_row``: a row of the compliance table and the one
  decoding of its columns;
- ``standing_row``: the materialised row that *is* the standing on D, if one is
  (otherwise the caller judges D with the engine).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import lru_cache
from typing import Any, Protocol, TypeVar

import orjson


def in_force(issued_on: date, ended_on: date | None, day: date) -> bool:
    """Whether a licence issued ``issued_on`` and ended ``ended_on`` (None: still held)
    subjects its holder to the requirement on ``day``.

    From the day it was issued through the day it ended, both included: a licence
    ended on D was still held on D (as a licence that expires on D is valid that day),
    so a licence issued and ended on the same day was held for that day. The one
    definition: report, status, explain, audit replay and the views ask this.
    """
    return issued_on <= day and (ended_on is None or day <= ended_on)


def lapsed_on(expires_on: date | None, day: date) -> date | None:
    """The day a licence expiring ``expires_on`` lapsed, if that was before ``day``
    (a renewal moves the expiry on, so an unrenewed licence keeps the old one); None
    otherwise. Such a licence is still held in the log's terms (only ``license end``
    ends it), so the cycle containing ``day`` is the next one, while the cycle ending on
    the expiry decided it. The one definition (``expired_unrenewed`` asks it)."""
    if expires_on is None or expires_on >= day:
        return None
    return expires_on


class Held(Protocol):
    """What choosing the licence in force needs of one (``LicenseState`` has it)."""

    @property
    def license_id(self) -> str: ...
    @property
    def requirement_id(self) -> str: ...
    @property
    def issued_on(self) -> date: ...
    @property
    def ended_on(self) -> date | None: ...
    def in_force_on(self, day: date) -> bool: ...


L = TypeVar("L", bound=Held)


@dataclass(frozen=True, slots=True)
class HeldLicence:
    """A licence row of the transcript view: what choosing the licence in force reads,
    and the licence number a roster row shows."""

    license_id: str
    requirement_id: str
    issued_on: date
    ended_on: date | None
    expires_on: date | None
    number: str | None = None

    def in_force_on(self, day: date) -> bool:
        return in_force(self.issued_on, self.ended_on, day)


HELD_COLUMNS = "license_id, requirement_id, issued_on, ended_on, expires_on, number"
"""The licence table's columns ``held_licence`` reads."""


def held_licence(r: Any) -> HeldLicence:
    """A licence row (``HELD_COLUMNS`` at least) as a ``HeldLicence``: the one light
    decoding; a property test holds it equal to the full ``LicenseState`` on these fields."""
    ended, expires = r["ended_on"], r["expires_on"]
    return HeldLicence(
        r["license_id"],
        r["requirement_id"],
        date.fromisoformat(r["issued_on"]),
        date.fromisoformat(ended) if ended else None,
        date.fromisoformat(expires) if expires else None,
        r["number"],
    )


def precedence(lic: Held) -> tuple[date, date, str]:
    """Sort key of licences for one requirement: the last one speaks for it.

    The later-issued licence wins; between licences issued the same day, one still
    held wins over one that ended, a later end over an earlier one.
    """
    return (lic.issued_on, lic.ended_on or date.max, lic.license_id)


def licences_in_force(
    licences: Iterable[L], day: date, requirement_id: str | None = None
) -> list[L]:
    """Per requirement, the licence that subjects the clinician to it on ``day``.

    At most one per requirement (``precedence`` picks it), ordered by requirement id;
    only ``requirement_id``'s when given.
    """
    chosen: dict[str, L] = {}
    for lic in licences:
        if requirement_id is not None and lic.requirement_id != requirement_id:
            continue
        if not lic.requirement_id:
            continue  # a certification whose renewal no requirement encodes
        if not lic.in_force_on(day):
            continue
        held = chosen.get(lic.requirement_id)
        if held is None or precedence(lic) > precedence(held):
            chosen[lic.requirement_id] = lic
    return [chosen[rid] for rid in sorted(chosen)]


@dataclass(frozen=True)
class ComplianceRow:
    """One clinician's standing for one cycle of one requirement."""

    clinician_id: str
    requirement_id: str
    license_id: str
    cycle_start: date
    cycle_end: date
    status: str
    counted: Decimal
    required: Decimal
    missing: tuple[tuple[str, Decimal], ...]
    explanation: dict[str, Any]

    def as_of(self, on: date) -> ComplianceRow:
        """The standing on ``on``: a cycle still open (grace included) is not yet failed."""
        grace = self.explanation.get("grace_until")
        closes = date.fromisoformat(grace) if grace else self.cycle_end
        if self.status == "deficient" and on <= closes:
            # Spelled out rather than dataclasses.replace: the roster reads tens of
            # thousands of rows, and replace() inspects the fields each time.
            return ComplianceRow(
                self.clinician_id,
                self.requirement_id,
                self.license_id,
                self.cycle_start,
                self.cycle_end,
                "in_progress",
                self.counted,
                self.required,
                self.missing,
                self.explanation,
            )
        return self


def compliance_row(r: Any, explanation: dict[str, Any]) -> ComplianceRow:
    """A row of the compliance table as a ``ComplianceRow`` (the one decoding of its
    columns), with the explanation the caller read or built."""
    return ComplianceRow(
        clinician_id=r["clinician_id"],
        requirement_id=r["requirement_id"],
        license_id=r["license_id"],
        cycle_start=date.fromisoformat(r["cycle_start"]),
        cycle_end=date.fromisoformat(r["cycle_end"]),
        status=r["status"],
        counted=Decimal(r["counted"]),
        required=Decimal(r["required"]),
        missing=_missing(r["missing"]),
        explanation=explanation,
    )


@lru_cache(maxsize=4096)
def _missing(text: str) -> tuple[tuple[str, Decimal], ...]:
    """The ``missing`` column decoded (parts and units). Memoised: a roster reads tens of
    thousands of rows and few distinct values (the result is immutable, so shared)."""
    return tuple([(part, Decimal(units)) for part, units in orjson.loads(text)])


def standing_row(
    rows: Sequence[ComplianceRow], lic: Held, on: date, today: date | None = None
) -> ComplianceRow | None:
    """The materialised row that is the standing under ``lic`` on ``on``, if one is
    (else the day must be judged with the engine); ``today``: the clock's day."""
    hit = [r for r in rows if r.cycle_start <= on <= r.cycle_end]
    if hit and on >= (today or date.today()) and hit[0].license_id == lic.license_id:
        # The fast path: a row counts every credit of its cycle; none is completed after
        # today, so it is the standing today (status's hot path). A property test holds
        # it equal to judging on the day.
        return hit[0].as_of(on)
    return None


def may_count_unclaimed(row: ComplianceRow) -> bool:
    """The row's requirement left out credit because it was not claimed: claiming
    some might count (``credtrail.core.claiming.claimable`` says how much)."""
    excluded = row.explanation.get("excluded") or []
    return any(x.get("rule") == "not-claimed" for x in excluded)

"""The protocol of plugin rule kinds (``credtrail_register_rule_kinds``).

A requirement document names a custom kind in ``[[custom]]``; the evaluator a plugin
registered for that kind adjusts the units each eligible credit is worth for this
requirement (NCCPA's certification-program limit, authority-specific weighting, ...).
Evaluators are pure: same arguments, same answer, no I/O.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any, Protocol, runtime_checkable


@dataclass(frozen=True)
class CycleWindow:
    """One cycle of a requirement for one licence.

    ``number`` is the renewal number (1 = the first cycle ending after licensure);
    ``full_months`` the length of a regular cycle (``None`` for one-time windows);
    ``shortened`` tells whether licensure cut this cycle short; ``renewed_on`` is the
    recorded date of the renewal this cycle ends in, if one was recorded.
    """

    start: date
    end: date
    number: int
    full_months: int | None = None
    shortened: bool = False
    renewed_on: date | None = None

    def contains(self, day: date) -> bool:
        return self.start <= day <= self.end


@dataclass(frozen=True)
class Candidate:
    """An eligible credit as a rule kind sees it: ``units`` is its current value here."""

    credit_id: str
    credit_type: str
    units: Decimal
    completed_on: date
    topics: tuple[str, ...]
    format: str | None
    activity_id: str
    title: str | None
    accreditor: str | None
    provider: str


@dataclass(frozen=True)
class Adjustment:
    """A new value for one credit; ``units == 0`` excludes it. ``reason`` is shown to users."""

    credit_id: str
    units: Decimal
    reason: str


@runtime_checkable
class RuleKindEvaluator(Protocol):
    """What a plugin registers with ``register(kind, evaluator)``."""

    def check(self, params: Mapping[str, Any]) -> None:
        """Raise ``ValueError`` saying what is wrong with ``params`` (called on load)."""

    def adjust(
        self, candidates: Sequence[Candidate], params: Mapping[str, Any], cycle: CycleWindow
    ) -> Sequence[Adjustment]:
        """The credits whose value changes, in any order; credits not named keep theirs."""

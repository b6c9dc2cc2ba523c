"""The words of an explanation: how a part's condition, schedule and status read.

``credtrail explain`` shows these strings; the engine builds each ``PartResult`` here.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import Decimal

from credtrail.core.rules.eligibility import tidy
from credtrail.core.rules.model import (
    AtRenewals,
    EveryNthRenewal,
    OncePerLicense,
    Part,
    RequiredCertification,
    WithinMonths,
)
from credtrail.core.rules.result import PartResult, PartStatus


def attested_text(attested: tuple[date, str]) -> str:
    return f"attested: completed {attested[0]} ({attested[1]}); not credit"


def condition_text(only_if: Mapping[str, str], unless: Mapping[str, str]) -> str:
    parts = [f"{k}={v}" for k, v in only_if.items()]
    text = f"only when the licence has {', '.join(parts)}" if parts else ""
    if unless:
        no = ", ".join(f"{k}={v}" for k, v in unless.items())
        text = f"{text}; " if text else ""
        text += f"not when the licence has {no}"
    return text


def schedule_text(part: Part) -> str:
    s = part.schedule
    if isinstance(s, EveryNthRenewal):
        return f"renewal {s.first}, then every {s.every}"
    if isinstance(s, AtRenewals):
        return "renewals " + ", ".join(str(n) for n in s.numbers)
    if isinstance(s, OncePerLicense):
        bits = []
        if s.due_by_renewal is not None:
            bits.append(f"renewal {s.due_by_renewal}")
        if s.due_within_months is not None:
            bits.append(f"{s.due_within_months} months after licensure")
        return "once per licence, by the earlier of " + " and ".join(bits)
    if isinstance(s, WithinMonths):
        return f"every cycle, counting credit from the {s.months} months before its end"
    return "every cycle"


def part_result(
    name: str,
    label: str,
    required: Decimal,
    status: PartStatus | None,
    why: str | None,
    note: str | None,
    part: Part | None = None,
    due_by: date | None = None,
) -> PartResult:
    return PartResult(
        part=name,
        label=label,
        status=status or "missing",
        required=tidy(required),
        counted=Decimal(0),
        missing=Decimal(0),
        counts_toward_total=part.counts_toward_total if part else True,
        schedule=schedule_text(part) if part else "every cycle",
        why=why,
        source=part.source if part else None,
        note=note,
        due_by=due_by,
    )


def certification_result(
    rule: RequiredCertification, status: PartStatus, why: str | None
) -> PartResult:
    """A required certification as one part of the cycle: 1 of 1 when held (``met``),
    0 of 1 and missing when not; ``why`` names it, whether it is held and until when."""
    held = status == "met"
    due = status in ("met", "missing")
    return PartResult(
        part=rule.id,
        label=rule.label or "certification " + " or ".join(rule.certifications),
        status=status,
        required=Decimal(1),
        counted=Decimal(1) if held else Decimal(0),
        missing=Decimal(0) if held or not due else Decimal(1),
        counts_toward_total=False,
        schedule="certification held on the cycle's end (or the day judged, if earlier)",
        why=why,
        source=rule.source,
        note=rule.note,
    )


def certification_text(
    names: tuple[str, ...], day: date, periods: list[tuple[str, date, date | None]]
) -> str:
    """Why a required certification is not held on ``day``: what was recorded of it."""
    wanted = " or ".join(names)
    if not periods:
        return (
            f"certification {wanted} required on {day}: none recorded (credtrail certification add)"
        )
    seen = "; ".join(f"{name} {start} to {end or 'no expiry'}" for name, start, end in periods)
    return f"certification {wanted} required on {day}: not held then (recorded: {seen})"

"""Accreditation rules of AMA PRA credit that core's generic checks cannot express."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from credtrail.core import CreditDraft, Violation
from credtrail.plugins._common import nearest_quarter_hour
from credtrail.plugins.accreditors import AMA_DIRECT
from credtrail.plugins.physician_ama.data import (
    DIRECT_CREDIT,
    DIRECT_PREFIX,
    MOC_BEFORE_CUTOFF,
    MOC_CUTOFF,
)


def designate_credit(minutes: int) -> Decimal:
    """AMA PRA Category 1 credit a live activity of ``minutes`` designates.

    60 minutes = 1 credit, in 0.25-credit steps, rounded to the nearest quarter hour
    (G01: 95 min -> 1.50, 100 -> 1.75, 50 -> 0.75). Source: ``data.PRA_BOOKLET`` (secondary).

    :raises InputError: ``minutes`` is negative or not a whole number.
    """
    return nearest_quarter_hour(minutes)


def direct_credit_amount(fmt: str, completed_on: date) -> Decimal | None:
    """Credits the AMA awards directly for activity ``fmt`` completed on that date.

    ``None``: ``fmt`` is not a direct-credit format. For ``direct:residency`` the
    amount is per year of training. Source: ``AMA_DIRECT``.
    """
    entry = DIRECT_CREDIT.get(fmt)
    if entry is None:
        return None
    if fmt == "direct:moc" and completed_on < MOC_CUTOFF:
        return MOC_BEFORE_CUTOFF
    return entry[1]


def validate(credit: CreditDraft) -> list[Violation]:
    """Violations of a credit of one of this plugin's types (empty: valid).

    Core checked type, accreditor, increment and topics already; the plugin's
    ``ProfessionPlugin`` calls this only for its own credit types.
    """
    out: list[Violation] = []
    is_direct_format = bool(credit.format and credit.format.startswith(DIRECT_PREFIX))
    if credit.accreditor == "AMA" or is_direct_format:
        out.extend(_direct_credit_violations(credit))
    return out


def _direct_credit_violations(credit: CreditDraft) -> list[Violation]:
    formats = ", ".join(DIRECT_CREDIT)
    if credit.credit_type != "ama_pra_1" or credit.accreditor != "AMA":
        return [
            Violation(
                field="format",
                rule="ama-direct-credit-source",
                message=(
                    f"format {credit.format!r} is AMA direct credit: record it as ama_pra_1 "
                    "with accreditor AMA"
                ),
                source=AMA_DIRECT,
            )
        ]
    fmt = credit.format or ""
    if fmt not in DIRECT_CREDIT:
        return [
            Violation(
                field="format",
                rule="ama-direct-credit-format",
                message=(
                    f"the AMA awards credit directly only for these activities; set format to "
                    f"one of {formats} (got {credit.format!r})"
                ),
                source=AMA_DIRECT,
            )
        ]
    out = []
    if credit.profession != "physician":
        out.append(
            Violation(
                field="accreditor",
                rule="ama-direct-credit-physicians",
                message="AMA direct credit is awarded to physicians (MD/DO) only",
                source=AMA_DIRECT,
            )
        )
    amount = direct_credit_amount(fmt, credit.completed_on)
    assert amount is not None  # the format was checked above
    if fmt == "direct:residency":
        if credit.units % amount != 0:
            out.append(
                Violation(
                    field="units",
                    rule="ama-direct-credit-amount",
                    message=(
                        f"ACGME residency or fellowship earns {amount} credits per year: "
                        f"{credit.units} is not a whole number of years"
                    ),
                    source=AMA_DIRECT,
                )
            )
    elif credit.units != amount:
        what = DIRECT_CREDIT[fmt][0]
        when = ""
        if fmt == "direct:moc":
            side = "on or after" if credit.completed_on >= MOC_CUTOFF else "before"
            when = f" completed {side} {MOC_CUTOFF.isoformat()}"
        out.append(
            Violation(
                field="units",
                rule="ama-direct-credit-amount",
                message=f"the AMA awards {amount} credits for {what}{when}, not {credit.units}",
                source=AMA_DIRECT,
            )
        )
    return out

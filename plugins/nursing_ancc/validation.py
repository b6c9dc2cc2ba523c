"""Checks and conversions for nursing contact hours."""

from __future__ import annotations

from decimal import ROUND_DOWN, Decimal

from credtrail.core import InputError
from credtrail.plugins.nursing_ancc.data import (
    CONTACT_HOURS_PER_CEU,
    HUNDREDTH,
    MINUTES_PER_CONTACT_HOUR,
)


def contact_hours(minutes: int) -> Decimal:
    """Contact hours for ``minutes`` of an organised learning activity (60 min = 1 CH).

    Rounded *down* to 0.01: no rounding rule was found (``data.INCREMENT_NOTE``), and
    rounding down never awards more than the time spent.

    :raises InputError: ``minutes`` is negative or not a whole number.
    """
    if isinstance(minutes, bool) or not isinstance(minutes, int) or minutes < 0:
        raise InputError(f"minutes must be a whole number >= 0, got {minutes!r}")
    return (Decimal(minutes) / MINUTES_PER_CONTACT_HOUR).quantize(HUNDREDTH, rounding=ROUND_DOWN)


def contact_hours_from_ceu(ceu: Decimal) -> Decimal:
    """Contact hours of ``ceu`` continuing-education units (1 CEU = 10 contact hours).

    :raises InputError: ``ceu`` is negative.
    """
    if ceu < 0:
        raise InputError(f"CEUs must be >= 0, got {ceu}")
    return ceu * CONTACT_HOURS_PER_CEU

"""Units as the allocator's integers: 1/10,000 of a unit (credit units have at most 4
decimals)."""

from __future__ import annotations

from decimal import ROUND_FLOOR, Decimal

from credtrail.core.rules.eligibility import tidy

SCALE = 10_000
"""Units are solved as integers of 1/10,000 (credit units have at most 4 decimals)."""


def scaled(units: Decimal) -> int:
    """``units`` as the allocator's integer (rounded down)."""
    return int((units * SCALE).to_integral_value(rounding=ROUND_FLOOR))


def unscaled(value: int | Decimal) -> Decimal:
    """An allocator integer (or a Decimal already in units) as tidy units."""
    if isinstance(value, Decimal):
        return tidy(value)
    return tidy(Decimal(value) / SCALE)

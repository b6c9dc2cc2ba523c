"""Helpers the built-in plugins share: citations and rounding.

Third-party plugins may use them too, but nothing in core depends on this module.
"""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Literal

from credtrail.core import Citation, InputError

DATE_READ = date(2026, 11, 23)
"""When the sources cited by the built-in plugins were read (research.md)."""

Confidence = Literal["authority", "secondary", "unconfirmed"]


def cite(
    authority: str,
    document: str,
    *,
    url: str | None = None,
    section: str | None = None,
    confidence: Confidence = "authority",
    note: str | None = None,
    date_read: date = DATE_READ,
) -> Citation:
    """A ``Citation`` read on ``DATE_READ`` unless told otherwise."""
    return Citation(
        authority=authority,
        document=document,
        section=section,
        url=url,
        date_read=date_read,
        confidence=confidence,
        note=note,
    )


# -- time to credit -----------------------------------------------------------------

_QUARTER_HOUR = Decimal(15)


def nearest_quarter_hour(minutes: int) -> Decimal:
    """Hours of ``minutes``, rounded to the nearest quarter hour (0.25), as a Decimal.

    Integer minutes never fall exactly between two quarters (that needs 7.5 minutes),
    so the rounding direction of ties never matters for whole minutes.

    :raises InputError: ``minutes`` is negative or not an integer.
    """
    if isinstance(minutes, bool) or not isinstance(minutes, int) or minutes < 0:
        raise InputError(f"minutes must be a whole number >= 0, got {minutes!r}")
    quarters = (Decimal(minutes) / _QUARTER_HOUR).quantize(Decimal(1), rounding=ROUND_HALF_UP)
    return (quarters / 4).quantize(Decimal("0.01"))

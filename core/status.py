"""The one spelling of each standing, in text and in JSON.

``credtrail status``, ``status --all``, ``explain``, the roster's csv and every
``--json`` print these values as they are (``in_progress``, never "in progress").
The rule engine's ``Status`` literal (``credtrail.core.rules.result``) has the same
values; a test holds the two equal.
"""

from __future__ import annotations

from enum import StrEnum


class Standing(StrEnum):
    """Where a clinician stands on a requirement for a cycle."""

    COMPLIANT = "compliant"
    """Every part met within the cycle."""
    CURED = "cured"
    """Met, with credit earned in the grace period after the cycle."""
    IN_PROGRESS = "in_progress"
    """Not met yet, and the cycle (or its grace period) is still open."""
    DEFICIENT = "deficient"
    """Not met, and the cycle and its grace period are over."""
    EXEMPT = "exempt"
    """The requirement does not apply this cycle (an exemption in its rules)."""
    ERROR = "error"
    """The engine could not judge (a licence lacks a date its cycle needs, say)."""
    UNKNOWN = "unknown"
    """Subject to the requirement, but no version of it is known to the store."""

    @classmethod
    def of(cls, value: str) -> Standing:
        """The standing spelled ``value`` (``ValueError`` for a spelling not listed)."""
        return cls(value)


MET = frozenset({Standing.COMPLIANT, Standing.CURED, Standing.EXEMPT})
"""Standings that need nothing more."""

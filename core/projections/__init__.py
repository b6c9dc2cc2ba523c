"""Materialised projections: views of the log kept in the store's own database.

API for callers
---------------
``Views(store)`` is the one entry point::

    views = Views(app.store)          # or Views.of(app) for compliance too (the plugins' rules)
    views.catch_up()                  # apply new events, page by page; returns events read
    views.rebuild(["transcript"])     # drop and replay (all views when no names)
    views.status()                    # [ViewStatus(view, position, head, rebuilt_at, lag)]
    views.transcript("c-1")           # catches up first; a core.transcript.Transcript
    views.compliance("c-1", requirement=None, on=date)  # catches up first; ComplianceRow list

Views (in dependency order): ``transcript`` (clinicians, licenses, credits,
requirement versions) and ``compliance`` (one row per clinician x requirement x
cycle, evaluated by the rule engine). Each page of events and each view's tracking
position commit in one transaction: exactly once, resumable after a crash. Big
compliance pages are judged in forked worker processes (``Views(..., workers=N)``,
``CREDTRAIL_WORKERS``; 1 means in-process), with the same writes as in-process.
On PostgreSQL, ``credtrail projections worker`` processes on any number of machines
keep the views by partitions of the clinicians (``partition.py``, leases in the store).
How it works and what it costs: docs/projections.md; beyond one machine: docs/scaling.md.
"""

from __future__ import annotations

from credtrail.core.projections.runner import (
    DEFAULT_PAGE_SIZE,
    Progress,
    Runner,
    View,
    ViewStatus,
)
from credtrail.core.projections.views import Views

__all__ = [
    "DEFAULT_PAGE_SIZE",
    "Progress",
    "Runner",
    "View",
    "ViewStatus",
    "Views",
]

"""The views' table names and schema version (``credtrail.core.projections.db`` keeps
their DDL).

Import-light on purpose: ``credtrail status`` reads one clinician's rows with plain SQL
when the views are current (``credtrail.core.viewread``), without the projection
machinery, and must name the same tables.
"""

from __future__ import annotations

TRACKING = "credtrail_projection"
CLINICIANS = "credtrail_v_clinicians"
LICENSES = "credtrail_v_licenses"
CREDITS = "credtrail_v_credits"
REQUIREMENTS = "credtrail_v_requirements"
COMPLIANCE = "credtrail_v_compliance"
COMPLIANCE_DAY = "credtrail_v_compliance_day"
"""Per compliance view, the day through which every licence in force has its current
cycle materialised (``Views.catch_up`` moves it on when the day changes)."""
LEASES = "credtrail_partition"
"""PostgreSQL only: one lease row per partition of a partitioned layout (partition.py)."""
PAGES = "credtrail_partition_pages"
"""PostgreSQL only: one row per page a partition committed, written with the page."""

SCHEMA = "credtrail_projection_schema"
SCHEMA_VERSION = 6  # 3: credit rows carry claim_log; 4: tracking rows carry a plugin
# fingerprint; 5: licence rows carry facts (renewals, exams, certifications, attestations);
# 6: each licence's cycle containing the view's day is materialised (COMPLIANCE_DAY)
"""Bump when a view table changes: older view tables are dropped and rebuilt from the log."""

"""One clinician's standing read straight from the SQLite views, without the engine.

``credtrail status CLINICIAN`` answers from here when it can, and from ``Views``
(catch-up, or judging directly) otherwise; the answer and its rendering are the same
either way (tests/cli/test_startup.py holds that). This module imports no
eventsourcing, rule engine, pydantic model or plugin: that is the point of it (a
command's start-up is what a user feels most).

It answers only when everything the full path would do first is already done:

- the store is a SQLite file (PostgreSQL stores take the full path: opening a
  connection there costs more than the imports saved);
- the views' schema is this credtrail's, and both views (transcript and compliance)
  have applied every event of the log (their tracking positions equal the store's
  last notification id, ``credtrail.core.persistence.sqlitehead``), read in one
  transaction so the rows and the positions agree;
- the compliance view was judged by the plugins installed now (its fingerprint is
  the one ``credtrail.core.pluginmemo`` remembers for them);
- the clinician is known, the day is today or later, and each licence in force on the
  day has a materialised row for the cycle containing it (``standing_row``, the same
  choice ``Views.compliance`` makes);
- no row left out credit for not being claimed (the "would count here" hint needs the
  engine's ``claimable``).

Otherwise ``standings`` returns None and the caller takes the full path, which gives
every error message too (unknown clinician, store not initialised, ...).
"""

from __future__ import annotations

import os
import sqlite3
from datetime import date
from pathlib import Path

import orjson

from credtrail.core.persistence.location import StoreLocation
from credtrail.core.persistence.sqlitehead import last_notification_id
from credtrail.core.standing import (
    HELD_COLUMNS,
    ComplianceRow,
    HeldLicence,
    compliance_row,
    held_licence,
    lapsed_on,
    licences_in_force,
    may_count_unclaimed,
    standing_row,
)
from credtrail.core.viewtables import (
    CLINICIANS,
    COMPLIANCE,
    LICENSES,
    SCHEMA,
    SCHEMA_VERSION,
    TRACKING,
)

VIEWS = ("transcript", "compliance")
"""The tracking rows that must be current (``TranscriptView.name``, ``ComplianceView.name``)."""
TRACE_ENV = "CREDTRAIL_TRACE_PLUGINS"
"""Plugin tracing (``credtrail.core.plugins.TRACE_ENV``) prints calls: the full path."""


def standings(
    location: str,
    selection: set[str] | None,
    clinician_id: str,
    on: date,
    requirement_id: str | None = None,
) -> list[ComplianceRow] | None:
    """The clinician's standing on ``on`` per requirement (only ``requirement_id``'s
    when given), as ``Views.standings`` gives it, or None when the views cannot
    answer alone (see the module's docstring)."""
    if os.environ.get(TRACE_ENV) or on < date.today():
        return None
    if location.startswith("postgres") or location == ":memory:" or "://" in location:
        return None
    path = Path(StoreLocation.parse(location).env["SQLITE_DBNAME"])
    if path.is_symlink() or not path.is_file():
        return None  # the full path says what is wrong
    try:
        connection = sqlite3.connect(path, isolation_level=None)
    except sqlite3.Error:
        return None
    try:
        connection.row_factory = sqlite3.Row
        connection.execute("BEGIN")  # one snapshot: the positions and the rows agree
        return _read(connection, selection, clinician_id, on, requirement_id)
    except sqlite3.Error:
        return None  # no views yet, another schema, a locked file: the full path
    finally:
        connection.close()


def _read(
    connection: sqlite3.Connection,
    selection: set[str] | None,
    clinician_id: str,
    on: date,
    requirement_id: str | None,
) -> list[ComplianceRow] | None:
    version = connection.execute(f"SELECT version FROM {SCHEMA}").fetchone()
    if version is None or version[0] != SCHEMA_VERSION:
        return None
    head = last_notification_id(connection)
    query = f"SELECT view, position, fingerprint FROM {TRACKING}"
    tracked = {r["view"]: r for r in connection.execute(query)}
    if any(v not in tracked or tracked[v]["position"] != head for v in VIEWS):
        return None
    if head > 0:
        from credtrail.core.pluginmemo import recall

        if tracked["compliance"]["fingerprint"] != recall(selection):
            return None
    known = connection.execute(
        f"SELECT 1 FROM {CLINICIANS} WHERE clinician_id = ?", [clinician_id]
    ).fetchone()
    if known is None:
        return None
    licences: list[HeldLicence] = [
        held_licence(r)
        for r in connection.execute(
            f"SELECT {HELD_COLUMNS} FROM {LICENSES} WHERE clinician_id = ?", [clinician_id]
        )
    ]
    held = licences_in_force(licences, on, requirement_id)
    if not held:
        return []
    if any(lapsed_on(lic.expires_on, on) is not None for lic in held):
        return None  # the warning judges the cycle that ended with the expiry: the full path
    day = on.isoformat()
    # Only the rows whose cycle contains the day, in the order Views.compliance reads
    # every row (by requirement and cycle start): standing_row takes the first of them.
    rows = [
        compliance_row(r, orjson.loads(r["explanation"]))
        for r in connection.execute(
            "SELECT clinician_id, requirement_id, license_id, cycle_start, cycle_end, status, "
            f"counted, required, missing, explanation FROM {COMPLIANCE} "
            "WHERE clinician_id = ? AND cycle_start <= ? AND cycle_end >= ? "
            "ORDER BY requirement_id, cycle_start",
            [clinician_id, day, day],
        )
    ]
    out = []
    for lic in held:
        row = standing_row([r for r in rows if r.requirement_id == lic.requirement_id], lic, on)
        if row is None or may_count_unclaimed(row):
            return None
        out.append(row)
    return out

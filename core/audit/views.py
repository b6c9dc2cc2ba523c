"""Prove the views were not edited: rebuild them from the log elsewhere and compare.

The views (``credtrail_v_*``) are derived data, so they are not hashed: a row edited
by hand (``UPDATE credtrail_v_compliance SET status = 'met'``) would pass ``verify``.
:func:`verify_views` brings the store's views up to date, copies the events up to the
same position into a scratch SQLite store in a temporary folder, rebuilds every view
there with the projections' own public API (``Views``) and the same plugins, and
compares the two sets of view tables row by row. Run it after ``verify``: it trusts
the events, which ``verify`` proves.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from credtrail.core.application import Credtrail
from credtrail.core.projections import Views
from credtrail.core.projections.db import (
    CLINICIANS,
    COMPLIANCE,
    CREDITS,
    LICENSES,
    REQUIREMENTS,
)
from credtrail.core.store import EventStore, StoreLocation, iter_log, open_event_store

VIEW_TABLES = (CLINICIANS, LICENSES, CREDITS, REQUIREMENTS, COMPLIANCE)


@dataclass(frozen=True)
class ViewDifference:
    """How one view table differs from the one rebuilt from the log."""

    table: str
    missing: int  # rows the rebuilt view has and the store's lacks (or has otherwise)
    unexpected: int  # rows the store's view has that the rebuild does not give
    example: str  # one differing row, as stored (or as it should be)

    def describe(self) -> str:
        return (
            f"{self.table}: {self.unexpected} rows not what the log gives, "
            f"{self.missing} rows missing or different; e.g. {self.example}"
        )


@dataclass(frozen=True)
class ViewsReport:
    """What the comparison covered and found."""

    position: int
    tables: tuple[str, ...]
    differences: list[ViewDifference]

    @property
    def ok(self) -> bool:
        return not self.differences


def _rows(store: EventStore, table: str) -> set[tuple[Any, ...]]:
    return {tuple(row) for row in store.read_rows(f"SELECT * FROM {store.qualified(table)}")}


def _copy_events(source: EventStore, target: EventStore, stop: int) -> None:
    """The source's events up to ``stop``, at the same positions, into the scratch store."""
    recorder: Any = target.recorder
    statement = (
        f"INSERT INTO {recorder.events_table_name} "
        "(rowid, originator_id, originator_version, topic, state) VALUES (?, ?, ?, ?, ?)"
    )
    for page in iter_log(source):
        rows = [
            (n.id, n.originator_id.hex, n.originator_version, n.topic, n.state)
            for n in page
            if n.id <= stop
        ]
        if rows:
            with recorder.datastore.transaction(commit=True) as cursor:
                cursor.executemany(statement, rows)
        if page[-1].id >= stop:
            return


def verify_views(app: Credtrail) -> ViewsReport:
    """Catch the store's views up, rebuild them from the log in a scratch store, compare."""
    with Views.of(app, workers=1) as views:
        views.catch_up()
        position = min((s.position for s in views.status()), default=0)
    with tempfile.TemporaryDirectory(prefix="credtrail-views-") as folder:
        location = StoreLocation.parse(str(Path(folder) / "scratch.db"))
        scratch = open_event_store(location, create=True)
        try:
            _copy_events(app.store, scratch, position)
            rebuilt = Credtrail(scratch, app.pm, app.registry, location)
            with Views.of(rebuilt, workers=1) as scratch_views:
                scratch_views.catch_up()
            differences = []
            for table in VIEW_TABLES:
                stored, expected = _rows(app.store, table), _rows(scratch, table)
                if stored != expected:
                    extra, lacking = stored - expected, expected - stored
                    example = min(extra or lacking)
                    differences.append(
                        ViewDifference(table, len(lacking), len(extra), repr(example)[:200])
                    )
        finally:
            scratch.close()
    return ViewsReport(position, VIEW_TABLES, differences)

"""The SQLite store's last notification id, read with plain SQL (no eventsourcing).

``credtrail status`` of one clinician answers from the views only when they have
applied every event of the log (``credtrail.core.viewread``); asking eventsourcing's
recorder would import the library, which is most of a command's start-up. The events
table is eventsourcing's (``stored_events``, the name its SQLite recorder gives it and
credtrail keeps); this function is the one place outside the library that reads it,
with the statement the library's own ``max_notification_id`` runs (a notification id
is the row's ``rowid`` there). eventsourcing 10 changes the SQLite schema; the
dependency is pinned below it, and a test compares this with the recorder's answer.
"""

from __future__ import annotations

import sqlite3

EVENTS_TABLE = "stored_events"
"""eventsourcing's SQLite events table (``SQLiteApplicationRecorder``'s default name)."""


def last_notification_id(connection: sqlite3.Connection) -> int:
    """The id of the last event in the store's log, 0 when it is empty: what the
    recorder's ``max_notification_id()`` returns."""
    row = connection.execute(f"SELECT MAX(rowid) FROM {EVENTS_TABLE}").fetchone()
    return int(row[0] or 0)

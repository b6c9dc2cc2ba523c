"""The SQLite recorder: the library's, plus credtrail's log, heads and keys tables.

The override is the library's documented extension point, ``_insert_events`` (as in
eventsourcing's ``searchabletimestamps`` example): the library inserts the events and
returns their positions, then credtrail's rows go in with the same cursor, in the same
transaction. SQLite's write lock, taken by the library's inserts, serialises writers,
so the head read here is final.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from eventsourcing.persistence import StoredEvent
from eventsourcing.sqlite import SQLiteApplicationRecorder, SQLiteCursor

from credtrail.core.persistence.attachments import (
    ATTACHMENTS_TABLE,
    attachment_rows,
    create_statement,
    insert_statement,
)
from credtrail.core.persistence.chain import (
    HEADS_TABLE,
    KEYS_TABLE,
    LOG_TABLE,
    batch_rows,
    head_from_row,
)

BACKEND = "sqlite"

CREATE_STATEMENTS = (
    f"CREATE TABLE IF NOT EXISTS {LOG_TABLE} ("
    "notification_id INTEGER PRIMARY KEY, originator_id TEXT NOT NULL, "
    "originator_version INTEGER NOT NULL, topic TEXT NOT NULL, "
    "recorded_at TEXT NOT NULL, valid_on TEXT, chain TEXT NOT NULL, "
    "event_hash TEXT NOT NULL)",
    f"CREATE INDEX IF NOT EXISTS {LOG_TABLE}_stream ON {LOG_TABLE} (originator_id, recorded_at)",
    f"CREATE INDEX IF NOT EXISTS {LOG_TABLE}_recorded ON {LOG_TABLE} (recorded_at)",
    f"CREATE TABLE IF NOT EXISTS {HEADS_TABLE} ("
    "notification_id INTEGER PRIMARY KEY, events INTEGER NOT NULL, chain TEXT NOT NULL, "
    "signed_at TEXT NOT NULL, key_id TEXT, signature TEXT)",
    f"CREATE TABLE IF NOT EXISTS {KEYS_TABLE} ("
    "key_id TEXT PRIMARY KEY, public_key TEXT NOT NULL, added_at TEXT NOT NULL, "
    "since INTEGER NOT NULL, previous_key TEXT, endorsement TEXT, signature TEXT NOT NULL)",
    create_statement(ATTACHMENTS_TABLE, "BLOB"),
)

# One round trip: the last head, the store's current key; the log's own last row and
# size only matter for a log written before heads were kept.
HEAD_QUERY = (
    "SELECT h.notification_id, h.events, h.chain, k.key_id FROM (SELECT 1 AS one) o "
    f"LEFT JOIN (SELECT * FROM {HEADS_TABLE} ORDER BY notification_id DESC LIMIT 1) h "
    "ON 1 = 1 "
    f"LEFT JOIN (SELECT key_id FROM {KEYS_TABLE} ORDER BY added_at DESC LIMIT 1) k ON 1 = 1"
)
LEGACY_HEAD_QUERY = (
    f"SELECT MAX(notification_id), (SELECT chain FROM {LOG_TABLE} ORDER BY notification_id "
    f"DESC LIMIT 1), COUNT(*) FROM {LOG_TABLE}"
)


class SQLiteLogRecorder(SQLiteApplicationRecorder):
    """The library's SQLite recorder, plus the time index, hash chain and signed heads."""

    backend = BACKEND

    def construct_create_table_statements(self) -> list[str]:
        return [*super().construct_create_table_statements(), *CREATE_STATEMENTS]

    def _insert_events(
        self, c: SQLiteCursor, stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> Sequence[int] | None:
        ids = super()._insert_events(c, stored_events, **kwargs)
        if not stored_events:
            return ids
        assert ids is not None  # the application recorder returns positions
        c.execute(HEAD_QUERY)
        row = c.fetchone()
        legacy = None
        if row[0] is None:
            c.execute(LEGACY_HEAD_QUERY)
            legacy = c.fetchone()
        batch = batch_rows(head_from_row(row, legacy), ids, stored_events, kwargs)
        c.executemany(f"INSERT INTO {LOG_TABLE} VALUES (?,?,?,?,?,?,?,?)", batch.log_rows)
        c.execute(f"INSERT INTO {HEADS_TABLE} VALUES (?,?,?,?,?,?)", batch.head_row)
        if batch.key_row is not None:
            c.execute(f"INSERT INTO {KEYS_TABLE} VALUES (?,?,?,?,?,?,?)", batch.key_row)
        attachments = attachment_rows(kwargs)
        if attachments:
            # Certificates named by these events (a store made before they existed
            # gets the table now, in this transaction).
            c.execute(create_statement(ATTACHMENTS_TABLE, "BLOB"))
            c.executemany(insert_statement(ATTACHMENTS_TABLE, "?"), attachments)
        return ids

"""The PostgreSQL recorder of ``credtrail.core.store``, in a module of its own so that
psycopg and ``eventsourcing.postgres`` are imported only for a PostgreSQL store
(``StoreLocation`` names it by topic)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from eventsourcing.persistence import StoredEvent
from eventsourcing.postgres import PostgresApplicationRecorder

from credtrail.core.store import GENESIS, LOG_TABLE, _log_rows


class PostgresLogRecorder(PostgresApplicationRecorder):
    """The library's PostgreSQL recorder, plus the time index and hash chain."""

    def __init__(self, datastore: Any, *, events_table_name: str = "stored_events") -> None:
        super().__init__(datastore, events_table_name=events_table_name)
        from psycopg.sql import SQL, Identifier

        log = Identifier(self.datastore.schema, LOG_TABLE)
        self.sql_create_statements.extend(
            [
                SQL(
                    "CREATE TABLE IF NOT EXISTS {log} (notification_id bigint PRIMARY KEY, "
                    "originator_id text NOT NULL, originator_version bigint NOT NULL, "
                    "topic text NOT NULL, recorded_at text NOT NULL, valid_on text, "
                    "chain text NOT NULL, event_hash text NOT NULL)"
                ).format(log=log),
                SQL(
                    "CREATE INDEX IF NOT EXISTS credtrail_log_stream "
                    "ON {log} (originator_id, recorded_at)"
                ).format(log=log),
                SQL(
                    "CREATE INDEX IF NOT EXISTS credtrail_log_recorded ON {log} (recorded_at)"
                ).format(log=log),
            ]
        )
        self._sql_head = SQL(
            "SELECT chain FROM {log} ORDER BY notification_id DESC LIMIT 1"
        ).format(log=log)
        self._sql_insert_log = SQL("INSERT INTO {log} VALUES (%s,%s,%s,%s,%s,%s,%s,%s)").format(
            log=log
        )

    def _fetch_ids_after_insert_events(
        self, curs: Any, stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> Sequence[int] | None:
        ids = super()._fetch_ids_after_insert_events(curs, stored_events, **kwargs)
        assert ids is not None
        # Still inside the transaction that holds the events table's EXCLUSIVE lock.
        curs.execute(self._sql_head)
        row = curs.fetchone()
        head = row["chain"] if row else GENESIS
        curs.executemany(self._sql_insert_log, _log_rows(head, ids, stored_events, kwargs))
        return ids

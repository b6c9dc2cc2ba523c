"""The PostgreSQL recorder: the library's, plus credtrail's log, heads and keys tables.

Imported only when a PostgreSQL store is opened (the recorder's topic names this
module), so SQLite users never import psycopg.

The override is the library's documented extension point, ``_insert_events`` (as in
eventsourcing's ``searchabletimestamps`` example). On PostgreSQL the library calls it
in the insert's transaction *before* inserting the events, so credtrail first takes the
same ``EXCLUSIVE`` lock the library takes next (its public ``lock_table_statements``;
taking a lock twice in one transaction is a no-op). Under that lock no other
transaction can insert events, so the positions the library's insert will draw from
the table's sequence are the ones after the sequence's last value: credtrail writes its
rows for those positions. A deferred constraint trigger on credtrail's own log checks
at commit that each log row names the event actually stored at its position, so were
that ever not so, the whole transaction — events included — would roll back rather
than leave a log that disagrees with the events.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from eventsourcing.persistence import StoredEvent
from eventsourcing.postgres import PostgresApplicationRecorder
from psycopg.sql import SQL, Identifier, Literal

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

BACKEND = "postgres"


class PostgresLogRecorder(PostgresApplicationRecorder):
    """The library's PostgreSQL recorder, plus the time index, hash chain and signed heads."""

    backend = BACKEND

    def __init__(self, datastore: Any, *, events_table_name: str = "stored_events") -> None:
        super().__init__(datastore, events_table_name=events_table_name)
        schema = self.datastore.schema
        log, heads, keys = (Identifier(schema, t) for t in (LOG_TABLE, HEADS_TABLE, KEYS_TABLE))
        events = Identifier(schema, self.events_table_name)
        check = Identifier(schema, f"{LOG_TABLE}_matches_event")
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
                SQL(
                    "CREATE TABLE IF NOT EXISTS {heads} (notification_id bigint PRIMARY KEY, "
                    "events bigint NOT NULL, chain text NOT NULL, signed_at text NOT NULL, "
                    "key_id text, signature text)"
                ).format(heads=heads),
                SQL(
                    "CREATE TABLE IF NOT EXISTS {keys} (key_id text PRIMARY KEY, "
                    "public_key text NOT NULL, added_at text NOT NULL, since bigint NOT NULL, "
                    "previous_key text, "
                    "endorsement text, signature text NOT NULL)"
                ).format(keys=keys),
                SQL(
                    "CREATE OR REPLACE FUNCTION {check}() RETURNS trigger LANGUAGE plpgsql AS "
                    "$$BEGIN IF NOT EXISTS (SELECT 1 FROM {events} e WHERE "
                    "e.notification_id = NEW.notification_id AND "
                    "replace(e.originator_id::text, '-', '') = NEW.originator_id AND "
                    "e.originator_version = NEW.originator_version) THEN RAISE EXCEPTION "
                    "'credtrail_log row % names no stored event at its position', "
                    "NEW.notification_id; END IF; RETURN NULL; END$$"
                ).format(check=check, events=events),
                SQL(
                    "DO $$BEGIN CREATE CONSTRAINT TRIGGER credtrail_log_matches_event "
                    "AFTER INSERT ON {log} DEFERRABLE INITIALLY DEFERRED FOR EACH ROW "
                    "EXECUTE FUNCTION {check}(); "
                    "EXCEPTION WHEN duplicate_object THEN NULL; END$$"
                ).format(log=log, check=check),
            ]
        )
        table = Literal(f'"{schema}"."{self.events_table_name}"')
        self.sql_head = SQL(
            "SELECT h.notification_id, h.events, h.chain, k.key_id, "
            "pg_sequence_last_value(pg_get_serial_sequence({table}, 'notification_id')::regclass)"
            " AS last_id FROM (SELECT 1) o "
            "LEFT JOIN (SELECT * FROM {heads} ORDER BY notification_id DESC LIMIT 1) h ON true "
            "LEFT JOIN (SELECT key_id FROM {keys} ORDER BY added_at DESC LIMIT 1) k ON true"
        ).format(table=table, heads=heads, keys=keys)
        self.sql_legacy_head = SQL(
            "SELECT MAX(notification_id), (SELECT chain FROM {log} ORDER BY notification_id "
            "DESC LIMIT 1), COUNT(*) FROM {log}"
        ).format(log=log)
        self.sql_insert_log = SQL("INSERT INTO {log} VALUES (%s,%s,%s,%s,%s,%s,%s,%s)").format(
            log=log
        )
        self.sql_insert_head = SQL("INSERT INTO {heads} VALUES (%s,%s,%s,%s,%s,%s)").format(
            heads=heads
        )
        self.sql_insert_key = SQL("INSERT INTO {keys} VALUES (%s,%s,%s,%s,%s,%s,%s)").format(
            keys=keys
        )
        # -- certificates (credtrail_attachments, bytea), written with their events --
        attachments = Identifier(schema, ATTACHMENTS_TABLE)
        self.sql_create_attachments = SQL(create_statement("{t}", "bytea")).format(t=attachments)
        self.sql_create_statements.append(self.sql_create_attachments)
        self.sql_insert_attachment = SQL(insert_statement("{t}", "%s")).format(t=attachments)

    def _insert_events(
        self, curs: Any, stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> None:
        super()._insert_events(curs, stored_events, **kwargs)
        if not stored_events:
            return
        for statement in self.lock_table_statements:
            curs.execute(statement)
        curs.execute(self.sql_head)
        row = curs.fetchone()
        values = (row["notification_id"], row["events"], row["chain"], row["key_id"])
        legacy = None
        if values[0] is None:
            curs.execute(self.sql_legacy_head)
            legacy = tuple(curs.fetchone().values())
        first = int(row["last_id"] or 0) + 1
        ids = range(first, first + len(stored_events))
        batch = batch_rows(head_from_row(values, legacy), ids, stored_events, kwargs)
        curs.executemany(self.sql_insert_log, batch.log_rows)
        curs.execute(self.sql_insert_head, batch.head_row)
        if batch.key_row is not None:
            curs.execute(self.sql_insert_key, batch.key_row)
        attachments = attachment_rows(kwargs)
        if attachments:
            curs.execute(self.sql_create_attachments)
            curs.executemany(self.sql_insert_attachment, attachments)

"""Read the events table and ``credtrail_log`` directly, in pages, on both backends.

The audit must see the rows as they are in the database — not through the library's
repository, which would refuse or hide exactly the damage an audit looks for. Reads
go through the recorder's own datastore (its connection pool, its transactions), with
the SQL differences of SQLite and PostgreSQL kept here.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from credtrail.core.persistence.signing import KeyRecord
from credtrail.core.store import GENESIS, HEADS_TABLE, KEYS_TABLE, LOG_TABLE, EventStore

PAGE = 5000
"""Rows per query: memory stays bounded whatever the size of the log."""


@dataclass(frozen=True, slots=True)
class EventRow:
    """One row of the library's events table, as stored."""

    position: int
    stream: str  # originator id as 32 hex digits, as the log keys it
    version: int
    topic: str
    state: bytes


@dataclass(frozen=True, slots=True)
class LogRow:
    """One row of ``credtrail_log``."""

    position: int
    stream: str
    version: int
    topic: str
    recorded_at: str
    valid_on: str | None
    chain: str
    event_hash: str


@dataclass(frozen=True, slots=True)
class HeadRow:
    """One row of ``credtrail_heads``: a committed batch's head (signed in a keyed store)."""

    position: int
    events: int
    chain: str
    signed_at: str
    key_id: str | None
    signature: str | None


def instant_key(instant: datetime) -> str:
    """``instant`` as ``recorded_at`` is written (UTC ISO 8601), so text order is time order.

    Both are ``datetime.isoformat()`` of a UTC instant: equal-length prefixes, and a
    whole second (``..:05+00:00``) sorts before its fractions (``..:05.1+00:00``)
    because ``+`` < ``.`` — byte order is time order.
    """
    if instant.tzinfo is None:
        raise ValueError(f"instant {instant} has no timezone")
    return instant.astimezone(UTC).isoformat()


def stream_hex(originator_id: UUID | str) -> str:
    # Text ids are kept as stored (not normalised): an altered id must not compare equal.
    return originator_id.hex if isinstance(originator_id, UUID) else str(originator_id)


class LogReader:
    """Paged reads of one store's events and log, with the backend's SQL."""

    def __init__(self, store: EventStore) -> None:
        recorder: Any = store.recorder
        self.store = store
        self.datastore = recorder.datastore
        self.postgres = store.is_postgres
        self.events = store.qualified(recorder.events_table_name)
        self.log = store.qualified(LOG_TABLE)
        self.heads_table = store.qualified(HEADS_TABLE)
        self.keys_table = store.qualified(KEYS_TABLE)
        if self.postgres:
            self.id_column = "notification_id"
            # Compare ISO text byte by byte, whatever the database's collation.
            self._text = ' COLLATE "C"'
        else:
            self.id_column = "rowid"
            self._text = ""

    # -- plumbing -------------------------------------------------------------------

    def _rows(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        return self.store.read_rows(sql, params)

    def sql(self, statement: str) -> str:
        """``statement`` with ``?`` placeholders in this backend's style."""
        return self.store.sql(statement)

    def _event(self, row: tuple[Any, ...]) -> EventRow:
        return EventRow(int(row[0]), stream_hex(row[1]), int(row[2]), row[3], _bytes(row[4]))

    # -- whole log, in pages ----------------------------------------------------------

    def last_position(self) -> int:
        """The highest position in either table (0 when both are empty)."""
        rows = self._rows(
            f"SELECT (SELECT MAX({self.id_column}) FROM {self.events}) AS e, "
            f"(SELECT MAX(notification_id) FROM {self.log}) AS l"
        )
        return max((int(x) for x in rows[0] if x is not None), default=0)

    def first_position(self) -> int:
        """The lowest position in either table (1 when both are empty).

        Legitimate positions start at 1; a row below that was put there by hand, and
        the library would still load it into its aggregate, so verification starts here.
        """
        rows = self._rows(
            f"SELECT (SELECT MIN({self.id_column}) FROM {self.events}) AS e, "
            f"(SELECT MIN(notification_id) FROM {self.log}) AS l"
        )
        return min([1, *(int(x) for x in rows[0] if x is not None)])

    def events_from(self, start: int, stop: int, page: int = PAGE) -> Iterator[EventRow]:
        """Event rows with ``start <= position <= stop``, in position order."""
        sql = (
            f"SELECT {self.id_column}, originator_id, originator_version, topic, state "
            f"FROM {self.events} WHERE {self.id_column} >= ? AND {self.id_column} <= ? "
            f"ORDER BY {self.id_column} LIMIT ?"
        )
        while start <= stop:
            rows = self._rows(sql, (start, stop, page))
            if not rows:
                return
            for row in rows:
                yield self._event(row)
            start = int(rows[-1][0]) + 1

    def log_from(self, start: int, stop: int, page: int = PAGE) -> Iterator[LogRow]:
        """``credtrail_log`` rows with ``start <= position <= stop``, in position order."""
        sql = (
            "SELECT notification_id, originator_id, originator_version, topic, recorded_at, "
            f"valid_on, chain, event_hash FROM {self.log} "
            "WHERE notification_id >= ? AND notification_id <= ? "
            "ORDER BY notification_id LIMIT ?"
        )
        while start <= stop:
            rows = self._rows(sql, (start, stop, page))
            if not rows:
                return
            for row in rows:
                yield LogRow(int(row[0]), row[1], int(row[2]), *row[3:])
            start = int(rows[-1][0]) + 1

    def leaf_hashes(self, stop: int, page: int = PAGE * 4) -> Iterator[tuple[int, bytes]]:
        """(position, event hash) of every log row up to ``stop``: the Merkle leaves."""
        sql = (
            f"SELECT notification_id, event_hash FROM {self.log} "
            "WHERE notification_id >= ? AND notification_id <= ? "
            "ORDER BY notification_id LIMIT ?"
        )
        start = 1
        while start <= stop:
            rows = self._rows(sql, (start, stop, page))
            if not rows:
                return
            for position, digest in rows:
                yield int(position), bytes.fromhex(digest)
            start = int(rows[-1][0]) + 1

    def heads(self, page: int = PAGE) -> Iterator[HeadRow]:
        """Every ``credtrail_heads`` row, in position order."""
        sql = (
            "SELECT notification_id, events, chain, signed_at, key_id, signature "
            f"FROM {self.heads_table} WHERE notification_id >= ? ORDER BY notification_id LIMIT ?"
        )
        start = -(2**62)
        while True:
            rows = self._rows(sql, (start, page))
            if not rows:
                return
            for row in rows:
                yield HeadRow(int(row[0]), int(row[1]), *row[2:])
            start = int(rows[-1][0]) + 1

    def last_head(self) -> HeadRow | None:
        """The head of the last committed batch."""
        rows = self._rows(
            "SELECT notification_id, events, chain, signed_at, key_id, signature "
            f"FROM {self.heads_table} ORDER BY notification_id DESC LIMIT 1"
        )
        return HeadRow(int(rows[0][0]), int(rows[0][1]), *rows[0][2:]) if rows else None

    def key_records(self) -> list[KeyRecord]:
        """The store's key records, oldest first."""
        rows = self._rows(
            "SELECT key_id, public_key, added_at, since, previous_key, endorsement, signature "
            f"FROM {self.keys_table} ORDER BY added_at, key_id"
        )
        return [KeyRecord(r[0], r[1], r[2], int(r[3]), *r[4:]) for r in rows]

    # -- streams ----------------------------------------------------------------------

    def first_event(self, stream: str) -> EventRow | None:
        """A stream's first stored event (its ``Created``), to name whose it is."""
        key: Any = UUID(stream) if self.postgres else stream
        rows = self._rows(
            f"SELECT {self.id_column}, originator_id, originator_version, topic, state "
            f"FROM {self.events} WHERE originator_id = ? ORDER BY originator_version LIMIT 1",
            (key,),
        )
        return self._event(rows[0]) if rows else None

    def stream_log(self, stream: str) -> list[LogRow]:
        """Every log row of one stream, in version order."""
        rows = self._rows(
            "SELECT notification_id, originator_id, originator_version, topic, recorded_at, "
            f"valid_on, chain, event_hash FROM {self.log} WHERE originator_id = ? "
            "ORDER BY originator_version",
            (stream,),
        )
        return [LogRow(int(r[0]), r[1], int(r[2]), *r[3:]) for r in rows]

    def stream_events(self, stream: str, stop: int | None = None) -> list[EventRow]:
        """A stream's stored events (up to position ``stop``), in version order."""
        key: Any = UUID(stream) if self.postgres else stream
        sql = (
            f"SELECT {self.id_column}, originator_id, originator_version, topic, state "
            f"FROM {self.events} WHERE originator_id = ?"
        )
        params: list[Any] = [key]
        if stop is not None:
            sql += f" AND {self.id_column} <= ?"
            params.append(stop)
        return [self._event(r) for r in self._rows(sql + " ORDER BY originator_version", params)]

    def versions_as_of(self, as_of: datetime, stream: str | None = None) -> dict[str, int]:
        """Per stream, the last version of the prefix *recorded* at or before ``as_of``.

        The prefix ends before the first event recorded after ``as_of``: should a
        clock ever step back within a stream, a later event is still never let in.
        """
        key = instant_key(as_of)
        sql = (
            f"SELECT originator_id, MAX(originator_version), "
            f"MIN(CASE WHEN recorded_at{self._text} > ? THEN originator_version END) "
            f"FROM {self.log}"
        )
        params: list[Any] = [key]
        if stream is not None:
            sql += " WHERE originator_id = ?"
            params.append(stream)
        out: dict[str, int] = {}
        for originator_id, last, first_after in self._rows(sql + " GROUP BY originator_id", params):
            version = int(last) if first_after is None else int(first_after) - 1
            if version > 0:
                out[originator_id] = version
        return out

    def streams_with_topic(self, topic: str) -> list[str]:
        """Streams whose first event has ``topic`` (e.g. every clinician ledger)."""
        rows = self._rows(
            f"SELECT originator_id FROM {self.log} WHERE originator_version = 1 AND topic = ? "
            "ORDER BY notification_id",
            (topic,),
        )
        return [r[0] for r in rows]

    def streams_changed_after(self, as_of: datetime) -> list[str]:
        """Streams with at least one event recorded after ``as_of``, by first such position."""
        rows = self._rows(
            f"SELECT originator_id, MIN(notification_id) AS first FROM {self.log} "
            f"WHERE recorded_at{self._text} > ? GROUP BY originator_id ORDER BY first",
            (instant_key(as_of),),
        )
        return [r[0] for r in rows]

    def previous_link(self, position: int) -> str:
        """The chain link just before ``position`` (the genesis link for the first event)."""
        rows = self._rows(
            f"SELECT chain FROM {self.log} WHERE notification_id < ? "
            "ORDER BY notification_id DESC LIMIT 1",
            (position,),
        )
        return str(rows[0][0]) if rows else GENESIS


def _bytes(state: Any) -> bytes:
    """The stored state as bytes, whatever a tamperer left in the column.

    SQLite columns are dynamically typed: an edit through SQL functions such as
    ``replace()`` turns a BLOB into TEXT. Such a row must fail the hash check, not
    crash the verifier.
    """
    if isinstance(state, str):
        return state.encode("utf-8", "surrogateescape")
    if state is None:
        return b""
    return bytes(state)

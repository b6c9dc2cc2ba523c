"""The event store: a thin adapter over eventsourcing's own persistence modules.

One eventsourcing ``Application`` holds every credtrail aggregate, so all events live
in one table and one notification sequence (several applications in one SQLite file
would share a table and see each other's events).

Beside the library's events table, credtrail keeps ``credtrail_log``: one row per
stored event with its transaction time (``recorded_at``), its valid time
(``valid_on``), the event's hash (``event_hash``, an RFC 6962 leaf hash over its
position, stream, version, topic and stored bytes) and a SHA-256 hash-chain link
(``chain`` = SHA-256(0x02 || previous link || event hash)), written by the recorder
*in the same transaction* as the events; ``credtrail.core.audit`` verifies both.
Writers are serialised (SQLite's write lock; the library's ``LOCK TABLE ...
EXCLUSIVE`` on PostgreSQL), so chain order is log order.
The link hashes the stored bytes, so it is independent of the JSON encoder.
"""

from __future__ import annotations

import hashlib
import struct
import sys
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any, ClassVar, cast
from urllib.parse import unquote, urlparse
from uuid import UUID

import orjson
from eventsourcing.application import Application
from eventsourcing.persistence import (
    Mapper,
    PersistenceError,
    ProgrammingError,
    StoredEvent,
    Transcoder,
    Transcoding,
)
from eventsourcing.sqlite import SQLiteApplicationRecorder, SQLiteCursor
from eventsourcing.utils import get_topic, resolve_topic
from pydantic import BaseModel

from credtrail.core.domain import valid_time
from credtrail.core.errors import StoreError, StoreNotInitialisedError

GENESIS = "0" * 64
"""The link before the first event."""

LOG_TABLE = "credtrail_log"


LEAF_PREFIX = b"\x00"
"""RFC 6962 leaf-hash prefix: an event hash is directly a Merkle leaf."""

LINK_PREFIX = b"\x02"
"""Chain-link prefix, distinct from RFC 6962's leaf (0x00) and node (0x01) prefixes."""

_LEAF_TAG = b"credtrail.event.v1"


def event_leaf(
    notification_id: int, originator_id: str, version: int, topic: str, state: bytes
) -> bytes:
    """The bytes one log entry commits to: position, stream, version, topic, stored state.

    Every field is length-prefixed (or fixed-width), so no two entries share an encoding.
    """
    return b"".join(_leaf_parts(notification_id, originator_id, version, topic, state))


def _leaf_parts(
    notification_id: int, originator_id: str, version: int, topic: str, state: bytes
) -> tuple[bytes, ...]:
    stream = originator_id.encode()
    name = topic.encode()
    return (
        _LEAF_TAG,
        _POSITION_AND_LENGTH.pack(notification_id, len(stream)),
        stream,
        _POSITION_AND_LENGTH.pack(version, len(name)),
        name,
        _LENGTH.pack(len(state)),
        state,
    )


_POSITION_AND_LENGTH = struct.Struct(">QI")  # an 8-byte number, then a 4-byte length
_LENGTH = struct.Struct(">Q")


def event_hash(
    notification_id: int, originator_id: str, version: int, topic: str, state: bytes
) -> str:
    """SHA-256(0x00 || leaf): the event's RFC 6962 leaf hash, stored beside its link."""
    return _leaf_digest(notification_id, originator_id, version, topic, state).hex()


def _leaf_digest(
    notification_id: int, originator_id: str, version: int, topic: str, state: bytes
) -> bytes:
    """``event_hash`` as bytes: what the chain links take (no hex round trip)."""
    parts = _leaf_parts(notification_id, originator_id, version, topic, state)
    return hashlib.sha256(b"".join((LEAF_PREFIX, *parts))).digest()


def link(previous: str, event_digest: str) -> str:
    """SHA-256(0x02 || previous link || event hash): one step of the chain."""
    data = LINK_PREFIX + bytes.fromhex(previous) + bytes.fromhex(event_digest)
    return hashlib.sha256(data).hexdigest()


def chain_link(
    previous: str, notification_id: int, originator_id: str, version: int, topic: str, state: bytes
) -> str:
    """The link after ``previous`` for one stored event (position, stream, bytes).

    Position and stream are inside the hash, so moving an event breaks the chain as
    surely as editing it.
    """
    return link(previous, event_hash(notification_id, originator_id, version, topic, state))


def _stream_key(originator_id: UUID | str) -> str:
    return originator_id.hex if isinstance(originator_id, UUID) else str(originator_id)


# ------------------------------------------------------------------------ mapping


class PydanticMapper(Mapper[UUID]):
    """Maps pydantic events to stored events (eventsourcing's aggregate8 pattern)."""

    def to_stored_event(self, domain_event: Any) -> StoredEvent:
        cls = type(domain_event)
        topic = get_topic(cls)
        # pydantic's own JSON serializer: the same bytes as orjson over
        # ``model_dump(mode="json")`` (a test pins that), at half the cost.
        state = cast(type[BaseModel], cls).__pydantic_serializer__.to_json(domain_event)
        if self.compressor:
            state = self.compressor.compress(state)
        if self.cipher:
            state = self.cipher.encrypt(state)
        return StoredEvent(
            originator_id=domain_event.originator_id,
            originator_version=domain_event.originator_version,
            topic=topic,
            state=state,
        )

    def to_domain_event(self, stored_event: StoredEvent) -> Any:
        state = stored_event.state
        if self.cipher:
            state = self.cipher.decrypt(state)
        if self.compressor:
            state = self.compressor.decompress(state)
        cls = resolve_topic(stored_event.topic)
        return cls(**self.transcoder.decode(state))


class OrjsonTranscoder(Transcoder):
    """JSON via orjson; pydantic already turned every value into a JSON type."""

    def encode(self, obj: Any) -> bytes:
        # orjson's result keeps its over-allocated 4-8 KB buffer; events live on in
        # pending batches, so copy to an exact-size bytes (~10x less memory per event).
        return memoryview(orjson.dumps(obj)).tobytes()

    def decode(self, data: bytes) -> Any:
        return orjson.loads(data)

    def register(self, transcoding: Transcoding) -> None:
        raise ProgrammingError("credtrail events are pydantic models: no transcodings needed")


# ----------------------------------------------------------------------- recorders


@dataclass(frozen=True)
class EventMeta:
    """What the recorder writes beside each stored event (passed through ``save``)."""

    recorded_at: datetime
    valid_on: date | None


class SQLiteLogRecorder(SQLiteApplicationRecorder):
    """The library's SQLite recorder, plus the time index and hash chain."""

    def construct_create_table_statements(self) -> list[str]:
        return [
            *super().construct_create_table_statements(),
            f"CREATE TABLE IF NOT EXISTS {LOG_TABLE} ("
            "notification_id INTEGER PRIMARY KEY, originator_id TEXT NOT NULL, "
            "originator_version INTEGER NOT NULL, topic TEXT NOT NULL, "
            "recorded_at TEXT NOT NULL, valid_on TEXT, chain TEXT NOT NULL, "
            "event_hash TEXT NOT NULL)",
            f"CREATE INDEX IF NOT EXISTS {LOG_TABLE}_stream "
            f"ON {LOG_TABLE} (originator_id, recorded_at)",
            f"CREATE INDEX IF NOT EXISTS {LOG_TABLE}_recorded ON {LOG_TABLE} (recorded_at)",
        ]

    def _insert_events(
        self, c: SQLiteCursor, stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> Sequence[int] | None:
        ids = self._insert_event_rows(c, stored_events)
        # The inserts above took SQLite's write lock, so the head read here is final.
        c.execute(f"SELECT chain FROM {LOG_TABLE} ORDER BY notification_id DESC LIMIT 1")
        row = c.fetchone()
        rows = _log_rows(row[0] if row else GENESIS, ids, stored_events, kwargs)
        c.executemany(f"INSERT INTO {LOG_TABLE} VALUES (?,?,?,?,?,?,?,?)", rows)
        return ids

    def _insert_event_rows(
        self, c: SQLiteCursor, stored_events: Sequence[StoredEvent]
    ) -> list[int]:
        """The library's insert, as one ``executemany``; returns the new rows' positions.

        The library executes one INSERT per event to read each ``lastrowid``; here
        the rows go in with one ``executemany``. The insert takes SQLite's write lock,
        and SQLite gives each new row the rowid after the largest one (nothing else
        inserts meanwhile), so our rows are the ``len(stored_events)`` rowids ending at
        ``last_insert_rowid()``; the count is checked all the same.
        """
        if not stored_events:
            return []  # last_insert_rowid() would speak of an earlier insert
        table = self.events_table_name
        c.executemany(
            self.insert_events_statement,
            [
                (_stream_key(s.originator_id), s.originator_version, s.topic, s.state)
                for s in stored_events
            ],
        )
        c.execute(
            f"SELECT last_insert_rowid(), "
            f"(SELECT COUNT(*) FROM {table} WHERE rowid > last_insert_rowid() - ?)",
            (len(stored_events),),
        )
        last, count = c.fetchone()
        if count != len(stored_events):
            raise ProgrammingError(
                f"expected {len(stored_events)} new rows ending at rowid {last} in {table}, "
                f"found {count}"
            )
        ids = list(range(last - len(stored_events) + 1, last + 1))
        return ids


def _log_rows(
    head: str, ids: Sequence[int], stored_events: Sequence[StoredEvent], kwargs: dict[str, Any]
) -> list[tuple[Any, ...]]:
    """The ``credtrail_log`` rows of a batch: times, event hashes and chain links.

    The same values as ``event_hash`` and ``link`` (which ``verify`` uses; a test pins
    the equality), chained with binary digests: this runs once per event recorded,
    and the helpers' hex round trips were about a fifth of an ingest's store time
    under the profiler.
    """
    metas: Sequence[EventMeta] | None = kwargs.get("credtrail_meta")
    if metas is None or len(metas) != len(stored_events):
        # Only credtrail's own save() may write: without times the log would be unusable.
        raise ProgrammingError("events must be saved through credtrail's EventStore.save")
    sha256 = hashlib.sha256
    previous = bytes.fromhex(head)
    rows = []
    for nid, stored, meta in zip(ids, stored_events, metas, strict=True):
        key = _stream_key(stored.originator_id)
        topic = stored.topic
        version = stored.originator_version
        digest = _leaf_digest(nid, key, version, topic, stored.state)
        previous = sha256(LINK_PREFIX + previous + digest).digest()
        valid_on = meta.valid_on
        rows.append(
            (
                nid,
                key,
                version,
                topic,
                meta.recorded_at.isoformat(),
                valid_on.isoformat() if valid_on else None,
                previous.hex(),
                digest.hex(),
            )
        )
    return rows


# ---------------------------------------------------------------------- application


@dataclass(frozen=True)
class StoreLocation:
    """Where the store lives: a SQLite file or a PostgreSQL database."""

    url: str
    backend: str  # "sqlite" | "postgres"
    env: dict[str, str]

    @classmethod
    def parse(cls, location: str) -> StoreLocation:
        """A file path (SQLite) or ``postgresql://user[:password]@host[:port]/db``."""
        if location.startswith(("postgresql://", "postgres://")):
            u = urlparse(location)
            if not u.hostname or not u.path.strip("/"):
                raise StoreError(
                    f"store URL {location!r} needs a host and a database name, "
                    "e.g. postgresql://credtrail@127.0.0.1:5432/credtrail"
                )
            env = {
                "PERSISTENCE_MODULE": "eventsourcing.postgres",
                "POSTGRES_DBNAME": unquote(u.path.strip("/")),
                "POSTGRES_HOST": u.hostname,
                "POSTGRES_PORT": str(u.port or 5432),
                "POSTGRES_USER": unquote(u.username or "postgres"),
                "POSTGRES_PASSWORD": unquote(u.password or ""),
                "POSTGRES_CONNECT_TIMEOUT": "10",
                # A topic, not the class: psycopg loads only for a PostgreSQL store.
                "APPLICATION_RECORDER_TOPIC": "credtrail.core.store_postgres:PostgresLogRecorder",
            }
            return cls(url=location, backend="postgres", env=env)
        if "://" in location:
            raise StoreError(
                f"store {location!r}: give a file path for SQLite or a postgresql:// URL"
            )
        env = {
            "PERSISTENCE_MODULE": "eventsourcing.sqlite",
            "SQLITE_DBNAME": location,
            "SQLITE_LOCK_TIMEOUT": "30",
            "APPLICATION_RECORDER_TOPIC": get_topic(SQLiteLogRecorder),
        }
        return cls(url=location, backend="sqlite", env=env)

    def display(self) -> str:
        if self.backend == "postgres":
            u = urlparse(self.url)
            return self.url.replace(f":{u.password}@", ":***@") if u.password else self.url
        return self.url


class EventStore(Application[UUID]):
    """credtrail's single eventsourcing application: every aggregate, one log."""

    name = "credtrail"
    # No aggregate cache: deep-copying a cached ledger costs as much as replaying it.
    env: ClassVar[dict[str, str]] = {"ORIGINATOR_ID_TYPE": "uuid"}

    def construct_mapper(self) -> Mapper[UUID]:
        return PydanticMapper(
            transcoder=OrjsonTranscoder(),
            compressor=self.factory.compressor(),
            cipher=self.factory.cipher(),
        )

    def load(self, aggregate_id: UUID, version: int | None = None) -> Any:
        """An aggregate from its events (at ``version``); raises AggregateNotFoundError.

        Prefer this to ``repository.get``: the library's default projector asserts each
        event against a runtime Protocol, which costs ~40% of a ledger load.
        """
        return self.repository.get(aggregate_id, version=version, projector_func=project)

    # -- plain SQL on the store's own tables (both backends, one dialect) ------------

    @property
    def is_postgres(self) -> bool:
        # eventsourcing.postgres (and psycopg) are imported only for a PostgreSQL store.
        postgres = sys.modules.get("eventsourcing.postgres")
        return postgres is not None and isinstance(
            self.recorder, postgres.PostgresApplicationRecorder
        )

    def qualified(self, name: str) -> str:
        """A table name as SQL must write it here (schema-qualified on PostgreSQL)."""
        if self.is_postgres:
            return f'"{cast(Any, self.recorder).datastore.schema}"."{name}"'
        return name

    def sql(self, statement: str) -> str:
        """A statement written with ``?`` placeholders, in this backend's style."""
        return statement.replace("?", "%s") if self.is_postgres else statement

    def read_rows(self, statement: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        """Run a read-only ``?``-style statement; rows as tuples on both backends."""
        datastore = cast(Any, self.recorder).datastore
        with datastore.transaction(commit=False) as cursor:
            cursor.execute(self.sql(statement), list(params))
            rows = cursor.fetchall()
        if self.is_postgres:
            return [tuple(row.values()) for row in rows]
        return [tuple(row) for row in rows]

    def originators(self, topic: str) -> list[UUID]:
        """Ids of the aggregates that have an event of ``topic`` (e.g. every requirement)."""
        rows = self.read_rows(
            f"SELECT DISTINCT originator_id FROM {self.qualified(LOG_TABLE)} WHERE topic = ?",
            (topic,),
        )
        return [UUID(row[0]) for row in rows]

    def save(self, *objs: Any, **kwargs: Any) -> Any:
        """Save pending events with their times, so the recorder can index and chain them."""
        events = [e for obj in objs if obj is not None for e in _pending(obj)]
        kwargs["credtrail_meta"] = [
            EventMeta(recorded_at=e.timestamp, valid_on=valid_time(e)) for e in events
        ]
        return super().save(*objs, **kwargs)


def project(aggregate: Any, events: Iterable[Any]) -> Any:
    """Apply events in order (eventsourcing's projector without its Protocol assert)."""
    for event in events:
        aggregate = event.mutate(aggregate)
    return aggregate


def _pending(obj: Any) -> list[Any]:
    # Aggregate.collect_events() empties the list; peek without consuming it.
    return list(getattr(obj, "_pending_events", [obj]))


def open_event_store(location: StoreLocation, *, create: bool = False) -> EventStore:
    """Open (or with ``create=True``, create) the store; translate library errors."""
    if location.backend == "sqlite":
        path = Path(location.env["SQLITE_DBNAME"])
        if not create and not path.exists():
            raise StoreNotInitialisedError(
                f"no credtrail store at {location.display()}; create it with "
                f"'credtrail init' (or pass --store / set CREDTRAIL_STORE)"
            )
        if create and path.parent and not path.parent.exists():
            raise StoreError(f"cannot create store {location.display()}: folder does not exist")
    # Tables are created by `credtrail init` only: any other command on an empty
    # database says so instead of silently creating an empty store.
    env = {**location.env, "CREATE_TABLE": "y" if create else "n"}
    try:
        store = EventStore(env=env)
    except (PersistenceError, OSError) as exc:
        raise StoreError(f"cannot open store {location.display()}: {exc}") from None
    if not create and not _has_log_table(store):
        store.close()
        raise StoreNotInitialisedError(
            f"{location.display()} holds no credtrail store; create it with 'credtrail init'"
        )
    return store


def _has_log_table(store: EventStore) -> bool:
    try:
        store.read_rows(f"SELECT 1 FROM {store.qualified(LOG_TABLE)} LIMIT 1")
    except PersistenceError:
        return False
    return True


def iter_log(store: EventStore, start: int = 1, page: int = 2000) -> Iterator[Sequence[Any]]:
    """Pages of notifications (id, originator, version, topic, state) in log order."""
    position = start
    while True:
        batch = store.recorder.select_notifications(position, page)
        if not batch:
            return
        yield batch
        position = batch[-1].id + 1

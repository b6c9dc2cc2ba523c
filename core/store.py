"""The event store: a thin adapter over eventsourcing's own persistence modules.

One eventsourcing ``Application`` holds every credtrail aggregate, so all events live
in one table and one notification sequence (several applications in one SQLite file
would share a table and see each other's events).

Beside the library's events table the recorders (``credtrail.core.persistence``) keep
``credtrail_log`` (per event: transaction time, valid time, event hash, hash-chain
link), ``credtrail_heads`` (per committed batch: the chain head, signed with the
organisation's key in a keyed store) and ``credtrail_keys``, all written in the same
transaction as the events; ``credtrail.core.audit`` verifies them. This module keeps
the names other modules import from it.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, ClassVar, cast
from uuid import UUID

from eventsourcing.application import Application
from eventsourcing.persistence import Mapper, PersistenceError

from credtrail.core.domain import valid_time
from credtrail.core.errors import StoreError, StoreNotInitialisedError
from credtrail.core.persistence.chain import (
    GENESIS,
    HEADS_TABLE,
    KEYS_TABLE,
    LEAF_PREFIX,
    LINK_PREFIX,
    LOG_TABLE,
    EventMeta,
    chain_link,
    event_hash,
    event_leaf,
    head_statement,
    link,
)
from credtrail.core.persistence.files import touch_private
from credtrail.core.persistence.location import StoreLocation, mask
from credtrail.core.persistence.mapper import OrjsonTranscoder, PydanticMapper
from credtrail.core.persistence.signing import Signer, key_from_env

__all__ = [
    "GENESIS",
    "HEADS_TABLE",
    "KEYS_TABLE",
    "LEAF_PREFIX",
    "LINK_PREFIX",
    "LOG_TABLE",
    "EventMeta",
    "EventStore",
    "OrjsonTranscoder",
    "PydanticMapper",
    "StoreLocation",
    "chain_link",
    "event_hash",
    "event_leaf",
    "iter_log",
    "link",
    "open_event_store",
    "project",
    "register_key",
]


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

    signer: Signer | None = None
    """The organisation's key; every committed batch's head is signed with it."""

    @property
    def is_postgres(self) -> bool:
        return getattr(self.recorder, "backend", None) == "postgres"

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
        kwargs["credtrail_signer"] = self.signer
        return super().save(*objs, **kwargs)


def project(aggregate: Any, events: Iterable[Any]) -> Any:
    """Apply events in order (eventsourcing's projector without its Protocol assert)."""
    for event in events:
        aggregate = event.mutate(aggregate)
    return aggregate


def _pending(obj: Any) -> list[Any]:
    # The aggregate's public ``pending_events`` (the library collects them in ``save``):
    # saving aggregates, not loose events, spares the library a runtime-Protocol
    # ``isinstance`` per event (~40 µs each: a tenth of an ingest).
    pending = getattr(obj, "pending_events", None)
    return list(pending) if pending is not None else [obj]


def open_event_store(
    location: StoreLocation, *, create: bool = False, signer: Signer | None = None
) -> EventStore:
    """Open (or with ``create=True``, create) the store; translate library errors.

    ``signer`` (default: the key named by ``CREDTRAIL_KEY``) signs every batch's head.
    A new SQLite file is created 0600 and never through a symbolic link.
    """
    env = location.env
    if location.backend == "sqlite":
        path = Path(location.env["SQLITE_DBNAME"])
        if not create and not path.exists():
            raise StoreNotInitialisedError(
                f"no credtrail store at {location.display()}; create it with "
                f"'credtrail init' (or pass --store / set CREDTRAIL_STORE)"
            )
        if path.is_symlink():
            raise StoreError(f"store {location.display()} is a symbolic link; give the real path")
        if create and path.parent and not path.parent.exists():
            raise StoreError(f"cannot create store {location.display()}: folder does not exist")
        if create and str(path) != ":memory:" and not path.exists():
            touch_private(path)
    else:
        env = location.resolve()
    signer = signer if signer is not None else key_from_env(dict(os.environ))
    # Tables are created by `credtrail init` only: any other command on an empty
    # database says so instead of silently creating an empty store.
    env = {**env, "CREATE_TABLE": "y" if create else "n"}
    try:
        store = EventStore(env=env)
    except (PersistenceError, OSError) as exc:
        detail = mask(str(exc), location.display(), env.get("POSTGRES_PASSWORD"))
        raise StoreError(f"cannot open store {location.display()}: {detail}") from None
    store.signer = signer
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
    try:
        store.read_rows(f"SELECT 1 FROM {store.qualified(HEADS_TABLE)} LIMIT 1")
    except PersistenceError:
        # A store from before signed heads: add the two tables (the recorder's own DDL).
        cast(Any, store.recorder).create_table()
    return True


def register_key(store: EventStore, signer: Signer, previous: Signer | None = None) -> int:
    """Record ``signer`` as the store's key and sign the current head with it.

    ``previous`` is the current key when rotating (it endorses the new one); a store
    that already has a key needs it. Returns the position the key signs from. One
    transaction, under the same write lock as the recorder's inserts.
    """
    recorder = cast(Any, store.recorder)
    keys, heads = store.qualified(KEYS_TABLE), store.qualified(HEADS_TABLE)

    def one(cursor: Any, statement: str, params: Sequence[Any] = ()) -> tuple[Any, ...] | None:
        cursor.execute(store.sql(statement), list(params))
        row = cursor.fetchone()
        if row is None:
            return None
        return tuple(row.values()) if store.is_postgres else tuple(row)

    with recorder.datastore.transaction(commit=True) as cursor:
        if store.is_postgres:
            for statement in recorder.lock_table_statements:
                cursor.execute(statement)
        current = one(cursor, f"SELECT key_id FROM {keys} ORDER BY added_at DESC LIMIT 1")
        current_id = current[0] if current else None
        if current_id is not None and (previous is None or previous.key_id != current_id):
            raise StoreError(
                f"this store is signed with key {current_id}; to replace it run "
                "'credtrail key rotate' with that key (nothing was written)"
            )
        if current_id is None and previous is not None:
            raise StoreError("this store has no key yet: use 'credtrail key init'")
        head = one(
            cursor,
            f"SELECT notification_id, events, chain FROM {heads} "
            "ORDER BY notification_id DESC LIMIT 1",
        )
        since = int(head[0]) if head else 0
        record = signer.key_record(previous, since=since)
        cursor.execute(store.sql(f"INSERT INTO {keys} VALUES (?,?,?,?,?,?,?)"), list(record))
        if head is not None:
            signed_at = datetime.now(UTC).isoformat()
            statement = head_statement(since, int(head[1]), str(head[2]), signed_at, signer.key_id)
            cursor.execute(
                store.sql(
                    f"UPDATE {heads} SET signed_at = ?, key_id = ?, signature = ? "
                    "WHERE notification_id = ?"
                ),
                [signed_at, signer.key_id, signer.sign(statement), since],
            )
    return since


def iter_log(store: EventStore, start: int = 1, page: int = 2000) -> Iterator[Sequence[Any]]:
    """Pages of notifications (id, originator, version, topic, state) in log order."""
    position = start
    while True:
        batch = store.recorder.select_notifications(position, page)
        if not batch:
            return
        yield batch
        position = batch[-1].id + 1

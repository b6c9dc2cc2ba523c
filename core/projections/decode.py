"""Reading the log for projections: pages of notifications, decoded to plain dicts.

The projection path trusts what it reads: every stored event was validated by its
pydantic model when it was recorded, so re-validating a million of them on every
rebuild buys nothing. Events are decoded with the store's own compressor/cipher (if
configured) and orjson, straight to the JSON dict the mapper would have handed to
the event class; the views read the fields they need from it. This is the same
state the store's ``mapper.to_domain_event`` turns into an event object, minus the
object: a test pins that both agree.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, NamedTuple
from uuid import UUID

import orjson
from eventsourcing.sqlite import SQLiteApplicationRecorder

from credtrail.core.domain import ClinicianLedger, RequirementHistory
from credtrail.core.store import EventStore

CLINICIAN_REGISTERED = ClinicianLedger.Created.TOPIC
CREDIT_EARNED = ClinicianLedger.CreditEarned.TOPIC
CREDIT_CLAIMED = ClinicianLedger.CreditClaimed.TOPIC
CREDIT_REVOKED = ClinicianLedger.CreditRevoked.TOPIC
LICENSE_REGISTERED = ClinicianLedger.LicenseRegistered.TOPIC
LICENSE_ENDED = ClinicianLedger.LicenseEnded.TOPIC
REQUIREMENT_DEFINED = RequirementHistory.Created.TOPIC
REQUIREMENT_CHANGED = RequirementHistory.RequirementChanged.TOPIC

CLINICIAN_TOPICS = frozenset(
    {
        CLINICIAN_REGISTERED,
        CREDIT_EARNED,
        CREDIT_CLAIMED,
        CREDIT_REVOKED,
        LICENSE_REGISTERED,
        LICENSE_ENDED,
    }
)


class LogEvent(NamedTuple):
    """One decoded notification: position, stream, topic and the event's JSON state.

    A named tuple, not a frozen dataclass: a million of them are built per rebuild, and
    a frozen dataclass's ``__init__`` costs more than decoding the event.
    """

    id: int
    stream: str  # the aggregate id as uuid.hex
    topic: str
    state: dict[str, Any]


class LogReader:
    """Reads pages of the application log through the store's recorder."""

    def __init__(self, store: EventStore) -> None:
        self.recorder = store.recorder
        mapper = store.mapper
        # SQLite: read (rowid, stream, topic, state) tuples straight from the recorder's
        # table; select_notifications builds a UUID and a Notification per row, which
        # costs more than decoding the event. PostgreSQL keeps the library's query.
        self._sqlite_query = (
            f"SELECT rowid, originator_id, topic, state FROM {self.recorder.events_table_name} "
            "WHERE rowid > ? ORDER BY rowid LIMIT ?"
            if isinstance(self.recorder, SQLiteApplicationRecorder)
            else None
        )
        self._cipher = mapper.cipher
        self._compressor = mapper.compressor

    def head(self) -> int:
        """The id of the last notification in the log (0 when empty)."""
        return int(self.recorder.max_notification_id() or 0)

    def page(self, after: int, limit: int) -> list[LogEvent]:
        """Up to ``limit`` events with ids greater than ``after``, in log order."""
        if self._sqlite_query is None:
            return self.decode(self.recorder.select_notifications(after + 1, limit))
        datastore: Any = getattr(self.recorder, "datastore")  # noqa: B009 (not typed)
        with datastore.transaction(commit=False) as cursor:
            cursor.row_factory = None
            cursor.execute(self._sqlite_query, (after, limit))
            rows = cursor.fetchall()
        return self.decode_rows(rows)

    def decode_rows(self, rows: Sequence[tuple[int, str, str, bytes]]) -> list[LogEvent]:
        if self._cipher is not None or self._compressor is not None:
            return [self._decode_one(i, s, t, b) for i, s, t, b in rows]
        loads = orjson.loads
        return [LogEvent(i, s, t, loads(b)) for i, s, t, b in rows]

    def decode(self, notifications: Sequence[Any]) -> list[LogEvent]:
        return [
            self._decode_one(n.id, _stream(n.originator_id), n.topic, n.state)
            for n in notifications
        ]

    def _decode_one(self, nid: int, stream: str, topic: str, state: bytes) -> LogEvent:
        if self._cipher is not None:
            state = self._cipher.decrypt(state)
        if self._compressor is not None:
            state = self._compressor.decompress(state)
        return LogEvent(nid, stream, topic, orjson.loads(state))


def _stream(originator_id: Any) -> str:
    # The same spelling SQLite stores (uuid.hex), so streams compare across backends.
    return originator_id.hex if isinstance(originator_id, UUID) else str(originator_id)

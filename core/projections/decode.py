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
from dataclasses import dataclass
from typing import Any

import orjson

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


@dataclass(frozen=True, slots=True)
class LogEvent:
    """One decoded notification: position, stream, topic and the event's JSON state."""

    id: int
    stream: str
    topic: str
    state: dict[str, Any]


class LogReader:
    """Reads pages of the application log through the store's recorder."""

    def __init__(self, store: EventStore) -> None:
        self.recorder = store.recorder
        mapper = store.mapper
        self._cipher = mapper.cipher
        self._compressor = mapper.compressor

    def head(self) -> int:
        """The id of the last notification in the log (0 when empty)."""
        return int(self.recorder.max_notification_id() or 0)

    def page(self, after: int, limit: int) -> list[LogEvent]:
        """Up to ``limit`` events with ids greater than ``after``, in log order."""
        notifications = self.recorder.select_notifications(after + 1, limit)
        return self.decode(notifications)

    def decode(self, notifications: Sequence[Any]) -> list[LogEvent]:
        cipher, compressor, loads = self._cipher, self._compressor, orjson.loads
        out = []
        for n in notifications:
            state = n.state
            if cipher is not None:
                state = cipher.decrypt(state)
            if compressor is not None:
                state = compressor.decompress(state)
            out.append(LogEvent(n.id, str(n.originator_id), n.topic, loads(state)))
        return out

"""The base of every aggregate and event, and the ids derived from names."""

from __future__ import annotations

from datetime import date, datetime
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate as _LibAggregate
from eventsourcing.domain import CanInitAggregate, CanMutateAggregate
from pydantic import BaseModel, ConfigDict

from credtrail.core import clock

_NAMESPACE = uuid5(NAMESPACE_URL, "https://credtrail.invalid/ids")


def clinician_uuid(clinician_id: str) -> UUID:
    """The aggregate id of a clinician's ledger: derived, so no lookup table is needed."""
    return uuid5(_NAMESPACE, f"clinician:{clinician_id}")


def requirement_uuid(requirement_id: str) -> UUID:
    """The aggregate id of a requirement's history."""
    return uuid5(_NAMESPACE, f"requirement:{requirement_id}")


class DomainEvent(BaseModel):
    """Base of every stored event: immutable, validated, JSON-serialisable."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    originator_id: UUID
    originator_version: int
    timestamp: datetime


class Aggregate(_LibAggregate):
    """eventsourcing's aggregate with pydantic events (the library's aggregate8 pattern)."""

    class Event(DomainEvent, CanMutateAggregate[UUID]):
        @staticmethod
        def create_timestamp() -> datetime:
            # Through credtrail's clock, so audit tests can record at chosen instants.
            return clock.now()

    class Created(Event, CanInitAggregate[UUID]):
        originator_topic: str


_VALID_FIELDS = (
    "completed_on",
    "claimed_on",
    "revoked_on",
    "issued_on",
    "ended_on",
    "effective_from",
)
_valid_field: dict[type, str | None] = {}


def valid_time(event: object) -> date | None:
    """The date an event *happened* (valid time), if it has one."""
    cls = type(event)
    if cls not in _valid_field:
        fields = getattr(cls, "model_fields", {})
        _valid_field[cls] = next((n for n in _VALID_FIELDS if n in fields), None)
    name = _valid_field[cls]
    value = getattr(event, name, None) if name else None
    return value if isinstance(value, date) else None

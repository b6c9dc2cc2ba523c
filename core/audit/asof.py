"""What the system knew at a past instant: replay by transaction time.

Only events *recorded* at or before the instant count (``credtrail_log.recorded_at``,
indexed). An event's recorded time comes from its own timestamp, which never goes
back within a stream, so per stream the events recorded by then are a prefix: the
aggregate is rebuilt at the last version recorded by then
(``repository.get(id, version=v)``). A credit completed in 2024 but recorded in 2026
is not known as of 2025; a requirement version published in 2026 with an
``effective_from`` in 2025 is not known as of 2025 either.

Valid time is a separate axis: ``on`` (a date) picks which requirement version was
in force and which credits had been completed, among those known at the instant.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError
from eventsourcing.persistence import PersistenceError

from credtrail.core.audit.reader import LogReader, instant_key
from credtrail.core.domain import (
    ClinicianLedger,
    RequirementHistory,
    RequirementVersionState,
    clinician_uuid,
    requirement_uuid,
)
from credtrail.core.errors import AuditError, StoreError, UnknownClinicianError
from credtrail.core.store import EventStore
from credtrail.core.transcript import Transcript, transcript_of

CLINICIAN_TOPIC = ClinicianLedger.Created.TOPIC
REQUIREMENT_TOPIC = RequirementHistory.Created.TOPIC


def project(aggregate: Any, events: Iterable[Any]) -> Any:
    """Apply ``events`` in order (the library's ``project_aggregate``, minus one check)."""
    # The library's project_aggregate asserts isinstance(event, CanMutateProtocol), a
    # runtime Protocol check that is half the cost of a replay; our events are known.
    for event in events:
        aggregate = event.mutate(aggregate)
    return aggregate


def check_instant(as_of: datetime) -> datetime:
    if as_of.tzinfo is None:
        raise AuditError(
            f"as-of instant {as_of.isoformat()} has no timezone; give one, e.g. "
            "2025-06-30T12:00:00Z"
        )
    return as_of


def in_force(versions: list[RequirementVersionState], on: date) -> RequirementVersionState | None:
    """The version in force on ``on``: latest ``effective_from`` <= on, later record wins ties."""
    eligible = [v for v in versions if v.effective_from <= on]
    if not eligible:
        return None
    return max(enumerate(eligible), key=lambda iv: (iv[1].effective_from, iv[0]))[1]


@dataclass(frozen=True)
class RequirementAsOf:
    """A requirement's versions as known at the instant, and the one in force on a date."""

    requirement_id: str
    authority: str
    versions: list[RequirementVersionState]
    in_force: RequirementVersionState | None


class AsOf:
    """Read the store as it stood at ``as_of`` (transaction time)."""

    def __init__(self, store: EventStore, as_of: datetime) -> None:
        self.store = store
        self.as_of = check_instant(as_of)
        self.reader = LogReader(store)
        self._versions: dict[str, int] | None = None

    # -- versions -----------------------------------------------------------------------

    def version_of(self, aggregate_id: UUID) -> int | None:
        """The aggregate's last version recorded by the instant (None: not yet recorded)."""
        key = aggregate_id.hex
        if self._versions is not None:
            return self._versions.get(key)
        return self.reader.versions_as_of(self.as_of, stream=key).get(key)

    def all_versions(self) -> dict[str, int]:
        """Every stream's version at the instant (one grouped query over the time index)."""
        if self._versions is None:
            self._versions = self.reader.versions_as_of(self.as_of)
        return self._versions

    def _load(self, aggregate_id: UUID, version: int) -> Any:
        try:
            return self.store.repository.get(aggregate_id, version=version, projector_func=project)
        except AggregateNotFoundError:
            return None
        except PersistenceError as exc:
            raise StoreError(f"cannot read the store: {exc}") from None

    # -- clinicians -------------------------------------------------------------------

    def ledger(self, clinician_id: str) -> ClinicianLedger:
        """The clinician's ledger with only the events recorded by the instant."""
        uuid = clinician_uuid(clinician_id)
        version = self.version_of(uuid)
        if version is None:
            rows = self.reader.stream_log(uuid.hex)
            if not rows:
                raise UnknownClinicianError(clinician_id)
            raise AuditError(
                f"clinician {clinician_id!r} was not recorded yet as of "
                f"{self.as_of.isoformat()}; first recorded at {rows[0].recorded_at}"
            )
        ledger = self._load(uuid, version)
        if not isinstance(ledger, ClinicianLedger):
            raise AuditError(f"stream of clinician {clinician_id!r} cannot be replayed")
        return ledger

    def transcript(self, clinician_id: str) -> Transcript:
        return transcript_of(self.ledger(clinician_id))

    def clinicians(self) -> Iterator[ClinicianLedger]:
        """Every clinician known at the instant, one ledger at a time (bounded memory)."""
        versions = self.all_versions()
        for stream in self.reader.streams_with_topic(CLINICIAN_TOPIC):
            version = versions.get(stream)
            if version is not None:
                ledger = self._load(UUID(stream), version)
                if isinstance(ledger, ClinicianLedger):
                    yield ledger

    # -- requirements -----------------------------------------------------------------

    def requirement_history(self, requirement_id: str) -> RequirementHistory | None:
        """The requirement's aggregate with only the versions recorded by the instant."""
        uuid = requirement_uuid(requirement_id)
        version = self.version_of(uuid)
        if version is None:
            return None
        history = self._load(uuid, version)
        return history if isinstance(history, RequirementHistory) else None

    def requirement(self, requirement_id: str, on: date | None = None) -> RequirementAsOf | None:
        """The requirement's versions known at the instant (None: not recorded yet)."""
        history = self.requirement_history(requirement_id)
        return None if history is None else self._requirement(history, on)

    def _requirement(self, history: RequirementHistory, on: date | None) -> RequirementAsOf:
        day = on or self.as_of.date()
        return RequirementAsOf(
            requirement_id=history.requirement_id,
            authority=history.authority,
            versions=list(history.versions),
            in_force=in_force(history.versions, day),
        )

    def requirements(self, on: date | None = None) -> Iterator[RequirementAsOf]:
        versions = self.all_versions()
        for stream in self.reader.streams_with_topic(REQUIREMENT_TOPIC):
            version = versions.get(stream)
            if version is not None:
                history = self._load(UUID(stream), version)
                if isinstance(history, RequirementHistory):
                    yield self._requirement(history, on)

    def describe(self) -> str:
        return instant_key(self.as_of)

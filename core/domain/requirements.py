"""A requirement's history: every version an authority published, as recorded."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict

from credtrail.core.domain.base import Aggregate, requirement_uuid
from credtrail.core.models import Citation


class RequirementVersionState(BaseModel):
    """One published version of a requirement (the document kept as given)."""

    model_config = ConfigDict(extra="forbid")

    version: str
    effective_from: date
    document: dict[str, Any]
    source: Citation
    recorded_at: datetime


class RequirementHistory(Aggregate):
    """Every version an authority published of one requirement, in recording order."""

    TOPIC: ClassVar[str] = "credtrail:RequirementHistory"

    class Created(Aggregate.Created):
        """A requirement id was first recorded: ``RequirementDefined``."""

        TOPIC: ClassVar[str] = "credtrail:RequirementDefined"
        requirement_id: str
        authority: str

    class RequirementChanged(Aggregate.Event):
        """An authority published a version, effective from a date, with its citation.

        ``document`` is the whole rule document as published (validated by the rule
        model before recording), so later rule-format changes never rewrite history.
        """

        TOPIC: ClassVar[str] = "credtrail:RequirementChanged"
        version: str
        effective_from: date
        document: dict[str, Any]
        source: Citation

        def apply(self, aggregate: RequirementHistory) -> None:
            aggregate.versions.append(self.version_state())

        def version_state(self) -> RequirementVersionState:
            """The version as the requirement's history (and the views) keep it."""
            return RequirementVersionState(
                version=self.version,
                effective_from=self.effective_from,
                document=self.document,
                source=self.source,
                recorded_at=self.timestamp,
            )

    def __init__(self, requirement_id: str, authority: str) -> None:
        self.requirement_id = requirement_id
        self.authority = authority
        self.versions: list[RequirementVersionState] = []

    @classmethod
    def define(cls, requirement_id: str, authority: str) -> RequirementHistory:
        return cls._create(
            cls.Created,
            id=requirement_uuid(requirement_id),
            requirement_id=requirement_id,
            authority=authority,
        )

    def change(
        self, version: str, effective_from: date, document: dict[str, Any], source: Citation
    ) -> bool:
        """Record a version; returns False (and records nothing) if it is already known."""
        for known in self.versions:
            if known.version == version and known.document == document:
                return False
        self.trigger_event(
            self.RequirementChanged,
            version=version,
            effective_from=effective_from,
            document=document,
            source=source,
        )
        return True

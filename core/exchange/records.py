"""What a reader hands the import pipeline: one record, or why a record is unusable.

A reader only *parses*: it maps one row or credential of its format onto an
``EarnRequest`` plus whatever identifies the learner. Checking the credit against
the registered rules, resolving the clinician and finding duplicates is the
pipeline's job, the same for every format.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict, ValidationError

from credtrail.core.inputs import UnitsError, check_text, read_units
from credtrail.core.requests import EarnRequest

Action = Literal["add", "delete"]


@dataclass(frozen=True)
class Location:
    """Where a record is: a file and a line (text formats) or a JSON path."""

    file: str
    line: int | None = None
    path: str | None = None

    def describe(self) -> str:
        if self.line is not None:
            return f"{self.file} line {self.line}"
        if self.path is not None:
            return f"{self.file} {self.path}"
        return self.file


@dataclass(frozen=True)
class Issue:
    """One problem with one field of a record; ``rule`` names the rule broken."""

    field: str
    rule: str
    message: str

    def describe(self) -> str:
        return f"{self.field}: {self.message} [{self.rule}]"


class ClinicianIdentity(BaseModel):
    """Who the record is about, as far as the file says.

    ``clinician_id`` is the id the record resolves to when nothing better is known
    (an explicit id, or one derived from an NPI or a licence); the pipeline may map an
    NPI onto an existing clinician instead.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    clinician_id: str
    profession: str | None = None
    name: str | None = None
    npi: str | None = None
    explicit: bool = False
    """True when the id is authoritative (named by the file, or a licence or board id);
    False when it was derived from the NPI, which may belong to an existing clinician."""

    def missing_for_creation(self) -> list[str]:
        """What is still needed to create this clinician (empty: enough)."""
        missing = []
        if not self.profession:
            missing.append("profession")
        if not self.name:
            missing.append("name")
        if not self.npi and not self.explicit:
            missing.append("npi (or a licence state and number)")
        return missing


@dataclass(frozen=True)
class ImportRecord:
    """One parsed record: an earned credit (or its deletion) for one learner."""

    location: Location
    clinician: ClinicianIdentity
    request: EarnRequest
    action: Action = "add"


@dataclass(frozen=True)
class RejectedRecord:
    """A record a reader could not parse; the pipeline reports it and moves on."""

    location: Location
    issues: tuple[Issue, ...]


Parsed = ImportRecord | RejectedRecord


@dataclass
class FieldCollector:
    """Accumulates the issues of one record while a reader converts its fields.

    Each converter returns ``None`` on a bad value and records why, so a record
    reports every bad field at once instead of only the first.
    """

    issues: list[Issue] = field(default_factory=list)

    def add(self, field_name: str, rule: str, message: str) -> None:
        self.issues.append(Issue(field_name, rule, message))

    def text(self, field_name: str, value: str | None, *, required: bool = False) -> str | None:
        if value:
            try:
                check_text(value, what="the value")
            except ValueError as exc:
                self.add(field_name, "plain-text", str(exc))
                return None
        cleaned = " ".join(value.split()) if value else ""
        if not cleaned:
            if required:
                self.add(field_name, "required", "is empty; every record needs it")
            return None
        return cleaned

    def units(self, field_name: str, value: object, *, required: bool = False) -> Decimal | None:
        if value is None or (isinstance(value, str) and not value.strip()):
            if required:
                self.add(field_name, "required", "is empty; give the units, e.g. 1.5")
            return None
        # Text as a person writes it (no 1_0, exponents or non-ASCII digits); JSON
        # numbers by their own digits. The one rule for units (credtrail.core.inputs).
        try:
            return read_units(value if isinstance(value, str) else str(value))
        except UnitsError as exc:
            self.add(field_name, exc.rule, str(exc))
            return None

    def iso_date(self, field_name: str, value: str | None, *, required: bool = True) -> date | None:
        text = (value or "").strip()
        if not text:
            if required:
                self.add(field_name, "required", "is empty; give a date as YYYY-MM-DD")
            return None
        try:
            parsed = date.fromisoformat(text) if len(text) == 10 else None
        except ValueError:
            parsed = None
        if parsed is None:
            self.add(field_name, "date", f"{text!r} is not a date; use YYYY-MM-DD, e.g. 2025-03-31")
        return parsed

    def request(self, **fields: object) -> EarnRequest | None:
        """Build the ``EarnRequest`` if no field failed so far; pydantic's errors become issues."""
        if self.issues:
            return None
        try:
            return EarnRequest.model_validate(fields)
        except ValidationError as exc:
            for err in exc.errors():
                where = ".".join(str(p) for p in err["loc"]) or "record"
                cause = (err.get("ctx") or {}).get("error")
                self.add(where, "schema", str(cause) if cause is not None else err["msg"])
            return None


def describe_issues(location: Location, issues: Iterable[Issue]) -> list[str]:
    """One line per issue: ``file line 3: units: ... [rule]``."""
    return [f"{location.describe()}: {issue.describe()}" for issue in issues]

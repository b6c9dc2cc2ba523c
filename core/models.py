"""Value objects plugins hand to core, and core hands to plugins.

Everything here is a frozen pydantic model: plugins' return values are validated on
the way in (pluggy checks no return types), and the models serialise to JSON for
``--json`` output. Amounts are ``Decimal``, never float.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from functools import cache, partial
from typing import Annotated, Any, Literal, TypeVar

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
)

from credtrail.core import clock
from credtrail.core.inputs import MAX_ID, check_id, check_text, read_units

CODE_PATTERN = r"^[a-z][a-z0-9_]*$"
"""Professions and credit types: lowercase with underscores (``ama_pra_1``)."""

ACRONYM_PATTERN = r"^[A-Z][A-Z0-9-]*$"
"""Accreditors and authorities: their usual acronym (``ACCME``, ``CA-MBC``)."""

TOPIC_PATTERN = r"^[a-z0-9]+(-[a-z0-9]+)*$"
"""Topics: lowercase slugs (``pain-management``)."""

Units = Annotated[Decimal, Field(ge=0, max_digits=12, decimal_places=4)]
PositiveUnits = Annotated[Decimal, Field(gt=0, max_digits=12, decimal_places=4)]


def not_in_future(day: date) -> date:
    """A date something *happened*: today at the latest.

    Today is the machine's local date, or credtrail's clock's (UTC) when that is later:
    a history recorded at a chosen instant (``clock.frozen_at``, the audit tests) may
    record what happened up to that instant.
    """
    today = max(date.today(), clock.now().date())
    if day > today:
        raise ValueError(
            f"{day} is in the future (today is {today}); record what happened, not what is planned"
        )
    return day


InputUnits = Annotated[
    Decimal,
    BeforeValidator(read_units),
    Field(gt=0, max_digits=12, decimal_places=4),
]
"""Positive units as a user or a file gives them (the request models' amounts)."""
PastDate = Annotated[date, AfterValidator(not_in_future)]
"""A date that is not after today."""
PlainText = Annotated[str, AfterValidator(check_text)]
"""Free text one line long, bounded (``credtrail.core.inputs.check_text``)."""


ClinicianId = Annotated[str, AfterValidator(partial(check_id, what="clinician id"))]
"""A clinician id: plain text, no padding, at most ``MAX_ID`` long."""
Code = Annotated[str, AfterValidator(partial(check_text, limit=MAX_ID, what="the code"))]
"""A short code (credit type, accreditor, topic, format): plain text, at most ``MAX_ID``."""


def describe_validation(exc: ValidationError) -> str:
    """A pydantic error as one line, ``field: message; field: message``."""
    parts = []
    for err in exc.errors():
        where = ".".join(str(p) for p in err["loc"]) or "value"
        cause = (err.get("ctx") or {}).get("error")
        message = str(cause) if isinstance(cause, ValueError) else err["msg"]
        parts.append(f"{where}: {message}")
    return "; ".join(parts)


class Frozen(BaseModel):
    """Base of every value object: immutable, no unknown fields."""

    model_config = ConfigDict(frozen=True, extra="forbid")


class Citation(Frozen):
    """Where a rule comes from, so an auditor can check it.

    ``confidence``: ``authority`` (the authority's own text), ``secondary`` (a
    provider, society or law firm quoting it) or ``unconfirmed``.
    """

    authority: str = Field(min_length=1)
    document: str = Field(min_length=1)
    section: str | None = None
    url: str | None = None
    date_read: date
    confidence: Literal["authority", "secondary", "unconfirmed"] = "authority"
    note: str | None = None

    def describe(self) -> str:
        section = f" {self.section}" if self.section else ""
        return f"{self.authority}, {self.document}{section} (read {self.date_read.isoformat()})"


class Profession(Frozen):
    """A health profession credtrail tracks (``physician``, ``nurse``, ``pa``)."""

    code: str = Field(pattern=CODE_PATTERN)
    label: str = Field(min_length=1)


class CreditType(Frozen):
    """A unit and category of credit an activity is designated for.

    ``increment``: the smallest step units may take (0.25 for AMA PRA credit).
    ``accreditors``: codes of accreditors whose providers may award it; empty with
    ``requires_accreditor=False`` for self-claimed credit (AMA PRA Category 2).
    """

    code: str = Field(pattern=CODE_PATTERN)
    label: str = Field(min_length=1)
    profession: str = Field(pattern=CODE_PATTERN)
    unit: str = Field(min_length=1)
    increment: PositiveUnits
    accreditors: tuple[str, ...] = ()
    requires_accreditor: bool = True
    category: str | None = None
    source: Citation

    @field_validator("accreditors")
    @classmethod
    def _acronyms(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        for code in value:
            if not re.match(ACRONYM_PATTERN, code):
                raise ValueError(f"accreditor code {code!r} must be an upper-case acronym")
        return value


class Accreditor(Frozen):
    """A body that accredits providers (ACCME, ANCC, AAPA, JA, ...)."""

    code: str = Field(pattern=ACRONYM_PATTERN)
    name: str = Field(min_length=1)
    source: Citation


class Topic(Frozen):
    """A topic credits are tagged with and requirements name (``pain-management``).

    Topics are one vocabulary shared by every profession: core refuses a credit whose
    topic no loaded plugin registered, so a misspelling never silently fails to count.
    """

    code: str = Field(pattern=TOPIC_PATTERN)
    description: str = Field(min_length=1)
    source: Citation | None = None


class Authority(Frozen):
    """A body that requires credit: a board, certifying body or award.

    ``requires_claim``: only credit *claimed* toward it counts (NCCPA logging, the AMA
    PRA application); otherwise earned credit counts (most state boards attest).
    """

    code: str = Field(pattern=ACRONYM_PATTERN)
    name: str = Field(min_length=1)
    credential: str | None = Field(default=None, min_length=1)
    """The authority's own name for what it issues ("Physician (MD/DO) licence"), as
    reports show it to the authority."""
    credential_kind: Literal["licence", "certification", "award", "registration"] = "licence"
    """What holding it is: a report labels an award or a certification as such."""
    professions: tuple[str, ...] = Field(min_length=1)
    jurisdiction: str | None = None
    requires_claim: bool = False
    source: Citation

    @property
    def display_name(self) -> str:
        """ "Texas Medical Board — Physician (MD/DO) licence" (the name alone without one)."""
        return f"{self.name} — {self.credential}" if self.credential else self.name


class Equivalence(Frozen):
    """How credit of one type counts as another, optionally for one authority only.

    ``ratio`` multiplies units (1 for "accepted as"). ``authorities`` empty means the
    equivalence holds wherever the target type is counted.
    """

    from_type: str = Field(pattern=CODE_PATTERN)
    to_type: str = Field(pattern=CODE_PATTERN)
    ratio: PositiveUnits = Decimal(1)
    authorities: tuple[str, ...] = ()
    source: Citation


class Certification(Frozen):
    """A national certification a clinician can hold (``credtrail certification add``).

    ``code`` is what users type (``nccpa-pa-c``); ``certifier`` the authority that
    grants it; ``requirement`` the requirement holding it subjects its holder to (its
    own renewal cycle: ``nccpa-cme``), or None where none is encoded; ``counts_as``
    further names requirement pathways may accept it under (an accrediting body such
    as ``NCCA``); ``exams`` the examinations that grant or maintain it.
    """

    code: str = Field(pattern=r"^[a-z][a-z0-9-]*$")
    name: str = Field(min_length=1)
    certifier: str = Field(pattern=ACRONYM_PATTERN)
    professions: tuple[str, ...] = Field(min_length=1)
    requirement: str | None = None
    cycle_months: int | None = Field(default=None, gt=0)
    counts_as: tuple[str, ...] = ()
    exams: tuple[str, ...] = ()
    attributes: dict[str, str] = Field(default_factory=dict)
    """Facts the holder's requirement conditions on (``aprn = "yes"`` for an NP
    certification under ANCC's pharmacology part), recorded with the certification."""
    notes: tuple[str, ...] = ()
    source: Citation


class CreditDraft(Frozen):
    """A credit about to be recorded, as validation hooks see it."""

    clinician_id: str
    profession: str
    credit_type: str
    units: PositiveUnits
    completed_on: date
    provider: str
    accreditor: str | None = None
    activity_id: str
    title: str | None = None
    topics: tuple[str, ...] = ()
    format: str | None = None
    designated_units: PositiveUnits | None = None


class Violation(Frozen):
    """One reason a credit cannot be recorded; ``rule`` names the rule broken."""

    field: str
    rule: str
    message: str
    source: Citation | None = None

    def describe(self) -> str:
        return f"{self.field}: {self.message} [{self.rule}]"


_M = TypeVar("_M", bound=BaseModel)


def trusted(cls: type[_M], values: dict[str, Any]) -> _M:
    """An instance of ``cls`` rebuilt from ``values`` that were validated already.

    For hot paths that rebuild models from trusted data (a validated event, a view row
    the projection wrote). Every field must be given, so a renamed field fails loudly
    instead of falling back to its default. It validates (pydantic's public
    ``model_validate``). Building the instance through pydantic's internals instead
    was ~20% faster on ingest (docs/audit.md has the figures), but shared one
    fields-set across instances and set ``__pydantic_*`` attributes; the public
    ``model_construct`` is slower than validating.
    """
    fields = _field_names(cls)
    if values.keys() != fields:
        raise TypeError(
            f"trusted({cls.__name__}): give every field and no other; "
            f"missing {sorted(fields - values.keys())}, unknown {sorted(values.keys() - fields)}"
        )
    return cls.model_validate(values)


@cache
def _field_names(cls: type[BaseModel]) -> frozenset[str]:
    """The names of ``cls``'s fields."""
    return frozenset(cls.model_fields)

"""What a command is asked to record, checked: the one place its fields are validated.

``EarnRequest`` (a credit, from CLI flags, an import row or a Python caller), the
header every requirement document must have, and ``checked``: a field check whose
``ValueError`` becomes credtrail's ``InvalidInputError`` naming the field. The
application (core/application.py) calls these before anything is written.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any, TypeVar

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    TypeAdapter,
    ValidationError,
    ValidationInfo,
    field_validator,
)
from pydantic_core import to_jsonable_python

from credtrail.core.domain import AMENDABLE_FIELDS, CreditState, credit_natural_key
from credtrail.core.errors import InvalidInputError, RuleError
from credtrail.core.models import (
    Citation,
    ClinicianId,
    Code,
    InputUnits,
    PastDate,
    PlainText,
    describe_validation,
)


class RequirementHeader(BaseModel):
    """The part of a requirement document every version must have to be recorded."""

    model_config = ConfigDict(extra="allow")

    id: str = Field(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$")
    authority: str = Field(min_length=1)
    version: str = Field(min_length=1)
    effective_from: date
    source: Citation


class EarnRequest(BaseModel):
    """Everything needed to record one earned credit (CLI flags, an import row, a
    Python caller): the one place its fields are checked.

    Ids and text are plain (no control, bidirectional or surrogate characters) and
    bounded; units are read as a person writes them (``1_0``, ``٣``, ``1e3`` and NaN
    are refused); the completion date is not in the future.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    clinician_id: ClinicianId
    credit_type: Code
    units: InputUnits
    completed_on: PastDate
    provider: PlainText = Field(min_length=1)
    accreditor: Code | None = None
    activity_id: PlainText = Field(min_length=1)
    title: PlainText | None = None
    topics: tuple[Code, ...] = ()
    format: Code | None = None
    designated_units: InputUnits | None = None
    evidence: dict[str, Any] | None = None
    topic_units: dict[Code, InputUnits] = Field(default_factory=dict)
    """Units per topic inside the credit (each topic also listed in ``topics``)."""

    def __init__(self, **fields: Any) -> None:
        """Validate ``fields``; a Python caller gets credtrail's error, not pydantic's.

        :raises InvalidInputError: one line naming each field that is not acceptable.
        """
        try:
            super().__init__(**fields)
        except ValidationError as exc:
            raise invalid_input(exc) from None

    @classmethod
    def parse(cls, **fields: Any) -> EarnRequest:
        """The request from loose values (CLI options, a Python caller's arguments);
        the same as ``EarnRequest(**fields)``.

        :raises InvalidInputError: one line naming each field that is not acceptable.
        """
        return cls(**fields)

    @field_validator("topic_units")
    @classmethod
    def _topic_units_inside(
        cls, value: dict[str, Decimal], info: ValidationInfo
    ) -> dict[str, Decimal]:
        topics, units = info.data.get("topics", ()), info.data.get("units")
        for topic, amount in value.items():
            if topic not in topics:
                raise ValueError(f"topic {topic!r} has units but is not one of the topics")
            if units is not None and amount > units:
                raise ValueError(f"topic {topic!r}: {amount} units is more than the credit's")
        return value

    def natural_key(self) -> str:
        """Provider, activity, completion date and type: the same credit, twice, is one."""
        return credit_natural_key(
            self.provider, self.activity_id, self.completed_on, self.credit_type
        )


@dataclass(frozen=True)
class EarnResult:
    """What happened to one earn request: recorded, or already there (idempotent)."""

    clinician_id: str
    credit_id: str
    created: bool


_T = TypeVar("_T")
UNITS: TypeAdapter[Decimal] = TypeAdapter(InputUnits)
PAST: TypeAdapter[date] = TypeAdapter(PastDate)
MAX_AGE_YEARS = 120
"""A birth date further back than this is a typo, not a clinician."""


def invalid_input(exc: ValidationError) -> InvalidInputError:
    """A pydantic error as ``InvalidInputError``: one line, each field named."""
    field, _, problem = describe_validation(exc).partition(": ")
    return InvalidInputError(field, problem)


def checked(field: str, check: Callable[..., _T], value: Any, **options: Any) -> _T:
    """``check(value, **options)``, its ``ValueError`` raised as ``InvalidInputError(field)``."""
    try:
        return check(value, **options)
    except ValidationError as exc:
        raise InvalidInputError(field, describe_validation(exc).partition(": ")[2]) from None
    except ValueError as exc:
        raise InvalidInputError(field, str(exc)) from None


def request_of(clinician_id: str, credit: CreditState) -> EarnRequest:
    """The earn request that records ``credit`` as it stands (amendments compare to it)."""
    return EarnRequest(
        clinician_id=clinician_id,
        credit_type=credit.credit_type,
        units=credit.units,
        completed_on=credit.completed_on,
        provider=credit.provider,
        accreditor=credit.accreditor,
        activity_id=credit.activity_id,
        title=credit.title,
        topics=credit.topics,
        format=credit.format,
        designated_units=credit.designated_units,
        evidence=credit.evidence,
        topic_units=dict(credit.topic_units),
    )


def differences(credit: CreditState, request: EarnRequest) -> dict[str, tuple[Any, Any]]:
    """The amendable fields where ``request`` says something else than ``credit``:
    {field: (recorded, requested)}, values in JSON form (compared typed: 5.0 is 5)."""
    out: dict[str, tuple[Any, Any]] = {}
    for name in AMENDABLE_FIELDS:
        recorded, requested = getattr(credit, name), getattr(request, name)
        if recorded != requested:
            out[name] = (to_jsonable_python(recorded), to_jsonable_python(requested))
    return out


def parse_requirement_header(document: dict[str, Any]) -> RequirementHeader:
    try:
        return RequirementHeader.model_validate(document)
    except ValidationError as exc:
        details = "; ".join(
            f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors()
        )
        raise RuleError(f"requirement document is invalid: {details}") from None


def condition_keys(document: Any) -> set[str]:
    """Licence attribute names a requirement document conditions on (only_if / unless, and
    a required certification's ``accepts_attributes`` stand-in)."""
    keys: set[str] = set()
    if isinstance(document, dict):
        for name, value in document.items():
            if name in ("only_if", "unless", "accepts_attributes") and isinstance(value, dict):
                keys.update(str(k) for k in value)
            else:
                keys |= condition_keys(value)
    elif isinstance(document, list):
        for item in document:
            keys |= condition_keys(item)
    return keys


def check_birth_date(birth_date: date, issued_on: date) -> None:
    """A birth date that can be a clinician's: past, within ``MAX_AGE_YEARS``, before issue."""
    checked("birth_date", PAST.validate_python, birth_date)
    today = date.today()
    oldest = today.replace(year=today.year - MAX_AGE_YEARS, day=min(today.day, 28))
    if birth_date < oldest:
        raise InvalidInputError(
            "birth_date", f"{birth_date} is more than {MAX_AGE_YEARS} years ago; check the year"
        )
    if birth_date >= issued_on:
        raise InvalidInputError(
            "birth_date", f"{birth_date} is not before the licence was issued ({issued_on})"
        )

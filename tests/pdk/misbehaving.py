"""Small real plugins for the isolation tests: one well-behaved, the others broken on purpose.

Each is an object with ``@hookimpl`` methods, registered under a name by the test, so
every error message can be checked for that name and the hook.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any

from credtrail.core import (
    Accreditor,
    Citation,
    CreditDraft,
    CreditType,
    Profession,
    Registry,
    Violation,
    hookimpl,
)

SOURCE = Citation(
    authority="Test Board",
    document="Isolation test rules",
    section="§1",
    date_read=date(2026, 11, 23),
)

OPTOMETRY_TYPE = CreditType(
    code="cope_hour",
    label="COPE hour",
    profession="optometrist",
    unit="hour",
    increment=Decimal("0.5"),
    accreditors=("ARBO",),
    source=SOURCE,
)


def requirement(**changes: Any) -> dict[str, Any]:
    """A minimal, valid requirement document (header only) with ``changes`` applied."""
    document: dict[str, Any] = {
        "id": "xx-optometry",
        "authority": "XX-BOO",
        "version": "2025",
        "effective_from": "2025-01-01",
        "source": SOURCE.model_dump(mode="json"),
    }
    document.update(changes)
    return document


class Optometry:
    """A correct profession plugin: optometrists, COPE hours from ARBO providers."""

    @hookimpl
    def credtrail_register_professions(self, register: Callable[[Profession], None]) -> None:
        register(Profession(code="optometrist", label="Optometrist"))

    @hookimpl
    def credtrail_register_accreditors(self, register: Callable[[Accreditor], None]) -> None:
        register(Accreditor(code="ARBO", name="ARBO / COPE", source=SOURCE))

    @hookimpl
    def credtrail_register_credit_types(self, register: Callable[[CreditType], None]) -> None:
        register(OPTOMETRY_TYPE)

    @hookimpl
    def credtrail_validate_credit(self, credit: CreditDraft, registry: Registry) -> list[Violation]:
        if credit.credit_type != OPTOMETRY_TYPE.code or credit.units <= 20:
            return []
        return [Violation(field="units", rule="cope-max-20", message="at most 20", source=SOURCE)]


class RaisesOnRegister:
    @hookimpl
    def credtrail_register_credit_types(self, register: Callable[[CreditType], None]) -> None:
        raise RuntimeError("data file missing")


class RegistersGarbage:
    def __init__(self, garbage: object) -> None:
        self.garbage = garbage

    @hookimpl
    def credtrail_register_credit_types(self, register: Callable[[Any], None]) -> None:
        register(self.garbage)


class RegistersTwice:
    """Registers the optometry credit type again (a duplicate of Optometry's)."""

    @hookimpl
    def credtrail_register_credit_types(self, register: Callable[[CreditType], None]) -> None:
        register(OPTOMETRY_TYPE)


class RegistersProfessionWithTwoArguments:
    @hookimpl
    def credtrail_register_professions(self, register: Callable[..., None]) -> None:
        register(Profession(code="dietitian", label="Dietitian"), "extra")


class RegistersRuleKindWithoutEvaluator:
    @hookimpl
    def credtrail_register_rule_kinds(self, register: Callable[..., None]) -> None:
        register("weighted-sum")


class RegistersRequirement:
    """Registers ``document`` and keeps a reference to it (to mutate it afterwards)."""

    def __init__(self, document: Any) -> None:
        self.document = document

    @hookimpl
    def credtrail_register_requirements(self, register: Callable[[Any], None]) -> None:
        register(self.document)


class OptometryBoard:
    """The authority the sample requirement document names."""

    @hookimpl
    def credtrail_register_authorities(self, register: Callable[[Any], None]) -> None:
        register(
            {
                "code": "XX-BOO",
                "name": "Board of Optometry",
                "professions": ["optometrist"],
                "source": SOURCE.model_dump(mode="json"),
            }
        )


class ValidationReturns:
    """``credtrail_validate_credit`` returns ``result`` (or raises it, if an exception)."""

    def __init__(self, result: Any) -> None:
        self.result = result

    @hookimpl
    def credtrail_validate_credit(self, credit: CreditDraft, registry: Registry) -> Any:
        if isinstance(self.result, BaseException):
            raise self.result
        return self.result


class WrongArgumentName:
    @hookimpl
    def credtrail_validate_credit(self, draft: CreditDraft) -> None:
        return None


class MisspelledHook:
    @hookimpl
    def credtrail_register_credit_type(self, register: Callable[[CreditType], None]) -> None:
        return None

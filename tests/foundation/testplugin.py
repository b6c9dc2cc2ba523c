"""A small, real profession plugin for core tests: core must work with any profession."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal

from credtrail.core import (
    Accreditor,
    Authority,
    Citation,
    CreditDraft,
    CreditType,
    Equivalence,
    Profession,
    Registry,
    Topic,
    Violation,
    hookimpl,
)

SOURCE = Citation(authority="Test Board", document="Rules for tests", date_read=date(2026, 11, 23))


class Dentistry:
    """Dentists: 'cde' hours in 0.5 steps from ADA-accredited providers, and 'self' hours."""

    @hookimpl
    def credtrail_register_professions(self, register: Callable[[Profession], None]) -> None:
        register(Profession(code="dentist", label="Dentist"))

    @hookimpl
    def credtrail_register_accreditors(self, register: Callable[[Accreditor], None]) -> None:
        register(Accreditor(code="ADA", name="ADA CERP", source=SOURCE))

    @hookimpl
    def credtrail_register_topics(self, register: Callable[[Topic], None]) -> None:
        register(Topic(code="infection-control", description="infection-control"))
        register(Topic(code="ethics", description="ethics"))

    @hookimpl
    def credtrail_register_credit_types(self, register: Callable[[CreditType], None]) -> None:
        register(
            CreditType(
                code="cde",
                label="CDE hour",
                profession="dentist",
                unit="hour",
                increment=Decimal("0.5"),
                accreditors=("ADA",),
                source=SOURCE,
            )
        )
        register(
            CreditType(
                code="self_study",
                label="Self-study hour",
                profession="dentist",
                unit="hour",
                increment=Decimal("0.25"),
                requires_accreditor=False,
                source=SOURCE,
            )
        )

    @hookimpl
    def credtrail_register_authorities(self, register: Callable[[Authority], None]) -> None:
        register(
            Authority(
                code="XX-BOD", name="Board of Dentistry", professions=("dentist",), source=SOURCE
            )
        )

    @hookimpl
    def credtrail_register_equivalences(self, register: Callable[[Equivalence], None]) -> None:
        register(
            Equivalence(from_type="self_study", to_type="cde", ratio=Decimal("0.5"), source=SOURCE)
        )

    @hookimpl
    def credtrail_validate_credit(self, credit: CreditDraft, registry: Registry) -> list[Violation]:
        if registry.credit_type_owner(credit.credit_type) != "dentistry":
            return []
        if credit.units > 40:
            return [
                Violation(
                    field="units",
                    rule="cde-daily-limit",
                    message=f"{credit.units} hours exceed the 40-hour limit per activity",
                    source=SOURCE,
                )
            ]
        return []

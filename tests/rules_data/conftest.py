"""Fixtures for the built-in requirement data: the real registry, credits, licences.

These tests judge the requirement documents the plugins ship (``plugins/*/rules``),
so the registry is the one the three built-in plugins build, never a hand-made one.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pytest

from credtrail.core.domain import CreditState, LicenseState
from credtrail.core.plugins import build_plugin_manager
from credtrail.core.registry import Registry, build_registry
from credtrail.core.rules.evaluate import evaluate
from credtrail.core.rules.result import Evaluation
from credtrail.plugins import builtin_plugins

ACCREDITOR_OF_TYPE = {
    "ama_pra_1": "ACCME",
    "aapa_1": "AAPA",
    "ancc_contact_hour": "ANCC",
    "aanp_contact_hour": "AANP",
}
"""An accreditor the type accepts (types missing here are self-claimed)."""

_CREDIT_NUMBERS = itertools.count(1)
"""Credit ids are unique across every ledger a test builds, as in a real store."""


@pytest.fixture(scope="session")
def registry() -> Registry:
    """What the three built-in plugins register, rule documents included."""
    pm = build_plugin_manager(builtin_plugins(), load_entrypoints=False)
    return build_registry(pm)


def documents(registry: Registry, requirement: str) -> list[dict[str, Any]]:
    """Every built-in version of one requirement, as registered."""
    found = [doc for doc in registry.requirements.values() if doc["id"] == requirement]
    assert found, f"no built-in requirement {requirement!r}"
    return found


@dataclass
class Ledger:
    """The credits of one clinician, built tersely for a scenario."""

    credits: list[CreditState] = field(default_factory=list)

    def earn(
        self,
        credit_type: str,
        units: str | int,
        on: date,
        *topics: str,
        fmt: str | None = None,
        activity: str | None = None,
        claim: tuple[str, date] | None = None,
    ) -> CreditState:
        """Record a credit; ``claim=(authority, date)`` claims all of it there."""
        n = next(_CREDIT_NUMBERS)
        amount = Decimal(str(units))
        credit = CreditState(
            credit_id=f"c{n}",
            credit_type=credit_type,
            units=amount,
            completed_on=on,
            provider="Test CME Provider",
            accreditor=ACCREDITOR_OF_TYPE.get(credit_type),
            activity_id=activity or f"act-{n}",
            title=None,
            topics=tuple(topics),
            format=fmt,
            designated_units=None,
            evidence=None,
            natural_key=f"key-{n}",
            recorded_at=datetime(2026, 11, 23, tzinfo=UTC),
            claims={claim[0]: amount} if claim else {},
            claim_dates={claim[0]: claim[1]} if claim else {},
        )
        self.credits.append(credit)
        return credit

    def without(self, *credits: CreditState) -> list[CreditState]:
        gone = {c.credit_id for c in credits}
        return [c for c in self.credits if c.credit_id not in gone]


def license_for(
    requirement: str,
    issued: date,
    expires: date | None = None,
    *,
    birth: date | None = None,
    **attributes: str,
) -> LicenseState:
    """A licence subjecting the clinician to ``requirement``; attributes use ``_`` for ``-``."""
    return LicenseState(
        license_id=f"lic-{requirement}",
        requirement_id=requirement,
        issued_on=issued,
        expires_on=expires,
        birth_date=birth,
        number=None,
        attributes={k.replace("_", "-"): v for k, v in attributes.items()},
    )


Judge = Callable[..., Evaluation]


@pytest.fixture
def judge(registry: Registry) -> Judge:
    """``judge(requirement, credits, licence, on=..., cycle_start=...)`` with the built-ins."""

    def run(
        requirement: str,
        credits: Iterable[CreditState],
        license: LicenseState,
        *,
        on: date,
        cycle_start: date | None = None,
    ) -> Evaluation:
        return evaluate(
            documents(registry, requirement),
            list(credits),
            license,
            registry,
            on=on,
            cycle_start=cycle_start,
        )

    return run

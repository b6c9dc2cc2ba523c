"""Fixtures for the built-in plugins' tests: the registry and a SQLite-backed app.

Validation does not depend on the backend, so these tests run on SQLite only; the
backend suites run the same application code on PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pluggy
import pytest

from credtrail.core.application import Credtrail, EarnRequest
from credtrail.core.errors import CreditRejectedError
from credtrail.core.registry import Registry, build_registry


@pytest.fixture
def registry(pm: pluggy.PluginManager) -> Registry:
    """What the three built-in plugins register together."""
    return build_registry(pm)


@pytest.fixture
def ledger(tmp_path: Path, pm: pluggy.PluginManager) -> Iterator[Credtrail]:
    """A Credtrail on a new SQLite store with one clinician per built-in profession."""
    app = Credtrail.open(str(tmp_path / "t.db"), pm, create=True)
    try:
        app.add_clinician("dr-a", "physician")
        app.add_clinician("rn-a", "nurse")
        app.add_clinician("pa-a", "pa")
        yield app
    finally:
        app.close()


MakeRequest = Callable[..., EarnRequest]
Rejections = Callable[[EarnRequest], set[str]]


@pytest.fixture
def make_request() -> MakeRequest:
    """Build an EarnRequest: ``make_request(clinician, type, units, **fields)``."""
    counter = iter(range(1_000_000))

    def build(clinician: str, credit_type: str, units: str | int, **fields: Any) -> EarnRequest:
        values: dict[str, Any] = {
            "clinician_id": clinician,
            "credit_type": credit_type,
            "units": Decimal(str(units)),
            "completed_on": date(2025, 3, 1),
            "provider": "Test CME Provider",
            "activity_id": f"act-{next(counter)}",
        }
        values.update(fields)
        return EarnRequest(**values)

    return build


@pytest.fixture
def rejections(ledger: Credtrail) -> Rejections:
    """``rejections(request)``: the rule slugs ``ledger.earn`` rejects it with.

    Fails the test if the credit is accepted, or if the rejection wrote anything.
    """

    def reject(req: EarnRequest) -> set[str]:
        before = ledger.ledger(req.clinician_id).version
        with pytest.raises(CreditRejectedError) as info:
            ledger.earn(req)
        assert ledger.ledger(req.clinician_id).version == before
        return {v.rule for v in info.value.violations}

    return reject

"""Compliance as concluded at a past instant: credits and rule versions known then."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from credtrail.core.application import Credtrail
from credtrail.core.audit.asof import AsOf
from credtrail.core.audit.compliance import standings
from credtrail.core.clock import frozen_at

from .conftest import at, record_history

BOARD_V1: dict[str, Any] = {
    "id": "test-board",
    "authority": "CA-MBC",
    "title": "Test board: 5 hours AMA PRA Category 1 every two calendar years",
    "professions": ["physician"],
    "version": "v1",
    "effective_from": "2024-01-01",
    "counts": "earned",
    "credit_types": ["ama_pra_1"],
    "source": {
        "authority": "credtrail tests",
        "document": "tests/audit",
        "date_read": "2026-11-23",
    },
    "cycle": {"kind": "fixed", "anchor": "2024-01-01", "length_months": 24},
    "total": {"units": 5},
}
# Published in March 2026, effective (retroactively) from 2024: 10 hours.
BOARD_V2 = {**BOARD_V1, "version": "v2", "total": {"units": 10}}


@pytest.fixture
def board(app: Credtrail) -> dict[str, str]:
    """dr-lee's history, licensed under test-board v1 (2024); v2 recorded in 2026."""
    with frozen_at(at("2024-01-05")):
        app.record_requirement(BOARD_V1)
    ids = record_history(app, license_for="test-board")
    with frozen_at(at("2026-03-01")):
        app.record_requirement(BOARD_V2)
    return ids


def standing(app: Credtrail, instant: str, on: date | None = None) -> Any:
    view = AsOf(app.store, at(instant))
    (result,) = standings(view, view.ledger("dr-lee"), app.registry, on=on)
    return result


def test_mid_cycle_standing_counts_only_credit_known_then(
    app: Credtrail, board: dict[str, str]
) -> None:
    """Mid-2025: the revoked credit is gone, the late one unknown: 2 of 5, in progress."""
    result = standing(app, "2025-06-30")
    assert result.known_versions == ("v1",)
    assert result.evaluation is not None
    assert (result.evaluation.status, result.evaluation.counted) == ("in_progress", Decimal(2))
    assert result.evaluation.version == "v1"


def test_late_record_changes_the_conclusion_for_the_same_day(
    app: Credtrail, board: dict[str, str]
) -> None:
    """Judging 2025-12-31: as known in Feb 2026 (late credit in, v1) compliant; as known
    after v2 was published, 4 hours short of 10 on the cycle's last day."""
    before = standing(app, "2026-02-01", on=date(2025, 12, 31))
    assert before.evaluation is not None
    assert (before.evaluation.status, before.evaluation.counted) == ("compliant", Decimal(6))
    after = standing(app, "2026-06-30", on=date(2025, 12, 31))
    assert after.known_versions == ("v1", "v2")
    assert after.evaluation is not None
    assert (after.evaluation.version, after.evaluation.status) == ("v2", "in_progress")
    assert after.evaluation.missing == (("total", Decimal(4)),)
    assert after.as_dict()["evaluation"]["source"]["document"] == "tests/audit"


def test_licence_not_yet_recorded_has_no_standing(app: Credtrail, board: dict[str, str]) -> None:
    """Before the licence was recorded there is nothing to judge; after, there is."""
    view = AsOf(app.store, at("2024-01-10", hour=13))
    assert len(standings(view, view.ledger("dr-lee"), app.registry)) == 1
    app.end_license("dr-lee", "test-board#1", date(2024, 6, 30))
    view = AsOf(app.store, at("2030-01-01"))
    assert standings(view, view.ledger("dr-lee"), app.registry, on=date(2025, 1, 1)) == []


def test_a_licence_ended_on_the_day_judged_still_has_its_standing(
    app: Credtrail, board: dict[str, str]
) -> None:
    """Held through its end day (as status and the report say): judged on it, not after."""
    with frozen_at(at("2026-04-01")):
        (lic,) = app.ledger("dr-lee").licenses
        app.end_license("dr-lee", lic, date(2025, 6, 30), "moved")
    view = AsOf(app.store, at("2026-05-01"))
    ledger = view.ledger("dr-lee")
    assert len(standings(view, ledger, app.registry, on=date(2025, 6, 30))) == 1
    assert standings(view, ledger, app.registry, on=date(2025, 7, 1)) == []

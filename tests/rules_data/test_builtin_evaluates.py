"""Every built-in requirement can be evaluated, and nothing is met by an empty ledger."""

from __future__ import annotations

from datetime import date

import pytest

from credtrail.core.plugins import build_plugin_manager
from credtrail.core.registry import Registry, build_registry
from credtrail.plugins import builtin_plugins

from .conftest import Judge, license_for

REQUIREMENT_IDS = build_registry(
    build_plugin_manager(builtin_plugins(), load_entrypoints=False)
).requirement_ids()


@pytest.mark.parametrize("requirement", REQUIREMENT_IDS)
@pytest.mark.parametrize("on", [date(2019, 6, 1), date(2025, 6, 1)])
def test_empty_ledger_is_never_compliant(
    judge: Judge, registry: Registry, requirement: str, on: date
) -> None:
    """A licence held for years, no credit: the current cycle is in progress with parts missing."""
    licence = license_for(
        requirement, date(2012, 1, 15), date(2026, 12, 31), birth=date(1975, 4, 20)
    )
    result = judge(requirement, [], licence, on=on)
    assert result.requirement == requirement
    assert result.cycle_start <= on <= result.cycle_end
    applies = [p for p in result.parts if p.required and p.status != "not-applicable"]
    if not applies:
        # Nothing asked of a licence without attributes (DEA before 2023-06-27; a state
        # without CE, or with APRN additions only).
        assert result.status == "exempt"
        assert not result.missing
        return
    assert result.status in ("in_progress", "deficient")
    assert result.missing, "something must be missing with no credit at all"
    assert date(2026, 11, 23) <= result.source.date_read <= date.today()  # read, then encoded

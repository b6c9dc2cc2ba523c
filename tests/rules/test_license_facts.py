"""A licence is refused without the fact its requirement counts cycles from, and every
built-in requirement's cycles can be placed from exactly the facts it is said to need."""

from __future__ import annotations

import itertools
from datetime import date
from pathlib import Path

import pytest

from credtrail.core.domain import LicenseState
from credtrail.core.errors import RuleError
from credtrail.core.rules import cycle_windows, load_requirement, read_requirement_file
from credtrail.core.rules.cycles import LicenseFact, license_facts_needed
from credtrail.plugins import builtin_plugins

RULE_FILES = sorted(
    path
    for _name, plugin in builtin_plugins()
    for path in (getattr(plugin, "folder", Path()) / "rules").glob("*.toml")
)

ALL_FACTS: dict[LicenseFact, object] = {
    "expires_on": date(2027, 6, 30),
    "birth_date": date(1975, 3, 14),
    "number": "A12344",
}


def licence_with(facts: frozenset[LicenseFact]) -> LicenseState:
    given = {fact: (ALL_FACTS[fact] if fact in facts else None) for fact in ALL_FACTS}
    return LicenseState(license_id="x#1", requirement_id="x", issued_on=date(2018, 2, 1), **given)


@pytest.mark.parametrize("path", RULE_FILES, ids=lambda p: p.name)
def test_each_built_in_cycle_is_placed_from_the_facts_it_needs_and_not_without_them(
    path: Path,
) -> None:
    """With the needed facts the cycles compute; with any one of them missing they cannot."""
    cycle = load_requirement(read_requirement_file(path)).cycle
    needed = license_facts_needed(cycle)
    windows = cycle_windows(cycle, licence_with(needed), date(2026, 12, 7))
    assert list(itertools.islice(windows, 3))
    for fact in needed:
        with pytest.raises(RuleError):
            list(
                itertools.islice(
                    cycle_windows(cycle, licence_with(needed - {fact}), date(2026, 12, 7)), 3
                )
            )


def test_the_built_in_requirements_need_each_kind_of_fact() -> None:
    """Expiry- and birthday-anchored cycles occur in the shipped rules (none uses the
    parity of a licence number today)."""
    needed = set().union(
        *(
            license_facts_needed(load_requirement(read_requirement_file(p)).cycle)
            for p in RULE_FILES
        )
    )
    assert needed == {"expires_on", "birth_date"}

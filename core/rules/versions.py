"""Which version of a requirement governs a cycle, and which cycle a day falls in.

Versions are ordered by ``effective_from``; each governs the cycles its own
``version_policy`` selects (``docs/rules.md`` "Versions").
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from typing import Any

from credtrail.core.domain import CreditState, LicenseState
from credtrail.core.errors import InputError, RuleError
from credtrail.core.rules.cycles import (
    WindowSource,
    cycle_containing,
    cycle_starting,
    cycle_windows,
)
from credtrail.core.rules.kinds import CycleWindow
from credtrail.core.rules.model import RequirementVersion, RollingCycle, load_requirement

Document = RequirementVersion | Mapping[str, Any]
Credits = Mapping[str, CreditState] | Iterable[CreditState]


def as_versions(documents: Iterable[Document]) -> list[RequirementVersion]:
    """Validate documents; versions ordered by ``effective_from`` (recording order kept)."""
    versions = [d if isinstance(d, RequirementVersion) else load_requirement(d) for d in documents]
    if not versions:
        raise RuleError("no version of this requirement is known")
    ids = {v.id for v in versions}
    if len(ids) > 1:
        raise RuleError(f"versions of different requirements mixed: {', '.join(sorted(ids))}")
    return sorted(versions, key=lambda v: v.effective_from)


def version_in_force(versions: Sequence[RequirementVersion], on: date) -> RequirementVersion:
    """The latest version effective on ``on`` (the earliest if none is yet)."""
    current = [v for v in versions if v.effective_from <= on]
    return current[-1] if current else versions[0]


def select_version(
    versions: Sequence[RequirementVersion], window: CycleWindow, policy: str | None = None
) -> RequirementVersion:
    """The version governing ``window``: the latest whose ``effective_from`` the window's
    governing date has reached, each version looking at the date its own
    ``version_policy`` names (Texas RN: v2 binds cycles that *start* after 2014-01-01,
    v3 renewals on or after 2020-09-01); ``policy`` overrides them all."""
    current = [
        v
        for v in versions
        if v.effective_from <= governing_date(window, policy or v.version_policy)
    ]
    return current[-1] if current else versions[0]


def governing_date(window: CycleWindow, policy: str) -> date:
    """The date a version policy looks at: the cycle's start, end, or recorded renewal."""
    if policy == "cycle-start":
        return window.start
    if policy == "renewal-date":
        return window.renewed_on or window.end
    return window.end


def resolve(
    documents: Iterable[Document],
    license: LicenseState,
    on: date,
    cycle_start: date | None = None,
) -> tuple[RequirementVersion, CycleWindow]:
    """The version and cycle to judge on ``on`` (or the cycle starting ``cycle_start``).

    The cycle comes from the version in force on ``on``; the version from the cycle,
    by policy. Should the two versions define cycles differently, the governing
    version's cycle is used.
    """
    return resolve_in(as_versions(documents), license, on, cycle_start, cycle_windows)


def resolve_in(
    versions: list[RequirementVersion],
    license: LicenseState,
    on: date,
    cycle_start: date | None,
    windows: WindowSource,
) -> tuple[RequirementVersion, CycleWindow]:
    guess = version_in_force(versions, on)
    try:
        for _ in range(2):
            if cycle_start is None:
                window = cycle_containing(guess.cycle, license, on, windows)
            else:
                window = cycle_starting(guess.cycle, license, cycle_start, on, windows)
            chosen = select_version(versions, window)
            if chosen.cycle == guess.cycle:
                return chosen, window
            guess = chosen
        return guess, window
    except InputError:
        if cycle_start is None:
            raise
        # The cycle may belong to an older version that defined cycles differently
        # (Ohio HB 166 moved cycles from expiry to issue anniversaries).
        for version, window in license_cycles(versions, license, max(on, cycle_start)):
            if window.start == cycle_start:
                return version, window
        raise


def license_cycles(
    documents: Iterable[Document], license: LicenseState, until: date
) -> list[tuple[RequirementVersion, CycleWindow]]:
    """Every cycle of ``license`` up to the one containing ``until``, oldest first, each
    with the version governing it.

    When versions define cycles differently, each contributes the cycles it governs
    (by the version policy), so a rule change that moves the cycle anchor keeps the
    old cycles judged by the old rule. Cycles of two such versions may overlap at the
    transition, as the boards' own transitions do.
    """
    versions = as_versions(documents)
    found: dict[date, tuple[RequirementVersion, CycleWindow]] = {}
    seen_cycles: list[Any] = []
    for version in versions:
        if isinstance(version.cycle, RollingCycle) or version.cycle in seen_cycles:
            continue
        seen_cycles.append(version.cycle)
        for window in cycle_windows(version.cycle, license, until):
            governing = select_version(versions, window)
            if governing.cycle == version.cycle:
                found.setdefault(window.start, (governing, window))
            if window.end >= until:
                break
    return [found[start] for start in sorted(found)]

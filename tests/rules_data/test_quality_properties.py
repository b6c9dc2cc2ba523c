"""Properties of the data-quality views: staleness and coverage, over the built-in rules."""

from __future__ import annotations

from datetime import date

from hypothesis import given, settings
from hypothesis import strategies as st

from credtrail.cli.requirements import US_JURISDICTIONS, coverage, is_stale, latest, oldest_read
from credtrail.core.plugins import build_plugin_manager
from credtrail.core.registry import build_registry
from credtrail.core.rules.dates import add_months
from credtrail.plugins import builtin_plugins

REGISTRY = build_registry(build_plugin_manager(builtin_plugins(), load_entrypoints=False))
LATEST = latest(REGISTRY.requirements.values())
IDS = sorted(LATEST)

days = st.dates(min_value=date(2020, 1, 1), max_value=date(2040, 12, 31))


@settings(max_examples=60, deadline=None)
@given(rid=st.sampled_from(IDS), on=days, months=st.integers(min_value=2, max_value=240))
def test_stale_with_more_months_is_stale_with_fewer(rid: str, on: date, months: int) -> None:
    """Read more than N months ago implies read more than N-1 months ago; the cut is exact."""
    version = LATEST[rid]
    if is_stale(version, on, months):
        assert is_stale(version, on, months - 1)
    assert is_stale(version, on, months) == (oldest_read(version) < add_months(on, -months))


@settings(max_examples=40, deadline=None)
@given(chosen=st.sets(st.sampled_from(IDS)))
def test_coverage_has_one_row_per_cell_and_lists_each_chosen_rule(chosen: set[str]) -> None:
    """Whatever is recorded, every jurisdiction x profession appears once; rules land in theirs."""
    rows = coverage([LATEST[i] for i in chosen], REGISTRY)
    cells = [(r.jurisdiction, r.profession) for r in rows]
    assert len(cells) == len(set(cells)) == len(US_JURISDICTIONS) * len(REGISTRY.professions)
    listed = {rid for r in rows for rid in r.requirements}
    assert listed == chosen
    for r in rows:
        assert r.encoded == (r.confidence is not None) == (r.date_read is not None)
        for rid in r.requirements:
            assert r.profession in LATEST[rid].professions
            jurisdiction = REGISTRY.authorities[LATEST[rid].authority].jurisdiction
            assert r.jurisdiction == jurisdiction

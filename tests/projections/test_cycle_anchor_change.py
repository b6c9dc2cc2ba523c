"""A rule change that moves the cycle anchor (Ohio HB 166, 2019-10-17) keeps every
cycle judged: old cycles by the old rule, new ones by the new rule, no error rows."""

from __future__ import annotations

from datetime import date

from credtrail.core.application import Credtrail
from credtrail.core.projections import Views


def test_ohio_cycles_on_both_sides_of_hb166_are_judged_by_their_own_version(
    app: Credtrail,
) -> None:
    """v1 (expiry-anchored, 100 h) before 2019-10-17, v2 (issue-anchored, 50 h) after."""
    app.sync_builtin_requirements()
    app.add_clinician("oh-1", "physician")
    app.add_license("oh-1", "us-oh-physician", date(2015, 3, 1), expires_on=date(2021, 3, 1))
    rows = Views.of(app).compliance("oh-1", "us-oh-physician")
    assert rows, "the view holds the licence's cycles"
    assert [r for r in rows if "error" in r.explanation] == []
    by_version = {r.explanation["version"] for r in rows}
    assert by_version >= {"v1", "v2.1"}
    for row in rows:
        version = row.explanation["version"]
        if row.cycle_end < date(2019, 10, 17):
            assert version == "v1"
        elif row.cycle_end < date(2021, 5, 31):
            assert version == "v2.1"
        else:
            assert version == "v3"  # the duty-to-report hour (2021-05-31)

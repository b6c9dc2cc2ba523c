"""Each version decides by its own ``version_policy`` which cycles it governs (Texas RN:
jurisprudence for cycles *beginning* after 2014-01-01, trafficking for *renewals* on or
after 2020-09-01; research.md §2-3)."""

from __future__ import annotations

from datetime import date

from credtrail.core.rules import as_versions, select_version
from credtrail.core.rules.kinds import CycleWindow

from .support import document

TOTAL = {"units": 20}
V1 = document(version="1", effective_from="2010-01-01", total=TOTAL)
V2 = document(version="2", effective_from="2014-01-01", version_policy="cycle-start", total=TOTAL)
V3 = document(version="3", effective_from="2020-09-01", version_policy="renewal-date", total=TOTAL)
VERSIONS = as_versions([V1, V2, V3])


def window(start: date, end: date, renewed_on: date | None = None) -> CycleWindow:
    return CycleWindow(start=start, end=end, number=1, renewed_on=renewed_on)


def test_a_cycle_begun_before_the_change_keeps_the_old_version() -> None:
    """A period begun in 2012 and ending in 2014 is judged by v1; one begun in 2014 by v2."""
    assert select_version(VERSIONS, window(date(2012, 3, 1), date(2014, 2, 28))).version == "1"
    assert select_version(VERSIONS, window(date(2014, 3, 1), date(2016, 2, 29))).version == "2"


def test_a_renewal_date_version_governs_by_the_recorded_renewal() -> None:
    """v3 governs renewals on or after 2020-09-01: by the recorded date, else the end."""
    early = window(date(2018, 9, 1), date(2020, 8, 31), renewed_on=date(2020, 8, 15))
    assert select_version(VERSIONS, early).version == "2"
    late = window(date(2018, 10, 1), date(2020, 9, 30))
    assert select_version(VERSIONS, late).version == "3"


def test_an_explicit_policy_overrides_every_version_s_own() -> None:
    """``policy`` given: every version is looked at by that date."""
    straddling = window(date(2012, 3, 1), date(2014, 2, 28))
    assert select_version(VERSIONS, straddling, "cycle-end").version == "2"

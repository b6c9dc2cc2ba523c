"""Consecutive cycles of one licence neither overlap nor leave a gap, leap days included."""

from __future__ import annotations

import itertools
from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from credtrail.core.domain import LicenseState
from credtrail.core.rules import CycleWindow, cycle_windows
from credtrail.core.rules.model import BirthCycle, LicenseCycle

ONE_DAY = timedelta(days=1)


def licence(expires: date | None = None, birth: date | None = None) -> LicenseState:
    return LicenseState(
        license_id="x#1",
        requirement_id="x",
        issued_on=date(2010, 1, 15),
        expires_on=expires,
        birth_date=birth,
        number=None,
    )


def assert_contiguous(windows: list[CycleWindow]) -> None:
    for before, after in itertools.pairwise(windows):
        assert after.start == before.end + ONE_DAY, (before, after)


def test_cycle_ending_on_a_leap_day_eve_does_not_overlap_the_previous_one() -> None:
    """Expiry 2026-02-28: the cycle ending 2024-02-28 starts 2022-03-01, not 2022-02-28."""
    cycle = LicenseCycle(kind="license", anchor="expiry", period_months=24)
    windows = list(
        itertools.islice(cycle_windows(cycle, licence(date(2026, 2, 28)), date(2030, 1, 1)), 10)
    )
    assert_contiguous(windows)
    spans = {(w.start, w.end) for w in windows}
    assert (date(2022, 3, 1), date(2024, 2, 28)) in spans
    assert (date(2024, 2, 29), date(2026, 2, 28)) in spans


@given(
    expires=st.dates(min_value=date(2012, 1, 1), max_value=date(2040, 12, 31)),
    period=st.sampled_from([12, 24, 36]),
    anchor=st.sampled_from(["expiry", "issue"]),
    end_of=st.sampled_from(["day", "month"]),
)
def test_license_cycles_tile_time(expires: date, period: int, anchor: str, end_of: str) -> None:
    """Whatever the expiry and period, each cycle starts the day after the previous ended."""
    cycle = LicenseCycle(kind="license", anchor=anchor, period_months=period, end_of=end_of)  # type: ignore[arg-type]
    windows = list(itertools.islice(cycle_windows(cycle, licence(expires), expires), 12))
    assert_contiguous(windows)


@given(birth=st.dates(min_value=date(1940, 1, 1), max_value=date(2000, 12, 31)))
def test_birthday_cycles_tile_time(birth: date) -> None:
    """Birthday-anchored cycles (29 February included) tile time too."""
    cycle = BirthCycle(kind="birth", ends_on="birthday", period_months=24)
    windows = list(
        itertools.islice(cycle_windows(cycle, licence(birth=birth), date(2030, 1, 1)), 12)
    )
    assert_contiguous(windows)

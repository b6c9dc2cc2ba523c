"""Cycle rules: which windows a licence gets, and which one contains a date."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from pydantic import TypeAdapter

from credtrail.core.errors import InputError, RuleError
from credtrail.core.rules import CycleWindow, cycle_containing
from credtrail.core.rules.cycles import cycle_starting, cycle_windows
from credtrail.core.rules.dates import add_months, anniversary, months_in
from credtrail.core.rules.model import Cycle

from .support import license

CYCLE: TypeAdapter[Any] = TypeAdapter(Cycle)


def first(
    cycle: dict[str, Any], lic: Any, n: int = 3, on: date = date(2030, 1, 1)
) -> list[tuple[date, date, int]]:
    out = []
    for window in cycle_windows(CYCLE.validate_python(cycle), lic, on):
        out.append((window.start, window.end, window.number))
        if len(out) == n:
            break
    return out


def test_add_months_clamps_to_month_end() -> None:
    """Moving 31 January by a month lands on the last day of February."""
    assert add_months(date(2023, 1, 31), 1) == date(2023, 2, 28)
    assert add_months(date(2024, 1, 31), 1) == date(2024, 2, 29)
    assert add_months(date(2024, 3, 15), -14) == date(2023, 1, 15)


def test_leap_day_birthday_falls_on_28_february() -> None:
    """A 29 February birthday is 28 February in common years."""
    assert anniversary(date(1980, 2, 29), 2023) == date(2023, 2, 28)
    assert anniversary(date(1980, 2, 29), 2024) == date(2024, 2, 29)


def test_months_in_counts_whole_or_started_months() -> None:
    """Whole months ignore a partial month; 'started' counts it."""
    assert months_in(date(2024, 1, 1), date(2024, 12, 31), started=False) == 12
    assert months_in(date(2024, 3, 10), date(2024, 12, 31), started=False) == 9
    assert months_in(date(2024, 3, 10), date(2024, 12, 31), started=True) == 10


def test_fixed_cycle_pennsylvania_odd_to_even_years() -> None:
    """PA physicians: Jan 1 of an odd year to Dec 31 of the next even year; first is short."""
    cycle = {"kind": "fixed", "anchor": "2023-01-01", "length_months": 24}
    got = first(cycle, license(date(2020, 3, 3)))
    assert got == [
        (date(2020, 3, 3), date(2020, 12, 31), 1),
        (date(2021, 1, 1), date(2022, 12, 31), 2),
        (date(2023, 1, 1), date(2024, 12, 31), 3),
    ]


def test_fixed_cycle_marks_shortened_first_cycle() -> None:
    """A first cycle cut short by licensure says so; later ones do not."""
    cycle = CYCLE.validate_python({"kind": "fixed", "anchor": "2023-01-01", "length_months": 24})
    windows = cycle_windows(cycle, license(date(2020, 3, 3)), date(2030, 1, 1))
    assert next(windows).shortened
    assert not next(windows).shortened


def test_fixed_cycle_illinois_36_months_to_july_31() -> None:
    """Illinois: the 36 months ending 31 July of the renewal year."""
    cycle = {"kind": "fixed", "anchor": "2023-08-01", "length_months": 36}
    got = first(cycle, license(date(2010, 1, 1)), n=1)
    assert got == [(date(2010, 1, 1), date(2011, 7, 31), 1)]
    window = cycle_containing(
        CYCLE.validate_python(cycle), license(date(2010, 1, 1)), date(2025, 1, 1)
    )
    assert (window.start, window.end) == (date(2023, 8, 1), date(2026, 7, 31))


def test_fixed_cycle_by_licence_number_parity() -> None:
    """TX PAs: even licence numbers renew in even years, odd ones in odd years."""
    cycle = {
        "kind": "fixed",
        "anchor": "2024-01-01",
        "length_months": 24,
        "parity_anchors": {"even": "2023-01-01", "odd": "2024-01-01"},
    }
    even = first(cycle, license(date(2023, 1, 1), number="PA1234"), n=1)
    odd = first(cycle, license(date(2023, 1, 1), number="PA1235"), n=1)
    assert even[0][1] == date(2024, 12, 31)
    assert odd[0][1] == date(2023, 12, 31)
    with pytest.raises(RuleError, match="--number"):
        first(cycle, license(date(2023, 1, 1)))


def test_licence_expiry_cycle_texas_24_months() -> None:
    """Texas: the 24-month registration period ending at the licence's expiry."""
    cycle = {"kind": "license", "anchor": "expiry", "period_months": 24}
    lic = license(date(2015, 5, 20), date(2026, 5, 31))
    window = cycle_containing(CYCLE.validate_python(cycle), lic, date(2026, 1, 1))
    assert (window.start, window.end) == (date(2024, 6, 1), date(2026, 5, 31))
    assert window.number == 6


def test_window_longer_than_period_ending_on_a_month_end_starts_on_a_first() -> None:
    """Kansas: the 18 months before a June 30 expiry run from January 1, not December 31."""
    cycle = {"kind": "license", "anchor": "expiry", "period_months": 12, "window_months": 18}
    lic = license(date(2010, 7, 1), date(2026, 6, 30))
    window = cycle_containing(CYCLE.validate_python(cycle), lic, date(2026, 3, 1))
    assert (window.start, window.end) == (date(2025, 1, 1), date(2026, 6, 30))


def test_licence_expiry_needs_expiry_date() -> None:
    """An expiry-anchored cycle on a licence without expiry asks for --expires."""
    cycle = {"kind": "license", "anchor": "expiry", "period_months": 24}
    with pytest.raises(RuleError, match="--expires"):
        first(cycle, license(date(2015, 5, 20)))


def test_nccpa_window_may_1_issue_year_to_dec_31_expiry_year() -> None:
    """NCCPA: expiring 2020 -> 2018-05-01 to 2020-12-31; windows of successive cycles overlap."""
    cycle = {
        "kind": "license",
        "anchor": "expiry",
        "period_months": 24,
        "window_months": 32,
        "end_of": "year",
        "min_first_months": 12,
    }
    lic = license(date(2014, 6, 1), date(2020, 12, 31))
    window = cycle_containing(CYCLE.validate_python(cycle), lic, date(2019, 3, 1))
    assert (window.start, window.end) == (date(2018, 5, 1), date(2020, 12, 31))
    # 2020-06-01 is in both the 2018-2020 and the 2020-2022 windows: the earlier wins.
    window = cycle_containing(CYCLE.validate_python(cycle), lic, date(2020, 6, 1))
    assert window.end == date(2020, 12, 31)


def test_new_certificant_counts_from_issue_date() -> None:
    """NCCPA new certificants: the first cycle runs from the issue date (merged if short)."""
    cycle = {
        "kind": "license",
        "anchor": "expiry",
        "period_months": 24,
        "window_months": 32,
        "end_of": "year",
        "min_first_months": 12,
    }
    got = first(cycle, license(date(2018, 6, 15), date(2020, 12, 31)), n=2)
    assert got == [
        (date(2018, 6, 15), date(2020, 12, 31), 1),
        (date(2020, 5, 1), date(2022, 12, 31), 2),
    ]


def test_licence_issue_anchor_ohio_two_years_after_issue() -> None:
    """Ohio since 2019: a licence expires two years after issue, and so on."""
    cycle = {"kind": "license", "anchor": "issue", "period_months": 24}
    got = first(cycle, license(date(2019, 10, 17)), n=2)
    assert got == [
        (date(2019, 10, 17), date(2021, 10, 16), 1),
        (date(2021, 10, 17), date(2023, 10, 16), 2),
    ]


def test_birthday_cycle_massachusetts() -> None:
    """Massachusetts: biennial, expiring on the birthday."""
    cycle = {"kind": "birth", "ends_on": "birthday", "period_months": 24}
    got = first(cycle, license(date(2021, 3, 1), birth=date(1975, 7, 9)), n=2)
    assert got == [
        (date(2021, 3, 1), date(2021, 7, 9), 1),
        (date(2021, 7, 10), date(2023, 7, 9), 2),
    ]


def test_birth_month_cycle_from_second_birthday() -> None:
    """California RNs: due at the end of the birth month, from the 2nd birthday after issue."""
    cycle = {
        "kind": "birth",
        "ends_on": "birth-month-end",
        "period_months": 24,
        "first_after_issue": 2,
    }
    got = first(cycle, license(date(2021, 3, 1), birth=date(1975, 7, 9)), n=2)
    assert got == [
        (date(2021, 3, 1), date(2022, 7, 31), 1),
        (date(2022, 8, 1), date(2024, 7, 31), 2),
    ]


def test_birth_cycle_needs_birth_date() -> None:
    """A birth-anchored cycle on a licence without birth date asks for --birth-date."""
    cycle = {"kind": "birth", "period_months": 24}
    with pytest.raises(RuleError, match="--birth-date"):
        first(cycle, license(date(2021, 3, 1)))


def test_birth_cycle_period_must_be_whole_years() -> None:
    """A birth cycle of 18 months is rejected."""
    with pytest.raises(ValueError, match="multiple of 12"):
        CYCLE.validate_python({"kind": "birth", "period_months": 18})


def test_rolling_window_ends_on_evaluation_date() -> None:
    """A rolling window is the N months before the evaluation date."""
    cycle = CYCLE.validate_python({"kind": "rolling", "months": 36})
    window = cycle_containing(cycle, license(date(2010, 1, 1)), date(2026, 6, 15))
    assert (window.start, window.end) == (date(2023, 6, 16), date(2026, 6, 15))


def test_once_cycle_due_by_earlier_deadline() -> None:
    """A one-time requirement is due by the earlier of N months after issue and expiry."""
    cycle = CYCLE.validate_python({"kind": "once", "within_months": 48, "by_expiry": True})
    window = cycle_containing(cycle, license(date(2020, 1, 1), date(2022, 6, 30)), date(2021, 1, 1))
    assert window == CycleWindow(date(2020, 1, 1), date(2022, 6, 30), 1, None, False)


def test_date_before_issue_is_an_input_error() -> None:
    """Asking for a cycle before the licence was issued says so."""
    cycle = CYCLE.validate_python({"kind": "fixed", "anchor": "2023-01-01", "length_months": 24})
    with pytest.raises(InputError, match="issued on 2020-01-01"):
        cycle_containing(cycle, license(date(2020, 1, 1)), date(2019, 1, 1))


def test_cycle_starting_lists_real_starts_when_wrong() -> None:
    """An explain --cycle date no cycle starts on names cycle starts near it."""
    cycle = CYCLE.validate_python({"kind": "fixed", "anchor": "2023-01-01", "length_months": 24})
    lic = license(date(2020, 1, 1))
    assert cycle_starting(cycle, lic, date(2023, 1, 1), date(2026, 1, 1)).number == 3
    with pytest.raises(InputError, match="2023-01-01"):
        cycle_starting(cycle, lic, date(2023, 2, 1), date(2026, 1, 1))

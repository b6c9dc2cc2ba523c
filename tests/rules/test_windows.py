"""``remembered_windows``: windows worked out once per cycle and licence are exactly
``cycle_windows``'s, however the walks over them interleave and the licence changes."""

from __future__ import annotations

import itertools
from datetime import date, timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import TypeAdapter

from credtrail.core.errors import RuleError
from credtrail.core.rules import cycles as cycles_module
from credtrail.core.rules.cycles import cycle_windows, remembered_windows
from credtrail.core.rules.kinds import CycleWindow
from credtrail.core.rules.model import Cycle

from .support import license

CYCLE: TypeAdapter[Any] = TypeAdapter(Cycle)
ON = date(2040, 1, 1)
PROPERTY = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])

days = st.integers(min_value=0, max_value=365 * 30).map(lambda n: date(1995, 1, 1) + timedelta(n))
cycles = st.one_of(
    st.builds(
        lambda anchor, months, first: {
            "kind": "fixed",
            "anchor": anchor.isoformat(),
            "length_months": months,
            "min_first_months": first,
        },
        days,
        st.sampled_from([12, 24, 36]),
        st.sampled_from([0, 12]),
    ),
    st.builds(
        lambda anchor, period, window, end_of: {
            "kind": "license",
            "anchor": anchor,
            "period_months": period,
            "window_months": window,
            "end_of": end_of,
        },
        st.sampled_from(["expiry", "issue"]),
        st.sampled_from([12, 24]),
        st.sampled_from([None, 32]),
        st.sampled_from(["day", "month", "year"]),
    ),
    st.builds(
        lambda ends_on, period, first: {
            "kind": "birth",
            "ends_on": ends_on,
            "period_months": period,
            "first_after_issue": first,
        },
        st.sampled_from(["birthday", "birth-month-end"]),
        st.sampled_from([12, 24]),
        st.sampled_from([1, 2]),
    ),
    st.builds(lambda months: {"kind": "rolling", "months": months}, st.sampled_from([12, 24])),
)


def head(windows: Any, n: int) -> list[CycleWindow]:
    return list(itertools.islice(windows, n))


@PROPERTY
@given(cycles, days, days, days, st.lists(st.integers(0, 12), min_size=1, max_size=5))
def test_every_walk_sees_the_windows_cycle_windows_gives(
    spec: dict[str, Any], issued: date, expires: date, birth: date, lengths: list[int]
) -> None:
    """Walks of different lengths, one started while another is under way."""
    cycle = CYCLE.validate_python(spec)
    lic = license(issued, max(issued, expires), birth=birth)
    expected = head(cycle_windows(cycle, lic, ON), max(lengths) + len(lengths) + 1)
    outer = remembered_windows(cycle, lic, ON)
    walked: list[CycleWindow] = []
    for n in lengths:
        assert head(remembered_windows(cycle, lic, ON), n) == expected[:n]
        walked.extend(head(outer, 1))
    walked.extend(head(outer, max(0, len(expected) - len(walked))))
    assert walked == expected


def test_a_licence_lacking_what_the_cycle_needs_fails_on_every_walk() -> None:
    lic = license(date(2020, 1, 1))
    cycle = CYCLE.validate_python({"kind": "license", "anchor": "expiry", "period_months": 24})
    for _ in range(2):
        with pytest.raises(RuleError, match="no expiry date"):
            next(remembered_windows(cycle, lic, ON))


def test_a_licence_changed_in_place_gets_its_new_windows() -> None:
    """Renewing moves the expiry date: the windows remembered for the old one do not apply."""
    lic = license(date(2020, 1, 1), date(2022, 6, 30))
    cycle = CYCLE.validate_python({"kind": "license", "anchor": "expiry", "period_months": 24})
    assert head(remembered_windows(cycle, lic, ON), 3) == head(cycle_windows(cycle, lic, ON), 3)
    lic.expires_on = date(2023, 3, 31)
    assert head(remembered_windows(cycle, lic, ON), 3) == head(cycle_windows(cycle, lic, ON), 3)
    assert next(remembered_windows(cycle, lic, ON)).end == date(2021, 3, 31)


def test_only_the_last_pairs_are_remembered() -> None:
    cycle = CYCLE.validate_python({"kind": "fixed", "anchor": "2021-01-01", "length_months": 24})
    for day in range(3 * cycles_module._REMEMBERED_PAIRS):
        lic = license(date(2020, 1, 1) + timedelta(days=day))
        assert head(remembered_windows(cycle, lic, ON), 2) == head(cycle_windows(cycle, lic, ON), 2)
    assert len(cycles_module._REMEMBERED.pairs) == cycles_module._REMEMBERED_PAIRS

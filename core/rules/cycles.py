"""Which cycles a requirement's cycle rule gives one licence, and which contains a date.

Cycles are numbered from 1, the first cycle ending after the licence was issued: that
number is the *renewal number* part schedules use. A window never starts before the
issue date, so the first cycle may be short (``CycleWindow.shortened``).

A licence's recorded renewals (``LicenseState.renewals``) come first: each expiry a
renewal records ends a cycle, whatever the arithmetic says. Before the first recorded
expiry and after the last, the rule's cycle fills in (and a short initial period merges
into the first cycle when the rule's ``min_first_months`` says so).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import date, timedelta
from typing import Literal

from credtrail.core.domain import LicenseState
from credtrail.core.errors import InputError, RuleError
from credtrail.core.rules.dates import (
    ONE_DAY,
    add_months,
    anniversary,
    month_end,
    month_index,
    months_in,
    year_end,
)
from credtrail.core.rules.kinds import CycleWindow
from credtrail.core.rules.model import (
    BirthCycle,
    Cycle,
    FixedCycle,
    LicenseCycle,
    OnceCycle,
    RollingCycle,
)

_MAX_CYCLES = 5000
"""A guard against a runaway search (a 1-month cycle over four centuries)."""


def cycle_windows(cycle: Cycle, license: LicenseState, on: date) -> Iterator[CycleWindow]:
    """Every cycle of ``license`` under ``cycle``, in order; ``on`` ends rolling windows."""
    recorded = {e for r in license.renewals for e in r[1:] if e > license.issued_on}
    if recorded and not isinstance(cycle, RollingCycle | OnceCycle):
        return _recorded_windows(cycle, license)
    return _rule_windows(cycle, license, on)


def _recorded_windows(
    cycle: FixedCycle | LicenseCycle | BirthCycle, license: LicenseState
) -> Iterator[CycleWindow]:
    """Cycles ending on the recorded expiries, the rule's cycles before and after them."""
    issue = license.issued_on
    recorded = {e for r in license.renewals for e in r[1:]}
    if license.expires_on is not None:
        recorded.add(license.expires_on)
    ends = sorted(e for e in recorded if e > issue)
    renewed = {ended: on for on, ended, _ in license.renewals}
    full = _full_months(cycle)
    period = cycle.period_months if not isinstance(cycle, FixedCycle) else cycle.length_months
    # An end the rule puts within half a period of a recorded one is that same renewal.
    near = timedelta(days=period * 365 // 24)
    number = 0
    previous: date | None = None
    as_issued = license.model_copy(update={"expires_on": ends[0], "renewals": []})
    for w in _rule_windows(cycle, as_issued, ends[0]):
        if w.end >= ends[0] - near:
            break
        number += 1
        previous = w.end
        yield replace(w, number=number)
    for end in ends:
        number += 1
        yield _window(previous, end, number, full, period, issue, renewed.get(end))
        previous = end
    assert previous is not None
    after = license.model_copy(update={"expires_on": previous, "renewals": []})
    for w in _rule_windows(cycle, after, previous):
        if w.end <= previous + near:
            continue
        number += 1
        yield _window(previous, w.end, number, full, period, issue, None)
        previous = w.end


def _window(
    previous: date | None,
    end: date,
    number: int,
    full: int,
    period: int,
    issue: date,
    renewed_on: date | None,
) -> CycleWindow:
    raw = _window_start(previous, end, full, period) if previous else issue
    return CycleWindow(max(raw, issue), end, number, full, raw < issue, renewed_on)


def _rule_windows(cycle: Cycle, license: LicenseState, on: date) -> Iterator[CycleWindow]:
    """The cycles the rule's arithmetic gives, from the issue date and the current expiry."""
    issue = license.issued_on
    if isinstance(cycle, RollingCycle):
        end = on if cycle.ends == "evaluation-date" else _expiry(license, "a rolling window")
        raw = add_months(end + ONE_DAY, -cycle.months)
        yield CycleWindow(max(raw, issue), end, 1, cycle.months, raw < issue)
        return
    if isinstance(cycle, OnceCycle):
        ends = []
        if cycle.within_months is not None:
            ends.append(add_months(issue, cycle.within_months) - ONE_DAY)
        if cycle.by_expiry:
            ends.append(_expiry(license, "a one-time requirement due by expiry"))
        yield CycleWindow(issue, min(ends), 1, None, False)
        return
    full = _full_months(cycle)
    min_first = getattr(cycle, "min_first_months", 0)
    number = 0
    for raw_start, end in _raw_windows(cycle, license):
        if end <= issue:
            continue
        if number == 0 and min_first and months_in(issue, end, started=False) < min_first:
            number = -1  # merge: the next window becomes the first and starts at issue
            continue
        if number <= 0:
            start, shortened = (issue, False) if number == -1 else (max(raw_start, issue), None)
            number = 1
            yield CycleWindow(
                start, end, 1, full, raw_start < issue if shortened is None else False
            )
            continue
        number += 1
        yield CycleWindow(max(raw_start, issue), end, number, full, raw_start < issue)


WindowSource = Callable[[Cycle, LicenseState, date], Iterator[CycleWindow]]
"""``cycle_windows`` or a stand-in with the same answers."""


def cycle_containing(
    cycle: Cycle, license: LicenseState, on: date, windows: WindowSource = cycle_windows
) -> CycleWindow:
    """The cycle to judge on ``on``: the earliest one that has not ended by then.

    Windows may overlap (NCCPA's last months belong to two cycles): the earlier wins.
    """
    _not_before_issue(license, on)
    for count, window in enumerate(windows(cycle, license, on)):
        if window.end >= on:
            return window
        if count > _MAX_CYCLES:
            break
    raise RuleError(f"no cycle of this requirement contains {on} for licence {license.license_id}")


def cycle_starting(
    cycle: Cycle,
    license: LicenseState,
    start: date,
    on: date,
    windows: WindowSource = cycle_windows,
) -> CycleWindow:
    """The cycle that starts on ``start`` (``credtrail explain --cycle START``)."""
    seen: list[str] = []
    for count, window in enumerate(windows(cycle, license, on)):
        if window.start == start:
            return window
        seen.append(window.start.isoformat())
        if window.start > start or count > _MAX_CYCLES:
            break
    near = ", ".join(seen[-3:]) or "none"
    raise InputError(
        f"no cycle of licence {license.license_id} starts on {start}; cycles start on e.g. {near}"
    )


def nth_cycle(
    cycle: Cycle,
    license: LicenseState,
    number: int,
    on: date,
    windows: WindowSource = cycle_windows,
) -> CycleWindow | None:
    """Cycle number ``number`` (1 = first), or None for one-window cycle kinds."""
    for window in windows(cycle, license, on):
        if window.number == number:
            return window
        if window.number > number:
            break
    return None


def previous_cycle(
    cycle: Cycle,
    license: LicenseState,
    current: CycleWindow,
    on: date,
    windows: WindowSource = cycle_windows,
) -> CycleWindow | None:
    if current.number <= 1 or isinstance(cycle, RollingCycle | OnceCycle):
        return None
    return nth_cycle(cycle, license, current.number - 1, on, windows)


# ------------------------------------------------------------------------ internals


def _full_months(cycle: Cycle) -> int:
    if isinstance(cycle, FixedCycle):
        return cycle.length_months
    if isinstance(cycle, LicenseCycle | BirthCycle):
        return cycle.window_months or cycle.period_months
    raise AssertionError(cycle)


def _raw_windows(cycle: Cycle, license: LicenseState) -> Iterator[tuple[date, date]]:
    """(start before clamping to issue, end) of the cycles from the one around issue on."""
    issue = license.issued_on
    if isinstance(cycle, FixedCycle):
        anchor = _fixed_anchor(cycle, license)
        length = cycle.length_months
        k = (month_index(issue) - month_index(anchor)) // length - 1
        while True:
            start, nxt = add_months(anchor, k * length), add_months(anchor, (k + 1) * length)
            yield start, nxt - ONE_DAY
            k += 1
    elif isinstance(cycle, LicenseCycle):
        period = cycle.period_months
        window = cycle.window_months or period
        if cycle.anchor == "expiry":
            expiry = _expiry(license, "cycles anchored to the licence expiry")
            k = (month_index(issue) - month_index(expiry)) // period - 1

            def end_at(k: int) -> date:
                return _snap(add_months(expiry, k * period), cycle.end_of)

        else:
            k = 0

            def end_at(k: int) -> date:
                return _snap(add_months(issue, (k + 1) * period) - ONE_DAY, cycle.end_of)

        previous = end_at(k - 1)
        while True:
            end = end_at(k)
            yield _window_start(previous, end, window, period), end
            previous, k = end, k + 1
    elif isinstance(cycle, BirthCycle):
        birth = license.birth_date
        if birth is None:
            raise RuleError(
                f"licence {license.license_id} has no birth date, which this requirement's "
                "birth-anchored cycle needs; register the licence with --birth-date"
            )
        window = cycle.window_months or cycle.period_months
        year, found = issue.year, 0
        while True:
            end = _birth_end(birth, year, cycle.ends_on)
            if end > issue:
                found += 1
                if found == cycle.first_after_issue:
                    break
            year += 1
        step = cycle.period_months // 12
        previous = _birth_end(birth, year - step, cycle.ends_on)
        while True:
            end = _birth_end(birth, year, cycle.ends_on)
            yield _window_start(previous, end, window, cycle.period_months), end
            previous, year = end, year + step
    else:
        raise AssertionError(cycle)


def _window_start(previous_end: date, end: date, window: int, period: int) -> date:
    """Where the window ending ``end`` starts.

    A window as long as the period starts the day after the previous cycle ended, so
    cycles never overlap or leave a gap, even when month arithmetic clamps (a cycle
    ending 2024-02-28 must not start on 2022-02-28, the previous cycle's last day).
    A longer window (NCCPA's 32 months over a 24-month period) overlaps by design.
    """
    if window == period:
        return previous_end + ONE_DAY
    # Counted back from the day after the end, so a window ending on a month's last day
    # starts on a month's first day (18 months to 2026-06-30 start 2025-01-01, where
    # counting back from the 30th would start on 2024-12-31).
    return add_months(end + ONE_DAY, -window)


def _birth_end(birth: date, year: int, ends_on: str) -> date:
    if ends_on == "birthday":
        return anniversary(birth, year)
    return month_end(date(year, birth.month, 1))


def _snap(day: date, end_of: str) -> date:
    if end_of == "month":
        return month_end(day)
    if end_of == "year":
        return year_end(day)
    return day


def _fixed_anchor(cycle: FixedCycle, license: LicenseState) -> date:
    if not cycle.parity_anchors:
        return cycle.anchor
    number = (license.number or "").strip()
    if not number or not number[-1].isdigit():
        raise RuleError(
            f"licence {license.license_id} needs a licence number ending in a digit: this "
            "requirement's cycle depends on its parity; register it with --number"
        )
    parity: Literal["even", "odd"] = "even" if int(number[-1]) % 2 == 0 else "odd"
    anchor = cycle.parity_anchors.get(parity)
    if anchor is None:
        raise RuleError(f"the requirement's cycle has no anchor for {parity} licence numbers")
    return anchor


LicenseFact = Literal["expires_on", "birth_date", "number"]
"""A fact of the licence itself that a cycle may be computed from."""


def license_facts_needed(cycle: Cycle) -> frozenset[LicenseFact]:
    """The licence facts without which ``cycle_windows`` cannot place this cycle.

    Checked when a licence is added, so that a licence whose requirement counts from
    its expiry (or the holder's birthday, or the parity of its number) is refused
    without that fact instead of being recorded and then never judged.
    """
    if isinstance(cycle, RollingCycle):
        return frozenset() if cycle.ends == "evaluation-date" else frozenset({"expires_on"})
    if isinstance(cycle, OnceCycle):
        return frozenset({"expires_on"}) if cycle.by_expiry else frozenset()
    if isinstance(cycle, LicenseCycle):
        return frozenset({"expires_on"}) if cycle.anchor == "expiry" else frozenset()
    if isinstance(cycle, BirthCycle):
        return frozenset({"birth_date"})
    return frozenset({"number"}) if cycle.parity_anchors else frozenset()


def _expiry(license: LicenseState, what: str) -> date:
    if license.expires_on is None:
        raise RuleError(
            f"licence {license.license_id} has no expiry date, which {what} needs; "
            "register the licence with --expires"
        )
    return license.expires_on


def _not_before_issue(license: LicenseState, on: date) -> None:
    if on < license.issued_on:
        raise InputError(
            f"licence {license.license_id} was issued on {license.issued_on}; "
            f"{on} is before it, so no cycle contains it"
        )

"""Calendar arithmetic the cycle rules need (month steps clamp to the month's last day)."""

from __future__ import annotations

import calendar
from datetime import date, timedelta

ONE_DAY = timedelta(days=1)


def add_months(day: date, months: int) -> date:
    """``day`` moved by whole months; the 31st becomes the month's last day if needed."""
    years, month0 = divmod(day.month - 1 + months, 12)
    year = day.year + years
    last = calendar.monthrange(year, month0 + 1)[1]
    return date(year, month0 + 1, min(day.day, last))


def month_end(day: date) -> date:
    return date(day.year, day.month, calendar.monthrange(day.year, day.month)[1])


def year_end(day: date) -> date:
    return date(day.year, 12, 31)


def anniversary(birth: date, year: int) -> date:
    """The birthday in ``year``; 29 February falls on 28 February in common years."""
    if birth.month == 2 and birth.day == 29 and not calendar.isleap(year):
        return date(year, 2, 28)
    return birth.replace(year=year)


def months_in(start: date, end: date, *, started: bool) -> int:
    """Months from ``start`` to ``end`` inclusive: whole ones, or counting a started month."""
    after = end + ONE_DAY
    months = (after.year - start.year) * 12 + after.month - start.month
    if after.day < start.day:
        months -= 1
    if started and add_months(start, months) < after:
        months += 1
    return max(months, 0)


def month_index(day: date) -> int:
    return day.year * 12 + day.month - 1

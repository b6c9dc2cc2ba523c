"""Property: the compliance view materialises the cycle containing today for every
licence in force today, also after the clinician's last recorded fact and after the day
moves into a new cycle, and each such row read equals judging directly on the day."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pluggy
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from credtrail.core.application import Credtrail
from credtrail.core.compliance import licences_in_force
from credtrail.core.projections import Views
from credtrail.core.projections.compliance import ComplianceRow, judge_rows

from .conftest import StoreFactory
from .history import REQUIREMENT, direct, dump, from_views, ops, record, standing_key

CLINICIANS = [f"c{i}" for i in range(4)]


class Clock:
    """A settable ``today`` for the views."""

    def __init__(self, day: date) -> None:
        self.day = day

    def __call__(self) -> date:
        return self.day


def _judged_directly(app: Credtrail, cid: str, day: date) -> list[ComplianceRow]:
    """The standing on ``day`` from the aggregates, by the one judging function."""
    ledger = app.ledger(cid)
    licences = list(ledger.licenses.values())
    out = []
    for lic in licences_in_force(licences, day):
        rid = lic.requirement_id
        documents = {rid: [v.document for v in app.requirement_history(rid).versions]}
        out += judge_rows(
            cid, rid, day, app.registry, licences, list(ledger.credits.values()), documents
        )
    return out


def _check_day(app: Credtrail, views: Views, day: date) -> None:
    """Every licence in force on ``day`` has a row for it; reading equals judging."""
    for cid in CLINICIANS:
        if not app.has_clinician(cid):
            continue
        rows = views.compliance(cid, catch_up=False)
        for lic in licences_in_force(app.ledger(cid).licenses.values(), day):
            covering = [r for r in rows if r.cycle_start <= day <= r.cycle_end]
            if any(r.status == "error" for r in rows if r.requirement_id == lic.requirement_id):
                continue  # the engine refused a cycle of it: no row to read
            assert [r.license_id for r in covering] == [lic.license_id], (cid, day)
        read = views.compliance(cid, on=day, catch_up=False)
        judged = _judged_directly(app, cid, day)
        assert [standing_key(r) for r in read] == [standing_key(r) for r in judged]


@pytest.mark.parametrize("run_clinicians", [1000, 1], ids=["pages", "runs"])
@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    history=st.lists(ops, max_size=25),
    # From today (after every recorded fact) to years on: into later cycles.
    first=st.integers(0, 800),
    moves=st.lists(st.integers(1, 900), min_size=1, max_size=3),
)
def test_today_s_cycle_is_a_row_equal_to_judging_as_the_day_moves_on(
    new_store: StoreFactory,
    pm: pluggy.PluginManager,
    history: list[tuple[Any, ...]],
    first: int,
    moves: list[int],
    run_clinicians: int,
) -> None:
    """After the last fact and as the day moves on, today's cycle is materialised and read
    rows equal direct evaluation; the caught-up view equals a rebuild on the same day.
    Also when a page or a day's move is judged and written one clinician at a time."""
    with new_store() as url:
        app = Credtrail.open(url, pm, create=True)
        try:
            app.sync_builtin_requirements()
            for i in range(4):
                app.add_clinician(f"c{i}", "physician")
            facts = {"expires_on": date(2028, 1, 31), "birth_date": date(1970, 5, 17)}
            app.add_license("c0", REQUIREMENT, date(2020, 3, 1), **facts)
            app.add_license("c1", REQUIREMENT, date(2023, 7, 9), **facts)
            counter = [0]
            clock = Clock(date.today() + timedelta(days=first))
            for op in history:
                if op[0] == "catch-up":
                    Views.of(
                        app,
                        page_size=int(op[1]),
                        workers=1,
                        today=clock,
                        run_clinicians=run_clinicians,
                    ).catch_up()
                else:
                    record(app, op, counter)
            views = Views.of(app, workers=1, today=clock, run_clinicians=run_clinicians)
            views.catch_up()
            _check_day(app, views, clock.day)
            for step in moves:
                clock.day += timedelta(days=step)
                views.catch_up()  # no new event: the day alone moved on
                _check_day(app, views, clock.day)
            assert from_views(views, CLINICIANS) == direct(app, CLINICIANS, clock.day)
            moved_on = dump(views)
            views.rebuild()
            assert dump(views) == moved_on
        finally:
            app.close()


def test_a_read_on_a_later_day_materialises_that_clinician_s_cycle(
    new_store: StoreFactory, pm: pluggy.PluginManager
) -> None:
    """``compliance(cid, on=today)`` in a new cycle writes the row once, then reads it."""
    with new_store() as url:
        app = Credtrail.open(url, pm, create=True)
        try:
            app.sync_builtin_requirements()
            app.add_clinician("c0", "physician")
            app.add_clinician("c1", "physician")
            facts = {"expires_on": date(2028, 1, 31), "birth_date": date(1970, 5, 17)}
            for cid in ("c0", "c1"):
                app.add_license(cid, REQUIREMENT, date(2020, 3, 1), **facts)
            clock = Clock(date.today())
            views = Views.of(app, workers=1, today=clock)
            views.catch_up()
            clock.day = date.today() + timedelta(days=5 * 365)
            later = Views.of(app, workers=1, today=clock)
            before = views.compliance("c0", catch_up=False)
            assert not [r for r in before if r.cycle_start <= clock.day <= r.cycle_end]
            read = later.compliance("c0", on=clock.day)
            assert [standing_key(r) for r in read] == [
                standing_key(r) for r in _judged_directly(app, "c0", clock.day)
            ]
            after = views.compliance("c0", catch_up=False)
            assert [r for r in after if r.cycle_start <= clock.day <= r.cycle_end]
            # Only that clinician's rows moved on; the roster's catch-up moves the rest.
            rest = views.compliance("c1", catch_up=False)
            assert not [r for r in rest if r.cycle_start <= clock.day <= r.cycle_end]
            roster = later.roster(clock.day)
            assert roster.judged == 0
            assert {r.clinician_id for r in roster.rows} == {"c0", "c1"}
        finally:
            app.close()

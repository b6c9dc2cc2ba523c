"""Property: the roster (``Views.roster``, what ``status --all`` reads) gives each
clinician exactly the rows ``Views.compliance(cid, on=day)`` gives, and those equal the
plain judging path, on random histories and days; read with the garbage collector
paused (the roster's and ``compliance_on``'s fast path) it equals the plain read."""

from __future__ import annotations

import contextlib
from datetime import date, timedelta
from typing import Any
from unittest import mock

import pluggy
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from credtrail.core.application import Credtrail
from credtrail.core.compliance import judge_on
from credtrail.core.projections import Views
from credtrail.core.projections import views as views_module

from .conftest import StoreFactory
from .history import REQUIREMENT, START, ops, record, standing_key

CLINICIANS = [f"c{i}" for i in range(3)]


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    history=st.lists(ops, max_size=20),
    # Days from today on read materialised rows (the fast path); earlier ones are judged.
    day=st.one_of(
        st.integers(0, 9 * 365).map(lambda n: START + timedelta(days=n)),
        st.integers(0, 400).map(lambda n: date.today() - timedelta(days=30) + timedelta(n)),
    ),
)
def test_the_roster_gives_each_clinician_their_own_status_rows(
    new_store: StoreFactory,
    pm: pluggy.PluginManager,
    history: list[tuple[Any, ...]],
    day: date,
) -> None:
    """Roster rows per clinician == ``compliance(cid, on=day)`` == judging on the day; the
    collector paused or not, the same roster and ``compliance_on``."""
    with new_store() as url:
        app = Credtrail.open(url, pm, create=True)
        try:
            app.sync_builtin_requirements()
            for cid in CLINICIANS:
                app.add_clinician(cid, "physician")
            facts = {"expires_on": date(2030, 1, 31), "birth_date": date(1970, 5, 17)}
            app.add_license("c1", REQUIREMENT, date(2021, 3, 1), **facts)
            counter = [0]
            for op in history:
                if op[0] not in ("catch-up", "add"):
                    record(app, op, counter)
            views = Views.of(app, workers=1)
            roster = views.roster(day)
            assert not roster.direct
            bulk = views.compliance_on(day)
            with mock.patch.object(views_module, "collector_paused", contextlib.nullcontext):
                assert views.roster(day) == roster
                assert views.compliance_on(day) == bulk
            for cid in CLINICIANS:
                own = views.compliance(cid, on=day, catch_up=False)
                mine = [r for r in roster.rows if r.clinician_id == cid]
                assert [standing_key(r) for r in mine if r.status != "error"] == [
                    standing_key(r) for r in own if r.status != "error"
                ], cid
                ledger = app.ledger(cid)
                documents = {
                    rid: [v.document for v in app.requirement_history(rid).versions]
                    for rid in {lic.requirement_id for lic in ledger.licenses.values()}
                }
                plain = [
                    j.evaluation.status
                    for j in judge_on(
                        ledger.licenses.values(), ledger.credits, documents, app.registry, day
                    )
                    if j.evaluation is not None
                ]
                assert [r.status for r in mine if r.status != "error"] == plain, cid
        finally:
            app.close()

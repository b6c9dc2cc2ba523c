"""Property: report, status (the compliance view), audit replay and the plain judging path
give the same answer for the same history and day, a licence ending on that day included."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pluggy
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from credtrail.core.application import Credtrail
from credtrail.core.audit.asof import AsOf
from credtrail.core.audit.compliance import standings
from credtrail.core.compliance import judge_on
from credtrail.core.exchange.compliance import evaluations_for
from credtrail.core.projections import Views
from credtrail.core.rules import Evaluation

from .conftest import StoreFactory
from .history import REQUIREMENT, START, ops, record, standing_key

CLINICIANS = [f"c{i}" for i in range(3)]
Answer = tuple[str, str, date, date, str, Decimal, Decimal, tuple[tuple[str, Decimal], ...]]


def _answer(e: Evaluation) -> Answer:
    return (
        e.requirement,
        e.license_id,
        e.cycle_start,
        e.cycle_end,
        e.status,
        e.counted,
        e.required,
        e.missing,
    )


def answers(app: Credtrail, views: Views, cid: str, day: date) -> dict[str, list[Answer]]:
    """The same question, asked through each reader."""
    ledger = app.ledger(cid)
    documents = {
        rid: [v.document for v in app.requirement_history(rid).versions]
        for rid in {lic.requirement_id for lic in ledger.licenses.values()}
    }
    plain = judge_on(ledger.licenses.values(), ledger.credits, documents, app.registry, day)
    past = AsOf(app.store, datetime.now(UTC) + timedelta(seconds=1))
    audit = standings(past, past.ledger(cid), app.registry, on=day)
    rows = views.compliance(cid, on=day, catch_up=False)
    return {
        "plain": [_answer(j.evaluation) for j in plain if j.evaluation is not None],
        "report": [_answer(e) for e in evaluations_for(app, cid, day)],
        "audit": [_answer(s.evaluation) for s in audit if s.evaluation is not None],
        "status": [standing_key(r) for r in rows if r.status != "error"],
    }


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    history=st.lists(ops, max_size=20),
    # Any day, and days from today on (status reads a materialised row there: the fast
    # path, held equal to the plain one here).
    day=st.one_of(
        st.integers(0, 9 * 365).map(lambda n: START + timedelta(days=n)),
        st.integers(0, 400).map(lambda n: date.today() - timedelta(days=30) + timedelta(n)),
    ),
    issued_before=st.integers(1, 6 * 365),
    successor=st.booleans(),
)
def test_every_reader_gives_the_same_answer_on_a_day(
    new_store: StoreFactory,
    pm: pluggy.PluginManager,
    history: list[tuple[Any, ...]],
    day: date,
    issued_before: int,
    successor: bool,
) -> None:
    """Report, status, audit replay and judging on the day agree; c0's licence ends on
    the day judged (and, sometimes, a successor is issued that very day)."""
    with new_store() as url:
        app = Credtrail.open(url, pm, create=True)
        try:
            app.sync_builtin_requirements()
            for i in range(len(CLINICIANS)):
                app.add_clinician(f"c{i}", "physician")
            facts = {"expires_on": date(2030, 1, 31), "birth_date": date(1970, 5, 17)}
            first = app.add_license("c0", REQUIREMENT, day - timedelta(issued_before), **facts)
            app.end_license("c0", first, day)
            if successor:
                app.add_license("c0", REQUIREMENT, day, **facts)
            app.add_license("c1", REQUIREMENT, date(2021, 3, 1), **facts)
            counter = [0]
            for op in history:
                if op[0] in ("catch-up", "add"):
                    continue
                if op[0] in ("license", "end") and op[1] == 0:
                    continue  # c0's licences are the scripted ones above
                record(app, op, counter)
            views = Views.of(app, workers=1)
            views.catch_up()
            for cid in CLINICIANS:
                seen = answers(app, views, cid, day)
                assert seen["report"] == seen["plain"], cid
                assert seen["audit"] == seen["plain"], cid
                assert seen["status"] == seen["plain"], cid
            held = {a[1] for a in answers(app, views, "c0", day)["plain"]}
            # The licence is held on its end day unless its successor speaks that day.
            assert held == ({f"{REQUIREMENT}#2"} if successor else {first})
        finally:
            app.close()

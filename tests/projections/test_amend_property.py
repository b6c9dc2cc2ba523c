"""Property: any sequence of earn, amend, claim, revoke, certificate attach and detach
gives the same credit states in the ledger, in the transcript view and in the as-of
replay, at every instant."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pluggy
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from credtrail.core.application import Credtrail, EarnRequest
from credtrail.core.audit.asof import AsOf
from credtrail.core.clock import frozen_at
from credtrail.core.domain import CreditState
from credtrail.core.errors import CredtrailError
from credtrail.core.persistence.attachments import CertificateFile
from credtrail.core.projections import Views
from credtrail.core.projections.db import CREDITS

from .conftest import StoreFactory

START = date(2024, 1, 1)
T0 = datetime(2030, 1, 1, tzinfo=UTC)

pick = st.integers(0, 9)
ops = st.one_of(
    st.tuples(st.just("earn"), st.integers(1, 16), st.integers(0, 300), st.integers(0, 2)),
    st.tuples(
        st.just("amend"),
        pick,
        st.one_of(st.none(), st.integers(1, 16)),
        st.one_of(st.none(), st.integers(0, 300)),
        st.one_of(st.none(), st.sampled_from(["Sepsis", "Ethics"])),
        st.one_of(st.none(), st.integers(0, 2)),
    ),
    st.tuples(st.just("claim"), pick, st.sampled_from(["AMA", "CA-MBC"]), st.booleans()),
    st.tuples(st.just("revoke"), pick),
    st.tuples(st.just("attach"), pick, st.integers(0, 2)),
    st.tuples(st.just("detach"), pick, st.integers(0, 2)),
)
FILES = [
    CertificateFile(f"c{i}.pdf", "application/pdf", b"%PDF-1.4\n%" + bytes([i]) + b"\n%%EOF\n")
    for i in range(3)
]


def apply(app: Credtrail, op: tuple[Any, ...], n: int) -> None:
    """One command; those the application refuses are simply not recorded."""
    kind, *args = op
    ids = sorted(app.ledger("c0").credits)
    try:
        if kind == "earn":
            quarters, days, activity = args
            app.earn(
                EarnRequest(
                    clinician_id="c0",
                    credit_type="ama_pra_1",
                    units=Decimal(quarters) / 4,
                    completed_on=START + timedelta(days),
                    provider="Provider",
                    accreditor="ACCME",
                    activity_id=f"act-{activity}",
                )
            )
        elif ids and kind == "amend":
            which, quarters, days, title, activity = args
            changes: dict[str, Any] = {}
            if quarters is not None:
                changes["units"] = Decimal(quarters) / 4
            if days is not None:
                changes["completed_on"] = START + timedelta(days)
            if title is not None:
                changes["title"] = title
            if activity is not None:
                changes["activity_id"] = f"act-{activity}"
            app.amend("c0", ids[which % len(ids)], changes, reason=f"fix {n}", amended_by="tester")
        elif ids and kind == "claim":
            which, authority, half = args
            credit = app.ledger("c0").credits[ids[which % len(ids)]]
            part = credit.unclaimed_for(authority) / 2
            units = part if half and part > 0 and part % Decimal("0.25") == 0 else None
            app.claim("c0", credit.credit_id, authority, units, credit.completed_on + timedelta(1))
        elif ids and kind == "revoke":
            app.revoke("c0", ids[args[0] % len(ids)], "withdrawn", date(2026, 1, 1))
        elif ids and kind == "attach":
            app.attach("c0", ids[args[0] % len(ids)], FILES[args[1]])
        elif ids and kind == "detach":
            app.detach("c0", ids[args[0] % len(ids)], f"removed {n}", FILES[args[1]].sha256)
    except CredtrailError:
        pass


def view_states(views: Views) -> dict[str, CreditState]:
    views.catch_up()
    with views.runner.db.transaction(commit=False) as cur:
        cur.execute(f"SELECT credit_id, data FROM {CREDITS} WHERE clinician_id = ?", ["c0"])
        return {r["credit_id"]: CreditState.from_json(r["data"]) for r in cur.fetchall()}


@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(history=st.lists(ops, min_size=1, max_size=25))
@example(history=[("earn", 1, 0, 0), ("revoke", 0), ("earn", 1, 0, 0)])  # the key taken again
def test_ledger_view_and_as_of_replay_agree_on_every_credit(
    new_store: StoreFactory, pm: pluggy.PluginManager, history: list[tuple[Any, ...]]
) -> None:
    """After each command the ledger's credit states are what the as-of replay of that
    instant gives; at the end the transcript view (caught up, and rebuilt) gives them too."""
    with new_store() as url:
        app = Credtrail.open(url, pm, create=True)
        try:
            with frozen_at(T0):
                app.add_clinician("c0", "physician")
            snapshots = []
            for n, op in enumerate(history, 1):
                instant = T0 + timedelta(minutes=n)
                with frozen_at(instant):
                    apply(app, op, n)
                snapshots.append((instant, app.ledger("c0").credits))
            for instant, credits in snapshots:
                assert AsOf(app.store, instant).ledger("c0").credits == credits
            final = app.ledger("c0").credits
            with Views.of(app) as views:
                assert view_states(views) == final
                views.rebuild()
                assert view_states(views) == final
            keys = app.ledger("c0").natural_keys
            for credit in final.values():
                # The natural key always follows the credit's fields: a live credit
                # holds its key; a revoked one's key is free, still its own, or taken
                # by the credit earned again for the same activity.
                holder = keys.get(credit.natural_key)
                if not credit.revoked:
                    assert holder == credit.credit_id
                else:
                    assert holder is None or final[holder].natural_key == credit.natural_key
        finally:
            app.close()

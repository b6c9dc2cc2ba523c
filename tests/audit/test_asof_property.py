"""Property: replay as of T equals the state built from the events recorded <= T.

Random histories of adds, credits, claims and revocations are recorded at random,
increasing instants (whole seconds and fractions, to exercise the time index's text
order). An independent model — plain dicts, fed only the commands that succeeded
at or before T — is the oracle. As of a time after the last event, the replay must
equal the live ledger and the materialised transcript projection.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from credtrail.core.application import Credtrail
from credtrail.core.audit.asof import AsOf
from credtrail.core.clock import frozen_at
from credtrail.core.errors import AuditError, ConflictError, InvalidInputError
from credtrail.core.plugins import build_plugin_manager
from credtrail.core.projections import Views
from credtrail.core.transcript import Transcript
from credtrail.plugins import builtin_plugins

from .conftest import cme

PM = build_plugin_manager(builtin_plugins(), load_entrypoints=False)
START = datetime(2024, 1, 1, tzinfo=UTC)
CLINICIANS = ("c-0", "c-1", "c-2")


@dataclass(frozen=True)
class Step:
    gap: timedelta
    action: str
    clinician: int
    pick: int
    units: Decimal
    completed: date


gaps = st.builds(
    lambda s, us: timedelta(seconds=s, microseconds=us),
    st.integers(0, 86_400 * 30),
    st.sampled_from([0, 0, 1, 250_000, 999_999]),
).filter(lambda g: g > timedelta(0))

steps = st.builds(
    Step,
    gap=gaps,
    action=st.sampled_from(["add", "earn", "earn", "earn", "claim", "revoke"]),
    clinician=st.integers(0, len(CLINICIANS) - 1),
    pick=st.integers(0, 20),
    units=st.integers(1, 20).map(lambda q: Decimal(q) / 4),
    completed=st.dates(date(2023, 1, 1), date(2026, 12, 31)),
)


@dataclass
class Credit:
    units: Decimal
    revoked: bool = False
    claims: dict[str, Decimal] = field(default_factory=dict)


class Model:
    """The oracle: what a transcript must show, from successful commands only."""

    def __init__(self) -> None:
        self.credits: dict[str, dict[str, Credit]] = {}

    def expected(self, clinician: str) -> tuple[dict[str, tuple[object, ...]], dict[str, Decimal]]:
        rows: dict[str, tuple[object, ...]] = {}
        totals: dict[str, Decimal] = {}
        for credit_id, c in self.credits[clinician].items():
            rows[credit_id] = (c.units, c.revoked, dict(c.claims))
            if not c.revoked:
                totals["ama_pra_1"] = totals.get("ama_pra_1", Decimal(0)) + c.units
        return rows, totals


def observed(t: Transcript) -> tuple[dict[str, tuple[object, ...]], dict[str, Decimal]]:
    rows = {c.credit_id: (c.units, c.revoked, dict(c.claimed)) for c in t.credits}
    return rows, dict(t.totals)


def run(app: Credtrail, history: list[Step]) -> list[tuple[datetime, Step, str | None]]:
    """Record the history; returns (instant, step, credit id or None) of each success."""
    done: list[tuple[datetime, Step, str | None]] = []
    known: dict[str, list[str]] = {}
    instant = START
    for i, step in enumerate(history):
        instant += step.gap
        who = CLINICIANS[step.clinician]
        try:
            with frozen_at(instant):
                if step.action == "add":
                    if who in known:
                        continue
                    app.add_clinician(who, "physician")
                    known[who] = []
                    done.append((instant, step, None))
                elif who not in known:
                    continue
                elif step.action == "earn":
                    credit = app.earn(cme(who, f"act-{i}", str(step.units), str(step.completed)))
                    known[who].append(credit)
                    done.append((instant, step, credit))
                elif known[who]:
                    credit = known[who][step.pick % len(known[who])]
                    if step.action == "claim":
                        app.claim(who, credit, "AMA", step.units, claimed_on=date.today())
                    else:
                        app.revoke(who, credit, "test", step.completed)
                    done.append((instant, step, credit))
        except (ConflictError, InvalidInputError):
            # Over-claim, already revoked, or a date in the future or before the
            # completion: refused, nothing recorded.
            continue
    return done


def model_as_of(done: list[tuple[datetime, Step, str | None]], t: datetime) -> Model:
    model = Model()
    for instant, step, credit in done:
        if instant > t:
            break
        who = CLINICIANS[step.clinician]
        if step.action == "add":
            model.credits[who] = {}
        elif step.action == "earn":
            assert credit is not None
            model.credits[who][credit] = Credit(step.units)
        elif step.action == "claim":
            assert credit is not None
            claims = model.credits[who][credit].claims
            claims["AMA"] = claims.get("AMA", Decimal(0)) + step.units
        else:
            assert credit is not None
            model.credits[who][credit].revoked = True
    return model


@contextmanager
def fresh_store(backend: str, request: pytest.FixtureRequest) -> Iterator[str]:
    """A new, empty store location for one Hypothesis example."""
    if backend == "postgres":
        server = request.getfixturevalue("postgres")  # session-scoped: started once
        with server.fresh_database() as url:
            yield url
    else:
        with tempfile.TemporaryDirectory() as tmp:
            yield str(Path(tmp) / "p.db")


@settings(
    max_examples=25,
    deadline=None,
    # store_backend is a plain string, the same for every example.
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.function_scoped_fixture,
    ],
)
@given(history=st.lists(steps, min_size=1, max_size=30), data=st.data())
def test_replay_as_of_t_equals_events_recorded_up_to_t(
    store_backend: str, request: pytest.FixtureRequest, history: list[Step], data: st.DataObject
) -> None:
    """For random histories and instants (often exactly an event's), replay matches the model."""
    with fresh_store(store_backend, request) as location:
        app = Credtrail.open(location, PM, create=True)
        try:
            done = run(app, history)
            instants = [d[0] for d in done]
            end = START + sum((s.gap for s in history), timedelta(0))
            t = data.draw(
                st.one_of(
                    st.sampled_from(instants) if instants else st.just(START),
                    st.datetimes(
                        min_value=START.replace(tzinfo=None) - timedelta(days=1),
                        max_value=end.replace(tzinfo=None) + timedelta(days=1),
                        timezones=st.just(UTC),
                    ),
                ),
                label="T",
            )
            model = model_as_of(done, t)
            view = AsOf(app.store, t)
            for who in CLINICIANS:
                if who in model.credits:
                    assert observed(view.transcript(who)) == model.expected(who)
                elif instants and who in {CLINICIANS[s.clinician] for _, s, _ in done}:
                    try:
                        view.ledger(who)
                    except AuditError:
                        pass
                    else:
                        raise AssertionError(f"{who} replayed before it was recorded")
            replayed = sorted(ledger.clinician_id for ledger in view.clinicians())
            assert replayed == sorted(model.credits)

            # As of after the last event: the live ledger and the projection agree.
            now = AsOf(app.store, end + timedelta(seconds=1))
            views = Views(app.store)
            final = model_as_of(done, end)
            for who in final.credits:
                live = app.transcript(who)
                assert now.transcript(who) == live
                assert views.transcript(who) == live
        finally:
            app.close()

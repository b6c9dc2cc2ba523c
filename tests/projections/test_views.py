"""The runner and the views on scripted histories, on both backends."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pluggy
import psycopg
import pytest

from credtrail.core.application import Credtrail
from credtrail.core.errors import CredtrailError, UnknownClinicianError
from credtrail.core.projections import Progress, Runner, Views
from credtrail.core.projections.decode import LogReader
from credtrail.core.transcript import transcript_of

from .history import REQUIREMENT, dump, latest_document
from .test_fault import populate


def test_fast_decoding_agrees_with_the_store_mapper(app: Credtrail) -> None:
    """The projection's decoder yields exactly the event the store's mapper builds."""
    populate(app, clinicians=2, credits=3)
    reader = LogReader(app.store)
    events = reader.page(0, 10_000)
    notifications = app.store.recorder.select_notifications(1, 10_000)
    assert len(events) == len(notifications) == reader.head()
    for event, n in zip(events, notifications, strict=True):
        domain_event = app.store.mapper.to_domain_event(n)
        assert event.event == domain_event
        assert type(event.event) is type(domain_event)
        assert event.id == n.id
        assert event.stream == domain_event.originator_id.hex


def test_view_transcript_equals_transcript_of_the_ledger(app: Credtrail) -> None:
    """Claims (partial, several authorities), revocations and topics read back exactly."""
    populate(app, clinicians=3, credits=6)
    ledger = app.ledger("k01")
    fresh = sorted(c.credit_id for c in ledger.credits.values() if not c.revoked and not c.claims)
    first, second = fresh[:2]
    app.claim("k01", first, "AMA", Decimal("0.5"), date(2024, 7, 1))
    app.claim("k01", first, "AMA", None, date(2024, 7, 2))
    app.claim("k01", first, "CA-MBC", None, date(2024, 7, 3))
    app.revoke("k01", second, "duplicate entry", date(2024, 7, 4))
    views = Views.of(app, page_size=7)
    for cid in ("k00", "k01", "k02"):
        assert views.transcript(cid) == transcript_of(app.ledger(cid))
    with pytest.raises(UnknownClinicianError):
        views.transcript("nobody")


def test_requirement_change_fans_out_to_every_licensed_clinician(app: Credtrail) -> None:
    """A new version re-judges all clinicians licensed under it, and nobody else."""
    populate(app, clinicians=3, credits=2)
    app.add_clinician("unlicensed", "physician")
    views = Views.of(app)
    before = {cid: views.compliance(cid) for cid in ("k00", "k01", "k02")}
    assert all(before.values())
    doc = dict(latest_document(app, REQUIREMENT))
    doc["version"] = "fan-out-test"
    doc["effective_from"] = "2023-01-01"
    doc["notes"] = ["a version recorded by the fan-out test"]
    assert app.record_requirement(doc)
    after = {cid: views.compliance(cid) for cid in ("k00", "k01", "k02")}
    for cid, rows in after.items():
        # Cycles ending after the new version took effect are judged by it.
        assert rows[-1].explanation["version"] == "fan-out-test", cid
        assert rows != before[cid]
    assert views.compliance("unlicensed") == []


def test_a_page_in_runs_interrupted_between_runs_resumes_to_the_page_written_at_once(
    app: Credtrail, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A requirement change re-judging 15 clinicians, 4 at a time: interrupted after two
    runs are written, the view still reads as before the page, and the next catch-up
    ends with the rows of the page judged and written at once."""
    populate(app, clinicians=15, credits=3)
    views = Views.of(app, workers=1)
    views.catch_up()
    doc = dict(latest_document(app, REQUIREMENT))
    doc["version"] = "runs-test"
    doc["effective_from"] = "2023-01-01"
    assert app.record_requirement(doc)
    before = views.runner.positions()["compliance"]
    head = app.store.recorder.max_notification_id()

    commits: list[tuple[int, int]] = []
    real = Runner._commit

    def commit(self: Runner, v: Any, old: int, last: int, writes: Any) -> None:
        if v.name == "compliance" and len(commits) == 2:
            raise KeyboardInterrupt  # the user pressed Ctrl-C between two runs
        real(self, v, old, last, writes)
        if v.name == "compliance":
            commits.append((old, last))

    monkeypatch.setattr(Runner, "_commit", commit)
    with pytest.raises(KeyboardInterrupt):
        Views.of(app, workers=1, run_clinicians=4).catch_up()
    monkeypatch.undo()
    # Two runs written, each leaving the position where the page starts.
    assert commits == [(before, before), (before, before)]
    assert views.runner.positions() == {"transcript": head, "compliance": before}
    # The two runs written: the first 8 clinicians in order, judged by the new version.
    latest = {
        c: views.compliance(f"k{c:02d}", catch_up=False)[-1].explanation["version"]
        for c in range(15)
    }
    assert [c for c, version in latest.items() if version == "runs-test"] == list(range(8))

    Views.of(app, workers=1, run_clinicians=4).catch_up()
    resumed = dump(views)
    assert views.runner.positions() == {"transcript": head, "compliance": head}
    views.rebuild()  # every page written at once (run_clinicians: the default)
    assert dump(views) == resumed
    assert all(
        views.compliance(f"k{c:02d}")[-1].explanation["version"] == "runs-test" for c in range(15)
    )


def test_a_runner_that_lost_a_race_neither_skips_nor_doubles(app: Credtrail) -> None:
    """Another runner commits pages meanwhile: the loser's page is rolled back and redone."""
    populate(app, clinicians=4, credits=5)
    loser = Views.of(app, page_size=9)
    winner = Views.of(app, page_size=13)
    raced = []

    def on_page(p: Progress) -> None:
        if not raced:
            raced.append(p.position)
            winner.catch_up()

    applied = loser.catch_up(progress=on_page)
    # The loser applied its first page only; its next page found the positions moved.
    assert raced == [9]
    assert applied == 9
    caught_up = dump(loser)
    loser.rebuild()
    assert dump(loser) == caught_up


def test_runner_rejects_bad_arguments(app: Credtrail) -> None:
    """A page size below 1 and an unknown view name are refused with a clear message."""
    with pytest.raises(CredtrailError, match="page size must be at least 1"):
        Runner(app.store, [], page_size=0)
    with pytest.raises(CredtrailError, match="unknown view 'nope'; the views are: transcript"):
        Views(app.store).rebuild(["nope"])


def test_status_reports_position_head_and_lag(app: Credtrail) -> None:
    """Status shows how far each view is behind, and a catch-up closes the gap."""
    populate(app, clinicians=1, credits=2)
    views = Views.of(app)
    head = app.store.recorder.max_notification_id()
    assert [(s.view, s.position, s.head, s.lag) for s in views.status()] == [
        ("transcript", 0, head, head),
        ("compliance", 0, head, head),
    ]
    assert views.catch_up() == head
    assert [s.lag for s in views.status()] == [0, 0]
    assert views.catch_up() == 0


def test_opening_the_views_drops_the_index_an_older_credtrail_made(app: Credtrail) -> None:
    """Schema 6's index on cycle_end (replaced by the covering index) is dropped when the
    views' tables are opened."""
    _check_old_index_dropped(app)


@pytest.mark.postgres
def test_the_older_index_is_dropped_in_a_schema_off_the_search_path(
    postgres: Any, pm: pluggy.PluginManager, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A store in its own PostgreSQL schema (``POSTGRES_SCHEMA``, not on the search path):
    the older index is dropped from that schema, where it lives with its table."""
    with postgres.fresh_database() as url:
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute("CREATE SCHEMA tenant")
        monkeypatch.setenv("POSTGRES_SCHEMA", "tenant")
        app = Credtrail.open(url, pm, create=True)
        try:
            assert app.store.qualified("t") == '"tenant"."t"'
            _check_old_index_dropped(app)
        finally:
            app.close()
            with psycopg.connect(url, autocommit=True) as conn:
                conn.execute("DROP SCHEMA tenant CASCADE")


def _check_old_index_dropped(app: Credtrail) -> None:
    populate(app, clinicians=2, credits=2)
    views = Views.of(app)
    views.catch_up()
    old = "credtrail_v_compliance_cycle_end"
    with views.runner.db.transaction(commit=True) as cur:
        cur.execute(f"CREATE INDEX {old} ON credtrail_v_compliance (cycle_end)")

    def indexes() -> set[str]:
        if app.store.is_postgres:
            found = app.store.read_rows("SELECT indexname FROM pg_indexes")
        else:
            found = app.store.read_rows("SELECT name FROM sqlite_master WHERE type = 'index'")
        return {row[0] for row in found}

    assert old in indexes()
    reopened = Views.of(app)
    assert reopened.compliance("k00")  # opening the views' tables again
    assert old not in indexes()
    assert "credtrail_v_compliance_by_day" in indexes()

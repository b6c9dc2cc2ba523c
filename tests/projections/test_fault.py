"""Fault test: a catch-up or rebuild killed with SIGKILL resumes to the identical view."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pluggy
import pytest

from credtrail.core.application import Credtrail, EarnRequest
from credtrail.core.projections import Views

from .history import REQUIREMENT, dump

CHILD = Path(__file__).with_name("killme.py")
PAGE = 10


def populate(app: Credtrail, clinicians: int = 15, credits: int = 12) -> None:
    """A few hundred events: clinicians with a license, credits, claims, a revocation."""
    app.sync_builtin_requirements()
    for c in range(clinicians):
        cid = f"k{c:02d}"
        app.add_clinician(cid, "physician")
        app.add_license(
            cid,
            REQUIREMENT,
            date(2018, 3, 1) + timedelta(days=37 * c),
            expires_on=date(2028, 1, 31),
            birth_date=date(1975, 1, 1) + timedelta(days=100 * c),
        )
        results = app.earn_many(
            [
                EarnRequest(
                    clinician_id=cid,
                    credit_type="ama_pra_1",
                    units=Decimal(n % 8 + 1) / 2,
                    completed_on=date(2020, 1, 1) + timedelta(days=61 * n + c),
                    provider="Provider",
                    accreditor="ACCME",
                    activity_id=f"{cid}-{n}",
                )
                for n in range(credits)
            ]
        )
        app.claim(cid, results[0].credit_id, "AMA", None, date(2024, 6, 1))
        app.revoke(cid, results[1].credit_id, "attendance not verified", date(2024, 6, 2))


def kill_after_pages(store: str, mode: str, pages: int = 3, *extra: str) -> int:
    """Start the child, SIGKILL it once ``pages`` pages are committed; returns pages seen."""
    child = subprocess.Popen(
        [sys.executable, str(CHILD), store, mode, str(PAGE), *extra],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert child.stdout is not None
    seen = 0
    try:
        for line in child.stdout:
            assert line != "done\n", "the child finished before it could be killed"
            seen += 1
            if seen == pages:
                os.kill(child.pid, signal.SIGKILL)
                break
    finally:
        child.stdout.close()
        child.wait(timeout=60)
    assert child.returncode == -signal.SIGKILL
    return seen


@pytest.mark.parametrize("judging", ["default", "pipelined", "runs"])
@pytest.mark.parametrize("mode", ["catch-up", "rebuild"])
def test_killed_projection_resumes_to_identical_view(
    store_url: str, pm: pluggy.PluginManager, mode: str, judging: str
) -> None:
    """SIGKILL mid-way loses no committed page and doubles nothing: resume == clean rebuild."""
    app = Credtrail.open(store_url, pm, create=True)
    try:
        populate(app)
        views = Views.of(app, page_size=PAGE)
        if mode == "rebuild":
            views.catch_up()
        head = app.store.recorder.max_notification_id()
        # pipelined: compliance judged in two workers while transcript takes the next page.
        # runs: a clinician at a time, so a kill may fall between a page's runs.
        kill_after_pages(store_url, mode, 3, *([judging] if judging != "default" else []))
        # Killed part-way: every view stopped at a committed page, short of the head.
        positions = views.runner.positions()
        # (compliance may be a page or two behind transcript: each view commits its own
        # pages, and a pipelined compliance page is committed after the next transcript one)
        assert all(0 < p < head for p in positions.values()), positions

        views.catch_up()
        resumed = dump(views)
        views.rebuild()
        assert dump(views) == resumed
        credits = sum(len(app.ledger(f"k{c:02d}").credits) for c in range(15))
        assert len(resumed["credtrail_v_credits"]) == credits
        assert {row[1] for row in resumed["credtrail_projection"]} == {head}
    finally:
        app.close()

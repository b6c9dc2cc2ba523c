"""``status CLINICIAN`` read straight from current views says exactly what the full path
(catch-up, or judging directly) says: same text, same JSON, same errors."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from contextlib import closing
from datetime import date, timedelta
from typing import Any

import pytest
from click.testing import CliRunner, Result

from credtrail.cli.main import cli
from credtrail.core import viewread
from credtrail.core.persistence.location import StoreLocation
from credtrail.core.persistence.sqlitehead import last_notification_id
from credtrail.core.store import open_event_store
from credtrail.plugins import DEFAULT_PLUGINS

Run = Callable[..., Result]
TODAY = date.today()


def day(offset: int) -> str:
    return (TODAY + timedelta(days=offset)).isoformat()


@pytest.fixture
def run(sqlite_url: str) -> Run:
    """credtrail on a fresh SQLite store, built-in plugins only (``plugins`` overrides)."""
    runner = CliRunner()

    def invoke(*args: str, plugins: str = ",".join(DEFAULT_PLUGINS)) -> Result:
        return runner.invoke(
            cli, ["--store", sqlite_url, "--plugins", plugins, *args], catch_exceptions=False
        )

    assert invoke("init").exit_code == 0
    return invoke


def ok(result: Result) -> str:
    assert result.exit_code == 0, result.output
    return result.stdout.strip()


def earn(run: Run, who: str, credit_type: str, units: str, on: str, activity: str) -> None:
    accreditor = "ANCC" if credit_type.startswith("ancc") else "ACCME"
    ok(
        run(
            "credit", "earn", who, "--type", credit_type, "--units", units, "--date", on,
            "--provider", "Mercy", "--accreditor", accreditor, "--activity", activity,
        )
    )  # fmt: skip


def physician(run: Run) -> list[str]:
    """md-1: a California and a Texas licence in force today, and some credit; the
    licences' ids."""
    ok(run("clinician", "add", "md-1", "--profession", "physician"))
    dates = ["--issued", day(-400), "--expires", day(330)]
    ids = [
        ok(run("license", "add", "md-1", "--requirement", rid, *dates))
        for rid in ("us-ca-physician", "us-tx-physician")
    ]
    earn(run, "md-1", "ama_pra_1", "10", day(-60), "A1")
    earn(run, "md-1", "ama_pra_1", "2.5", day(-30), "A2")
    return ids


def caught_up(run: Run, who: str) -> None:
    """Any status run catches the views up (and the plugins' fingerprint is known)."""
    run("status", who)


def fresh(run: Run) -> list[str]:
    physician(run)
    caught_up(run, "md-1")
    return ["md-1"]


def fresh_one_requirement(run: Run) -> list[str]:
    return [*fresh(run), "--requirement", "us-tx-physician"]


def fresh_requirement_not_held(run: Run) -> list[str]:
    return [*fresh(run), "--requirement", "us-ny-physician"]


def fresh_later_day(run: Run) -> list[str]:
    return [*fresh(run), "--on", day(20)]


def stale_view(run: Run) -> list[str]:
    """Recorded after the last catch-up: the views are behind the log."""
    fresh(run)
    earn(run, "md-1", "ama_pra_1", "4", day(-10), "A3")
    return ["md-1"]


def judged_by_other_plugins(run: Run) -> list[str]:
    """The compliance view was rebuilt with fewer plugins: judged directly, and said so."""
    fresh(run)
    subset = ",".join(name for name in DEFAULT_PLUGINS if name != "federal")
    ok(run("projections", "rebuild", "--view", "compliance", plugins=subset))
    return ["md-1"]


def licence_ending_today(run: Run) -> list[str]:
    california, _ = physician(run)
    ok(run("license", "end", "md-1", california, "--date", day(0)))
    caught_up(run, "md-1")
    return ["md-1", "--on", day(0)]


def licence_ended_yesterday(run: Run) -> list[str]:
    _, texas = physician(run)
    ok(run("license", "end", "md-1", texas, "--date", day(-1)))
    caught_up(run, "md-1")
    return ["md-1"]


def no_licences(run: Run) -> list[str]:
    ok(run("clinician", "add", "md-2", "--profession", "physician"))
    caught_up(run, "md-2")
    return ["md-2"]


def unknown_clinician(run: Run) -> list[str]:
    fresh(run)
    return ["nobody"]


def past_day(run: Run) -> list[str]:
    return [*fresh(run), "--on", day(-20)]


def not_claimed(run: Run) -> list[str]:
    """A nurse practitioner whose requirement counts claimed hours, none claimed: the
    "would count here" hint."""
    ok(run("clinician", "add", "np-1", "--profession", "nurse"))
    dates = ["--issued", day(-400), "--expires", day(330)]
    ok(run("license", "add", "np-1", "--requirement", "aanp-renewal", *dates))
    earn(run, "np-1", "ancc_contact_hour", "10", day(-50), "N1")
    caught_up(run, "np-1")
    return ["np-1"]


def expired_unrenewed(run: Run) -> list[str]:
    """A Texas licence that expired a month ago with no renewal recorded: the warning
    judges the cycle that ended with it (the full path)."""
    ok(run("clinician", "add", "md-3", "--profession", "physician"))
    dates = ["--issued", day(-800), "--expires", day(-30)]
    ok(run("license", "add", "md-3", "--requirement", "us-tx-physician", *dates))
    earn(run, "md-3", "ama_pra_1", "10", day(-60), "T1")
    caught_up(run, "md-3")
    return ["md-3"]


SCENARIOS: dict[str, tuple[Callable[[Run], list[str]], bool]] = {
    # name: (set up the store and give status's arguments, whether the views answer alone)
    "fresh view": (fresh, True),
    "fresh view, one requirement": (fresh_one_requirement, True),
    "requirement not held": (fresh_requirement_not_held, True),
    "a later day of the same cycle": (fresh_later_day, True),
    "licence ending on the judged day": (licence_ending_today, True),
    "licence ended the day before": (licence_ended_yesterday, True),
    "clinician with no licences": (no_licences, True),
    "stale view": (stale_view, False),
    "view judged by other plugins": (judged_by_other_plugins, False),
    "unknown clinician": (unknown_clinician, False),
    "a past day": (past_day, False),
    "credit recorded, not claimed": (not_claimed, False),
    "licence expired, not renewed": (expired_unrenewed, False),
}


@pytest.mark.parametrize("as_json", [False, True], ids=["text", "json"])
@pytest.mark.parametrize("scenario", list(SCENARIOS))
def test_status_from_the_views_says_what_the_full_path_says(
    run: Run, monkeypatch: pytest.MonkeyPatch, scenario: str, as_json: bool
) -> None:
    """Same exit code, output and errors from the views alone as through the engine; the
    views answer alone exactly when they are current and cover the day."""
    setup, answers_alone = SCENARIOS[scenario]
    args = ["status", *setup(run), *(["--json"] if as_json else [])]
    answered: list[bool] = []
    quick = viewread.standings

    def spy(*a: Any, **kw: Any) -> Any:
        rows = quick(*a, **kw)
        answered.append(rows is not None)
        return rows

    monkeypatch.setattr(viewread, "standings", spy)
    first = run(*args)
    monkeypatch.setattr(viewread, "standings", lambda *a, **kw: None)
    full = run(*args)
    assert answered == [answers_alone]
    assert (first.exit_code, first.stdout, first.stderr) == (
        full.exit_code,
        full.stdout,
        full.stderr,
    )
    if scenario == "credit recorded, not claimed" and not as_json:
        assert "units recorded but not claimed would count here" in full.stdout
    if scenario == "licence expired, not renewed" and not as_json:
        assert "expired on" in full.stdout
        assert "no renewal is recorded" in full.stdout
    if scenario == "view judged by other plugins":
        assert "evaluated directly" in full.stderr


def test_the_store_head_read_with_sql_is_the_recorders(run: Run, sqlite_url: str) -> None:
    """The last notification id status reads with plain SQL is eventsourcing's own."""
    physician(run)
    location = StoreLocation.parse(sqlite_url)
    store = open_event_store(location)
    try:
        expected = store.recorder.max_notification_id()
    finally:
        store.close()
    with closing(sqlite3.connect(sqlite_url)) as connection:
        assert last_notification_id(connection) == expected > 0

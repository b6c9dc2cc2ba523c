"""``credtrail deadlines`` as a user types it, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
import stat
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from icalendar import Calendar

from credtrail.cli.main import cli
from credtrail.plugins import DEFAULT_PLUGINS

Run = Callable[..., Result]


@pytest.fixture
def clinicians(run: Run) -> Run:
    """A Californian physician (licence A-99, pain course due by 2029-04-30) with 10 hours,
    and a Texan with an AMA award window (a rolling window: no renewal date)."""
    assert run("clinician", "add", "md-1", "--profession", "physician").exit_code == 0
    assert run("clinician", "add", "md-2", "--profession", "physician").exit_code == 0
    added = run(
        "license", "add", "md-1", "--requirement", "us-ca-physician",
        "--issued", "2025-05-01", "--expires", "2027-04-30", "--number", "A-99",
    )  # fmt: skip
    assert added.exit_code == 0, added.output
    earned = run(
        "credit", "earn", "md-1", "--type", "ama_pra_1", "--units", "10",
        "--date", "2025-09-01", "--provider", "Mercy CME", "--accreditor", "ACCME",
        "--activity", "MH-1",
    )  # fmt: skip
    assert earned.exit_code == 0, earned.output
    for requirement, expires in (("us-tx-physician", "2026-03-31"), ("ama-pra-award-3y", None)):
        extra = ["--expires", expires] if expires else []
        added = run(
            "license", "add", "md-2", "--requirement", requirement,
            "--issued", "2020-04-01", *extra,
        )  # fmt: skip
        assert added.exit_code == 0, added.output
    return run


def test_deadlines_of_one_clinician(clinicians: Run) -> None:
    """The renewal (cycle end, days left, what is missing) and the one-time course not yet due."""
    result = clinicians("deadlines", "md-1", "--on", "2026-12-07")
    assert result.exit_code == 0, result.output
    what = "one-time: Pain management and the treatment of terminally ill and dying patients"
    assert result.output.splitlines() == [
        "due         days left  requirement      deadline" + " " * 85 + "missing",
        "----------  ---------  ---------------  " + "-" * 91 + "  " + "-" * 18,
        "2027-04-30  144        us-ca-physician  renewal (Medical Board of California)"
        + " " * 56
        + "40 total",
        f"2029-04-30  875        us-ca-physician  {what} (one-time)  12 pain-management",
    ]


def test_deadlines_json_and_within(clinicians: Run) -> None:
    """--json has snake_case keys and the licence number; --within drops what is due later."""
    result = clinicians("deadlines", "md-1", "--on", "2026-12-07", "--within", "180d", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["not_judged"] == []
    (renewal,) = data["deadlines"]
    assert renewal["kind"] == "renewal"
    assert renewal["due_on"] == "2027-04-30"
    assert renewal["days_left"] == 144
    assert renewal["license_number"] == "A-99"
    assert renewal["missing"] == [
        {"part": "total", "label": "Approved CME hours (recognised providers)", "units": "40"}
    ]
    later = json.loads(clinicians("deadlines", "md-1", "--on", "2026-12-07", "--json").output)
    (once,) = [d for d in later["deadlines"] if d["kind"] == "one-time"]
    assert (once["part"], once["due_on"], once["status"]) == (
        "pain-management",
        "2029-04-30",
        "not-due",
    )


def test_deadlines_all_skips_rolling_windows(clinicians: Run) -> None:
    """--all lists every clinician's deadlines by date; the AMA award's rolling window has none."""
    result = clinicians("deadlines", "--all", "--on", "2026-01-15", "--json")
    assert result.exit_code == 0, result.output
    rows = [(d["clinician_id"], d["requirement_id"], d["kind"], d["due_on"])
            for d in json.loads(result.output)["deadlines"]]  # fmt: skip
    assert rows == sorted(rows, key=lambda r: r[3])
    assert ("md-2", "us-tx-physician", "renewal", "2026-03-31") in rows
    assert ("md-1", "us-ca-physician", "renewal", "2027-04-30") in rows
    assert not [r for r in rows if r[1] == "ama-pra-award-3y"]


def test_deadlines_ics_feed(clinicians: Run, tmp_path: Path) -> None:
    """--ics writes a private RFC 5545 feed; a re-export with --force keeps every UID."""
    feed = tmp_path / "due.ics"
    first = clinicians("deadlines", "--all", "--on", "2026-01-15", "--ics", str(feed))
    assert first.exit_code == 0, first.output
    assert stat.S_IMODE(feed.stat().st_mode) == 0o600
    events = Calendar.from_ical(feed.read_bytes()).walk("VEVENT")
    uids = [str(e["UID"]) for e in events]
    assert len(events) == 3
    assert len(set(uids)) == 3
    assert any("A-99" in str(e["DESCRIPTION"]) for e in events)
    refused = clinicians("deadlines", "--all", "--on", "2026-01-15", "--ics", str(feed))
    assert refused.exit_code == 1
    assert "pass --force" in refused.output
    again = clinicians("deadlines", "--all", "--on", "2026-02-01", "--ics", str(feed), "--force")
    assert again.exit_code == 0, again.output
    assert [str(e["UID"]) for e in Calendar.from_ical(feed.read_bytes()).walk("VEVENT")] == uids


def test_deadlines_user_mistakes(clinicians: Run) -> None:
    """Both or neither of CLINICIAN and --all, an unknown clinician, a bad span: one line."""
    both = clinicians("deadlines", "md-1", "--all")
    assert (both.exit_code, both.output) == (1, "Error: give one CLINICIAN or --all (not both)\n")
    assert clinicians("deadlines").exit_code == 1
    unknown = clinicians("deadlines", "nobody")
    assert unknown.exit_code == 1
    assert unknown.output.startswith("Error: ")
    assert "nobody" in unknown.output
    bad = clinicians("deadlines", "md-1", "--within", "soon")
    assert bad.exit_code == 2
    assert "'soon' is not a duration" in bad.output


def test_deadlines_after_a_plugin_change(clinicians: Run, store_url: str) -> None:
    """With other plugins loaded (the compliance view is stale), deadlines are judged
    directly and are the same, instead of an error."""
    before = json.loads(clinicians("deadlines", "--all", "--on", "2026-01-15", "--json").output)
    fewer = ",".join(p for p in DEFAULT_PLUGINS if p != "nursing_ancc")
    stale = ["--store", store_url, "--plugins", fewer, "deadlines"]
    result = CliRunner().invoke(
        cli, [*stale, "--all", "--on", "2026-01-15", "--json"], catch_exceptions=False
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.output) == before
    one = CliRunner().invoke(cli, [*stale, "md-1", "--on", "2026-01-15"], catch_exceptions=False)
    assert one.exit_code == 0, one.output
    assert "2027-04-30" in one.output

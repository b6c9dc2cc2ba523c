"""The roster as a medical-staff office uses it: import clinicians and licences in bulk,
list them, ask who is deficient or due, claim what would count, on both backends."""

from __future__ import annotations

import csv
import io
import json
import os
import stat
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from credtrail.cli.main import cli
from credtrail.plugins import DEFAULT_PLUGINS

Run = Callable[..., Result]

ROSTER = """\
clinician_id,profession,name,npi,requirement_id,issued,expires,birth_date,number,attributes
md-1,physician,Mei Chen,1234567893,us-tx-physician,2020-04-01,2026-03-31,,Q1234,
md-2,physician,Raj Patel,,us-tx-physician,2021-04-01,2027-03-31,,Q5678,
np-1,nurse,Ana Ruiz,,aanp-renewal,2022-01-15,2027-01-14,,,
pa-1,pa,Lee Park,,,,,,,
"""


@pytest.fixture
def run(store_url: str) -> Run:
    """credtrail on a fresh, initialised store (each backend), built-in plugins only."""
    runner = CliRunner()

    def invoke(*args: str, plugins: str = ",".join(DEFAULT_PLUGINS), **kw: object) -> Result:
        return runner.invoke(
            cli, ["--store", store_url, "--plugins", plugins, *args], catch_exceptions=False, **kw
        )

    assert invoke("init").exit_code == 0
    return invoke


@pytest.fixture
def roster(run: Run, tmp_path: Path) -> Run:
    """Four clinicians and three licences imported from one roster file."""
    path = tmp_path / "roster.csv"
    path.write_text(ROSTER, encoding="utf-8")
    result = run("import", "--format", "roster", str(path))
    assert result.exit_code == 0, result.output
    assert result.stdout == (
        f"Imported {path} (roster): 4 clinician(s) added, 0 already recorded; "
        "3 licence(s) added, 0 already recorded\n"
    )
    return run


def earn(run: Run, clinician: str, credit_type: str, units: str, day: str, activity: str) -> str:
    accreditor = ["--accreditor", "ANCC"] if credit_type.startswith("ancc") else []
    result = run(
        "credit", "earn", clinician, "--type", credit_type, "--units", units, "--date", day,
        "--provider", "Mercy", *accreditor, "--activity", activity,
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    return result.stdout.strip()


def test_roster_import_is_idempotent_and_dry_run_says_the_same(roster: Run, tmp_path: Path) -> None:
    """Importing the file again writes nothing; a dry run uses the real run's words."""
    path = tmp_path / "roster.csv"
    again = roster("import", "--format", "roster", str(path))
    assert again.stdout == f"Nothing written: every row of {path} is already recorded (4 rows)\n"
    more = tmp_path / "more.csv"
    md3 = "md-3,physician,,,us-ca-physician,2022-02-01,2026-01-31,1980-05-05,,\n"
    more.write_text(ROSTER + md3)
    dry = roster("import", "--format", "roster", str(more), "--dry-run", "--json")
    data = json.loads(dry.stdout)
    assert {k: data[k] for k in ("clinicians_added", "licenses_added", "committed")} == {
        "clinicians_added": 1,
        "licenses_added": 1,
        "committed": False,
    }
    assert roster("clinician", "list", "--json").stdout.count("clinician_id") == 4


def test_a_bad_roster_writes_nothing_and_names_file_line_and_field(
    run: Run, tmp_path: Path
) -> None:
    """Atomic: one bad row and no row is written; each error by file, line and column."""
    path = tmp_path / "bad.csv"
    path.write_text(
        "clinician_id,profession,npi,requirement_id,issued\n"
        "ok-1,physician,,ama-pra-award-3y,2020-04-01\n"
        "x-1,dentist,,,\n"
        "x-2,physician,123,,\n"
        "x-3,physician,,us-tx-physician,2020-13-01\n"
        "ok-1,nurse,,,\n"
    )
    result = run("import", "--format", "roster", str(path), "--json")
    assert result.exit_code == 1
    errors = [(e["line"], e["field"]) for e in json.loads(result.stdout)["errors"]]
    assert errors == [(3, "profession"), (4, "npi"), (5, "issued"), (6, "profession")]
    text = run("import", "--format", "roster", str(path))
    assert text.exit_code == 1
    assert f"{path}:5: issued: '2020-13-01' is not a date; use YYYY-MM-DD" in text.stderr
    assert json.loads(run("clinician", "list", "--json").stdout) == []


def test_clinician_list_filters_by_profession_authority_and_requirement(roster: Run) -> None:
    """The roster, narrowed as an office asks for it; csv and json carry the same ids."""
    everyone = json.loads(roster("clinician", "list", "--json").stdout)
    assert [c["clinician_id"] for c in everyone] == ["md-1", "md-2", "np-1", "pa-1"]
    assert everyone[0] == {
        "clinician_id": "md-1",
        "name": "Mei Chen",
        "profession": "physician",
        "npi": "1234567893",
        "requirement_ids": ["us-tx-physician"],
        "authorities": ["TX-TMB"],
    }

    def ids(*args: str) -> list[str]:
        text = roster("clinician", "list", "--format", "csv", *args).stdout
        return [row["clinician_id"] for row in csv.DictReader(io.StringIO(text))]

    assert ids("--profession", "nurse") == ["np-1"]
    assert ids("--authority", "TX-TMB") == ["md-1", "md-2"]
    assert ids("--requirement", "aanp-renewal") == ["np-1"]
    table = roster("clinician", "list").stdout.splitlines()
    assert table[0].split() == ["clinician", "name", "profession", "npi", "requirements"]


def test_status_all_is_every_clinicians_status_with_their_id(roster: Run) -> None:
    """From the views, the roster gives each clinician's own status rows, id on each."""
    rows = json.loads(roster("status", "--all", "--json").stdout)
    assert sorted({r["clinician_id"] for r in rows}) == ["md-1", "md-2", "np-1"]
    for cid in ("md-1", "md-2", "np-1"):
        own = json.loads(roster("status", cid, "--json").stdout)
        mine = [r for r in rows if r["clinician_id"] == cid]
        assert [(r["requirement_id"], r["status"], r["counted"], r["cycle_end"]) for r in mine] == [
            (r["requirement_id"], r["status"], r["counted"], r["cycle_end"]) for r in own
        ]
    assert all(r["clinician_id"] == r["clinician_id"].strip() for r in rows)


def test_status_all_filters_and_formats(roster: Run) -> None:
    """--due-within, --authority, --requirement and --deficient; table, csv and json."""
    on = ["--on", "2026-01-15"]
    due = json.loads(roster("status", "--all", *on, "--due-within", "90d", "--json").stdout)
    assert [(r["clinician_id"], r["cycle_end"], r["days_left"], r["status"]) for r in due] == [
        ("md-1", "2026-03-31", 75, "in_progress")
    ]
    text = roster("status", "--all", *on, "--format", "csv", "--authority", "AANP").stdout
    (row,) = list(csv.DictReader(io.StringIO(text)))
    assert (row["clinician_id"], row["requirement_id"], row["status"]) == (
        "np-1",
        "aanp-renewal",
        "in_progress",
    )
    assert row["missing"].startswith("total 100")
    only = json.loads(
        roster("status", "--all", *on, "--requirement", "us-tx-physician", "--json").stdout
    )
    assert [r["clinician_id"] for r in only] == ["md-1", "md-2"]
    assert json.loads(roster("status", "--all", *on, "--deficient", "--json").stdout) == []
    table = roster("status", "--all", *on).stdout.splitlines()
    assert table[0].split()[:4] == ["clinician", "name", "requirement", "authority"]
    assert table[-1] == "3 row(s) on 2026-01-15."


def test_status_all_and_one_clinician_are_exclusive(roster: Run) -> None:
    """A clinician or --all; roster filters need --all."""
    assert roster("status").exit_code == 2
    assert roster("status", "md-1", "--all").exit_code == 2
    assert roster("status", "md-1", "--deficient").exit_code == 2


def test_claim_all_claims_what_the_requirement_would_count(roster: Run) -> None:
    """An NP's recorded hours: status says they are not claimed; claim --all claims the
    ANCC hours (not the AMA Category 2 credit, which AANP would not count)."""
    ids = [
        earn(roster, "np-1", "ancc_contact_hour", "10", f"2025-0{i}-10", f"N{i}") for i in (1, 2, 3)
    ]
    earn(roster, "np-1", "ama_pra_2", "5", "2025-04-10", "M1")
    before = roster("status", "np-1").stdout
    assert "30 units recorded but not claimed would count here" in before
    assert "credtrail credit claim --all --authority AANP --clinician np-1" in before
    explained = roster("explain", "np-1", "aanp-renewal").stdout
    assert explained.splitlines()[-1].startswith(
        "30 units recorded but not claimed would count here"
    )
    assert json.loads(roster("status", "np-1", "--json").stdout)[0]["unclaimed_would_count"] == "30"
    refused = roster("credit", "claim", "--all", "--authority", "AANP")
    assert refused.exit_code == 2
    assert "give --yes to claim, or --dry-run" in refused.stderr
    dry = json.loads(
        roster("credit", "claim", "--all", "--authority", "AANP", "--dry-run", "--json").stdout
    )
    assert [c["credit_id"] for c in dry["claims"]] == ids
    assert (dry["units"], dry["committed"]) == ("30", False)
    since = roster(
        "credit", "claim", "--all", "--authority", "AANP", "--since", "2025-02-01", "--dry-run"
    )
    assert "Would claim 20 units of 2 credit(s) toward AANP" in since.stdout
    done = roster("credit", "claim", "--all", "--authority", "AANP", "--clinician", "np-1", "--yes")
    assert done.stdout.endswith("Claimed 30 units of 3 credit(s) toward AANP.\n")
    after = json.loads(roster("status", "np-1", "--json").stdout)[0]
    assert (after["counted"], after["unclaimed_would_count"]) == ("30", None)
    again = roster("credit", "claim", "--all", "--authority", "AANP", "--yes")
    assert again.stdout == "Nothing to claim toward AANP: no unclaimed credit would count.\n"


def test_claim_all_on_a_terminal_asks_first(roster: Run, monkeypatch: pytest.MonkeyPatch) -> None:
    """At a terminal the claims are listed and nothing is written unless confirmed."""
    monkeypatch.setattr("credtrail.cli.claiming.at_terminal", lambda: True)
    earn(roster, "np-1", "ancc_contact_hour", "10", "2025-01-10", "N1")
    declined = roster("credit", "claim", "--all", "--authority", "AANP", input="n\n")
    assert declined.exit_code == 1
    assert "To claim 10 units of 1 credit(s) toward AANP" in declined.stdout
    assert json.loads(roster("status", "np-1", "--json").stdout)[0]["counted"] == "0"
    accepted = roster("credit", "claim", "--all", "--authority", "AANP", input="y\n")
    assert accepted.exit_code == 0
    assert json.loads(roster("status", "np-1", "--json").stdout)[0]["counted"] == "10"


def test_status_after_a_plugin_change_is_judged_directly(roster: Run) -> None:
    """Other plugins than the views were built with: status answers, marked as direct;
    catch-up still refuses and names the rebuild."""
    before = json.loads(roster("status", "md-1", "--json").stdout)
    fewer = ",".join(p for p in DEFAULT_PLUGINS if p != "pa_aapa")
    after = roster("status", "md-1", "--json", plugins=fewer)
    assert after.exit_code == 0
    assert after.stderr == (
        "Note: evaluated directly: views are stale; "
        "run `credtrail projections rebuild --view compliance`\n"
    )
    rows = json.loads(after.stdout)
    assert [r["evaluated_directly"] for r in rows] == [True]
    assert [(r["status"], r["counted"], r["cycle_end"]) for r in rows] == [
        (r["status"], r["counted"], r["cycle_end"]) for r in before
    ]
    assert roster("status", "--all", "--json", plugins=fewer).exit_code == 0
    refused = roster("projections", "catch-up", plugins=fewer)
    assert refused.exit_code == 1
    assert "credtrail projections rebuild --view compliance" in refused.stderr


def test_info_shows_store_backend_events_views_and_plugins(roster: Run, store_url: str) -> None:
    """``credtrail info --json``: what a person asks first about a store."""
    data = json.loads(roster("info", "--json").stdout)
    assert data["backend"] == ("postgres" if store_url.startswith("postgres") else "sqlite")
    assert data["store_source"] == "--store"
    assert data["events"] > 0
    assert {v["view"] for v in data["views"]} == {"transcript", "compliance"}
    assert set(DEFAULT_PLUGINS) <= {p["name"] for p in data["plugins"]}
    text = roster("info").stdout
    assert text.startswith("store    ")
    assert "(from --store)" in text.splitlines()[0]


def test_the_default_store_is_per_user_and_private(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No --store, no CREDTRAIL_STORE: the user's data folder, made 0700, the file 0600;
    init says where it went, and any folder then finds it."""
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.delenv("CREDTRAIL_STORE", raising=False)
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()
    plugins = ["--plugins", ",".join(DEFAULT_PLUGINS)]
    result = runner.invoke(cli, [*plugins, "init"])
    assert result.exit_code == 0, result.output
    store = tmp_path / "config" / "credtrail" / "credtrail.db"
    assert result.stdout.splitlines()[0] == (
        f"Store ready at {store} (the per-user default; --store or CREDTRAIL_STORE chooses another)"
    )
    assert stat.S_IMODE(os.stat(store.parent).st_mode) == 0o700
    assert stat.S_IMODE(os.stat(store).st_mode) == 0o600
    assert not (tmp_path / "credtrail.db").exists()
    info = json.loads(runner.invoke(cli, [*plugins, "info", "--json"]).stdout)
    assert (info["store"], info["store_source"]) == (str(store), "default")
    monkeypatch.setenv("CREDTRAIL_STORE", str(tmp_path / "other.db"))
    elsewhere = runner.invoke(cli, [*plugins, "init"])
    assert elsewhere.stdout.splitlines()[0] == (
        f"Store ready at {tmp_path / 'other.db'} (from CREDTRAIL_STORE)"
    )

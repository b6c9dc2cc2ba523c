"""``credtrail projections ...`` as a user types it: exit codes and exact output."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pluggy
import pytest
from click.testing import CliRunner, Result

from credtrail.cli.main import cli
from credtrail.core.application import Credtrail
from credtrail.core.plugins import build_plugin_manager
from credtrail.core.projections import Views
from credtrail.core.projections.compliance import PARALLEL_THRESHOLD
from credtrail.core.transcript import transcript_of
from credtrail.plugins import DEFAULT_PLUGINS, builtin_plugins

from .history import dump
from .test_fault import populate
from .test_parallel import gone, judges, spy

Run = Callable[..., Result]


@pytest.fixture
def run(store_url: str, pm: pluggy.PluginManager) -> Run:
    """credtrail on a store holding a small population (views never run yet)."""
    return cli_on(store_url, pm, clinicians=3, credits=4)


def cli_on(store_url: str, pm: pluggy.PluginManager, *, clinicians: int, credits: int) -> Run:
    app = Credtrail.open(store_url, pm, create=True)
    try:
        populate(app, clinicians=clinicians, credits=credits)
    finally:
        app.close()
    runner = CliRunner()

    def invoke(*args: str) -> Result:
        return runner.invoke(
            cli,
            ["--store", store_url, "--plugins", ",".join(DEFAULT_PLUGINS), *args],
            catch_exceptions=False,
        )

    return invoke


def head_of(run: Run) -> int:
    result = run("projections", "status", "--json")
    assert result.exit_code == 0, result.output
    return int(json.loads(result.stdout)[0]["head"])


def test_status_shows_lag_then_catch_up_clears_it(run: Run) -> None:
    """Before a catch-up every view lags by the whole log; after, by nothing."""
    head = head_of(run)
    before = json.loads(run("projections", "status", "--json").stdout)
    fresh = {"position": 0, "head": head, "lag": head, "rebuilt_at": None, "stale": False}
    assert before == [{"view": "transcript", **fresh}, {"view": "compliance", **fresh}]
    result = run("projections", "catch-up")
    assert result.exit_code == 0
    assert result.stdout == f"Caught up {head:,} events; views at position {head:,}.\n"
    # Not a terminal: plain progress lines on stderr, the last one at 100%.
    assert result.stderr.splitlines()[-1].startswith(f"catch-up: {head:,}/{head:,} events (100%)")
    text = run("projections", "status").stdout.splitlines()
    assert text[0].split() == ["view", "position", "head", "lag", "rebuilt", "plugins", "changed"]
    assert text[2].split() == ["transcript", str(head), str(head), "0", "-", "-"]
    assert text[3].split() == ["compliance", str(head), str(head), "0", "-", "-"]


def test_views_built_with_other_plugins_must_be_rebuilt(
    run: Run, store_url: str, pm: pluggy.PluginManager
) -> None:
    """Compliance judged with other plugins is refused until rebuilt; transcripts go on."""
    assert run("projections", "catch-up").exit_code == 0
    runner = CliRunner()

    def fewer(*args: str) -> Result:  # the same store, one plugin unloaded
        return runner.invoke(
            cli,
            ["--store", store_url, "--plugins", "physician_ama,nursing_ancc", *args],
            catch_exceptions=False,
        )

    status = {s["view"]: s for s in json.loads(fewer("projections", "status", "--json").stdout)}
    assert status["compliance"]["stale"] is True
    assert status["transcript"]["stale"] is False
    table_text = fewer("projections", "status").stdout
    assert "STALE" in table_text
    assert "rebuild with 'credtrail projections rebuild --view compliance'" in table_text
    # status answers by direct evaluation, and says so; catch-up refuses.
    direct = fewer("status", "k00")
    assert direct.exit_code == 0
    assert direct.stderr == (
        "Note: evaluated directly: views are stale; "
        "run `credtrail projections rebuild --view compliance`\n"
    )
    refused = fewer("projections", "catch-up")
    assert refused.exit_code == 1
    assert refused.stderr.startswith("Error: the compliance view was built with other plugins")
    assert "'credtrail projections rebuild --view compliance'" in refused.stderr
    assert fewer("transcript", "k00").exit_code == 0  # needs no plugin: never stale
    # Rebuilding another view alone is refused before anything is deleted.
    partial = fewer("projections", "rebuild", "--view", "transcript")
    assert partial.exit_code == 1
    assert "compliance view was built with other plugins" in partial.output
    assert json.loads(fewer("projections", "status", "--json").stdout)[0]["lag"] == 0
    rebuilt = fewer("projections", "rebuild", "--view", "compliance")
    assert rebuilt.exit_code == 0, rebuilt.output
    assert fewer("status", "k00").stderr == ""
    # Back to all plugins: the view was now built with the fewer ones, so stale again.
    assert json.loads(run("projections", "status", "--json").stdout)[1]["stale"] is True


def test_rebuild_one_view_replays_it_and_stamps_it(run: Run, store_url: str) -> None:
    """``rebuild --view transcript`` replays that view only and records when."""
    head = head_of(run)
    assert run("projections", "catch-up").exit_code == 0
    result = run("projections", "rebuild", "--view", "transcript")
    assert result.exit_code == 0
    assert result.stdout.startswith(f"Rebuilt transcript from {head:,} events in ")
    status = {s["view"]: s for s in json.loads(run("projections", "status", "--json").stdout)}
    assert status["transcript"]["rebuilt_at"] is not None
    assert status["compliance"]["rebuilt_at"] is None
    assert status["transcript"]["lag"] == status["compliance"]["lag"] == 0


def test_rebuild_rejects_an_unknown_view(run: Run) -> None:
    """A misspelt view is a usage error naming the choices."""
    result = run("projections", "rebuild", "--view", "transcripts")
    assert result.exit_code == 2
    assert "'transcripts' is not one of 'transcript', 'compliance'" in result.output


def test_views_read_after_catching_up(store_url: str, pm: pluggy.PluginManager) -> None:
    """The query API catches up first: a credit recorded after the last run is visible."""
    app = Credtrail.open(store_url, pm, create=True)
    try:
        populate(app, clinicians=2, credits=3)
        views = Views.of(app)
        assert views.transcript("k00") == app.transcript("k00")
        app.revoke("k00", app.transcript("k00").credits[0].credit_id, "duplicate", date(2025, 1, 1))
        assert views.transcript("k00") == app.transcript("k00")
        rows = views.compliance("k00", on=date(2026, 11, 1))
        assert [r.requirement_id for r in rows] == ["us-ca-physician"]
        assert rows[0].cycle_start <= date(2026, 11, 1) <= rows[0].cycle_end
    finally:
        app.close()


def test_transcript_command_reads_the_caught_up_view(run: Run, store_url: str) -> None:
    """``credtrail transcript --json`` catches the view up and prints what the ledger says."""
    result = run("transcript", "k01", "--json")
    assert result.exit_code == 0, result.output
    status = {s["view"]: s for s in json.loads(run("projections", "status", "--json").stdout)}
    assert status["transcript"]["lag"] == 0
    assert status["compliance"]["position"] == 0  # a transcript needs no compliance
    pm = build_plugin_manager(builtin_plugins(), load_entrypoints=False)
    app = Credtrail.open(store_url, pm)
    try:
        expected = transcript_of(app.ledger("k01")).model_dump(mode="json")
    finally:
        app.close()
    # The CLI names the clinician as every command does (``clinician_id``).
    expected["clinician_id"] = expected.pop("clinician")
    assert json.loads(result.stdout) == expected


def test_workers_option_judges_big_pages_in_that_many_processes(
    store_url: str, pm: pluggy.PluginManager, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """``--workers 2`` forks two judges for a page of 64 clinicians; ``--workers 1`` none;
    both write the same tables."""
    run = cli_on(store_url, pm, clinicians=PARALLEL_THRESHOLD, credits=2)
    log = tmp_path / "judges"
    spy(monkeypatch, log)
    result = run("projections", "catch-up", "--workers", "2")
    assert result.exit_code == 0, result.output
    workers = judges(log) - {os.getpid()}
    assert len(workers) == 2
    assert gone(workers)  # none left running, none left unreaped
    app = Credtrail.open(store_url, pm)
    try:
        in_workers_tables = dump(Views.of(app))
        log.unlink()
        result = run("projections", "rebuild", "--workers", "1")
        assert result.exit_code == 0, result.output
        assert judges(log) == {os.getpid()}
        assert dump(Views.of(app)) == in_workers_tables
    finally:
        app.close()


def test_workers_default_to_the_environment_variable(
    run: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    """CREDTRAIL_WORKERS applies when --workers is not given (a bad value is an error);
    --workers wins over it."""
    monkeypatch.setenv("CREDTRAIL_WORKERS", "many")
    result = run("projections", "rebuild")
    assert result.exit_code == 1
    assert result.output == "Error: CREDTRAIL_WORKERS must be a whole number >= 1, not 'many'\n"
    result = run("projections", "rebuild", "--workers", "1")
    assert result.exit_code == 0, result.output


def test_workers_option_must_be_at_least_one(run: Run) -> None:
    """``--workers 0`` is a usage error, for catch-up and rebuild alike."""
    for command in ("catch-up", "rebuild"):
        result = run("projections", command, "--workers", "0")
        assert result.exit_code == 2
        assert "Invalid value for '--workers': 0 is not in the range x>=1." in result.output

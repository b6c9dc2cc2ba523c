"""Each command imports what it needs: ``--version`` no domain, ``status`` no PostgreSQL
driver, process pool or import pipeline (figures: ``bench/startup.py``)."""

from __future__ import annotations

import importlib
import json
import os
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

import click
import pytest

from credtrail.cli.main import COMMAND_MODULES, cli

PROBE = """
import json, sys
from credtrail.cli.main import main
try:
    main(sys.argv[1:])
except SystemExit:
    pass
print(json.dumps(sorted(sys.modules)), file=sys.stderr)
"""


def modules_after(*args: str, cwd: Path, env: dict[str, str] | None = None) -> tuple[set[str], str]:
    """The modules a fresh interpreter has imported once ``credtrail ARGS`` ran, and
    what it printed."""
    done = subprocess.run(
        [sys.executable, "-P", "-c", PROBE, *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        check=True,
        env=env,
    )
    loaded: list[str] = json.loads(done.stderr.strip().splitlines()[-1])
    return set(loaded), done.stdout


def test_every_command_is_listed_once_with_its_module() -> None:
    """The lazy command table matches what the modules export, so no command is lost."""
    exported = {
        command.name: module
        for module in set(COMMAND_MODULES.values())
        for command in importlib.import_module(f"credtrail.cli.{module}").COMMANDS
    }
    assert exported == COMMAND_MODULES
    assert cli.list_commands(click.Context(cli)) == sorted(COMMAND_MODULES)


def test_version_imports_no_domain(tmp_path: Path) -> None:
    """``credtrail --version`` loads neither pydantic nor the store nor any command."""
    loaded, _ = modules_after("--version", cwd=tmp_path)
    heavy = {"pydantic", "eventsourcing", "psycopg", "scipy", "multiprocessing"}
    assert heavy & loaded == set()
    core = {m for m in loaded if m.startswith("credtrail.core.")}
    assert core == {"credtrail.core.errors", "credtrail.core.plugins"}


@pytest.mark.slow
def test_status_on_sqlite_loads_only_what_it_needs(tmp_path: Path) -> None:
    """``status`` on a SQLite store never loads psycopg, multiprocessing or any exchange
    format; once the views are current it loads no eventsourcing, domain, rule engine or
    plugin either, and says the same."""
    store = str(tmp_path / "s.db")
    env = {**os.environ, "CREDTRAIL_CACHE_DIR": str(tmp_path / "cache")}
    today = date.today()
    licence = ["license", "add", "dr-a", "--requirement", "us-ca-physician"]
    licence += ["--issued", str(today - timedelta(400)), "--expires", str(today + timedelta(330))]
    credit = ["credit", "earn", "dr-a", "--type", "ama_pra_1", "--units", "10"]
    credit += ["--date", str(today - timedelta(30)), "--provider", "P", "--accreditor", "ACCME"]
    for args in (
        ["init"],
        ["clinician", "add", "dr-a", "--profession", "physician"],
        licence,
        [*credit, "--activity", "A1"],
    ):
        subprocess.run(
            [sys.executable, "-P", "-m", "credtrail.cli.main", "--store", store, *args],
            check=True,
            capture_output=True,
            env=env,
        )
    status = ["--store", store, "status", "dr-a"]
    full, said = modules_after(*status, cwd=tmp_path, env=env)
    assert "credtrail.core.domain" in full  # the views were behind: caught up first
    unwanted = {
        "psycopg",
        "eventsourcing.postgres",
        "multiprocessing",
        "credtrail.core.exchange",
    }
    assert unwanted & full == set()
    quick, again = modules_after(*status, cwd=tmp_path, env=env)
    assert again == said
    assert "us-ca-physician (CA-MBC), cycle" in said
    heavy = {
        "eventsourcing",
        "pluggy",
        "scipy",
        "credtrail.core.domain",
        "credtrail.core.rules",
        "credtrail.core.projections",
        "credtrail.core.registry",
    }
    assert heavy & quick == set()

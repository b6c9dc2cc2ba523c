"""Each command imports what it needs: ``--version`` no domain, ``status`` no PostgreSQL
driver, process pool or import pipeline (figures: ``bench/startup.py``)."""

from __future__ import annotations

import importlib
import json
import subprocess
import sys
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


def modules_after(*args: str, cwd: Path) -> set[str]:
    """The modules a fresh interpreter has imported once ``credtrail ARGS`` ran."""
    done = subprocess.run(
        [sys.executable, "-P", "-c", PROBE, *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        check=True,
    )
    loaded: list[str] = json.loads(done.stderr.strip().splitlines()[-1])
    return set(loaded)


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
    loaded = modules_after("--version", cwd=tmp_path)
    heavy = {"pydantic", "eventsourcing", "psycopg", "scipy", "multiprocessing"}
    assert heavy & loaded == set()
    core = {m for m in loaded if m.startswith("credtrail.core.")}
    assert core == {"credtrail.core.errors", "credtrail.core.plugins"}


@pytest.mark.slow
def test_status_on_sqlite_imports_no_postgres_pool_or_pipeline(tmp_path: Path) -> None:
    """``status`` on a SQLite store never loads psycopg, multiprocessing or any exchange format."""
    store = str(tmp_path / "s.db")
    for args in (["init"], ["clinician", "add", "dr-a", "--profession", "physician"]):
        subprocess.run(
            [sys.executable, "-P", "-m", "credtrail.cli.main", "--store", store, *args],
            check=True,
            capture_output=True,
        )
    loaded = modules_after("--store", store, "status", "dr-a", cwd=tmp_path)
    assert "credtrail.core.domain" in loaded  # the probe ran the command
    unwanted = {
        "psycopg",
        "eventsourcing.postgres",
        "multiprocessing",
        "credtrail.core.exchange",
    }
    assert unwanted & loaded == set()

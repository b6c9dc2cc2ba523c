"""The CLI as a user types it, on a fresh store of each backend (``store_url``)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from click.testing import CliRunner, Result

from credtrail.cli.main import cli
from credtrail.plugins import DEFAULT_PLUGINS

Run = Callable[..., Result]


@pytest.fixture
def run(store_url: str) -> Run:
    """credtrail on a fresh, initialised store (each backend), built-in plugins only."""
    runner = CliRunner()

    def invoke(*args: str) -> Result:
        return runner.invoke(
            cli,
            ["--store", store_url, "--plugins", ",".join(DEFAULT_PLUGINS), *args],
            catch_exceptions=False,
        )

    assert invoke("init").exit_code == 0
    return invoke

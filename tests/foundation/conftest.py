from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pluggy
import pytest

from credtrail.core.application import Credtrail
from credtrail.core.plugins import build_plugin_manager

from .testplugin import Dentistry


@pytest.fixture
def dental_pm() -> pluggy.PluginManager:
    return build_plugin_manager(extra=[("dentistry", Dentistry())], load_entrypoints=False)


@pytest.fixture
def dental_app(tmp_path: Path, dental_pm: pluggy.PluginManager) -> Iterator[Credtrail]:
    app = Credtrail.open(str(tmp_path / "core.db"), dental_pm, create=True)
    try:
        yield app
    finally:
        app.close()

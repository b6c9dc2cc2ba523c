from __future__ import annotations

from collections.abc import Iterator

import pluggy
import pytest

from credtrail.core.application import Credtrail
from credtrail.core.plugins import build_plugin_manager

from .testplugin import Dentistry


@pytest.fixture
def dental_pm() -> pluggy.PluginManager:
    return build_plugin_manager(extra=[("dentistry", Dentistry())], load_entrypoints=False)


@pytest.fixture
def dental_app(store_url: str, dental_pm: pluggy.PluginManager) -> Iterator[Credtrail]:
    """A store on each backend with only the test dentistry plugin loaded."""
    app = Credtrail.open(store_url, dental_pm, create=True)
    try:
        yield app
    finally:
        app.close()

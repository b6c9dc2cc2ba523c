"""A pytest plugin for plugin authors' tests, loaded wherever credtrail is installed.

Registered under the ``pytest11`` entry point, so a plugin's test-suite can ask for
these fixtures without a conftest:

- ``credtrail_plugins``: the ``(name, plugin)`` pairs under test; none by default:
  override it in the plugin's ``conftest.py``
  (``return [("dentistry_ada", credtrail_dentistry_ada.plugin)]``);
- ``credtrail_plugin_manager``: those and core's own plugins, never other installed
  ones (entry points off), so a suite does not depend on what else is installed;
- ``credtrail_app``: a ``Credtrail`` application on a fresh SQLite store in
  ``tmp_path`` with that plugin manager, closed after the test.

Importing this module imports nothing from credtrail until a fixture is used.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    import pluggy

    from credtrail.core.application import Credtrail


@pytest.fixture
def credtrail_plugins() -> Sequence[tuple[str, object]]:
    """The plugins under test: override in a conftest (none by default)."""
    return ()


@pytest.fixture
def credtrail_plugin_manager(
    credtrail_plugins: Sequence[tuple[str, object]],
) -> pluggy.PluginManager:
    """``credtrail_plugins`` and core's own plugins; installed ones are left out."""
    from credtrail.core.plugins import build_plugin_manager

    return build_plugin_manager(credtrail_plugins, load_entrypoints=False)


@pytest.fixture
def credtrail_app(
    tmp_path: Path, credtrail_plugin_manager: pluggy.PluginManager
) -> Iterator[Credtrail]:
    """An application on a new SQLite store under ``tmp_path``, closed afterwards."""
    from credtrail.core.application import Credtrail

    app = Credtrail.open(str(tmp_path / "credtrail.db"), credtrail_plugin_manager, create=True)
    try:
        yield app
    finally:
        app.close()

"""Contract tests a profession plugin's own test-suite subclasses.

Like eventsourcing's ``tests/persistence.py`` or ``structlog.testing``, this module is
shipped so that a plugin written outside credtrail can prove it keeps the contract
of ``credtrail.core.hookspecs``. In the plugin's tests::

    from my_plugin import plugin
    from credtrail.core.testing import PluginContract

    class TestMyPlugin(PluginContract):
        plugin = plugin                # the ProfessionPlugin (or a module of hookimpls)
        plugin_name = "my_plugin"      # its entry-point name

``pytest`` then runs every ``test_*`` method of ``PluginContract`` against the
plugin: credit types are well formed, validation returns violations (never raises)
for known bad credits and ignores other plugins' credit, requirement documents load
and cite a source, equivalences are consistent, and the plugin's golden scenarios
(``golden.toml`` in the plugin's folder, see ``docs/plugins.md``) pass on a real store.

The class is plain pytest (no ``unittest``) and imports neither pytest nor
Hypothesis: a plugin's tests need only ``pytest`` to run it. Property tests that
feed the plugin generated credits are in ``credtrail.core.testing.properties``
(``PluginProperties``; install ``credtrail[testing]`` for Hypothesis). The pytest
plugin ``credtrail.core.testing.fixtures`` (loaded automatically where credtrail is
installed) gives tests a ``credtrail_app`` on a fresh store.
"""

import importlib as _importlib
import typing as _typing

if _typing.TYPE_CHECKING:
    from credtrail.core.testing.contract import (
        GoldenCredit,
        GoldenLicense,
        GoldenScenario,
        GoldenStatus,
        PluginContract,
        load_golden_scenarios,
        run_golden_scenario,
    )

__all__ = [
    "GoldenCredit",
    "GoldenLicense",
    "GoldenScenario",
    "GoldenStatus",
    "PluginContract",
    "load_golden_scenarios",
    "run_golden_scenario",
]


def __getattr__(name: str) -> _typing.Any:
    # Lazy, so the pytest plugin (``fixtures``, a submodule) loads without credtrail's
    # store and rule engine in every test run of a project that has credtrail installed.
    if name not in __all__:
        raise AttributeError(f"module 'credtrail.core.testing' has no attribute {name!r}")
    value = getattr(_importlib.import_module("credtrail.core.testing.contract"), name)
    globals()[name] = value
    return value

"""The three built-in plugins keep the public plugin contract (credtrail.core.testing).

Each class runs every ``test_*`` of ``PluginContract`` against one built-in, with the
other built-ins loaded beside it (they share accreditors and equivalences). Their
golden scenarios live in ``tests/pdk/golden/`` (the plugins' folders are not ours).
"""

from __future__ import annotations

from pathlib import Path

from credtrail.core.testing import PluginContract
from credtrail.core.testing.properties import PluginProperties
from credtrail.plugins import builtin_plugins, nursing_ancc, pa_aapa, physician_ama

GOLDEN = Path(__file__).parent / "golden"


def _others(name: str) -> list[tuple[str, object]]:
    return [(n, p) for n, p in builtin_plugins() if n != name]


class TestPhysicianContract(PluginContract, PluginProperties):
    plugin = physician_ama.plugin
    plugin_name = "physician_ama"
    companions = _others("physician_ama")
    golden_scenarios = GOLDEN / "physician_ama.toml"


class TestNursingContract(PluginContract, PluginProperties):
    plugin = nursing_ancc.plugin
    plugin_name = "nursing_ancc"
    companions = _others("nursing_ancc")
    golden_scenarios = GOLDEN / "nursing_ancc.toml"


class TestPaContract(PluginContract, PluginProperties):
    plugin = pa_aapa.plugin
    plugin_name = "pa_aapa"
    companions = _others("pa_aapa")
    golden_scenarios = GOLDEN / "pa_aapa.toml"

"""Each built-in plugin works alone, as `--plugins NAME` / CREDTRAIL_LOAD_PLUGINS selects."""

from __future__ import annotations

import pytest

from credtrail.core.plugins import build_plugin_manager
from credtrail.core.registry import build_registry
from credtrail.plugins import DEFAULT_PLUGINS, builtin_plugins


@pytest.mark.parametrize("name", list(DEFAULT_PLUGINS))
def test_builtin_plugin_builds_a_coherent_registry_alone(name: str) -> None:
    """Its credit types' accreditors are registered; equivalences from absent types drop."""
    pm = build_plugin_manager(builtin_plugins(), load_entrypoints=False, only={name})
    registry = build_registry(pm)
    if name == "federal":  # no profession of its own: alone, its DEA rule has no one to bind
        assert not registry.authorities
        assert not registry.requirements
        return
    assert registry.credit_types
    for credit_type in registry.credit_types.values():
        assert set(credit_type.accreditors) <= set(registry.accreditors)
    for eq in registry.equivalences:
        assert {eq.from_type, eq.to_type} <= set(registry.credit_types)


def test_all_builtins_together_keep_cross_profession_equivalences() -> None:
    """With every built-in loaded, AMA PRA Category 1 counts as AAPA Category 1 for NCCPA."""
    registry = build_registry(build_plugin_manager(builtin_plugins(), load_entrypoints=False))
    assert registry.counts_as("ama_pra_1", "aapa_1", "NCCPA") == 1

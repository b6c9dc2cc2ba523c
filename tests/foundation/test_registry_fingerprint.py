"""``Registry.fingerprint``: the same plugins give the same hash; any change gives another."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal

from credtrail.core import Citation, Equivalence, hookimpl
from credtrail.core.plugins import build_plugin_manager
from credtrail.core.registry import Registry, build_registry
from credtrail.plugins import builtin_plugins


def registry(*extra: object, only: set[str] | None = None) -> Registry:
    plugins = [p for p in builtin_plugins() if only is None or p[0] in only]
    pm = build_plugin_manager(plugins, load_entrypoints=False)
    for n, plugin in enumerate(extra):
        pm.register(plugin, name=f"extra-{n}")
    return build_registry(pm)


def test_same_plugins_same_fingerprint() -> None:
    assert registry().fingerprint() == registry().fingerprint()
    assert len(registry().fingerprint()) == 16


def test_fewer_plugins_or_another_version_change_the_fingerprint() -> None:
    everything = registry().fingerprint()
    assert registry(only={"physician_ama"}).fingerprint() != everything
    assert registry().fingerprint({"physician_ama": "1.0"}) != registry().fingerprint(
        {"physician_ama": "1.1"}
    )


class ExtraEquivalence:
    """A plugin that only adds an equivalence between built-in credit types."""

    @hookimpl
    def credtrail_register_equivalences(self, register: Callable[[Equivalence], None]) -> None:
        register(
            Equivalence(
                from_type="ama_pra_2",
                to_type="ama_pra_1",
                ratio=Decimal("0.5"),
                source=Citation(
                    authority="credtrail tests",
                    document="fingerprint",
                    date_read=date(2026, 11, 23),
                ),
            )
        )


def test_a_plugin_registering_one_more_thing_changes_the_fingerprint() -> None:
    assert registry(ExtraEquivalence()).fingerprint() != registry().fingerprint()

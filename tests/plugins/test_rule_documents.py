"""The built-ins load their requirement documents from ``rules/*.toml``."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pluggy

from credtrail.core import ProfessionPlugin, Registry, build_registry
from credtrail.plugins import builtin_plugins


def test_each_shipped_file_is_registered_by_its_plugin(registry: Registry) -> None:
    """Every rules/*.toml a built-in ships becomes a requirement owned by that plugin."""
    for name, plugin in builtin_plugins():
        assert isinstance(plugin, ProfessionPlugin)
        for document in plugin.rule_documents():
            key = f"{document['id']}@{document['version']}"
            assert registry.owner("requirement", key) == name, key


def _topics_named(node: Any) -> Iterator[str]:
    """Strings under any ``topic``/``topics`` key, however deep in a document."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key in ("topic", "topics"):
                values = value if isinstance(value, list) else [value]
                yield from (v for v in values if isinstance(v, str))
            else:
                yield from _topics_named(value)
    elif isinstance(node, list):
        for item in node:
            yield from _topics_named(item)


def test_requirements_only_name_known_topics(pm: pluggy.PluginManager) -> None:
    """Rule data counts topics credits can carry (the registered vocabulary): an unknown
    slug could never be met."""
    registry = build_registry(pm)
    unknown = {
        (rid, topic)
        for rid, document in registry.requirements.items()
        for topic in _topics_named(document)
        if topic not in registry.topics
    }
    assert unknown == set()

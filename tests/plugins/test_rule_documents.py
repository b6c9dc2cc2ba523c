"""The built-ins load their requirement documents from ``rules/*.toml``."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pluggy
import pytest

from credtrail.core.errors import InputError, PluginError
from credtrail.core.registry import Registry, build_registry
from credtrail.plugins import builtin_plugins
from credtrail.plugins._common import load_rule_documents, register_rule_documents
from credtrail.plugins.topics import KNOWN_TOPICS


def test_documents_load_sorted_by_file_name(tmp_path: Path) -> None:
    """Every *.toml loads, in file-name order; other files are ignored."""
    (tmp_path / "b.toml").write_text('id = "b"\n')
    (tmp_path / "a.toml").write_text('id = "a"\n[source]\nauthority = "X"\n')
    (tmp_path / "notes.md").write_text("not a rule")
    documents = load_rule_documents(tmp_path)
    assert [d["id"] for d in documents] == ["a", "b"]
    assert documents[0]["source"] == {"authority": "X"}


def test_a_missing_rules_folder_registers_nothing(tmp_path: Path) -> None:
    """Before any rule file exists, a plugin registers no requirement."""
    seen: list[dict[str, Any]] = []
    register_rule_documents("physician_ama", tmp_path / "rules", seen.append)
    assert seen == []


def test_malformed_toml_names_the_file(tmp_path: Path) -> None:
    """A broken file is an InputError naming it, reported as the plugin's fault when shipped."""
    (tmp_path / "broken.toml").write_text("id = \n")
    with pytest.raises(InputError, match=r"broken\.toml"):
        load_rule_documents(tmp_path)
    with pytest.raises(PluginError, match=r"'pa_aapa'.*broken\.toml"):
        register_rule_documents("pa_aapa", tmp_path, lambda document: None)


def test_each_shipped_file_is_registered_by_its_plugin(registry: Registry) -> None:
    """Every rules/*.toml a built-in ships becomes a requirement owned by that plugin."""
    for name, module in builtin_plugins():
        folder = Path(module.__file__ or "").parent / "rules"
        for document in load_rule_documents(folder):
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
    """Rule data counts topics credits can carry: an unknown slug could never be met."""
    registry = build_registry(pm)
    unknown = {
        (rid, topic)
        for rid, document in registry.requirements.items()
        for topic in _topics_named(document)
        if topic not in KNOWN_TOPICS
    }
    assert unknown == set()

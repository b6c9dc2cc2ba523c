"""Every built-in requirement file loads, is named after its id and cites its sources."""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from pathlib import Path

import pytest

from credtrail.core.models import Citation
from credtrail.core.plugins import build_plugin_manager
from credtrail.core.registry import Registry, build_registry
from credtrail.core.rules import (
    RequirementVersion,
    check_requirement,
    load_requirement,
    read_requirement_file,
)
from credtrail.core.rules.model import Cap, Part, RepeatLimit, Weight
from credtrail.plugins import builtin_plugins
from credtrail.plugins.topics import KNOWN_TOPICS

RULE_FILES = sorted(
    (name, path)
    for name, plugin in builtin_plugins()
    for path in (getattr(plugin, "folder", Path()) / "rules").glob("*.toml")
)

USER_TYPED_IDS = {
    "ama-pra-award-1y",
    "ama-pra-award-2y",
    "ama-pra-award-3y",
    "nccpa-cme",
    "ancc-renewal",
    "aanp-renewal",
}

LATEST_READ = date(2026, 12, 7)
"""The last research pass (the 2026-12-07 rule audit); no citation is read later."""

PROFESSION_OF_PLUGIN = {"physician_ama": "physician", "nursing_ancc": "nurse", "pa_aapa": "pa"}

PROFESSIONS_OF_PLUGIN = {
    **{plugin: (profession,) for plugin, profession in PROFESSION_OF_PLUGIN.items()},
    "federal": ("physician", "nurse", "pa"),  # the DEA binds every profession
}

RULE_CHANGES = {
    # id: the effective dates of the versions research.md §0.4 names as rule changes
    "us-oh-physician": {date(2019, 10, 17)},  # Ohio HB 166
    "us-ma-physician": {date(2022, 6, 1)},  # MA implicit bias
    "ancc-renewal": {date(2014, 1, 1)},  # ANCC pharmacology
    "us-tx-nurse": {date(2014, 1, 1)},  # TX RN jurisprudence and ethics
    "us-il-physician": {date(2023, 8, 1)},  # IL streamlining, 2026 renewal
}


def _load(path: Path) -> RequirementVersion:
    return load_requirement(read_requirement_file(path))


def _ids(item: tuple[str, Path]) -> str:
    return item[1].name


@pytest.fixture(scope="module")
def versions() -> dict[str, list[RequirementVersion]]:
    by_id: dict[str, list[RequirementVersion]] = defaultdict(list)
    for _, path in RULE_FILES:
        version = _load(path)
        by_id[version.id].append(version)
    return dict(by_id)


def _citations(version: RequirementVersion) -> list[tuple[str, Citation]]:
    found = [("source", version.source)]
    found += [(f"part {p.id}", p.source) for p in version.parts if p.source]
    return found


def test_plugins_ship_rule_files() -> None:
    """Each built-in plugin ships requirement files (a moved folder would ship none)."""
    assert {name for name, _ in RULE_FILES} == set(PROFESSIONS_OF_PLUGIN)
    assert len(RULE_FILES) >= 21  # one per requirement id, more where rules changed


@pytest.mark.parametrize("item", RULE_FILES, ids=_ids)
def test_file_loads_with_the_engine_loader(item: tuple[str, Path]) -> None:
    """The file validates as a RequirementVersion, read both as the CLI and as the plugin does."""
    plugin, path = item
    version = _load(path)
    assert version.professions == PROFESSIONS_OF_PLUGIN[plugin]


@pytest.mark.parametrize("item", RULE_FILES, ids=_ids)
def test_file_name_matches_id_and_version(item: tuple[str, Path]) -> None:
    """``<id>.toml`` holds a requirement's only version; ``<id>.<version>.toml`` one of several."""
    _, path = item
    version = _load(path)
    stem = path.name.removesuffix(".toml")
    if "." in stem:
        assert stem == f"{version.id}.{version.version}"
    else:
        assert stem == version.id
        siblings = list(path.parent.glob(f"{version.id}.*.toml"))
        assert siblings == [], f"{path.name} has versioned siblings: name it {stem}.<version>"


@pytest.mark.parametrize("item", RULE_FILES, ids=_ids)
def test_every_citation_says_when_it_was_read_and_explains_doubt(item: tuple[str, Path]) -> None:
    """Citations carry a date read; any not from the authority's own text explain why in a note."""
    _, path = item
    version = _load(path)
    for where, citation in _citations(version):
        assert citation.date_read <= date.today(), where  # never read in the future
        assert citation.authority, where
        assert citation.document, where
        if citation.confidence != "authority":
            assert len(citation.note or "") > 40, f"{path.name} {where}: say why"
    assert version.source.url, "the document's own citation needs an address"


@pytest.mark.parametrize("item", RULE_FILES, ids=_ids)
def test_selectors_name_registered_types_and_known_topics(
    item: tuple[str, Path], registry: Registry
) -> None:
    """A misspelled credit type or topic could never be met: every name must exist."""
    _, path = item
    version = _load(path)
    assert version.authority in registry.authorities
    selectors: list[Part | Cap | Weight | RepeatLimit] = [
        *version.parts,
        *version.caps,
        *version.weights,
        *version.repeat_limits,
    ]
    for code in (*version.credit_types, *(t for s in selectors for t in s.types)):
        assert code in registry.credit_types, f"{path.name}: unknown credit type {code}"
    for selector in selectors:
        for topic in (*selector.topics, *selector.exclude_topics):
            assert topic in KNOWN_TOPICS, f"{path.name} {selector.id}: unknown topic {topic}"


def test_ids_users_type_are_registered(registry: Registry) -> None:
    """The national ids and at least 6 physician, 3 nurse and 3 PA state boards exist."""
    ids = set(registry.requirement_ids())
    assert ids >= USER_TYPED_IDS
    for profession, at_least in (("physician", 6), ("nurse", 3), ("pa", 3)):
        boards = {i for i in ids if i.startswith("us-") and i.endswith(f"-{profession}")}
        assert len(boards) >= at_least, (profession, sorted(boards))
    assert {"us-ca-physician", "us-tx-physician", "us-fl-nurse", "us-ca-pa"} <= ids


def test_every_file_is_registered_as_its_own_version(registry: Registry) -> None:
    """Plugins register every version: the registry holds one document per file."""
    keys = set()
    for _, path in RULE_FILES:
        version = _load(path)
        keys.add(f"{version.id}@{version.version}")
    assert keys == set(registry.requirements)


def test_versions_of_one_requirement_differ_in_label_and_date(
    versions: dict[str, list[RequirementVersion]],
) -> None:
    """Two versions never share a label or an effective date (which would govern is undefined)."""
    for rid, found in versions.items():
        assert len({v.version for v in found}) == len(found), rid
        assert len({v.effective_from for v in found}) == len(found), rid
        assert len({v.authority for v in found}) == 1, rid


def test_rule_changes_ship_both_versions(versions: dict[str, list[RequirementVersion]]) -> None:
    """Each dated rule change has a version before and one from the change date."""
    for rid, dates in RULE_CHANGES.items():
        effective = {v.effective_from for v in versions[rid]}
        for changed_on in dates:
            assert changed_on in effective, (rid, changed_on)
            assert min(effective) < changed_on, f"{rid}: no version before {changed_on}"


@pytest.mark.parametrize("plugin", sorted(PROFESSION_OF_PLUGIN))
def test_each_plugin_alone_has_every_code_its_rules_name(plugin: str) -> None:
    """A plugin loaded alone (--plugins NAME) registers every code its own rule files name."""
    pm = build_plugin_manager(builtin_plugins(), load_entrypoints=False, only={plugin})
    alone = build_registry(pm)
    assert alone.requirements
    for document in alone.requirements.values():
        check_requirement(load_requirement(document), alone)


@pytest.mark.parametrize("plugin", sorted(PROFESSION_OF_PLUGIN))
def test_federal_rules_load_beside_any_one_profession(plugin: str) -> None:
    """federal + one profession plugin: the DEA serves that profession and its rule checks."""
    pm = build_plugin_manager(builtin_plugins(), load_entrypoints=False, only={plugin, "federal"})
    registry = build_registry(pm)
    assert registry.authority("DEA").professions == (PROFESSION_OF_PLUGIN[plugin],)
    dea = [d for d in registry.requirements.values() if d["authority"] == "DEA"]
    assert {d["version"] for d in dea} == {"v0", "v1"}
    for document in dea:
        check_requirement(load_requirement(document), registry)


def test_federal_alone_loads_and_registers_nothing_usable() -> None:
    """federal alone: no profession is loaded, so the DEA and its rule are dropped, not an error."""
    pm = build_plugin_manager(builtin_plugins(), load_entrypoints=False, only={"federal"})
    registry = build_registry(pm)
    assert "DEA" not in registry.authorities
    assert not registry.requirements

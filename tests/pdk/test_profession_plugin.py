"""``ProfessionPlugin``: a profession is its data; the class turns it into every hook."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from credtrail.core import (
    Accreditor,
    CreditDraft,
    ImportFormat,
    PluginError,
    Profession,
    ProfessionPlugin,
    Registry,
    Violation,
    build_plugin_manager,
    build_registry,
)
from credtrail.core.exchange import import_formats
from credtrail.core.registry import plugin_violations

from .misbehaving import OPTOMETRY_TYPE, SOURCE, requirement

AUTHORITY = """
[[authority]]
code = "XX-BOO"
name = "Board of Optometry"
professions = ["optometrist"]

[authority.source]
authority = "XX-BOO"
document = "Rules"
section = "1"
date_read = 2026-11-23
"""


def optometry(folder: Path, **data: object) -> ProfessionPlugin:
    values: dict[str, object] = {
        "folder": folder,
        "professions": [Profession(code="optometrist", label="Optometrist")],
        "credit_types": [OPTOMETRY_TYPE],
        "accreditors": [Accreditor(code="ARBO", name="ARBO / COPE", source=SOURCE)],
    }
    values.update(data)
    return ProfessionPlugin(**values)  # type: ignore[arg-type]


def registry_of(plugin: ProfessionPlugin) -> Registry:
    pm = build_plugin_manager(extra=[("optometry", plugin)], load_entrypoints=False)
    return build_registry(pm)


def write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def test_data_files_become_registrations(tmp_path: Path) -> None:
    """rules/, authorities/ and vocabulary/ *.toml are registered; other files are not."""
    header = requirement()
    write(
        tmp_path / "rules" / "b.toml",
        f'id = "{header["id"]}"\nauthority = "XX-BOO"\nversion = "2026"\n'
        f'effective_from = 2026-01-01\n[source]\nauthority = "XX-BOO"\ndocument = "Rules"\n'
        f'section = "1"\ndate_read = 2026-11-23\n',
    )
    write(tmp_path / "rules" / "notes.md", "not a rule")
    write(tmp_path / "authorities" / "boards.toml", AUTHORITY)
    write(tmp_path / "vocabulary" / "optometry.toml", '[topics]\nmyopia-control = "myopia"\n')
    registry = registry_of(optometry(tmp_path))
    assert registry.owner("requirement", "xx-optometry@2026") == "optometry"
    assert list(registry.authorities) == ["XX-BOO"]
    assert list(registry.topics) == ["myopia-control"]


def test_missing_folders_register_nothing(tmp_path: Path) -> None:
    """A plugin with no data files registers only what it was given."""
    registry = registry_of(optometry(tmp_path / "nowhere"))
    assert registry.requirements == {}
    assert registry.authorities == {}
    assert list(registry.credit_types) == ["cope_hour"]


@pytest.mark.parametrize(
    ("relative", "text", "hook"),
    [
        ("rules/broken.toml", "id = \n", "credtrail_register_requirements"),
        ("authorities/broken.toml", "[[authority]]\ncode = 1\n", "credtrail_register_authorities"),
        ("vocabulary/broken.toml", '[topics]\n"Not A Slug" = "x"\n', "credtrail_register_topics"),
    ],
)
def test_a_broken_data_file_names_plugin_hook_and_file(
    tmp_path: Path, relative: str, text: str, hook: str
) -> None:
    """A shipped file that does not parse is the plugin's error, and says which file."""
    write(tmp_path / relative, text)
    with pytest.raises(PluginError) as caught:
        registry_of(optometry(tmp_path))
    assert (caught.value.plugin, caught.value.hook) == ("optometry", hook)
    assert "broken.toml" in caught.value.problem


def test_validation_sees_only_the_plugins_own_credit(tmp_path: Path) -> None:
    """``validate`` is called for the plugin's credit types only."""
    seen: list[str] = []

    def validate(credit: CreditDraft) -> list[Violation]:
        seen.append(credit.credit_type)
        return [Violation(field="units", rule="always", message="no")]

    plugin = optometry(tmp_path, validate=validate)
    pm = build_plugin_manager(extra=[("optometry", plugin)], load_entrypoints=False)
    registry = build_registry(pm)
    own = CreditDraft(
        clinician_id="c",
        profession="optometrist",
        credit_type="cope_hour",
        units=Decimal(1),
        completed_on=date(2025, 1, 1),
        provider="p",
        activity_id="a",
    )
    other = own.model_copy(update={"credit_type": "ama_pra_1"})
    assert [v.rule for v in plugin_violations(pm, registry, own)] == ["always"]
    assert plugin_violations(pm, registry, other) == []
    assert seen == ["cope_hour"]


def test_import_formats_are_built_when_asked_for(tmp_path: Path) -> None:
    """A function given as ``import_formats`` runs only when the formats are listed."""
    calls: list[int] = []

    def formats() -> list[ImportFormat]:
        calls.append(1)
        return [ImportFormat(name="cope", label="COPE roster", reader=lambda s, c: iter(()))]

    pm = build_plugin_manager(
        extra=[("optometry", optometry(tmp_path, import_formats=formats))],
        load_entrypoints=False,
    )
    build_registry(pm)
    assert calls == []
    assert sorted(import_formats(pm)) == ["cebroker", "cope", "csv", "openbadges"]
    assert calls == [1]

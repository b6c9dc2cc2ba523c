"""``credtrail.core.__all__`` is the whole public API for plugins and callers (httpx's
``test_exported_members``)."""

from __future__ import annotations

import re
import subprocess
import sys
import types
from pathlib import Path

import credtrail.core

ROOT = Path(__file__).resolve().parent.parent

PUBLIC_API = [
    "Accreditor",
    "Adjustment",
    "Authority",
    "Candidate",
    "Citation",
    "ClinicianIdentity",
    "ClinicianLedger",
    "Columns",
    "CreditDraft",
    "CreditState",
    "CreditType",
    "Credtrail",
    "CredtrailError",
    "CycleWindow",
    "EarnRequest",
    "EarnResult",
    "Equivalence",
    "FieldCollector",
    "ImportFormat",
    "ImportRecord",
    "InputError",
    "Issue",
    "Location",
    "Parsed",
    "PluginError",
    "Profession",
    "ProfessionPlugin",
    "ReadContext",
    "Registry",
    "RejectedRecord",
    "RuleKindEvaluator",
    "StoreLocation",
    "TextSource",
    "Topic",
    "Violation",
    "build_plugin_manager",
    "build_registry",
    "delimited_rows",
    "hookimpl",
    "hookspec",
    "read_requirement_file",
    "spreadsheet_cell",
    "topics_from_files",
]


def test_public_api_is_pinned() -> None:
    """Removing or renaming a public name of credtrail.core is a breaking change."""
    assert credtrail.core.__all__ == PUBLIC_API


def test_every_exported_name_is_core_code() -> None:
    """Each name resolves to credtrail's own object, not a dependency's or a missing one."""
    for name in credtrail.core.__all__:
        obj = getattr(credtrail.core, name)
        module = getattr(obj, "__module__", None) or getattr(obj.__class__, "__module__", "")
        if name == "Parsed":  # a type alias (a union of two exported classes)
            continue
        if name in ("hookimpl", "hookspec"):  # pluggy markers bound to our project
            assert obj.project_name == "credtrail"
            continue
        assert module.startswith("credtrail.core."), f"{name} comes from {module}"


def test_nothing_else_is_public() -> None:
    """Besides ``__all__``, credtrail.core shows only its submodules."""
    for name in credtrail.core.__all__:
        getattr(credtrail.core, name)
    extra = [
        name
        for name in dir(credtrail.core)
        if not name.startswith("_")
        and name not in credtrail.core.__all__
        and not isinstance(getattr(credtrail.core, name), types.ModuleType)
    ]
    assert extra == []


def test_plugins_use_only_the_public_api() -> None:
    """Built-in and example plugins import ``credtrail.core`` itself, never its modules
    (tests may use ``credtrail.core.testing``, the kit for plugin authors)."""
    offenders = []
    for folder in ("plugins", "examples"):
        for path in (ROOT / folder).rglob("*.py"):
            for match in re.finditer(r"from (credtrail\.core\.[\w.]+) import", path.read_text()):
                if not match.group(1).startswith("credtrail.core.testing"):
                    offenders.append(f"{path.relative_to(ROOT)}: {match.group(1)}")
    assert offenders == []


def test_importing_core_loads_nothing_heavy() -> None:
    """``import credtrail.core`` loads no submodule: each name is imported on first use."""
    probe = (
        "import sys, credtrail.core; "
        "print(sorted(m for m in sys.modules if m.startswith('credtrail.core.')))"
    )
    out = subprocess.run(
        [sys.executable, "-P", "-c", probe], capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "[]"

"""The pharmacy example stays external: no line of core or the built-ins knows it.

The slow end-to-end test installs it with pip; these fast checks read its files and
run its contract in-process (its ``src`` put on ``sys.path`` for the test only).
"""

from __future__ import annotations

import importlib
import re
import sys
import tomllib
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest

from credtrail.core.testing import PluginContract
from credtrail.core.testing.properties import PluginProperties

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "pharmacy_acpe"


def test_core_and_builtins_never_mention_the_example() -> None:
    """No file of core/, cli/ or plugins/ names the pharmacy plugin or its codes."""
    pattern = re.compile(
        r"credtrail_pharmacy_acpe|acpe_contact_hour|acpe_ceu|acpe-audience|TX-BOP|us-tx-pharmacist"
    )
    offenders = [
        str(path.relative_to(ROOT))
        for folder in ("core", "cli", "plugins")
        for path in (ROOT / folder).rglob("*")
        if path.suffix in {".py", ".toml", ".json"} and pattern.search(path.read_text("utf-8"))
    ]
    assert offenders == []


def test_example_imports_only_the_public_core() -> None:
    """The example imports credtrail.core only: never the built-ins or the CLI."""
    imports = set()
    for path in (EXAMPLE / "src").rglob("*.py"):
        imports |= set(
            re.findall(r"^\s*(?:from|import) (credtrail\.[\w.]+)", path.read_text(), re.M)
        )
    assert imports
    assert all(name.startswith("credtrail.core") for name in imports), imports


def test_example_is_its_own_distribution() -> None:
    """It publishes its own entry point and is not in credtrail's package list."""
    own = tomllib.loads((EXAMPLE / "pyproject.toml").read_text())
    assert own["project"]["entry-points"]["credtrail"] == {
        "pharmacy_acpe": "credtrail_pharmacy_acpe:plugin"
    }
    root = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert "pharmacy_acpe" not in root["project"]["entry-points"].get("credtrail", {})
    assert not any("pharmacy" in p for p in root["tool"]["setuptools"]["packages"])


@pytest.fixture
def pharmacy(monkeypatch: pytest.MonkeyPatch) -> Iterator[ModuleType]:
    """The example's module, importable for this test only."""
    monkeypatch.syspath_prepend(str(EXAMPLE / "src"))
    yield importlib.import_module("credtrail_pharmacy_acpe")
    for name in [m for m in sys.modules if m.startswith("credtrail_pharmacy_acpe")]:
        del sys.modules[name]


def test_example_keeps_the_contract(pharmacy: ModuleType, tmp_path: Path) -> None:
    """Every PluginContract test passes for the example, golden scenarios included."""
    cls = type(
        "PharmacyContract",
        (PluginContract, PluginProperties),
        {"plugin": pharmacy.plugin, "plugin_name": "x"},
    )
    subject = cls()
    for name in sorted(n for n in dir(subject) if n.startswith("test_")):
        method = getattr(subject, name)
        if "tmp_path" in method.__code__.co_varnames:
            (tmp_path / name).mkdir()
            method(tmp_path / name)
        else:
            method()

"""The wheel installs the repo folders as credtrail.*, and nothing generic."""

from __future__ import annotations

import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import pytest

from credtrail.plugins import DEFAULT_PLUGINS, builtin_plugins

ROOT = Path(__file__).resolve().parent.parent
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())
MAPPING = {"credtrail.core": "core", "credtrail.plugins": "plugins", "credtrail.cli": "cli"}


def folder_packages() -> set[str]:
    """Every folder with an __init__.py under the mapped roots, as a credtrail.* name."""
    found = set()
    for package, folder in MAPPING.items():
        for init in (ROOT / folder).rglob("__init__.py"):
            rel = init.parent.relative_to(ROOT / folder)
            if "__pycache__" in rel.parts:
                continue
            found.add(".".join([package, *rel.parts]))
    return found


def test_every_package_folder_is_listed_for_the_wheel() -> None:
    """A new plugins/x/ would import in editable mode but be missing from the wheel."""
    listed = set(PYPROJECT["tool"]["setuptools"]["packages"])
    assert folder_packages() == listed


def test_every_plugin_package_is_a_default_plugin() -> None:
    """A profession folder under plugins/ is listed once, in DEFAULT_PLUGINS, and only there."""
    folders = {
        init.parent.name
        for init in (ROOT / "plugins").glob("*/__init__.py")
        if "plugin = ProfessionPlugin(" in init.read_text()
    }
    assert set(DEFAULT_PLUGINS) == folders
    assert "credtrail" not in PYPROJECT["project"].get("entry-points", {})
    for name, plugin in builtin_plugins():
        assert type(plugin).__name__ == "ProfessionPlugin", name


def test_no_generic_top_level_package_is_importable() -> None:
    """Only the credtrail namespace is installed: no 'core', 'cli' or 'plugins'."""
    probe = (
        "import importlib.util as u, json;"
        "print(json.dumps([m for m in ('core', 'cli', 'plugins') if u.find_spec(m)]))"
    )
    # -P: do not put the working directory (the repo root) on sys.path.
    out = subprocess.run(
        [sys.executable, "-P", "-c", probe], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "[]"


@pytest.mark.slow
def test_built_wheel_contains_every_module_and_data_file(tmp_path: Path) -> None:
    """Build the real wheel and compare its files with the source folders."""
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(tmp_path),
            str(ROOT),
        ],
        check=True,
        capture_output=True,
    )
    (wheel,) = tmp_path.glob("credtrail-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    expected = set()
    for package, folder in MAPPING.items():
        base = package.replace(".", "/")
        for path in (ROOT / folder).rglob("*"):
            if path.suffix in {".py", ".toml", ".json"} and "__pycache__" not in path.parts:
                expected.add(f"{base}/{path.relative_to(ROOT / folder).as_posix()}")
    assert expected <= names, sorted(expected - names)
    assert not any(n.startswith(("core/", "cli/", "plugins/")) for n in names)


def test_core_never_imports_a_plugin_or_the_cli() -> None:
    """Dependencies point one way: cli -> plugins -> core."""
    offenders = []
    for path in (ROOT / "core").rglob("*.py"):
        text = path.read_text()
        for banned in ("credtrail.plugins", "credtrail.cli"):
            if f"import {banned}" in text or f"from {banned}" in text:
                offenders.append(f"{path.relative_to(ROOT)} imports {banned}")
    for path in (ROOT / "plugins").rglob("*.py"):
        if "credtrail.cli" in path.read_text():
            offenders.append(f"{path.relative_to(ROOT)} imports credtrail.cli")
    assert offenders == []

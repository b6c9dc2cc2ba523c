"""``credtrail plugin new`` writes a plugin that installs and passes its own tests at once."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner

from credtrail.cli.main import cli
from credtrail.cli.plugin_new import render
from credtrail.core.testing import PluginContract

from .venvs import make_venv


def scaffold(tmp_path: Path, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["plugin", "new", *args, "--dir", str(tmp_path)])
    return result.exit_code, result.output


def test_scaffold_lists_what_it_wrote(tmp_path: Path) -> None:
    """The command names every file it created and what to run next."""
    code, output = scaffold(tmp_path, "dentistry_ada", "--profession", "Dentist")
    assert code == 0, output
    target = tmp_path / "dentistry_ada"
    assert output.splitlines() == [
        f"Created plugin dentistry_ada for Dentist (dentist) in {target}:",
        "  README.md",
        "  pyproject.toml",
        "  src/credtrail_dentistry_ada/__init__.py",
        "  src/credtrail_dentistry_ada/authorities/xx-board.toml",
        "  src/credtrail_dentistry_ada/golden.toml",
        "  src/credtrail_dentistry_ada/py.typed",
        "  src/credtrail_dentistry_ada/rules/xx-board-dentist.toml",
        "  src/credtrail_dentistry_ada/vocabulary/dentist.toml",
        "  tests/test_plugin.py",
        f'Next: pip install -e "{target}[test]" && pytest {target / "tests"}',
    ]
    pyproject = (target / "pyproject.toml").read_text()
    entry_point = 'dentistry_ada = "credtrail_dentistry_ada:plugin"'
    assert f"[project.entry-points.credtrail]\n{entry_point}" in pyproject


def test_scaffold_refuses_to_overwrite(tmp_path: Path) -> None:
    """An existing folder is never overwritten: exit 1 with the reason."""
    (tmp_path / "dentistry_ada").mkdir()
    code, output = scaffold(tmp_path, "dentistry_ada", "--profession", "Dentist")
    assert code == 1
    assert output == (
        f"Error: {tmp_path / 'dentistry_ada'} already exists; choose another NAME or --dir\n"
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["Dentistry", "--profession", "Dentist"], "Invalid value for NAME: 'Dentistry' must be"),
        (["dentistry", "--profession", "42"], "Invalid value for --profession: '42' needs a"),
        (
            ["dentistry", "--profession", "Dentist", "--authority", "tx board"],
            "Invalid value for --authority: 'tx board' must be an upper-case acronym",
        ),
    ],
)
def test_scaffold_rejects_bad_names(tmp_path: Path, args: list[str], message: str) -> None:
    """A NAME, profession or code that would make an invalid plugin is a usage error."""
    code, output = scaffold(tmp_path, *args)
    assert code == 2
    assert message in output
    assert list(tmp_path.iterdir()) == []


def test_rendered_python_compiles() -> None:
    """Every generated Python file is valid Python for any profession label."""
    files = render("x_y", "Dental Hygienist", "dental_hygienist", "ADA", "TX-SBDE", date.today())
    for path, text in files.items():
        if path.endswith(".py"):
            compile(text, path, "exec")


@pytest.mark.slow
def test_scaffold_installs_and_passes_its_own_tests(tmp_path: Path) -> None:
    """Generated and pip-installed (editable, offline, no setuptools warning), its contract
    tests pass without Hypothesis installed; credtrail lists it."""
    code, output = scaffold(
        tmp_path, "optometry_arbo", "--profession", "Optometrist", "--accreditor", "ARBO"
    )
    assert code == 0, output
    project = tmp_path / "optometry_arbo"
    venv = make_venv(tmp_path / "venv")
    venv.hide("hypothesis")
    installed = venv.pip_install_editable(project)
    assert "warning" not in (installed.stdout + installed.stderr).lower(), installed.stderr
    tests = venv.run(
        venv.python,
        "-P",
        "-m",
        "pytest",
        "-q",
        "-p",
        "no:cacheprovider",
        "-p",
        "no:hypothesispytest",
        cwd=project,
    )
    assert tests.returncode == 0, tests.stdout + tests.stderr
    contract = [n for n in dir(PluginContract) if n.startswith("test_")]
    assert f"{len(contract)} passed" in tests.stdout, tests.stdout
    store = str(tmp_path / "s.db")
    listed = venv.run(venv.bin / "credtrail", "--store", store, "plugins", "--json")
    assert listed.returncode == 0, listed.stderr
    mine = [p for p in json.loads(listed.stdout) if p["name"] == "optometry_arbo"]
    assert [(p["version"], p["builtin"]) for p in mine] == [("0.1.0", False)]

"""docs/plugins.md stays true: every hook and argument documented, tested, commands real.

Modelled on datasette's test_plugin_hooks_are_documented and
test_plugin_hooks_have_tests.
"""

from __future__ import annotations

import re
from pathlib import Path

import click
import pluggy
import pytest

from credtrail.cli.main import cli
from credtrail.core import hookspecs
from credtrail.core.testing import PluginContract

ROOT = Path(__file__).resolve().parents[2]
GUIDE = (ROOT / "docs" / "plugins.md").read_text(encoding="utf-8")
REFERENCE = GUIDE.split("\n## Hook reference\n", 1)[1]


def hooks() -> dict[str, list[str]]:
    """Every hook of the spec module with its argument names."""
    pm = pluggy.PluginManager(hookspecs.PROJECT)
    pm.add_hookspecs(hookspecs)
    out = {}
    for name, caller in vars(pm.hook).items():
        if isinstance(caller, pluggy.HookCaller) and caller.spec is not None:
            out[name] = list(caller.spec.argnames)
    return out


HOOKS = hooks()


def section(name: str) -> str:
    """The text of ``### name`` in the hook reference, up to the next heading."""
    match = re.search(rf"^### {re.escape(name)}\n(.*?)(?=^### |\Z)", REFERENCE, re.M | re.S)
    assert match, f"docs/plugins.md has no '### {name}' section in the hook reference"
    return match.group(1)


def test_spec_module_has_hooks() -> None:
    """The hook list the checks below walk is the real one (not empty by accident)."""
    assert "credtrail_validate_credit" in HOOKS
    assert HOOKS["credtrail_validate_credit"] == ["credit", "registry"]
    assert len(HOOKS) >= 8


@pytest.mark.parametrize("hook", sorted(HOOKS))
def test_plugin_hooks_are_documented(hook: str) -> None:
    """Each hook has a guide section and a spec docstring naming every argument."""
    text = section(hook)
    spec = getattr(hookspecs, hook)
    for arg in HOOKS[hook]:
        assert f"`{arg}`" in text, f"docs/plugins.md: {hook} does not document {arg!r}"
        assert f":param {arg}:" in (spec.__doc__ or ""), f"hookspecs.{hook}: no ':param {arg}:'"


def test_guide_documents_no_unknown_hook() -> None:
    """Every hook section of the guide is a hook that exists."""
    documented = re.findall(r"^### (credtrail_\w+)$", REFERENCE, re.M)
    assert sorted(documented) == sorted(HOOKS)


@pytest.mark.parametrize("hook", sorted(HOOKS))
def test_plugin_hooks_have_tests(hook: str) -> None:
    """Each hook is implemented or called somewhere in the test-suite."""
    this = Path(__file__).resolve()
    sources = (p.read_text(encoding="utf-8") for p in (ROOT / "tests").rglob("*.py") if p != this)
    assert any(re.search(rf"\b{hook}\b", text) for text in sources), f"no test uses {hook}"


def test_contract_table_lists_every_contract_test() -> None:
    """The guide's table of contract tests names exactly PluginContract's tests."""
    in_guide = set(re.findall(r"^\| `(test_\w+)` \|", GUIDE, re.M))
    assert in_guide == {n for n in dir(PluginContract) if n.startswith("test_")}


def commands_in_guide() -> list[list[str]]:
    lines = []
    for block in re.findall(r"```\n(.*?)```", GUIDE, re.S):
        for line in block.splitlines():
            if line.startswith("credtrail "):
                lines.append(line.split()[1:])
    return lines


@pytest.mark.parametrize("words", commands_in_guide(), ids=lambda w: " ".join(w[:2]))
def test_guide_commands_exist(words: list[str]) -> None:
    """Every 'credtrail ...' line of the guide names a real command and real options."""
    ctx = click.Context(cli)
    command: click.Command = cli
    for word in words:
        if word.startswith("-") or not isinstance(command, click.Group):
            break
        sub = command.get_command(ctx, word)
        assert sub is not None, f"'credtrail {' '.join(words)}': no command {word!r}"
        command = sub
    options = {opt for p in command.params for opt in getattr(p, "opts", [])}
    for word in words:
        if word.startswith("--"):
            assert word in options, f"'credtrail {' '.join(words)}': no option {word}"

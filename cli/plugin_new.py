"""``credtrail plugin new``: write a working, installable profession plugin to start from.

The package it writes passes its own tests right after ``pip install -e``: one
profession, one accreditor, one credit type, one authority with one requirement
document, a validation hook, golden scenarios and a test subclassing
``credtrail.core.testing.PluginContract``. docs/plugins.md walks through each file.
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from string import Template

import click

from credtrail.core.errors import CredtrailError
from credtrail.core.models import ACRONYM_PATTERN, CODE_PATTERN

NAME_PATTERN = re.compile(CODE_PATTERN)


def profession_code(label: str) -> str:
    """``"Dental Hygienist"`` -> ``"dental_hygienist"`` (a valid profession code)."""
    code = re.sub(r"[^a-z0-9]+", "_", label.strip().lower()).strip("_")
    if not code or not code[0].isalpha():
        raise click.BadParameter(
            f"{label!r} needs a letter first, e.g. 'Dentist'", param_hint="--profession"
        )
    return code


@click.group()
def plugin() -> None:
    """Tools for plugin authors."""


@plugin.command("new")
@click.argument("name")
@click.option("--profession", required=True, help='Profession label, e.g. "Dentist".')
@click.option(
    "--dir",
    "directory",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("."),
    show_default=True,
    help="Folder to create the package in (the package gets its own sub-folder NAME).",
)
@click.option("--accreditor", default="EXAMPLE", show_default=True, help="Accreditor code.")
@click.option("--authority", default="XX-BOARD", show_default=True, help="Authority code.")
def new(name: str, profession: str, directory: Path, accreditor: str, authority: str) -> None:
    """Write a plugin package NAME (e.g. dentistry_ada) for a new profession.

    Then: pip install -e NAME && pytest NAME/tests && credtrail plugins.
    """
    if not NAME_PATTERN.match(name):
        raise click.BadParameter(
            f"{name!r} must be lowercase letters, digits and underscores, starting with a "
            "letter (it is the entry-point name), e.g. dentistry_ada",
            param_hint="NAME",
        )
    for value, hint in ((accreditor, "--accreditor"), (authority, "--authority")):
        if not re.match(ACRONYM_PATTERN, value):
            raise click.BadParameter(
                f"{value!r} must be an upper-case acronym such as ADA or TX-SBDE", param_hint=hint
            )
    code = profession_code(profession)
    target = directory / name
    if target.exists():
        raise CredtrailError(f"{target} already exists; choose another NAME or --dir")
    files = render(name, profession.strip(), code, accreditor, authority, date.today())
    for relative, text in files.items():
        path = target / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    click.echo(f"Created plugin {name} for {profession.strip()} ({code}) in {target}:")
    for relative in sorted(files):
        click.echo(f"  {relative}")
    click.echo(f"Next: pip install -e {target} && pytest {target / 'tests'}")


def render(
    name: str, label: str, code: str, accreditor: str, authority: str, today: date
) -> dict[str, str]:
    """The files of a new plugin package, by path relative to its folder."""
    module = f"credtrail_{name}"
    values = {
        "name": name,
        "dist": f"credtrail-{name.replace('_', '-')}",
        "module": module,
        "label": label,
        "code": code,
        "accreditor": accreditor,
        "authority": authority,
        "requirement": f"{authority.lower()}-{code.replace('_', '-')}",
        "credit_type": f"{code}_ce_hour",
        "today": today.isoformat(),
    }
    package = f"src/{module}"
    templates = {
        "pyproject.toml": PYPROJECT,
        "README.md": README,
        f"{package}/__init__.py": HOOKS,
        f"{package}/py.typed": "",
        f"{package}/golden.toml": GOLDEN,
        f"{package}/rules/{values['requirement']}.toml": REQUIREMENT,
        "tests/test_plugin.py": TEST,
    }
    return {path: Template(text).substitute(values) for path, text in templates.items()}


PYPROJECT = """\
[build-system]
requires = ["setuptools>=69"]
build-backend = "setuptools.build_meta"

[project]
name = "$dist"
version = "0.1.0"
description = "credtrail plugin: continuing education of ${label}s"
readme = "README.md"
requires-python = ">=3.11"
dependencies = ["credtrail>=0.1"]

[project.optional-dependencies]
test = ["pytest>=8", "hypothesis>=6.100"]

# credtrail loads every entry point of the group "credtrail": this line makes it a plugin.
[project.entry-points.credtrail]
$name = "$module"

[tool.setuptools]
packages = ["$module"]
package-dir = { "" = "src" }

[tool.setuptools.package-data]
$module = ["rules/*.toml", "golden.toml", "py.typed"]

[tool.pytest.ini_options]
addopts = ["--strict-markers", "--strict-config"]
testpaths = ["tests"]
filterwarnings = ["error"]
"""

README = """\
# $dist

A credtrail plugin for ${label}s, generated by `credtrail plugin new`.

    pip install -e .
    pytest tests
    credtrail plugins

Replace every citation marked `unconfirmed` with the authority's own text before
relying on the rules (see credtrail's docs/plugins.md).
"""

HOOKS = '''\
"""credtrail plugin for ${label}s: profession, accreditor, credit type, authority, rules.

Every value below is a starting point: replace the citations (``SOURCE``) with the
authority's own text, and the codes with the real ones.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from credtrail.core import hookimpl
from credtrail.core.models import (
    Accreditor,
    Authority,
    Citation,
    CreditDraft,
    CreditType,
    Profession,
    Violation,
)
from credtrail.core.registry import Registry
from credtrail.core.rules import read_requirement_file

__version__ = "0.1.0"

RULES_DIR = Path(__file__).parent / "rules"

SOURCE = Citation(
    authority="$authority",
    document="Continuing education rules for ${label}s (replace with the real document)",
    section="replace with the section that says this",
    date_read=date.fromisoformat("$today"),
    confidence="unconfirmed",
)

PROFESSION = Profession(code="$code", label="$label")
ACCREDITOR = Accreditor(
    code="$accreditor", name="$accreditor (replace with its full name)", source=SOURCE
)
CREDIT_TYPE = CreditType(
    code="$credit_type",
    label="$label CE hour",
    profession="$code",
    unit="hour",
    increment=Decimal("0.25"),
    accreditors=("$accreditor",),
    source=SOURCE,
)
AUTHORITY = Authority(
    code="$authority",
    name="$authority (replace with the board's name)",
    professions=("$code",),
    source=SOURCE,
)
MAX_HOURS_PER_ACTIVITY = Decimal(40)


@hookimpl
def credtrail_register_professions(register: Callable[[Profession], None]) -> None:
    register(PROFESSION)


@hookimpl
def credtrail_register_accreditors(register: Callable[[Accreditor], None]) -> None:
    register(ACCREDITOR)


@hookimpl
def credtrail_register_credit_types(register: Callable[[CreditType], None]) -> None:
    register(CREDIT_TYPE)


@hookimpl
def credtrail_register_authorities(register: Callable[[Authority], None]) -> None:
    register(AUTHORITY)


@hookimpl
def credtrail_register_requirements(register: Callable[[dict[str, Any]], None]) -> None:
    for path in sorted(RULES_DIR.glob("*.toml")):
        register(read_requirement_file(path))


@hookimpl
def credtrail_validate_credit(credit: CreditDraft, registry: Registry) -> list[Violation]:
    # Judge only our own credit types; core already checked increment and accreditor.
    if credit.credit_type != CREDIT_TYPE.code:
        return []
    if credit.units > MAX_HOURS_PER_ACTIVITY:
        return [
            Violation(
                field="units",
                rule="$code-max-hours-per-activity",
                message=f"{credit.units} hours exceed {MAX_HOURS_PER_ACTIVITY} for one activity",
                source=SOURCE,
            )
        ]
    return []
'''

REQUIREMENT = """\
# A requirement document (format: credtrail docs/rules.md). Replace the numbers and
# the citation with the authority's published rule.
id = "$requirement"
authority = "$authority"
title = "$authority: ${label} continuing education"
professions = ["$code"]
version = "v1"
effective_from = 2025-01-01
credit_types = ["$credit_type"]

[source]
authority = "$authority"
document = "Continuing education rules for ${label}s (replace with the real document)"
section = "replace with the section that says this"
date_read = $today
confidence = "unconfirmed"

[cycle]
kind = "license"
anchor = "expiry"
period_months = 24

[total]
units = 20
"""

GOLDEN = """\
# Golden scenarios: small stories with a known outcome, played by the contract tests.
# expect = "accepted", or the names of the rules the rejection must include.

[[scenario]]
id = "quarter-hour-steps"
description = "Hours are recorded in quarter-hour steps"
cites = "replace with the rule's citation"
profession = "$code"

  [[scenario.credit]]
  type = "$credit_type"
  units = "1.5"
  date = "2025-03-01"
  accreditor = "$accreditor"
  activity = "activity-1"

  [[scenario.credit]]
  type = "$credit_type"
  units = "1.1"
  date = "2025-03-02"
  accreditor = "$accreditor"
  activity = "activity-2"
  expect = ["${credit_type}-increment"]

  [[scenario.credit]]
  type = "$credit_type"
  units = "41"
  date = "2025-03-03"
  accreditor = "$accreditor"
  activity = "activity-3"
  expect = ["$code-max-hours-per-activity"]

  # Optional: what the rule engine must find once the clinician holds a license.
  [scenario.license]
  requirement = "$requirement"
  issued = "2023-01-01"
  expires = "2026-12-31"

  [[scenario.status]]
  on = "2026-12-31"
  status = "in_progress"
  counted = "1.5"
  missing = { total = "18.5" }
"""

TEST = '''\
"""The plugin keeps credtrail's plugin contract (credtrail.core.testing)."""

from __future__ import annotations

import $module
from credtrail.core.testing import PluginContract


class TestContract(PluginContract):
    plugin = $module
    plugin_name = "$name"
'''

COMMANDS = [plugin]

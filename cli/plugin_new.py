"""``credtrail plugin new``: write a working, installable profession plugin to start from.

The package it writes passes its own tests right after the quick start it prints
(``pip install -e "NAME[test]" && pytest NAME/tests``, which needs only pytest): one
``ProfessionPlugin`` over one profession, accreditor, credit type and authority
(``authorities/``), one requirement document (``rules/``), two topics
(``vocabulary/``), a validation function, golden scenarios and a test subclassing
``credtrail.core.testing.PluginContract``. docs/plugins.md walks through each file.
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from string import Template

import click

from credtrail.cli.options import echo_json, json_option
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
@json_option
def new(
    name: str, profession: str, directory: Path, accreditor: str, authority: str, as_json: bool
) -> None:
    """Write a plugin package NAME (e.g. dentistry_ada) for a new profession.

    Then: pip install -e "NAME[test]" && pytest NAME/tests && credtrail plugins.
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
    if as_json:
        echo_json(
            {
                "plugin": name,
                "profession": code,
                "directory": str(target),
                "files": sorted(str(f) for f in files),
            }
        )
        return
    click.echo(f"Created plugin {name} for {profession.strip()} ({code}) in {target}:")
    for relative in sorted(files):
        click.echo(f"  {relative}")
    click.echo(f'Next: pip install -e "{target}[test]" && pytest {target / "tests"}')


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
        "code_slug": code.replace("_", "-"),
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
        f"{package}/authorities/{values['authority'].lower()}.toml": AUTHORITIES,
        f"{package}/vocabulary/{code.replace('_', '-')}.toml": VOCABULARY,
        "tests/test_plugin.py": TEST,
    }
    return {path: Template(text).substitute(values) for path, text in templates.items()}


PYPROJECT = """\
[build-system]
requires = ["setuptools>=77"]
build-backend = "setuptools.build_meta"

[project]
name = "$dist"
version = "0.1.0"
description = "credtrail plugin: continuing education of ${label}s"
readme = "README.md"
requires-python = ">=3.11"
dependencies = ["credtrail>=0.1"]

[project.optional-dependencies]
# The contract tests need only pytest; add "hypothesis" for credtrail's
# PluginProperties (credtrail.core.testing.properties).
test = ["pytest>=8"]

# credtrail loads every entry point of the group "credtrail": this line makes it a plugin.
[project.entry-points.credtrail]
$name = "$module:plugin"

[tool.setuptools.packages.find]
# rules/, authorities/ and vocabulary/ are data folders: found as namespace packages,
# so setuptools installs their files without warnings.
where = ["src"]

[tool.setuptools.package-data]
"*" = ["*.toml", "py.typed"]

[tool.pytest.ini_options]
addopts = ["--strict-markers", "--strict-config"]
testpaths = ["tests"]
filterwarnings = ["error"]
"""

README = """\
# $dist

A credtrail plugin for ${label}s, generated by `credtrail plugin new`.

    pip install -e ".[test]"
    pytest tests
    credtrail plugins

It is one `ProfessionPlugin` (`src/$module/__init__.py`) over its data: boards in
`authorities/*.toml`, requirements in `rules/*.toml`, topic slugs in
`vocabulary/*.toml`, golden scenarios in `golden.toml`. Replace every citation
marked `unconfirmed` with the authority's own text before relying on the rules (see
credtrail's docs/plugins.md).
"""

HOOKS = '''\
"""credtrail plugin for ${label}s: one ProfessionPlugin over this package's data.

Every value below is a starting point: replace the citations (``SOURCE``) with the
authority's own text, and the codes with the real ones. Boards, requirements and
topics are data files beside this module (authorities/, rules/, vocabulary/).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

from credtrail.core import (
    Accreditor,
    Citation,
    CreditDraft,
    CreditType,
    Profession,
    ProfessionPlugin,
    Violation,
)

__version__ = "0.1.0"

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
MAX_HOURS_PER_ACTIVITY = Decimal(40)


def validate(credit: CreditDraft) -> list[Violation]:
    """Checks of our own credits beyond core's (type, accreditor, increment, topics)."""
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


plugin = ProfessionPlugin(
    folder=Path(__file__).parent,
    professions=[PROFESSION],
    credit_types=[CREDIT_TYPE],
    accreditors=[ACCREDITOR],
    validate=validate,
    version=__version__,
)
'''

AUTHORITIES = """\
# Authorities (boards, certifying bodies) this plugin knows: one [[authority]] each.
[[authority]]
code = "$authority"
name = "$authority (replace with the board's name)"
professions = ["$code"]

[authority.source]
authority = "$authority"
document = "Continuing education rules for ${label}s (replace with the real document)"
section = "replace with the section that says this"
date_read = $today
confidence = "unconfirmed"
"""

VOCABULARY = """\
# Topic slugs credits may be tagged with (credtrail refuses unregistered topics).
# A slug other plugins register too (ethics) is the same topic for every profession.
[topics]
ethics = "ethics and professional responsibility"
$code_slug-jurisprudence = "the ${label} practice act and board rules"
"""

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
    plugin = $module.plugin
    plugin_name = "$name"
'''

COMMANDS = [plugin]

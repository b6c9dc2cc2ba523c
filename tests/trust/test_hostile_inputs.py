"""Hostile input to every write command and import format: refused with one clear
line naming the field, exit 1, no traceback, and nothing written."""

from __future__ import annotations

import json
import os
import shutil
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import credtrail.core.plugins
import credtrail.core.registry

from .hostile import (
    COMMANDS,
    FORMATS,
    Command,
    Format,
    World,
    cases,
    fill,
    fingerprint,
    format_cases,
    format_words,
    judge,
    make_world,
)

EXAMPLES = int(os.environ.get("CREDTRAIL_HOSTILE_EXAMPLES", "12"))
FIGURES = os.environ.get("CREDTRAIL_HOSTILE_FIGURES")
"""A file to write the counts to (``bench/hostile_inputs.py`` reads it)."""

SETTINGS = settings(
    max_examples=EXAMPLES,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    """One store for every case (a refused case writes nothing), plugins loaded once."""
    made = make_world(tmp_path_factory.mktemp("hostile"))
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(credtrail.core.plugins, "build_plugin_manager", lambda *a, **k: made.pm)
        patch.setattr(credtrail.core.registry, "build_registry", lambda pm: made.registry)
        yield made
    if FIGURES:
        path = Path(FIGURES)
        known = Counter(json.loads(path.read_text())) if path.exists() else Counter()
        path.write_text(json.dumps(dict(known + made.outcomes)), encoding="utf-8")


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: c.name)
def test_valid_arguments_are_accepted(world: World, command: Command, tmp_path: Path) -> None:
    """Each command's valid baseline succeeds, so a refusal below is the hostile field's."""
    store = tmp_path / "copy.db"
    shutil.copyfile(world.store, store)
    result = world.run(*command.build(world, fill(world, command, command.valid)), store=store)
    assert result.exit_code == 0, result.output
    for path in command.files(world):
        path.unlink(missing_ok=True)


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: c.name)
@SETTINGS
@given(data=st.data())
def test_hostile_value_is_refused_naming_the_field(
    world: World, command: Command, data: st.DataObject
) -> None:
    """Control, bidi and surrogate characters, 100,000 characters, 1_0, ٣, ２, 1e3, NaN,
    negative units, future or impossible dates, bad NPIs: exit 1, one line, no write."""
    name, value, words = data.draw(cases(command), label="case")
    values = fill(world, command, command.valid)
    values[name] = value
    before = fingerprint(world.store)
    files = [(p, p.read_bytes() if p.exists() else None) for p in command.files(world)]
    result = world.run(*command.build(world, values))
    problems = judge(world, result, before, words, files=iter(files))
    if problems and os.environ.get("CREDTRAIL_HOSTILE_DEBUG"):
        with open(os.environ["CREDTRAIL_HOSTILE_DEBUG"], "a") as log:
            log.write(f"{command.name} {name} {value[:80]!r} {problems}\n")
    assert not problems, (name, value[:200], problems)


@pytest.mark.parametrize("fmt", FORMATS, ids=lambda f: f.name)
@SETTINGS
@given(data=st.data())
def test_hostile_record_rejects_the_file_naming_file_line_and_field(
    world: World, fmt: Format, data: st.DataObject
) -> None:
    """One hostile field in a one-record file of each format: the file is rejected
    (exit 1), each error line names the file, where in it, and the field; no write."""
    name, value, words = data.draw(format_cases(fmt), label="case")
    words = format_words(fmt, value, words)
    values: dict[str, Any] = {**fmt.valid, name: value}
    path = world.folder / f"hostile-{fmt.name}{fmt.suffix}"
    path.write_text(fmt.write(values), encoding="utf-8", errors="surrogatepass")
    options = [o.format(folder=world.folder) for o in fmt.options]
    before = fingerprint(world.store)
    result = world.run("import", str(path), "--format", fmt.name, *options)
    problems = judge(world, result, before, words, one_line=False, where=path.name)
    if problems and os.environ.get("CREDTRAIL_HOSTILE_DEBUG"):
        with open(os.environ["CREDTRAIL_HOSTILE_DEBUG"], "a") as log:
            log.write(f"{fmt.name} {name} {str(value)[:80]!r} {problems}\n")
    assert not problems, (name, str(value)[:200], problems)


def test_valid_file_of_each_format_imports(world: World, tmp_path: Path) -> None:
    """The valid one-record file of each format imports, so rejections are the field's."""
    for fmt in FORMATS:
        # A store of its own per format: the valid files describe the same activity,
        # which a second format would (rightly) report as a conflicting record.
        store = tmp_path / f"copy-{fmt.name}.db"
        shutil.copyfile(world.store, store)
        path = tmp_path / f"valid-{fmt.name}{fmt.suffix}"
        path.write_text(fmt.write(dict(fmt.valid)), encoding="utf-8")
        options = [o.format(folder=world.folder) for o in fmt.options]
        result = world.run("import", str(path), "--format", fmt.name, *options, store=store)
        assert result.exit_code == 0, (fmt.name, result.output)

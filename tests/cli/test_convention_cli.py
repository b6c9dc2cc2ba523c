"""The one CLI convention: every command takes --json, and with it an error is one JSON
object on stderr with the exit code it has without; one spelling per status."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import get_args

import click
import pytest
from click.testing import CliRunner

from credtrail.cli.main import cli
from credtrail.core.rules.result import Status
from credtrail.core.status import Standing
from credtrail.plugins import DEFAULT_PLUGINS

PLUGINS = ["--plugins", ",".join(DEFAULT_PLUGINS)]


def leaf_commands() -> Iterator[tuple[list[str], click.Command]]:
    """Every command a user can run, walking the groups recursively."""
    ctx = click.Context(cli)

    def walk(group: click.Group, path: list[str]) -> Iterator[tuple[list[str], click.Command]]:
        for name in group.list_commands(ctx):
            command = group.get_command(ctx, name)
            assert command is not None, name
            if isinstance(command, click.Group):
                yield from walk(command, [*path, name])
            else:
                yield [*path, name], command

    yield from walk(cli, [])


COMMANDS = list(leaf_commands())


def one_json_object(text: str) -> dict[str, object]:
    """``text`` is exactly one JSON object (on one or more lines), nothing else."""
    data = json.loads(text)
    assert isinstance(data, dict)
    return data


@pytest.mark.parametrize("path", [p for p, _ in COMMANDS], ids=" ".join)
def test_every_command_takes_json(path: list[str]) -> None:
    """Each command has the shared --json flag (``credtrail.cli.options.json_option``)."""
    command = {tuple(p): c for p, c in COMMANDS}[tuple(path)]
    flags = [p for p in command.params if isinstance(p, click.Option) and "--json" in p.opts]
    assert [(f.is_flag, f.name) for f in flags] == [(True, "as_json")]


@pytest.mark.parametrize("path", [p for p, _ in COMMANDS], ids=" ".join)
def test_a_usage_error_with_json_is_one_json_object(path: list[str], tmp_path: Path) -> None:
    """Misuse with --json: exit 2 as without, one object on stderr, nothing on stdout."""
    runner = CliRunner()
    store = ["--store", str(tmp_path / "none.db"), *PLUGINS]
    plain = runner.invoke(cli, [*store, *path, "--zzz-qqq"])
    result = runner.invoke(cli, [*store, *path, "--json", "--zzz-qqq"])
    assert (plain.exit_code, result.exit_code) == (2, 2)
    assert result.stdout == ""
    error = one_json_object(result.stderr)
    assert error == {
        "error": "No such option '--zzz-qqq'.",
        "field": "--zzz-qqq",
        "code": "no_such_option",
    }


def test_a_credtrail_error_with_json_names_its_code(tmp_path: Path) -> None:
    """A user's mistake with --json: exit 1, the message, the error's code, no text."""
    runner = CliRunner()
    store = ["--store", str(tmp_path / "s.db"), *PLUGINS]
    assert runner.invoke(cli, [*store, "init"]).exit_code == 0
    result = runner.invoke(cli, [*store, "status", "nobody", "--json"])
    assert result.exit_code == 1
    assert result.stdout == ""
    assert one_json_object(result.stderr) == {
        "error": "unknown clinician 'nobody'; add it first with "
        "'credtrail clinician add nobody --profession ...'",
        "field": None,
        "code": "unknown_clinician",
    }
    plain = runner.invoke(cli, [*store, "status", "nobody"])
    assert (plain.exit_code, plain.stderr) == (
        1,
        "Error: unknown clinician 'nobody'; add it first with "
        "'credtrail clinician add nobody --profession ...'\n",
    )


def test_a_bad_parameter_with_json_names_the_field(tmp_path: Path) -> None:
    """An option's bad value with --json: exit 2, ``field`` is the option."""
    runner = CliRunner()
    store = ["--store", str(tmp_path / "s.db"), *PLUGINS]
    result = runner.invoke(cli, [*store, "status", "x", "--on", "someday", "--json"])
    assert result.exit_code == 2
    error = one_json_object(result.stderr)
    assert (error["code"], error["field"]) == ("bad_parameter", "on")


def test_json_before_the_command_counts_too(tmp_path: Path) -> None:
    """``credtrail --json status ...`` is the same as ``status ... --json``."""
    runner = CliRunner()
    result = runner.invoke(cli, ["--store", str(tmp_path / "none.db"), "--json", "info"])
    assert result.exit_code == 1
    assert one_json_object(result.stderr)["code"] == "store_not_initialised"


def test_no_store_yet_with_json_is_one_object(tmp_path: Path) -> None:
    """The first error most people meet, as a script sees it."""
    runner = CliRunner()
    result = runner.invoke(cli, ["--store", str(tmp_path / "none.db"), "status", "a", "--json"])
    assert result.exit_code == 1
    error = one_json_object(result.stderr)
    assert error["code"] == "store_not_initialised"
    assert "credtrail init" in str(error["error"])


def test_standing_has_every_status_the_engine_gives() -> None:
    """The enum and the engine's Status literal spell the same statuses."""
    assert set(get_args(Status)) <= {s.value for s in Standing}
    assert Standing.IN_PROGRESS == "in_progress"


def test_credit_earn_takes_activity_format_and_the_old_name_warns(tmp_path: Path) -> None:
    """--format means the output format elsewhere: earn's is --activity-format; the
    old spelling still works, with a warning."""
    runner = CliRunner()
    store = ["--store", str(tmp_path / "s.db"), *PLUGINS]
    assert runner.invoke(cli, [*store, "init"]).exit_code == 0
    runner.invoke(cli, [*store, "clinician", "add", "md-1", "--profession", "physician"])
    earn = [*store, "credit", "earn", "md-1", "--type", "ama_pra_1", "--units", "1"]
    earn += ["--date", "2025-01-10", "--provider", "Mercy", "--accreditor", "ACCME"]
    new = runner.invoke(cli, [*earn, "--activity", "A1", "--activity-format", "live"])
    old = runner.invoke(cli, [*earn, "--activity", "A2", "--format", "enduring"])
    assert (new.exit_code, new.stderr, old.exit_code) == (0, "", 0)
    assert old.stderr == "Warning: --format is deprecated here; use --activity-format\n"
    credits = json.loads(runner.invoke(cli, [*store, "transcript", "md-1", "--json"]).stdout)
    assert sorted(c["format"] for c in credits["credits"]) == ["enduring", "live"]


def test_invalid_input_with_json_lists_each_field(tmp_path: Path) -> None:
    """A pydantic validation error with --json: exit 1, code invalid_input, each error."""
    runner = CliRunner()
    store = ["--store", str(tmp_path / "s.db"), *PLUGINS]
    assert runner.invoke(cli, [*store, "init"]).exit_code == 0
    runner.invoke(cli, [*store, "clinician", "add", "md-1", "--profession", "physician"])
    earn = [*store, "credit", "earn", "md-1", "--type", "ama_pra_1", "--units", "1"]
    earn += ["--date", "2025-01-10", "--provider", "Mercy", "--accreditor", "ACCME"]
    result = runner.invoke(cli, [*earn, "--activity", "A1", "--topic", "ethics=5", "--json"])
    assert result.exit_code == 1
    error = one_json_object(result.stderr)
    assert error["code"] == "invalid_input"
    assert error["errors"] == [
        {
            "field": "value",
            "message": "Value error, topic 'ethics': 5 units is more than the credit's",
        }
    ]

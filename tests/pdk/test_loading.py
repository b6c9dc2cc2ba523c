"""Which plugins load (entry points, --plugins / CREDTRAIL_LOAD_PLUGINS) and hook tracing.

Entry-point discovery is tested with fake distributions monkeypatched into
``importlib.metadata.distributions`` (as pluggy's own tests do), never with what
happens to be installed.
"""

from __future__ import annotations

import importlib.metadata
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pluggy
import pytest
from click.testing import CliRunner

from credtrail.cli.main import cli
from credtrail.core.errors import CredtrailError, PluginError
from credtrail.core.models import CreditDraft
from credtrail.core.plugins import (
    CORE_PLUGINS,
    build_plugin_manager,
    describe_plugins,
    parse_selection,
    tracer_for,
)
from credtrail.core.registry import build_registry, plugin_violations
from credtrail.plugins import builtin_plugins

from . import misbehaving


class FakeDistribution:
    """Just what core.plugins reads of an installed distribution."""

    def __init__(self, name: str, version: str, entry_points: dict[str, str]) -> None:
        self.metadata = {"Name": name}
        self.version = version
        self.entry_points = [
            importlib.metadata.EntryPoint(name=n, value=v, group="credtrail")
            for n, v in entry_points.items()
        ] + [importlib.metadata.EntryPoint(name="other", value="os", group="console_scripts")]


@pytest.fixture
def installed(monkeypatch: pytest.MonkeyPatch) -> Any:
    """Replace the installed distributions with the fakes a test lists."""

    def install(*dists: FakeDistribution) -> None:
        monkeypatch.setattr(importlib.metadata, "distributions", lambda: iter(dists))

    return install


OPTOMETRY = FakeDistribution("credtrail-optometry", "1.2.0", {"optometry": "pdk.sample_ep"})


def test_entry_point_plugin_is_loaded_with_its_version(installed: Any) -> None:
    """A plugin published under the credtrail group loads, with its distribution's version."""
    installed(OPTOMETRY)
    pm = build_plugin_manager()
    assert pm.get_plugin("optometry") is not None
    info = {i.name: i for i in describe_plugins(pm)}["optometry"]
    assert (info.version, info.builtin) == ("1.2.0", False)
    assert "credtrail_register_credit_types" in info.hooks
    assert build_registry(pm).credit_type_owner("cope_hour") == "optometry"


def third_party_and_defaults(pm: pluggy.PluginManager) -> list[str]:
    """Names of the loaded plugins but core's own (always loaded), in load order."""
    return [n for n, _ in pm.list_name_plugin() if n not in CORE_PLUGINS]


def test_entry_points_off_loads_none(installed: Any) -> None:
    """load_entrypoints=False ignores installed plugins (what the test-suite relies on)."""
    installed(OPTOMETRY)
    pm = build_plugin_manager(load_entrypoints=False)
    assert third_party_and_defaults(pm) == []


def test_selection_filters_entry_points(installed: Any) -> None:
    """``only`` loads the named plugins and skips the others, built-in or not."""
    installed(OPTOMETRY)
    pm = build_plugin_manager(builtin_plugins(), only={"optometry", "physician_ama"})
    assert sorted(third_party_and_defaults(pm)) == ["optometry", "physician_ama"]
    pm = build_plugin_manager(builtin_plugins(), only={"nursing_ancc"})
    assert third_party_and_defaults(pm) == ["nursing_ancc"]


def test_selecting_a_missing_plugin_is_an_error(installed: Any) -> None:
    """A name in the selection that is not installed is reported, with where it came from."""
    installed(OPTOMETRY)
    with pytest.raises(CredtrailError) as caught:
        build_plugin_manager(builtin_plugins(), only={"optometry", "dentistry"})
    assert str(caught.value) == (
        "plugins not installed: dentistry (check CREDTRAIL_LOAD_PLUGINS / --plugins)"
    )


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, None),
        ("", set()),
        ("a", {"a"}),
        (" a , b,,", {"a", "b"}),
    ],
)
def test_parse_selection(value: str | None, expected: set[str] | None) -> None:
    """Unset selects every plugin; an empty value none; names are comma-separated."""
    assert parse_selection(value) == expected


def test_broken_entry_point_names_the_plugin(installed: Any) -> None:
    """An entry point that cannot be imported is a PluginError naming it, at 'load'."""
    installed(FakeDistribution("credtrail-broken", "0.1", {"broken": "pdk.no_such_module"}))
    with pytest.raises(PluginError) as caught:
        build_plugin_manager()
    assert (caught.value.plugin, caught.value.hook) == ("broken", "load")
    assert "cannot import pdk.no_such_module: ModuleNotFoundError" in caught.value.problem


def test_same_distribution_twice_loads_once(installed: Any) -> None:
    """An editable install can put a distribution on the path twice: it loads once."""
    installed(OPTOMETRY, OPTOMETRY)
    pm = build_plugin_manager()
    assert third_party_and_defaults(pm) == ["optometry"]


def test_two_packages_with_one_entry_point_name_conflict(installed: Any) -> None:
    """Two packages publishing the same entry-point name are reported, not one dropped."""
    other = FakeDistribution("credtrail-optics", "0.1", {"optometry": "pdk.misbehaving"})
    installed(OPTOMETRY, other)
    with pytest.raises(PluginError, match="two installed packages publish entry point"):
        build_plugin_manager()


def test_third_party_cannot_take_a_builtin_name(installed: Any) -> None:
    """An entry point named like a built-in but pointing elsewhere is reported."""
    installed(FakeDistribution("credtrail-fake", "0.1", {"physician_ama": "pdk.sample_ep"}))
    with pytest.raises(PluginError) as caught:
        build_plugin_manager(builtin_plugins())
    assert caught.value.plugin == "physician_ama"
    assert "credtrail-fake publishes entry point" in caught.value.problem


# -- tracing --------------------------------------------------------------------------------


def draft() -> CreditDraft:
    return CreditDraft(
        clinician_id="od-1",
        profession="optometrist",
        credit_type="cope_hour",
        units=Decimal(21),
        completed_on=date(2025, 5, 1),
        provider="Vision CE",
        accreditor="ARBO",
        activity_id="cope-1",
    )


def test_trace_covers_the_calls_the_registry_makes(capsys: pytest.CaptureFixture[str]) -> None:
    """Tracing writes plugin, hook, arguments, result and duration for each call."""
    pm = build_plugin_manager(
        extra=[("optometry", misbehaving.Optometry())], load_entrypoints=False, trace=True
    )
    registry = build_registry(pm)
    plugin_violations(pm, registry, draft())
    lines = capsys.readouterr().err.splitlines()
    assert any(
        line.startswith(
            "[credtrail] optometry.credtrail_register_credit_types(register=<register>) "
            "-> None, registered 1 ("
        )
        and line.endswith(" ms)")
        for line in lines
    ), lines
    validate = [line for line in lines if ".credtrail_validate_credit(" in line]
    assert len(validate) == 1
    assert "credit=CreditDraft(clinician_id='od-1'" in validate[0]
    assert "registry=<Registry>" in validate[0]
    assert "-> [1: Violation(field='units', rule='cope-max-20'" in validate[0]


def test_trace_records_a_failing_hook(capsys: pytest.CaptureFixture[str]) -> None:
    """A hook that raises is traced with the exception before it is reported."""
    pm = build_plugin_manager(
        extra=[("broken", misbehaving.RaisesOnRegister())], load_entrypoints=False, trace=True
    )
    with pytest.raises(PluginError):
        build_registry(pm)
    err = capsys.readouterr().err
    assert (
        "broken.credtrail_register_credit_types(register=<register>) -> raised RuntimeError: "
        "data file missing, registered 0 (" in err
    )


def test_tracing_is_off_by_default(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Without CREDTRAIL_TRACE_PLUGINS nothing is traced; with it, calls are."""
    monkeypatch.delenv("CREDTRAIL_TRACE_PLUGINS", raising=False)
    pm = build_plugin_manager(extra=[("o", misbehaving.Optometry())], load_entrypoints=False)
    assert tracer_for(pm) is None
    build_registry(pm)
    assert capsys.readouterr().err == ""
    monkeypatch.setenv("CREDTRAIL_TRACE_PLUGINS", "1")
    pm = build_plugin_manager(extra=[("o", misbehaving.Optometry())], load_entrypoints=False)
    build_registry(pm)
    assert "[credtrail] o.credtrail_register_professions(" in capsys.readouterr().err


def test_cli_selection_and_trace(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """--plugins limits the catalogue; CREDTRAIL_TRACE_PLUGINS=1 traces to stderr only."""
    runner = CliRunner()
    store = str(tmp_path / "cli.db")
    monkeypatch.setenv("CREDTRAIL_TRACE_PLUGINS", "1")
    result = runner.invoke(
        cli, ["--store", store, "--plugins", "nursing_ancc", "plugins"], catch_exceptions=False
    )
    assert result.exit_code == 0
    listed = [line.split()[0] for line in result.stdout.splitlines() if line[:1] != " "]
    assert listed == ["cebroker", "csv", "nursing_ancc", "openbadges"]
    assert "[credtrail] nursing_ancc.credtrail_register_professions(" not in result.stdout
    monkeypatch.setenv("CREDTRAIL_LOAD_PLUGINS", "physician_ama")
    result = runner.invoke(cli, ["--store", store, "credit-types"], catch_exceptions=False)
    assert result.exit_code == 0
    assert "[credtrail] physician_ama.credtrail_register_credit_types(" in result.stderr
    assert {line.split()[1] for line in result.stdout.splitlines()[2:]} == {"physician"}


@pytest.mark.parametrize(
    ("entry_point", "message"),
    [
        (
            "pdk.no_such_module",
            "Error: plugin 'broken' (load): cannot import pdk.no_such_module: "
            "ModuleNotFoundError: No module named 'pdk.no_such_module'\n",
        ),
        (
            "pdk.sample_ep:raising",
            "Error: plugin 'broken' (credtrail_register_credit_types): "
            "raised RuntimeError: data file missing\n",
        ),
    ],
)
def test_cli_names_a_broken_plugin(
    installed: Any, tmp_path: Path, entry_point: str, message: str
) -> None:
    """A broken third-party plugin is one 'Error:' line naming it, exit 1, no traceback."""
    installed(FakeDistribution("credtrail-broken", "0.1", {"broken": entry_point}))
    result = CliRunner().invoke(cli, ["--store", str(tmp_path / "s.db"), "credit-types"])
    assert (result.exit_code, result.stderr) == (1, message)
    assert result.stdout == ""

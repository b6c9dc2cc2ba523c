"""credtrail_register_import_formats: plugins add formats; clashes and garbage name the plugin."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date
from decimal import Decimal
from pathlib import Path

import pluggy
import pytest

from credtrail.core import hookimpl
from credtrail.core.application import Credtrail, EarnRequest
from credtrail.core.errors import DuplicateRegistrationError, PluginError
from credtrail.core.exchange import (
    ClinicianIdentity,
    ImportFormat,
    ImportRecord,
    Location,
    ReadContext,
    TextSource,
    import_file,
    import_formats,
)
from credtrail.core.exchange.records import Parsed
from credtrail.core.plugins import build_plugin_manager
from credtrail.plugins import builtin_plugins


def read_lines(source: TextSource, context: ReadContext) -> Iterator[Parsed]:
    """One credit per line: ``clinician units`` (a toy format for the hook tests)."""
    for line in source.lines():
        clinician, units = line.split()
        yield ImportRecord(
            Location(source.name, source.line),
            ClinicianIdentity(clinician_id=clinician),
            EarnRequest(
                clinician_id=clinician,
                credit_type="ama_pra_1",
                units=Decimal(units),
                completed_on=date(2025, 1, 1),
                provider="Toy",
                accreditor="ACCME",
                activity_id=f"toy-{source.line}",
            ),
        )


class ToyFormat:
    def __init__(self, fmt: object) -> None:
        self.fmt = fmt

    @hookimpl
    def credtrail_register_import_formats(self, register: Callable[[object], None]) -> None:
        register(self.fmt)


def manager(fmt: object) -> pluggy.PluginManager:
    return build_plugin_manager(
        builtin_plugins(), extra=[("toy", ToyFormat(fmt))], load_entrypoints=False
    )


def test_builtin_formats_include_the_physician_plugins_pars(pm: pluggy.PluginManager) -> None:
    """Core reads csv, openbadges and cebroker; the physician plugin adds pars and cmepassport."""
    assert sorted(import_formats(pm)) == ["cebroker", "cmepassport", "csv", "openbadges", "pars"]


def test_plugin_format_is_imported_through_the_pipeline(tmp_path: Path) -> None:
    """A third-party reader only parses; the pipeline validates and writes its records."""
    pm = manager(ImportFormat(name="toy", label="toy lines", reader=read_lines))
    app = Credtrail.open(str(tmp_path / "t.db"), pm, create=True)
    try:
        app.add_clinician("dr-a", "physician")
        path = tmp_path / "in.txt"
        path.write_text("dr-a 1\ndr-a 0.3\n", encoding="utf-8")
        summary = import_file(app, path, "toy")
        assert summary.errors == [
            "in.txt line 2: units: 0.3 is not a multiple of 0.25 credit, the increment of "
            "AMA PRA Category 1 Credit™ [ama_pra_1-increment]"
        ]
        path.write_text("dr-a 1\n", encoding="utf-8")
        assert import_file(app, path, "toy").written == 1
    finally:
        app.close()


def test_format_name_taken_twice_names_both_plugins() -> None:
    """A second 'pars' is an error naming the plugin that registered it first."""
    pm = manager(ImportFormat(name="pars", label="mine", reader=read_lines))
    with pytest.raises(DuplicateRegistrationError) as caught:
        import_formats(pm)
    assert str(caught.value) == (
        "plugin 'toy' (credtrail_register_import_formats): import format 'pars' is already "
        "registered by 'physician_ama'"
    )


def test_registering_something_else_is_a_plugin_error() -> None:
    """register() accepts only ImportFormat objects."""
    with pytest.raises(PluginError) as caught:
        import_formats(manager({"name": "toy"}))
    assert str(caught.value) == (
        "plugin 'toy' (credtrail_register_import_formats): registered dict, expected ImportFormat"
    )

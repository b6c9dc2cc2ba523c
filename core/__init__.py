"""credtrail core: the public API for plugins and callers is ``__all__``, nothing else.

Plugins import what they need from here (``from credtrail.core import hookimpl,
ProfessionPlugin, CreditType, Citation``); ``tests/test_exported_members.py`` pins the
list. Names are imported on first use (PEP 562), so ``credtrail --version`` or a plugin
module that only needs models never pays for the store, the rule engine or the
exchange formats.
"""

import importlib as _importlib
import typing as _typing

if _typing.TYPE_CHECKING:
    from credtrail.core.application import Credtrail
    from credtrail.core.domain import ClinicianLedger, CreditState
    from credtrail.core.errors import CredtrailError, InputError, PluginError
    from credtrail.core.exchange.csvformat import spreadsheet_cell
    from credtrail.core.exchange.formats import Columns, ImportFormat, ReadContext, delimited_rows
    from credtrail.core.exchange.records import (
        ClinicianIdentity,
        FieldCollector,
        ImportRecord,
        Issue,
        Location,
        Parsed,
        RejectedRecord,
    )
    from credtrail.core.exchange.sources import TextSource
    from credtrail.core.hookspecs import hookimpl, hookspec
    from credtrail.core.models import (
        Accreditor,
        Authority,
        Citation,
        CreditDraft,
        CreditType,
        Equivalence,
        Profession,
        Topic,
        Violation,
    )
    from credtrail.core.plugins import build_plugin_manager
    from credtrail.core.profession import ProfessionPlugin, topics_from_files
    from credtrail.core.registry import Registry, build_registry
    from credtrail.core.requests import EarnRequest, EarnResult
    from credtrail.core.rules import (
        Adjustment,
        Candidate,
        CycleWindow,
        RuleKindEvaluator,
        read_requirement_file,
    )
    from credtrail.core.store import StoreLocation

_WHERE = {
    # the plugin contract
    "hookimpl": "hookspecs",
    "hookspec": "hookspecs",
    "ProfessionPlugin": "profession",
    "topics_from_files": "profession",
    "Accreditor": "models",
    "Authority": "models",
    "Citation": "models",
    "CreditDraft": "models",
    "CreditType": "models",
    "Equivalence": "models",
    "Profession": "models",
    "Topic": "models",
    "Violation": "models",
    "Registry": "registry",
    # errors
    "CredtrailError": "errors",
    "InputError": "errors",
    "PluginError": "errors",
    # requirement documents and custom rule kinds
    "read_requirement_file": "rules",
    "RuleKindEvaluator": "rules",
    "Adjustment": "rules",
    "Candidate": "rules",
    "CycleWindow": "rules",
    # import formats
    "ImportFormat": "exchange.formats",
    "ReadContext": "exchange.formats",
    "Columns": "exchange.formats",
    "delimited_rows": "exchange.formats",
    "TextSource": "exchange.sources",
    "ClinicianIdentity": "exchange.records",
    "FieldCollector": "exchange.records",
    "ImportRecord": "exchange.records",
    "Issue": "exchange.records",
    "Location": "exchange.records",
    "Parsed": "exchange.records",
    "RejectedRecord": "exchange.records",
    # callers: the application and its plugin manager
    "Credtrail": "application",
    "EarnRequest": "requests",
    "EarnResult": "requests",
    "StoreLocation": "store",
    "build_plugin_manager": "plugins",
    "build_registry": "registry",
    # exports: what a plugin's export format reads of a clinician and a credit
    "ClinicianLedger": "domain",
    "CreditState": "domain",
    "spreadsheet_cell": "exchange.csvformat",
}

__all__ = [
    "Accreditor",
    "Adjustment",
    "Authority",
    "Candidate",
    "Citation",
    "ClinicianIdentity",
    "ClinicianLedger",
    "Columns",
    "CreditDraft",
    "CreditState",
    "CreditType",
    "Credtrail",
    "CredtrailError",
    "CycleWindow",
    "EarnRequest",
    "EarnResult",
    "Equivalence",
    "FieldCollector",
    "ImportFormat",
    "ImportRecord",
    "InputError",
    "Issue",
    "Location",
    "Parsed",
    "PluginError",
    "Profession",
    "ProfessionPlugin",
    "ReadContext",
    "Registry",
    "RejectedRecord",
    "RuleKindEvaluator",
    "StoreLocation",
    "TextSource",
    "Topic",
    "Violation",
    "build_plugin_manager",
    "build_registry",
    "delimited_rows",
    "hookimpl",
    "hookspec",
    "read_requirement_file",
    "spreadsheet_cell",
    "topics_from_files",
]


def __getattr__(name: str) -> _typing.Any:
    where = _WHERE.get(name)
    if where is None:
        raise AttributeError(f"module 'credtrail.core' has no attribute {name!r}")
    value = getattr(_importlib.import_module(f"credtrail.core.{where}"), name)
    globals()[name] = value  # the next lookup is a plain attribute
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})

"""credtrail core: events, store, plugin contract, registry and application service.

Plugins import what they need from here (``from credtrail.core import hookimpl,
CreditType, Citation``); the list below is the public API, pinned by a test.
"""

from credtrail.core.application import Credtrail, EarnRequest, EarnResult
from credtrail.core.errors import CredtrailError, PluginError
from credtrail.core.hookspecs import hookimpl, hookspec
from credtrail.core.models import (
    Accreditor,
    Authority,
    Citation,
    CreditDraft,
    CreditType,
    Equivalence,
    Profession,
    Violation,
)
from credtrail.core.plugins import build_plugin_manager
from credtrail.core.registry import Registry
from credtrail.core.store import StoreLocation

__all__ = [
    "Accreditor",
    "Authority",
    "Citation",
    "CreditDraft",
    "CreditType",
    "Credtrail",
    "CredtrailError",
    "EarnRequest",
    "EarnResult",
    "Equivalence",
    "PluginError",
    "Profession",
    "Registry",
    "StoreLocation",
    "Violation",
    "build_plugin_manager",
    "hookimpl",
    "hookspec",
]

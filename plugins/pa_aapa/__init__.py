"""Built-in plugin for physician assistants: AAPA Category 1/2 CME, NCCPA SA-CME and
PI-CME, NCCPA certification maintenance and state PA boards.

It loads alone: it registers every accreditor its credit types accept, and its
equivalences from AMA PRA credit apply only when physician_ama is loaded too.
Data with citations: ``data.py``.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from credtrail.core import hookimpl
from credtrail.core.models import (
    Accreditor,
    Authority,
    CreditDraft,
    CreditType,
    Equivalence,
    Profession,
    Violation,
)
from credtrail.core.registry import Registry
from credtrail.plugins._common import (
    load_authorities,
    load_equivalences,
    register_rule_documents,
)
from credtrail.plugins.pa_aapa import data
from credtrail.plugins.pa_aapa.validation import designate_credit, preceptor_credit, validate

RULES_DIR = Path(__file__).parent / "rules"
AUTHORITIES_DIR = Path(__file__).parent / "authorities"


@hookimpl
def credtrail_register_professions(register: Callable[[Profession], None]) -> None:
    register(data.PA)


@hookimpl
def credtrail_register_accreditors(register: Callable[[Accreditor], None]) -> None:
    # Also the accreditors of other professions this plugin's types accept, so it
    # loads alone.
    from credtrail.plugins.accreditors import needed_by

    for accreditor in needed_by(data.CREDIT_TYPES, data.ACCREDITORS):
        register(accreditor)


@hookimpl
def credtrail_register_credit_types(register: Callable[[CreditType], None]) -> None:
    for credit_type in data.CREDIT_TYPES:
        register(credit_type)


@hookimpl
def credtrail_register_authorities(register: Callable[[Authority], None]) -> None:
    for authority in data.AUTHORITIES + tuple(load_authorities(AUTHORITIES_DIR)):
        register(authority)


@hookimpl
def credtrail_register_equivalences(register: Callable[[Equivalence], None]) -> None:
    for equivalence in data.EQUIVALENCES + tuple(load_equivalences(AUTHORITIES_DIR)):
        register(equivalence)


@hookimpl
def credtrail_register_requirements(register: Callable[[dict[str, Any]], None]) -> None:
    register_rule_documents(data.PLUGIN, RULES_DIR, register)


@hookimpl
def credtrail_validate_credit(credit: CreditDraft, registry: Registry) -> list[Violation]:
    # Judges only this plugin's own credit type codes (unique once registered).
    return validate(credit)


__all__ = ["designate_credit", "preceptor_credit"]

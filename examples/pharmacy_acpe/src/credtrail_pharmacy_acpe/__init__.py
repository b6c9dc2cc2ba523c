"""credtrail plugin for pharmacists: ACPE contact hours and CEUs, UAN checks, and the
Texas and California Boards of Pharmacy's renewal requirements.

An external package: it imports only ``credtrail.core`` and is found through its
``credtrail`` entry point (see ``pyproject.toml``). Data and citations: ``data.py``.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from credtrail.core import (
    Accreditor,
    Authority,
    CreditDraft,
    CreditType,
    Equivalence,
    Profession,
    Registry,
    Violation,
    hookimpl,
    read_requirement_file,
)
from credtrail_pharmacy_acpe import data, kinds, uan

__version__ = "0.1.0"

RULES_DIR = Path(__file__).parent / "rules"


@hookimpl
def credtrail_register_professions(register: Callable[[Profession], None]) -> None:
    register(data.PHARMACIST)


@hookimpl
def credtrail_register_accreditors(register: Callable[[Accreditor], None]) -> None:
    register(data.ACPE)


@hookimpl
def credtrail_register_credit_types(register: Callable[[CreditType], None]) -> None:
    for credit_type in data.CREDIT_TYPES:
        register(credit_type)


@hookimpl
def credtrail_register_authorities(register: Callable[[Authority], None]) -> None:
    for authority in data.AUTHORITIES:
        register(authority)


@hookimpl
def credtrail_register_equivalences(register: Callable[[Equivalence], None]) -> None:
    register(data.CEU_AS_CONTACT_HOURS)


@hookimpl
def credtrail_register_requirements(register: Callable[[dict[str, Any]], None]) -> None:
    for path in sorted(RULES_DIR.glob("*.toml")):
        register(read_requirement_file(path))


@hookimpl
def credtrail_register_rule_kinds(register: Callable[[str, Any], None]) -> None:
    register(kinds.KIND, kinds.AudienceRule())


@hookimpl
def credtrail_validate_credit(credit: CreditDraft, registry: Registry) -> list[Violation]:
    return uan.validate(credit)

"""Builders for rule-engine tests: a small real registry, credits, licences, documents."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from credtrail.core.domain import CreditState, LicenseState
from credtrail.core.models import Authority, Citation, CreditType, Equivalence, Profession
from credtrail.core.registry import Registry

READ = date(2026, 11, 23)


def cite(authority: str, document: str, section: str | None = None) -> Citation:
    return Citation(authority=authority, document=document, section=section, date_read=READ)


def _type(code: str, profession: str, label: str, accreditors: tuple[str, ...] = ()) -> CreditType:
    return CreditType(
        code=code,
        label=label,
        profession=profession,
        unit="credit",
        increment=Decimal("0.25"),
        accreditors=accreditors,
        requires_accreditor=bool(accreditors),
        source=cite("TEST", "test registry"),
    )


def make_registry(rule_kinds: dict[str, Any] | None = None) -> Registry:
    """Physician, nurse and PA credit types with the equivalences the rules rely on."""
    registry = Registry()
    for code in ("physician", "nurse", "pa"):
        registry.professions[code] = Profession(code=code, label=code)
    for ct in (
        _type("ama_pra_1", "physician", "AMA PRA Category 1", ("ACCME",)),
        _type("ama_pra_2", "physician", "AMA PRA Category 2"),
        _type("aoa_1a", "physician", "AOA Category 1-A", ("AOA",)),
        _type("ancc_contact_hour", "nurse", "ANCC contact hour", ("ANCC",)),
        _type("aapa_1", "pa", "AAPA Category 1 CME", ("AAPA",)),
        _type("aapa_2", "pa", "AAPA Category 2 CME"),
    ):
        registry.credit_types[ct.code] = ct
    registry.equivalences.extend(
        [
            # NCCPA CMECategoryTypes: AMA PRA Category 1 is accepted as Category 1.
            Equivalence(
                from_type="ama_pra_1", to_type="aapa_1", source=cite("NCCPA", "CMECategoryTypes")
            ),
            # 22 TAC §161.35(a): AOA 1-A counts as formal Category 1 in Texas.
            Equivalence(
                from_type="aoa_1a",
                to_type="ama_pra_1",
                authorities=("TX-TMB",),
                source=cite("TX-TMB", "22 TAC §161.35(a)"),
            ),
        ]
    )
    for code, professions, claim in (
        ("NCCPA", ("pa",), True),
        ("TX-TMB", ("physician",), False),
        ("PA-SBM", ("physician",), False),
        ("FL-BOM", ("physician",), False),
        ("FL-BON", ("nurse",), False),
        ("CA-MBC", ("physician",), False),
        ("XX-B", ("physician", "nurse", "pa"), False),
    ):
        registry.authorities[code] = Authority(
            code=code,
            name=code,
            professions=professions,
            requires_claim=claim,
            source=cite(code, "test"),
        )
    registry.rule_kinds.update(rule_kinds or {})
    return registry


_counter = iter(range(1, 10**9))


def credit(
    units: str | int | Decimal,
    on: date,
    credit_type: str = "ama_pra_1",
    *,
    topics: tuple[str, ...] = (),
    fmt: str | None = None,
    credit_id: str | None = None,
    activity_id: str | None = None,
    title: str | None = None,
    accreditor: str | None = "ACCME",
    claims: dict[str, tuple[str | int | Decimal, date]] | None = None,
    revoked: bool = False,
) -> CreditState:
    """One credit as the ledger would hold it."""
    n = next(_counter)
    ident = credit_id or f"c{n}"
    claim_units = {a: Decimal(str(u)) for a, (u, _) in (claims or {}).items()}
    claim_dates = {a: d for a, (_, d) in (claims or {}).items()}
    return CreditState(
        credit_id=ident,
        credit_type=credit_type,
        units=Decimal(str(units)),
        completed_on=on,
        provider="Provider",
        accreditor=accreditor,
        activity_id=activity_id or f"act-{ident}",
        title=title,
        topics=topics,
        format=fmt,
        designated_units=None,
        evidence=None,
        natural_key=ident,
        recorded_at=datetime(2026, 1, 1, tzinfo=UTC),
        revoked=revoked,
        revoked_reason="provider withdrew it" if revoked else None,
        claims=claim_units,
        claim_dates=claim_dates,
    )


def license(
    issued: date,
    expires: date | None = None,
    *,
    birth: date | None = None,
    number: str | None = None,
    attributes: dict[str, str] | None = None,
    requirement: str = "req",
) -> LicenseState:
    return LicenseState(
        license_id=f"{requirement}#1",
        requirement_id=requirement,
        issued_on=issued,
        expires_on=expires,
        birth_date=birth,
        number=number,
        attributes=attributes or {},
    )


def document(**fields: Any) -> dict[str, Any]:
    """A requirement document: defaults for identity and source, ``fields`` on top."""
    doc: dict[str, Any] = {
        "id": "us-xx-test",
        "authority": "XX-B",
        "professions": ["physician"],
        "version": "1",
        "effective_from": "2000-01-01",
        "source": {"authority": "XX-B", "document": "test rule", "date_read": "2026-11-23"},
        "cycle": {"kind": "fixed", "anchor": "2023-01-01", "length_months": 24},
    }
    doc.update(fields)
    return doc

"""Open Badges 3.0 credentials written out for credits: the export side of
``openbadges.py`` (which reads them).

An exported credential depends on the credit only (stable ``urn:uuid`` ids, dates from
the completion), so exporting twice gives the same document; a credit that was
imported as a credential is re-emitted exactly as received. docs/formats.md has the
field table.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any
from uuid import NAMESPACE_URL, uuid5

from credtrail.core.exchange.openbadges import (
    CE_CONTEXT,
    CE_SCHEMA,
    OB_CONTEXT,
    OB_SCHEMA,
    SCHEMA_VALIDATOR,
    VC_CONTEXT,
)
from credtrail.core.registry import Registry


def _number(value: Decimal) -> Any:
    # OB declares creditsEarned a Float; a JSON number keeps the exact digits.
    return int(value) if value == value.to_integral_value() else float(value)


def stable_urn(*parts: str) -> str:
    return f"urn:uuid:{uuid5(NAMESPACE_URL, chr(0x1F).join(('credtrail', *parts)))}"


def original_credential(credit: Any) -> dict[str, Any] | None:
    """The credential a credit was imported from, if it came as one (kept unchanged)."""
    evidence = credit.evidence
    if not isinstance(evidence, Mapping):
        return None
    inner = evidence.get("credential")
    if isinstance(inner, Mapping) and "credentialSubject" in inner:
        return dict(inner)
    if "credentialSubject" in evidence and "@context" in evidence:
        return dict(evidence)  # imported before provenance was kept beside it
    return None


def learner_identifiers(clinician_id: str, npi: str | None, name: str | None) -> list[Any]:
    """The learner as IdentityObjects: credtrail clinician id, NPI and name where known."""
    known = [("ext:credtrailClinicianId", clinician_id), ("ext:NPI", npi), ("name", name)]
    return [
        {"type": "IdentityObject", "identityType": kind, "hashed": False, "identityHash": value}
        for kind, value in known
        if value
    ]


def credential_for(
    *,
    clinician_id: str,
    name: str | None,
    npi: str | None,
    credit: Any,
    registry: Registry,
    issuer: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """An unsigned OpenBadgeCredential for one credit (``credit``: a CreditState).

    :param issuer: the organisation issuing it (``{"id": did, "name": ...}``); the
        provider that awarded the credit is the achievement's ``creator``. Without one,
        the provider is named as issuer (an unsigned statement of what was recorded).

    Everything in it depends on the credit only, so exporting twice gives the same
    document (``awardedDate`` and ``validFrom`` are the completion date).
    """
    ct = registry.credit_types.get(credit.credit_type)
    identifiers = learner_identifiers(clinician_id, npi, name)
    alignment = {
        "type": ["Alignment"],
        "targetCode": credit.credit_type,
        "targetName": ct.label if ct else credit.credit_type,
        "targetFramework": "credtrail credit types",
        "targetType": "ext:CreditType",
        "targetUrl": ct.source.url if ct and ct.source.url else CE_CONTEXT,
    }
    creator: dict[str, Any] = {
        "id": stable_urn("provider", credit.provider),
        "type": ["Profile"],
        "name": credit.provider,
    }
    achievement: dict[str, Any] = {
        "id": stable_urn("activity", credit.provider, credit.activity_id),
        "type": ["Achievement"],
        "achievementType": "ext:ContinuingEducation",
        "name": credit.title or credit.activity_id,
        "description": f"{credit.title or credit.activity_id} ({credit.provider})",
        "criteria": {"narrative": "Completion of the accredited activity."},
        "humanCode": credit.activity_id,
        "alignment": [alignment],
        "creator": creator,
    }
    if credit.designated_units is not None:
        achievement["creditsAvailable"] = _number(credit.designated_units)
    if credit.topics:
        achievement["tag"] = list(credit.topics)
        amounts = getattr(credit, "topic_units", None) or {}
        achievement["topicCredits"] = [
            {"topic": t, **({"credits": _number(amounts[t])} if t in amounts else {})}
            for t in credit.topics
        ]
    if credit.format:
        achievement["activityFormat"] = credit.format
    if credit.accreditor:
        achievement["accreditor"] = credit.accreditor
    completed = credit.completed_on.isoformat() + "T00:00:00Z"
    return {
        "@context": [VC_CONTEXT, OB_CONTEXT, CE_CONTEXT],
        "id": stable_urn("credential", clinician_id, credit.credit_id),
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": credit.title or credit.activity_id,
        "issuer": dict(issuer) if issuer else {**creator},
        "validFrom": completed,
        "awardedDate": completed,
        "credentialSchema": [
            {"id": OB_SCHEMA, "type": SCHEMA_VALIDATOR},
            {"id": CE_SCHEMA, "type": SCHEMA_VALIDATOR},
        ],
        "credentialSubject": {
            "type": ["AchievementSubject"],
            "identifier": identifiers,
            "achievement": achievement,
            "activityEndDate": completed,
            "creditsEarned": _number(credit.units),
        },
    }


def original_jwt(credit: Any) -> str | None:
    """The VC-JWT a credit was imported as, if it came as one (kept unchanged)."""
    evidence = credit.evidence
    token = evidence.get("jwt") if isinstance(evidence, Mapping) else None
    return token if isinstance(token, str) else None


def public_bytes(private_key: Any) -> bytes:
    """The raw 32-byte Ed25519 public key of a ``cryptography`` private key."""
    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

    raw: bytes = private_key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    return raw


def signing_method(private_key: Any, did: str | None = None) -> tuple[str, str]:
    """The organisation's DID and the verification method its proofs name.

    :param did: a ``did:web`` DID (``--did-web``); default: the key's ``did:key``.
    """
    from credtrail.core.exchange.dataintegrity import b58encode, did_key, verification_method

    public = public_bytes(private_key)
    if did is None:
        return did_key(public), verification_method(public)
    return did, f"{did}#z{b58encode(bytes.fromhex('ed01') + public)}"


def organisation_issuer(private_key: Any, name: str, did: str | None = None) -> dict[str, Any]:
    """The organisation as an OB issuer Profile identified by its DID (did:key or did:web)."""
    return {"id": signing_method(private_key, did)[0], "type": ["Profile"], "name": name}


def secure(
    document: Mapping[str, Any],
    private_key: Any,
    *,
    proof: str = "eddsa",
    did: str | None = None,
    created: datetime | None = None,
) -> dict[str, Any] | str:
    """``document`` signed by the organisation: an ``eddsa-rdfc-2022`` Data Integrity
    proof added (a dict), or a VC-JWT (``proof="jwt"``, a compact JWS string)."""
    method = signing_method(private_key, did)[1]
    if proof == "jwt":
        from credtrail.core.exchange.jose import sign_jwt

        return sign_jwt(document, private_key, method=method)
    from credtrail.core.exchange.dataintegrity import sign

    moment = (created or datetime.now(UTC)).astimezone(UTC).replace(microsecond=0)
    return sign(
        document,
        private_key,
        created=moment.isoformat().replace("+00:00", "Z"),
        method=method,
    )


def export_credential(
    *,
    clinician_id: str,
    name: str | None,
    npi: str | None,
    credit: Any,
    registry: Registry,
    private_key: Any | None,
    organisation: str = "credtrail",
    created: datetime | None = None,
    proof: str = "eddsa",
    did: str | None = None,
) -> dict[str, Any] | str:
    """The credential to hand out for one credit: a JSON credential, or a VC-JWT string.

    A credit imported as a credential is re-emitted exactly as received (its issuer's
    signature stays valid; a VC-JWT stays a VC-JWT). Otherwise the organisation issues
    one and, given its Ed25519 key, signs it (``proof``: ``eddsa`` = eddsa-rdfc-2022,
    ``jwt`` = VC-JWT); without a key it is unsigned.
    """
    token = original_jwt(credit)
    if token is not None:
        return token
    original = original_credential(credit)
    if original is not None:
        return original
    if private_key is None:
        return credential_for(
            clinician_id=clinician_id, name=name, npi=npi, credit=credit, registry=registry
        )
    document = credential_for(
        clinician_id=clinician_id,
        name=name,
        npi=npi,
        credit=credit,
        registry=registry,
        issuer=organisation_issuer(private_key, organisation, did),
    )
    return secure(document, private_key, proof=proof, did=did, created=created)

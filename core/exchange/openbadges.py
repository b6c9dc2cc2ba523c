"""1EdTech Open Badges 3.0 / CLR 2.0 credentials carrying continuing-education credit.

Field names come from the 1EdTech ``openbadges-specification`` repository
(``ob_v3p0``: AchievementCredential, AchievementSubject, Achievement, Alignment,
IdentityObject; CLR 2.0: ClrCredential / ClrSubject). OB 3.0 has no CE-credit type,
so the credit type travels as an ``Alignment`` (``targetCode`` = the credtrail code,
or ``targetName`` = its label) or an ``ext:creditType`` term, the NPI as an
``IdentityObject`` of ``identityType`` ``ext:NPI``, the accreditor as
``issuer.ext:accreditor`` or an ``issuer.accreditations[]`` entry. The mapping is
credtrail's (docs/formats.md), not a published CE profile.

Reading keeps the whole credential as the credit's ``evidence``.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Mapping
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from uuid import NAMESPACE_URL, uuid5

from credtrail.core.errors import InputError
from credtrail.core.exchange.formats import ImportFormat, ReadContext
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
from credtrail.core.hookspecs import hookimpl
from credtrail.core.registry import Registry

VC_CONTEXT = "https://www.w3.org/ns/credentials/v2"
OB_CONTEXT = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
ACHIEVEMENT_TYPES = {"OpenBadgeCredential", "AchievementCredential"}
MAX_DOCUMENT = 64_000_000
"""A single JSON document is parsed whole; bigger batches must be JSON Lines."""


def _types(obj: Mapping[str, Any]) -> set[str]:
    value = obj.get("type", [])
    return {value} if isinstance(value, str) else {str(t) for t in value if isinstance(t, str)}


def _date(value: Any) -> date | None:
    if not isinstance(value, str) or len(value) < 10:
        return None
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        return None


def _credit_type(achievement: Mapping[str, Any], registry: Registry) -> str | None:
    ext = achievement.get("ext:creditType")
    if isinstance(ext, str) and ext in registry.credit_types:
        return ext
    labels = {ct.label.casefold(): code for code, ct in registry.credit_types.items()}
    alignments = achievement.get("alignment") or []
    for alignment in alignments if isinstance(alignments, list) else []:
        if not isinstance(alignment, Mapping):
            continue
        code = alignment.get("targetCode")
        if isinstance(code, str) and code in registry.credit_types:
            return code
        name = alignment.get("targetName")
        if isinstance(name, str) and name.casefold() in labels:
            return labels[name.casefold()]
    return None


def _accreditor(issuer: Any, registry: Registry) -> str | None:
    if not isinstance(issuer, Mapping):
        return None
    names = {a.name.casefold(): code for code, a in registry.accreditors.items()}
    candidates: list[Any] = [issuer.get("ext:accreditor")]
    accreditations = issuer.get("accreditations") or []
    for acc in accreditations if isinstance(accreditations, list) else []:
        if isinstance(acc, Mapping):
            candidates += [acc.get("ext:accreditor"), acc.get("name"), acc.get("id")]
    for value in candidates:
        if not isinstance(value, str):
            continue
        if value.upper() in registry.accreditors:
            return value.upper()
        if value.casefold() in names:
            return names[value.casefold()]
    return None


def _identity(subject: Mapping[str, Any], profession: str | None) -> ClinicianIdentity | None:
    ids: dict[str, str] = {}
    identifiers = subject.get("identifier") or []
    for ident in identifiers if isinstance(identifiers, list) else []:
        if isinstance(ident, Mapping) and not ident.get("hashed"):
            kind, value = ident.get("identityType"), ident.get("identityHash")
            if isinstance(kind, str) and isinstance(value, str) and value.strip():
                ids.setdefault(kind.casefold(), value.strip())
    npi = ids.get("ext:npi")
    licence = subject.get("licenseNumber")
    explicit = ids.get("ext:credtrailclinicianid")
    if explicit:
        cid = explicit
    elif npi:
        cid = f"npi:{npi}"
    elif isinstance(licence, str) and licence.strip():
        cid = f"lic:{licence.strip()}"
    elif isinstance(subject.get("id"), str):
        cid = str(subject["id"])
    else:
        return None
    return ClinicianIdentity(
        clinician_id=cid,
        profession=profession,
        name=ids.get("name"),
        npi=npi if npi and npi.isdigit() and len(npi) == 10 else None,
        explicit=not cid.startswith("npi:"),
    )


def credential_record(
    credential: Mapping[str, Any], location: Location, registry: Registry
) -> Parsed:
    """Map one AchievementCredential onto an import record (or say why not)."""
    f = FieldCollector()
    subject = credential.get("credentialSubject")
    if not isinstance(subject, Mapping):
        f.add("credentialSubject", "ob-subject", "is missing; a credential needs one subject")
        return RejectedRecord(location, tuple(f.issues))
    achievement = subject.get("achievement")
    if not isinstance(achievement, Mapping):
        f.add("credentialSubject.achievement", "ob-achievement", "is missing")
        return RejectedRecord(location, tuple(f.issues))
    credit_type = _credit_type(achievement, registry)
    if credit_type is None:
        f.add(
            "credentialSubject.achievement.alignment",
            "ob-credit-type",
            "names no known credit type; add an Alignment with targetCode (e.g. ama_pra_1) "
            "or an ext:creditType term",
        )
    earned = subject.get("creditsEarned", achievement.get("creditsAvailable"))
    units = f.units("credentialSubject.creditsEarned", earned, required=True)
    designated = f.units(
        "credentialSubject.achievement.creditsAvailable", achievement.get("creditsAvailable")
    )
    completed = None
    for field_name, value in (
        ("credentialSubject.activityEndDate", subject.get("activityEndDate")),
        ("awardedDate", credential.get("awardedDate")),
        ("validFrom", credential.get("validFrom")),
    ):
        if value is not None:
            completed = _date(value)
            if completed is None:
                f.add(field_name, "date", f"{value!r} is not an ISO date-time")
            break
    else:
        f.add(
            "credentialSubject.activityEndDate",
            "required",
            "no activityEndDate, awardedDate or validFrom",
        )
    issuer = credential.get("issuer")
    provider = issuer.get("name") if isinstance(issuer, Mapping) else issuer
    if not isinstance(provider, str) or not provider.strip():
        f.add("issuer.name", "required", "the issuer (the provider) needs a name")
        provider = None
    activity = achievement.get("humanCode") or achievement.get("id")
    tags = achievement.get("tag") or []
    topics = tuple(
        "-".join(t.casefold().split())
        for t in (tags if isinstance(tags, list) else [])
        if isinstance(t, str) and t.strip()
    )
    profession = registry.credit_types[credit_type].profession if credit_type else None
    identity = _identity(subject, profession)
    if identity is None:
        f.add(
            "credentialSubject.identifier",
            "ob-learner",
            "identifies no learner; give an IdentityObject of identityType ext:NPI, "
            "a licenseNumber, or a subject id",
        )
    request = f.request(
        clinician_id=identity.clinician_id if identity else "?",
        credit_type=credit_type or "?",
        units=units,
        completed_on=completed,
        provider=provider,
        accreditor=_accreditor(issuer, registry),
        activity_id=activity if isinstance(activity, str) else None,
        title=achievement.get("name") if isinstance(achievement.get("name"), str) else None,
        topics=topics,
        format=achievement.get("ext:activityFormat"),
        designated_units=designated,
        evidence=dict(credential),
    )
    if request is None or identity is None:
        return RejectedRecord(location, tuple(f.issues))
    return ImportRecord(location, identity, request)


def credentials_in(
    document: Any, path: str, location: Location, registry: Registry
) -> Iterator[Parsed]:
    """Every achievement credential in a credential, a CLR or a list of them."""
    here = Location(location.file, location.line, path)
    if isinstance(document, list):
        for i, item in enumerate(document):
            yield from credentials_in(item, f"{path}[{i}]", location, registry)
        return
    if not isinstance(document, Mapping):
        yield RejectedRecord(here, (Issue("credential", "ob-type", "is not a JSON object"),))
        return
    types = _types(document)
    if "ClrCredential" in types:
        subject = document.get("credentialSubject")
        inner = subject.get("verifiableCredential") if isinstance(subject, Mapping) else None
        if not isinstance(inner, list):
            yield RejectedRecord(
                here,
                (Issue("credentialSubject.verifiableCredential", "clr-credentials", "is missing"),),
            )
            return
        for i, item in enumerate(inner):
            yield from credentials_in(
                item, f"{path}.credentialSubject.verifiableCredential[{i}]", location, registry
            )
        return
    if not types & ACHIEVEMENT_TYPES:
        yield RejectedRecord(
            here,
            (
                Issue(
                    "type",
                    "ob-type",
                    f"{sorted(types)} has neither OpenBadgeCredential, AchievementCredential "
                    "nor ClrCredential",
                ),
            ),
        )
        return
    yield credential_record(document, here, registry)


def _decode(text: str, name: str, line_offset: int = 0) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        what = "ends too early (truncated?)" if exc.pos >= len(text.rstrip()) else exc.msg
        raise InputError(
            f"{name} line {exc.lineno + line_offset} column {exc.colno}: invalid JSON: {what}; "
            "nothing was imported"
        ) from None


def read_openbadges(source: TextSource, context: ReadContext) -> Iterator[Parsed]:
    if source.name.endswith((".jsonl", ".ndjson")):
        for line in source.lines():
            if line.strip():
                document = _decode(line, source.name, source.line - 1)
                where = Location(source.name, source.line)
                yield from credentials_in(document, "$", where, context.registry)
        return
    document = _decode(source.read_all(MAX_DOCUMENT), source.name)
    yield from credentials_in(document, "$", Location(source.name), context.registry)


OPENBADGES_FORMAT = ImportFormat(
    name="openbadges",
    label="1EdTech Open Badges 3.0 / CLR 2.0 credentials (.json, or .jsonl one per line)",
    reader=read_openbadges,
    source="1EdTech openbadges-specification, ob_v3p0 (see docs/formats.md)",
)


# ------------------------------------------------------------------------ export


def _number(value: Decimal) -> Any:
    # OB declares creditsEarned a Float; a JSON number keeps the exact digits.
    return int(value) if value == value.to_integral_value() else float(value)


def credential_for(
    *,
    clinician_id: str,
    name: str | None,
    npi: str | None,
    credit: Any,
    registry: Registry,
    issued_at: datetime,
) -> dict[str, Any]:
    """An unsigned OpenBadgeCredential for one credit (``credit``: a CreditState)."""
    ct = registry.credit_types.get(credit.credit_type)
    identifiers = [
        {
            "type": "IdentityObject",
            "identityType": "ext:credtrailClinicianId",
            "hashed": False,
            "identityHash": clinician_id,
        }
    ]
    if npi:
        identifiers.append(
            {
                "type": "IdentityObject",
                "identityType": "ext:NPI",
                "hashed": False,
                "identityHash": npi,
            }
        )
    if name:
        identifiers.append(
            {
                "type": "IdentityObject",
                "identityType": "name",
                "hashed": False,
                "identityHash": name,
            }
        )
    alignment = {
        "type": ["Alignment"],
        "targetCode": credit.credit_type,
        "targetName": ct.label if ct else credit.credit_type,
        "targetFramework": "credtrail credit types",
        "targetType": "ext:CreditType",
        "targetUrl": (
            ct.source.url if ct and ct.source.url else "https://credtrail.invalid/credit-types"
        ),
    }
    activity_uuid = uuid5(NAMESPACE_URL, f"{credit.provider}\x1f{credit.activity_id}")
    achievement: dict[str, Any] = {
        "id": f"urn:credtrail:activity:{activity_uuid}",
        "type": ["Achievement"],
        "achievementType": "ext:ContinuingEducation",
        "name": credit.title or credit.activity_id,
        "description": f"{credit.title or credit.activity_id} ({credit.provider})",
        "criteria": {"narrative": "Completion of the accredited activity."},
        "humanCode": credit.activity_id,
        "alignment": [alignment],
        "ext:creditType": credit.credit_type,
    }
    if credit.designated_units is not None:
        achievement["creditsAvailable"] = _number(credit.designated_units)
    if credit.topics:
        achievement["tag"] = list(credit.topics)
    if credit.format:
        achievement["ext:activityFormat"] = credit.format
    issuer: dict[str, Any] = {
        "id": f"urn:credtrail:provider:{uuid5(NAMESPACE_URL, credit.provider)}",
        "type": ["Profile"],
        "name": credit.provider,
    }
    if credit.accreditor:
        issuer["ext:accreditor"] = credit.accreditor
    completed = credit.completed_on.isoformat() + "T00:00:00Z"
    return {
        "@context": [VC_CONTEXT, OB_CONTEXT],
        "id": f"urn:uuid:{uuid5(NAMESPACE_URL, f'credtrail:{clinician_id}:{credit.credit_id}')}",
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": credit.title or credit.activity_id,
        "issuer": issuer,
        "validFrom": completed,
        "awardedDate": issued_at.isoformat().replace("+00:00", "Z"),
        "credentialSubject": {
            "type": ["AchievementSubject"],
            "identifier": identifiers,
            "achievement": achievement,
            "activityEndDate": completed,
            "creditsEarned": _number(credit.units),
        },
    }


@hookimpl
def credtrail_register_import_formats(register: Callable[[ImportFormat], None]) -> None:
    """Core's ``openbadges`` format, registered as a default plugin (``CORE_PLUGINS``)."""
    register(OPENBADGES_FORMAT)

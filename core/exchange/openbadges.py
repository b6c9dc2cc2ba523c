"""1EdTech Open Badges 3.0 / CLR 2.0 credentials carrying continuing-education credit.

Field names come from the 1EdTech ``openbadges-specification`` (``ob_v3p0``:
AchievementCredential, AchievementSubject, Achievement, Alignment, IdentityObject;
CLR 2.0: ClrCredential / ClrSubject). Where a credit's facts go (docs/formats.md has
the whole table):

- units earned: ``credentialSubject.creditsEarned``; designated: ``achievement.creditsAvailable``;
- credit type: an ``Alignment`` of the achievement (``targetCode`` = the credtrail
  code, or ``targetName`` = its label);
- completion: ``credentialSubject.activityEndDate``, else ``awardedDate``, else
  ``validFrom`` (VC 2.0) or ``issuanceDate`` (VC 1.1);
- provider: ``achievement.creator`` (a Profile), else the ``issuer``;
- topics: ``achievement.tag`` entries that are registered topic slugs (other free-text
  tags are kept in the evidence and ignored);
- accreditor, activity format and per-topic credits: terms of credtrail's own
  extension, ``https://w3id.org/credtrail/ce/v1`` (a JSON-LD context and a JSON
  Schema shipped in ``contexts/``, referenced from each credential), as the spec's
  ``extending.md`` asks;
- the learner: ``IdentityObject``s (``ext:NPI``, ``ext:credtrailClinicianId``, ``name``).

Imports check ``eddsa-rdfc-2022`` proofs (``dataintegrity.py``) and VC-JWTs
(``jose.py``; did:web keys only against DID documents the user gives), ``validFrom`` /
``validUntil`` and a revocation ``credentialStatus`` whose status list the file
carries; the verdict is kept with the credit as its provenance. The original
credential is kept whole as the credit's evidence, so an export re-emits it unchanged.
"""

from __future__ import annotations

import base64
import gzip
import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from functools import cache
from typing import Any

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
from credtrail.core.registry import Registry

VC_CONTEXT = "https://www.w3.org/ns/credentials/v2"
VC1_CONTEXT = "https://www.w3.org/2018/credentials/v1"
OB_CONTEXT = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
CE_CONTEXT = "https://w3id.org/credtrail/ce/v1"
"""credtrail's CE extension context (shipped as ``contexts/credtrail-ce-v1.json``)."""
OB_SCHEMA = (
    "https://purl.imsglobal.org/spec/ob/v3p0/schema/json/ob_v3p0_achievementcredential_schema.json"
)
CE_SCHEMA = "https://w3id.org/credtrail/ce/v1/schema.json"
"""credtrail's CE extension JSON Schema (shipped as ``contexts/credtrail-ce-v1.schema.json``)."""
SCHEMA_VALIDATOR = "1EdTechJsonSchemaValidator2019"
ACHIEVEMENT_TYPES = {"OpenBadgeCredential", "AchievementCredential"}
MAX_DOCUMENT = 64_000_000
"""A single JSON document is parsed whole; bigger batches must be JSON Lines."""
MAX_DEPTH = 64
"""Deeper JSON is refused before parsing (Python's parser would recurse without bound)."""

_SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


def _types(obj: Mapping[str, Any]) -> set[str]:
    value = obj.get("type", [])
    return {value} if isinstance(value, str) else {str(t) for t in value if isinstance(t, str)}


def _many(value: Any) -> list[Any]:
    """A JSON-LD property as a list: a single object or string means one value."""
    if isinstance(value, list):
        return value
    return [] if value is None else [value]


def _date(value: Any) -> date | None:
    if not isinstance(value, str) or len(value) < 10:
        return None
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        return None


def _instant(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _credit_type(achievement: Mapping[str, Any], registry: Registry) -> str | None:
    labels = {ct.label.casefold(): code for code, ct in registry.credit_types.items()}
    for alignment in _many(achievement.get("alignment")):
        if not isinstance(alignment, Mapping):
            continue
        code = alignment.get("targetCode")
        if isinstance(code, str) and code in registry.credit_types:
            return code
        name = alignment.get("targetName")
        if isinstance(name, str) and name.casefold() in labels:
            return labels[name.casefold()]
    # Files written by credtrail before the CE context existed.
    legacy = achievement.get("ext:creditType")
    if isinstance(legacy, str) and legacy in registry.credit_types:
        return legacy
    return None


def _accreditor(*holders: Any, registry: Registry) -> str | None:
    """The accreditor named by credtrail's ``accreditor`` term, or an accreditation entry."""
    names = {a.name.casefold(): code for code, a in registry.accreditors.items()}
    candidates: list[Any] = []
    for holder in holders:
        if not isinstance(holder, Mapping):
            continue
        candidates += [holder.get("accreditor"), holder.get("ext:accreditor")]
        for acc in _many(holder.get("accreditations")):
            if isinstance(acc, Mapping):
                candidates += [acc.get("accreditor"), acc.get("name"), acc.get("id")]
                accreditor = acc.get("accreditingAgency") or acc.get("issuer")
                if isinstance(accreditor, Mapping):
                    candidates.append(accreditor.get("name"))
    for value in candidates:
        if not isinstance(value, str):
            continue
        if value.upper() in registry.accreditors:
            return value.upper()
        if value.casefold() in names:
            return names[value.casefold()]
    return None


# ------------------------------------------------------------------------ learner


def _identity(
    subject: Mapping[str, Any], profession: str | None, learners: Mapping[str, str]
) -> ClinicianIdentity | str:
    """Who the credential is about, or why it cannot say (a message)."""
    ids: dict[str, str] = {}
    hashed: list[str] = []
    for ident in _many(subject.get("identifier")):
        if not isinstance(ident, Mapping):
            continue
        kind, value = ident.get("identityType"), ident.get("identityHash")
        if not isinstance(kind, str) or not isinstance(value, str) or not value.strip():
            continue
        if ident.get("hashed"):
            hashed.append(value.strip())
        else:
            ids.setdefault(kind.casefold(), value.strip())
    npi = ids.get("ext:npi")
    name = ids.get("name") or (
        subject.get("name") if isinstance(subject.get("name"), str) else None
    )
    subject_id = subject.get("id") if isinstance(subject.get("id"), str) else None
    licence = subject.get("licenseNumber")
    for key in (subject_id, *hashed, *ids.values()):
        if key is not None and key in learners:
            return ClinicianIdentity(
                clinician_id=learners[key], profession=profession, name=name, explicit=True
            )
    explicit = ids.get("ext:credtrailclinicianid")
    if explicit:
        cid = explicit
    elif npi:
        cid = f"npi:{npi}"
    elif isinstance(licence, str) and licence.strip():
        cid = f"lic:{licence.strip()}"
    else:
        shown = subject_id or (hashed[0] if hashed else None)
        if shown is None:
            return (
                "identifies no learner; give an IdentityObject of identityType ext:NPI "
                "or ext:credtrailClinicianId, or a licenseNumber"
            )
        return (
            f"identifies the learner only as {shown!r} (a DID or a hashed identifier); "
            f"map it to a clinician with --learner '{shown}=CLINICIAN_ID'"
        )
    return ClinicianIdentity(
        clinician_id=cid,
        profession=profession,
        name=name,
        npi=npi if npi and npi.isdigit() and len(npi) == 10 else None,
        explicit=not cid.startswith("npi:"),
    )


# ------------------------------------------------------------------- provenance


@dataclass(frozen=True)
class Provenance:
    """What the import could prove about a credential: ``verified``, ``unsigned``,
    ``unverifiable: why`` (a proof credtrail cannot check offline) or ``invalid: why``."""

    verdict: str
    method: str | None = None

    @property
    def verified(self) -> bool:
        return self.verdict == "verified"

    @property
    def refused(self) -> bool:
        return self.verdict.startswith("invalid")


def provenance_of(
    credential: Mapping[str, Any],
    did_documents: Mapping[str, Mapping[str, Any]] | None = None,
    enclosing: Provenance | None = None,
) -> Provenance:
    """Check the credential's ``eddsa-rdfc-2022`` proof, if it has one.

    :param enclosing: the verdict on the ClrCredential that carries it: a credential
        without a proof of its own inside a verified transcript is verified by it, and
        nothing inside a transcript whose proof is invalid is taken.
    """
    from credtrail.core.exchange.dataintegrity import (
        ProofError,
        UnverifiableProofError,
        verify,
    )

    if enclosing is not None and enclosing.refused:
        return Provenance(f"invalid: the enclosing ClrCredential: {enclosing.verdict[9:]}")
    proof = credential.get("proof")
    if not proof:
        return enclosing if enclosing is not None and enclosing.verified else Provenance("unsigned")
    try:
        method = verify(credential, did_documents)
    except UnverifiableProofError as exc:
        return Provenance(f"unverifiable: {exc}")
    except ProofError as exc:
        return Provenance(f"invalid: {exc}")
    return Provenance("verified", method)


def jwt_provenance(
    token: str, did_documents: Mapping[str, Mapping[str, Any]] | None = None
) -> tuple[dict[str, Any] | None, Provenance]:
    """The credential a VC-JWT carries (None: unreadable) and the verdict on its proof."""
    from credtrail.core.exchange.dataintegrity import ProofError, UnverifiableProofError
    from credtrail.core.exchange.jose import credential_of, decode_jwt, verify_jwt

    try:
        _header, payload = decode_jwt(token)
    except ProofError as exc:
        return None, Provenance(f"invalid: {exc}")
    try:
        credential, method = verify_jwt(token, did_documents)
    except UnverifiableProofError as exc:
        return credential_of(payload), Provenance(f"unverifiable: {exc}")
    except ProofError as exc:
        return credential_of(payload), Provenance(f"invalid: {exc}")
    return credential, Provenance("verified", method)


def enveloped_jwt(document: Any) -> str | None:
    """The VC-JWT of a VC 2.0 ``EnvelopedVerifiableCredential`` (``data:application/vc+jwt,``)."""
    if not isinstance(document, Mapping):
        return None
    if "EnvelopedVerifiableCredential" not in _types(document):
        return None
    value = document.get("id")
    if isinstance(value, str):
        for prefix in ("data:application/vc+jwt,", "data:application/jwt,"):
            if value.startswith(prefix):
                return value.removeprefix(prefix)
    return None


def load_did_documents(paths: str) -> dict[str, Mapping[str, Any]]:
    """DID documents (``did.json`` files, one path a line) by their ``id``.

    :raises InputError: a file cannot be read or is not a DID document.
    """
    from pathlib import Path

    found: dict[str, Mapping[str, Any]] = {}
    for line in paths.splitlines():
        if not line.strip():
            continue
        path = Path(line.strip())
        try:
            document = json.loads(path.read_text(encoding="utf-8"))
        except OSError as exc:
            raise InputError(f"cannot read DID document {path}: {exc.strerror}") from None
        except json.JSONDecodeError as exc:
            raise InputError(f"DID document {path} is not JSON: {exc.msg}") from None
        if not isinstance(document, Mapping) or not str(document.get("id", "")).startswith("did:"):
            raise InputError(f'{path} is not a DID document (no "id": "did:...")')
        found[str(document["id"])] = document
    return found


def _status_bit(entry: Mapping[str, Any], lists: Mapping[str, Mapping[str, Any]]) -> bool | None:
    """The entry's bit in a status list the file carries (None: list not available)."""
    url = entry.get("statusListCredential")
    listed = lists.get(url) if isinstance(url, str) else None
    if listed is None:
        return None
    subject = listed.get("credentialSubject")
    encoded = subject.get("encodedList") if isinstance(subject, Mapping) else None
    try:
        index = int(str(entry.get("statusListIndex")))
        text = str(encoded)
        # Bitstring Status List v1.0: multibase base64url ('u'); StatusList2021: base64url.
        text = text[1:] if text.startswith("u") else text
        raw = gzip.decompress(base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)))
    except (ValueError, OSError, TypeError):
        return None
    if not 0 <= index < len(raw) * 8:
        return None
    # Index 0 is the first (most significant) bit of the first byte.
    return bool(raw[index // 8] & (0x80 >> (index % 8)))


def _status_problem(
    credential: Mapping[str, Any], lists: Mapping[str, Mapping[str, Any]]
) -> str | None:
    for entry in _many(credential.get("credentialStatus")):
        if not isinstance(entry, Mapping):
            continue
        purpose = entry.get("statusPurpose", "revocation")
        if purpose not in ("revocation", "suspension"):
            continue
        if _status_bit(entry, lists):
            state = "revoked" if purpose == "revocation" else "suspended"
            return f"the issuer's status list marks it {state}"
    return None


# ---------------------------------------------------------------------- reading


def _topic_credits(
    achievement: Mapping[str, Any], f: FieldCollector
) -> tuple[tuple[str, ...], dict[str, Decimal]]:
    """Per-topic credits from credtrail's ``topicCredits`` term (topic -> units)."""
    topics: list[str] = []
    amounts: dict[str, Decimal] = {}
    for i, entry in enumerate(_many(achievement.get("topicCredits"))):
        if not isinstance(entry, Mapping) or not isinstance(entry.get("topic"), str):
            f.add(f"achievement.topicCredits[{i}]", "ce-topic", "needs a topic")
            continue
        topic = entry["topic"]
        topics.append(topic)
        if entry.get("credits") is not None:
            amount = f.units(f"achievement.topicCredits[{i}].credits", entry["credits"])
            if amount is not None:
                amounts[topic] = amount
    return tuple(topics), amounts


def credential_record(
    credential: Mapping[str, Any],
    location: Location,
    context: ReadContext,
    *,
    status_lists: Mapping[str, Mapping[str, Any]] | None = None,
    today: date | None = None,
    provenance: Provenance | None = None,
    jwt: str | None = None,
) -> Parsed:
    """Map one AchievementCredential onto an import record (or say why not).

    :param provenance: the verdict already reached (a VC-JWT, a transcript's credential);
        default: check the credential's own Data Integrity proof.
    :param jwt: the VC-JWT the credential came as, kept to re-emit it unchanged.
    """
    registry = context.registry
    f = FieldCollector()
    subject = credential.get("credentialSubject")
    if not isinstance(subject, Mapping):
        f.add("credentialSubject", "ob-subject", "is missing; a credential needs one subject")
        return RejectedRecord(location, tuple(f.issues))
    achievement = subject.get("achievement")
    if not isinstance(achievement, Mapping):
        f.add("credentialSubject.achievement", "ob-achievement", "is missing")
        return RejectedRecord(location, tuple(f.issues))

    proven = provenance or provenance_of(credential, _did_documents(context))
    if proven.refused:
        f.add("proof", "ob-proof", proven.verdict.removeprefix("invalid: "))
    elif context.require_proof and not proven.verified:
        f.add("proof", "ob-proof-required", f"is not verified ({proven.verdict}); --require-proof")
    now = datetime.now(UTC)
    valid_until = _instant(credential.get("validUntil") or credential.get("expirationDate"))
    if valid_until is not None and valid_until < now:
        f.add("validUntil", "ob-expired", f"the credential expired on {valid_until.date()}")
    valid_from = _instant(credential.get("validFrom"))
    if valid_from is not None and valid_from > now:
        f.add("validFrom", "ob-not-yet-valid", f"the credential is valid only from {valid_from}")
    problem = _status_problem(credential, status_lists or {})
    if problem:
        f.add("credentialStatus", "ob-revoked", problem)

    credit_type = _credit_type(achievement, registry)
    if credit_type is None:
        f.add(
            "credentialSubject.achievement.alignment",
            "ob-credit-type",
            "names no known credit type; add an Alignment whose targetCode is a credit type "
            "code (credtrail credit-types lists them)",
        )
    earned = subject.get("creditsEarned")
    if earned is None:
        f.add(
            "credentialSubject.creditsEarned",
            "required",
            "is missing: the credential says what the activity offers (creditsAvailable) "
            "but not what this learner earned",
        )
        units = None
    else:
        units = f.units("credentialSubject.creditsEarned", earned, required=True)
    designated = f.units(
        "credentialSubject.achievement.creditsAvailable", achievement.get("creditsAvailable")
    )
    completed = None
    for field_name, value in (
        ("credentialSubject.activityEndDate", subject.get("activityEndDate")),
        ("awardedDate", credential.get("awardedDate")),
        ("validFrom", credential.get("validFrom")),
        ("issuanceDate", credential.get("issuanceDate")),
    ):
        if value is not None:
            completed = _date(value)
            if completed is None:
                f.add(field_name, "date", f"{value!r} is not an ISO date-time")
            elif completed > (today or date.today()):
                f.add(field_name, "date-future", f"{completed} is after today")
                completed = None
            break
    else:
        f.add(
            "credentialSubject.activityEndDate",
            "required",
            "no activityEndDate, awardedDate, validFrom or issuanceDate",
        )
    issuer = credential.get("issuer")
    creator = achievement.get("creator")
    provider: Any = None
    for holder in (creator, issuer):
        if isinstance(holder, Mapping):
            provider = holder.get("name") or holder.get("id")
        elif isinstance(holder, str):
            provider = holder
        if isinstance(provider, str) and provider.strip():
            break
    if not isinstance(provider, str) or not provider.strip():
        f.add("issuer", "required", "the issuer (the provider) needs a name or an id")
        provider = None
    activity = achievement.get("humanCode") or achievement.get("id")
    known: Any = getattr(registry, "topics", None)
    tagged = [
        "-".join(t.casefold().split())
        for t in _many(achievement.get("tag"))
        if isinstance(t, str) and t.strip()
    ]
    # Free-text tags ("Research") never discard a credit: only registered slugs count.
    from_tags = [t for t in tagged if _SLUG.match(t) and (known is None or t in known)]
    ext_topics, _amounts = _topic_credits(achievement, f)
    topics = tuple(dict.fromkeys([*ext_topics, *from_tags]))
    profession = registry.credit_types[credit_type].profession if credit_type else None
    identity = _identity(subject, profession, context.learners)
    if isinstance(identity, str):
        f.add("credentialSubject.identifier", "ob-learner", identity)
    fmt = achievement.get("activityFormat", achievement.get("ext:activityFormat"))
    request = f.request(
        clinician_id=identity.clinician_id if isinstance(identity, ClinicianIdentity) else "?",
        credit_type=credit_type or "?",
        units=units,
        completed_on=completed,
        provider=" ".join(provider.split()) if provider else None,
        accreditor=_accreditor(achievement, creator, issuer, registry=registry),
        activity_id=activity if isinstance(activity, str) else None,
        title=achievement.get("name") if isinstance(achievement.get("name"), str) else None,
        topics=topics,
        format=fmt if isinstance(fmt, str) else None,
        designated_units=designated,
        evidence={
            "credential": dict(credential),
            "provenance": proven.verdict,
            **({"jwt": jwt} if jwt else {}),
        },
    )
    if request is None or not isinstance(identity, ClinicianIdentity):
        return RejectedRecord(location, tuple(f.issues))
    return ImportRecord(location, identity, request)


def _status_lists(document: Any, found: dict[str, Mapping[str, Any]]) -> None:
    """Status list credentials carried in the file, by id."""
    if isinstance(document, list):
        for item in document:
            _status_lists(item, found)
    elif isinstance(document, Mapping):
        types = _types(document)
        if types & {"BitstringStatusListCredential", "StatusList2021Credential"} and isinstance(
            document.get("id"), str
        ):
            found[document["id"]] = document


DID_DOCUMENTS_OPTION = "did-documents"
"""ReadContext option: the ``--did-document`` files, one path a line."""


@cache
def _loaded_did_documents(paths: str) -> Mapping[str, Mapping[str, Any]]:
    return load_did_documents(paths)


def _did_documents(context: ReadContext) -> Mapping[str, Mapping[str, Any]]:
    paths = context.options.get(DID_DOCUMENTS_OPTION, "")
    return _loaded_did_documents(paths) if paths else {}


def credentials_in(
    document: Any,
    path: str,
    location: Location,
    context: ReadContext,
    status_lists: Mapping[str, Mapping[str, Any]] | None = None,
    enclosing: Provenance | None = None,
) -> Iterator[Parsed]:
    """Every achievement credential in a credential, a VC-JWT, a CLR or a list of them.

    :param enclosing: the verdict on the ClrCredential these are inside, if any.
    """
    here = Location(location.file, location.line, path)
    if isinstance(document, list):
        for i, item in enumerate(document):
            yield from credentials_in(
                item, f"{path}[{i}]", location, context, status_lists, enclosing
            )
        return
    from credtrail.core.exchange.jose import looks_like_jwt

    jwt = enveloped_jwt(document) or (document if looks_like_jwt(document) else None)
    proven: Provenance | None = None
    if jwt is not None:
        credential, proven = jwt_provenance(jwt, _did_documents(context))
        if credential is None:
            yield RejectedRecord(here, (Issue("credential", "ob-proof", proven.verdict[9:]),))
            return
        if enclosing is not None and enclosing.refused:
            proven = provenance_of({}, enclosing=enclosing)
        document = credential
    if not isinstance(document, Mapping):
        yield RejectedRecord(here, (Issue("credential", "ob-type", "is not a JSON object"),))
        return
    types = _types(document)
    if types & {"BitstringStatusListCredential", "StatusList2021Credential"}:
        return  # read for the others' credentialStatus, not a credit
    if "ClrCredential" in types:
        subject = document.get("credentialSubject")
        inner = subject.get("verifiableCredential") if isinstance(subject, Mapping) else None
        if not isinstance(inner, list):
            yield RejectedRecord(
                here,
                (Issue("credentialSubject.verifiableCredential", "clr-credentials", "is missing"),),
            )
            return
        outer = proven or provenance_of(document, _did_documents(context), enclosing)
        for i, item in enumerate(inner):
            yield from credentials_in(
                item,
                f"{path}.credentialSubject.verifiableCredential[{i}]",
                location,
                context,
                status_lists,
                outer,
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
    if proven is None:
        proven = provenance_of(document, _did_documents(context), enclosing)
    yield credential_record(
        document, here, context, status_lists=status_lists, provenance=proven, jwt=jwt
    )


def _check_depth(text: str, name: str, line_offset: int) -> None:
    """Refuse JSON nested deeper than MAX_DEPTH before the recursive parser sees it."""
    depth = 0
    in_string = escaped = False
    line = 1
    for char in text:
        if char == "\n":
            line += 1
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            if depth > MAX_DEPTH:
                raise InputError(
                    f"{name} line {line + line_offset}: JSON nested more than {MAX_DEPTH} "
                    "levels deep; nothing was imported"
                )
        elif char in "]}":
            depth -= 1


def _decode(text: str, name: str, line_offset: int = 0) -> Any:
    _check_depth(text, name, line_offset)
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        what = "ends too early (truncated?)" if exc.pos >= len(text.rstrip()) else exc.msg
        raise InputError(
            f"{name} line {exc.lineno + line_offset} column {exc.colno}: invalid JSON: {what}; "
            "nothing was imported"
        ) from None


def _is_jwt(text: str) -> bool:
    from credtrail.core.exchange.jose import looks_like_jwt

    return looks_like_jwt(text.strip())


def read_openbadges(source: TextSource, context: ReadContext) -> Iterator[Parsed]:
    if source.name.endswith((".jsonl", ".ndjson")):
        for line in source.lines():
            if line.strip():
                document = (
                    line.strip() if _is_jwt(line) else _decode(line, source.name, source.line - 1)
                )
                where = Location(source.name, source.line)
                lists: dict[str, Mapping[str, Any]] = {}
                _status_lists(document, lists)
                yield from credentials_in(document, "$", where, context, lists)
        return
    text = source.read_all(MAX_DOCUMENT)
    document = text.strip() if _is_jwt(text) else _decode(text, source.name)
    carried: dict[str, Mapping[str, Any]] = {}
    _status_lists(document, carried)
    yield from credentials_in(document, "$", Location(source.name), context, carried)


OPENBADGES_FORMAT = ImportFormat(
    name="openbadges",
    label="1EdTech Open Badges 3.0 / CLR 2.0 credentials (.json, or .jsonl one per line)",
    reader=read_openbadges,
    source="1EdTech openbadges-specification, ob_v3p0 (see docs/formats.md)",
)

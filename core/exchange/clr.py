"""1EdTech Comprehensive Learner Record 2.0 transcripts signed by the organisation.

A ``ClrCredential`` (CLR 2.0 §"ClrCredential", VC Data Model 2.0) whose issuer is the
organisation and whose ``ClrSubject`` holds the clinician's credits:

- ``verifiableCredential``: one credential per live credit. A credit received as a
  signed credential is carried unchanged (its issuer's proof still verifies); one
  received as a VC-JWT is carried as a VC 2.0 ``EnvelopedVerifiableCredential``
  (``data:application/vc+jwt,<token>``); any other credit is an OpenBadgeCredential
  the organisation issues and signs, exactly as ``export openbadges`` writes it.
- ``achievement``: the Achievement of each of those credentials (the activity, with its
  credit type alignment and credits available; one entry per achievement id), as CLR
  2.0 lists them beside the credentials;
- ``identifier``: the learner (credtrail clinician id, NPI, name), as in each credential.

The whole transcript is signed by the organisation's Ed25519 key: an
``eddsa-rdfc-2022`` Data Integrity proof (the CLR 2.0 JSON-LD context, 2.0.1, ships in
``contexts/``; never fetched), or a VC-JWT (``proof="jwt"``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any

from credtrail.core.errors import InputError
from credtrail.core.exchange.openbadges import (
    CE_CONTEXT,
    OB_CONTEXT,
    SCHEMA_VALIDATOR,
    VC1_CONTEXT,
    VC_CONTEXT,
)
from credtrail.core.exchange.openbadges_export import (
    export_credential,
    learner_identifiers,
    organisation_issuer,
    secure,
    stable_urn,
)
from credtrail.core.registry import Registry

CLR_CONTEXT = "https://purl.imsglobal.org/spec/clr/v2p0/context-2.0.1.json"
CLR_SCHEMA = (
    "https://purl.imsglobal.org/spec/clr/v2p0/schema/json/clr_v2p0_clrcredential_schema.json"
)


def enveloped(token: str) -> dict[str, Any]:
    """A VC-JWT as a VC 2.0 EnvelopedVerifiableCredential (VC Data Model 2.0 §4.13)."""
    return {
        "@context": [VC_CONTEXT],
        "id": f"data:application/vc+jwt,{token}",
        "type": "EnvelopedVerifiableCredential",
    }


def _contexts(members: Iterable[Mapping[str, Any]]) -> list[str]:
    """The transcript's ``@context``: VC 2.0, CLR 2.0.1, OB 3.0.3 (the order CLR 2.0
    requires), credtrail's CE terms, then any other context a member's achievement
    needs (the achievements are listed outside their credentials)."""
    contexts = [VC_CONTEXT, CLR_CONTEXT, OB_CONTEXT, CE_CONTEXT]
    for member in members:
        for ctx in member.get("@context") or []:
            if isinstance(ctx, str) and ctx not in contexts and ctx != VC1_CONTEXT:
                contexts.append(ctx)
    return contexts


def transcript_for(
    *,
    clinician_id: str,
    name: str | None,
    npi: str | None,
    members: list[dict[str, Any] | str],
    issuer: Mapping[str, Any],
    issued: datetime,
) -> dict[str, Any]:
    """An unsigned ClrCredential carrying ``members`` (credentials, or VC-JWT strings).

    :param issued: ``validFrom``: the transcript states the record as of this moment.
    """
    if not members:
        raise InputError(
            f"clinician {clinician_id!r} has no live credit: there is nothing to put in a "
            "transcript"
        )
    carried: list[dict[str, Any]] = []
    achievements: list[dict[str, Any]] = []
    for member in members:
        if isinstance(member, str):
            carried.append(enveloped(member))
            continue
        carried.append(member)
        subject = member.get("credentialSubject")
        achievement = subject.get("achievement") if isinstance(subject, Mapping) else None
        # One entry per activity: credits of two types for one activity share it.
        if isinstance(achievement, Mapping) and all(
            a.get("id") != achievement.get("id") for a in achievements
        ):
            achievements.append(dict(achievement))
    moment = issued.astimezone(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")
    ids = sorted(str(m.get("id", "")) for m in carried)
    clr_subject: dict[str, Any] = {
        "type": ["ClrSubject"],
        "identifier": learner_identifiers(clinician_id, npi, name),
        "verifiableCredential": carried,
    }
    if achievements:
        clr_subject["achievement"] = achievements
    return {
        "@context": _contexts(m for m in carried if "credentialSubject" in m),
        "id": stable_urn("transcript", clinician_id, moment, *ids),
        "type": ["VerifiableCredential", "ClrCredential"],
        "name": f"Continuing-education transcript of {name or clinician_id}",
        "description": f"{len(carried)} continuing-education credits recorded in credtrail.",
        "issuer": dict(issuer),
        "validFrom": moment,
        "credentialSchema": [{"id": CLR_SCHEMA, "type": SCHEMA_VALIDATOR}],
        "credentialSubject": clr_subject,
    }


def export_transcript(
    *,
    clinician_id: str,
    name: str | None,
    npi: str | None,
    credits: Iterable[Any],
    registry: Registry,
    private_key: Any | None,
    organisation: str = "credtrail",
    proof: str = "eddsa",
    did: str | None = None,
    created: datetime | None = None,
) -> dict[str, Any] | str:
    """The clinician's CLR 2.0 transcript, signed (a dict, or a VC-JWT string).

    :param credits: the clinician's live credits (CreditStates), in the order listed.
    :param private_key: the organisation's Ed25519 key; None: an unsigned transcript.
    :param proof: ``eddsa`` (eddsa-rdfc-2022) or ``jwt`` (VC-JWT), for the transcript
        and for the credentials the organisation issues inside it.
    :raises InputError: no credit, or (eddsa) a carried credential uses a JSON-LD
        context credtrail does not ship, so the transcript cannot be canonicalised.
    """
    moment = (created or datetime.now(UTC)).astimezone(UTC).replace(microsecond=0)
    members: list[dict[str, Any] | str] = []
    for credit in credits:
        members.append(
            export_credential(
                clinician_id=clinician_id,
                name=name,
                npi=npi,
                credit=credit,
                registry=registry,
                private_key=private_key,
                organisation=organisation,
                created=moment,
                proof=proof,
                did=did,
            )
        )
    if private_key is None:
        issuer: dict[str, Any] = {
            "id": stable_urn("organisation", organisation),
            "type": ["Profile"],
            "name": organisation,
        }
        return transcript_for(
            clinician_id=clinician_id,
            name=name,
            npi=npi,
            members=members,
            issuer=issuer,
            issued=moment,
        )
    document = transcript_for(
        clinician_id=clinician_id,
        name=name,
        npi=npi,
        members=members,
        issuer=organisation_issuer(private_key, organisation, did),
        issued=moment,
    )
    from credtrail.core.exchange.dataintegrity import UnverifiableProofError

    try:
        return secure(document, private_key, proof=proof, did=did, created=moment)
    except UnverifiableProofError as exc:
        raise InputError(
            f"the transcript cannot be signed with eddsa-rdfc-2022: {exc}; "
            "sign it as a VC-JWT with --proof jwt (no canonicalisation needed)"
        ) from None

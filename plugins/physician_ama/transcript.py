"""``cmepassport``: the learner's own CME transcript as ACCME's CME Passport gives it.

The layout is ACCME's draft learner-transcript JSON schema
(``accme-pars-learner-transcript.schema_v0_1.json``, elliottACCME/tempSchema, 2025,
unofficial): ``ACCMETranscripts`` [ ``Member`` (name, NPI, licences, board
certifications) + ``ActivityTranscript`` [ ``Activity`` (``ProviderOrganization`` =
7-digit provider id, ``ReportingOrganization`` = provider name, ``Module`` with one
or more ``CreditCertificate``) ] ]. Each credit certificate is one credit; the
mapping is the PARS learner report's (see docs/formats.md).
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from datetime import date
from typing import Any

from credtrail.core import (
    ClinicianIdentity,
    FieldCollector,
    ImportFormat,
    ImportRecord,
    InputError,
    Issue,
    Location,
    Parsed,
    ReadContext,
    RejectedRecord,
    TextSource,
)
from credtrail.plugins.physician_ama.pars import (
    _CREDIT_ID,
    CREDIT_TYPES,
    PROFESSION,
    moc_credit_type,
    parse_date,
    provider_id,
)

MAX_DOCUMENT = 64_000_000


def _map(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value] if isinstance(value, Mapping) else []


def _member(member: Mapping[str, Any], context: ReadContext) -> ClinicianIdentity | Issue:
    name = _map(member.get("Name"))
    full = " ".join(str(name.get(k) or "").strip() for k in ("GivenName", "FamilyName")).strip()
    info = _map(member.get("PersonalInfo"))
    # The draft schema nests NPI (and Certification) inside Licensure's items by a
    # bracket slip; read it from PersonalInfo (its intent) or from a Licensure item.
    licences = [_map(lic) for lic in _list(info.get("Licensure"))]
    npi = str(info.get("NPI") or next((x["NPI"] for x in licences if x.get("NPI")), "")).strip()
    if npi:
        if not (npi.isdigit() and len(npi) == 10):
            return Issue("NPI", "npi-format", f"{npi!r} is not a 10-digit NPI")
        mapped = context.learners.get(f"npi:{npi}")
        return ClinicianIdentity(
            clinician_id=mapped or f"npi:{npi}",
            profession=PROFESSION,
            name=full or None,
            npi=npi,
            explicit=mapped is not None,
        )
    for lic in licences:
        state = str(lic.get("StateOfLicensure") or "").strip().upper()
        number = str(lic.get("StateMedicalLicenseID") or "").strip()
        if len(state) == 2 and state.isalpha() and number:
            cid = f"lic:{state}:{number}"
            return ClinicianIdentity(
                clinician_id=context.learners.get(cid, cid),
                profession=PROFESSION,
                name=full or None,
                explicit=True,
            )
    return Issue(
        "Member",
        "pars-learner-id",
        "no NPI and no Licensure (StateOfLicensure + StateMedicalLicenseID) to match the learner",
    )


def _certificate(
    activity: Mapping[str, Any],
    certificate: Mapping[str, Any],
    identity: ClinicianIdentity,
    labels: Mapping[str, str],
) -> tuple[Any, FieldCollector]:
    f = FieldCollector()
    module = _map(activity.get("Module"))
    name = _map(module.get("ModuleName"))
    status = str(module.get("Status") or "")
    if status != "Completed":
        f.add("Status", "pars-status", f"{status!r}: a transcript lists only 'Completed'")
    provider = provider_id(
        f, "ProviderOrganization", str(activity.get("ProviderOrganization") or "")
    )
    completed = parse_date(f, "CompletedDateTime", str(module.get("CompletedDateTime") or ""))
    if completed is not None and completed > date.today():
        f.add("CompletedDateTime", "not-in-future", f"{completed} is in the future")
    received = _map(certificate.get("CreditReceived"))
    raw = str(received.get("activityCertification") or "")
    credit_type = (
        CREDIT_TYPES.get(" ".join(raw.split()).casefold())
        or labels.get(" ".join(raw.split()).casefold())
        or moc_credit_type(raw)
    )
    if credit_type is None:
        f.add(
            "activityCertification", "pars-credit-type", f"{raw!r} is not a credit type read here"
        )
    unit = str(received.get("creditUnit") or "")
    if unit != "Point":
        f.add("creditUnit", "pars-credit-unit", f"{unit!r}: the only credit unit is 'Point'")
    credit_id = str(certificate.get("CreditID") or "").strip()
    if not _CREDIT_ID.match(credit_id) or len(credit_id) > 300:
        f.add("CreditID", "pars-credit-id", f"{credit_id!r} is not ccid:<issuer>:<id>")
    organisation = f.text("ReportingOrganization", str(activity.get("ReportingOrganization") or ""))
    request = f.request(
        clinician_id=identity.clinician_id,
        credit_type=credit_type or "?",
        units=f.units("numberOfCredits", received.get("numberOfCredits"), required=True),
        completed_on=completed,
        provider=organisation or provider or "?",
        accreditor="ACCME",
        activity_id=f.text("moduleID", str(name.get("moduleID") or ""), required=True),
        title=f.text("ModuleName", str(name.get("value") or "")),
        evidence={"pars": {"provider_id": provider, "credit_id": credit_id}},
    )
    return request, f


def read_transcript(source: TextSource, context: ReadContext) -> Iterator[Parsed]:
    try:
        document = json.loads(source.read_all(MAX_DOCUMENT))
    except json.JSONDecodeError as exc:
        raise InputError(
            f"{source.name} line {exc.lineno} column {exc.colno}: invalid JSON: {exc.msg}; "
            "nothing was imported"
        ) from None
    except RecursionError:
        raise InputError(
            f"{source.name}: JSON nested too deeply to be a transcript; nothing was imported"
        ) from None
    transcripts = _map(document).get("ACCMETranscripts")
    if not isinstance(transcripts, list):
        raise InputError(f"{source.name}: no ACCMETranscripts list; is this a CME Passport file?")
    labels = {
        ct.label.casefold(): code
        for code, ct in context.registry.credit_types.items()
        if ct.profession == PROFESSION
    }
    for i, learner in enumerate(transcripts):
        where = f"$.ACCMETranscripts[{i}]"
        identity = _member(_map(_map(learner).get("Member")), context)
        for j, entry in enumerate(_list(_map(learner).get("ActivityTranscript"))):
            activity = _map(_map(entry).get("Activity"))
            certificates = _list(_map(activity.get("Module")).get("CreditCertificate"))
            for k, certificate in enumerate(certificates):
                path = f"{where}.ActivityTranscript[{j}].Activity.Module.CreditCertificate[{k}]"
                location = Location(source.name, path=path)
                if isinstance(identity, Issue):
                    yield RejectedRecord(location, (identity,))
                    continue
                request, f = _certificate(activity, _map(certificate), identity, labels)
                if request is None:
                    yield RejectedRecord(location, tuple(f.issues))
                else:
                    yield ImportRecord(location, identity, request)


TRANSCRIPT_FORMAT = ImportFormat(
    name="cmepassport",
    label="ACCME CME Passport learner transcript (ACCMETranscripts JSON)",
    reader=read_transcript,
    source="elliottACCME/tempSchema accme-pars-learner-transcript.schema_v0_1.json (draft)",
)

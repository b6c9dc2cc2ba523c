"""``pars``: ACCME's learner-completion batch (PARS "Learner Template B"-like).

Accredited providers report each physician learner's completion to ACCME's Program
and Activity Reporting System (PARS) as an Excel / tab-delimited "Learner Template
B" file, XML, or JSON web services (accme.org/data-reporting/submit-data-via-batch-
upload-or-web-services, read 2026-11-23). The template's exact column order could
not be read (only its table of contents), so this layout uses the element names of
ACCME's draft learner JSON schema (``elliottACCME/tempSchema``,
``accme-pars-learner-reports.schema_v0_5.json``, 2025, unofficial) as column names;
what is and is not confirmed is listed in docs/formats.md.

One row = one learner's completion of one activity for one credit type; the
``LearnerRecordAction`` column says ``add`` or ``delete`` (a delete revokes the
credit recorded by an earlier add). Every element of the learner report is a column
(``ReportingOrganization`` is the provider's name, ``CreditID`` is kept and checked,
MOC points are credit types of their own); a column credtrail does not know is
ignored and reported once. ``export pars`` (``pars_export.py``) writes this layout.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from datetime import date
from typing import Any

from credtrail.core import (
    ClinicianIdentity,
    Columns,
    FieldCollector,
    ImportFormat,
    ImportRecord,
    Location,
    Parsed,
    ReadContext,
    RejectedRecord,
    TextSource,
    delimited_rows,
    hookimpl,
)
from credtrail.plugins.physician_ama.data import MOC_BOARDS

PROFESSION = "physician"

REMS = (
    "localidentifier",
    "localidentifierdomain",
    "stateofprimarypractice",
    "dearegistration",
    "profession",
    "practicearea",
    "surgicalprocedures",
    "timeinpractice",
    "complianttoregulation",
    "regulationurl",
)
"""The REMS-only elements (``Participants.Participant``, ``RegulatoryInformation``),
flattened: kept verbatim in the credit's evidence."""

COLUMNS = Columns(
    required=(
        "activityid",
        "givenname",
        "familyname",
        "completeddatetime",
        "activitycertification",
        "numberofcredits",
        "learnerrecordaction",
    ),
    optional=(
        "providerid",
        "providerorganization",
        "reportingorganization",
        "status",
        "creditunit",
        "creditid",
        "birthdate",
        "birthmonth",
        "birthday",
        "npi",
        "uniqueid",
        "uniqueiddomain",
        "licensestate",
        "licensenumber",
        "boardname",
        "boardid",
        "activitytitle",
        "accreditor",
        "datetimecreated",
        *REMS,
    ),
    aliases={
        "provider id": "providerid",
        "activity id": "activityid",
        "moduleid": "activityid",
        "modulename": "activitytitle",
        "firstname": "givenname",
        "first name": "givenname",
        "lastname": "familyname",
        "last name": "familyname",
        "completiondate": "completeddatetime",
        "completion date": "completeddatetime",
        "credittype": "activitycertification",
        "credit type": "activitycertification",
        "credits": "numberofcredits",
        "action": "learnerrecordaction",
        "dobmonth": "birthmonth",
        "dobday": "birthday",
        "licenseid": "licensenumber",
        "license id": "licensenumber",
        "license state": "licensestate",
        "board id": "boardid",
        "uniqueid domain": "uniqueiddomain",
    },
)

CREDIT_TYPES = {
    "ama pra category 1 credit": "ama_pra_1",
    "ama pra category 1 credits": "ama_pra_1",
    "ama pra category 1 credit™": "ama_pra_1",
    "ama pra category 1 credits™": "ama_pra_1",
    "ama pra category 1": "ama_pra_1",
    "ama_pra_1": "ama_pra_1",
}
"""``ActivityCertification`` spellings -> credit type for AMA PRA Category 1 (providers
designate and report Category 1; Category 2 is self-claimed and never in PARS). MOC
points are read by ``moc_credit_type``."""

_STATE = re.compile(r"^[A-Z]{2}$")
_CREDIT_ID = re.compile(r"^ccid:[^:]+:[^:]+$")
_MOC_WORDS = {"moc", "points", "point", "cc", "credit", "credits", "mocpoints"}


def moc_credit_type(certification: str) -> str | None:
    """``ABIM MOC Points``, ``ABP MOC``, ``ABA`` ... -> ``moc_abim`` ...: a board of the
    PARS ``boardName`` list followed by nothing but MOC/points words."""
    words = certification.replace("-", " ").split()
    if not words or words[0].upper() not in MOC_BOARDS:
        return None
    if any(w.casefold() not in _MOC_WORDS for w in words[1:]):
        return None
    return f"moc_{words[0].lower()}"


def provider_id(f: FieldCollector, field_name: str, value: str) -> str | None:
    """A 7-digit ACCME provider id; leading zeros a spreadsheet dropped are put back."""
    text = value.strip()
    if text.isascii() and text.isdigit() and 1 <= len(text) <= 7:
        return text.zfill(7)
    f.add(field_name, "pars-provider-id", f"{text!r} is not a 7-digit ACCME provider id")
    return None


def parse_date(f: FieldCollector, field_name: str, value: str) -> date | None:
    """ISO ``YYYY-MM-DD`` (a ``THH:MM:SS`` time is dropped) or US ``M/D/YYYY`` as Excel
    writes it (``3/5/2025``, ``03/05/2025``). Two-digit years are refused: the
    century would be a guess."""
    text = value.strip()
    try:
        if "/" in text:
            parts = text.split("/")
            if len(parts) == 3 and all(p.isascii() and p.isdigit() for p in parts):
                month, day, year = parts
                if len(year) == 4 and 1 <= len(month) <= 2 and 1 <= len(day) <= 2:
                    return date(int(year), int(month), int(day))
        elif len(text) >= 10 and text[4] == "-" and text[7] == "-" and text[10:11] in ("", "T"):
            return date.fromisoformat(text[:10])
    except ValueError:
        pass
    f.add(
        field_name,
        "date",
        f"{text!r} is not a date; use YYYY-MM-DD or M/D/YYYY" if text else "is empty",
    )
    return None


def _birth(f: FieldCollector, row: dict[str, str]) -> None:
    """Birth date (or month and day) identify the learner to ACCME; checked, not stored."""
    full = row.get("birthdate", "").strip()
    if full:
        try:
            born = date.fromisoformat(full) if len(full) == 10 else None
        except ValueError:
            born = None
        if born is None or born > date.today():
            f.add("BirthDate", "birth-date", f"{full!r} is not a birth date as YYYY-MM-DD")
        return
    month, day = row.get("birthmonth", ""), row.get("birthday", "")
    if not month.strip() and not day.strip():
        return
    try:
        date(2000, int(month), int(day))  # a leap year: 02/29 is a real birthday
    except ValueError:
        f.add("BirthMonth/BirthDay", "birth-date", f"{month}/{day} is not a month and day")


def _unique_id(row: dict[str, str]) -> dict[str, str]:
    """``UniqueID`` value + domain (NPI, a board, or a state) as the named columns."""
    value = row.get("uniqueid", "").strip()
    domain = row.get("uniqueiddomain", "").strip().upper()
    if not value or not domain:
        return {}
    if domain == "NPI":
        return {"npi": value}
    if _STATE.match(domain):
        return {"licensestate": domain, "licensenumber": value}
    return {"boardname": domain, "boardid": value}


def _identity(f: FieldCollector, row: dict[str, str]) -> ClinicianIdentity | None:
    given = f.text("GivenName", row["givenname"], required=True)
    family = f.text("FamilyName", row["familyname"], required=True)
    name = f"{given} {family}" if given and family else None
    row = {**_unique_id(row), **{k: v for k, v in row.items() if v.strip()}}
    npi = f.text("NPI", row.get("npi"))
    if npi is not None and not (npi.isdigit() and len(npi) == 10):
        f.add("NPI", "npi-format", f"{npi!r} is not a 10-digit NPI")
        return None
    state = (row.get("licensestate") or "").strip().upper()
    licence = f.text("LicenseNumber", row.get("licensenumber"))
    board = (row.get("boardname") or "").strip().upper()
    board_id = f.text("BoardID", row.get("boardid"))
    if state and not _STATE.match(state):
        f.add("LicenseState", "state-code", f"{state!r} is not a two-letter state code")
        return None
    if npi:
        return ClinicianIdentity(
            clinician_id=f"npi:{npi}", profession=PROFESSION, name=name, npi=npi
        )
    if state and licence:
        return ClinicianIdentity(
            clinician_id=f"lic:{state}:{licence}", profession=PROFESSION, name=name, explicit=True
        )
    if board and board_id:
        return ClinicianIdentity(
            clinician_id=f"board:{board}:{board_id}",
            profession=PROFESSION,
            name=name,
            explicit=True,
        )
    f.add(
        "learner",
        "pars-learner-id",
        "no NPI, no LicenseState + LicenseNumber, no BoardName + BoardID and no "
        "UniqueID + domain; PARS needs a licence or board id to match the learner",
    )
    return None


def _provider(f: FieldCollector, row: dict[str, str]) -> str | None:
    ids = [
        (name, row[key])
        for key, name in (
            ("providerid", "ProviderID"),
            ("providerorganization", "ProviderOrganization"),
        )
        if row.get(key, "").strip()
    ]
    if not ids:
        f.add("ProviderID", "required", "is empty; give the 7-digit ACCME provider id")
        return None
    found = {provider_id(f, name, value) for name, value in ids}
    if len(found) > 1 and None not in found:
        f.add("ProviderOrganization", "pars-provider-id", "differs from ProviderID")
    return found.pop() if len(found) == 1 else None


def _credit_type(f: FieldCollector, row: dict[str, str], labels: dict[str, str]) -> str | None:
    raw = row["activitycertification"]
    certification = " ".join(raw.split()).casefold()
    credit_type = CREDIT_TYPES.get(certification) or labels.get(certification)
    credit_type = credit_type or moc_credit_type(raw)
    if credit_type is None:
        boards = ", ".join(MOC_BOARDS)
        f.add(
            "ActivityCertification",
            "pars-credit-type",
            f"{raw!r} is not a credit type PARS reports here; expected "
            f"'AMA PRA Category 1 Credit' or '<board> MOC Points' ({boards})",
        )
    return credit_type


def _evidence(row: dict[str, str], provider: str | None, credit_id: str | None) -> dict[str, Any]:
    pars: dict[str, Any] = {"provider_id": provider}
    if credit_id:
        pars["credit_id"] = credit_id
    rems = {k: row[k].strip() for k in REMS if row.get(k, "").strip()}
    if rems:
        pars["rems"] = rems
    return {"pars": pars}


def read_pars(source: TextSource, context: ReadContext) -> Iterator[Parsed]:
    labels = {
        ct.label.casefold(): code
        for code, ct in context.registry.credit_types.items()
        if ct.profession == PROFESSION
    }

    def ignored(columns: list[str]) -> None:
        context.notice(
            f"{source.name}: column {', '.join(map(repr, columns))} is not read by credtrail "
            "and was ignored (see docs/formats.md)"
        )

    credit_ids: dict[str, tuple[int, str]] = {}
    for item in delimited_rows(source, COLUMNS, on_unknown=ignored):
        if isinstance(item, RejectedRecord):
            yield item
            continue
        line, row = item
        f = FieldCollector()
        provider = _provider(f, row)
        action = row["learnerrecordaction"].strip().lower()
        if action not in ("add", "delete"):
            f.add("LearnerRecordAction", "pars-action", f"{action!r} must be add or delete")
        status = row.get("status", "").strip()
        if status and status.casefold() != "completed":
            f.add("Status", "pars-status", f"{status!r}: PARS reports only 'Completed'")
        unit = row.get("creditunit", "").strip()
        if unit and unit.casefold() not in ("point", "points"):
            f.add("creditUnit", "pars-credit-unit", f"{unit!r}: PARS's only credit unit is 'Point'")
        credit_id = f.text("CreditID", row.get("creditid"))
        if credit_id is not None and (len(credit_id) > 300 or not _CREDIT_ID.match(credit_id)):
            f.add("CreditID", "pars-credit-id", f"{credit_id!r} is not ccid:<issuer>:<id>")
        credit_type = _credit_type(f, row, labels)
        _birth(f, row)
        identity = _identity(f, row)
        completed = parse_date(f, "CompletedDateTime", row["completeddatetime"])
        if completed is not None and completed > date.today():
            f.add("CompletedDateTime", "not-in-future", f"{completed} is in the future")
        organisation = f.text("ReportingOrganization", row.get("reportingorganization"))
        request = f.request(
            clinician_id=identity.clinician_id if identity else "?",
            credit_type=credit_type or "?",
            units=f.units("NumberOfCredits", row["numberofcredits"], required=True),
            completed_on=completed,
            provider=organisation or provider or "?",
            accreditor=f.text("Accreditor", row.get("accreditor")) or "ACCME",
            activity_id=f.text("ActivityID", row["activityid"], required=True),
            title=f.text("ActivityTitle", row.get("activitytitle")),
            evidence=_evidence(row, provider, credit_id),
        )
        location = Location(source.name, line)
        if request is not None and credit_id is not None and action == "add":
            # One CreditID is one credit: the same id on two different credits is an error.
            seen = credit_ids.setdefault(credit_id, (line, request.natural_key()))
            if seen[1] != request.natural_key():
                f.add(
                    "CreditID",
                    "pars-credit-id",
                    f"{credit_id} names another credit on line {seen[0]}",
                )
                request = None
        if request is None or identity is None:
            yield RejectedRecord(location, tuple(f.issues))
        else:
            yield ImportRecord(
                location, identity, request, action="delete" if action == "delete" else "add"
            )


PARS_FORMAT = ImportFormat(
    name="pars",
    label="ACCME PARS learner completions (tab-delimited or CSV, Learner Template B-like)",
    reader=read_pars,
    source=(
        "accme.org/data-reporting/submit-data-via-batch-upload-or-web-services; "
        "elliottACCME/tempSchema accme-pars-learner-reports.schema_v0_5.json (draft)"
    ),
)


@hookimpl
def credtrail_register_import_formats(register: Callable[[ImportFormat], None]) -> None:
    register(PARS_FORMAT)

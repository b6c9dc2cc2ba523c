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
credit recorded by an earlier add).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from datetime import date

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

PROFESSION = "physician"

COLUMNS = Columns(
    required=(
        "providerid",
        "activityid",
        "givenname",
        "familyname",
        "completeddatetime",
        "activitycertification",
        "numberofcredits",
        "learnerrecordaction",
    ),
    optional=(
        "birthmonth",
        "birthday",
        "npi",
        "licensestate",
        "licensenumber",
        "boardname",
        "boardid",
        "activitytitle",
        "accreditor",
    ),
    aliases={
        "provider id": "providerid",
        "activity id": "activityid",
        "moduleid": "activityid",
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
"""``ActivityCertification`` spellings -> credit type (only Category 1: providers
designate and report Category 1; Category 2 is self-claimed and never in PARS)."""

_STATE = re.compile(r"^[A-Z]{2}$")
_PROVIDER = re.compile(r"^\d{7}$")


def _completion_date(f: FieldCollector, value: str) -> date | None:
    # Hand-parsed: strptime is the slowest step of a 100,000-row import.
    text = value.strip()
    try:
        if len(text) == 10 and text[2] == "/" and text[5] == "/":
            return date(int(text[6:]), int(text[:2]), int(text[3:5]))
        if len(text) >= 10 and text[4] == "-" and text[7] == "-" and text[10:11] in ("", "T"):
            return date.fromisoformat(text[:10])
    except ValueError:
        pass
    f.add(
        "CompletedDateTime",
        "date",
        f"{text!r} is not a date; use YYYY-MM-DD or MM/DD/YYYY" if text else "is empty",
    )
    return None


def _birth(f: FieldCollector, month: str, day: str) -> None:
    """Month and day of birth identify the learner to ACCME; checked, not stored."""
    if not month.strip() and not day.strip():
        return
    try:
        date(2000, int(month), int(day))  # a leap year: 02/29 is a real birthday
    except ValueError:
        f.add("BirthMonth/BirthDay", "birth-date", f"{month}/{day} is not a month and day")


def _identity(f: FieldCollector, row: dict[str, str]) -> ClinicianIdentity | None:
    given = f.text("GivenName", row["givenname"], required=True)
    family = f.text("FamilyName", row["familyname"], required=True)
    name = f"{given} {family}" if given and family else None
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
        "no NPI, no LicenseState + LicenseNumber and no BoardName + BoardID; "
        "PARS needs a licence or board id to match the learner",
    )
    return None


def read_pars(source: TextSource, context: ReadContext) -> Iterator[Parsed]:
    labels = {
        ct.label.casefold(): code
        for code, ct in context.registry.credit_types.items()
        if ct.profession == PROFESSION
    }
    for item in delimited_rows(source, COLUMNS):
        if isinstance(item, RejectedRecord):
            yield item
            continue
        line, row = item
        f = FieldCollector()
        provider = row["providerid"].strip()
        if not _PROVIDER.match(provider):
            f.add(
                "ProviderID", "pars-provider-id", f"{provider!r} is not a 7-digit ACCME provider id"
            )
        action = row["learnerrecordaction"].strip().lower()
        if action not in ("add", "delete"):
            f.add("LearnerRecordAction", "pars-action", f"{action!r} must be add or delete")
        certification = " ".join(row["activitycertification"].split()).casefold()
        credit_type = CREDIT_TYPES.get(certification) or labels.get(certification)
        if credit_type is None:
            f.add(
                "ActivityCertification",
                "pars-credit-type",
                f"{row['activitycertification']!r} is not a credit type PARS reports here; "
                "expected 'AMA PRA Category 1 Credit'",
            )
        _birth(f, row.get("birthmonth", ""), row.get("birthday", ""))
        identity = _identity(f, row)
        completed = _completion_date(f, row["completeddatetime"])
        if completed is not None and completed > date.today():
            f.add("CompletedDateTime", "not-in-future", f"{completed} is in the future")
        request = f.request(
            clinician_id=identity.clinician_id if identity else "?",
            credit_type=credit_type or "?",
            units=f.units("NumberOfCredits", row["numberofcredits"], required=True),
            completed_on=completed,
            provider=provider,
            accreditor=f.text("Accreditor", row.get("accreditor")) or "ACCME",
            activity_id=f.text("ActivityID", row["activityid"], required=True),
            title=f.text("ActivityTitle", row.get("activitytitle")),
        )
        location = Location(source.name, line)
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

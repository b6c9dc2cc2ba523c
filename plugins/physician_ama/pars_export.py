"""``credtrail export pars``: the learner-completion upload an accredited provider sends.

Two layouts, both from ACCME's draft learner-report schema
(``accme-pars-learner-reports.schema_v0_5.json``): tab-delimited with the schema's
element names as columns (what ``import --format pars`` reads back), and the JSON
document itself (``ACCMELearnerReports``). Each credit recorded with an ACCME provider
id (a PARS import keeps it in the credit's evidence; otherwise a 7-digit provider) and
a credit type PARS reports (AMA PRA Category 1, board MOC points) is one row.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from credtrail.core import ClinicianLedger, CreditState
from credtrail.plugins.physician_ama.data import MOC_BOARDS

COLUMNS = (
    "ProviderID",
    "ReportingOrganization",
    "ActivityID",
    "ActivityTitle",
    "GivenName",
    "FamilyName",
    "NPI",
    "LicenseState",
    "LicenseNumber",
    "BoardName",
    "BoardID",
    "Status",
    "CompletedDateTime",
    "ActivityCertification",
    "creditUnit",
    "NumberOfCredits",
    "CreditID",
    "Accreditor",
    "LearnerRecordAction",
)

CERTIFICATIONS = {"ama_pra_1": "AMA PRA Category 1 Credit"} | {
    f"moc_{board.lower()}": f"{board} MOC Points" for board in MOC_BOARDS
}
"""Credit type -> the ``activityCertification`` text written."""


@dataclass(frozen=True)
class ParsRow:
    """One learner's completion of one activity for one credit type."""

    values: dict[str, str]
    units: Decimal


def pars_provider_id(credit: CreditState) -> str | None:
    """The ACCME provider id a credit was recorded with, if any."""
    evidence = (credit.evidence or {}).get("pars")
    if isinstance(evidence, dict) and isinstance(evidence.get("provider_id"), str):
        return str(evidence["provider_id"])
    if credit.provider.isdigit() and len(credit.provider) == 7:
        return credit.provider
    return None


def _learner(ledger: ClinicianLedger) -> dict[str, str]:
    given, _, family = (ledger.name or "").strip().partition(" ")
    ids = {"GivenName": given, "FamilyName": family.strip()}
    if ledger.npi:
        return ids | {"NPI": ledger.npi}
    kind, _, rest = ledger.clinician_id.partition(":")
    first, _, second = rest.partition(":")
    if kind == "lic" and second:
        return ids | {"LicenseState": first, "LicenseNumber": second}
    if kind == "board" and second:
        return ids | {"BoardName": first, "BoardID": second}
    return ids


def pars_rows(
    credits: Iterable[tuple[ClinicianLedger, CreditState]], provider: str | None = None
) -> Iterator[ParsRow]:
    """The credits PARS reports (provider id known, credit type PARS reports)."""
    for ledger, credit in credits:
        pid = pars_provider_id(credit)
        certification = CERTIFICATIONS.get(credit.credit_type)
        if pid is None or certification is None or (provider and pid != provider.zfill(7)):
            continue
        evidence = (credit.evidence or {}).get("pars") or {}
        credit_id = evidence.get("credit_id") or f"ccid:credtrail:{credit.credit_id}"
        values = {
            "ProviderID": pid,
            "ReportingOrganization": "" if credit.provider == pid else credit.provider,
            "ActivityID": credit.activity_id,
            "ActivityTitle": credit.title or "",
            **_learner(ledger),
            "Status": "Completed",
            "CompletedDateTime": credit.completed_on.isoformat(),
            "ActivityCertification": certification,
            "creditUnit": "Point",
            "NumberOfCredits": f"{credit.units.normalize():f}",
            "CreditID": credit_id,
            "Accreditor": credit.accreditor or "",
            "LearnerRecordAction": "add",
        }
        yield ParsRow(values, credit.units)


def pars_tsv(rows: Iterable[ParsRow]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, delimiter="\t", lineterminator="\n")
    writer.writerow(COLUMNS)
    for row in rows:
        writer.writerow([row.values.get(c, "") for c in COLUMNS])
    return out.getvalue()


def _unique_ids(v: dict[str, str]) -> dict[str, str]:
    if v.get("NPI"):
        return {"value": v["NPI"], "domain": "NPI"}
    if v.get("LicenseState"):
        return {"value": v["LicenseNumber"], "domain": v["LicenseState"]}
    if v.get("BoardName"):
        return {"value": v["BoardID"], "domain": v["BoardName"]}
    return {"value": "", "domain": ""}


def pars_json(rows: Iterable[ParsRow], created: datetime) -> dict[str, Any]:
    """The ``ACCMELearnerReports`` document of the draft learner-report schema."""
    reports = []
    for row in rows:
        v = row.values
        reports.append(
            {
                "ReportingOrganization": v["ReportingOrganization"] or v["ProviderID"],
                "Member": {"Name": {"GivenName": v["GivenName"], "FamilyName": v["FamilyName"]}},
                "Activity": {
                    "ProviderOrganization": v["ProviderID"],
                    "Module": {
                        "ModuleName": {"value": v["ActivityTitle"], "moduleID": v["ActivityID"]},
                        "Status": "Completed",
                        "CompletedDateTime": f"{v['CompletedDateTime']}T00:00:00",
                        "CreditCertificate": [
                            {
                                "UniqueID": _unique_ids(v),
                                "CreditReceived": {
                                    "activityCertification": v["ActivityCertification"],
                                    "creditUnit": "Point",
                                    "numberOfCredits": float(row.units),
                                },
                                "CreditID": v["CreditID"],
                            }
                        ],
                    },
                },
                "XtensibleInfo": {"ProviderID": v["ProviderID"], "LearnerRecordAction": "add"},
            }
        )
    return {
        "ACCMELearnerReports": {
            "ActivityReports": {
                "DateTimeCreated": created.strftime("%Y-%m-%dT%H:%M:%S"),
                "ActivityReport": reports,
            }
        }
    }

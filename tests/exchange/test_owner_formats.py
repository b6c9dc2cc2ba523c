"""PARS, CE Broker and NCCPA as their owners define them: import, export, round trips."""

from __future__ import annotations

import json
import re
from pathlib import Path

import jsonschema
import pytest

from .test_cli import Run, make_runner

PARS_DIR = next(
    (
        p / "shared" / "formats" / "pars"
        for p in Path(__file__).resolve().parents
        if (p / "shared" / "formats" / "pars").is_dir()
    ),
    None,
)


@pytest.fixture
def run(tmp_path: Path) -> Run:
    """credtrail on a fresh, initialised store with the built-in plugins."""
    invoke = make_runner(tmp_path / "cli.db")
    assert invoke("init").exit_code == 0
    return invoke


REAL_HEADER = (
    "ProviderID\tReportingOrganization\tActivityID\tModuleName\tGivenName\tFamilyName\t"
    "BirthDate\tUniqueID\tUniqueIDDomain\tStatus\tCompletedDateTime\tActivityCertification\t"
    "creditUnit\tNumberOfCredits\tCreditID\tLearnerRecordAction\tRegistrationNotes"
)
REAL_ROWS = [
    "12345\tMercy CME\t123456789\tSepsis update\tAnn\tAble\t1970-02-28\t1234567893\tNPI\t"
    "Completed\t3/5/2025\tAMA PRA Category 1 Credit\tPoint\t1.5\tccid:mercy:1\tadd\tvip",
    "12345\tMercy CME\t123456789\tSepsis update\tAnn\tAble\t1970-02-28\t1234567893\tNPI\t"
    "Completed\t2025-03-05T10:00:00\tABIM MOC Points\tPoint\t1.5\tccid:mercy:2\tadd\t",
    "0012345\tMercy CME\t123456790\tStroke\tCal\tCole\t\tA12345\tCA\t"
    "Completed\t04/01/2025\tAMA PRA Category 1 Credit\tPoint\t2\t\tadd\t",
]


def pars_file(tmp_path: Path, *rows: str, header: str = REAL_HEADER) -> Path:
    path = tmp_path / "learners.tsv"
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    return path


def test_a_real_pars_file_imports_with_its_own_columns(run: Run, tmp_path: Path) -> None:
    """Status, creditUnit, CreditID, BirthDate, Excel dates, short ids and MOC rows import."""
    result = run("import", str(pars_file(tmp_path, *REAL_ROWS)), "--format", "pars")
    assert result.exit_code == 0, result.output
    assert result.stdout == (
        "Imported learners.tsv (pars): read 3, written 3, skipped 0, rejected 0; "
        "2 clinicians added\n"
    )
    assert result.stderr == (
        "Note: learners.tsv: column 'RegistrationNotes' is not read by credtrail and was "
        "ignored (see docs/formats.md)\n"
    )
    shown = json.loads(run("transcript", "npi:1234567893", "--json").output)
    got = sorted((c["type"], c["provider"], c["date"], c["units"]) for c in shown["credits"])
    assert got == [
        ("ama_pra_1", "Mercy CME", "2025-03-05", "1.5"),
        ("moc_abim", "Mercy CME", "2025-03-05", "1.5"),
    ]


def test_two_digit_years_and_bad_pars_fields_are_named(run: Run, tmp_path: Path) -> None:
    """A M/D/YY date, a wrong Status, unit or CreditID: file, line and field named."""
    bad = REAL_ROWS[0].replace("3/5/2025", "3/5/25").replace("Completed", "Started")
    bad = bad.replace("\tPoint\t", "\tHour\t").replace("ccid:mercy:1", "mercy-1")
    result = run("import", str(pars_file(tmp_path, bad)), "--format", "pars")
    assert result.exit_code == 1
    assert result.stderr.splitlines()[1:] == [
        "  learners.tsv line 2: Status: 'Started': PARS reports only 'Completed' [pars-status]",
        "  learners.tsv line 2: creditUnit: 'Hour': PARS's only credit unit is 'Point' "
        "[pars-credit-unit]",
        "  learners.tsv line 2: CreditID: 'mercy-1' is not ccid:<issuer>:<id> [pars-credit-id]",
        "  learners.tsv line 2: CompletedDateTime: '3/5/25' is not a date; use YYYY-MM-DD or "
        "M/D/YYYY [date]",
    ]


def _credits(run: Run, *clinicians: str) -> list[tuple[str, ...]]:
    out = []
    for cid in clinicians:
        shown = json.loads(run("transcript", cid, "--json").output)
        out += [
            (
                cid,
                c["type"],
                c["units"],
                c["date"],
                c["provider"],
                c["activity"],
                c["accreditor"],
                c["title"],
            )
            for c in shown["credits"]
        ]
    return sorted(out)


def test_pars_export_imports_as_the_same_credits(run: Run, tmp_path: Path) -> None:
    """PARS export -> import into another store gives the same credits; into the same, none."""
    assert run("import", str(pars_file(tmp_path, *REAL_ROWS)), "--format", "pars").exit_code == 0
    exported = tmp_path / "upload.tsv"
    assert run("export", "pars", "-o", str(exported)).exit_code == 0
    again = run("import", str(exported), "--format", "pars")
    assert again.stdout.startswith("Nothing written: every record of upload.tsv")
    other = make_runner(tmp_path / "other.db")
    assert other("init").exit_code == 0
    assert other("import", str(exported), "--format", "pars").exit_code == 0
    people = ("npi:1234567893", "lic:CA:A12345")
    assert _credits(other, *people) == _credits(run, *people)
    assert len(_credits(run, *people)) == 3


@pytest.mark.skipif(PARS_DIR is None, reason="shared/formats/pars (ACCME schemas) not found")
def test_pars_json_export_is_valid_against_the_learner_report_schema(
    run: Run, tmp_path: Path
) -> None:
    """The JSON upload validates against ACCME's schema (its missing comma restored)."""
    assert PARS_DIR is not None
    text = (PARS_DIR / "accme-pars-learner-reports.schema_v0_5.json").read_text()
    fixed = re.sub(r'("Web services provider identifier"\s*\})', r"\1,", text)
    schema = json.loads(fixed)
    assert run("import", str(pars_file(tmp_path, *REAL_ROWS)), "--format", "pars").exit_code == 0
    out = run("export", "pars", "--format", "json")
    document = json.loads(out.stdout)
    jsonschema.Draft202012Validator(schema).validate(document)
    reports = document["ACCMELearnerReports"]["ActivityReports"]["ActivityReport"]
    ids = sorted(r["Activity"]["Module"]["CreditCertificate"][0]["CreditID"] for r in reports)
    assert ids[0].startswith("ccid:credtrail:cr-")  # recorded without a CreditID
    assert ids[1:] == ["ccid:mercy:1", "ccid:mercy:2"]


CATALOGUE = (
    "provider_number,course_number,credit_type,hours,accreditor,provider,title\n"
    "50-1234,20-555,ancc_contact_hour,3,ANCC,Sunshine Nursing CE,Wound care\n"
)
ROSTER = [
    "1234,555,,,RN9999,12/3/2025,State=FL,Profession=RN",
    "1234,555,,,RN8888,1/15/2026,State=FL,Profession=RN,PS,1.5",
]


@pytest.fixture
def nurses(run: Run, tmp_path: Path) -> Path:
    for lic, name in (("RN9999", "Nia Nurse"), ("RN8888", "Oli Other")):
        assert run("clinician", "add", f"lic:FL:{lic}", "--profession", "nurse", "--name", name)
    catalogue = tmp_path / "courses.csv"
    catalogue.write_text(CATALOGUE, encoding="utf-8")
    return catalogue


def test_cebroker_roster_round_trips(run: Run, tmp_path: Path, nurses: Path) -> None:
    """A roster imports (full credit from the catalogue, partial from J), exports the same."""
    roster = tmp_path / "roster.csv"
    roster.write_text("\r\n".join(ROSTER) + "\r\n", encoding="utf-8")
    option = f"catalogue={nurses}"
    result = run("import", str(roster), "--format", "cebroker", "--option", option)
    assert result.stdout == (
        "Imported roster.csv (cebroker): read 2, written 2, skipped 0, rejected 0\n"
    )
    assert _credits(run, "lic:FL:RN9999", "lic:FL:RN8888") == [
        (
            "lic:FL:RN8888",
            "ancc_contact_hour",
            "1.5",
            "2026-01-15",
            "Sunshine Nursing CE",
            "555/PS",
            "ANCC",
            "Wound care",
        ),
        (
            "lic:FL:RN9999",
            "ancc_contact_hour",
            "3",
            "2025-12-03",
            "Sunshine Nursing CE",
            "555",
            "ANCC",
            "Wound care",
        ),
    ]
    exported = run("export", "cebroker", "--provider", "50-1234")
    assert exported.stdout.splitlines() == [
        "1234,555,,,RN9999,12/3/2025,State=FL,Profession=RN",
        "1234,555,,,RN8888,1/15/2026,State=FL,Profession=RN,PS,1.5",
    ]
    again = run("import", str(roster), "--format", "cebroker", "--option", option)
    assert again.stdout.startswith("Nothing written")


def test_cebroker_rows_name_file_line_and_column(run: Run, tmp_path: Path, nurses: Path) -> None:
    """An unknown course, a bad tag and a bad date are each named; nothing is written."""
    roster = tmp_path / "roster.csv"
    roster.write_text("1234,556,,,RN9999,2025-13-03,FL,Profession=RN\n", encoding="utf-8")
    result = run("import", str(roster), "--format", "cebroker", "--option", f"catalogue={nurses}")
    assert result.exit_code == 1
    assert result.stderr.splitlines()[1:] == [
        "  roster.csv line 1: F: '2025-13-03' is not a date; use M/D/YYYY, e.g. 12/3/2008 [date]",
        "  roster.csv line 1: G: 'FL' is not State=VALUE (e.g. State=FL) [cebroker-tag]",
        "  roster.csv line 1: B: course '556' of provider '1234' is not in the catalogue; give "
        "--option catalogue=FILE with its credit type and hours [cebroker-course]",
    ]


def test_nccpa_export_lists_each_credit_in_the_forms_order(run: Run) -> None:
    """Each PA credit as NCCPA's log form asks for it: type, dates, credits, title, sponsor."""
    assert run("clinician", "add", "pa-1", "--profession", "pa", "--name", "Pat Ash").exit_code == 0
    earned = run(
        "credit",
        "earn",
        "pa-1",
        "--type",
        "aapa_1",
        "--units",
        "2",
        "--date",
        "2025-06-01",
        "--provider",
        "AAPA Learning Central",
        "--accreditor",
        "AAPA",
        "--activity",
        "L-1",
        "--title",
        "Opioid prescribing",
    )
    assert earned.exit_code == 0, earned.output
    csv_out = run("export", "nccpa", "pa-1", "--format", "csv")
    assert csv_out.stdout.splitlines() == [
        "Activity Type,Activity Start Date,Activity End Date,Credits Logged,Activity Title,"
        "Sponsor,Provider,Attestation",
        "Category 1,06/01/2025,06/01/2025,2,Opioid prescribing,AAPA,AAPA Learning Central,"
        "I certify that the information entered is true and correct",
    ]
    text = run("export", "nccpa", "pa-1").stdout
    assert text.splitlines()[:3] == [
        "Entry 1",
        "  Activity Type        Category 1",
        "  Activity Start Date  06/01/2025",
    ]


def _passport(npi: str = "1234567893", status: str = "Completed") -> dict[str, object]:
    certificate = {
        "CreditID": "ccid:mercy:9",
        "CreditReceived": {
            "activityCertification": "AMA PRA Category 1 Credit",
            "creditUnit": "Point",
            "numberOfCredits": 1.75,
        },
    }
    module = {
        "ModuleName": {"value": "Sepsis update", "moduleID": "123456789"},
        "Status": status,
        "CompletedDateTime": "2025-03-05T09:30:00",
        "CreditCertificate": [certificate],
    }
    activity = {"ProviderOrganization": "0012345", "ReportingOrganization": "Mercy CME"}
    return {
        "ACCMETranscripts": [
            {
                "Member": {
                    "Name": {"GivenName": "Ann", "FamilyName": "Able"},
                    # NPI inside a Licensure item: where the draft schema's brackets put it.
                    "PersonalInfo": {"Licensure": [{"StateOfLicensure": "CA", "NPI": npi}]},
                },
                "ActivityTranscript": [{"Activity": activity | {"Module": module}}],
            }
        ]
    }


def test_cme_passport_transcript_imports_like_pars(run: Run, tmp_path: Path) -> None:
    """A CME Passport transcript lands as the same credit a PARS row gives (same key)."""
    document = _passport()
    if PARS_DIR is not None:
        schema = json.loads(
            (PARS_DIR / "accme-pars-learner-transcript.schema_v0_1.json").read_text()
        )
        jsonschema.Draft202012Validator(schema).validate(document)
    path = tmp_path / "passport.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    result = run("import", str(path), "--format", "cmepassport")
    assert result.stdout == (
        "Imported passport.json (cmepassport): read 1, written 1, skipped 0, rejected 0; "
        "1 clinician added\n"
    )
    row = REAL_ROWS[0].replace("\t1.5\t", "\t1.75\t").replace("ccid:mercy:1", "ccid:mercy:9")
    again = run("import", str(pars_file(tmp_path, row)), "--format", "pars")
    assert again.stdout.startswith("Nothing written: every record of learners.tsv")


def test_cme_passport_rejects_name_the_json_path(run: Run, tmp_path: Path) -> None:
    """A certificate that is not a completion is refused at its JSON path."""
    path = tmp_path / "passport.json"
    path.write_text(json.dumps(_passport(status="InProgress")), encoding="utf-8")
    result = run("import", str(path), "--format", "cmepassport")
    assert result.exit_code == 1
    assert result.stderr.splitlines()[1:] == [
        "  passport.json $.ACCMETranscripts[0].ActivityTranscript[0].Activity.Module."
        "CreditCertificate[0]: Status: 'InProgress': a transcript lists only 'Completed' "
        "[pars-status]"
    ]


def test_course_add_writes_the_catalogue_a_roster_import_reads(run: Run, tmp_path: Path) -> None:
    """`course add` builds the catalogue; adding the same course again replaces it."""
    catalogue = tmp_path / "courses.csv"
    args = ("course", "add", str(catalogue), "50-1234", "20-555", "--type", "ancc_contact_hour")
    first = run(*args, "--hours", "2", "--accreditor", "ANCC", "--title", "Wound care")
    assert first.output == f"Added course 20-555 of provider 50-1234 in {catalogue}\n"
    again = run(*args, "--hours", "3", "--accreditor", "ANCC", "--provider", "Sunshine CE")
    assert again.output == f"Replaced course 20-555 of provider 50-1234 in {catalogue}\n"
    assert catalogue.read_text().splitlines() == [
        "provider_number,course_number,credit_type,hours,accreditor,provider,title",
        "1234,555,ancc_contact_hour,3,ANCC,Sunshine CE,",
    ]
    wrong = run(*args, "--hours", "3", "--accreditor", "XYZ")
    assert wrong.exit_code == 1
    assert wrong.output.startswith("Error: unknown accreditor 'XYZ'; known: ")


def test_cebroker_partial_hours_count_as_a_mapped_topics_hours(
    run: Run, tmp_path: Path, nurses: Path
) -> None:
    """--option subject:CODE=TOPIC turns a partial row's hours into that topic's hours."""
    roster = tmp_path / "roster.csv"
    roster.write_text(ROSTER[1] + "\n", encoding="utf-8")
    options = ("--option", f"catalogue={nurses}", "--option", "subject:PS=patient-safety")
    assert run("import", str(roster), "--format", "cebroker", *options).exit_code == 0
    shown = json.loads(run("transcript", "lic:FL:RN8888", "--json").output)
    assert [(c["units"], c["topics"]) for c in shown["credits"]] == [("1.5", ["patient-safety"])]

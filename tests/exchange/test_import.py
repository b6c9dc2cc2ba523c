"""Importing csv, PARS and Open Badges files into a store."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from credtrail.core.application import Credtrail, EarnRequest
from credtrail.core.errors import InputError
from credtrail.core.exchange import import_file

from .conftest import CSV_HEADER, PARS_HEADER, log_length

Write = Callable[[str, str], Path]

ROWS = [
    "dr-a,physician,Ann Able,1234567893,ama_pra_1,1.5,2025-03-01,Mayo Clinic,ACCME,ACT-1,"
    "Sepsis update,ethics;pain-management,live,2",
    "dr-a,physician,Ann Able,1234567893,ama_pra_2,3,2025-04-01,Self-directed reading,,R-1,"
    "Journal reading,,,",
    "rn-b,nurse,Bea Bell,,ancc_contact_hour,2.5,2025-05-01,Nursing Academy,ANCC,N-1,,,,",
]


def csv_file(write: Write, rows: list[str], name: str = "credits.csv") -> Path:
    return write(name, "\n".join([CSV_HEADER, *rows]) + "\n")


def test_all_or_nothing_on_each_backend(app: Credtrail, write: Write) -> None:
    """A valid file is written in one go; a file with one bad row writes nothing (both backends)."""
    bad = [*ROWS, "dr-a,physician,Ann Able,,ama_pra_1,0.3,2025-06-01,Mayo Clinic,ACCME,X,,,,"]
    summary = import_file(app, csv_file(write, bad), "csv")
    assert (summary.rejected, summary.written, log_length(app)) == (1, 0, 0)
    summary = import_file(app, csv_file(write, ROWS), "csv")
    assert (summary.read, summary.written, summary.clinicians_created) == (3, 3, 2)
    assert app.transcript("rn-b").totals == {"ancc_contact_hour": Decimal("2.5")}


def test_importing_twice_writes_nothing_the_second_time(
    sqlite_app: Credtrail, write: Write
) -> None:
    """The natural key makes a re-import a no-op that counts every record as skipped."""
    path = csv_file(write, ROWS)
    import_file(sqlite_app, path, "csv")
    before = log_length(sqlite_app)
    again = import_file(sqlite_app, path, "csv")
    assert (again.read, again.written, again.skipped, again.clinicians_created) == (3, 0, 3, 0)
    assert log_length(sqlite_app) == before


def test_dry_run_counts_and_writes_nothing(sqlite_app: Credtrail, write: Write) -> None:
    """--dry-run validates and reports what it would write, and the store stays empty."""
    summary = import_file(sqlite_app, csv_file(write, ROWS), "csv", dry_run=True)
    assert (summary.written, summary.clinicians_created, summary.rejected) == (3, 2, 0)
    assert log_length(sqlite_app) == 0


def test_unknown_clinician_without_identity_is_rejected(
    sqlite_app: Credtrail, write: Write
) -> None:
    """A record naming an unknown clinician without profession and name cannot create one."""
    row = "dr-x,,,,ama_pra_1,1,2025-03-01,Mayo Clinic,ACCME,ACT-1,,,,"
    summary = import_file(sqlite_app, csv_file(write, [row]), "csv")
    assert summary.errors == [
        "credits.csv line 2: clinician: 'dr-x' is not in the store and the record lacks "
        "profession, name to add it; add it first with 'credtrail clinician add dr-x "
        "--profession ...' [known-clinician]"
    ]


def test_existing_clinician_needs_no_identity_but_profession_must_match(
    sqlite_app: Credtrail, write: Write
) -> None:
    """Rows for a known clinician need only the id; a contradicting profession is rejected."""
    sqlite_app.add_clinician("rn-b", "nurse", name="Bea Bell")
    ok = "rn-b,,,,ancc_contact_hour,1,2025-05-01,Nursing Academy,ANCC,N-1,,,,"
    wrong = "rn-b,physician,,,ama_pra_1,1,2025-05-01,Mayo Clinic,ACCME,N-2,,,,"
    summary = import_file(sqlite_app, csv_file(write, [ok, wrong]), "csv")
    assert summary.errors == [
        "credits.csv line 3: profession: clinician 'rn-b' is a nurse, the record says "
        "physician [clinician-profession]"
    ]
    assert import_file(sqlite_app, csv_file(write, [ok]), "csv").written == 1


def test_commit_every_writes_in_several_transactions(sqlite_app: Credtrail, write: Write) -> None:
    """--commit-every N saves in batches; the result is the same credits."""
    rows = [
        f"dr-{i % 3},physician,Doc {i % 3},,ama_pra_1,1,2025-01-0{1 + i % 9},P,ACCME,A{i},,,,"
        for i in range(20)
    ]
    summary = import_file(sqlite_app, csv_file(write, rows), "csv", commit_every=4)
    assert (summary.written, summary.clinicians_created) == (20, 3)
    assert sum(len(sqlite_app.transcript(f"dr-{i}").credits) for i in range(3)) == 20


def test_unknown_format_is_named(sqlite_app: Credtrail, write: Write) -> None:
    """An unknown --format lists the known ones."""
    with pytest.raises(InputError) as caught:
        import_file(sqlite_app, csv_file(write, ROWS), "xlsx")
    assert (
        str(caught.value)
        == "unknown import format 'xlsx'; known: cebroker, cmepassport, csv, openbadges, pars"
    )


# --------------------------------------------------------------------------- PARS


def pars_row(*fields: str) -> str:
    return "\t".join(fields)


def test_pars_matches_npi_to_an_existing_clinician(sqlite_app: Credtrail, write: Write) -> None:
    """A PARS learner with a known NPI lands on that clinician; others are created."""
    sqlite_app.add_clinician("staff-17", "physician", name="Ann Able", npi="1234567893")
    path = write(
        "batch.tsv",
        "\n".join(
            [
                PARS_HEADER,
                pars_row(
                    "1234567",
                    "123456789",
                    "Ann",
                    "Able",
                    "03",
                    "14",
                    "1234567893",
                    "",
                    "",
                    "03/15/2025",
                    "AMA PRA Category 1 Credit",
                    "2.25",
                    "add",
                ),
                pars_row(
                    "1234567",
                    "123456789",
                    "Cal",
                    "Cole",
                    "",
                    "",
                    "",
                    "ca",
                    "A12345",
                    "2025-03-15",
                    "AMA PRA Category 1 Credit™",
                    "2.25",
                    "add",
                ),
            ]
        )
        + "\n",
    )
    summary = import_file(sqlite_app, path, "pars")
    assert (summary.written, summary.clinicians_created) == (2, 1)
    credit = sqlite_app.transcript("staff-17").credits[0]
    assert (credit.type, credit.units, credit.date) == (
        "ama_pra_1",
        Decimal("2.25"),
        date(2025, 3, 15),
    )
    assert (credit.provider, credit.accreditor) == ("1234567", "ACCME")
    created = sqlite_app.ledger("lic:CA:A12345")
    assert (created.profession, created.name) == ("physician", "Cal Cole")


def test_pars_delete_revokes_and_is_idempotent(sqlite_app: Credtrail, write: Write) -> None:
    """A delete row revokes the credit an earlier add recorded; repeating it changes nothing."""
    fields = [
        "1234567",
        "987654321",
        "Ann",
        "Able",
        "",
        "",
        "1234567893",
        "",
        "",
        "2025-03-15",
        "AMA PRA Category 1 Credit",
        "1",
    ]
    add = write("add.tsv", f"{PARS_HEADER}\n{pars_row(*fields, 'add')}\n")
    delete = write("delete.tsv", f"{PARS_HEADER}\n{pars_row(*fields, 'delete')}\n")
    import_file(sqlite_app, add, "pars")
    summary = import_file(sqlite_app, delete, "pars")
    assert (summary.deleted, summary.skipped) == (1, 0)
    credit = sqlite_app.transcript("npi:1234567893").credits[0]
    assert credit.revoked
    assert credit.revoked_reason == "deleted by the provider (pars import, delete.tsv line 2)"
    again = import_file(sqlite_app, delete, "pars")
    assert (again.deleted, again.skipped) == (0, 1)


def test_pars_add_and_delete_of_one_credit_in_one_file_is_rejected(
    sqlite_app: Credtrail, write: Write
) -> None:
    """One file cannot both add and delete the same completion: the intent is ambiguous."""
    fields = [
        "1234567",
        "987654321",
        "Ann",
        "Able",
        "",
        "",
        "1234567893",
        "",
        "",
        "2025-03-15",
        "AMA PRA Category 1 Credit",
        "1",
    ]
    path = write(
        "both.tsv",
        "\n".join([PARS_HEADER, pars_row(*fields, "add"), pars_row(*fields, "delete")]) + "\n",
    )
    summary = import_file(sqlite_app, path, "pars")
    assert summary.errors == [
        "both.tsv line 3: record: contradicts line 2 (same learner, provider, activity, date "
        "and credit type); keep one of them [add-and-delete]"
    ]


def test_pars_reads_comma_separated_files_and_header_aliases(
    sqlite_app: Credtrail, write: Write
) -> None:
    """A CSV export with 'First Name'-style headers reads like the tab-delimited template."""
    path = write(
        "pars.csv",
        "Provider ID,Activity ID,First Name,Last Name,NPI,Completion Date,Credit Type,Credits,"
        "Action\n1234567,555,Ann,Able,1234567893,2025-02-01,AMA PRA Category 1 Credit,0.75,ADD\n",
    )
    summary = import_file(sqlite_app, path, "pars")
    assert (summary.written, summary.rejected) == (1, 0)


# -------------------------------------------------------------------- Open Badges


def credential(units: float = 1.5, npi: str = "1234567893", activity: str = "ACT-OB") -> dict:
    return {
        "@context": [
            "https://www.w3.org/ns/credentials/v2",
            "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
        ],
        "id": f"urn:uuid:{activity}",
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "issuer": {
            "id": "https://cme.example.org",
            "type": ["Profile"],
            "name": "Example CME",
            "accreditations": [{"name": "Accreditation Council for Continuing Medical Education"}],
        },
        "validFrom": "2025-04-02T00:00:00Z",
        "credentialSubject": {
            "type": ["AchievementSubject"],
            "identifier": [
                {
                    "type": "IdentityObject",
                    "identityType": "ext:NPI",
                    "hashed": False,
                    "identityHash": npi,
                },
                {
                    "type": "IdentityObject",
                    "identityType": "name",
                    "hashed": False,
                    "identityHash": "Ann Able",
                },
            ],
            "activityEndDate": "2025-04-01T17:00:00Z",
            "creditsEarned": units,
            "achievement": {
                "id": "https://cme.example.org/activities/42",
                "type": ["Achievement"],
                "name": "Opioid prescribing",
                "description": "REMS-compliant course",
                "criteria": {"narrative": "Complete the course"},
                "humanCode": activity,
                "creditsAvailable": 2,
                "tag": ["Pain Management"],
                "alignment": [
                    {
                        "type": ["Alignment"],
                        "targetName": "AMA PRA Category 1 Credit™",
                        "targetUrl": "https://www.ama-assn.org",
                    }
                ],
            },
        },
    }


def test_open_badge_credit_keeps_the_credential_as_evidence(
    sqlite_app: Credtrail, write: Write
) -> None:
    """Type from the alignment, units from creditsEarned, accreditor from the issuer."""
    document = credential()
    summary = import_file(sqlite_app, write("badge.json", json.dumps(document)), "openbadges")
    assert (summary.written, summary.clinicians_created) == (1, 1)
    ledger = sqlite_app.ledger("npi:1234567893")
    (credit,) = ledger.credits.values()
    assert (credit.credit_type, credit.units, credit.designated_units) == (
        "ama_pra_1",
        Decimal("1.5"),
        Decimal(2),
    )
    assert (credit.accreditor, credit.provider, credit.activity_id) == (
        "ACCME",
        "Example CME",
        "ACT-OB",
    )
    assert (credit.completed_on, credit.topics) == (date(2025, 4, 1), ("pain-management",))
    assert credit.evidence == {"credential": document, "provenance": "unsigned"}


def test_clr_wrapping_several_credentials_and_json_lines(
    sqlite_app: Credtrail, write: Write
) -> None:
    """A ClrCredential's inner credentials and a .jsonl file are each one record."""
    clr = {
        "type": ["VerifiableCredential", "ClrCredential"],
        "credentialSubject": {
            "type": ["ClrSubject"],
            "verifiableCredential": [credential(activity="A1"), credential(0.3, activity="A2")],
        },
    }
    summary = import_file(sqlite_app, write("clr.json", json.dumps(clr)), "openbadges")
    assert summary.errors == [
        "clr.json $.credentialSubject.verifiableCredential[1]: units: 0.3 is not a multiple "
        "of 0.25 credit, the increment of AMA PRA Category 1 Credit™ [ama_pra_1-increment]"
    ]
    lines = "\n".join(json.dumps(credential(activity=a)) for a in ("A1", "A2")) + "\n"
    summary = import_file(sqlite_app, write("badges.jsonl", lines), "openbadges")
    assert (summary.read, summary.written) == (2, 2)


def test_exported_badge_imports_back_as_the_same_credit(
    sqlite_app: Credtrail, tmp_path: Path
) -> None:
    """export openbadges -> import openbadges into another store: the same credit."""
    from credtrail.core.exchange import credential_for

    sqlite_app.add_clinician("dr-a", "physician", name="Ann Able", npi="1234567893")
    credit_id = sqlite_app.earn(
        EarnRequest(
            clinician_id="dr-a",
            credit_type="ama_pra_1",
            units=Decimal("1.25"),
            completed_on=date(2025, 3, 1),
            provider="Mayo Clinic",
            accreditor="ACCME",
            activity_id="ACT-1",
            title="Sepsis",
            topics=("ethics",),
            format="live",
            designated_units=Decimal(2),
        )
    )
    ledger = sqlite_app.ledger("dr-a")
    document = credential_for(
        clinician_id="dr-a",
        name=ledger.name,
        npi=ledger.npi,
        credit=ledger.credit(credit_id),
        registry=sqlite_app.registry,
    )
    assert document["credentialSubject"]["creditsEarned"] == 1.25
    path = tmp_path / "out.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    other = Credtrail.open(str(tmp_path / "other.db"), sqlite_app.pm, create=True)
    try:
        assert import_file(other, path, "openbadges").written == 1
        original = sqlite_app.transcript("dr-a").model_dump(
            exclude={"credits": {"__all__": {"credit_id"}}}
        )
        copied = other.transcript("dr-a").model_dump(
            exclude={"credits": {"__all__": {"credit_id"}}}
        )
        assert copied == original
    finally:
        other.close()


def test_progress_is_reported_per_pass_up_to_the_file_size(
    sqlite_app: Credtrail, write: Write
) -> None:
    """The progress callback sees both passes, bytes never going back, ending at the size."""
    path = csv_file(write, ROWS)
    seen: list[tuple[str, int, int]] = []
    import_file(sqlite_app, path, "csv", progress=lambda *event: seen.append(event))
    size = path.stat().st_size
    assert [p for p, _, _ in seen] == sorted(p for p, _, _ in seen)  # validate, then write
    assert {p for p, _, _ in seen} == {"validate", "write"}
    for phase in ("validate", "write"):
        done = [d for p, d, total in seen if p == phase and total == size]
        assert done == sorted(done)
        assert done[-1] == size


def test_file_edited_between_the_passes_writes_nothing(sqlite_app: Credtrail, write: Write) -> None:
    """Pass 2 must read what pass 1 validated: a file changed in between is refused."""
    path = csv_file(write, ROWS)

    edited: list[bool] = []

    def edit_when_writing(phase: str, done: int, total: int) -> None:
        if phase == "write" and not edited:
            edited.append(True)
            with path.open("a", encoding="utf-8") as out:
                out.write("dr-a,,,,ama_pra_1,0.3,2025-01-01,Sneaky,ACCME,X,,,,\n")

    with pytest.raises(InputError) as caught:
        import_file(sqlite_app, path, "csv", progress=edit_when_writing)
    assert str(caught.value) == (
        "credits.csv changed while it was being imported; nothing was written: import it again"
    )
    assert log_length(sqlite_app) == 0


def test_csv_with_bare_carriage_returns_is_one_clear_error(
    sqlite_app: Credtrail, write: Write
) -> None:
    """Classic Mac line endings give a one-line error about line endings, not a traceback."""
    path = write("mac.csv", "clinician_id,credit_type\rmd-1,ama_pra_1\r")
    with pytest.raises(InputError, match="bare carriage return"):
        import_file(sqlite_app, path, "csv")


def test_control_characters_in_a_text_field_reject_the_row(
    sqlite_app: Credtrail, write: Write
) -> None:
    """A NUL or an escape sequence in a csv cell is refused by field, nothing written."""
    header = (
        "clinician_id,profession,name,npi,credit_type,units,completed_on,provider,"
        "accreditor,activity_id,title,topics,format\n"
    )
    row = "md-1,physician,Ada,,ama_pra_1,1,2025-01-02,Mayo\x1b[31m,ACCME,A1,,,\n"
    summary = import_file(sqlite_app, write("esc.csv", header + row), "csv")
    assert summary.written == 0
    assert "control character (U+001B)" in summary.errors[0]

"""Malformed files: each gives one clear, exact error and writes nothing."""

from __future__ import annotations

from pathlib import Path

import pytest

from credtrail.core.application import Credtrail
from credtrail.core.errors import InputError
from credtrail.core.exchange import import_file

from .conftest import CORPUS, CSV_HEADER, log_length

FORMATS = {".csv": "csv", ".json": "openbadges", ".tsv": "pars"}

FILE_ERRORS = {
    "empty.csv": "empty.csv is empty; expected a header line",
    "extra_columns.csv": (
        "extra_columns.csv line 1: unknown column 'unts'; known columns: clinician_id, "
        "credit_type, units, completed_on, provider, activity_id, profession, name, npi, "
        "accreditor, title, topics, format, designated_units, credit_id, revoked, claimed "
        "(see docs/formats.md)"
    ),
    "latin1.csv": (
        "latin1.csv line 3: not UTF-8 (byte 0xf6 at column 17); "
        "save the file as UTF-8 and import it again"
    ),
    "missing_columns.csv": (
        "missing_columns.csv line 1: missing column 'units'; the header must have: "
        "clinician_id, credit_type, units, completed_on, provider, activity_id"
    ),
    "truncated.json": (
        "truncated.json line 6 column 1: invalid JSON: ends too early (truncated?); "
        "nothing was imported"
    ),
    "utf16.csv": (
        "utf16.csv is UTF-16 (it starts with a UTF-16 byte-order mark); "
        "save it as UTF-8 (in Excel: 'CSV UTF-8') and import it again"
    ),
}

RECORD_ERRORS = {
    "bad_dates.csv": [
        "bad_dates.csv line 3: completed_on: '2025-02-30' is not a date; "
        "use YYYY-MM-DD, e.g. 2025-03-31 [date]",
        "bad_dates.csv line 4: completed_on: '03/15/2025' is not a date; "
        "use YYYY-MM-DD, e.g. 2025-03-31 [date]",
    ],
    "duplicate_rows.csv": [
        "duplicate_rows.csv line 3: record: repeats line 2 (same learner, provider, activity, "
        "date and credit type); keep one of them [duplicate-in-file]"
    ],
    "negative_units.csv": [
        "negative_units.csv line 3: units: -1 must be a positive number of units [positive-units]"
    ],
    "not_a_badge.json": [
        "not_a_badge.json $: type: ['VerifiableCredential'] has neither OpenBadgeCredential, "
        "AchievementCredential nor ClrCredential [ob-type]"
    ],
    "over_precise_units.csv": [
        "over_precise_units.csv line 3: units: 1.00001 has more than 4 decimal places "
        "[units-precision]",
        "over_precise_units.csv line 4: units: 1.1 is not a multiple of 0.25 credit, the "
        "increment of AMA PRA Category 1 Credit™ [ama_pra_1-increment]",
    ],
    "pars_bad_rows.tsv": [
        "pars_bad_rows.tsv line 2: BirthMonth/BirthDay: 02/30 is not a month and day [birth-date]",
        "pars_bad_rows.tsv line 2: learner: no NPI, no LicenseState + LicenseNumber, no "
        "BoardName + BoardID and no UniqueID + domain; PARS needs a licence or board id to "
        "match the learner [pars-learner-id]",
        "pars_bad_rows.tsv line 3: ProviderID: '12345678' is not a 7-digit ACCME provider id "
        "[pars-provider-id]",
        "pars_bad_rows.tsv line 3: LearnerRecordAction: 'update' must be add or delete "
        "[pars-action]",
        "pars_bad_rows.tsv line 3: ActivityCertification: 'XYZ MOC Points' is not a credit "
        "type PARS reports here; expected 'AMA PRA Category 1 Credit' or '<board> MOC Points' "
        "(ABA, ABIM, ABOHNS, ABOS, ABP, ABPATH, ABS, ABTS) [pars-credit-type]",
    ],
    "ragged_row.csv": [
        "ragged_row.csv line 3: row: has 10 fields, the header has 14 [field-count]"
    ],
    "unknown_accreditor.csv": [
        "unknown_accreditor.csv line 3: accreditor: unknown accreditor 'XYZ'; known: AAFP, "
        "AANP, AAPA, ACCME, AMA, ANCC, AOA, JA, SMS [known-accreditor]"
    ],
}


def test_corpus_is_fully_covered() -> None:
    """Every committed corpus file has a pinned outcome (no file is silently untested)."""
    files = {p.name for p in CORPUS.iterdir() if p.suffix in FORMATS}
    assert files == {*FILE_ERRORS, *RECORD_ERRORS, "bom_utf8.csv"}


@pytest.mark.parametrize("name", sorted(FILE_ERRORS))
def test_malformed_file_is_rejected_whole(sqlite_app: Credtrail, name: str) -> None:
    """A file-level problem (encoding, header, JSON syntax) stops the import with its message."""
    before = log_length(sqlite_app)
    path = CORPUS / name
    with pytest.raises(InputError) as caught:
        import_file(sqlite_app, path, FORMATS[path.suffix])
    assert str(caught.value) == FILE_ERRORS[name]
    assert log_length(sqlite_app) == before


@pytest.mark.parametrize("name", sorted(RECORD_ERRORS))
def test_bad_records_reject_the_file(sqlite_app: Credtrail, name: str) -> None:
    """Bad records are each reported (file, line, field, rule) and nothing at all is written."""
    path = CORPUS / name
    summary = import_file(sqlite_app, path, FORMATS[path.suffix])
    assert summary.errors == RECORD_ERRORS[name]
    assert not summary.committed
    assert summary.written == 0
    assert log_length(sqlite_app) == 0
    assert not sqlite_app.has_clinician("dr-a")


def test_utf8_bom_is_accepted(sqlite_app: Credtrail) -> None:
    """Excel's 'CSV UTF-8' starts with a byte-order mark: it is dropped, not a column name."""
    summary = import_file(sqlite_app, CORPUS / "bom_utf8.csv", "csv")
    assert (summary.read, summary.written, summary.rejected) == (1, 1, 0)
    assert sqlite_app.transcript("dr-a").credits[0].title == "Sepsis update"


def test_partial_writes_the_valid_records_only(sqlite_app: Credtrail) -> None:
    """--partial records the good rows and reports the bad ones."""
    summary = import_file(sqlite_app, CORPUS / "over_precise_units.csv", "csv", partial=True)
    assert (summary.read, summary.written, summary.rejected) == (3, 1, 2)
    assert [c.activity for c in sqlite_app.transcript("dr-a").credits] == ["ACT-1"]


@pytest.mark.slow
def test_100_mb_file_streams_and_a_bad_last_row_rejects_it(
    sqlite_app: Credtrail, tmp_path: Path
) -> None:
    """A 100 MB file is validated in one streaming pass; its last, bad row rejects it all."""
    path = tmp_path / "big.csv"
    title = "x" * 900
    with path.open("w", encoding="utf-8") as out:
        out.write(CSV_HEADER + "\n")
        line = 1
        while out.tell() < 100_000_000:
            line += 1
            out.write(
                f"dr-{line % 50},physician,Doc {line % 50},,ama_pra_1,1,2025-01-01,"
                f"Mayo Clinic,ACCME,A-{line},{title},,,\n"
            )
        line += 1
        out.write("dr-1,physician,Doc 1,,ama_pra_1,0,2025-01-01,Mayo Clinic,ACCME,Z,,,,\n")
    assert path.stat().st_size >= 100_000_000
    summary = import_file(sqlite_app, path, "csv")
    assert summary.read == line - 1
    assert summary.errors == [
        f"big.csv line {line}: units: 0 must be a positive number of units [positive-units]"
    ]
    assert log_length(sqlite_app) == 0

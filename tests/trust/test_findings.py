"""Each finding of issue #14 about wrong values, as the Python API, the CLI and the
import formats meet it: refused with a CredtrailError naming the field, nothing written."""

from __future__ import annotations

import csv
import io
import json
import stat
from collections.abc import Iterator
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pluggy
import pytest

from credtrail.core.application import Credtrail, EarnRequest
from credtrail.core.errors import (
    CredtrailError,
    DuplicateNpiError,
    InvalidInputError,
    StoreChangedError,
)
from credtrail.core.exchange import import_file
from credtrail.core.exchange.csvformat import spreadsheet_cell
from credtrail.core.exchange.render import transcript_csv

from .hostile import (
    CSV_HEADER,
    CSV_VALID,
    PARS_VALID,
    World,
    _badge,
    _csv,
    _tsv,
    fingerprint,
    make_world,
)

REQUEST: dict[str, Any] = {
    "clinician_id": "md-1",
    "credit_type": "ama_pra_1",
    "units": "1",
    "completed_on": "2025-03-01",
    "provider": "Mercy CME",
    "accreditor": "ACCME",
    "activity_id": "MH-1",
}


@pytest.fixture
def app(tmp_path: Path, pm: pluggy.PluginManager) -> Iterator[Credtrail]:
    """A store with a physician md-1 (NPI 1234567893) holding one 2-unit credit."""
    application = Credtrail.open(str(tmp_path / "findings.db"), pm, create=True)
    try:
        application.sync_builtin_requirements()
        application.add_clinician("md-1", "physician", name="Ada Lee", npi="1234567893")
        application.add_clinician("rn-1", "nurse", name="Ben Ode")
        yield application
    finally:
        application.close()


def _earn(app: Credtrail, **changes: Any) -> str:
    return app.earn(EarnRequest.parse(**{**REQUEST, **changes}))


def _events(app: Credtrail) -> int:
    return int(app.store.recorder.max_notification_id() or 0)


@pytest.mark.parametrize("units", ["1_0", "٣", "２", "1e3", "NaN", "-1", "0"])
def test_units_are_read_strictly_by_the_python_api(app: Credtrail, units: str) -> None:
    """The Python API reads units as the CLI does: 1_0 is not 10 (pydantic's Decimal is)."""
    with pytest.raises(InvalidInputError, match=r"^units: "):
        _earn(app, units=units)
    with pytest.raises(CredtrailError):
        EarnRequest.parse(**{**REQUEST, "units": float("nan")})


def test_future_completion_is_refused_by_the_python_api(app: Credtrail) -> None:
    """Not in the future, whatever the entry point (it was only the CLI's option type)."""
    tomorrow = date.today() + timedelta(days=1)
    with pytest.raises(InvalidInputError, match=r"^completed_on: .* is in the future"):
        _earn(app, completed_on=tomorrow)


def test_open_badge_dated_9999_is_refused(app: Credtrail, tmp_path: Path) -> None:
    """activityEndDate 9999-12-31 is a record, not a credit: rejected naming the field."""
    values = {
        "issuer": "Example CME",
        "npi": "1245319599",
        "name": "Ann Able",
        "activityEndDate": "9999-12-31",
        "creditsEarned": 1.5,
        "title": "Opioids",
        "humanCode": "ACT-OB",
    }
    path = tmp_path / "badge.json"
    path.write_text(_badge(values), encoding="utf-8")
    before = _events(app)
    summary = import_file(app, path, "openbadges")
    assert summary.written == 0
    assert summary.errors == [
        "badge.json $: credentialSubject.activityEndDate: 9999-12-31 is after today [date-future]"
    ]
    assert _events(app) == before


def test_a_nursing_requirement_is_not_a_physicians_licence(app: Credtrail) -> None:
    """us-ca-nurse applies to nurses: refused for a physician, named as the requirement."""
    with pytest.raises(InvalidInputError, match=r"^requirement: us-ca-nurse applies to nurse"):
        app.add_license("md-1", "us-ca-nurse", date(2020, 1, 1))
    assert app.ledger("md-1").licenses == {}
    assert app.add_license("rn-1", "us-ca-nurse", date(2020, 1, 1), birth_date=date(1980, 5, 5))


def test_physician_credit_cannot_be_claimed_toward_ancc(app: Credtrail) -> None:
    """ANCC takes nurses' credit: a physician's AMA PRA credit is refused, and a nurse's
    AMA PRA credit (an equivalence for ANCC) is accepted."""
    credit = _earn(app)
    with pytest.raises(InvalidInputError, match=r"^authority: ANCC takes credit from nurse"):
        app.claim("md-1", credit, "ANCC")
    nurse_credit = _earn(app, clinician_id="rn-1")
    assert app.claim("rn-1", nurse_credit, "ANCC", claimed_on=date(2025, 3, 2)) == Decimal(1)


def test_a_claim_follows_the_credit_types_increment(app: Credtrail) -> None:
    """0.1 of AMA PRA Category 1 (increment 0.25) is refused; 0.25 is claimed."""
    credit = _earn(app)
    with pytest.raises(InvalidInputError, match=r"^units: 0.1 is not a multiple of 0.25"):
        app.claim("md-1", credit, "AMA", Decimal("0.1"), date(2025, 3, 2))
    with pytest.raises(InvalidInputError, match=r"^units: '1_0' is not a number"):
        app.claim("md-1", credit, "AMA", "1_0", date(2025, 3, 2))  # type: ignore[arg-type]
    assert app.claim("md-1", credit, "AMA", Decimal("0.25"), date(2025, 3, 2)) == Decimal("0.25")


def test_revocation_is_not_dated_before_the_completion(app: Credtrail) -> None:
    """A credit completed 2025-03-01 cannot have been revoked on 2025-02-28."""
    credit = _earn(app)
    with pytest.raises(InvalidInputError, match=r"^revoked_on: 2025-02-28 is before"):
        app.revoke("md-1", credit, "duplicate", date(2025, 2, 28))
    assert not app.ledger("md-1").credits[credit].revoked


@pytest.mark.parametrize(
    ("born", "why"),
    [
        (date(2090, 1, 1), "is in the future"),
        (date(1850, 1, 1), "more than 120 years ago"),
        (date(2021, 1, 1), "not before the licence was issued"),
    ],
)
def test_birth_date_must_be_plausible(app: Credtrail, born: date, why: str) -> None:
    """A birth date in 2090, 1850 or after the licence was issued is a typo."""
    with pytest.raises(InvalidInputError, match=rf"^birth_date: .*{why}"):
        app.add_license("md-1", "us-ca-physician", date(2020, 1, 1), birth_date=born)
    assert app.ledger("md-1").licenses == {}


def test_a_second_clinician_with_the_same_npi_is_refused(app: Credtrail, tmp_path: Path) -> None:
    """One NPI, one clinician: the API and an import both name the clinician holding it."""
    with pytest.raises(DuplicateNpiError, match=r"npi: 1234567893 already belongs to .*'md-1'"):
        app.add_clinician("md-2", "physician", npi="1234567893")
    assert not app.has_clinician("md-2")
    path = tmp_path / "dup.csv"
    path.write_text(_csv({**CSV_VALID, "npi": "1234567893"}), encoding="utf-8")
    summary = import_file(app, path, "csv")
    assert summary.errors == [
        "dup.csv line 2: npi: 1234567893 already belongs to clinician 'md-1'; one NPI "
        "identifies one clinician [unique-npi]"
    ]


def test_two_new_clinicians_of_one_file_cannot_share_an_npi(app: Credtrail, tmp_path: Path) -> None:
    """Within one file too: the second learner with the first's NPI is rejected."""
    rows = [{**CSV_VALID}, {**CSV_VALID, "clinician_id": "md-10", "activity_id": "A-2"}]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_HEADER.split(","))
    writer.writerows([r[c] for c in CSV_HEADER.split(",")] for r in rows)
    path = tmp_path / "two.csv"
    path.write_text(out.getvalue(), encoding="utf-8")
    summary = import_file(app, path, "csv")
    assert summary.errors == [
        "two.csv line 3: npi: 1245319599 already belongs to clinician 'md-9'; one NPI "
        "identifies one clinician [unique-npi]"
    ]


@pytest.mark.parametrize("npi", ["1234567890", "123", "１２３４５６７８９３"])
def test_an_npi_with_a_bad_check_digit_is_refused_everywhere(
    app: Credtrail, tmp_path: Path, npi: str
) -> None:
    """The Luhn check digit is checked by the API, the csv reader and every other format."""
    with pytest.raises(InvalidInputError, match=r"^npi: "):
        app.add_clinician("md-3", "physician", npi=npi)
    path = tmp_path / "npi.tsv"
    path.write_text(_tsv({**PARS_VALID, "UniqueID": npi}), encoding="utf-8")
    before = _events(app)
    assert import_file(app, path, "pars").written == 0
    assert _events(app) == before


@pytest.mark.parametrize(
    "clinician_id",
    ["dr\nrivera", "dr\x1b[31mred", "dr\u202eavir", "dr\ud800", "x" * 100_000, " dr"],
)
def test_hostile_clinician_ids_are_refused(app: Credtrail, clinician_id: str) -> None:
    """Newlines, ANSI sequences, right-to-left overrides, surrogates, 100,000 characters."""
    before = _events(app)
    with pytest.raises(InvalidInputError, match=r"^clinician_id: clinician id "):
        app.add_clinician(clinician_id, "physician")
    with pytest.raises(InvalidInputError, match=r"^clinician_id: clinician id "):
        _earn(app, clinician_id=clinician_id)
    assert _events(app) == before


def test_a_surrogate_in_a_revoke_reason_is_a_clean_error(app: Credtrail) -> None:
    """Once a UnicodeEncodeError traceback; now a refusal naming the reason."""
    credit = _earn(app)
    with pytest.raises(InvalidInputError, match=r"^reason: the reason contains an unpaired"):
        app.revoke("md-1", credit, "dup\ud800licate", date(2025, 3, 2))


@pytest.mark.parametrize("fmt", ["csv", "pars"])
def test_nul_bytes_in_fields_are_not_imported(app: Credtrail, tmp_path: Path, fmt: str) -> None:
    """A NUL byte inside a csv or PARS field rejects the record, naming the field."""
    path = tmp_path / f"nul.{fmt}"
    text = (
        _csv({**CSV_VALID, "title": "St\x00roke"})
        if fmt == "csv"
        else _tsv({**PARS_VALID, "ModuleName": "Sep\x00sis"})
    )
    path.write_text(text, encoding="utf-8")
    summary = import_file(app, path, fmt)
    assert summary.written == 0
    assert "control character (U+0000)" in summary.errors[0]


def test_a_pars_delete_of_a_credit_never_recorded_is_a_rejected_row(
    app: Credtrail, tmp_path: Path
) -> None:
    """Not 'every record is already recorded': the row is rejected with its line; a
    delete of a credit deleted before is still skipped (re-importing stays idempotent)."""
    path = tmp_path / "delete.tsv"
    path.write_text(_tsv({**PARS_VALID, "LearnerRecordAction": "delete"}), encoding="utf-8")
    summary = import_file(app, path, "pars")
    assert not summary.committed
    assert summary.errors == [
        "delete.tsv line 2: record: deletes a credit clinician 'npi:1245319599' never had "
        "recorded (no credit with this provider, activity, date and credit type): nothing "
        "to delete [delete-unrecorded]"
    ]
    add = tmp_path / "add.tsv"
    add.write_text(_tsv(PARS_VALID), encoding="utf-8")
    assert import_file(app, add, "pars").written == 1
    assert import_file(app, path, "pars").deleted == 1
    again = import_file(app, path, "pars")
    assert (again.deleted, again.skipped, again.rejected) == (0, 1, 0)


def test_license_add_and_revoke_are_retried_after_a_concurrent_write(
    app: Credtrail, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A write refused by optimistic concurrency is run again (it re-reads and re-checks),
    so a concurrent writer does not make licence add or revoke fail."""
    credit = _earn(app)
    save = app.save
    refusals = iter([True, False, True, False])

    def flaky_save(*aggregates: Any) -> None:
        if next(refusals):
            raise StoreChangedError("the store changed while this command ran")
        save(*aggregates)

    monkeypatch.setattr(app, "save", flaky_save)
    expires = date(2026, 1, 31)
    added = app.add_license("md-1", "us-ca-physician", date(2020, 1, 1), expires_on=expires)
    assert added == "us-ca-physician#1"
    app.revoke("md-1", credit, "duplicate", date(2025, 3, 2))
    ledger = app.ledger("md-1")
    assert list(ledger.licenses) == ["us-ca-physician#1"]
    assert ledger.credits[credit].revoked


@pytest.mark.parametrize(
    ("cell", "written"),
    [
        ('=HYPERLINK("http://x","y")', '\'=HYPERLINK("http://x","y")'),
        ("+1+1", "'+1+1"),
        ("-1+2", "'-1+2"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tcmd", "'\tcmd"),
        ("\rcmd", "'\rcmd"),
        ("-1.5", "-1.5"),
        ("2.25", "2.25"),
        ("Sepsis", "Sepsis"),
    ],
)
def test_spreadsheet_cells_never_start_a_formula(cell: str, written: str) -> None:
    """OWASP's CSV-injection rule: a leading = + - @ TAB CR gets a quote; a plain
    number (even negative) stays a number the sheet can add up."""
    assert spreadsheet_cell(cell) == written


def test_transcript_csv_neutralises_a_title_and_imports_back_unchanged(
    app: Credtrail, tmp_path: Path, pm: pluggy.PluginManager
) -> None:
    """A title '=HYPERLINK(...)' is written quoted, and the csv import reads it back as typed."""
    title = '=HYPERLINK("http://evil.example","click")'
    _earn(app, title=title)
    text = transcript_csv(app.ledger("md-1"))
    row = next(csv.DictReader(io.StringIO(text)))
    assert row["title"] == "'" + title
    assert row["units"] == "1"
    other = Credtrail.open(str(tmp_path / "other.db"), pm, create=True)
    try:
        path = tmp_path / "transcript.csv"
        path.write_text(text, encoding="utf-8")
        assert import_file(other, path, "csv").written == 1
        (credit,) = other.ledger("md-1").credits.values()
        assert credit.title == title
    finally:
        other.close()


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> World:
    return make_world(tmp_path_factory.mktemp("findings"))


def test_report_and_exports_write_private_files_never_through_symlinks(
    world: World, tmp_path: Path
) -> None:
    """report -o and export -o create 0600 files; an existing file needs --force; a
    symlink is refused and its target left alone."""
    for command in (["report", "md-1"], ["export", "pars"], ["export", "cebroker"]):
        target = tmp_path / f"{command[-1]}.out"
        first = world.run(*command, "-o", str(target))
        assert first.exit_code == 0, first.output
        assert stat.S_IMODE(target.stat().st_mode) == 0o600
        again = world.run(*command, "-o", str(target))
        assert again.exit_code == 1
        assert again.output == f"Error: output file {target} exists; pass --force to replace it\n"
        assert world.run(*command, "-o", str(target), "--force").exit_code == 0
        victim = tmp_path / "victim"
        victim.write_text("keep me")
        link = tmp_path / "link.out"
        link.unlink(missing_ok=True)
        link.symlink_to(victim)
        followed = world.run(*command, "-o", str(link), "--force")
        assert followed.exit_code == 1
        assert "is a symbolic link" in followed.output
        assert victim.read_text() == "keep me"


def test_terminal_never_receives_an_ids_control_sequences(world: World) -> None:
    """Ids and file values quoted in errors and hints are printed without escape
    sequences or bidi overrides."""
    before = fingerprint(world.store)
    for args in (
        ["transcript", "dr\u202eevil"],
        ["credit", "claim", "md-1", "cr-\u202ex", "--authority", "AMA"],
        ["license", "list", "dr\u2066x"],
    ):
        result = world.run(*args)
        assert result.exit_code == 1, result.output
        assert result.output.startswith("Error: ")
        assert not any(c in result.output for c in "\x1b\u202e\u2066\x07"), result.output
    assert fingerprint(world.store) == before


def test_usage_errors_quote_typed_values_without_control_sequences(world: World) -> None:
    """click's own usage errors (exit 2) quote the value typed: printed terminal-safe."""
    result = world.run(
        "license", "add", "md-1", "--requirement", "us-ny-physician", "--issued",
        "2020-01-01", "--attribute", "\u202eab\x1b[2J",
    )  # fmt: skip
    assert result.exit_code == 2
    assert "is not KEY=VALUE" in result.output
    assert not any(c in result.output for c in "\x1b\u202e"), result.output


def test_report_names_json_keys_in_snake_case(world: World) -> None:
    """(guard) the NPI holder lookup does not disturb --json output of clinician commands."""
    result = world.run("transcript", "md-1", "--json")
    assert json.loads(result.output)["clinician_id"] == "md-1"

"""credtrail import / transcript --format / export openbadges / report, as a user types them."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from credtrail.cli.main import cli
from credtrail.plugins import DEFAULT_PLUGINS

from .conftest import CORPUS, CSV_HEADER

Run = Callable[..., Result]

ROWS = [
    "md-1,physician,Ada Lovelace,1234567893,ama_pra_1,1.5,2025-03-01,Mercy CME,ACCME,MH-101,"
    '"Sepsis, update",ethics;pain-management,live,2',
    "md-1,physician,Ada Lovelace,1234567893,ama_pra_2,3,2025-04-01,Journal club,,JC-1,,,,",
    "md-1,physician,Ada Lovelace,1234567893,ama_pra_1,0.25,2025-05-01,Mercy CME,JA,MH-7,,,,",
]


def make_runner(store: Path) -> Run:
    runner = CliRunner()

    def invoke(*args: str) -> Result:
        return runner.invoke(
            cli,
            ["--store", str(store), "--plugins", ",".join(DEFAULT_PLUGINS), *args],
            catch_exceptions=False,
        )

    return invoke


@pytest.fixture
def run(tmp_path: Path) -> Run:
    """credtrail on a fresh, initialised store with the built-in plugins."""
    invoke = make_runner(tmp_path / "cli.db")
    assert invoke("init").exit_code == 0
    return invoke


@pytest.fixture
def credits_csv(tmp_path: Path) -> Path:
    path = tmp_path / "credits.csv"
    path.write_text("\n".join([CSV_HEADER, *ROWS]) + "\n", encoding="utf-8")
    return path


def test_import_then_reimport(run: Run, credits_csv: Path) -> None:
    """The summary counts; the second import says nothing was written."""
    first = run("import", str(credits_csv), "--format", "csv")
    assert first.exit_code == 0
    assert first.output == (
        "Imported credits.csv (csv): read 3, written 3, skipped 0, rejected 0; 1 clinician added\n"
    )
    second = run("import", str(credits_csv), "--format", "csv")
    assert second.output == (
        "Nothing written: every record of credits.csv is already recorded "
        "(read 3, written 0, skipped 3, rejected 0)\n"
    )


def test_rejected_file_exits_1_and_lists_errors(run: Run) -> None:
    """A bad file: exit 1, one line per problem, nothing written."""
    result = run("import", str(CORPUS / "over_precise_units.csv"), "--format", "csv")
    assert result.exit_code == 1
    assert result.output == (
        "Error: over_precise_units.csv: 2 of 3 records rejected; nothing was written "
        "(fix them, or use --partial to import the valid ones):\n"
        "  over_precise_units.csv line 3: units: 1.00001 has more than 4 decimal places "
        "[units-precision]\n"
        "  over_precise_units.csv line 4: units: 1.1 is not a multiple of 0.25 credit, the "
        "increment of AMA PRA Category 1 Credit™ [ama_pra_1-increment]\n"
    )
    assert run("transcript", "dr-a").exit_code == 1


def test_file_error_is_one_line(run: Run) -> None:
    """An unreadable file is one 'Error:' line, no traceback."""
    result = run("import", str(CORPUS / "utf16.csv"), "--format", "csv")
    assert result.exit_code == 1
    assert result.output == (
        "Error: utf16.csv is UTF-16 (it starts with a UTF-16 byte-order mark); save it as "
        "UTF-8 (in Excel: 'CSV UTF-8') and import it again\n"
    )


def test_import_json_and_dry_run(run: Run, credits_csv: Path) -> None:
    """--json prints the summary; --dry-run writes nothing."""
    result = run("import", str(credits_csv), "--format", "csv", "--dry-run", "--json")
    data = json.loads(result.output)
    assert data["dry_run"] is True
    assert (data["written"], data["committed"], data["clinicians_created"]) == (3, False, 1)
    assert run("transcript", "md-1").exit_code == 1


def test_partial_reports_rejections_on_stderr(run: Run) -> None:
    """--partial writes the valid rows, exits 0 and lists the rejected ones."""
    result = run("import", str(CORPUS / "negative_units.csv"), "--format", "csv", "--partial")
    assert result.exit_code == 0
    assert result.stdout == (
        "Imported negative_units.csv (csv): read 2, written 1, skipped 0, rejected 1; "
        "1 clinician added\n"
    )
    assert result.stderr == (
        "Rejected (not imported):\n  negative_units.csv line 3: units: -1 must be a positive "
        "number of units [positive-units]\n"
    )


def test_csv_transcript_round_trip(run: Run, credits_csv: Path, tmp_path: Path) -> None:
    """transcript --format csv, imported into an empty store, gives the identical transcript."""
    run("import", str(credits_csv), "--format", "csv")
    exported = run("transcript", "md-1", "--format", "csv")
    assert exported.exit_code == 0
    path = tmp_path / "export.csv"
    path.write_text(exported.output, encoding="utf-8")
    other = make_runner(tmp_path / "other.db")
    other("init")
    assert other("import", str(path), "--format", "csv").exit_code == 0

    original = json.loads(run("transcript", "md-1", "--format", "json").output)
    copied = json.loads(other("transcript", "md-1", "--json").output)
    # Identical, credit ids included: they hash the clinician, the natural key and
    # the ledger version, and the export lists credits in the order they were earned.
    assert copied == original
    assert len(copied["credits"]) == 3
    assert other("transcript", "md-1", "--format", "csv").output == exported.output


def test_transcript_html_is_one_escaped_page(run: Run, credits_csv: Path) -> None:
    """--format html is a complete page with the credits, escaped, and no external fetch."""
    run("import", str(credits_csv), "--format", "csv")
    html = run("transcript", "md-1", "--format", "html").output
    assert html.startswith("<!DOCTYPE html>")
    assert "Transcript of md-1 — Ada Lovelace" in html
    assert "Sepsis, update" in html
    assert "http://" not in html.replace('xmlns="http://www.w3.org/2000/svg"', "")
    assert "https://" not in html


def test_export_openbadges_writes_a_credential(run: Run, credits_csv: Path, tmp_path: Path) -> None:
    """export openbadges writes an OB 3.0 credential with the credit's fields."""
    run("import", str(credits_csv), "--format", "csv")
    credit_id = json.loads(run("transcript", "md-1", "--json").output)["credits"][0]["credit_id"]
    out = tmp_path / "badge.json"
    refused = run("export", "openbadges", "md-1", credit_id, "-o", str(out))
    assert refused.exit_code == 1
    assert refused.output.startswith("Error: no signing key: give --key FILE")
    result = run("export", "openbadges", "md-1", credit_id, "--unsigned", "-o", str(out))
    assert result.exit_code == 0
    assert result.stderr == f"Wrote {out}\n"
    badge = json.loads(out.read_text(encoding="utf-8"))
    assert badge["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
    subject = badge["credentialSubject"]
    assert (subject["creditsEarned"], subject["achievement"]["creditsAvailable"]) == (1.5, 2)
    assert subject["achievement"]["alignment"][0]["targetCode"] == "ama_pra_1"
    assert subject["achievement"]["accreditor"] == "ACCME"
    assert badge["issuer"]["name"] == subject["achievement"]["creator"]["name"]
    assert "proof" not in badge
    missing = run("export", "openbadges", "md-1", "cr-nope")
    assert missing.exit_code == 1
    assert missing.output == (
        "Error: clinician 'md-1' has no credit 'cr-nope'; see 'credtrail transcript md-1'\n"
    )


def test_report_command_writes_one_html_file(run: Run, credits_csv: Path, tmp_path: Path) -> None:
    """report -o FILE writes the page (licence sections included) and says where."""
    run("import", str(credits_csv), "--format", "csv")
    assert (
        run(
            "license",
            "add",
            "md-1",
            "--requirement",
            "us-ca-physician",
            "--issued",
            "2015-05-01",
            "--expires",
            "2027-08-31",
        ).exit_code
        == 0
    )
    out = tmp_path / "report.html"
    result = run("report", "md-1", "--on", "2026-01-10", "-o", str(out))
    assert (result.exit_code, result.stderr) == (0, f"Wrote {out}\n")
    html = out.read_text(encoding="utf-8")
    assert "<h2>Medical Board of California — Physician (MD) licence</h2>" in html
    assert "requirement us-ca-physician version v1" in html
    assert "<h2>Appendix B: transcript</h2>" in html
    unknown = run("report", "md-9")
    assert unknown.exit_code == 1
    assert unknown.output.startswith("Error: unknown clinician 'md-9'")


def test_rejected_import_with_json_exits_1_with_the_summary(run: Run) -> None:
    """--json on a rejected file prints the summary (errors included) and exits 1."""
    result = run("import", str(CORPUS / "duplicate_rows.csv"), "--format", "csv", "--json")
    assert result.exit_code == 1
    data = json.loads(result.output)
    assert (data["committed"], data["read"], data["rejected"], data["written"]) == (
        False,
        2,
        1,
        0,
    )
    assert data["errors"][0].endswith("[duplicate-in-file]")

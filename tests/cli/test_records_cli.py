"""Corrections (``credit amend``, import conflicts and ``--amend``) and certificates
(``credit attach|certificate``), end to end through the CLI on SQLite and PostgreSQL."""

from __future__ import annotations

import hashlib
import json
import os
import stat
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from credtrail.cli.main import cli
from credtrail.core.clock import frozen_at
from credtrail.plugins import DEFAULT_PLUGINS

Run = Callable[..., Result]

PARS_HEADER = "\t".join(
    [
        "ProviderID",
        "ActivityID",
        "GivenName",
        "FamilyName",
        "BirthMonth",
        "BirthDay",
        "NPI",
        "LicenseState",
        "LicenseNumber",
        "CompletedDateTime",
        "ActivityCertification",
        "NumberOfCredits",
        "LearnerRecordAction",
    ]
)
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


@pytest.fixture
def run(store_url: str) -> Run:
    """credtrail on a fresh store (each backend) with physician md-1."""
    runner = CliRunner()

    def invoke(*args: str) -> Result:
        return runner.invoke(
            cli, ["--store", store_url, "--plugins", ",".join(DEFAULT_PLUGINS), *args]
        )

    assert invoke("init").exit_code == 0
    added = invoke("clinician", "add", "md-1", "--profession", "physician", "--name", "Ann Able")
    assert added.exit_code == 0, added.output
    return invoke


def earn(run: Run, units: str = "0.25", activity: str = "MH-101") -> str:
    result = run(
        "credit", "earn", "md-1", "--type", "ama_pra_1", "--units", units,
        "--date", "2025-03-01", "--provider", "Mercy CME", "--accreditor", "ACCME",
        "--activity", activity,
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    return result.output.strip()


def transcript(run: Run) -> dict[str, dict[str, object]]:
    result = run("transcript", "md-1", "--json")
    assert result.exit_code == 0, result.output
    return {c["credit_id"]: c for c in json.loads(result.output)["credits"]}


# ---------------------------------------------------------------------- amendments


def test_amend_corrects_units_and_keeps_who_and_why(run: Run) -> None:
    """0.25 -> 5: the transcript view shows 5, the amendment's author, reason and field."""
    with frozen_at(at("2030-01-10T09:00:00")):
        credit = earn(run)
    with frozen_at(at("2030-02-01T09:00:00")):
        result = run(
            "credit", "amend", "md-1", credit, "--units", "5",
            "--reason", "provider corrected the hours", "--by", "cme-office",
        )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert result.output == f"Amended {credit}:\n  units: 0.25 -> 5\n"
    shown = transcript(run)[credit]
    assert shown["units"] == "5"
    assert shown["amendments"] == [
        {
            "at": "2030-02-01T09:00:00Z",
            "by": "cme-office",
            "reason": "provider corrected the hours",
            "fields": ["units"],
        }
    ]
    text = run("transcript", "md-1").output
    assert (
        f"Amended {credit} on 2030-02-01 by cme-office (units): provider corrected the hours"
        in text
    )


def test_amend_json_lists_old_and_new_values(run: Run) -> None:
    """--json: one object per changed field, snake_case keys."""
    credit = earn(run)
    result = run(
        "credit", "amend", "md-1", credit, "--units", "1", "--title", "Sepsis update",
        "--reason", "typo", "--json",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert json.loads(result.output) == {
        "credit_id": credit,
        "changes": [
            {"field": "units", "old": "0.25", "new": "1"},
            {"field": "title", "old": None, "new": "Sepsis update"},
        ],
    }


@pytest.mark.parametrize(
    ("setup", "args", "message"),
    [
        (
            "claim",
            ["--units", "0.25"],
            "Error: credit '{id}' already has these values; nothing to amend\n",
        ),
        (
            "claim",
            ["--date", "2025-03-05"],
            "Error: date: cannot amend credit '{id}' to completed on 2025-03-05: it was "
            "claimed toward AMA on 2025-03-02 [claim-after-completion]\n",
        ),
        (
            "revoke",
            ["--units", "5"],
            "Error: credit '{id}' was revoked (entered twice); a revoked credit cannot be "
            "amended\n",
        ),
        (
            "claim",
            ["--units", "0.3"],
            "Error: credit rejected: units: 0.3 is not a multiple of 0.25 credit, the "
            "increment of AMA PRA Category 1 Credit™ [ama_pra_1-increment]\n",
        ),
    ],
)
def test_amend_refusals(run: Run, setup: str, args: list[str], message: str) -> None:
    """Nothing to change, a date after a claim, a revoked credit, an invalid value: exit 1,
    one line, nothing written."""
    credit = earn(run)
    if setup == "claim":
        claimed = run(
            "credit", "claim", "md-1", credit, "--authority", "AMA", "--date", "2025-03-02"
        )
        assert claimed.exit_code == 0, claimed.output
    else:
        assert run("credit", "revoke", "md-1", credit, "--reason", "entered twice").exit_code == 0
    before = transcript(run)
    result = run("credit", "amend", "md-1", credit, *args, "--reason", "check")
    assert result.exit_code == 1
    assert result.output == message.format(id=credit)
    assert transcript(run) == before


def test_amend_below_claimed_units_is_refused(run: Run) -> None:
    """Decided: claims are never cut silently; amending under the claimed units is refused."""
    credit = earn(run, "2")
    claimed = run("credit", "claim", "md-1", credit, "--authority", "AMA", "--date", "2025-03-02")
    assert claimed.exit_code == 0
    result = run("credit", "amend", "md-1", credit, "--units", "1", "--reason", "fewer hours")
    assert result.exit_code == 1
    assert result.output == (
        f"Error: units: cannot amend credit '{credit}' to 1 units: 2 are already claimed "
        "toward AMA [claim-within-earned]\n"
    )
    ok = run("credit", "amend", "md-1", credit, "--units", "3", "--reason", "more hours")
    assert ok.exit_code == 0, ok.output


def test_amend_without_a_field_is_a_usage_error(run: Run) -> None:
    """No field to correct: click's usage error, exit 2."""
    credit = earn(run)
    result = run("credit", "amend", "md-1", credit, "--reason", "nothing")
    assert result.exit_code == 2
    assert "give at least one field to correct, e.g. --units 5" in result.output


def test_amending_a_key_field_moves_the_natural_key(run: Run) -> None:
    """After --activity MH-102 the credit is found under the new key: earning MH-102 again is
    a duplicate, earning MH-101 is a new credit."""
    credit = earn(run)
    moved = run("credit", "amend", "md-1", credit, "--activity", "MH-102", "--reason", "wrong id")
    assert moved.exit_code == 0, moved.output
    assert moved.output == f"Amended {credit}:\n  activity_id: MH-101 -> MH-102\n"
    again = run(
        "credit", "earn", "md-1", "--type", "ama_pra_1", "--units", "0.25",
        "--date", "2025-03-01", "--provider", "Mercy CME", "--accreditor", "ACCME",
        "--activity", "MH-102",
    )  # fmt: skip
    assert again.exit_code == 1
    assert f"already has this credit (same provider, activity, date and type) as '{credit}'" in (
        again.output
    )
    assert earn(run, activity="MH-101") != credit


def test_as_of_replay_shows_the_value_before_and_after_and_diff_names_the_reason(
    run: Run,
) -> None:
    """audit replay before the amendment shows 0.25, after it 5; --diff lists the amendment
    with its reason and author."""
    with frozen_at(at("2030-01-10T09:00:00")):
        credit = earn(run)
    with frozen_at(at("2030-02-01T09:00:00")):
        amended = run(
            "credit", "amend", "md-1", credit, "--units", "5",
            "--reason", "provider corrected", "--by", "ops",
        )  # fmt: skip
        assert amended.exit_code == 0, amended.output

    def units_as_of(instant: str, *extra: str) -> tuple[str, dict[str, object]]:
        result = run("audit", "replay", "--as-of", instant, "--clinician", "md-1", "--json", *extra)
        assert result.exit_code == 0, result.output
        data = json.loads(result.output)
        (person,) = data["clinicians"]
        return person["transcript"]["credits"][0]["units"], data

    before, data = units_as_of("2030-01-20T00:00:00Z", "--diff")
    assert before == "0.25"
    assert [(c["why"], c["summary"]) for c in data["changes"]] == [
        ("amendment", f"{credit} amended by ops: units 0.25 -> 5 (reason: provider corrected)")
    ]
    after, _ = units_as_of("2030-02-02T00:00:00Z")
    assert after == "5"


def test_status_rejudges_an_amended_credit(run: Run) -> None:
    """The compliance view re-judges: more units count more; a date moved to the previous
    cycle takes the credit out of the current one."""
    lic = run(
        "license", "add", "md-1", "--requirement", "us-tx-physician",
        "--issued", "2020-04-01", "--expires", "2026-03-31",
    )  # fmt: skip
    assert lic.exit_code == 0, lic.output
    credit = earn(run, "8")

    def counted() -> str:
        result = run("status", "md-1", "--on", "2025-12-01", "--json")
        assert result.exit_code == 0, result.output
        (row,) = json.loads(result.output)
        return str(row["counted"])

    assert counted() == "8"
    assert run("credit", "amend", "md-1", credit, "--units", "12", "--reason", "r").exit_code == 0
    assert counted() == "12"
    moved = run("credit", "amend", "md-1", credit, "--date", "2023-06-01", "--reason", "r")
    assert moved.exit_code == 0, moved.output
    assert counted() == "0"


# ------------------------------------------------------------------- import conflicts


def pars(tmp_path: Path, units: str, name: str = "batch.tsv") -> Path:
    row = "\t".join(
        [
            "1234567", "123456789", "Ann", "Able", "", "", "1234567893", "", "",
            "2025-03-15", "AMA PRA Category 1 Credit", units, "add",
        ]
    )  # fmt: skip
    path = tmp_path / name
    path.write_text(f"{PARS_HEADER}\n{row}\n", encoding="utf-8")
    return path


def test_reimport_with_corrected_units_is_a_conflict_until_amend(run: Run, tmp_path: Path) -> None:
    """The issue's PARS case: 0.25 then 5 for the same key is a conflict naming file, line,
    field, both values (exit 1, nothing written); --amend applies it; re-running skips."""
    first = run("import", str(pars(tmp_path, "0.25")), "--format", "pars")
    assert first.exit_code == 0, first.output
    corrected = pars(tmp_path, "5", "corrected.tsv")
    conflict = run("import", str(corrected), "--format", "pars")
    assert conflict.exit_code == 1
    assert conflict.output.splitlines()[1].startswith(
        "  corrected.tsv line 2: units: recorded 0.25, the file says 5 (same learner, provider, "
        "activity, date and type as credit cr-"
    )
    assert conflict.output.splitlines()[1].endswith(
        "import with --amend to correct the record [recorded-differs]"
    )
    (shown,) = json.loads(run("transcript", "npi:1234567893", "--json").output)["credits"]
    assert shown["units"] == "0.25"

    dry = run("import", str(corrected), "--format", "pars", "--amend", "--dry-run")
    assert dry.output == (
        "Dry run of corrected.tsv, nothing written. A real run would say: Imported "
        "corrected.tsv (pars): read 1, written 0, amended 1, skipped 0, rejected 0\n"
    )
    real = run("import", str(corrected), "--format", "pars", "--amend", "--by", "cme-office")
    assert real.output == (
        "Imported corrected.tsv (pars): read 1, written 0, amended 1, skipped 0, rejected 0\n"
    )
    (shown,) = json.loads(run("transcript", "npi:1234567893", "--json").output)["credits"]
    assert shown["units"] == "5"
    assert shown["amendments"][0]["by"] == "cme-office"
    assert shown["amendments"][0]["reason"] == "corrected by pars import, corrected.tsv line 2"
    again = run("import", str(corrected), "--format", "pars", "--amend")
    assert again.output == (
        "Nothing written: every record of corrected.tsv is already recorded "
        "(read 1, written 0, skipped 1, rejected 0)\n"
    )


def test_import_amend_that_would_undo_a_claim_is_rejected(run: Run, tmp_path: Path) -> None:
    """--amend to fewer units than claimed is a rejected record (exit 1, nothing written)."""
    assert run("import", str(pars(tmp_path, "2")), "--format", "pars").exit_code == 0
    (shown,) = json.loads(run("transcript", "npi:1234567893", "--json").output)["credits"]
    credit = shown["credit_id"]
    claim = ("credit", "claim", "npi:1234567893", credit, "--authority", "AMA")
    assert run(*claim, "--date", "2025-03-20").exit_code == 0
    lower = pars(tmp_path, "1", "lower.tsv")
    result = run("import", str(lower), "--format", "pars", "--amend")
    assert result.exit_code == 1
    assert result.output.splitlines()[1] == (
        f"  lower.tsv line 2: record: units: cannot amend credit '{credit}' to 1 units: 2 are "
        "already claimed toward AMA [claim-within-earned] [amendment-allowed]"
    )
    (shown,) = json.loads(run("transcript", "npi:1234567893", "--json").output)["credits"]
    assert (shown["units"], shown["amendments"]) == ("2", [])


def test_dry_run_says_what_the_real_run_says(run: Run, tmp_path: Path) -> None:
    """One wording: the dry run's line ends with the very line the real run prints."""
    path = pars(tmp_path, "1")
    dry = run("import", str(path), "--format", "pars", "--dry-run")
    real = run("import", str(path), "--format", "pars")
    assert real.output == (
        "Imported batch.tsv (pars): read 1, written 1, skipped 0, rejected 0; 1 clinician added\n"
    )
    assert (
        dry.output == f"Dry run of batch.tsv, nothing written. A real run would say: {real.output}"
    )


# -------------------------------------------------------------------- certificates


def test_attach_list_and_get_back_a_certificate(run: Run, tmp_path: Path) -> None:
    """attach keeps the PDF by sha256; transcript lists it; certificate -o writes the same
    bytes, 0600; attaching it again is idempotent."""
    credit = earn(run)
    pdf = tmp_path / "mercy-certificate.pdf"
    pdf.write_bytes(PDF)
    digest = hashlib.sha256(PDF).hexdigest()
    attached = run("credit", "attach", "md-1", credit, str(pdf), "--json")
    assert attached.exit_code == 0, attached.output
    assert json.loads(attached.output) == {
        "credit_id": credit,
        "sha256": digest,
        "media_type": "application/pdf",
        "filename": "mercy-certificate.pdf",
        "size": len(PDF),
        "attached": True,
    }
    again = run("credit", "attach", "md-1", credit, str(pdf))
    assert again.output == (
        f"Already attached: mercy-certificate.pdf (application/pdf, {len(PDF)} bytes, "
        f"sha256 {digest}) to {credit}\n"
    )
    (cert,) = transcript(run)[credit]["certificates"]  # type: ignore[misc]
    assert (cert["sha256"], cert["filename"]) == (digest, "mercy-certificate.pdf")
    assert (
        f"Certificate of {credit}: mercy-certificate.pdf (application/pdf, {len(PDF)} bytes, "
        f"sha256 {digest[:16]})" in run("transcript", "md-1").output
    )
    out = tmp_path / "back.pdf"
    got = run("credit", "certificate", "md-1", credit, "-o", str(out))
    assert got.exit_code == 0, got.output
    assert out.read_bytes() == PDF
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    assert run("credit", "certificate", "md-1", credit).stdout_bytes == PDF  # redirected
    assert "mercy-certificate.pdf" in run("report", "md-1").output


@pytest.mark.parametrize(
    ("kind", "message"),
    [
        ("text", "is not a PDF or an image (PNG, JPEG, GIF, WebP, TIFF) by its content"),
        ("fifo", "is not a regular file (a device or pipe); give the certificate file"),
        ("empty", "is empty; give the certificate's PDF or image"),
    ],
)
def test_attach_refuses_what_is_not_a_certificate(
    run: Run, tmp_path: Path, kind: str, message: str
) -> None:
    """A text file named .pdf, a FIFO, an empty file: one line, exit 1, nothing recorded."""
    credit = earn(run)
    path = tmp_path / "certificate.pdf"
    if kind == "fifo":
        os.mkfifo(path)
    else:
        path.write_bytes(b"" if kind == "empty" else b"just text, renamed\n")
    result = run("credit", "attach", "md-1", credit, str(path))
    assert result.exit_code == 1
    assert message in result.output
    assert transcript(run)[credit]["certificates"] == []


def test_attach_refuses_a_file_over_the_limit(
    run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A certificate larger than the bound is refused by its bytes read, not its name."""
    from credtrail.core.exchange import certificates

    monkeypatch.setattr(certificates, "MAX_CERTIFICATE", 1000)
    credit = earn(run)
    big = tmp_path / "scan.png"
    big.write_bytes(PNG + b"\x00" * 2000)
    result = run("credit", "attach", "md-1", credit, str(big))
    assert result.exit_code == 1
    assert result.output == "Error: scan.png is larger than the 0 MB a certificate may have\n"


def test_bundle_includes_certificates_and_verify_checks_them(run: Run, tmp_path: Path) -> None:
    """The evidence bundle carries each certificate under its sha256; verify proves them and
    fails when one is swapped."""
    credit = earn(run)
    png = tmp_path / "cert.png"
    png.write_bytes(PNG)
    assert run("credit", "attach", "md-1", credit, str(png)).exit_code == 0
    out = tmp_path / "bundle"
    exported = run("audit", "export", "md-1", "--as-of", "2100-01-01", "-o", str(out))
    assert exported.exit_code == 0, exported.output
    name = f"certificates/{hashlib.sha256(PNG).hexdigest()}.png"
    assert (out / name).read_bytes() == PNG
    verified = run("audit", "verify", "--bundle", str(out))
    assert verified.exit_code == 0, verified.output
    assert "certificates matching their recorded SHA-256: 1" in verified.output
    (out / name).write_bytes(PNG + b"tampered")
    broken = run("audit", "verify", "--bundle", str(out), "--json")
    assert broken.exit_code == 1
    assert f"{name} was changed after export" in json.loads(broken.output)["problem"]


def test_audit_verify_reports_a_changed_certificate(
    run: Run, store_url: str, tmp_path: Path
) -> None:
    """audit verify proves each certificate against its chained hash: a row changed in
    credtrail_attachments is reported, and credit certificate refuses to hand it out."""
    from credtrail.core.application import Credtrail
    from credtrail.core.audit.reader import LogReader
    from credtrail.core.plugins import build_plugin_manager
    from credtrail.plugins import builtin_plugins

    credit = earn(run)
    pdf = tmp_path / "c.pdf"
    pdf.write_bytes(PDF)
    assert run("credit", "attach", "md-1", credit, str(pdf)).exit_code == 0
    assert run("audit", "verify").exit_code == 0
    pm = build_plugin_manager(builtin_plugins(), load_entrypoints=False)
    app = Credtrail.open(store_url, pm)
    try:
        reader = LogReader(app.store)
        table = app.store.qualified("credtrail_attachments")
        with reader.datastore.transaction(commit=True) as cursor:
            cursor.execute(reader.sql(f"UPDATE {table} SET data = ?"), [PDF + b"forged"])
    finally:
        app.close()
    result = run("audit", "verify")
    assert result.exit_code == 1
    assert "certificate file changed: the stored file" in result.output
    assert "does not match its recorded sha256" in result.output
    got = run("credit", "certificate", "md-1", credit, "-o", str(tmp_path / "out.pdf"))
    assert got.exit_code == 1
    assert not (tmp_path / "out.pdf").exists()

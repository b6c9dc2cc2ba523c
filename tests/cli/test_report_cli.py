"""``credtrail report`` as a user types it, on SQLite and PostgreSQL: HTML and PDF."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import Result

Run = Callable[..., Result]


@pytest.fixture
def chen(run: Run) -> Run:
    """Dr Chen: a Texas licence (Q4521), NPI 1234567893, the AMA award, three credits."""
    added = run(
        "clinician", "add", "dr-chen", "--profession", "physician",
        "--name", "Mei Chen", "--npi", "1234567893",
    )  # fmt: skip
    assert added.exit_code == 0, added.output
    for args in (
        ("--requirement", "us-tx-physician", "--issued", "2019-04-01",
         "--expires", "2027-03-31", "--number", "Q4521"),
        ("--requirement", "ama-pra-award-3y", "--issued", "2024-01-01"),
    ):  # fmt: skip
        assert run("license", "add", "dr-chen", *args).exit_code == 0
    for n, (units, day, topic) in enumerate(
        [("12", "2025-06-10", None), ("2", "2025-08-14", "ethics"), ("1", "2025-09-03", None)]
    ):
        earned = run(
            "credit", "earn", "dr-chen", "--type", "ama_pra_1", "--units", units,
            "--date", day, "--provider", "Baylor CME", "--accreditor", "ACCME",
            "--activity", f"BCM-{n}", "--title", f"Course {n}",
            *(["--topic", topic] if topic else []),
        )  # fmt: skip
        assert earned.exit_code == 0, earned.output
    return run


def test_report_html_per_requirement(chen: Run, tmp_path: Path) -> None:
    """The HTML report names the board's licence, its number and the NPI; --requirement keeps
    one page."""
    out = tmp_path / "chen.html"
    result = chen("report", "dr-chen", "--on", "2026-01-10", "-o", str(out))
    assert result.exit_code == 0, result.output
    html = out.read_text(encoding="utf-8")
    assert "Texas Medical Board — Physician (MD/DO) licence" in html
    assert "Q4521" in html
    assert "1234567893" in html
    assert html.count('<section class="page requirement') == 2
    only = chen("report", "dr-chen", "--on", "2026-01-10", "--requirement", "us-tx-physician")
    assert only.exit_code == 0, only.output
    assert only.output.count('<section class="page requirement') == 1
    assert "AMA PRA certificate" not in only.output


def test_report_pdf(chen: Run, tmp_path: Path) -> None:
    """--format pdf prints through headless Chromium; the PDF's text has the licence number
    and each part of the Texas renewal."""
    if shutil.which("chromium") is None or shutil.which("pdftotext") is None:
        pytest.skip("needs Debian's chromium and poppler-utils")
    pdf = tmp_path / "chen.pdf"
    result = chen(
        "report", "dr-chen", "--on", "2026-01-10", "--requirement", "us-tx-physician",
        "--format", "pdf", "--paper", "a4", "-o", str(pdf),
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert pdf.read_bytes().startswith(b"%PDF-")
    text = subprocess.run(
        ["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    flat = " ".join(text.split())
    assert "Q4521" in flat
    for label in ("Total CME credits (formal and informal)", "Formal AMA PRA Category 1"):
        assert label in flat
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True)
    assert "pts (A4)" in info.stdout


def test_report_mistakes(chen: Run, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """A PDF without -o, without Chromium, or a requirement not held: one clear line, exit 1."""
    no_file = chen("report", "dr-chen", "--format", "pdf")
    assert (no_file.exit_code, no_file.output) == (
        1,
        "Error: --format pdf writes a file: give -o FILE.pdf\n",
    )
    not_held = chen("report", "dr-chen", "--requirement", "us-ca-physician")
    assert not_held.exit_code == 1
    assert not_held.output.startswith("Error: clinician 'dr-chen' holds no licence for us-ca")
    monkeypatch.setenv("PATH", str(tmp_path))
    missing = chen("report", "dr-chen", "--format", "pdf", "-o", str(tmp_path / "x.pdf"))
    assert missing.exit_code == 1
    assert missing.output.startswith("Error: --format pdf needs Chromium: install it")
    assert not (tmp_path / "x.pdf").exists()

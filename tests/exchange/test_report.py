"""The HTML compliance report: real evaluations rendered, and a clean render in Chromium."""

from __future__ import annotations

import re
import shutil
import struct
import subprocess
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from credtrail.core.application import Credtrail
from credtrail.core.exchange import import_file
from credtrail.core.exchange.compliance import report_facts
from credtrail.core.exchange.render import ReportFacts, html_to_pdf, report_html

from .conftest import CSV_HEADER

ROWS = [
    "md-1,physician,Ada <Lovelace>,1234567893,ama_pra_1,10,2025-10-01,Mercy CME,ACCME,MH-101,"
    "Sepsis update,,live,10",
    "md-1,physician,Ada <Lovelace>,1234567893,ama_pra_1,12,2025-11-01,Mercy CME,ACCME,MH-102,"
    "Pain management,,live,12",
    "md-1,physician,Ada <Lovelace>,1234567893,ama_pra_2,8,2025-12-01,Journal club,,JC-1,,,,",
]
ON = date(2026, 1, 10)


@pytest.fixture
def facts(sqlite_app: Credtrail, write: Callable[[str, str], Path]) -> ReportFacts:
    """A physician with a California licence (A 178234), a Texas licence (Q4521) and the
    AMA award, as of 2026-01-10."""
    sqlite_app.sync_builtin_requirements()
    import_file(sqlite_app, write("c.csv", "\n".join([CSV_HEADER, *ROWS]) + "\n"), "csv")
    sqlite_app.add_license(
        "md-1", "us-ca-physician", date(2025, 5, 1), expires_on=date(2027, 4, 30), number="A 178234"
    )
    sqlite_app.add_license(
        "md-1", "us-tx-physician", date(2019, 4, 1), expires_on=date(2027, 3, 31), number="Q4521"
    )
    sqlite_app.add_license("md-1", "ama-pra-award-3y", date(2024, 1, 1))
    return report_facts(sqlite_app, "md-1", ON)


@pytest.fixture
def report(facts: ReportFacts) -> str:
    """The report's HTML."""
    return report_html(facts)


def _main_and_appendix(report: str) -> tuple[str, str]:
    main, appendix = report.split("Appendix A: how credtrail judged", 1)
    return main, appendix


def test_report_pages_in_the_order_a_board_reads(facts: ReportFacts, report: str) -> None:
    """Licences first, then the award, each on its own printed page, labelled by kind."""
    assert [h.evaluation.requirement for h in facts.holdings] == [
        "us-ca-physician",
        "us-tx-physician",
        "ama-pra-award-3y",
    ]
    assert [h.kind for h in facts.holdings] == ["licence", "licence", "award"]
    assert report.count('<section class="page requirement') == 3
    assert "break-before:page" in report
    assert "@page{size:letter" in report
    assert "@page{size:A4" in report_html(facts, paper="a4")
    main, _ = _main_and_appendix(report)
    assert '<div class="kind">Award</div>' in main
    assert "AMA Physician&#x27;s Recognition Award (PRA) — AMA PRA certificate" in main
    assert "Award number" in main
    assert "Licence number</dt><dd>A 178234" in main


def test_report_names_the_licence_as_the_board_does(report: str) -> None:
    """Licence number, NPI and the authority's own name for the licence; no internal ids."""
    main, appendix = _main_and_appendix(report)
    assert "Medical Board of California — Physician (MD) licence" in main
    assert "Texas Medical Board — Physician (MD/DO) licence" in main
    assert "<dt>NPI</dt><dd>1234567893</dd>" in main
    assert "Q4521" in main
    assert "us-ca-physician#1" not in main
    assert "us-ca-physician#1" in appendix


def test_report_shows_cycle_days_left_parts_and_credits(facts: ReportFacts, report: str) -> None:
    """Per requirement: the cycle, days left, each part with a bar, the credits counted and
    those not counted with why, the citation and an attestation to sign."""
    ca = facts.holdings[0].evaluation
    total = ca.parts[0]
    assert (total.required, total.counted) == (Decimal(50), Decimal(22))
    main, _ = _main_and_appendix(report)
    assert "2025-05-01 to 2027-04-30 (renewal 1)" in main
    assert f"2027-04-30 ({(date(2027, 4, 30) - ON).days} days left)" in main
    assert 'aria-label="Approved CME hours (recognised providers): 22 of 50"' in main
    filled = re.search(r'width="(\d+)" height="14" rx="3" fill="#e0a100"', main)
    assert filled is not None
    assert filled.group(1) == str(round(200 * 22 / 50))
    assert "Still needed: 28 Approved CME hours (recognised providers)" in main
    assert "12 toward Approved CME hours (recognised providers)" in main
    assert "Credits not counted" in main
    assert "AMA PRA Category 2 Credit™ does not count toward this requirement" in main
    assert "Medical Board of California, 16 Cal. Code Regs. §1336" in main
    assert main.count('<div class="attest"><h3>Attestation</h3>') == 3
    assert "I, Ada &lt;Lovelace&gt;, attest" in main
    assert "for licence number A 178234" in main
    assert "<Lovelace>" not in report


def test_one_time_mandates_not_due_are_not_missing(report: str) -> None:
    """A one-time course not due at this renewal is listed apart, never as missing."""
    main, _ = _main_and_appendix(report)
    ca = main.split("Medical Board of California — Physician (MD) licence</h2>", 1)[1]
    ca = ca.split("</section>", 1)[0]
    assert "<h3>Not required at this renewal</h3>" in ca
    assert "one-time requirement, due by 2029-04-30" in ca
    assert "missing 12" not in ca
    assert re.findall(r'class="badge ([a-z_-]+)"', ca) == ["in_progress", "missing"]


def test_engineering_notes_only_in_the_appendix(report: str) -> None:
    """Rule notes (golden scenarios, gaps), version numbers and raw licence facts stay in the
    appendix."""
    main, appendix = _main_and_appendix(report)
    assert "golden scenario G09" in appendix
    for text in ("golden scenario", "GAP", "NEEDS:", "version v", "=yes", "confidence"):
        assert text not in main, text


def test_report_fetches_nothing(report: str) -> None:
    """Self-contained: no script, no link, a CSP that forbids every fetch."""
    assert "<script" not in report
    assert "<link" not in report
    assert "src=" not in report
    assert "default-src 'none'" in report


def test_every_builtin_authority_names_its_credential(facts: ReportFacts, pm: object) -> None:
    """Every built-in authority says what it issues, so no report falls back to a bare name."""
    from credtrail.core.registry import build_registry

    registry = build_registry(pm)  # type: ignore[arg-type]
    assert [code for code, a in registry.authorities.items() if not a.credential] == []
    kinds = {code: a.credential_kind for code, a in registry.authorities.items()}
    assert (kinds["AMA"], kinds["NCCPA"], kinds["DEA"], kinds["TX-TMB"]) == (
        "award",
        "certification",
        "registration",
        "licence",
    )


CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
    "--enable-logging=stderr",
    "--v=0",
    "--window-size=1100,1400",
]


def needs_chromium() -> str:
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        pytest.skip("Debian's chromium is not installed (apt-get install -y chromium)")
    return chromium


def render(page: Path, png: Path, profile: Path) -> list[str]:
    """Screenshot ``page`` in headless Chromium; return the console lines it logged."""
    chromium = needs_chromium()
    done = subprocess.run(
        [
            chromium,
            *CHROMIUM_FLAGS,
            f"--user-data-dir={profile}",
            f"--screenshot={png}",
            page.as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return [line for line in done.stderr.splitlines() if ":CONSOLE" in line]


def png_size(png: Path) -> tuple[int, int]:
    data = png.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def test_console_check_catches_errors(tmp_path: Path) -> None:
    """The console check is real: a page that logs an error is caught."""
    page = tmp_path / "bad.html"
    page.write_text("<!DOCTYPE html><script>console.error('boom-1')</script>", encoding="utf-8")
    lines = render(page, tmp_path / "bad.png", tmp_path / "profile")
    assert any("boom-1" in line for line in lines)


def test_report_renders_in_chromium_without_console_errors(report: str, tmp_path: Path) -> None:
    """Headless Chromium renders the report to a screenshot with nothing on the console."""
    page = tmp_path / "report.html"
    page.write_text(report, encoding="utf-8")
    png = tmp_path / "report.png"
    assert render(page, png, tmp_path / "profile") == []
    assert png_size(png) == (1100, 1400)
    assert png.stat().st_size > 20_000  # a blank page compresses to a few kB


def test_report_prints_to_pdf_with_licence_number_and_each_part(
    facts: ReportFacts, report: str, tmp_path: Path
) -> None:
    """Chromium prints one page or more per requirement; the PDF's text holds the licence
    numbers, the NPI and every part the renewal asks for."""
    needs_chromium()
    pdftotext = shutil.which("pdftotext")
    if pdftotext is None:
        pytest.skip("Debian's poppler-utils is not installed (apt-get install -y poppler-utils)")
    pdf = tmp_path / "report.pdf"
    pdf.write_bytes(html_to_pdf(report))
    text = subprocess.run(
        [pdftotext, str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    flat = " ".join(text.split())
    for needle in ("A 178234", "Q4521", "NPI 1234567893", "Attestation"):
        assert needle in flat, needle
    for holding in facts.holdings:
        for part in holding.evaluation.parts:
            if part.status not in ("not-due", "not-applicable"):
                assert " ".join(part.label.split()) in flat, part.label
    pages = text.count("\f")
    assert pages >= 1 + len(facts.holdings) + 1

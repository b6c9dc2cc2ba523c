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
from credtrail.core.exchange.compliance import evaluations_for
from credtrail.core.exchange.render import report_html

from .conftest import CSV_HEADER

ROWS = [
    "md-1,physician,Ada <Lovelace>,1234567893,ama_pra_1,10,2025-10-01,Mercy CME,ACCME,MH-101,"
    "Sepsis update,,live,10",
    "md-1,physician,Ada <Lovelace>,1234567893,ama_pra_1,12,2025-11-01,Mercy CME,ACCME,MH-102,"
    "Pain management,pain-management,live,12",
    "md-1,physician,Ada <Lovelace>,1234567893,ama_pra_2,8,2025-12-01,Journal club,,JC-1,,,,",
]
ON = date(2026, 1, 10)


@pytest.fixture
def report(sqlite_app: Credtrail, write: Callable[[str, str], Path]) -> str:
    """The report of a physician with a California licence, as of 2026-01-10."""
    sqlite_app.sync_builtin_requirements()
    import_file(sqlite_app, write("c.csv", "\n".join([CSV_HEADER, *ROWS]) + "\n"), "csv")
    sqlite_app.add_license(
        "md-1", "us-ca-physician", date(2015, 5, 1), expires_on=date(2027, 8, 31)
    )
    evaluations = evaluations_for(sqlite_app, "md-1", ON)
    assert [e.requirement for e in evaluations] == ["us-ca-physician"]
    return report_html(sqlite_app.transcript("md-1"), evaluations)


def test_report_shows_bars_missing_and_citation(report: str, sqlite_app: Credtrail) -> None:
    """Per part: an SVG bar (amber while the cycle is open), what is missing, the citation."""
    (evaluation,) = evaluations_for(sqlite_app, "md-1", ON)
    total = evaluation.parts[0]
    assert (total.required, total.counted) == (Decimal(50), Decimal(22))
    assert 'aria-label="Approved CME hours (recognised providers): 22 of 50"' in report
    filled = re.search(r'width="(\d+)" height="14" rx="3" fill="#e0a100"', report)
    assert filled is not None
    assert filled.group(1) == str(round(320 * 22 / 50))
    assert "<strong>Missing:</strong> 28 Approved CME hours" in report
    assert "Rule: Medical Board of California, 16 Cal. Code Regs. §1336" in report
    assert "Ada &lt;Lovelace&gt;" in report
    assert "<Lovelace>" not in report


def test_report_fetches_nothing(report: str) -> None:
    """Self-contained: no script, no link, a CSP that forbids every fetch."""
    assert "<script" not in report
    assert "<link" not in report
    assert "src=" not in report
    assert "default-src 'none'" in report


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


def render(page: Path, png: Path, profile: Path) -> list[str]:
    """Screenshot ``page`` in headless Chromium; return the console lines it logged."""
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        pytest.skip("Debian's chromium is not installed (apt-get install -y chromium)")
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

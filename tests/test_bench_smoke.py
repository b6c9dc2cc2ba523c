"""Every benchmark in bench/ still runs (tiny sizes; figures are printed, never asserted)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parent.parent / "bench"


@pytest.mark.slow
@pytest.mark.parametrize(
    "args",
    [
        ["record_credits.py", "--credits", "100", "--clinicians", "10", "--batch", "50"],
        ["import_bench.py", "--rows", "200"],
        ["run.py", "--events", "2000"],
        ["audit_bench.py", "--events", "2000", "--runs", "5", "--sample", "5"],
        ["startup.py", "--runs", "1"],
        ["judging.py", "--clinicians", "20", "--runs", "1"],
        ["roster.py", "--clinicians", "20", "--runs", "1"],
        ["deadlines.py", "--clinicians", "20", "--runs", "1"],
    ],
    ids=lambda args: args[0],
)
def test_benchmark_runs_and_prints_its_figures(args: list[str], tmp_path: Path) -> None:
    """A benchmark that no longer runs would leave the README's figures unreproducible."""
    result = subprocess.run(
        [sys.executable, str(BENCH / args[0]), *args[1:]],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert any(ch.isdigit() for ch in result.stdout), result.stdout


@pytest.mark.slow
@pytest.mark.postgres
@pytest.mark.parametrize(
    "args",
    [
        ["pg_catchup.py", "--events", "1000", "--partitions", "2"],
        ["pg_waits.py", "--events", "1000", "--partitions", "2"],
    ],
    ids=lambda args: args[0],
)
def test_postgres_benchmark_runs_and_prints_its_figures(args: list[str], tmp_path: Path) -> None:
    """The PostgreSQL benchmarks (each starts a private server) still run."""
    test_benchmark_runs_and_prints_its_figures(args, tmp_path)

"""Start-up time of the ``credtrail`` command beside the imports it cannot avoid.

    python bench/startup.py              # best and median of 7 runs each
    python bench/startup.py --runs 15

Targets (issue 12): ``credtrail --version`` within 2x ``python -c "import click"``;
``credtrail status`` of one clinician on a small SQLite store within 2x ``python -c
"import click, pydantic"``. Each figure is a fresh process (wall clock, best of N, the
figure least disturbed by other load on the machine), after one warm-up run, with
bytecode caching on (``PYTHONDONTWRITEBYTECODE`` is dropped, as users do not set it:
without .pyc files every run compiles credtrail's modules again, ~0.1 s). Prints
figures; asserts nothing.
Use ``python -X importtime -m credtrail.cli.main --version`` to find what a command
imports.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

CREDTRAIL = [sys.executable, "-m", "credtrail.cli.main"]
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def timed(command: list[str], runs: int) -> tuple[float, float, float]:
    """Best and median wall-clock seconds, and best CPU seconds (user + system, less
    disturbed by a busy machine), of ``runs`` fresh runs of ``command``."""
    figures = []
    cpu = []
    subprocess.run(command, check=True, capture_output=True, env=ENV)  # writes .pyc files
    for _ in range(runs):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        started = time.perf_counter()
        subprocess.run(command, check=True, capture_output=True, env=ENV)
        figures.append(time.perf_counter() - started)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    return min(figures), statistics.median(figures), min(cpu)


def small_store(folder: Path) -> list[str]:
    """A SQLite store with one physician, one license in force today (its cycle judged
    in the compliance view) and two credits; its ``--store``."""
    store = ["--store", str(folder / "startup.db")]
    today = date.today()
    licence = [
        *("license", "add", "dr-a", "--requirement", "us-ca-physician"),
        *("--issued", (today - timedelta(days=400)).isoformat()),
        *("--expires", (today + timedelta(days=330)).isoformat()),
    ]
    steps = [
        ["init"],
        ["clinician", "add", "dr-a", "--profession", "physician"],
        licence,
        *(
            [
                "credit",
                "earn",
                "dr-a",
                "--type",
                "ama_pra_1",
                "--units",
                "10",
                "--date",
                (today - timedelta(days=30 * n)).isoformat(),
                "--provider",
                "Provider",
                "--accreditor",
                "ACCME",
                "--activity",
                f"act-{n}",
            ]
            for n in (1, 2)
        ),
    ]
    for step in steps:
        subprocess.run([*CREDTRAIL, *store, *step], check=True, capture_output=True, env=ENV)
    return store


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    python = [sys.executable, "-c"]
    with tempfile.TemporaryDirectory() as tmp:
        store = small_store(Path(tmp))
        rows = [
            ("python -c 'import click'", [*python, "import click"]),
            ("credtrail --version", [*CREDTRAIL, "--version"]),
            ("python -c 'import click, pydantic'", [*python, "import click, pydantic"]),
            ("credtrail status (1 clinician, SQLite)", [*CREDTRAIL, *store, "status", "dr-a"]),
        ]
        results = {label: timed(command, args.runs) for label, command in rows}
    print(f"{'command':42} {'best s':>8} {'median s':>9} {'best cpu s':>11}")
    for label, (best, median, cpu) in results.items():
        print(f"{label:42} {best:8.3f} {median:9.3f} {cpu:11.3f}")
    pairs = [
        ("credtrail --version", "python -c 'import click'"),
        ("credtrail status (1 clinician, SQLite)", "python -c 'import click, pydantic'"),
    ]
    for command, baseline in pairs:
        wall = results[command][0] / results[baseline][0]
        cpu = results[command][2] / results[baseline][2]
        print(
            f"{command} / {baseline}: {wall:.2f}x wall, {cpu:.2f}x cpu "
            f"(target <= 2x, best of {args.runs})"
        )


if __name__ == "__main__":
    main()

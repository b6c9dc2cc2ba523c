"""Import rate of the ``pars`` format: N rows (default 100,000) into a fresh SQLite store.

Fixed workload: 5,000 physician learners identified by NPI (created by the import),
20 activities each from 50 providers, 0.25-multiple credits, tab-delimited like
ACCME's Learner Template B. Reported: rows/s for validation (pass 1), for the whole
import (validate + write, one transaction), for a re-import (every row skipped),
and the peak resident memory. Prints figures; asserts nothing about time.

    /tmp/venv/bin/python bench/import_bench.py [--rows 100000] [--commit-every N]
"""

from __future__ import annotations

import argparse
import random
import resource
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import TypeVar

from credtrail.core.application import Credtrail
from credtrail.core.exchange import import_file
from credtrail.core.plugins import build_plugin_manager
from credtrail.plugins import builtin_plugins

sys.path.insert(0, str(Path(__file__).parent))
from population import valid_npi

HEADER = (
    "ProviderID\tActivityID\tGivenName\tFamilyName\tBirthMonth\tBirthDay\tNPI\t"
    "LicenseState\tLicenseNumber\tCompletedDateTime\tActivityCertification\t"
    "NumberOfCredits\tLearnerRecordAction\n"
)


def write_pars(path: Path, rows: int, learners: int = 5_000, seed: int = 7) -> None:
    rng = random.Random(seed)
    start = date(2024, 1, 1)
    with path.open("w", encoding="utf-8") as out:
        out.write(HEADER)
        for i in range(rows):
            learner = i % learners
            npi = valid_npi(100000000 + learner)
            provider = 1_000_000 + rng.randrange(50)
            day = start + timedelta(days=rng.randrange(700))
            credits = rng.choice(("0.25", "0.5", "1", "1.5", "2", "3.75"))
            out.write(
                f"{provider}\t{100_000_000 + i}\tGiven{learner}\tFamily{learner}\t"
                f"{1 + learner % 12:02d}\t{1 + learner % 28:02d}\t{npi}\t\t\t"
                f"{day:%m/%d/%Y}\tAMA PRA Category 1 Credit\t{credits}\tadd\n"
            )


T = TypeVar("T")


def timed(work: Callable[[], T]) -> tuple[T, tuple[float, float]]:
    wall, cpu = time.perf_counter(), time.process_time()
    result = work()
    return result, (time.perf_counter() - wall, time.process_time() - cpu)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--commit-every", type=int, default=None)
    args = parser.parse_args()
    pm = build_plugin_manager(builtin_plugins(), load_entrypoints=False)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "learners.tsv"
        write_pars(path, args.rows)
        size = path.stat().st_size
        app = Credtrail.open(str(Path(folder) / "bench.db"), pm, create=True)
        try:
            dry, validate = timed(lambda: import_file(app, path, "pars", dry_run=True))
            summary, full = timed(
                lambda: import_file(app, path, "pars", commit_every=args.commit_every)
            )
            again, repeat = timed(lambda: import_file(app, path, "pars"))
        finally:
            app.close()
    if dry.rejected or summary.written != args.rows or again.skipped != args.rows:
        raise SystemExit(f"unexpected outcome: {summary.as_dict()}")
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    mode = f"commit every {args.commit_every}" if args.commit_every else "one transaction"
    print(f"pars import, {args.rows:,} rows ({size / 1e6:.1f} MB), SQLite, {mode}")
    print("  (wall clock / CPU time of this process; rows/s from wall clock)")
    for label, (wall, cpu) in (
        ("validate only (--dry-run)", validate),
        ("import (validate + write)", full),
        ("re-import (all skipped)  ", repeat),
    ):
        print(f"  {label}: {wall:6.1f} s / {cpu:6.1f} s CPU  {args.rows / wall:9,.0f} rows/s")
    print(f"  clinicians created: {summary.clinicians_created:,}; peak RSS {peak_mb:,.0f} MB")


if __name__ == "__main__":
    main()

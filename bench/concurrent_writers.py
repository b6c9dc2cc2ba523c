"""N concurrent ``credtrail credit earn`` processes on one clinician: how many credits are lost?

    python bench/concurrent_writers.py --writers 40                 # SQLite
    python bench/concurrent_writers.py --writers 16 --postgres      # private PostgreSQL

Each process records a different activity for the same clinician, so every one of
them loads and saves the same ledger: the worst case for optimistic concurrency. A
process that exits 0 recorded its credit; the store is then counted and verified.
Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
CREDTRAIL = [sys.executable, "-m", "credtrail.cli.main"]


def run(store: str, writers: int) -> dict[str, object]:
    env = {**os.environ, "CREDTRAIL_STORE": store}
    subprocess.run([*CREDTRAIL, "init"], env=env, check=True, capture_output=True)
    subprocess.run(
        [*CREDTRAIL, "clinician", "add", "dr-race", "--profession", "physician"],
        env=env,
        check=True,
        capture_output=True,
    )
    started = time.perf_counter()
    procs = [
        subprocess.Popen(
            [
                *CREDTRAIL,
                "credit",
                "earn",
                "dr-race",
                "--type",
                "ama_pra_1",
                "--units",
                "1",
                "--date",
                "2026-01-05",
                "--provider",
                "Race Provider",
                "--accreditor",
                "ACCME",
                "--activity",
                f"act-{i}",
            ],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for i in range(writers)
    ]
    results = [(p.wait(), p.stderr.read() if p.stderr else "") for p in procs]
    seconds = time.perf_counter() - started
    failed = [err.strip().splitlines()[-1] for code, err in results if code != 0]
    listing = subprocess.run(
        [*CREDTRAIL, "transcript", "dr-race", "--json"],
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    recorded = listing.count('"credit_id"')
    verified = subprocess.run([*CREDTRAIL, "audit", "verify"], env=env, capture_output=True)
    return {
        "writers": writers,
        "exit_0": writers - len(failed),
        "recorded": recorded,
        "lost": writers - recorded,
        "errors": sorted(set(failed)),
        "verify_ok": verified.returncode == 0,
        "seconds": round(seconds, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--writers", type=int, default=40)
    parser.add_argument("--postgres", action="store_true", help="a private PostgreSQL cluster")
    args = parser.parse_args()
    if args.postgres:
        sys.path.insert(0, str(HERE.parent / "tests"))
        from support.postgres import postgres_server

        with postgres_server() as server, server.fresh_database() as url:
            print(run(url, args.writers))
        return
    with tempfile.TemporaryDirectory(prefix="credtrail-race-") as folder:
        print(run(str(Path(folder) / "race.db"), args.writers))


if __name__ == "__main__":
    main()

"""``credtrail deadlines --all`` benchmark: every deadline of N synthetic clinicians.

    python bench/deadlines.py                          # 20,000 clinicians, best of 3
    python bench/deadlines.py --clinicians 200 --runs 1
    python bench/deadlines.py --store big.db           # keep the store; reuse it next time

Builds the store with the seeded population of ``bench/population.py`` (each batch of
clinicians saved in one transaction), brings the views up to date, then times:

- ``deadlines(views, None, today)``: the core query, from the compliance view;
- ``credtrail deadlines --all --json``: the command end to end (a new process:
  start-up, plugins, catch-up check, query, JSON to a pipe).

Prints the figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from population import Population, record_batch  # noqa: E402

from credtrail.core.application import Credtrail  # noqa: E402
from credtrail.core.deadlines import deadlines  # noqa: E402
from credtrail.core.errors import StaleViewError  # noqa: E402
from credtrail.core.plugins import build_plugin_manager  # noqa: E402
from credtrail.core.projections import Views  # noqa: E402
from credtrail.plugins import builtin_plugins  # noqa: E402

BATCH = 200


def build(store: str, clinicians: int, seed: int) -> tuple[int, float, float]:
    """Record ``clinicians`` synthetic histories (if the store has fewer) and catch the
    views up; returns (events, seconds recording, seconds catching up)."""
    pm = build_plugin_manager(builtin_plugins(), load_entrypoints=False)
    app = Credtrail.open(store, pm, create=not Path(store).exists())
    try:
        with Views.of(app) as views:
            have = len(deadlines_ids(views))
        recording = 0.0
        if have < clinicians:
            population = Population(app, seed)
            if have == 0:
                for doc in app.registry.requirements.values():
                    app.record_requirement(dict(doc))
            for start in range(have, clinicians, BATCH):
                plans = [population.plan(i) for i in range(start, min(start + BATCH, clinicians))]
                started = time.perf_counter()
                record_batch(app, plans)
                recording += time.perf_counter() - started
                print(f"  recorded {start + len(plans):,} clinicians", file=sys.stderr, flush=True)
        started = time.perf_counter()
        with Views.of(app) as views:
            try:
                views.catch_up()
            except StaleViewError:  # the store was built with other plugins: judge anew
                views.rebuild(["compliance"])
        catching_up = time.perf_counter() - started
        events = int(app.store.recorder.max_notification_id() or 0)
    finally:
        app.close()
    return events, recording, catching_up


def deadlines_ids(views: Views) -> list[str]:
    with views.runner.db.transaction(commit=False) as cur:
        cur.execute("SELECT clinician_id FROM credtrail_v_clinicians")
        return [r["clinician_id"] for r in cur.fetchall()]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clinicians", type=int, default=20_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--store", help="SQLite file to build (or reuse); default: a temp file")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        store = args.store or str(Path(tmp) / "deadlines.db")
        events, recording, catching_up = build(store, args.clinicians, args.seed)
        today = date.today()
        pm = build_plugin_manager(builtin_plugins(), load_entrypoints=False)
        app = Credtrail.open(store, pm)
        core: list[float] = []
        cpu: list[float] = []
        found = unjudged = 0
        try:
            with Views.of(app) as views:
                for _ in range(args.runs):
                    started, cpu_started = time.perf_counter(), time.process_time()
                    result = deadlines(views, None, today)
                    core.append(time.perf_counter() - started)
                    cpu.append(time.process_time() - cpu_started)
                    found, unjudged = len(result.items), len(result.unjudged)
        finally:
            app.close()
        command: list[float] = []
        exe = Path(sys.executable).with_name("credtrail")
        for _ in range(args.runs):
            started = time.perf_counter()
            done = subprocess.run(
                [str(exe), "--store", store, "deadlines", "--all", "--json"],
                capture_output=True,
                check=False,
            )
            command.append(time.perf_counter() - started)
            if done.returncode != 0:
                sys.exit(done.stderr.decode()[-2000:])
    print(
        f"{args.clinicians:,} clinicians, {events:,} events (recorded in {recording:.1f} s, "
        f"views caught up in {catching_up:.1f} s)"
    )
    print(
        f"deadlines --all: {found:,} deadlines, {unjudged:,} licences not judged; "
        f"core query best {min(core):.2f} s wall, {min(cpu):.2f} s CPU "
        f"(median {statistics.median(core):.2f} s); "
        f"command end to end best {min(command):.2f} s (median {statistics.median(command):.2f} s)"
    )


if __name__ == "__main__":
    main()

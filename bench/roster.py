"""Roster benchmark: ``credtrail status --all`` over N clinicians, read from the views.

    python bench/roster.py                         # 20,000 clinicians, best of 5
    python bench/roster.py --clinicians 200 --runs 1
    python bench/roster.py --store /tmp/roster.db    # keep the store; reuse it next time

Records the seeded synthetic population of ``bench/run.py`` (each clinician's last
``--credits`` credits only, so 20,000 clinicians stay a few hundred thousand events),
brings the views up to date (timed, reported), then times the roster query
(``Views.roster`` on today, what ``status --all`` reads) and the whole command
(``credtrail status --all --json`` in a fresh process, output discarded; ``--runs``
times, best and median, CPU seconds of the child included). Prints the
figures, and how many rows no materialised row covered (judged directly); asserts
nothing.

Then, on a copy of the store (a reused store stays as it was), the day moves on
``--move-days`` (a clock handed to ``Views``): the catch-up that
materialises the cycle containing the new day for every licence whose rows stop short
of it is timed (wall and CPU seconds, worker processes' included), and the roster is
read on that day. CPU seconds are the figure to compare on a shared machine.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from population import Plan, Population, record_batch  # noqa: E402

from credtrail.core.application import Credtrail  # noqa: E402
from credtrail.core.plugins import build_plugin_manager  # noqa: E402
from credtrail.core.projections import Views  # noqa: E402
from credtrail.core.projections.db import CLINICIANS, COMPLIANCE, TRACKING  # noqa: E402
from credtrail.plugins import DEFAULT_PLUGINS, builtin_plugins  # noqa: E402


def trimmed(plan: Plan, keep: int) -> Plan:
    """``plan`` with its last ``keep`` credits (by completion), claims and revocations
    of those only."""
    order = sorted(range(len(plan.credits)), key=lambda i: plan.credits[i].completed_on)
    kept = order[-keep:] if keep else []
    new = {old: n for n, old in enumerate(sorted(kept))}
    plan.credits = [plan.credits[i] for i in sorted(kept)]
    plan.claims = [(new[i], *rest) for i, *rest in plan.claims if i in new]  # type: ignore[misc]
    plan.revocations = [(new[i], *rest) for i, *rest in plan.revocations if i in new]  # type: ignore[misc]
    return plan


def cpu() -> float:
    """CPU seconds of this process and of its finished children (the judging workers)."""
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


def compliance_rows(views: Views) -> int:
    """How many rows the compliance view holds."""
    with views.runner.db.transaction(commit=False) as cur:
        cur.execute(f"SELECT COUNT(*) AS n FROM {COMPLIANCE}")
        return int(cur.fetchone()["n"])


def counts(views: Views) -> tuple[int, int]:
    """How many events the views have applied, and how many clinicians they hold."""
    with views.runner.db.transaction(commit=False) as cur:
        cur.execute(f"SELECT MAX(position) AS n FROM {TRACKING}")
        events = int(cur.fetchone()["n"] or 0)
        cur.execute(f"SELECT COUNT(*) AS n FROM {CLINICIANS}")
        return events, int(cur.fetchone()["n"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clinicians", type=int, default=20_000)
    parser.add_argument("--credits", type=int, default=6, help="credits kept per clinician")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--batch", type=int, default=500, help="clinicians per transaction")
    parser.add_argument(
        "--move-days", type=int, default=365, help="how far the day moves on (0: not timed)"
    )
    parser.add_argument(
        "--store",
        help="SQLite file to keep the store in; an existing one is reused as it is "
        "(--clinicians, --credits and --seed are then ignored)",
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        store = args.store or f"{tmp}/roster.db"
        reuse = Path(store).is_file()
        pm = build_plugin_manager(builtin_plugins(), load_entrypoints=False)
        app = Credtrail.open(store, pm, create=not reuse)
        started = time.perf_counter()
        if not reuse:
            app.sync_builtin_requirements()
            population = Population(app, args.seed)
            for first in range(0, args.clinicians, args.batch):
                last = min(first + args.batch, args.clinicians)
                plans = [trimmed(population.plan(i), args.credits) for i in range(first, last)]
                record_batch(app, plans)
        recorded = time.perf_counter() - started
        views = Views.of(app)
        started, cpu_started = time.perf_counter(), cpu()
        views.catch_up()
        caught_up, caught_up_cpu = time.perf_counter() - started, cpu() - cpu_started
        events, clinicians = counts(views)
        today = date.today()
        seconds = []
        cpu_seconds = []
        roster = views.roster(today)
        for _ in range(args.runs):
            started, cpu_started = time.perf_counter(), cpu()
            roster = Views.of(app).roster(today)
            seconds.append(time.perf_counter() - started)
            cpu_seconds.append(cpu() - cpu_started)
        views.close()
        app.close()
        env = {**os.environ, "CREDTRAIL_STORE": store}
        command = [
            sys.executable,
            "-m",
            "credtrail.cli.main",
            "--plugins",
            ",".join(DEFAULT_PLUGINS),
        ]
        whole, whole_cpu = [], []
        for _ in range(args.runs):
            started, cpu_started = time.perf_counter(), cpu()
            subprocess.run(
                [*command, "status", "--all", "--json"],
                env=env,
                check=True,
                stdout=subprocess.DEVNULL,
            )
            whole.append(time.perf_counter() - started)
            whole_cpu.append(cpu() - cpu_started)
        later = today + timedelta(days=args.move_days)
        moved = None
        if args.move_days:
            # On a copy: moving the view's day on writes rows a reused store must not keep.
            copy = f"{tmp}/moved.db"
            shutil.copyfile(store, copy)
            app = Credtrail.open(copy, pm)
            clock = Views.of(app, today=lambda: later)
            rows_before = compliance_rows(clock)
            started, cpu_started = time.perf_counter(), cpu()
            clock.catch_up()  # no new event: only the day moved on (move_to_today)
            moved_wall, moved_cpu = time.perf_counter() - started, cpu() - cpu_started
            started, cpu_started = time.perf_counter(), cpu()
            moved_roster = clock.roster(later)
            moved = (
                moved_wall,
                moved_cpu,
                moved_roster,
                time.perf_counter() - started,
                cpu() - cpu_started,
                compliance_rows(clock) - rows_before,
            )
            clock.close()
            app.close()
    print(
        f"clinicians {clinicians:,}, events {events:,} "
        f"({'reused' if reuse else f'recorded in {recorded:.1f} s'}, "
        f"views caught up in {caught_up:.1f} s); load average {os.getloadavg()[0]:.2f}"
    )
    print(f"views caught up: {caught_up_cpu:.1f} s CPU (workers included)")
    print(
        f"roster query (Views.roster, {len(roster.rows):,} rows, {roster.judged:,} judged "
        f"directly): best {min(seconds):.3f} s, median {statistics.median(seconds):.3f} s; "
        f"CPU best {min(cpu_seconds):.3f} s, median {statistics.median(cpu_seconds):.3f} s"
    )
    print(
        f"credtrail status --all --json (fresh process, output discarded): best "
        f"{min(whole):.2f} s, median {statistics.median(whole):.2f} s; CPU best "
        f"{min(whole_cpu):.2f} s"
    )
    if moved is not None:
        wall, cpu_s, moved_roster, read_wall, read_cpu, added = moved
        print(
            f"day moved on {args.move_days} days: catch-up materialising the new day's "
            f"cycles ({added:,} rows added) {wall:.1f} s wall, {cpu_s:.1f} s CPU; roster on "
            f"that day ({len(moved_roster.rows):,} rows, {moved_roster.judged:,} judged directly) "
            f"{read_wall:.3f} s wall, {read_cpu:.3f} s CPU"
        )


if __name__ == "__main__":
    main()

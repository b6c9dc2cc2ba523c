"""What PostgreSQL partition workers wait for: pg_stat_activity sampled during a rebuild.

    python bench/pg_waits.py --events 20000                  # 1 then 2 worker processes

Ingests ``--events`` events into a private PostgreSQL, then rebuilds the views in
``--partitions`` partitions by 1 and by 2 worker processes (bench/run.py's worker
phase), the workers in this process's session and then each in its own (the kernel's
autogroup scheduler gives each session, not each process, a fair share), sampling
``pg_stat_activity`` every ``--every`` seconds from this process meanwhile. Each sample
counts the store's client backends (this sampler's own left out) by what they were
doing: running a statement on the server's CPU, waiting on a lock (``Lock``/
``LWLock``), on I/O, or idle in a transaction waiting for its client (``ClientRead``:
the worker is computing). Also times each partition's read of the whole log on the
server (``EXPLAIN ANALYZE``). Prints the mean number of backends in each
state per sample, wall and CPU seconds; asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import sys
import threading
from collections import Counter
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from run import open_app, phase_ingest, private_postgres, run_workers  # noqa: E402

from credtrail.core.projections import Views  # noqa: E402
from credtrail.core.projections.partition import (  # noqa: E402
    BROADCAST_TOPICS,
    PartitionReader,
)

SAMPLE = (
    "SELECT state, wait_event_type, wait_event FROM pg_stat_activity "
    "WHERE datname = current_database() AND backend_type = 'client backend' "
    "AND pid <> pg_backend_pid()"
)


def kind(state: str | None, wait_type: str | None, wait: str | None) -> str:
    if state == "active":
        return "active, on CPU" if wait_type is None else f"active, {wait_type}:{wait}"
    if state == "idle in transaction":
        return f"idle in transaction ({wait})"
    return str(state)


def sampled(views: Views, every: float, stop: threading.Event) -> tuple[Counter[str], int]:
    """Tallies of backend states over the samples taken until ``stop``, and their count."""
    seen: Counter[str] = Counter()
    samples = 0
    while not stop.wait(every):
        with views.runner.db.transaction(commit=False) as cur:
            cur.raw.execute(SAMPLE)
            for r in cur.raw.fetchall():
                seen[kind(r["state"], r["wait_event_type"], r["wait_event"])] += 1
        samples += 1
    return seen, samples


def measure(url: str, args: argparse.Namespace, workers: int, own: bool) -> dict[str, Any]:
    app = open_app(url)
    views = Views.of(app, workers=1)
    views.rebuild_partitioned(args.partitions, run=False)
    stop = threading.Event()
    out: list[tuple[Counter[str], int]] = []
    thread = threading.Thread(target=lambda: out.append(sampled(views, args.every, stop)))
    thread.start()
    try:
        ran = run_workers(
            argparse.Namespace(store=url, partitions=args.partitions), workers, own_session=own
        )
    finally:
        stop.set()
        thread.join()
    app.close()
    seen, samples = out[0]
    return {
        "workers": workers,
        "own_sessions": own,
        "seconds": round(ran["seconds"], 2),
        "worker_cpu_seconds": round(ran["cpu_seconds"], 2),
        "server_cpu_seconds": ran["server_cpu_seconds"],
        "samples": samples,
        "backends_per_sample": {k: round(v / samples, 3) for k, v in seen.most_common()},
    }


def scan_ms(url: str, partitions: int) -> dict[str, float]:
    """Server time (EXPLAIN ANALYZE) of each partition's read of the whole log, summed:
    what reading costs the server in one rebuild, since each partition scans the log."""
    app = open_app(url)
    views = Views.of(app, workers=1)
    head = views.runner.reader.head()
    total = rows = 0.0
    for part in range(partitions):
        reader = PartitionReader(app.store, part, partitions)
        with views.runner.db.transaction(commit=False) as cur:
            cur.execute(
                "EXPLAIN (ANALYZE, FORMAT JSON) " + reader.query,
                [0, head, partitions, part, list(BROADCAST_TOPICS), head],
            )
            plan = cur.fetchone()["QUERY PLAN"][0]
        total += plan["Execution Time"]
        rows += plan["Plan"].get("Actual Rows", 0)
    app.close()
    return {"read_all_partitions_ms": round(total, 1), "rows_returned": rows, "log": head}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--partitions", type=int, default=16)
    parser.add_argument("--every", type=float, default=0.05)
    args = parser.parse_args()
    with private_postgres() as url:
        phase_ingest(url, args.events, args.seed)
        scan = scan_ms(url, args.partitions)
        figures = [measure(url, args, n, own) for own in (False, True) for n in (1, 2)]
    print(json.dumps({"scan": scan, "rebuilds": figures}, indent=1))


if __name__ == "__main__":
    main()

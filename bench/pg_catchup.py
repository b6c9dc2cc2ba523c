"""Where a PostgreSQL partition worker's catch-up time goes: statements and CPU.

    python bench/pg_catchup.py --events 20000                 # private PostgreSQL
    python bench/pg_catchup.py --events 50000 --profile 25    # and the top of cProfile
    python bench/pg_catchup.py --events 50000 --workers 2     # 2 worker processes

Ingests ``--events`` events, splits the views in ``--partitions`` and rebuilds them in
this process, records 10,000 new credits (bench/run.py's ``record_credits``), then
catches every partition up with one worker in this process, counting the statements
it sends (by kind, and the round trips: one per ``execute``, one per ``executemany``
batch) and the CPU of this process and of the server. With ``--workers N``, N worker
processes catch up instead (bench/run.py's, each in its own session; no statement
counts). Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import pstats
import sys
import time
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from run import (  # noqa: E402
    open_app,
    phase_ingest,
    private_postgres,
    record_credits,
    run_workers,
    server_cpu_seconds,
)

from credtrail.core.projections import Views  # noqa: E402
from credtrail.core.projections.db import Cursor  # noqa: E402


def counting() -> Counter[str]:
    """Count the statements the projections send, by their first words."""
    seen: Counter[str] = Counter()
    execute, executemany = Cursor.execute, Cursor.executemany

    def kind(statement: str) -> str:
        words = statement.split()
        return " ".join(words[:4])[:60]

    def counted_execute(self: Cursor, statement: str, params: Sequence[Any] = ()) -> Cursor:
        seen["round trips"] += 1
        seen[kind(statement)] += 1
        return execute(self, statement, params)

    def counted_many(self: Cursor, statement: str, rows: Sequence[Sequence[Any]]) -> None:
        if rows:
            seen["round trips"] += 1
            seen["rows by executemany"] += len(rows)
            seen[kind(statement) + " (many)"] += 1
        executemany(self, statement, rows)

    Cursor.execute = counted_execute  # type: ignore[method-assign]
    Cursor.executemany = counted_many  # type: ignore[method-assign]
    return seen


def run(url: str, args: argparse.Namespace) -> dict[str, Any]:
    ing = phase_ingest(url, args.events, args.seed)
    app = open_app(url)
    views = Views.of(app, workers=1)
    started = time.perf_counter()
    views.rebuild_partitioned(args.partitions)
    rebuild = time.perf_counter() - started
    record_credits(app, ing["clinicians"], args.seed, "profile")
    if args.workers:
        app.close()
        ran = run_workers(argparse.Namespace(store=url, partitions=args.partitions), args.workers)
        return {
            "events": ing["events"],
            "clinicians": ing["clinicians"],
            "partitions": args.partitions,
            "rebuild_seconds": round(rebuild, 2),
            "catch_up_workers": args.workers,
            "catch_up_seconds": round(ran["seconds"], 2),
            "catch_up_cpu_seconds": round(ran["cpu_seconds"], 2),
            "server_cpu_seconds": ran["server_cpu_seconds"],
        }
    seen = counting()
    worker = views.worker(partitions=args.partitions, lease_seconds=120)
    server = server_cpu_seconds(url)
    cpu = time.process_time()
    started = time.perf_counter()
    profile = cProfile.Profile() if args.profile else None
    if profile is not None:
        profile.enable()
    done = worker.run(once=True, wait=False)
    if profile is not None:
        profile.disable()
    seconds = time.perf_counter() - started
    cpu = time.process_time() - cpu
    server_after = server_cpu_seconds(url)
    app.close()
    if profile is not None:
        text = io.StringIO()
        pstats.Stats(profile, stream=text).sort_stats("cumulative").print_stats(args.profile)
        print(text.getvalue(), file=sys.stderr)
    return {
        "events": ing["events"],
        "clinicians": ing["clinicians"],
        "partitions": args.partitions,
        "rebuild_seconds": round(rebuild, 2),
        "catch_up_events": done.events,
        "catch_up_seconds": round(seconds, 2),
        "catch_up_cpu_seconds": round(cpu, 2),
        "server_cpu_seconds": None if server is None else round(server_after - server, 2),  # type: ignore[operator]
        "statements": dict(seen.most_common()),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--partitions", type=int, default=16)
    parser.add_argument("--profile", type=int, default=0, help="print this many cProfile lines")
    parser.add_argument("--workers", type=int, default=0, help="catch up by N worker processes")
    parser.add_argument("--store", help="an existing, EMPTY PostgreSQL database")
    args = parser.parse_args()
    if args.store:
        print(json.dumps(run(args.store, args), indent=1))
        return
    with private_postgres() as url:
        print(json.dumps(run(url, args), indent=1))


if __name__ == "__main__":
    main()

"""Projection and ingest benchmark: one command, every figure, each beside a raw baseline.

    python bench/run.py                      # 100,000 events on SQLite (quick)
    python bench/run.py --events 1000000     # the 1M-event run the targets are about
    python bench/run.py --events 100000 --postgres            # private PostgreSQL cluster
    python bench/run.py --store postgresql://user@host/db     # an existing, EMPTY database

Measures, in one run: ingest rate through the application (batches of ~10,000 events
per transaction); full rebuild of all views; catch-up of 10,000 new events recorded
with ``Credtrail.earn_many``; ``status``/transcript latency for one clinician (median
of 100); peak memory (ru_maxrss of the process that ran each phase). Raw baselines do
the same work with the bare driver: bulk insert of the same stored rows (each
event's row and its ``credtrail_log`` row, as ingest writes them; the event rows
alone too) with ``executemany``, and reading + ``orjson``-decoding them. Each phase runs in its own
subprocess, so each peak-memory figure is that phase's own. Prints figures; asserts
nothing.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import orjson

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from population import Population, ingest  # noqa: E402

from credtrail.core.application import Credtrail, EarnRequest  # noqa: E402
from credtrail.core.plugins import build_plugin_manager  # noqa: E402
from credtrail.core.projections import Views  # noqa: E402
from credtrail.core.store import LOG_TABLE  # noqa: E402
from credtrail.plugins import builtin_plugins  # noqa: E402

CATCH_UP_EVENTS = 10_000


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def children_peak_mb() -> float:
    """The largest max RSS of this process's finished children (the judging workers)."""
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024


def open_app(store: str, *, create: bool = False) -> Credtrail:
    pm = build_plugin_manager(builtin_plugins(), load_entrypoints=False)
    return Credtrail.open(store, pm, create=create)


# ------------------------------------------------------------------ phases (children)


def phase_ingest(store: str, events: int, seed: int) -> dict[str, Any]:
    app = open_app(store, create=True)
    population = Population(app, seed)
    started = time.perf_counter()
    written = clinicians = 0
    recording = 0.0
    for step in ingest(app, population, events):
        written, clinicians, recording = step
        print(f"  ingest: {written:,} events", file=sys.stderr, flush=True)
    elapsed = time.perf_counter() - started
    head = app.store.recorder.max_notification_id()
    size = store_mb(app, store)
    app.close()
    return {
        "events": head,
        "store_mb": size,
        "clinicians": clinicians,
        "seconds": recording,
        "rate": written / recording,
        "with_generation_rate": written / elapsed,
        "peak_mb": peak_mb(),
    }


def phase_rebuild(store: str) -> dict[str, Any]:
    """The transcript view alone (no plugins' rules needed), then both views."""
    app = open_app(store)
    started = time.perf_counter()
    cpu = time.process_time()
    Views(app.store).rebuild()
    transcript_cpu = time.process_time() - cpu
    transcript_seconds = time.perf_counter() - started
    views = Views.of(app)
    started = time.perf_counter()
    n = views.rebuild()
    elapsed = time.perf_counter() - started
    with views.runner.db.transaction(commit=False) as cur:
        cur.execute("SELECT COUNT(*) AS n FROM credtrail_v_compliance")
        compliance_rows = int(cur.fetchone()["n"])
        cur.execute("SELECT COUNT(*) AS n FROM credtrail_v_credits")
        credit_rows = int(cur.fetchone()["n"])
    size = store_mb(app, store)
    app.close()
    return {
        "events": n,
        "seconds": elapsed,
        "rate": n / elapsed,
        "transcript_seconds": transcript_seconds,
        "transcript_cpu_seconds": transcript_cpu,
        "store_mb": size,
        "compliance_rows": compliance_rows,
        "credit_rows": credit_rows,
        "peak_mb": peak_mb(),
        "workers": views.workers,
        "worker_peak_mb": children_peak_mb(),
    }


def record_credits(app: Credtrail, clinicians: int, seed: int, tag: str) -> float:
    """Record 10,000 new credits with earn_many (batches of 1,000); returns credits/s."""
    import random

    rng = random.Random(f"{seed}-{tag}")
    population = Population(app, seed)
    requests = []
    for n in range(CATCH_UP_EVENTS):
        plan_index = rng.randrange(clinicians)
        profession = population.professions[plan_index % len(population.professions)]
        kind = population.kinds[profession][0]
        requests.append(
            EarnRequest(
                clinician_id=f"{profession[:2]}-{plan_index:07d}",
                credit_type=kind.credit_type,
                units=kind.increment * 4,
                completed_on=date(2026, 11, 1),
                provider="Catch-up Provider",
                accreditor=kind.accreditor,
                activity_id=f"CATCHUP-{tag}-{n:06d}",
            )
        )
    requests.sort(key=lambda r: r.clinician_id)
    started = time.perf_counter()
    for i in range(0, len(requests), 1000):
        app.earn_many(requests[i : i + 1000])
    return CATCH_UP_EVENTS / (time.perf_counter() - started)


def store_mb(app: Credtrail, store: str) -> float:
    """The store's size on disk (MB): the database, or the SQLite file and its WAL."""
    if app.store.is_postgres:
        rows = app.store.read_rows("SELECT pg_database_size(current_database())")
        return float(rows[0][0]) / 2**20
    files = [Path(store), Path(f"{store}-wal")]
    return sum(f.stat().st_size for f in files if f.exists()) / 2**20


def raw_credit_insert(app: Credtrail, store: str, batch: int = 10_000) -> float:
    """The raw baseline of the transcript view's writes: its credit rows, copied from
    the view, inserted with the bare driver's ``executemany`` into a table of the same
    shape, ``batch`` rows per transaction; seconds spent inserting."""

    def pages() -> Iterator[list[tuple[Any, ...]]]:
        # Streamed a batch at a time (keyset pages): the phase's memory stays a batch.
        after = ("", "")
        while True:
            with Views(app.store).runner.db.transaction(commit=False) as cur:
                cur.execute(
                    "SELECT clinician_id, credit_id, data FROM credtrail_v_credits "
                    "WHERE clinician_id > ? OR (clinician_id = ? AND credit_id > ?) "
                    "ORDER BY clinician_id, credit_id LIMIT ?",
                    [after[0], after[0], after[1], batch],
                )
                rows = [(r["clinician_id"], r["credit_id"], r["data"]) for r in cur.fetchall()]
            if not rows:
                return
            after = (rows[-1][0], rows[-1][1])
            yield rows

    ddl = (
        "CREATE TABLE bench_raw_credits (clinician_id TEXT NOT NULL, credit_id TEXT NOT NULL, "
        "data TEXT NOT NULL, PRIMARY KEY (clinician_id, credit_id))"
    )
    seconds = 0.0
    if store.startswith("postgres"):
        conn = _raw_postgres(store)
        with conn.transaction():
            conn.execute("DROP TABLE IF EXISTS bench_raw_credits")
            conn.execute(ddl)
        for rows in pages():
            started = time.perf_counter()
            with conn.transaction(), conn.cursor() as cur:
                cur.executemany("INSERT INTO bench_raw_credits VALUES (%s, %s, %s)", rows)
            seconds += time.perf_counter() - started
        with conn.transaction():
            conn.execute("DROP TABLE bench_raw_credits")
        conn.close()
        return seconds
    import sqlite3

    path = Path(store).with_name("raw-credits.db")
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    target = sqlite3.connect(path, isolation_level=None)
    target.execute("PRAGMA journal_mode=WAL")
    target.execute(ddl)
    for rows in pages():
        started = time.perf_counter()
        target.execute("BEGIN")
        target.executemany("INSERT INTO bench_raw_credits VALUES (?, ?, ?)", rows)
        target.execute("COMMIT")
        seconds += time.perf_counter() - started
    target.close()
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    return seconds


def _raw_postgres(store: str) -> Any:
    import psycopg

    from credtrail.core.store import StoreLocation

    env = StoreLocation.parse(store).resolve()  # what libpq resolved (PGPASSWORD, ...)
    return psycopg.connect(
        host=env["POSTGRES_HOST"],
        port=int(env["POSTGRES_PORT"]),
        user=env["POSTGRES_USER"],
        password=env["POSTGRES_PASSWORD"] or None,
        dbname=env["POSTGRES_DBNAME"],
    )


def phase_catch_up(store: str, clinicians: int, seed: int) -> dict[str, Any]:
    """Record 10,000 new credits, then catch up in this process (forked judges)."""
    app = open_app(store)
    views = Views.of(app)
    views.catch_up()
    rate = record_credits(app, clinicians, seed, "single")
    started = time.perf_counter()
    n = views.catch_up()
    elapsed = time.perf_counter() - started
    app.close()
    return {
        "events": n,
        "seconds": elapsed,
        "earn_many_rate": rate,
        "peak_mb": peak_mb(),
    }


def phase_raw_credits(store: str) -> dict[str, Any]:
    """The transcript view's write baseline, in its own process (after the rebuild)."""
    app = open_app(store)
    seconds = raw_credit_insert(app, store)
    app.close()
    return {"raw_credit_insert_seconds": seconds, "peak_mb": peak_mb()}


def phase_record(store: str, clinicians: int, seed: int, tag: str) -> dict[str, Any]:
    """Record 10,000 new credits and nothing else (the workers catch up)."""
    app = open_app(store)
    rate = record_credits(app, clinicians, seed, tag)
    head = app.store.recorder.max_notification_id()
    app.close()
    return {"earn_many_rate": rate, "head": head, "peak_mb": peak_mb()}


def phase_partition(store: str, partitions: int) -> dict[str, Any]:
    """Split the views in ``partitions`` and reset them (the workers rebuild them)."""
    app = open_app(store)
    Views.of(app).rebuild_partitioned(partitions, run=False)
    app.close()
    return {"partitions": partitions}


def phase_worker(store: str, partitions: int) -> dict[str, Any]:
    """One partition worker process: ready, then on 'go' catch every partition up."""
    app = open_app(store)
    worker = Views.of(app, workers=1).worker(partitions=partitions, lease_seconds=120)
    # What a standing worker pays once in its life, not per catch-up: the solver's
    # imports (~0.6 s of CPU), done lazily at the first judgement otherwise.
    import scipy.optimize
    import scipy.sparse  # noqa: F401

    print("ready", flush=True)
    sys.stdin.readline()
    cpu = time.process_time()
    started = time.perf_counter()
    done = worker.run(once=True, wait=True, poll=0.02)
    elapsed = time.perf_counter() - started
    app.close()
    return {
        "seconds": elapsed,
        "cpu_seconds": time.process_time() - cpu,
        "events": done.events,
        "partitions": done.partitions,
        "peak_mb": peak_mb(),
    }


def phase_status(store: str, clinicians: int, seed: int) -> dict[str, Any]:
    """Per clinician, median of 100: the transcript view; ``status`` today from the
    compliance view (the fast path: a materialised row covers today); the same answer
    by direct evaluation (the engine on the view's rows); the transcript from the ledger.

    The day is the clock's (the fast path only applies from today on); a clinician
    whose licence has no row covering today is evaluated directly by the view read too,
    so the engine calls of the view read are counted.
    """
    import random

    from credtrail.core import compliance as judging
    from credtrail.core.projections import views as views_module
    from credtrail.core.projections.compliance import evaluate_on
    from credtrail.core.projections.compliance_read import load_licenses

    app = open_app(store)
    views = Views.of(app)
    views.catch_up()
    population = Population(app, seed)
    rng = random.Random(seed + 2)
    ids = []
    for _ in range(100):
        i = rng.randrange(clinicians)
        profession = population.professions[i % len(population.professions)]
        ids.append(f"{profession[:2]}-{i:07d}")
    timings = []
    for cid in ids:
        started = time.perf_counter()
        views.transcript(cid)
        timings.append(time.perf_counter() - started)
    today = date.today()
    engine_calls = [0]

    def counted(*args: Any, **kwargs: Any) -> Any:
        engine_calls[0] += 1
        return evaluate_on(*args, **kwargs)

    views_module.evaluate_on = counted  # type: ignore[assignment]
    status_timings = []
    for cid in ids:
        started = time.perf_counter()
        views.compliance(cid, on=today)
        status_timings.append(time.perf_counter() - started)
    views_module.evaluate_on = evaluate_on
    direct_timings = []
    for cid in ids:
        started = time.perf_counter()
        with views.runner.db.transaction(commit=False) as cur:
            for lic in judging.licences_in_force(load_licenses(cur, cid), today):
                evaluate_on(cur, cid, lic.requirement_id, today, app.registry)
        direct_timings.append(time.perf_counter() - started)
    ledger_timings = []
    for cid in ids[:20]:
        started = time.perf_counter()
        app.transcript(cid)
        ledger_timings.append(time.perf_counter() - started)
    partitions = views.partitions
    app.close()
    return {
        "day": today.isoformat(),
        "transcript_ms": statistics.median(timings) * 1000,
        "status_ms": statistics.median(status_timings) * 1000,
        "status_engine_calls": engine_calls[0],
        "direct_ms": statistics.median(direct_timings) * 1000,
        "ledger_transcript_ms": statistics.median(ledger_timings) * 1000,
        "partitions": partitions,
        "peak_mb": peak_mb(),
    }


# ------------------------------------------------------------------ raw baselines


def _events_table(store: str) -> str:
    app = open_app(store)
    name = str(app.store.recorder.events_table_name)
    app.close()
    return name


def phase_raw_sqlite(store: str, batch: int) -> dict[str, Any]:
    """executemany of the same stored rows into a fresh file; then read + decode them.

    Ingest writes two rows per event: the library's event row and credtrail's log row
    (times, event hash, chain link; see core/store.py). The raw baseline inserts the
    same two rows per event, copied from the store, in one transaction per ``batch``
    events; the events-only figure (the event rows alone) is printed beside it.
    """
    import sqlite3

    table = _events_table(store)
    source = sqlite3.connect(store)
    tables = (table, LOG_TABLE)
    schema = [
        row[0]
        for row in source.execute(
            "SELECT sql FROM sqlite_master WHERE tbl_name IN (?, ?) AND sql IS NOT NULL", tables
        )
    ]
    columns = "originator_id, originator_version, topic, state"
    insert = f"INSERT INTO {table} ({columns}) VALUES (?, ?, ?, ?)"
    insert_log = f"INSERT INTO {LOG_TABLE} VALUES (?, ?, ?, ?, ?, ?, ?, ?)"

    def bulk_insert(with_log: bool) -> tuple[int, float]:
        target_path = Path(store).with_name("raw-baseline.db")
        for suffix in ("", "-wal", "-shm"):
            Path(f"{target_path}{suffix}").unlink(missing_ok=True)
        target = sqlite3.connect(target_path, isolation_level=None)
        target.execute("PRAGMA journal_mode=WAL")
        for statement in schema:
            target.execute(statement)
        inserted = 0
        seconds = 0.0
        last = 0
        while True:
            rows = source.execute(
                f"SELECT rowid, {columns} FROM {table} WHERE rowid > ? ORDER BY rowid LIMIT ?",
                (last, batch),
            ).fetchall()
            if not rows:
                break
            log = (
                source.execute(
                    f"SELECT * FROM {LOG_TABLE} WHERE notification_id > ? "
                    "ORDER BY notification_id LIMIT ?",
                    (last, batch),
                ).fetchall()
                if with_log
                else []
            )
            last = rows[-1][0]
            payload = [r[1:] for r in rows]
            started = time.perf_counter()
            target.execute("BEGIN")
            target.executemany(insert, payload)
            if with_log:
                target.executemany(insert_log, log)
            target.execute("COMMIT")
            seconds += time.perf_counter() - started
            inserted += len(payload)
        target.close()
        for suffix in ("", "-wal", "-shm"):
            Path(f"{target_path}{suffix}").unlink(missing_ok=True)
        return inserted, seconds

    events_only, events_only_seconds = bulk_insert(with_log=False)
    inserted, insert_seconds = bulk_insert(with_log=True)
    # Read and decode, streaming, the way a hand-written projection would start.
    started = time.perf_counter()
    decoded = 0
    loads = orjson.loads
    for (state,) in source.execute(f"SELECT state FROM {table} ORDER BY rowid"):
        loads(state)
        decoded += 1
    read_seconds = time.perf_counter() - started
    source.close()
    return {
        "insert_rate": inserted / insert_seconds,
        "insert_seconds": insert_seconds,
        "events_only_insert_rate": events_only / events_only_seconds,
        "read_seconds": read_seconds,
        "read_rate": decoded / read_seconds,
        "peak_mb": peak_mb(),
    }


def phase_raw_postgres(store: str, batch: int) -> dict[str, Any]:
    """The same with psycopg: executemany into copies of the two tables; read + decode."""
    import psycopg

    from credtrail.core.store import StoreLocation

    table = _events_table(store)
    env = StoreLocation.parse(store).resolve()  # what libpq resolved (PGPASSWORD, ...)
    conn = psycopg.connect(
        host=env["POSTGRES_HOST"],
        port=int(env["POSTGRES_PORT"]),
        user=env["POSTGRES_USER"],
        password=env["POSTGRES_PASSWORD"] or None,
        dbname=env["POSTGRES_DBNAME"],
    )
    raw, raw_log = "bench_raw_events", "bench_raw_log"
    columns = "originator_id, originator_version, topic, state"

    def bulk_insert(with_log: bool) -> tuple[int, float]:
        with conn.transaction():
            conn.execute(f"DROP TABLE IF EXISTS {raw}")
            conn.execute(f"DROP TABLE IF EXISTS {raw_log}")
            conn.execute(f"CREATE TABLE {raw} (LIKE {table} INCLUDING ALL)")
            conn.execute(f"CREATE TABLE {raw_log} (LIKE {LOG_TABLE} INCLUDING ALL)")
        inserted = 0
        seconds = 0.0
        last = 0
        while True:
            rows = conn.execute(
                f"SELECT notification_id, {columns} FROM {table} WHERE notification_id > %s "
                "ORDER BY notification_id LIMIT %s",
                (last, batch),
            ).fetchall()
            log = (
                conn.execute(
                    f"SELECT * FROM {LOG_TABLE} WHERE notification_id > %s "
                    "ORDER BY notification_id LIMIT %s",
                    (last, batch),
                ).fetchall()
                if with_log
                else []
            )
            conn.commit()
            if not rows:
                break
            last = rows[-1][0]
            payload = [r[1:] for r in rows]
            started = time.perf_counter()
            with conn.transaction(), conn.cursor() as cur:
                cur.executemany(f"INSERT INTO {raw} ({columns}) VALUES (%s, %s, %s, %s)", payload)
                if with_log:
                    cur.executemany(
                        f"INSERT INTO {raw_log} VALUES (%s, %s, %s, %s, %s, %s, %s, %s)", log
                    )
            seconds += time.perf_counter() - started
            inserted += len(payload)
        with conn.transaction():
            conn.execute(f"DROP TABLE {raw}")
            conn.execute(f"DROP TABLE {raw_log}")
        return inserted, seconds

    events_only, events_only_seconds = bulk_insert(with_log=False)
    inserted, insert_seconds = bulk_insert(with_log=True)
    started = time.perf_counter()
    decoded = 0
    loads = orjson.loads
    with conn.transaction(), conn.cursor(name="bench_read") as cur:
        cur.itersize = 10_000
        cur.execute(f"SELECT state FROM {table} ORDER BY notification_id")
        for (state,) in cur:
            loads(state)
            decoded += 1
    read_seconds = time.perf_counter() - started
    conn.close()
    return {
        "insert_rate": inserted / insert_seconds,
        "insert_seconds": insert_seconds,
        "events_only_insert_rate": events_only / events_only_seconds,
        "read_seconds": read_seconds,
        "read_rate": decoded / read_seconds,
        "peak_mb": peak_mb(),
    }


# ------------------------------------------------------------------- orchestration


PHASES = {
    "ingest": lambda a: phase_ingest(a.store, a.events, a.seed),
    "rebuild": lambda a: phase_rebuild(a.store),
    "catch-up": lambda a: phase_catch_up(a.store, a.clinicians, a.seed),
    "status": lambda a: phase_status(a.store, a.clinicians, a.seed),
    "raw-credits": lambda a: phase_raw_credits(a.store),
    "record": lambda a: phase_record(a.store, a.clinicians, a.seed, a.tag),
    "partition": lambda a: phase_partition(a.store, a.partitions),
    "worker": lambda a: phase_worker(a.store, a.partitions),
    "raw": lambda a: (
        phase_raw_postgres(a.store, a.batch)
        if a.store.startswith("postgres")
        else phase_raw_sqlite(a.store, a.batch)
    ),
}


def run_phase(name: str, args: argparse.Namespace, **extra: Any) -> dict[str, Any]:
    command = [sys.executable, str(Path(__file__).resolve()), "--phase", name]
    command += ["--store", args.store, "--events", str(args.events), "--seed", str(args.seed)]
    command += ["--batch", str(args.batch)]
    for key, value in extra.items():
        command += [f"--{key}", str(value)]
    print(f"[{name}] ...", file=sys.stderr, flush=True)
    out = subprocess.run(command, check=True, stdout=subprocess.PIPE, text=True).stdout
    result: dict[str, Any] = json.loads(out.strip().splitlines()[-1])
    # Each phase's figures as they come (a long run stopped part-way keeps them).
    print(f"[{name}] {json.dumps(result)}", file=sys.stderr, flush=True)
    return result


@contextmanager
def private_postgres() -> Iterator[str]:
    sys.path.insert(0, str(HERE.parent / "tests"))
    from support.postgres import postgres_server  # the test-suite's own server starter

    with postgres_server() as server, server.fresh_database() as url:
        yield url


def server_cpu_seconds(store: str) -> float | None:
    """CPU time of the PostgreSQL server on this machine so far (its postmaster, the
    backends it reaped, the ones alive), or None when it cannot be read (remote)."""
    from credtrail.core.store import StoreLocation

    port = str(StoreLocation.parse(store).resolve()["POSTGRES_PORT"])
    tick = os.sysconf("SC_CLK_TCK")

    def stat(pid: int) -> list[str]:
        text = Path(f"/proc/{pid}/stat").read_text()
        return text[text.rindex(")") + 2 :].split()

    processes: dict[int, list[str]] = {}
    postmaster = None
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if (entry / "comm").read_text().strip() != "postgres":
                continue
            pid = int(entry.name)
            processes[pid] = stat(pid)
            argv = (entry / "cmdline").read_bytes().split(b"\0")
            if b"-D" in argv:
                data = argv[argv.index(b"-D") + 1].decode()
                lines = Path(data, "postmaster.pid").read_text().splitlines()
                if lines[3].strip() == port:
                    postmaster = pid
        except (OSError, ValueError, IndexError):
            continue
    if postmaster is None:
        return None
    total = sum(int(x) for x in processes[postmaster][11:15])  # utime stime cutime cstime
    for fields in processes.values():
        if int(fields[1]) == postmaster:
            total += int(fields[11]) + int(fields[12])
    return total / tick


def run_workers(
    args: argparse.Namespace, workers: int, *, own_session: bool = True
) -> dict[str, Any]:
    """``workers`` worker processes: started, ready (imports done), then all told to go
    at once; wall time from 'go' until the last one is done, and each one's figures.

    Each worker runs in its own session (``own_session``): with the kernel's
    autogroup scheduling (``/proc/sys/kernel/sched_autogroup_enabled``), the processes
    of one session share one fair share of the CPU, so on a machine busy with other
    sessions a second worker in the same session would add no CPU at all."""
    command = [sys.executable, str(Path(__file__).resolve()), "--phase", "worker"]
    command += ["--store", args.store, "--partitions", str(args.partitions)]
    print(f"[{workers} worker process(es)] ...", file=sys.stderr, flush=True)
    children = [
        subprocess.Popen(
            command,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            start_new_session=own_session,
        )
        for _ in range(workers)
    ]
    for child in children:
        assert child.stdout is not None
        assert child.stdout.readline().strip() == "ready"
    server_before = server_cpu_seconds(args.store)
    started = time.perf_counter()
    for child in children:
        assert child.stdin is not None
        child.stdin.write("go\n")
        child.stdin.flush()
    results = []
    for child in children:
        out, _ = child.communicate()
        assert child.returncode == 0
        results.append(json.loads(out.strip().splitlines()[-1]))
    seconds = time.perf_counter() - started
    server_after = server_cpu_seconds(args.store)
    server = None if server_before is None or server_after is None else server_after - server_before
    print(f"[{workers} worker process(es)] {seconds:.2f} s", file=sys.stderr, flush=True)
    return {
        "workers": workers,
        "seconds": seconds,
        "server_cpu_seconds": server,
        "processes": results,
        "peak_mb": max(r["peak_mb"] for r in results),
        "cpu_seconds": sum(r["cpu_seconds"] for r in results),
    }


def worker_phases(args: argparse.Namespace, clinicians: int) -> dict[str, Any]:
    """PostgreSQL: rebuild by 1 and by 2 worker processes, catch-up of 10,000 credits by
    2 workers, then ``status`` reading the partitioned views."""
    out: dict[str, Any] = {}
    for workers in (1, 2):
        run_phase("partition", args, partitions=args.partitions)
        out[f"rebuild_{workers}"] = run_workers(args, workers)
    out["record"] = run_phase("record", args, clinicians=clinicians, tag="workers")
    out["catch_up_2"] = run_workers(args, 2)
    out["status"] = run_phase("status", args, clinicians=clinicians)
    return out


def report(args: argparse.Namespace) -> None:
    import platform

    postgres = args.store.startswith("postgres")
    backend = "PostgreSQL" if postgres else "SQLite"
    skip = set(filter(None, args.skip.split(",")))
    load_before = os.getloadavg()
    ing = run_phase("ingest", args)
    raw = run_phase("raw", args)
    server_before = server_cpu_seconds(args.store) if postgres else None
    reb = run_phase("rebuild", args)
    server_after = server_cpu_seconds(args.store) if postgres else None
    if server_before is not None and server_after is not None:
        reb["server_cpu_seconds"] = server_after - server_before
    reb["raw_credit_insert_seconds"] = run_phase("raw-credits", args)["raw_credit_insert_seconds"]
    cat = run_phase("catch-up", args, clinicians=ing["clinicians"])
    st = run_phase("status", args, clinicians=ing["clinicians"])
    wk = worker_phases(args, ing["clinicians"]) if postgres and "workers" not in skip else {}
    load_after = os.getloadavg()
    rows = [
        (
            "events in the log",
            f"{ing['events']:,}",
            f"store {ing['store_mb']:,.0f} MB after ingest, {reb['store_mb']:,.0f} MB with "
            "the views",
        ),
        ("clinicians", f"{ing['clinicians']:,}", ""),
        (
            "ingest (application, ~10k events/txn)",
            f"{ing['rate']:,.0f} events/s ({ing['seconds']:.1f} s recording; "
            f"{ing['with_generation_rate']:,.0f}/s with drawing the population)",
            f"{ing['rate'] / raw['insert_rate']:.0%} of raw insert of the same rows "
            f"(event + log row) {raw['insert_rate']:,.0f}/s; "
            f"{ing['rate'] / raw['events_only_insert_rate']:.0%} of the event rows alone "
            f"{raw['events_only_insert_rate']:,.0f}/s",
        ),
        (
            "full rebuild, both views, one process",
            f"{reb['seconds']:.2f} s ({reb['rate']:,.0f} events/s; "
            f"{reb['compliance_rows']:,} compliance rows; {reb['workers']} forked judges"
            + (
                f"; both rebuilds: {reb['server_cpu_seconds']:.1f} s CPU in the server)"
                if "server_cpu_seconds" in reb
                else ")"
            ),
            f"{reb['seconds'] / raw['read_seconds']:.2f}x raw read+decode "
            f"{raw['read_seconds']:.2f} s",
        ),
        (
            "rebuild, transcript view alone",
            f"{reb['transcript_seconds']:.2f} s ({reb['credit_rows']:,} credit rows; "
            f"{reb['transcript_cpu_seconds']:.2f} s CPU)",
            f"{reb['transcript_seconds'] / _transcript_raw(reb, raw):.2f}x (raw read+decode "
            f"{raw['read_seconds']:.2f} s + raw one-table insert of its credit rows "
            f"{reb['raw_credit_insert_seconds']:.2f} s; as many event rows: "
            f"{reb['credit_rows'] / raw['events_only_insert_rate']:.2f} s)",
        ),
        ("catch-up of 10,000 new credits, one process", f"{cat['seconds']:.2f} s", ""),
        ("earn_many (batches of 1,000)", f"{cat['earn_many_rate']:,.0f} credits/s", ""),
        (
            f"status of one clinician on {st['day']}, from the view (median of 100)",
            f"{st['status_ms']:.2f} ms",
            f"{st['status_engine_calls']} direct evaluations among the 100",
        ),
        (
            "the same, evaluated directly from the view's rows (median of 100)",
            f"{st['direct_ms']:.2f} ms",
            "",
        ),
        (
            "transcript of one clinician, from views (median of 100)",
            f"{st['transcript_ms']:.2f} ms",
            f"from the ledger: {st['ledger_transcript_ms']:.2f} ms",
        ),
        (
            "peak memory (max RSS of the phase's process)",
            f"ingest {ing['peak_mb']:.0f} MB, rebuild {reb['peak_mb']:.0f} MB "
            f"(each of its {reb['workers']} judges at most {reb['worker_peak_mb']:.0f} MB), "
            f"catch-up {cat['peak_mb']:.0f} MB, status {st['peak_mb']:.0f} MB",
            f"raw {raw['peak_mb']:.0f} MB",
        ),
    ]
    if wk:
        one, two, cu2, st2 = wk["rebuild_1"], wk["rebuild_2"], wk["catch_up_2"], wk["status"]
        efficiency = one["seconds"] / (2 * two["seconds"])
        rows += [
            (
                f"rebuild by 1 worker process ({args.partitions} partitions)",
                f"{one['seconds']:.2f} s ({one['cpu_seconds']:.1f} s CPU in the worker, "
                f"{_cpu(one['server_cpu_seconds'])} in the PostgreSQL server)",
                f"{one['seconds'] / raw['read_seconds']:.2f}x raw read+decode",
            ),
            (
                "rebuild by 2 worker processes",
                f"{two['seconds']:.2f} s ({two['cpu_seconds']:.1f} s CPU in the workers, "
                f"{_cpu(two['server_cpu_seconds'])} in the PostgreSQL server)",
                f"scaling efficiency 1 -> 2: {efficiency:.2f}",
            ),
            (
                "catch-up of 10,000 new credits by 2 worker processes",
                f"{cu2['seconds']:.2f} s ({cu2['cpu_seconds']:.1f} s CPU in the workers, "
                f"{_cpu(cu2['server_cpu_seconds'])} in the PostgreSQL server)",
                f"one process: {cat['seconds']:.2f} s",
            ),
            (
                "status from the partitioned views (median of 100)",
                f"{st2['status_ms']:.2f} ms (direct {st2['direct_ms']:.2f} ms)",
                "",
            ),
            (
                "peak memory of a worker process",
                f"rebuild {max(one['peak_mb'], two['peak_mb']):.0f} MB, "
                f"catch-up {cu2['peak_mb']:.0f} MB",
                "",
            ),
        ]
    print(
        f"\ncredtrail projections benchmark: {backend}, {args.events:,} events, seed {args.seed}"
        f" ({platform.python_version()}, {os.cpu_count()} CPUs; load average "
        f"{load_before[0]:.1f} before, {load_after[0]:.1f} after)"
    )
    width = max(len(r[0]) for r in rows)
    for label, value, ratio in rows:
        print(f"  {label:<{width}}  {value}" + (f"   [{ratio}]" if ratio else ""))
    print_targets(backend, ing, raw, reb, cat, st, wk)
    if args.json:
        print(
            json.dumps(
                {
                    "ingest": ing,
                    "raw": raw,
                    "rebuild": reb,
                    "catch_up": cat,
                    "status": st,
                    "workers": wk,
                    "load": [load_before, load_after],
                }
            )
        )


def _cpu(seconds: float | None) -> str:
    return "?" if seconds is None else f"{seconds:.1f} s"


def _transcript_raw(reb: dict[str, Any], raw: dict[str, Any]) -> float:
    """Raw read+decode of the log + raw one-table insert of the transcript's credit rows
    (measured: the rows copied from the view, ``executemany`` 10,000 per transaction)."""
    return float(raw["read_seconds"] + reb["raw_credit_insert_seconds"])


def print_targets(
    backend: str,
    ing: dict[str, Any],
    raw: dict[str, Any],
    reb: dict[str, Any],
    cat: dict[str, Any],
    st: dict[str, Any],
    wk: dict[str, Any],
) -> None:
    """The issue's table: each figure against its target."""

    def verdict(ok: bool) -> str:
        return "met" if ok else "**missed**"

    transcript = reb["transcript_seconds"] / _transcript_raw(reb, raw)
    ingest = ing["rate"] / raw["insert_rate"]
    peaks = [ing["peak_mb"], reb["peak_mb"], reb["worker_peak_mb"], cat["peak_mb"], st["peak_mb"]]
    if wk:
        efficiency = wk["rebuild_1"]["seconds"] / (2 * wk["rebuild_2"]["seconds"])
        scaling = f"{efficiency:.2f} ({wk['rebuild_1']['seconds']:.1f} s -> "
        scaling += f"{wk['rebuild_2']['seconds']:.1f} s)"
        scaling_ok = verdict(efficiency >= 0.85)
        catch_up = wk["catch_up_2"]["seconds"]
        catch_label = f"{catch_up:.2f} s (2 worker processes)"
        status = min(st["status_ms"], wk["status"]["status_ms"])
        status_label = f"{st['status_ms']:.2f} ms (partitioned: {wk['status']['status_ms']:.2f} ms)"
        peaks += [wk["rebuild_1"]["peak_mb"], wk["rebuild_2"]["peak_mb"]]
        peaks += [wk["catch_up_2"]["peak_mb"]]
    else:
        scaling, scaling_ok = "n/a: one writer (SQLite)", "-"
        catch_up = cat["seconds"]
        catch_label = f"{catch_up:.2f} s (one process, {reb['workers']} forked judges)"
        status = st["status_ms"]
        status_label = f"{status:.2f} ms"
    lines = [
        ("transcript view rebuild <= 2x raw", f"{transcript:.2f}x", verdict(transcript <= 2)),
        ("compliance rebuild efficiency 1 -> 2 workers >= 0.85", scaling, scaling_ok),
        ("ingest >= 25% of raw insert", f"{ingest:.0%}", verdict(ingest >= 0.25)),
        ("catch-up of 10,000 credits <= 2 s", catch_label, verdict(catch_up <= 2)),
        ("status median <= 5 ms", status_label, verdict(status <= 5)),
        (
            "peak memory of any process <= 400 MB",
            f"{max(peaks):.0f} MB",
            verdict(max(peaks) <= 400),
        ),
    ]
    print(f"\n  targets ({backend}):")
    width = max(len(x[0]) for x in lines)
    for label, value, ok in lines:
        print(f"  {label:<{width}}  {value}  {ok}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--batch", type=int, default=10_000, help="rows per raw-insert txn")
    parser.add_argument("--store", help="SQLite path or postgresql:// URL (empty store)")
    parser.add_argument("--postgres", action="store_true", help="start a private PostgreSQL")
    parser.add_argument("--json", action="store_true", help="also print all figures as JSON")
    parser.add_argument("--phase", choices=sorted(PHASES), help=argparse.SUPPRESS)
    parser.add_argument("--clinicians", type=int, default=0, help=argparse.SUPPRESS)
    parser.add_argument("--tag", default="workers", help=argparse.SUPPRESS)
    parser.add_argument(
        "--partitions", type=int, default=16, help="PostgreSQL: partitions for the worker phases"
    )
    parser.add_argument(
        "--skip", default="", help="comma-separated phases to leave out (e.g. workers)"
    )
    args = parser.parse_args()
    if args.phase:
        result = PHASES[args.phase](args)
        print(json.dumps(result, default=lambda o: str(o) if isinstance(o, Decimal) else o))
        return
    if args.postgres:
        with private_postgres() as url:
            args.store = url
            report(args)
        return
    if args.store:
        report(args)
        return
    with tempfile.TemporaryDirectory(prefix="credtrail-bench-") as folder:
        args.store = os.path.join(folder, "bench.db")
        report(args)


if __name__ == "__main__":
    main()

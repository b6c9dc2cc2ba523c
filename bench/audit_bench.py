"""Audit benchmark: verify, checkpoint, as-of replay and evidence bundles over N events.

    /tmp/venv/bin/python bench/audit_bench.py                    # 100,000 events, SQLite
    /tmp/venv/bin/python bench/audit_bench.py --events 1000000   # the issue's 1M-event run
    /tmp/venv/bin/python bench/audit_bench.py --events 100000 --postgres  # private cluster
    /tmp/venv/bin/python bench/audit_bench.py --store postgresql://user@host/db  # EMPTY db

The population is bench/population.py's (seeded clinicians with licences, ~40 credits,
claims, revocations, requirement versions changing half-way), recorded through the
application in batches of ~10,000 events per transaction. The as-of instant T is the
transaction time of the event half-way through the log. Figures:

- ``verify``: every link and event hash recomputed, streamed (events/s, peak memory);
- ``replay state``: every clinician's ledger and transcript rebuilt as of T;
- ``replay compliance``: the same plus the rule engine on each licence (``--sample``
  clinicians, since the engine solves an integer program per licence);
- ``one clinician``: ``AsOf(store, T).transcript(id)`` median/p90 over ``--runs``
  random clinicians, and the same with compliance;
- ``export``/``verify --bundle`` of one clinician (the export builds the Merkle tree
  over the whole log to prove its events).

Each phase after ingest runs in its own subprocess, so its peak memory is its own.
Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))


def _open(store: str) -> Any:
    from credtrail.core.application import Credtrail
    from credtrail.core.plugins import build_plugin_manager
    from credtrail.plugins import builtin_plugins

    pm = build_plugin_manager(builtin_plugins(), load_entrypoints=False)
    return Credtrail.open(store, pm)


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _mid_instant(app: Any) -> tuple[datetime, int]:
    from credtrail.core.audit.reader import LogReader

    reader = LogReader(app.store)
    last = reader.last_position()
    row = next(reader.log_from(last // 2, last, page=1))
    return datetime.fromisoformat(row.recorded_at), last


# ------------------------------------------------------------------------ phases


def phase_ingest(store: str, events: int) -> dict[str, Any]:
    from population import Population, ingest

    from credtrail.core.application import Credtrail
    from credtrail.core.plugins import build_plugin_manager
    from credtrail.plugins import builtin_plugins

    pm = build_plugin_manager(builtin_plugins(), load_entrypoints=False)
    app = Credtrail.open(store, pm, create=True)
    written, clinicians, seconds = 0, 0, 0.0
    # ingest yields (events in the log, clinicians drawn, seconds spent recording).
    for progress in ingest(app, Population(app), events):
        written, clinicians, seconds = progress
    app.close()
    return {"events": written, "clinicians": clinicians, "seconds": seconds}


def phase_verify(store: str) -> dict[str, Any]:
    from credtrail.core.audit.integrity import Checkpoint, verify

    app = _open(store)
    start = time.perf_counter()
    report = verify(app.store)
    seconds = time.perf_counter() - start
    cp = Checkpoint(
        position=report.position,
        events=report.events,
        head=report.head,
        root=report.root,
        created_at=datetime.now().astimezone(),
    )
    start = time.perf_counter()
    against = verify(app.store, cp)
    with_cp = time.perf_counter() - start
    return {
        "events": report.events,
        "ok": report.ok and against.ok,
        "seconds": seconds,
        "with_checkpoint_seconds": with_cp,
        "peak_mb": _peak_mb(),
    }


def phase_replay(store: str, sample: int) -> dict[str, Any]:
    from credtrail.core.audit.asof import AsOf
    from credtrail.core.audit.compliance import standings
    from credtrail.core.transcript import transcript_of

    app = _open(store)
    as_of, last = _mid_instant(app)
    view = AsOf(app.store, as_of)
    start = time.perf_counter()
    versions = view.all_versions()
    index_seconds = time.perf_counter() - start
    clinicians = credits = 0
    for ledger in view.clinicians():
        transcript_of(ledger)
        clinicians += 1
        credits += len(ledger.credits)
    state_seconds = time.perf_counter() - start
    events_as_of = sum(versions.values())
    start = time.perf_counter()
    judged = evaluated = 0
    for ledger in view.clinicians():
        if judged >= sample:
            break
        evaluated += len(standings(view, ledger, app.registry))
        judged += 1
    compliance_seconds = time.perf_counter() - start
    return {
        "as_of": as_of.isoformat(),
        "log_events": last,
        "events_as_of": events_as_of,
        "clinicians": clinicians,
        "credits": credits,
        "index_seconds": index_seconds,
        "state_seconds": state_seconds,
        "compliance_clinicians": judged,
        "compliance_standings": evaluated,
        "compliance_seconds": compliance_seconds,
        "peak_mb": _peak_mb(),
    }


def phase_one(store: str, runs: int) -> dict[str, Any]:
    from credtrail.core.audit.asof import AsOf
    from credtrail.core.audit.compliance import standings
    from credtrail.core.audit.reader import LogReader

    app = _open(store)
    as_of, _ = _mid_instant(app)
    ids = sorted(ledger.clinician_id for ledger in AsOf(app.store, as_of).clinicians())
    rng = random.Random(5)
    picks = [rng.choice(ids) for _ in range(runs)]
    state, full, events = [], [], []
    for cid in picks:
        start = time.perf_counter()
        view = AsOf(app.store, as_of)
        view.transcript(cid)
        state.append((time.perf_counter() - start) * 1000)
        start = time.perf_counter()
        view = AsOf(app.store, as_of)
        ledger = view.ledger(cid)
        standings(view, ledger, app.registry)
        full.append((time.perf_counter() - start) * 1000)
        events.append(ledger.version)
    reader = LogReader(app.store)
    assert reader.last_position() > 0

    def q(values: list[float], p: float) -> float:
        return sorted(values)[min(len(values) - 1, int(p * len(values)))]

    return {
        "runs": runs,
        "events_per_ledger_median": statistics.median(events),
        "state_ms_median": statistics.median(state),
        "state_ms_p90": q(state, 0.9),
        "compliance_ms_median": statistics.median(full),
        "compliance_ms_p90": q(full, 0.9),
    }


def phase_bundle(store: str, folder: str) -> dict[str, Any]:
    from credtrail.core.audit.asof import AsOf
    from credtrail.core.audit.bundle import export_bundle, verify_bundle

    app = _open(store)
    as_of, _ = _mid_instant(app)
    cid = next(AsOf(app.store, as_of).clinicians()).clinician_id
    start = time.perf_counter()
    manifest = export_bundle(app.store, app.registry, cid, as_of, Path(folder))
    export_seconds = time.perf_counter() - start
    start = time.perf_counter()
    report = verify_bundle(Path(folder), registry=app.registry)
    verify_seconds = time.perf_counter() - start
    proof = len(json.loads((Path(folder) / "events.jsonl").read_text().splitlines()[0])["proof"])
    return {
        "clinician": cid,
        "events": manifest["events"],
        "proof_hashes": proof,
        "export_seconds": export_seconds,
        "verify_seconds": verify_seconds,
        "standings": report.standings,
        "peak_mb": _peak_mb(),
    }


PHASES = {"verify": phase_verify, "replay": phase_replay, "one": phase_one, "bundle": phase_bundle}


def _subprocess(phase: str, *args: str) -> dict[str, Any]:
    out = subprocess.run(
        [sys.executable, __file__, "--phase", phase, *args],
        check=True,
        capture_output=True,
        text=True,
    )
    result: dict[str, Any] = json.loads(out.stdout.splitlines()[-1])
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--store", help="an EMPTY PostgreSQL database URL or a new SQLite path")
    parser.add_argument("--postgres", action="store_true", help="start a private PostgreSQL")
    parser.add_argument(
        "--keyed", action="store_true", help="sign every batch with a fresh organisation key"
    )
    parser.add_argument("--runs", type=int, default=100, help="single-clinician replays")
    parser.add_argument("--sample", type=int, default=200, help="clinicians judged in full")
    parser.add_argument("--phase", choices=sorted(PHASES), help=argparse.SUPPRESS)
    parser.add_argument("--arg", help=argparse.SUPPRESS)
    ns = parser.parse_args()
    if ns.phase:
        extra: list[Any] = {
            "verify": [],
            "replay": [ns.sample],
            "one": [ns.runs],
            "bundle": [ns.arg],
        }[ns.phase]
        print(json.dumps(PHASES[ns.phase](ns.store, *extra)))
        return
    if ns.postgres:
        sys.path.insert(0, str(HERE.parent / "tests"))
        from support.postgres import postgres_server  # the test-suite's own server starter

        with postgres_server() as server, server.fresh_database() as url:
            run(ns, url)
    else:
        run(ns, ns.store)


def run(ns: argparse.Namespace, store_url: str | None) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        store = store_url or str(Path(tmp) / "audit-bench.db")
        backend = "postgres" if store.startswith("postgres") else "sqlite"
        if ns.keyed:
            from credtrail.core.persistence.signing import KEY_ENV, generate_key

            (Path(tmp) / "keys").mkdir()
            signer = generate_key(Path(tmp) / "keys" / "org.pem")
            os.environ[KEY_ENV] = str(signer.path)  # the phases' subprocesses inherit it
            backend += f", keyed ({signer.key_id})"
        ing = phase_ingest(store, ns.events)
        print(
            f"ingest ({backend}): {ing['events']:,} events, {ing['clinicians']:,} clinicians "
            f"in {ing['seconds']:.1f} s ({ing['events'] / ing['seconds']:,.0f} events/s)"
        )
        v = _subprocess("verify", "--store", store)
        print(
            f"verify: {v['events']:,} events in {v['seconds']:.2f} s "
            f"({v['events'] / v['seconds']:,.0f} events/s), against a checkpoint "
            f"{v['with_checkpoint_seconds']:.2f} s; ok={v['ok']}; peak {v['peak_mb']:.0f} MB"
        )
        r = _subprocess("replay", "--store", store, "--sample", str(ns.sample))
        print(
            f"replay as of {r['as_of']}: {r['events_as_of']:,} of {r['log_events']:,} events, "
            f"{r['clinicians']:,} clinicians, {r['credits']:,} credits; state in "
            f"{r['state_seconds']:.1f} s ({r['events_as_of'] / r['state_seconds']:,.0f} events/s; "
            f"time index {r['index_seconds']:.2f} s); peak {r['peak_mb']:.0f} MB"
        )
        if r["compliance_clinicians"]:
            per = r["compliance_seconds"] / r["compliance_clinicians"] * 1000
            print(
                f"replay compliance: {r['compliance_clinicians']} clinicians, "
                f"{r['compliance_standings']} standings in {r['compliance_seconds']:.1f} s "
                f"({per:.1f} ms per clinician; all {r['clinicians']:,} would take "
                f"~{per * r['clinicians'] / 1000:.0f} s)"
            )
        o = _subprocess("one", "--store", store, "--runs", str(ns.runs))
        print(
            f"one clinician as of T ({o['runs']} runs, median ledger "
            f"{o['events_per_ledger_median']:.0f} events): transcript median "
            f"{o['state_ms_median']:.2f} ms (p90 {o['state_ms_p90']:.2f}); with compliance "
            f"median {o['compliance_ms_median']:.2f} ms (p90 {o['compliance_ms_p90']:.2f})"
        )
        b = _subprocess("bundle", "--store", store, "--arg", str(Path(tmp) / "bundle"))
        print(
            f"bundle of {b['clinician']}: {b['events']} events, {b['proof_hashes']} hashes per "
            f"proof; export {b['export_seconds']:.2f} s (verifies the log, builds the tree), "
            f"offline verify {b['verify_seconds'] * 1000:.0f} ms; peak {b['peak_mb']:.0f} MB"
        )


if __name__ == "__main__":
    main()

"""Rule-engine judging benchmark: every cycle of every licence of N synthetic clinicians.

    python bench/judging.py                    # 300 clinicians, best of 5
    python bench/judging.py --clinicians 50 --runs 1

Builds the clinicians' ledgers in memory (the seeded population of ``bench/run.py``,
nothing stored) and times ``evaluate_history`` for each licence on one day: the engine
alone, no store, no views. Prints the figures and a digest of the statuses (equal
digests: equal results); asserts nothing.
"""

from __future__ import annotations

import argparse
import hashlib
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

import orjson

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from population import Population, registered  # noqa: E402

from credtrail.core.application import Credtrail  # noqa: E402
from credtrail.core.plugins import build_plugin_manager  # noqa: E402
from credtrail.core.rules import evaluate_history  # noqa: E402
from credtrail.plugins import builtin_plugins  # noqa: E402

ON = date(2026, 11, 30)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clinicians", type=int, default=300)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        pm = build_plugin_manager(builtin_plugins(), load_entrypoints=False)
        app = Credtrail.open(f"{tmp}/bench.db", pm, create=True)
        population = Population(app, args.seed)
        versions: dict[str, list[dict[str, object]]] = {}
        for doc in [*app.registry.requirements.values(), *population.changed_versions()]:
            versions.setdefault(str(doc["id"]), []).append(doc)
        work = []
        for i in range(args.clinicians):
            plan = population.plan(i)
            ledger = registered(plan)
            ids = [app.apply_earn(ledger, request) for request in plan.credits]
            for k, reason, when in plan.revocations:
                ledger.revoke(ids[k], reason, when)
            for k, authority, units, when in plan.claims:
                ledger.claim(ids[k], authority, units, when)
            work += [
                (versions[lic.requirement_id], ledger.credits, lic)
                for lic in ledger.licenses.values()
            ]
        seconds, digest, cycles = [], "", 0
        for _ in range(args.runs):
            started = time.perf_counter()
            results = [evaluate_history(v, c, lic, app.registry, on=ON) for v, c, lic in work]
            seconds.append(time.perf_counter() - started)
            cycles = sum(len(r) for r in results)
            statuses = [
                [(e.cycle_start, e.status, [(p.part, p.status) for p in e.parts]) for e in r]
                for r in results
            ]
            digest = hashlib.sha256(orjson.dumps(statuses)).hexdigest()[:16]
        app.close()
    print(
        f"licences {len(work)}, cycles {cycles}: best {min(seconds):.3f} s, "
        f"median {statistics.median(seconds):.3f} s, {cycles / min(seconds):,.0f} cycles/s; "
        f"statuses digest {digest}"
    )


if __name__ == "__main__":
    main()

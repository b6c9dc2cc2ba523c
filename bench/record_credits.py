"""How long recording credits through the application takes on SQLite.

    python bench/record_credits.py [--credits 10000] [--clinicians 200] [--batch 1000]

Two ways, same credits: one ``Credtrail.earn`` per credit (one transaction each, what
``credtrail credit earn`` does), and ``Credtrail.earn_many`` in batches (what imports
do). Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import random
import tempfile
import time
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

from credtrail.core.application import Credtrail, EarnRequest
from credtrail.core.plugins import build_plugin_manager
from credtrail.plugins import builtin_plugins


def requests(n: int, clinicians: int, seed: int = 7) -> list[EarnRequest]:
    rng = random.Random(seed)
    start = date(2023, 1, 1)
    out = []
    for i in range(n):
        out.append(
            EarnRequest(
                clinician_id=f"md-{i % clinicians:05d}",
                credit_type="ama_pra_1",
                units=Decimal(rng.randint(1, 16)) / 4,
                completed_on=start + timedelta(days=rng.randint(0, 1000)),
                provider=f"Provider {rng.randint(1, 50)}",
                accreditor="ACCME",
                activity_id=f"ACT-{i:07d}",
                topics=("ethics",) if rng.random() < 0.1 else (),
            )
        )
    return out


def fresh_app(folder: Path, name: str, clinicians: int) -> Credtrail:
    pm = build_plugin_manager(builtin_plugins(), load_entrypoints=False)
    app = Credtrail.open(str(folder / name), pm, create=True)
    for c in range(clinicians):
        app.add_clinician(f"md-{c:05d}", "physician")
    return app


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--credits", type=int, default=10_000)
    parser.add_argument("--clinicians", type=int, default=200)
    parser.add_argument("--batch", type=int, default=1_000)
    args = parser.parse_args()
    work = requests(args.credits, args.clinicians)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        app = fresh_app(folder, "single.db", args.clinicians)
        started = time.perf_counter()
        for request in work:
            app.earn(request)
        single = time.perf_counter() - started
        app.close()

        app = fresh_app(folder, "batched.db", args.clinicians)
        started = time.perf_counter()
        for i in range(0, len(work), args.batch):
            app.earn_many(work[i : i + args.batch])
        batched = time.perf_counter() - started
        app.close()

    n = len(work)
    print(f"recording {n} credits for {args.clinicians} clinicians on SQLite")
    print(
        f"  one transaction per credit (credit earn): {single:8.2f} s  {n / single:8.0f} credits/s"
    )
    print(
        f"  earn_many, {args.batch} per transaction:   {batched:8.2f} s  "
        f"{n / batched:8.0f} credits/s  ({single / batched:.1f}x faster)"
    )


if __name__ == "__main__":
    main()

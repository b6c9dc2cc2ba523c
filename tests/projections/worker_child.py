"""Run one partition worker in a child process (the worker fault tests start these).

    python worker_child.py STORE PARTITIONS LEASE_SECONDS PAGE_SIZE [slow|pause]

``slow``: print ``page`` (flushed) inside each page's write transaction, after the
lease check and before the commit, then pause a little there, so a SIGKILL that
follows a ``page`` line lands in the middle of a page, lease row locked.
``pause``: print ``read PART AFTER LAST`` (flushed) after reading each page, outside
any transaction, then wait for a line on stdin (or its end) before judging the page:
the test can SIGSTOP the worker there, holding a lease and no lock. At the end the
worker's report is printed as one JSON line.
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Callable

from credtrail.core.application import Credtrail
from credtrail.core.plugins import build_plugin_manager
from credtrail.core.projections import Views
from credtrail.core.projections.db import Cursor
from credtrail.core.projections.decode import LogEvent
from credtrail.core.projections.partition import Lease, PartitionReader
from credtrail.plugins import builtin_plugins


def main() -> None:
    store, parts, lease, page = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), int(sys.argv[4])
    slow = sys.argv[5:] == ["slow"]
    if sys.argv[5:] == ["pause"]:
        read = PartitionReader.read

        def told(self: PartitionReader, after: int, limit: int) -> tuple[list[LogEvent], int]:
            events, last = read(self, after, limit)
            print(f"read {self.part} {after} {last}", flush=True)
            sys.stdin.readline()
            return events, last

        PartitionReader.read = told  # type: ignore[method-assign]
    pm = build_plugin_manager(builtin_plugins(), load_entrypoints=False)
    app = Credtrail.open(store, pm)
    worker = Views.of(app, page_size=page, workers=1).worker(partitions=parts, lease_seconds=lease)
    if slow:
        checked = worker.guard

        def guard(held: Lease) -> Callable[[Cursor, str, int, int], None]:
            check = checked(held)

            def noisy(cur: Cursor, view: str, old: int, last: int) -> None:
                check(cur, view, old, last)
                print(f"page {held.part} {view} {old} {last}", flush=True)
                time.sleep(0.05)

            return noisy

        worker.guard = guard  # type: ignore[method-assign]
    report = worker.run(once=True, wait=True, poll=0.1)
    print(
        json.dumps(
            {
                "owner": worker.owner,
                "partitions": report.partitions,
                "events": report.events,
                "lost": report.lost,
                "takeovers": report.takeovers,
            }
        ),
        flush=True,
    )


if __name__ == "__main__":
    main()

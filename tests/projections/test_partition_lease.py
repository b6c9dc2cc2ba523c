"""Lease renewal and fencing of partition workers (real PostgreSQL server).

A worker paused past its lease (SIGSTOP: every thread of it stops, its heartbeat too)
loses the partition to another worker, and its write is refused when it wakes up; a
live worker judging a page longer than its lease keeps it (the heartbeat renews it).
Waits poll the server with generous bounds; nothing asserts how long anything took.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Sequence
from typing import Any

import pluggy
import pytest

from credtrail.core.application import Credtrail
from credtrail.core.projections import Views
from credtrail.core.projections.compliance import Pending
from credtrail.core.projections.db import LEASES, Cursor
from credtrail.core.projections.decode import LogEvent
from credtrail.core.projections.partition import HEARTBEATS_PER_LEASE, Lease

from .test_fault import populate
from .test_workers import BOUND, CHILD, PAGE, assert_pages_chain, rows, views_tables

pytestmark = pytest.mark.postgres

LEASE = 1.5  # seconds: short, so the tests wait little; renewed every LEASE / 4


@pytest.fixture
def app(postgres_url: str, pm: pluggy.PluginManager) -> Any:
    app = Credtrail.open(postgres_url, pm, create=True)
    populate(app)
    yield app
    app.close()


def wait_for(views: Views, condition: str, params: Sequence[Any] = ()) -> None:
    """Poll the server until ``condition`` (a boolean SQL expression on the lease row
    of partition 0) holds; fail after a generous bound (a hang, not a slow machine)."""
    deadline = time.monotonic() + BOUND
    while time.monotonic() < deadline:
        found = rows(views, f"SELECT ({condition}) AS ok FROM {LEASES} WHERE part = 0", params)
        if found and found[0]["ok"]:
            return
        time.sleep(0.05)
    pytest.fail(f"the lease row never reached {condition}")


def test_paused_worker_loses_its_lease_and_its_write_is_refused(
    app: Credtrail, postgres_url: str
) -> None:
    """A worker stopped (SIGSTOP) past its lease is taken over; when it resumes, its page
    is rolled back and it leaves the partition saying so: the views equal a single-process
    build, each page written once, the paused worker's pages all before the taker's."""
    views = Views.of(app, workers=1)
    views.catch_up()
    serial = views_tables(views)
    head = views.runner.reader.head()
    views.rebuild_partitioned(1, run=False)

    paused = subprocess.Popen(
        [sys.executable, str(CHILD), postgres_url, "1", str(LEASE), str(PAGE), "pause"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert paused.stdin is not None
    assert paused.stdout is not None
    stopped = False
    try:
        for line in paused.stdout:
            _, _, after, last = line.split()
            if int(after) >= 3 * PAGE and int(last) < head:
                # Mid-partition, lease held, page read and not yet judged: stop it there.
                os.kill(paused.pid, signal.SIGSTOP)
                stopped = True
                break
            paused.stdin.write("\n")
            paused.stdin.flush()
        assert stopped
        held = rows(views, f"SELECT owner, token FROM {LEASES} WHERE part = 0")[0]
        wait_for(views, "expires_at < clock_timestamp()")  # nobody renews it now

        deadline = time.monotonic() + BOUND
        taker = views.worker(lease_seconds=60)
        report = taker.run(
            once=True, wait=True, poll=0.05, stop=lambda: time.monotonic() > deadline
        )
        assert (report.takeovers, report.partitions, report.lost) == (1, [0], 0)
    except BaseException:
        paused.kill()
        raise
    finally:
        if stopped:
            os.kill(paused.pid, signal.SIGCONT)
    # Closing its stdin lets the page in hand go on to be judged and written.
    out, err = paused.communicate(timeout=BOUND)
    assert paused.returncode == 0, err
    result = json.loads(out.splitlines()[-1])
    assert (result["lost"], result["partitions"]) == (1, [])
    assert f"worker {held['owner']} lost its lease on partition 0/1" in err
    assert "nothing of it written" in err

    assert views_tables(views) == serial
    tokens = assert_pages_chain(views, 1, head)
    for view in ("transcript", "compliance"):
        chain = tokens[view, 0]
        mine = [t == held["token"] for t in chain]
        assert mine[0], (view, chain)
        assert not mine[-1], (view, chain)
        assert mine == sorted(mine, reverse=True), (view, chain)
    assert rows(views, f"SELECT token, claims FROM {LEASES}") == [{"token": None, "claims": 2}]


def test_long_page_keeps_its_lease_while_renewed(app: Credtrail) -> None:
    """A page judged for longer than two leases keeps its lease (the heartbeat renews
    it): a rival worker claiming all the while gets nothing, and the page commits."""
    views = Views.of(app, page_size=PAGE, workers=1)
    views.catch_up()
    serial = views_tables(views)
    views.rebuild_partitioned(1, run=False)
    keeper = views.worker(lease_seconds=LEASE)
    rival = views.worker(lease_seconds=60)
    head = keeper.store_head()
    compliance = keeper.runner(0).views[1]
    begin = compliance.begin  # type: ignore[attr-defined]
    attempts: list[Lease | None] = []

    def long_page(cur: Cursor, events: Sequence[LogEvent]) -> Pending:
        if not attempts:  # the first page: judged for more than two leases
            beating = keeper.beating
            assert beating is not None
            deadline = time.monotonic() + BOUND
            while beating.renewals < 2 * HEARTBEATS_PER_LEASE + 1:
                attempts.append(rival.claim(head))
                assert time.monotonic() < deadline, "the heartbeat never renewed"
                time.sleep(0.05)
            attempts.append(rival.claim(head))
        return begin(cur, events)  # type: ignore[no-any-return]

    compliance.begin = long_page  # type: ignore[attr-defined]
    report = keeper.run(once=True, wait=False)
    assert (report.lost, report.partitions) == (0, [0])
    assert len(attempts) > 2
    assert set(attempts) == {None}
    assert views_tables(views) == serial
    tokens = assert_pages_chain(views, 1, head)
    assert len(set(tokens["transcript", 0] + tokens["compliance", 0])) == 1

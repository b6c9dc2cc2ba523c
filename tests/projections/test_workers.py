"""Partitioned projection workers on PostgreSQL: takeover, fencing, fan-out (real server).

Nothing here depends on timing: leases are short, waits poll with generous bounds, and
what happened is read from the lease rows and the page record the workers write in
each page's own transaction.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from collections import defaultdict
from datetime import date
from pathlib import Path
from typing import Any

import pluggy
import pytest
from click.testing import CliRunner

from credtrail.cli.main import cli
from credtrail.core.application import Credtrail
from credtrail.core.domain import clinician_uuid
from credtrail.core.projections import Views
from credtrail.core.projections.db import LEASES, PAGES, TRACKING
from credtrail.core.projections.partition import (
    LeaseLostError,
    PartitionLayoutError,
    WorkerReport,
    partition_of,
    view_name,
)
from credtrail.plugins import DEFAULT_PLUGINS

from .history import REQUIREMENT, direct, dump, from_views, record
from .test_fault import populate

CHILD = Path(__file__).with_name("worker_child.py")
PARTS = 4
PAGE = 10
BOUND = 180  # seconds: generous bounds on waits for a child, never an assertion on time

pytestmark = pytest.mark.postgres


@pytest.fixture
def app(postgres_url: str, pm: pluggy.PluginManager) -> Any:
    app = Credtrail.open(postgres_url, pm, create=True)
    populate(app)
    yield app
    app.close()


def views_tables(views: Views) -> dict[str, list[tuple[Any, ...]]]:
    """Every view table's rows (not the tracking rows, which differ by layout)."""
    return {k: v for k, v in dump(views).items() if k != TRACKING}


def rows(views: Views, statement: str, params: list[Any] | None = None) -> list[dict[str, Any]]:
    with views.runner.db.transaction(commit=False) as cur:
        cur.execute(statement, params or [])
        return [dict(r) for r in cur.fetchall()]


def assert_pages_chain(views: Views, parts: int, head: int) -> dict[tuple[str, int], list[str]]:
    """Each partition's pages, per view, follow one another from 0 to the head, none
    twice and none missing; returns each chain's tokens in order."""
    pages = rows(
        views,
        f"SELECT view, part, token, from_position, to_position FROM {PAGES} "
        "ORDER BY committed_at, from_position",
    )
    chains: dict[tuple[str, int], list[dict[str, Any]]] = defaultdict(list)
    for p in pages:
        chains[p["view"], int(p["part"])].append(p)
    tokens = {}
    for view in ("transcript", "compliance"):
        for part in range(parts):
            chain = chains[view, part]
            at = 0
            for page in chain:  # in commit order
                assert page["from_position"] == at, (view, part, chain)
                assert page["to_position"] > at
                at = page["to_position"]
            assert at == head, (view, part, at, head)
            tokens[view, part] = [p["token"] for p in chain]
    positions = rows(views, f"SELECT view, position FROM {TRACKING}")
    assert {r["view"]: r["position"] for r in positions} == {
        view_name(v, p, parts): head for v in ("transcript", "compliance") for p in range(parts)
    }
    return tokens


def start(store: str, parts: int, lease: float, *extra: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, str(CHILD), store, str(parts), str(lease), str(PAGE), *extra],
        stdout=subprocess.PIPE,
        text=True,
    )


def finish(child: subprocess.Popen[str]) -> dict[str, Any]:
    out, _ = child.communicate(timeout=BOUND)
    assert child.returncode == 0, out
    return dict(json.loads(out.splitlines()[-1]))


def test_partition_of_is_a_stable_hash_of_the_clinician_id(app: Credtrail) -> None:
    """The partition is the same in Python and in SQL, and pinned (not Python's hash())."""
    assert [partition_of(f"md-{i}", 16) for i in range(8)] == [
        int(clinician_uuid(f"md-{i}").hex[-8:], 16) % 16 for i in range(8)
    ]
    assert partition_of("md-1", 16) == PINNED_MD_1
    views = Views.of(app, workers=1)
    events = app.store.qualified(app.store.recorder.events_table_name)  # type: ignore[attr-defined]
    found = rows(
        views,
        "SELECT DISTINCT originator_id, mod(('x' || right(replace(originator_id::text, '-', ''),"
        f" 8))::bit(32)::bigint, 7) AS part FROM {events}",
    )
    ledgers = {clinician_uuid(f"k{c:02d}"): f"k{c:02d}" for c in range(15)}
    seen = [
        (r["part"], partition_of(ledgers[r["originator_id"]], 7))
        for r in found
        if r["originator_id"] in ledgers
    ]
    assert len(seen) == 15
    assert all(sql == py for sql, py in seen)


PINNED_MD_1 = int(clinician_uuid("md-1").hex[-8:], 16) % 16


@pytest.mark.parametrize("run_clinicians", [1000, 1], ids=["pages", "runs"])
def test_partitioned_rebuild_equals_the_single_process_views(
    app: Credtrail, run_clinicians: int
) -> None:
    """Rebuilt in 4 partitions, the view tables hold exactly the single runner's rows;
    also with every page judged and written a clinician at a time (each page recorded
    once, with its last run)."""
    views = Views.of(app, workers=1)
    views.catch_up()
    serial = views_tables(views)
    views = Views.of(app, workers=1, run_clinicians=run_clinicians)
    views.rebuild_partitioned(PARTS)
    assert views.partitions == PARTS
    assert views_tables(views) == serial
    head = views.runner.reader.head()
    assert_pages_chain(views, PARTS, head)
    assert [(s.view, s.position, s.lag) for s in views.status()] == [
        ("transcript", head, 0),
        ("compliance", head, 0),
    ]
    # status reads the partitioned rows as it reads the single runner's.
    assert from_views(views, ["k00", "k07"]) == direct(app, ["k00", "k07"])


def test_killed_worker_partitions_are_taken_over(app: Credtrail, postgres_url: str) -> None:
    """SIGKILL a worker mid-page while another runs: its partition is taken over once its
    lease expires, and the views equal a single-process rebuild, nothing lost or doubled."""
    views = Views.of(app, workers=1)
    views.catch_up()
    serial = views_tables(views)
    head = views.runner.reader.head()
    views.rebuild_partitioned(PARTS, run=False)

    doomed = start(postgres_url, PARTS, 2.0, "slow")
    other: subprocess.Popen[str] | None = None
    assert doomed.stdout is not None
    killed_in = -1
    for seen, line in enumerate(doomed.stdout, start=1):
        assert line.startswith("page "), line
        _, part, _, _, last = line.split()
        if other is None:
            other = start(postgres_url, PARTS, 2.0)  # the other worker, running meanwhile
        if seen >= 3 and int(last) < head:  # mid-partition: the lease is still held
            os.kill(doomed.pid, signal.SIGKILL)
            killed_in = int(part)
            break
    doomed.stdout.close()
    doomed.wait(timeout=BOUND)
    assert doomed.returncode == -signal.SIGKILL
    assert other is not None
    survivor = finish(other)

    assert survivor["takeovers"] >= 1
    assert killed_in in survivor["partitions"]
    assert views_tables(views) == serial
    tokens = assert_pages_chain(views, PARTS, head)
    # The killed worker's partition was written under two tokens, one after the other.
    written = tokens["transcript", killed_in] + tokens["compliance", killed_in]
    assert len(set(written)) >= 2
    lease = rows(
        views, f"SELECT claims, token, caught_up FROM {LEASES} WHERE part = ?", [killed_in]
    )
    assert lease[0]["claims"] >= 2
    assert lease[0]["token"] is None
    assert lease[0]["caught_up"] >= head
    credits = sum(len(app.ledger(f"k{c:02d}").credits) for c in range(15))
    assert len(serial["credtrail_v_credits"]) == credits


def test_two_workers_for_one_partition_never_both_write(app: Credtrail) -> None:
    """A worker whose lease was taken over writes nothing: the lease token fences it."""
    views = Views.of(app, page_size=PAGE, workers=1)
    views.rebuild_partitioned(1, run=False)
    first, second = views.worker(lease_seconds=60), views.worker(lease_seconds=60)
    head = first.store_head()
    held = first.claim(head)
    assert held is not None
    assert second.claim(head) is None  # held and not expired: skipped, not waited for
    # The first worker stalls past its lease: the second takes the partition over.
    with views.runner.db.transaction(commit=True) as cur:
        cur.execute(f"UPDATE {LEASES} SET expires_at = clock_timestamp() - interval '1 second'")
    taken = second.claim(head)
    assert taken is not None
    assert (taken.part, taken.token != held.token) == (0, True)

    stalled = WorkerReport()
    first.work(held, stalled)  # wakes up and tries to write its first page
    assert (stalled.lost, stalled.events) == (1, 0)
    assert rows(views, f"SELECT * FROM {PAGES}") == []
    assert {r["position"] for r in rows(views, f"SELECT position FROM {TRACKING}")} == {0}

    second.work(taken, WorkerReport())
    tokens = assert_pages_chain(views, 1, head)
    assert set(tokens["transcript", 0] + tokens["compliance", 0]) == {taken.token}
    with pytest.raises(LeaseLostError), views.runner.db.transaction() as cur:
        first.guard(held)(cur, "transcript@0/1", head, head)


def test_two_worker_processes_started_together_apply_each_page_once(
    app: Credtrail, postgres_url: str
) -> None:
    """Two processes racing for one partition: its pages chain once from 0 to the head."""
    views = Views.of(app, workers=1)
    views.catch_up()
    serial = views_tables(views)
    views.rebuild_partitioned(1, run=False)
    children = [start(postgres_url, 1, 5.0) for _ in range(2)]
    reports = [finish(c) for c in children]
    assert sum(len(r["partitions"]) for r in reports) >= 1
    assert all(r["lost"] == 0 for r in reports)
    assert_pages_chain(views, 1, views.runner.reader.head())
    assert views_tables(views) == serial


@pytest.mark.parametrize("run_clinicians", [1000, 1], ids=["pages", "runs"])
def test_requirement_change_fans_out_to_every_partition(
    app: Credtrail, run_clinicians: int
) -> None:
    """A RequirementChanged reaches every partition, each re-judging its own licensees
    (at once, or a clinician at a time)."""
    views = Views.of(app, page_size=PAGE, workers=1, run_clinicians=run_clinicians)
    views.rebuild_partitioned(PARTS)
    clinicians = [f"k{c:02d}" for c in range(15)]
    assert {partition_of(c, PARTS) for c in clinicians} == set(range(PARTS))
    record(app, ("requirement", 9, date(2025, 1, 1)), [0])
    changed = views.runner.reader.head()
    assert views.catch_up() > 0
    pages = rows(
        views,
        f"SELECT part FROM {PAGES} WHERE view = 'compliance' "
        "AND from_position < ? AND to_position >= ?",
        [changed, changed],
    )
    assert sorted(int(p["part"]) for p in pages) == list(range(PARTS))
    assert from_views(views, clinicians) == direct(app, clinicians)
    versions = {
        r["explanation"]
        for r in rows(
            views,
            "SELECT explanation FROM credtrail_v_compliance WHERE requirement_id = ?",
            [REQUIREMENT],
        )
    }
    assert any("test-9" in text for text in versions)


def test_layout_of_another_count_is_refused(app: Credtrail) -> None:
    """Workers asked for another partition count than the views have are refused."""
    views = Views.of(app, workers=1)
    views.rebuild_partitioned(PARTS, run=False)
    with pytest.raises(PartitionLayoutError, match="split in 4 partitions, not 8"):
        views.worker(partitions=8)


def test_worker_command_on_postgres_and_refused_on_sqlite(
    app: Credtrail, postgres_url: str, tmp_path: Path
) -> None:
    """``projections worker --once --json`` catches every partition up; SQLite refuses it."""
    runner = CliRunner()
    base = ["--plugins", ",".join(DEFAULT_PLUGINS)]
    result = runner.invoke(
        cli,
        [
            "--store",
            postgres_url,
            *base,
            "projections",
            "worker",
            "--once",
            "--partitions",
            "3",
            "--json",
        ],
    )
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert (sorted(report["caught_up"]), report["partitions"]) == ([0, 1, 2], 3)
    status = runner.invoke(cli, ["--store", postgres_url, *base, "projections", "status", "--json"])
    head = app.store.recorder.max_notification_id()
    assert [(s["view"], s["lag"]) for s in json.loads(status.stdout)] == [
        ("transcript", 0),
        ("compliance", 0),
    ]
    assert head
    sqlite = str(tmp_path / "s.db")
    runner.invoke(cli, ["--store", sqlite, *base, "init"])
    refused = runner.invoke(cli, ["--store", sqlite, *base, "projections", "worker"])
    assert refused.exit_code == 1
    assert refused.output == (
        "Error: projection workers need a PostgreSQL store (SQLite has a single writer); "
        "use 'credtrail projections catch-up' or 'rebuild' instead\n"
    )

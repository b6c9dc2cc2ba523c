"""Partitioned projection workers on PostgreSQL: many processes, many machines, one store.

The clinician space is split into ``parts`` partitions by a stable hash of the
clinician id: the last 32 bits of the clinician's stream id, ``uuid5(namespace,
"clinician:" + id)`` (SHA-1 of the id), modulo ``parts``. The same number is worked
out in SQL from the stored event's ``originator_id``, so a partition reads only its
share of the log (plus the requirement streams, which every partition reads: a
``RequirementChanged`` fans out to every partition, and each re-judges its own
licensees). Python's ``hash()`` would differ between processes; this does not.

Each partition runs the ordinary ``Runner`` over the same view tables, with its own
tracking rows (``transcript@3/16``, ``compliance@3/16``): a partition's rows and its
positions commit in one transaction, exactly as the single-process runner's do.

Who may write a partition is decided by PostgreSQL itself, with one lease row per
partition (``credtrail_partition``): a worker claims a partition with ``SELECT ... FOR
UPDATE SKIP LOCKED`` among the rows that are free or whose lease expired, and stamps
it with a fresh random token and an expiry. Every page it commits first renews the
lease *on that token* in the page's own transaction (``UPDATE ... WHERE part = ? AND
token = ?``): if another worker took the partition over (a new token), the update
touches no row and the page is rolled back, rows and position together. The token is
the fence that keeps two writers out of one partition (however late a worker wakes
up); the expiry only decides when a silent worker's partition may be taken over.

A page can take longer to judge than the lease lasts (a loaded machine, a requirement
change re-judging a whole partition): while a worker holds a partition, a heartbeat
thread renews the lease on its own connection every quarter lease (``UPDATE ... WHERE
part = ? AND owner = ? AND token = ?``), so a worker that is alive keeps what it holds.
A worker that is paused (SIGSTOP, a VM frozen, a GC pause, a stalled network) renews
nothing, its lease expires and another worker takes the partition over; when the paused
worker wakes up, its heartbeat or its next commit finds another token, the page's
transaction is rolled back (rows and position together), and the worker logs that it
lost the lease and leaves the partition. Renewal keeps live workers from losing
partitions; the token check inside the writing transaction is what makes a second
writer impossible, whatever the clocks and pauses do. A
worker that dies holds its partitions until its lease expires; then the next worker
to look claims them and resumes from their committed positions.

Leases rather than advisory locks: a session advisory lock is tied to one connection
(the store's connection pool hands out several, and a lock taken on one does not fence
writes made on another), dies with the connection rather than with the worker (a
worker stuck but connected keeps it for ever, a worker whose connection blips loses
it silently mid-page), and leaves no trace to inspect; a lease row is checked inside
the very transaction that writes, expires on a clock, and shows who holds what.

Every committed page also leaves a row in ``credtrail_partition_pages`` (view,
partition, token, from and to positions), in the same transaction: the record the
fault tests check (each partition's pages chain from 0 to its position, each written
under the token that held the lease), and what an operator reads to see takeovers.
"""

from __future__ import annotations

import logging
import os
import secrets
import socket
import threading
import time
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING

from credtrail.core.domain import EVENT_CLASSES, RequirementHistory, clinician_uuid
from credtrail.core.errors import CredtrailError
from credtrail.core.projections.compliance import RUN_CLINICIANS, ComplianceView
from credtrail.core.projections.db import LEASES, PAGES, TRACKING, Cursor, Database
from credtrail.core.projections.decode import LogEvent, LogReader
from credtrail.core.projections.runner import DEFAULT_PAGE_SIZE, Runner, View, ViewStatus
from credtrail.core.projections.transcript import Streams, TranscriptView
from credtrail.core.store import EventStore

if TYPE_CHECKING:
    from credtrail.core.registry import Registry

DEFAULT_PARTITIONS = 16
"""Partitions of a new layout: more than the workers one expects to run (a worker
takes one partition at a time; spare partitions even out the tail)."""
DEFAULT_LEASE_SECONDS = 30.0
"""How long a claim lasts without a renewal (a heartbeat renews it every quarter)."""
HEARTBEATS_PER_LEASE = 4
"""Renewals per lease period: a live worker misses three in a row before it loses one."""

log = logging.getLogger(__name__)

BROADCAST_TOPICS = tuple(
    cls.TOPIC  # type: ignore[attr-defined]
    for cls in EVENT_CLASSES
    if cls.__qualname__.startswith(RequirementHistory.__qualname__ + ".")
)
"""Events every partition reads: the requirement streams (not a clinician's)."""

# The partition of a stored event, in SQL: the last 8 hex digits of its stream id.
_PART_SQL = "mod(('x' || right(replace(originator_id::text, '-', ''), 8))::bit(32)::bigint, ?)"


class PartitionLayoutError(CredtrailError):
    """Raised when workers are asked for another partition count than the views have."""

    def __init__(self, have: int, asked: int) -> None:
        super().__init__(
            f"the views are split in {have} partitions, not {asked}; to change that, "
            f"rebuild them: 'credtrail projections rebuild --partitions {asked}'"
        )


class LeaseLostError(CredtrailError):
    """A worker's lease on a partition was taken over (or revoked by a rebuild): the
    page it was writing was rolled back."""

    def __init__(self, part: int) -> None:
        self.part = part
        super().__init__(f"the lease on partition {part} was taken over; nothing was written")


class NeedsPostgresError(CredtrailError):
    """Raised when partitioned workers are asked of a SQLite store."""

    def __init__(self) -> None:
        super().__init__(
            "projection workers need a PostgreSQL store (SQLite has a single writer); "
            "use 'credtrail projections catch-up' or 'rebuild' instead"
        )


def stream_partition(stream: str, parts: int) -> int:
    """The partition of a stream id (``uuid.hex``)."""
    return int(stream[-8:], 16) % parts


@lru_cache(maxsize=65536)
def partition_of(clinician_id: str, parts: int) -> int:
    """The partition of a clinician: stable across processes, machines and versions."""
    return stream_partition(clinician_uuid(clinician_id).hex, parts)


def view_name(view: str, part: int, parts: int) -> str:
    """The tracking row of one partition of a view."""
    return f"{view}@{part}/{parts}"


# ----------------------------------------------------------------------- the layout


def layout(db: Database) -> int | None:
    """How many partitions the views are split in (None: not partitioned)."""
    if not db.postgres:
        return None
    with db.transaction(commit=False) as cur:
        cur.execute(f"SELECT MAX(parts) AS parts, COUNT(*) AS n FROM {LEASES}")
        row = cur.fetchone()
    return None if not row["n"] else int(row["parts"])


def pending(db: Database, events_table: str, clinician_id: str | None = None) -> int | None:
    """The layout's partition count if the partition of ``clinician_id`` (any, when None)
    has not caught up to the log's head; 0 when it has; None if not partitioned.

    One statement (a query's hot path: reading views that are current costs one round
    trip here)."""
    if not db.postgres:
        return None
    with db.transaction(commit=False) as cur:
        cur.execute(
            f"SELECT MAX(parts) AS parts, COUNT(*) AS n, "
            f"(SELECT MAX(notification_id) FROM {events_table}) AS head FROM {LEASES}"
        )
        row = cur.fetchone()
        if not row["n"]:
            return None
        parts, head = int(row["parts"]), int(row["head"] or 0)
        where = "" if clinician_id is None else " AND part = ?"
        params: list[object] = [head]
        if clinician_id is not None:
            params.append(partition_of(clinician_id, parts))
        cur.execute(f"SELECT COUNT(*) AS n FROM {LEASES} WHERE caught_up < ?{where}", params)
        return parts if cur.fetchone()["n"] else 0


def ensure_layout(db: Database, parts: int | None) -> int:
    """The layout, created with ``parts`` (default ``DEFAULT_PARTITIONS``) if none exists;
    ``PartitionLayoutError`` if it exists with another count."""
    if not db.postgres:
        raise NeedsPostgresError
    if parts is not None and parts < 1:
        raise CredtrailError(f"partitions must be at least 1, not {parts}")
    with db.transaction(commit=True) as cur:
        # Two workers starting at once: one creates the rows, the other sees them.
        cur.execute(f"LOCK TABLE {LEASES} IN SHARE ROW EXCLUSIVE MODE")
        cur.execute(f"SELECT MAX(parts) AS parts, COUNT(*) AS n FROM {LEASES}")
        row = cur.fetchone()
        if row["n"]:
            have = int(row["parts"])
            if parts is not None and parts != have:
                raise PartitionLayoutError(have, parts)
            return have
        chosen = parts or DEFAULT_PARTITIONS
        _create_layout(cur, chosen)
        return chosen


def _create_layout(cur: Cursor, parts: int) -> None:
    cur.executemany(
        f"INSERT INTO {LEASES} (part, parts, caught_up, claims) VALUES (?, ?, 0, 0)",
        [(p, parts) for p in range(parts)],
    )


def reset_layout(
    db: Database,
    views: Sequence[View],
    parts: int,
    names: Sequence[str] | None = None,
) -> None:
    """Delete the views' rows (all, or ``names``) and reset their partitions' positions,
    in one transaction; a new partition count starts a new layout.

    Every lease is revoked first (its row locked, then changed), so a worker
    mid-page can no longer commit: its next page finds another token and writes nothing.
    """
    from datetime import UTC, datetime

    stamp = datetime.now(UTC).isoformat()
    chosen = [v for v in views if names is None or v.name in names]
    with db.transaction(commit=True) as cur:
        cur.execute(f"LOCK TABLE {LEASES} IN SHARE ROW EXCLUSIVE MODE")
        cur.execute(f"SELECT part FROM {LEASES} FOR UPDATE")  # waits for pages committing
        cur.execute(f"SELECT MAX(parts) AS parts, COUNT(*) AS n FROM {LEASES}")
        row = cur.fetchone()
        fresh = not row["n"] or int(row["parts"]) != parts
        if fresh:
            chosen = list(views)  # another split: every view starts over
            cur.execute(f"DELETE FROM {LEASES}")
            cur.execute(f"DELETE FROM {PAGES}")
            cur.execute(f"DELETE FROM {TRACKING}")
            _create_layout(cur, parts)
        else:
            cur.execute(
                f"UPDATE {LEASES} SET owner = NULL, token = NULL, expires_at = NULL, caught_up = 0"
            )
        for v in chosen:
            for table in v.tables:
                cur.execute(f"DELETE FROM {table}")
            cur.execute(f"DELETE FROM {PAGES} WHERE view = ?", [v.name])
            cur.executemany(
                f"INSERT INTO {TRACKING} (view, position, rebuilt_at, fingerprint) "
                "VALUES (?, 0, ?, ?) ON CONFLICT (view) DO UPDATE SET position = 0, "
                "rebuilt_at = excluded.rebuilt_at, fingerprint = excluded.fingerprint",
                [(view_name(v.name, p, parts), stamp, v.fingerprint) for p in range(parts)],
            )


def partition_status(db: Database, views: Sequence[View], head: int) -> list[ViewStatus]:
    """Each view's standing over its partitions: the lowest position, stale if any is."""
    with db.transaction(commit=False) as cur:
        cur.execute(f"SELECT view, position, rebuilt_at, fingerprint FROM {TRACKING}")
        rows = cur.fetchall()
        cur.execute(f"SELECT MAX(parts) AS parts FROM {LEASES}")
        parts = int(cur.fetchone()["parts"] or 0)
    out = []
    for v in views:
        mine = {r["view"]: r for r in rows if r["view"].startswith(v.name + "@")}
        positions = []
        stale = False
        stamps = []
        for p in range(parts):
            r = mine.get(view_name(v.name, p, parts))
            positions.append(0 if r is None else int(r["position"]))
            if r is not None:
                stale = stale or (int(r["position"]) > 0 and r["fingerprint"] != v.fingerprint)
                if r["rebuilt_at"]:
                    stamps.append(r["rebuilt_at"])
        out.append(
            ViewStatus(
                view=v.name,
                position=min(positions, default=0),
                head=head,
                rebuilt_at=min(stamps) if stamps else None,
                stale=stale,
            )
        )
    return out


# ------------------------------------------------------------------- one partition


class PartitionReader:
    """Reads one partition's share of the log: its clinicians' events and every
    requirement event, decoded as ``LogReader`` decodes them."""

    def __init__(self, store: EventStore, part: int, parts: int) -> None:
        self.db = Database(store)
        self.log = LogReader(store)
        self.part = part
        self.parts = parts
        events = store.qualified(store.recorder.events_table_name)  # type: ignore[attr-defined]
        self.query = (
            f"SELECT notification_id, originator_id, topic, state FROM {events} "
            "WHERE notification_id > ? AND notification_id <= ? "
            f"AND ({_PART_SQL} = ? OR topic = ANY(?)) ORDER BY notification_id LIMIT ?"
        )

    def head(self) -> int:
        return self.log.head()

    def read(self, after: int, limit: int) -> tuple[list[LogEvent], int]:
        """The partition's next events, and the position they bring it to: the log's
        head when fewer than ``limit`` were left (the rest of the log is others')."""
        head = self.head()
        if head <= after:
            return [], after
        with self.db.transaction(commit=False) as cur:
            cur.execute(
                self.query, [after, head, self.parts, self.part, list(BROADCAST_TOPICS), limit]
            )
            rows = cur.fetchall()
        events = self.log.decode_rows(
            [
                (
                    int(r["notification_id"]),
                    r["originator_id"].hex,
                    r["topic"],
                    bytes(r["state"]),
                )
                for r in rows
            ]
        )
        return events, events[-1].id if len(events) == limit else head


@dataclass(frozen=True)
class Lease:
    """A partition this worker holds, under ``token``."""

    part: int
    token: str


@dataclass
class WorkerReport:
    """What one ``PartitionWorker.run`` did."""

    partitions: list[int] = field(default_factory=list)
    """Each partition caught up, in order (a partition may come more than once)."""
    events: int = 0
    lost: int = 0
    """Leases taken over (or revoked) while this worker held them."""
    takeovers: int = 0
    """Partitions this worker claimed from a lease that had expired."""


class Heartbeat:
    """Renews one lease every ``interval`` seconds on its own connection, in a thread,
    until stopped or until the lease is found taken over (``lost``).

    Renewing never decides who may write (the token check in each page's transaction
    does): it only keeps a live worker's lease from expiring during a long page.
    """

    def __init__(
        self, db: Database, lease: Lease, owner: str, seconds: float, interval: float
    ) -> None:
        self.db = db
        self.lease = lease
        self.owner = owner
        self.seconds = seconds
        self.interval = interval
        self.renewals = 0
        self.lost = threading.Event()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._beat, name=f"lease-{lease.part}", daemon=True)

    def renew(self) -> bool:
        """Push the lease's expiry on, if it is still ours; False (and ``lost``) if not."""
        with self.db.transaction(commit=True) as cur:
            cur.execute(
                f"UPDATE {LEASES} SET expires_at = clock_timestamp() + make_interval(secs => ?) "
                "WHERE part = ? AND owner = ? AND token = ?",
                [self.seconds, self.lease.part, self.owner, self.lease.token],
            )
            held = cur.rowcount == 1
        if held:
            self.renewals += 1
        else:
            self.lost.set()
        return held

    def _beat(self) -> None:
        while not self._stop.wait(self.interval):
            try:
                if not self.renew():
                    return
            except Exception as exc:  # a blip: the next beat (or the commit) decides
                log.warning("lease renewal of partition %d failed: %s", self.lease.part, exc)

    def __enter__(self) -> Heartbeat:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


class PartitionWorker:
    """Claims partitions one at a time, catches each up to the log's head, releases it."""

    def __init__(
        self,
        store: EventStore,
        registry: Registry | None,
        *,
        fingerprint: str | None = None,
        partitions: int | None = None,
        lease_seconds: float = DEFAULT_LEASE_SECONDS,
        page_size: int = DEFAULT_PAGE_SIZE,
        owner: str | None = None,
        heartbeat: float | None = None,
        say: Callable[[str], None] | None = None,
        run_clinicians: int = RUN_CLINICIANS,
    ) -> None:
        """``partitions``: the count to create the layout with (None: the store's,
        else ``DEFAULT_PARTITIONS``); ``owner``: recorded on the lease rows;
        ``heartbeat``: seconds between renewals (default a quarter lease; 0: none);
        ``say``: where a lost lease is reported (default: this module's logger);
        ``run_clinicians``: the compliance view's runs (``ComplianceView``)."""
        if lease_seconds <= 0:
            raise CredtrailError(f"the lease must last more than 0 seconds, not {lease_seconds}")
        self.store = store
        self.registry = registry
        self.fingerprint = fingerprint
        self.run_clinicians = run_clinicians
        self.db = Database(store)
        if not self.db.postgres:
            raise NeedsPostgresError
        self.parts = ensure_layout(self.db, partitions)
        self.lease_seconds = lease_seconds
        self.page_size = page_size
        self.owner = owner or f"{socket.gethostname()}:{os.getpid()}"
        self.heartbeat = lease_seconds / HEARTBEATS_PER_LEASE if heartbeat is None else heartbeat
        self.say: Callable[[str], None] = say or log.warning
        self.beating: Heartbeat | None = None
        self._runners: dict[int, Runner] = {}
        self.held: Lease | None = None
        self._took_over = False

    # -- leases --------------------------------------------------------------------

    def claim(self, below: int, only: Collection[int] | None = None) -> Lease | None:
        """A free (or expired) partition not yet caught up to ``below``, now ours."""
        where = ""
        params: list[object] = [below]
        if only is not None:
            if not only:
                return None
            where = f" AND part IN ({', '.join('?' * len(only))})"
            params.extend(sorted(only))
        token = secrets.token_hex(16)
        with self.db.transaction(commit=True) as cur:
            cur.execute(
                f"SELECT part, token FROM {LEASES} WHERE caught_up < ? "
                f"AND (token IS NULL OR expires_at < clock_timestamp()){where} "
                "ORDER BY caught_up, part LIMIT 1 FOR UPDATE SKIP LOCKED",
                params,
            )
            row = cur.fetchone()
            if row is None:
                return None
            cur.execute(
                f"UPDATE {LEASES} SET owner = ?, token = ?, claims = claims + 1, "
                "expires_at = clock_timestamp() + make_interval(secs => ?) WHERE part = ?",
                [self.owner, token, self.lease_seconds, row["part"]],
            )
        self.held = Lease(int(row["part"]), token)
        self._took_over = row["token"] is not None
        return self.held

    def release(self, lease: Lease, caught_up: int = 0) -> None:
        """Give the partition back, noting it has applied the log up to ``caught_up``."""
        with self.db.transaction(commit=True) as cur:
            cur.execute(
                f"UPDATE {LEASES} SET owner = NULL, token = NULL, expires_at = NULL, "
                "caught_up = GREATEST(caught_up, ?) WHERE part = ? AND token = ?",
                [caught_up, lease.part, lease.token],
            )
        if self.held == lease:
            self.held = None

    def guard(self, lease: Lease) -> Callable[[Cursor, str, int, int], None]:
        """The check each page runs in its write transaction: still our lease."""

        def check(cur: Cursor, view: str, old: int, last: int) -> None:
            # The fence: in the page's own transaction, before anything is written, the
            # lease row is locked (held until commit, so no claim can slip in between)
            # and must still carry this worker's owner and token.
            beating = self.beating
            if beating is not None and beating.lost.is_set():
                raise LeaseLostError(lease.part)
            cur.execute(
                f"UPDATE {LEASES} SET expires_at = clock_timestamp() + make_interval(secs => ?) "
                "WHERE part = ? AND owner = ? AND token = ?",
                [self.lease_seconds, lease.part, self.owner, lease.token],
            )
            if cur.rowcount != 1:
                raise LeaseLostError(lease.part)
            if last == old:
                return  # a run of a page written in runs: the page is recorded with its last
            cur.execute(
                f"INSERT INTO {PAGES} (view, part, token, from_position, to_position, "
                "committed_at) VALUES (?, ?, ?, ?, ?, clock_timestamp())",
                [view.split("@")[0], lease.part, lease.token, old, last],
            )

        return check

    # -- work ----------------------------------------------------------------------

    def runner(self, part: int) -> Runner:
        """The runner of one partition (kept between claims: its caches stay valid)."""
        if part not in self._runners:
            self._runners[part] = Runner(
                self.store,
                partition_views(
                    self.registry, part, self.parts, self.fingerprint, self.run_clinicians
                ),
                page_size=self.page_size,
                reader=PartitionReader(self.store, part, self.parts),
            )
        return self._runners[part]

    def work(self, lease: Lease, report: WorkerReport) -> None:
        """Catch the leased partition up to the head (renewing the lease meanwhile),
        then release it; a lease found lost ends the work on it, nothing of the page
        in hand written."""
        runner = self.runner(lease.part)
        runner.guard = self.guard(lease)
        head = runner.reader.head()
        beat = Heartbeat(self.db, lease, self.owner, self.lease_seconds, self.heartbeat)
        try:
            if self.heartbeat > 0:
                with beat:
                    self.beating = beat
                    report.events += runner.catch_up()
            else:
                report.events += runner.catch_up()
        except LeaseLostError:
            report.lost += 1
            self.held = None
            self._runners.pop(lease.part, None)  # what it had in hand was not written
            self.say(
                f"worker {self.owner} lost its lease on partition {lease.part}/{self.parts} "
                "(taken over after it expired, or revoked by a rebuild): the page in hand "
                "was rolled back, nothing of it written; leaving the partition"
            )
            return
        except BaseException:
            self.release(lease)
            raise
        finally:
            self.beating = None
        self.release(lease, head)
        report.partitions.append(lease.part)

    def run(
        self,
        *,
        once: bool = True,
        wait: bool = True,
        only: Collection[int] | None = None,
        poll: float = 0.5,
        stop: Callable[[], bool] | None = None,
        progress: Callable[[int, WorkerReport], None] | None = None,
    ) -> WorkerReport:
        """Catch partitions up until every one (or each of ``only``) has applied the log
        as it was when this began (``once``), or until ``stop()`` (not ``once``).

        A partition another worker holds is waited for (``wait``), and claimed once
        its lease expires; without ``wait`` it is left to that worker.
        """
        report = WorkerReport()
        target = self.store_head()
        try:
            while stop is None or not stop():
                if not once:
                    target = self.store_head()
                lease = self.claim(target, only)
                if lease is not None:
                    report.takeovers += self._took_over
                    self.work(lease, report)
                    if progress is not None:
                        progress(lease.part, report)
                    continue
                if once and (not wait or self.behind(target, only) == 0):
                    break
                time.sleep(poll)
        finally:
            if self.held is not None:
                self.release(self.held)
            for r in self._runners.values():
                r.close(abort=True)
        return report

    def store_head(self) -> int:
        return LogReader(self.store).head()

    def behind(self, target: int, only: Collection[int] | None = None) -> int:
        """How many partitions (of ``only``) have not caught up to ``target``."""
        return behind(self.db, target, only)


def behind(db: Database, target: int, only: Collection[int] | None = None) -> int:
    """How many partitions (of ``only``) have not caught up to ``target``."""
    with db.transaction(commit=False) as cur:
        cur.execute(f"SELECT part FROM {LEASES} WHERE caught_up < ?", [target])
        parts = {int(r["part"]) for r in cur.fetchall()}
    return len(parts if only is None else parts & set(only))


def partition_views(
    registry: Registry | None,
    part: int,
    parts: int,
    fingerprint: str | None,
    run_clinicians: int = RUN_CLINICIANS,
) -> list[View]:
    """The views of one partition: its tracking rows, its clinicians' compliance."""
    streams = Streams()
    views: list[View] = [TranscriptView(streams, name=view_name("transcript", part, parts))]
    if registry is not None:

        def owns(clinician_id: str) -> bool:
            return partition_of(clinician_id, parts) == part

        views.append(
            ComplianceView(
                streams,
                registry,
                workers=1,
                fingerprint=fingerprint,
                name=view_name("compliance", part, parts),
                owns=owns,
                run_clinicians=run_clinicians,
            )
        )
    return views

"""The projection runner: a pull loop over the log, one transaction per page.

SQLite recorders cannot ``subscribe()``, so eventsourcing's ``ProjectionRunner``
does not run there; this loop works the same on SQLite and PostgreSQL. Each page:

1. read up to ``page_size`` notifications after the lowest view position (a read
   transaction of the recorder's own ``select_notifications``);
2. for each view that has not seen them, in dependency order: work out the view's
   rows for the page in a read transaction (``View.prepare``), then in ONE write
   transaction advance the view's tracking row from the position it had to the
   page's last id (a conditional ``UPDATE ... WHERE position = old``, which also
   takes the write lock first) and write the rows.

For each view, the rows and the position commit together or neither does, so each
event is applied exactly once and a crash (even SIGKILL) resumes where the last
commit left off (a dependent view may then be a page or two behind; the next loop starts
from the lowest position). If another runner advanced a view meanwhile, the
conditional update touches no row, nothing prepared is written, and the loop
re-reads the positions. Preparing outside the write transaction keeps SQLite's
single write lock short while the rule engine evaluates a page.

A view that offers ``begin`` (``Pipelined``: compliance, when a page goes to worker
processes) is pipelined: its page i is begun (inputs read, jobs sent) and left in
flight while this process applies the next page to the views before it; it is
finished (results collected, rows and position committed together as above) just
before it begins page i + 1, i.e. after the earlier views committed page i + 1. It
thus reads the state the serial order reads. An error or interrupt leaves every view
at its last committed page; a lost race discards the page in flight.

A pipelined view's page that would not fit in memory at once (``InRuns``: a
requirement change re-judges every licensee) is read, judged and written a run of
clinicians at a time, each run in transactions of its own; the position moves with the
last run. Until then the view reads as before the page, and a crash between runs
applies the page again: its rows depend on the recorded facts alone, so the runs
already written are written again the same.

Rebuild deletes a view's rows and resets its tracking row in one transaction, then
catches up from the first event.

A partition of the views (PostgreSQL workers, ``partition.py``) runs this same loop
with a ``Reader`` of its share of the log and a ``Guard``: a check run first in every
page's write transaction (its lease), which raises to write nothing.
"""

from __future__ import annotations

import gc
import time
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol, runtime_checkable

from credtrail.core.errors import CredtrailError, StaleViewError
from credtrail.core.projections.db import TRACKING, Cursor, Database, Writes
from credtrail.core.projections.decode import LogEvent, LogReader
from credtrail.core.store import EventStore

DEFAULT_PAGE_SIZE = 5000
"""Events per transaction: big enough to amortise commits, small enough to stream."""


class View(Protocol):
    """A materialised view the runner keeps current."""

    name: str
    tables: tuple[str, ...]
    fingerprint: str
    """What the rows depend on besides the log (the plugins that judged them); a view
    built under another fingerprint is stale and must be rebuilt, not caught up."""

    def prepare(self, cur: Cursor, events: Sequence[LogEvent]) -> Writes:
        """What applying a page of events writes, read from ``cur`` (a read transaction)."""

    def reset(self) -> None:
        """Forget in-memory caches (the view's rows were deleted)."""


@runtime_checkable
class Closing(Protocol):
    """A view holding resources between pages of one catch-up (worker processes)."""

    def close(self, *, abort: bool = False) -> None:
        """Release them; ``abort``: at once, the catch-up failed or was interrupted."""


@dataclass(frozen=True)
class ViewStatus:
    """Where one view stands against the log."""

    view: str
    position: int
    head: int
    rebuilt_at: str | None
    stale: bool = False
    """Built with other plugins than the ones loaded now: rebuild it."""

    @property
    def lag(self) -> int:
        return max(self.head - self.position, 0)


@dataclass(frozen=True)
class Progress:
    """Reported after each page every view has committed."""

    position: int
    start: int
    head: int
    events: int
    elapsed: float


@runtime_checkable
class PendingWrites(Protocol):
    """A page of a pipelined view: judged, or being judged in worker processes."""

    @property
    def background(self) -> bool:
        """Being judged elsewhere: ``finish()`` may wait, so the runner defers it."""

    def cancel(self) -> None:
        """Drop the page (the runner lost a race): nothing of it is written."""

    def finish(self) -> Writes:
        """The page's writes, once all of it is judged (errors are raised here)."""


@runtime_checkable
class InRuns(Protocol):
    """A pipelined view's page too big to hold at once, applied a run at a time."""

    def runs(self) -> Iterator[Callable[[Cursor], PendingWrites]]:
        """Each run: given a cursor (a read transaction), what it reads, begun; runs
        touch disjoint rows, so a run may be begun before the one before it is written."""


@runtime_checkable
class Pipelined(Protocol):
    """A view whose page can be started, then finished while the runner goes on."""

    def begin(self, cur: Cursor, events: Sequence[LogEvent]) -> PendingWrites | InRuns:
        """Read what the page needs from ``cur`` (a read transaction) and start it (or,
        for a page too big to hold at once, plan its runs)."""


@dataclass
class _InFlight:
    """A pipelined view's page being judged: committed from ``old`` to ``last`` when done."""

    view: View
    pending: PendingWrites
    old: int
    last: int


class Reader(Protocol):
    """Where a runner reads the log: all of it, or one partition's share."""

    def head(self) -> int:
        """The id of the last notification in the log (0 when empty)."""

    def read(self, after: int, limit: int) -> tuple[list[LogEvent], int]:
        """Up to ``limit`` events after ``after`` and the position they bring a view to
        (past the last event when the reader skipped events that are not its share)."""


Guard = Callable[[Cursor, str, int, int], None]
"""Called in a page's write transaction before anything is written, with the view's
name and the positions it moves between: raises to write nothing (a lost lease). A
page written in runs (``InRuns``) calls it in each run's transaction, with both
positions the page's start for all runs but the last."""


class _Raced(Exception):
    """Another runner moved a tracking row under us: re-read and go on."""


class Runner:
    """Keeps a list of views (dependencies first) current with the store's log."""

    def __init__(
        self,
        store: EventStore,
        views: Sequence[View],
        page_size: int = DEFAULT_PAGE_SIZE,
        *,
        reader: Reader | None = None,
        guard: Guard | None = None,
    ) -> None:
        """``reader``: the whole log by default (a partition reads its share);
        ``guard``: checked in every page's write transaction (a partition's lease)."""
        if page_size < 1:
            raise CredtrailError(f"page size must be at least 1, not {page_size}")
        self.db = Database(store)
        self.reader: Reader = reader if reader is not None else LogReader(store)
        self.guard = guard
        self.views = list(views)
        self.page_size = page_size

    @property
    def names(self) -> list[str]:
        return [v.name for v in self.views]

    def view(self, name: str) -> View:
        for v in self.views:
            if v.name == name:
                return v
        known = ", ".join(v.name for v in self.views)
        raise CredtrailError(f"unknown view {name!r}; the views are: {known}")

    # ------------------------------------------------------------------- positions

    def positions(self, *, fresh: bool = False) -> dict[str, int]:
        """Each view's tracking position (0 for a view never run); ``fresh``: first
        refuse stale views, as ``check_fresh`` does, from the same read."""
        # A read transaction first: queries catch up on every call, most find nothing
        # (on PostgreSQL each transaction is round trips: status reads one clinician).
        rows = self._tracking()
        if fresh:
            self._refuse_stale(rows, skip=())
        if all(v.name in rows for v in self.views):
            return {v.name: int(rows[v.name]["position"]) for v in self.views}
        with self.db.transaction(commit=True) as cur:
            return self._positions(cur)

    def _positions(self, cur: Cursor) -> dict[str, int]:
        cur.execute(f"SELECT view, position FROM {TRACKING}")
        known = {row["view"]: int(row["position"]) for row in cur.fetchall()}
        missing = [(v.name,) for v in self.views if v.name not in known]
        if missing:
            cur.executemany(
                f"INSERT INTO {TRACKING} (view, position) VALUES (?, 0) "
                "ON CONFLICT (view) DO NOTHING",
                missing,
            )
        return {v.name: known.get(v.name, 0) for v in self.views}

    def status(self) -> list[ViewStatus]:
        head = self.reader.head()
        with self.db.transaction(commit=True) as cur:
            self._positions(cur)
            cur.execute(f"SELECT view, position, rebuilt_at, fingerprint FROM {TRACKING}")
            rows = {r["view"]: r for r in cur.fetchall()}
        return [
            ViewStatus(
                view=v.name,
                position=int(rows[v.name]["position"]),
                head=head,
                rebuilt_at=rows[v.name]["rebuilt_at"],
                stale=_stale(v, rows[v.name]),
            )
            for v in self.views
        ]

    def check_fresh(self, skip: Sequence[str] = ()) -> None:
        """Raise ``StaleViewError`` if a view (not in ``skip``) was built with other plugins."""
        self._refuse_stale(self._tracking(), skip)

    def _tracking(self) -> dict[str, Any]:
        """The tracking rows (position, fingerprint) by view, in a read transaction."""
        with self.db.transaction(commit=False) as cur:
            cur.execute(f"SELECT view, position, fingerprint FROM {TRACKING}")
            return {r["view"]: r for r in cur.fetchall()}

    def _refuse_stale(self, rows: dict[str, Any], skip: Sequence[str]) -> None:
        stale = [
            v.name
            for v in self.views
            if v.name in rows and v.name not in skip and _stale(v, rows[v.name])
        ]
        if stale:
            raise StaleViewError(stale)

    # -------------------------------------------------------------------- catch up

    def catch_up(
        self,
        progress: Callable[[Progress], None] | None = None,
        *,
        max_pages: int | None = None,
    ) -> int:
        """Apply every event not yet in the views; returns how many events were read.

        Worker processes a view started for it are stopped before this returns (at
        once, if it raises or is interrupted).
        """
        try:
            total = self._catch_up(progress, max_pages)
        except BaseException:
            self.close(abort=True)
            raise
        self.close()
        return total

    def _catch_up(self, progress: Callable[[Progress], None] | None, max_pages: int | None) -> int:
        started = time.perf_counter()
        positions = self.positions(fresh=True)  # committed, per view; stale views refused
        start = min(positions.values(), default=0)
        head = self.reader.head()
        total = 0
        pages = 0
        # Pages a pipelined view is still judging (at most one per view), and the pages
        # read whose events not every view has committed yet (last id, events).
        flight: dict[str, _InFlight] = {}
        unreported: deque[tuple[int, int]] = deque()
        while True:
            events: list[LogEvent] = []
            last = 0  # where the page brings the views (0: no page)
            if max_pages is None or pages < max_pages:
                ahead = [flight[n].last if n in flight else p for n, p in positions.items()]
                after = min(ahead, default=0)
                if not (pages == 0 and after >= head):  # already current: read no empty page
                    with collector_paused():
                        events, last = self.reader.read(after, self.page_size)
                    if last <= after:
                        events, last = [], 0
            try:
                if last:
                    self._run_page(positions, flight, events, last)
                elif flight:
                    self._finish(positions, flight, list(flight))
                else:
                    break
            except _Raced:
                for pending in flight.values():
                    pending.pending.cancel()
                flight.clear()
                unreported.clear()
                positions = self.positions()
                continue
            if last:
                pages += 1
                unreported.append((last, len(events)))
            # A page is reported once every view has committed it.
            done = min(positions.values(), default=0)
            while unreported and unreported[0][0] <= done:
                last, count = unreported.popleft()
                total += count
                if progress is not None:
                    elapsed = time.perf_counter() - started
                    progress(Progress(last, start, max(head, last), total, elapsed))
        return total

    def _run_page(
        self,
        positions: dict[str, int],
        flight: dict[str, _InFlight],
        events: list[LogEvent],
        last: int,
    ) -> None:
        """Apply a page view by view; a pipelined view's page may be left in flight.

        Before a view prepares page i, the views it reads (those before it) have
        committed page i and its own page i - 1 is committed: the state the serial
        path sees. So a view judged in workers finishes page i - 1 only when it is
        about to begin page i, after the earlier views committed page i.
        """
        for index, v in enumerate(self.views):
            self._finish(positions, flight, [u.name for u in self.views[: index + 1]])
            old = positions[v.name]
            if old >= last:
                continue
            fresh = (
                events if not events or old < events[0].id else [e for e in events if e.id > old]
            )
            # Work out the rows outside the write transaction (compliance evaluates
            # for a while; on SQLite the write lock would block every writer).
            page: InRuns | None = None
            with self.db.transaction(commit=False) as cur:
                if isinstance(v, Pipelined):
                    pending = v.begin(cur, fresh)
                    if isinstance(pending, InRuns):
                        page = pending
                    elif pending.background:
                        # Judged in workers while this process goes on with the next page.
                        flight[v.name] = _InFlight(v, pending, old, last)
                        continue
                    else:
                        writes = pending.finish()
                else:
                    with collector_paused():
                        writes = v.prepare(cur, fresh)
            if page is not None:
                self._commit_runs(v, old, last, page)
            else:
                self._commit(v, old, last, writes)
            positions[v.name] = last

    def _finish(
        self, positions: dict[str, int], flight: dict[str, _InFlight], names: Sequence[str]
    ) -> None:
        """Wait for the pages in flight of ``names`` and commit them."""
        for name in names:
            if name not in flight:
                continue
            page = flight[name]
            writes = page.pending.finish()  # every result in before anything is written
            del flight[name]
            self._commit(page.view, page.old, page.last, writes)
            positions[name] = page.last

    def _commit_runs(self, v: View, old: int, last: int, page: InRuns) -> None:
        """Read, judge and write ``page`` a run at a time, each run in transactions of its
        own: every run but the last is written with ``v``'s position checked and kept at
        ``old`` (another runner that moved it makes this one stop, as for a page); the
        last run's writes move it to ``last``. Each run is read and begun before the one
        before it is written (runs touch disjoint rows). Until the last, the view reads
        as not having applied the page: a crash between runs applies the whole page
        again, and its rows are a function of the recorded facts, so the runs written
        are written the same."""

        def write(writes: Writes, final: bool) -> bool:
            self._commit(v, old, last if final else old, writes)  # raises _Raced if moved
            return True

        apply_runs(self.db, page, write)

    def _commit(self, v: View, old: int, last: int, writes: Writes) -> None:
        """Write ``writes`` and move ``v``'s position from ``old`` to ``last``, together."""
        with collector_paused(), self.db.transaction(commit=True) as cur:
            if self.guard is not None:
                self.guard(cur, v.name, old, last)
            # The fingerprint goes with the first page after a (re)build; later
            # pages write the same value (check_fresh refused any other).
            cur.execute(
                f"UPDATE {TRACKING} SET position = ?, fingerprint = ? "
                "WHERE view = ? AND position = ?",
                [last, v.fingerprint, v.name, old],
            )
            if cur.rowcount != 1:
                # Someone else moved this view since we read it: what we prepared
                # may be stale, so none of it is written.
                raise _Raced
            for statement, rows in writes:
                cur.executemany(statement, rows)

    def close(self, *, abort: bool = False) -> None:
        """Stop any worker processes the views started (they start again when needed)."""
        for v in self.views:
            if isinstance(v, Closing):
                v.close(abort=abort)

    # --------------------------------------------------------------------- rebuild

    def reset(self, names: Sequence[str] | None = None) -> None:
        """Delete the views' rows and their tracking rows' positions, together."""
        chosen = [self.view(n) for n in names] if names else self.views
        stamp = datetime.now(UTC).isoformat()
        with self.db.transaction(commit=True) as cur:
            self._positions(cur)
            for v in chosen:
                for table in v.tables:
                    cur.execute(f"DELETE FROM {table}")
                cur.execute(
                    f"UPDATE {TRACKING} SET position = 0, rebuilt_at = ?, fingerprint = ? "
                    "WHERE view = ?",
                    [stamp, v.fingerprint, v.name],
                )
        for v in chosen:
            v.reset()

    def rebuild(
        self,
        names: Sequence[str] | None = None,
        progress: Callable[[Progress], None] | None = None,
    ) -> int:
        """Drop the views (all, or ``names``) and replay them from the first event.

        A stale view left out of ``names`` is refused before anything is deleted: the
        catch-up after the reset could not run.
        """
        self.check_fresh(skip=[self.view(n).name for n in names] if names else self.names)
        self.reset(names)
        return self.catch_up(progress)


def apply_runs(db: Database, page: InRuns, write: Callable[[Writes, bool], bool]) -> bool:
    """Read and begin each run of ``page`` in a read transaction of its own, then
    ``write(its writes, whether it is the last run)``; each run is begun before the one
    before it is written (runs touch disjoint rows), so at most two are held. ``write``
    returning False stops (the rest is dropped): returns False then, else True."""
    previous: PendingWrites | None = None
    try:
        for run in page.runs():
            with db.transaction(commit=False) as cur:
                begun = run(cur)  # judged in workers while the run before is written
            done, previous = previous, begun
            if done is not None and not write(done.finish(), False):
                previous.cancel()
                return False
    except BaseException:
        if previous is not None:
            previous.cancel()
        raise
    return write(previous.finish() if previous is not None else [], True)


@contextmanager
def collector_paused() -> Iterator[None]:
    """Python's cyclic garbage collector off while a page is decoded, applied and written.

    A page makes tens of thousands of container objects that live until the page is
    written (events, state objects: pydantic gives each a fields-set), so the collector
    ran every few hundred of them and, as they survived, walked the whole heap (the
    plugins' registry included): ~12% of a transcript rebuild's instructions. None of
    them is in a reference cycle; refcounting frees them. Not around a pipelined view's
    ``begin``: it may fork the judging workers, which would inherit the switch.
    """
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def _stale(view: View, row: Any) -> bool:
    """A view that has applied events under a fingerprint other than the view's now."""
    return int(row["position"]) > 0 and row["fingerprint"] != view.fingerprint

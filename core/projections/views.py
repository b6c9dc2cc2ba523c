"""``Views``: the query API over the materialised views (catches up before reading)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import orjson

from credtrail.core.compliance import expired_unrenewed, licences_in_force
from credtrail.core.domain import CreditState, LicenseState
from credtrail.core.errors import CredtrailError, StaleViewError, UnknownClinicianError
from credtrail.core.plugins import plugin_versions
from credtrail.core.projections.compliance import (
    PARALLEL_THRESHOLD,
    RUN_CLINICIANS,
    ComplianceRow,
    ComplianceView,
    PageInRuns,
    compliance_row,
    evaluate_on,
    judge_rows,
)
from credtrail.core.projections.compliance_read import (
    clinician_known,
    load_credits,
    load_documents,
    load_licenses,
    read_compliance,
    read_compliance_covering,
)
from credtrail.core.projections.db import (
    CLINICIANS,
    COMPLIANCE,
    COMPLIANCE_DAY,
    CREDITS,
    LICENSES,
    REQUIREMENTS,
    TRACKING,
    Cursor,
    Writes,
    chunks,
)
from credtrail.core.projections.parallel import resolve_workers
from credtrail.core.projections.partition import (
    PartitionWorker,
    layout,
    partition_of,
    partition_status,
    pending,
    reset_layout,
)
from credtrail.core.projections.runner import (
    DEFAULT_PAGE_SIZE,
    Progress,
    Runner,
    View,
    ViewStatus,
    apply_runs,
    collector_paused,
)
from credtrail.core.projections.transcript import (
    LICENSE_COLUMNS,
    Streams,
    TranscriptView,
    license_state,
    read_npi_holders,
    read_transcript,
)
from credtrail.core.registry import Registry
from credtrail.core.standing import HELD_COLUMNS, HeldLicence, held_licence
from credtrail.core.standing import standing_row as _fast_row
from credtrail.core.status import MET
from credtrail.core.store import EventStore
from credtrail.core.transcript import Transcript

if TYPE_CHECKING:
    from credtrail.core.application import Credtrail

REBUILD_COMPLIANCE = "credtrail projections rebuild --view compliance"


@dataclass(frozen=True)
class Standings:
    """A clinician's standing per requirement on a day, and how it was obtained.

    ``direct``: the compliance view was built with other plugins (one was installed,
    removed or upgraded), so the rows were judged now by ``credtrail.core.compliance``
    from the transcript view instead; ``REBUILD_COMPLIANCE`` brings the view back.
    """

    rows: list[ComplianceRow]
    direct: bool = False


@dataclass(frozen=True)
class Lapse:
    """A licence in force whose term expired before the day, with no renewal recorded."""

    licence: LicenseState
    expired_on: date
    cycle: ComplianceRow | None
    """The cycle containing the expiry, as judged once it closed (grace included); None
    when it cannot be judged."""


@dataclass(frozen=True)
class ClinicianEntry:
    """One clinician of the roster, with the requirements their current licences carry."""

    clinician_id: str
    profession: str
    name: str | None
    npi: str | None
    requirements: tuple[str, ...]
    authorities: tuple[str, ...]


@dataclass(frozen=True)
class RosterRow:
    """One clinician's standing on one requirement on a day (``status --all``)."""

    clinician_id: str
    name: str | None
    profession: str
    requirement_id: str
    authority: str
    license_id: str
    license_number: str | None
    cycle_start: date | None
    cycle_end: date | None
    status: str
    counted: Decimal
    required: Decimal
    missing: tuple[tuple[str, Decimal], ...]
    days_left: int | None
    error: str | None = None


@dataclass(frozen=True)
class Roster:
    """``status --all``: every row asked for, and whether any was judged directly."""

    rows: list[RosterRow]
    direct: bool = False
    judged: int = field(default=0)
    """How many rows were judged now rather than read (no materialised row covered the day)."""


class Views:
    """The projections of one store: keep them current, rebuild them, read them."""

    def __init__(
        self,
        store: EventStore,
        registry: Registry | None = None,
        *,
        page_size: int = DEFAULT_PAGE_SIZE,
        workers: int | None = None,
        parallel_threshold: int = PARALLEL_THRESHOLD,
        run_clinicians: int = RUN_CLINICIANS,
        fingerprint: str | None = None,
        today: Callable[[], date] = date.today,
    ) -> None:
        """``workers``: processes judging compliance on big pages (None: the default,
        ``CREDTRAIL_WORKERS`` or ``min(CPUs, 4)``; 1: all in this process).
        ``parallel_threshold``: how many clinicians a page must dirty to use them.
        ``run_clinicians``: a page dirtying more is judged and written that many
        clinicians at a time (its memory bounded by a run). ``fingerprint``: of the
        plugins judging compliance (default: the registry's, without versions;
        ``Views.of`` adds the plugins' versions). ``today``: the clock (the compliance
        view materialises the cycle containing its day)."""
        self.store = store
        self.registry = registry
        self.workers = resolve_workers(workers)
        self.today = today
        streams = Streams()
        views: list[View] = [TranscriptView(streams)]
        self._compliance: ComplianceView | None = None
        if registry is not None:
            # Compliance needs the plugins' rules; without them only transcripts run.
            self._compliance = ComplianceView(
                streams,
                registry,
                workers=self.workers,
                parallel_threshold=parallel_threshold,
                run_clinicians=run_clinicians,
                fingerprint=fingerprint,
                today=today,
            )
            views.append(self._compliance)
        self.runner = Runner(store, views, page_size=page_size)
        # Reading a transcript needs only the transcript view current, not compliance.
        self._transcripts = Runner(store, views[:1], page_size=page_size)
        self.page_size = page_size

    @classmethod
    def of(
        cls,
        app: Credtrail,
        *,
        page_size: int = DEFAULT_PAGE_SIZE,
        workers: int | None = None,
        parallel_threshold: int = PARALLEL_THRESHOLD,
        run_clinicians: int = RUN_CLINICIANS,
        today: Callable[[], date] = date.today,
    ) -> Views:
        """All views of an application's store, judged with its plugins."""
        return cls(
            app.store,
            app.registry,
            page_size=page_size,
            workers=workers,
            parallel_threshold=parallel_threshold,
            run_clinicians=run_clinicians,
            fingerprint=app.registry.fingerprint(plugin_versions(app.pm)),
            today=today,
        )

    def close(self) -> None:
        """Stop worker processes, if any are running (a catch-up stops its own anyway)."""
        self.runner.close()

    def __enter__(self) -> Views:
        return self

    def __exit__(self, kind: object, value: object, tb: object) -> None:
        self.runner.close(abort=value is not None)

    @property
    def names(self) -> list[str]:
        return self.runner.names

    # -- partitioned on PostgreSQL (core/projections/partition.py) -------------------

    @property
    def partitions(self) -> int | None:
        """How many partitions the views are split in (None: one runner, the default)."""
        return layout(self.runner.db)

    def worker(self, **options: Any) -> PartitionWorker:
        """A partition worker over these views (``PartitionWorker``'s options)."""
        compliance = self._compliance
        return PartitionWorker(
            self.store,
            self.registry,
            fingerprint=compliance.fingerprint if compliance else None,
            page_size=self.page_size,
            run_clinicians=compliance.run_clinicians if compliance else RUN_CLINICIANS,
            **options,
        )

    def _catch_up_partitions(self, clinician_id: str | None = None) -> int | None:
        """Catch up the partitions no worker holds (of ``clinician_id``'s only), if the
        views are partitioned; None if they are not."""
        events = self.store.qualified(self.store.recorder.events_table_name)  # type: ignore[attr-defined]
        parts = pending(self.runner.db, events, clinician_id)
        if not parts:
            return parts  # None: not partitioned; 0: current (one read, nothing claimed)
        only = None if clinician_id is None else [partition_of(clinician_id, parts)]
        return self.worker().run(once=True, wait=False, only=only).events

    def rebuild_partitioned(
        self, partitions: int, names: Sequence[str] | None = None, *, run: bool = True
    ) -> int:
        """Split the views in ``partitions`` (new count: every view starts over) and
        reset them; then catch every partition up here (``run``), or leave that to
        ``credtrail projections worker`` processes. Returns the events read here."""
        if not self.runner.db.postgres:
            from credtrail.core.projections.partition import NeedsPostgresError

            raise NeedsPostgresError
        if names:
            for name in names:
                self.runner.view(name)  # unknown names are refused before anything goes
        reset_layout(self.runner.db, self.runner.views, partitions, names)
        if not run:
            return 0
        return self.worker(partitions=partitions).run(once=True, wait=True).events

    # ------------------------------------------------------------------------------

    def catch_up(
        self,
        progress: Callable[[Progress], None] | None = None,
        *,
        clinician_id: str | None = None,
    ) -> int:
        """Bring the views up to the log (on partitioned views: the partitions no worker
        holds, only ``clinician_id``'s when given).

        Without ``clinician_id``, also moves the compliance view on to today
        (``move_to_today``): a catch-up on a later day than the last materialises the
        cycle containing today of every licence in force whose row does not reach it."""
        done = self._catch_up_partitions(clinician_id)
        if done is not None:
            return done
        events = self.runner.catch_up(progress)
        if clinician_id is None:
            self.move_to_today()
        return events

    def rebuild(
        self,
        names: Sequence[str] | None = None,
        progress: Callable[[Progress], None] | None = None,
    ) -> int:
        parts = self.partitions
        if parts is not None:
            return self.rebuild_partitioned(parts, names)
        events = self.runner.rebuild(names, progress)
        self.move_to_today()
        return events

    def move_to_today(self, clinician_id: str | None = None) -> int | None:
        """Materialise the cycle containing today of every licence in force today whose
        rows stop short of it (only ``clinician_id``'s when given): the pairs are judged
        by the compliance view, as a catch-up judges them, and written with a check that
        neither view moved meanwhile. Done once a day for the whole view (the day is
        recorded); a clinician's at a read that finds no row for today.

        Returns how many (clinician, requirement) pairs were judged; None when nothing
        was done (already moved on today, no compliance view, partitioned views, or the
        views moved meanwhile: the next catch-up does it).
        """
        view = self._compliance
        if view is None or self.partitions is not None:
            return None
        day = self.today()
        db = self.runner.db
        with db.transaction(commit=False) as cur:
            if clinician_id is None:
                cur.execute(f"SELECT day FROM {COMPLIANCE_DAY} WHERE view = ?", [view.name])
                row = cur.fetchone()
                if row is not None and date.fromisoformat(row["day"]) >= day:
                    return None
            positions = _positions(cur, self.names)
            if len(set(positions.values())) != 1:
                return None  # not caught up (a concurrent writer): the next catch-up
            page, judged = view.begin_day(
                cur, day, None if clinician_id is None else [clinician_id]
            )
        moved = day if clinician_id is None else None

        def write(writes: Writes, final: bool) -> bool:
            return self._write_unmoved(positions, writes, moved if final else None)

        try:
            if isinstance(page, PageInRuns):
                # Many clinicians (a cycle boundary shared by a state's licensees): a
                # run at a time, each written at once; the day is recorded with the last.
                done = apply_runs(db, page, write)
            else:
                done = write(page.finish(), True)
        finally:
            view.close()
        return judged if done else None

    def _write_unmoved(
        self, positions: dict[str, int | None], writes: Writes, day: date | None
    ) -> bool:
        """Write the compliance rows judged at ``positions`` (and record ``day`` as the
        one the view moved on to), unless a page was applied since: then False."""
        view = self._compliance
        assert view is not None
        with self.runner.db.transaction(commit=True) as cur:
            # Takes the write lock, and checks no page was applied since the rows were read.
            cur.execute(
                f"UPDATE {TRACKING} SET position = ? WHERE view = ? AND position = ?",
                [positions[view.name], view.name, positions[view.name]],
            )
            if cur.rowcount != 1 or _positions(cur, self.names) != positions:
                return False
            for statement, rows in writes:
                cur.executemany(statement, rows)
            if day is not None:
                cur.execute(
                    f"INSERT INTO {COMPLIANCE_DAY} (view, day) VALUES (?, ?) "
                    "ON CONFLICT (view) DO UPDATE SET day = excluded.day",
                    [view.name, day.isoformat()],
                )
        return True

    def status(self) -> list[ViewStatus]:
        if self.partitions is not None:
            return partition_status(self.runner.db, self.runner.views, self.runner.reader.head())
        return self.runner.status()

    def transcript(self, clinician_id: str, *, catch_up: bool = True) -> Transcript:
        """A clinician's transcript from the view, equal to ``transcript_of(ledger)``."""
        if catch_up and self._catch_up_partitions(clinician_id) is None:
            self._transcripts.catch_up()
        with self.runner.db.transaction(commit=False) as cur:
            result = read_transcript(cur, clinician_id)
        if result is None:
            raise UnknownClinicianError(clinician_id)
        return result

    def npi_holders(self, npi: str | None = None) -> dict[str, str]:
        """NPI -> the clinician registered with it (``npi``: that one only), from the
        transcript view."""
        self._transcripts.catch_up()
        with self.runner.db.transaction(commit=False) as cur:
            return read_npi_holders(cur, npi)

    def compliance(
        self,
        clinician_id: str,
        requirement: str | None = None,
        on: date | None = None,
        *,
        catch_up: bool = True,
    ) -> list[ComplianceRow]:
        """The clinician's standing per requirement and cycle, from the view.

        Without ``on``: every materialised cycle. With ``on``: per requirement, the
        cycle containing that day, as of that day (an open cycle is ``in_progress``,
        not failed). Today or later reads the materialised row; a past day, or a day
        beyond the materialised cycles, is evaluated directly from the transcript
        view's rows (still no replay of the log), so only credit completed by then
        counts.
        """
        registry = self._registry()
        if catch_up:
            self.catch_up(clinician_id=clinician_id)
        today = self.today()
        for attempt in range(2):
            with self.runner.db.transaction(commit=False) as cur:
                rows = read_compliance(cur, clinician_id, requirement)
                if not rows and not clinician_known(cur, clinician_id):
                    raise UnknownClinicianError(clinician_id)
                if on is None:
                    return rows
                # Which requirements the clinician is subject to on the day, and by which
                # licence: the one answer (credtrail.core.compliance).
                held = licences_in_force(load_licenses(cur, clinician_id), on, requirement)
                moved_on = (
                    catch_up
                    and attempt == 0
                    and on == today
                    and any(_fast_row(rows, lic, on, today) is None for lic in held)
                )
                if not moved_on:
                    return [
                        r
                        for lic in held
                        for r in _standing(cur, clinician_id, lic, rows, on, registry, today)
                    ]
            # The day moved on past the clinician's rows: materialise today's cycles once
            # (written to the view), then read them (what is still missing is judged).
            self.move_to_today(clinician_id)
        raise AssertionError("unreachable")

    def _catch_up_or_judge_directly(self) -> bool:
        """Catch the views up; True when the compliance view is stale (built with other
        plugins), so its rows must be judged directly (the transcript view caught up)."""
        try:
            self.catch_up()
        except StaleViewError as exc:
            if exc.views != ["compliance"]:
                raise
            self._transcripts.catch_up()
            return True
        return False

    def _registry(self) -> Registry:
        if self.registry is None:
            raise CredtrailError("compliance needs the plugins' rules: build Views with a registry")
        return self.registry

    def standings(self, clinician_id: str, on: date, requirement: str | None = None) -> Standings:
        """``compliance(clinician_id, requirement, on)``, and when the compliance view is
        stale (built with other plugins), the same answer judged directly instead of an
        error: ``credtrail.core.compliance`` over the transcript view's rows."""
        registry = self._registry()
        try:
            return Standings(self.compliance(clinician_id, requirement, on))
        except StaleViewError as exc:
            if exc.views != ["compliance"]:
                raise
        self._transcripts.catch_up()
        with self.runner.db.transaction(commit=False) as cur:
            if not clinician_known(cur, clinician_id):
                raise UnknownClinicianError(clinician_id)
            held = licences_in_force(load_licenses(cur, clinician_id), on, requirement)
            rows = []
            for lic in held:
                rows.extend(evaluate_on(cur, clinician_id, lic.requirement_id, on, registry))
        return Standings(rows, direct=True)

    def lapses(
        self, clinician_id: str, on: date, requirement: str | None = None, *, direct: bool = False
    ) -> list[Lapse]:
        """The clinician's licences in force on ``on`` whose term expired before it with no
        renewal recorded (``expired_unrenewed``), each with the verdict on the cycle that
        ended with it: its materialised row, or (``direct``: the compliance view is stale;
        or no row) that cycle judged directly on its last day."""
        registry = self._registry()
        out = []
        with self.runner.db.transaction(commit=False) as cur:
            for lic in licences_in_force(load_licenses(cur, clinician_id), on, requirement):
                expired = expired_unrenewed(lic, on)
                if expired is None:
                    continue
                rows = [] if direct else read_compliance(cur, clinician_id, lic.requirement_id)
                hit = [
                    r
                    for r in rows
                    if r.license_id == lic.license_id and r.cycle_start <= expired <= r.cycle_end
                ]
                if not hit:
                    hit = evaluate_on(cur, clinician_id, lic.requirement_id, expired, registry)
                out.append(Lapse(lic, expired, hit[0] if hit else None))
        return out

    def compliance_is_stale(self) -> bool:
        """The compliance view was built with other plugins than these (needs a rebuild)."""
        return any(s.stale for s in self.status() if s.view == "compliance")

    # -- the roster -------------------------------------------------------------------

    def clinicians(
        self,
        *,
        profession: str | None = None,
        authority: str | None = None,
        requirement: str | None = None,
        on: date | None = None,
        catch_up: bool = True,
    ) -> list[ClinicianEntry]:
        """Every clinician (ordered by id), with the requirements of the licences in force
        on ``on`` (default today); filtered by profession, and by holding a licence in
        force for ``requirement`` or for a requirement of ``authority``."""
        day = on or date.today()
        if catch_up:
            self._transcripts.catch_up()
        with self.runner.db.transaction(commit=False) as cur:
            people = _clinician_rows(cur, profession)
            held, authorities = _licences_by_clinician(cur, None)
        out = []
        for cid, (prof, name, npi) in people.items():
            lics = licences_in_force(held.get(cid, []), day)
            rids = tuple(lic.requirement_id for lic in lics)
            auths = tuple(sorted({authorities.get(r, "") for r in rids} - {""}))
            if requirement is not None and requirement not in rids:
                continue
            if authority is not None and authority not in auths:
                continue
            out.append(ClinicianEntry(cid, prof, name, npi, rids, auths))
        return out

    def roster(
        self,
        on: date,
        *,
        requirement: str | None = None,
        authority: str | None = None,
        profession: str | None = None,
        clinicians: Sequence[str] | None = None,
    ) -> Roster:
        """Every clinician's standing on ``on`` per requirement they are subject to then,
        read from the views as ``compliance(..., on=on)`` reads one clinician's (so the
        rows are the same); ordered by clinician and requirement.

        Filters: a requirement, an authority, a profession, some clinicians. A stale
        compliance view (other plugins) is not refused: every row is judged directly
        and ``Roster.direct`` says so.
        """
        registry = self._registry()
        direct = self._catch_up_or_judge_directly()
        # The collector paused (as for a view's page; after the catch-up, which may fork
        # workers): a roster makes ~5 objects per row, none in a cycle, and the collector
        # walked them over and over (~1/3 of the time).
        with collector_paused():
            return self._roster(
                on, registry, direct, requirement, authority, profession, clinicians
            )

    def _roster(
        self,
        on: date,
        registry: Registry,
        direct: bool,
        requirement: str | None,
        authority: str | None,
        profession: str | None,
        clinicians: Sequence[str] | None,
    ) -> Roster:
        today = self.today()
        # One slot per (clinician, licence), in order; slots no materialised row covers
        # are judged afterwards, with every fact they need read in a few queries.
        slots: list[list[RosterRow]] = []
        pending: list[tuple[int, str, HeldLicence, tuple[str, str | None, str | None], str]] = []
        with self.runner.db.transaction(commit=False) as cur:
            people = _clinician_rows(cur, profession)
            held, authorities = _licences_by_clinician(cur, requirement)
            rows = {} if direct else _rows_covering(cur, on, requirement)
            wanted = None if clinicians is None else set(clinicians)
            for cid in sorted(held):
                person = people.get(cid)
                if person is None or (wanted is not None and cid not in wanted):
                    continue
                for lic in licences_in_force(held[cid], on, requirement):
                    auth = authorities.get(lic.requirement_id, "")
                    if authority is not None and auth != authority:
                        continue
                    fast = _fast_row(rows.get((cid, lic.requirement_id), []), lic, on, today)
                    if fast is not None:
                        slots.append([_roster_row(fast, person, auth, lic, on)])
                    else:
                        pending.append((len(slots), cid, lic, person, auth))
                        slots.append([])
            judging = sorted({p[1] for p in pending})
            licences = _full_licences(cur, judging)
            credits = _credits_of(cur, judging)
            documents = {
                rid: _versions(load_documents(cur, rid))
                for rid in sorted({p[2].requirement_id for p in pending})
            }
        for slot, cid, lic, person, auth in pending:
            rid = lic.requirement_id
            judged = judge_rows(
                cid, rid, on, registry, licences[cid], credits.get(cid, []), {rid: documents[rid]}
            )
            slots[slot] = [_roster_row(r, person, auth, lic, on) for r in judged]
        return Roster([r for slot in slots for r in slot], direct=direct, judged=len(pending))

    def compliance_on(self, on: date) -> dict[str, list[ComplianceRow]]:
        """Every clinician's standing on ``on`` with the engine's explanation (clinician id
        -> rows by requirement), as ``compliance(clinician, on=on)`` gives each: the
        materialised rows of the day, the others judged with facts read in a few queries
        (``roster`` reads the same, without the explanations). Clinicians subject to no
        requirement that day are left out. A stale compliance view judges every row."""
        registry = self._registry()
        direct = self._catch_up_or_judge_directly()
        with collector_paused():  # as roster's
            return self._compliance_on(on, registry, direct)

    def _compliance_on(
        self, on: date, registry: Registry, direct: bool
    ) -> dict[str, list[ComplianceRow]]:
        today = self.today()
        out: dict[str, list[ComplianceRow]] = defaultdict(list)
        pending: list[tuple[str, HeldLicence]] = []
        with self.runner.db.transaction(commit=False) as cur:
            held, _ = _licences_by_clinician(cur, None)
            rows: dict[str, list[ComplianceRow]] = defaultdict(list)
            for row in [] if direct else read_compliance_covering(cur, on):
                rows[row.clinician_id].append(row)
            for cid in sorted(held):
                for lic in licences_in_force(held[cid], on):
                    mine = [r for r in rows[cid] if r.requirement_id == lic.requirement_id]
                    fast = _fast_row(mine, lic, on, today)
                    if fast is not None:
                        out[cid].append(fast)
                    else:
                        pending.append((cid, lic))
            judging = sorted({cid for cid, _ in pending})
            licences = _full_licences(cur, judging)
            credits = _credits_of(cur, judging)
            documents = {
                rid: _versions(load_documents(cur, rid))
                for rid in sorted({lic.requirement_id for _, lic in pending})
            }
        for cid, lic in pending:
            rid = lic.requirement_id
            out[cid].extend(
                judge_rows(
                    cid,
                    rid,
                    on,
                    registry,
                    licences[cid],
                    credits.get(cid, []),
                    {rid: documents[rid]},
                )
            )
        return {cid: sorted(rows_, key=lambda r: r.requirement_id) for cid, rows_ in out.items()}

    # -- what the rule engine reads, for one clinician --------------------------------

    def credits(self, clinician_id: str, *, catch_up: bool = True) -> list[CreditState]:
        """The clinician's credits from the transcript view, as the domain's states."""
        if catch_up:
            self._transcripts.catch_up()
        with self.runner.db.transaction(commit=False) as cur:
            if not clinician_known(cur, clinician_id):
                raise UnknownClinicianError(clinician_id)
            return load_credits(cur, clinician_id)

    def licences(self, clinician_id: str, *, catch_up: bool = True) -> list[LicenseState]:
        """The clinician's licences (current and ended) from the transcript view."""
        if catch_up:
            self._transcripts.catch_up()
        with self.runner.db.transaction(commit=False) as cur:
            if not clinician_known(cur, clinician_id):
                raise UnknownClinicianError(clinician_id)
            return load_licenses(cur, clinician_id)

    def documents(self, requirement_id: str, *, catch_up: bool = True) -> list[dict[str, Any]]:
        """Every recorded version (document) of a requirement, from the transcript view."""
        if catch_up:
            self._transcripts.catch_up()
        with self.runner.db.transaction(commit=False) as cur:
            return load_documents(cur, requirement_id)


def _positions(cur: Cursor, names: Sequence[str]) -> dict[str, int | None]:
    """The tracking positions of the views ``names`` (None: never run)."""
    cur.execute(f"SELECT view, position FROM {TRACKING}")
    known = {r["view"]: int(r["position"]) for r in cur.fetchall()}
    return {name: known.get(name) for name in names}


def _standing(
    cur: Cursor,
    clinician_id: str,
    lic: LicenseState,
    rows: list[ComplianceRow],
    on: date,
    registry: Registry,
    today: date,
) -> list[ComplianceRow]:
    """The standing under ``lic`` on ``on``: its materialised row, else judged directly."""
    mine = [r for r in rows if r.requirement_id == lic.requirement_id]
    fast = _fast_row(mine, lic, on, today)
    if fast is not None:
        return [fast]
    # A past day (or a day no row covers) is judged directly from the view's rows,
    # counting only credit completed and claimed by then.
    return evaluate_on(cur, clinician_id, lic.requirement_id, on, registry)


def _credits_of(cur: Cursor, clinician_ids: Sequence[str]) -> dict[str, list[CreditState]]:
    """The credits of many clinicians, read in a few queries."""
    out: dict[str, list[CreditState]] = defaultdict(list)
    for r in _rows_of(cur, f"SELECT clinician_id, data FROM {CREDITS}", clinician_ids):
        out[r["clinician_id"]].append(CreditState.from_json(r["data"]))
    return out


def _rows_of(cur: Cursor, select: str, clinician_ids: Sequence[str]) -> Iterator[Any]:
    """The rows of ``select`` (a statement without WHERE) for these clinicians, a few
    queries of 500 clinicians each."""
    for part in chunks(clinician_ids, 500):
        marks = ", ".join("?" * len(part))
        cur.execute(f"{select} WHERE clinician_id IN ({marks})", part)
        yield from cur.fetchall()


def _versions(documents: list[dict[str, Any]]) -> list[Any]:
    """A requirement's documents validated once for all the clinicians judged by it (a
    malformed one is left to the engine, which reports it per row)."""
    from credtrail.core.rules import as_versions

    try:
        return list(as_versions(documents))
    except CredtrailError:
        return list(documents)


def _clinician_rows(
    cur: Cursor, profession: str | None
) -> dict[str, tuple[str, str | None, str | None]]:
    sql = f"SELECT clinician_id, profession, name, npi FROM {CLINICIANS}"
    params: list[Any] = []
    if profession is not None:
        sql += " WHERE profession = ?"
        params.append(profession)
    cur.execute(sql + " ORDER BY clinician_id", params)
    return {r["clinician_id"]: (r["profession"], r["name"], r["npi"]) for r in cur.fetchall()}


def _licences_by_clinician(
    cur: Cursor, requirement: str | None
) -> tuple[dict[str, list[HeldLicence]], dict[str, str]]:
    """Licences per clinician (only ``requirement``'s when given), read light (what
    choosing the licence in force needs: ``held_licence``), and each requirement's
    authority. A clinician judged on the spot reads its full licences (``_full_licences``)."""
    sql = f"SELECT clinician_id, {HELD_COLUMNS} FROM {LICENSES}"
    params: list[Any] = []
    if requirement is not None:
        sql += " WHERE requirement_id = ?"  # credtrail_v_licenses_requirement
        params.append(requirement)
    cur.execute(sql, params)
    held: dict[str, list[HeldLicence]] = defaultdict(list)
    for r in cur.fetchall():
        held[r["clinician_id"]].append(held_licence(r))
    cur.execute(f"SELECT requirement_id, authority FROM {REQUIREMENTS}")
    authorities = {r["requirement_id"]: r["authority"] for r in cur.fetchall()}
    return held, authorities


def _full_licences(cur: Cursor, clinician_ids: Sequence[str]) -> dict[str, list[LicenseState]]:
    """Every licence of these clinicians as the domain's states (what judging reads), in a
    few queries."""
    out: dict[str, list[LicenseState]] = defaultdict(list)
    for r in _rows_of(cur, f"SELECT {LICENSE_COLUMNS} FROM {LICENSES}", clinician_ids):
        out[r["clinician_id"]].append(license_state(r))
    return out


def _rows_covering(
    cur: Cursor, on: date, requirement: str | None
) -> dict[tuple[str, str], list[ComplianceRow]]:
    """The materialised rows whose cycle contains ``on``, by (clinician, requirement).

    Of a row's explanation only an error row's message is read. A deficient row's grace
    period is not needed: the row's cycle contains ``on``, so ``on`` is not after the
    cycle's end and the row reads ``in_progress`` as of ``on`` whatever its grace
    (``ComplianceRow.as_of``). The explanations are most of the table: the rows are read
    from the index ``credtrail_v_compliance_by_day`` alone (it holds every other column),
    and the few error rows' explanations by a second query.
    """
    day = on.isoformat()
    where = "WHERE cycle_end >= ? AND cycle_start <= ?"
    params: list[Any] = [day, day]
    if requirement is not None:
        where += " AND requirement_id = ?"
        params.append(requirement)
    cur.execute(
        f"SELECT clinician_id, requirement_id, cycle_start, explanation FROM {COMPLIANCE} "
        f"{where} AND status = 'error'",
        params,
    )
    errors = {
        (r["clinician_id"], r["requirement_id"], r["cycle_start"]): orjson.loads(r["explanation"])
        for r in cur.fetchall()
    }
    cur.execute(
        "SELECT clinician_id, requirement_id, license_id, cycle_start, cycle_end, status, "
        f"counted, required, missing FROM {COMPLIANCE} {where}",
        params,
    )
    out: dict[tuple[str, str], list[ComplianceRow]] = defaultdict(list)
    for r in cur.fetchall():
        key = r["clinician_id"], r["requirement_id"]
        explanation = errors.get((*key, r["cycle_start"]), {}) if errors else {}
        out[key].append(compliance_row(r, explanation))
    # Two licences' cycles may both contain the day: oldest cycle first, as a
    # clinician's own rows are read (the index's order is not the same on both backends).
    for rows in out.values():
        if len(rows) > 1:
            rows.sort(key=lambda row: row.cycle_start)
    return out


def _roster_row(
    row: ComplianceRow,
    person: tuple[str, str | None, str | None],
    authority: str,
    lic: HeldLicence,
    on: date,
) -> RosterRow:
    error = row.explanation.get("error") if row.status == "error" else None
    return RosterRow(
        clinician_id=row.clinician_id,
        name=person[1],
        profession=person[0],
        requirement_id=row.requirement_id,
        authority=authority,
        license_id=lic.license_id,
        license_number=lic.number,
        cycle_start=None if error else row.cycle_start,
        cycle_end=None if error else row.cycle_end,
        status=row.status,
        counted=row.counted,
        required=row.required,
        missing=row.missing,
        days_left=None if error else (row.cycle_end - on).days,
        error=error,
    )


def due_within(row: RosterRow, on: date, days: int) -> bool:
    """The row's cycle ends within ``days`` of ``on`` (or has ended) with something missing."""
    if row.cycle_end is None or row.status in MET:
        return False
    return row.cycle_end <= on + timedelta(days=days)

"""The compliance view: one row per clinician x requirement x cycle, from the rule engine.

What a row means. Each cycle of each license is judged as the engine would judge it
once the cycle (and its grace period) is over: ``evaluate(..., on=end + grace + 1 day,
cycle_start=start)``. That makes a row a function of the recorded facts alone, not of
the day the projection happened to run, so an incremental catch-up, a rebuild and a
direct evaluation agree. Cycles are materialised from the first one that ends after
the requirement's first known version took effect (and after the license was issued)
through the one containing the clinician's *horizon*: the latest valid-time date in
their facts (credit completed, claimed or revoked; license issued; requirement
effective), never past the day a license ended. Reading "as of a day" inside an open
cycle turns a not-yet-met row into ``in_progress`` (see ``as_of``); ``Views.compliance``
evaluates directly for a day no row covers.

Fan-out. A page collects dirty (clinician, requirement) pairs: a credit event dirties
every requirement the clinician holds a license for; a license event its requirement;
a ``RequirementChanged`` every clinician with a license for that requirement. Each
pair is evaluated once per page, after the transcript view has applied the page (it
reads the transcript view's tables in the same transaction). A pair dirtied by credit
events only re-judges the cycles still open (grace included) when the earliest touched
credit was completed; earlier rows cannot change and are kept.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal
from functools import singledispatchmethod
from typing import Any

import orjson

from credtrail.core import compliance as judging
from credtrail.core.domain import (
    ClinicianLedger,
    CreditState,
    DomainEvent,
    LicenseState,
    RequirementHistory,
)
from credtrail.core.errors import CredtrailError
from credtrail.core.projections.compliance_read import (
    LICENSE_ROW_FIELDS,
    READ_BATCH,
    ClinicianInput,
    Dirty,
    PairResult,
    decode_versions,
    load_credits,
    load_documents,
    load_licenses,
    read_clinicians,
)
from credtrail.core.projections.db import (
    COMPLIANCE,
    COMPLIANCE_DAY,
    LICENSES,
    Cursor,
    Writes,
    chunks,
)
from credtrail.core.projections.decode import LogEvent
from credtrail.core.projections.parallel import Batch, WorkerPool, fork_available
from credtrail.core.projections.transcript import (
    LICENSE_COLUMNS,
    Streams,
    license_state,
)
from credtrail.core.registry import Registry
from credtrail.core.standing import ComplianceRow as ComplianceRow  # the old names stay
from credtrail.core.standing import compliance_row as compliance_row

_ONE_DAY = timedelta(days=1)
PARALLEL_THRESHOLD = 64
"""A page dirtying at least this many clinicians is judged in worker processes."""
RUN_CLINICIANS = 1000
"""A page dirtying more clinicians than this is read, judged and written this many at a
time (``PageInRuns``): its memory is a run's, not the store's."""
_INSERT = (
    f"INSERT INTO {COMPLIANCE} (clinician_id, requirement_id, cycle_start, cycle_end, "
    "license_id, status, counted, required, missing, explanation) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)


class ComplianceView:
    """Maintains the compliance table with the rule engine."""

    name = "compliance"
    tables: tuple[str, ...] = (COMPLIANCE, COMPLIANCE_DAY)

    def __init__(
        self,
        streams: Streams,
        registry: Registry,
        *,
        workers: int = 1,
        parallel_threshold: int = PARALLEL_THRESHOLD,
        run_clinicians: int = RUN_CLINICIANS,
        fingerprint: str | None = None,
        name: str = "compliance",
        owns: Callable[[str], bool] | None = None,
        today: Callable[[], date] = date.today,
    ) -> None:
        """``fingerprint``: of the plugins judging (default: ``registry.fingerprint()``).
        ``name``: of the tracking row; ``owns``: which clinicians this view judges (a
        partition's share; None: all), so a ``RequirementChanged`` re-judges only them.
        ``today``: the clock; the cycle containing its day is materialised for every
        licence in force that day. ``run_clinicians``: a page dirtying more clinicians
        is judged and written that many at a time (``PageInRuns``)."""
        if workers < 1:
            raise CredtrailError(f"workers must be at least 1, not {workers}")
        if run_clinicians < 1:
            raise CredtrailError(f"run_clinicians must be at least 1, not {run_clinicians}")
        self.run_clinicians = run_clinicians
        self.name = name
        self.owns = owns
        self.streams = streams
        self.registry = registry
        self.fingerprint = fingerprint if fingerprint is not None else registry.fingerprint()
        self.workers = workers
        self.parallel_threshold = parallel_threshold
        self.today = today
        self._pool: WorkerPool[Registry] | None = None
        self._stream = ""
        self._touched: dict[str, set[str] | None] = {}
        self._changed: set[str] = set()

    def reset(self) -> None:
        pass

    def prepare(self, cur: Cursor, events: Sequence[LogEvent]) -> Writes:
        """The page's writes, all at once (a page in runs: every run's, in order)."""
        page = self.begin(cur, events)
        if isinstance(page, PageInRuns):
            return [write for run in page.runs() for write in run(cur).finish()]
        return page.finish()

    def begin(self, cur: Cursor, events: Sequence[LogEvent]) -> Pending | PageInRuns:
        """Read what the page needs from ``cur`` and start judging it (``prepare`` in two).

        A page judged in worker processes is only sent to them: ``Pending.finish()``
        waits for the results. A page judged here is judged before this returns. A page
        dirtying more than ``run_clinicians`` clinicians is only planned: the runner
        reads, judges and writes it a run at a time (``PageInRuns``).
        """
        self.streams.resolve(cur, events)
        # Per clinician, the credits the page touched (None: re-judge every cycle).
        self._touched = {}
        self._changed = set()
        mark = self.mark
        for e in events:
            self._stream = e.stream
            mark(e.event)
        touched, changed_requirements = self._touched, self._changed
        dirty: dict[tuple[str, str], Dirty] = {}
        for part in chunks(sorted(touched), READ_BATCH):
            cur.execute(
                f"SELECT DISTINCT clinician_id, requirement_id FROM {LICENSES} "
                f"WHERE clinician_id IN ({', '.join('?' * len(part))})",
                part,
            )
            for r in cur.fetchall():
                dirty[r["clinician_id"], r["requirement_id"]] = touched[r["clinician_id"]]
        owns = self.owns
        for part in chunks(sorted(changed_requirements), 500):
            marks = ", ".join("?" * len(part))
            cur.execute(
                f"SELECT DISTINCT clinician_id, requirement_id FROM {LICENSES} "
                f"WHERE requirement_id IN ({marks})",
                part,
            )
            for r in cur.fetchall():
                if owns is None or owns(r["clinician_id"]):
                    dirty[r["clinician_id"], r["requirement_id"]] = None
        return self._plan(cur, dirty, self.today())

    def _plan(
        self, cur: Cursor, pairs: dict[tuple[str, str], Dirty], day: date
    ) -> Pending | PageInRuns:
        """Judge ``pairs`` now (or in workers), or in runs when they span too many clinicians."""
        by_clinician: dict[str, dict[tuple[str, str], Dirty]] = {}
        for pair, ids in pairs.items():
            by_clinician.setdefault(pair[0], {})[pair] = ids
        if len(by_clinician) <= self.run_clinicians:
            return self.begin_refresh(cur, pairs, day)
        runs: list[dict[tuple[str, str], Dirty]] = []
        for part in chunks(sorted(by_clinician), self.run_clinicians):
            run: dict[tuple[str, str], Dirty] = {}
            for cid in part:
                run.update(by_clinician[cid])
            runs.append(run)
        return PageInRuns(self, runs, day)

    def begin_day(
        self, cur: Cursor, day: date, clinician_ids: Sequence[str] | None = None
    ) -> tuple[Pending | PageInRuns, int]:
        """Judge the cycle containing ``day`` of every licence in force then (the one
        answer: ``licences_in_force``) that has no row for it yet: the day moved on since
        its pair was last judged. Only ``clinician_ids``' when given.

        Returns the pending writes and how many pairs are judged. The cycles still open
        on ``day`` are judged again with the ones that follow (earlier rows are kept).
        """
        only = ""
        params: list[Any] = []
        if clinician_ids is not None:
            only = f"clinician_id IN ({', '.join('?' * len(clinician_ids))})"
            params = list(clinician_ids)
        cur.execute(
            f"SELECT {LICENSE_COLUMNS} FROM {LICENSES}" + (f" WHERE {only}" if only else ""),
            params,
        )
        held: dict[str, list[LicenseState]] = {}
        for r in cur.fetchall():
            held.setdefault(r["clinician_id"], []).append(license_state(r))
        # credtrail_v_compliance_by_day: rows of cycles that ended before the day are not
        # read, and the rows read are the index's alone.
        cur.execute(
            f"SELECT clinician_id, requirement_id, license_id FROM {COMPLIANCE} "
            "WHERE cycle_end >= ? AND cycle_start <= ?" + (f" AND {only}" if only else ""),
            [day.isoformat(), day.isoformat(), *params],
        )
        covered = {
            (r["clinician_id"], r["requirement_id"], r["license_id"]) for r in cur.fetchall()
        }
        owns = self.owns
        dirty: dict[tuple[str, str], Dirty] = {}
        for cid in sorted(held):
            if owns is not None and not owns(cid):
                continue
            for lic in judging.licences_in_force(held[cid], day):
                if (cid, lic.requirement_id, lic.license_id) not in covered:
                    dirty[cid, lic.requirement_id] = day
        return self._plan(cur, dirty, day), len(dirty)

    # -- what each event class dirties ------------------------------------------------

    @singledispatchmethod
    def mark(self, event: DomainEvent) -> None:
        """Note what ``event`` makes stale (nothing, for events no row depends on)."""

    @mark.register
    def _credit(
        self,
        event: ClinicianLedger.CreditEarned
        | ClinicianLedger.CreditClaimed
        | ClinicianLedger.CreditRevoked,
    ) -> None:
        # A credit dirties every requirement the clinician holds, from its cycle on.
        ids = self._touched.setdefault(self.streams.clinicians[self._stream], set())
        if ids is not None:
            ids.add(event.credit_id)

    @mark.register
    def _amended(self, event: ClinicianLedger.CreditAmended) -> None:
        # An amended credit may have moved to another cycle (completed_on), type or
        # amount: re-judge every cycle of the clinician's requirements.
        self._touched[self.streams.clinicians[self._stream]] = None

    @mark.register
    def _licence(
        self,
        event: ClinicianLedger.LicenseRegistered
        | ClinicianLedger.LicenseEnded
        | ClinicianLedger.LicenseRenewed
        | ClinicianLedger.LicenseFactRecorded
        | ClinicianLedger.CertificationRecorded
        | ClinicianLedger.CertificationRenewed
        | ClinicianLedger.CertificationEnded,
    ) -> None:
        # A licence event re-judges every cycle of the clinician's requirements.
        self._touched[self.streams.clinicians[self._stream]] = None

    @mark.register
    def _requirement(self, event: RequirementHistory.RequirementChanged) -> None:
        # A new version re-judges every clinician holding a licence for it.
        self._changed.add(self.streams.requirements[self._stream])

    def refresh(
        self, cur: Cursor, pairs: dict[tuple[str, str], Dirty], day: date | None = None
    ) -> Writes:
        """``begin_refresh(cur, pairs, day).finish()``."""
        return self.begin_refresh(cur, pairs, day or self.today()).finish()

    def begin_refresh(self, cur: Cursor, pairs: dict[tuple[str, str], Dirty], day: date) -> Pending:
        """Re-judge each (clinician, requirement) pair from the transcript view's rows,
        through the cycle containing ``day`` for the licence in force on it.

        A pair dirtied only by credit events keeps its rows for cycles that closed
        (grace included) before the earliest touched credit was completed: no credit
        reaches back into an earlier cycle, so those rows cannot change. A pair dirtied
        by a day keeps the rows of cycles that closed before it.

        The rows are read here, in clinician order; a page with at least
        ``parallel_threshold`` clinicians is judged in worker processes, a smaller one
        in this process. Either way the results are taken in the same order, so the
        writes are the same. Every row is read before this returns.
        """
        by_clinician: dict[str, dict[str, Dirty]] = {}
        for (cid, rid), ids in pairs.items():
            by_clinician.setdefault(cid, {})[rid] = ids
        order = sorted(by_clinician)
        raw_documents: dict[str, str | None] = {}
        inputs = read_clinicians(cur, order, by_clinician, raw_documents, day)
        if self.workers > 1 and len(order) >= self.parallel_threshold and fork_available():
            size = -(-len(order) // (self.workers * _CHUNKS_PER_WORKER))
            batch = self._pool_of_workers().submit(
                judge_chunk, _chunked(inputs, raw_documents, size)
            )
            return Pending(order, batch=batch)
        documents = _DecodedDocuments(raw_documents)
        judged = [judge_clinician(i, documents, self.registry) for i in inputs]
        return Pending(order, judged=judged)

    def _pool_of_workers(self) -> WorkerPool[Registry]:
        # Forked on first use, kept until close(): once per catch-up, not per page.
        if self._pool is None:
            from credtrail.core import rules  # noqa: F401 (imported once, before forking)

            self._pool = WorkerPool(self.registry, self.workers)
        return self._pool

    def close(self, *, abort: bool = False) -> None:
        """Stop the worker processes, if any were started (the runner calls this)."""
        pool, self._pool = self._pool, None
        if pool is not None:
            pool.close(abort=abort)


class Pending:
    """A page's compliance judged, or being judged in worker processes."""

    def __init__(
        self,
        order: list[str],
        *,
        judged: list[list[PairResult]] | None = None,
        batch: Batch[list[list[PairResult]]] | None = None,
    ) -> None:
        self.order = order
        self._judged = judged
        self._batch = batch

    @property
    def background(self) -> bool:
        """Worker processes are judging it: ``finish()`` may wait."""
        return self._batch is not None

    def cancel(self) -> None:
        """Drop the page: answers still to come are discarded."""
        if self._batch is not None:
            self._batch.cancel()

    def finish(self) -> Writes:
        """The page's writes (waits for the workers; their errors are raised here)."""
        if self._judged is None:
            assert self._batch is not None
            self._judged = [judged for chunk in self._batch.result() for judged in chunk]
        delete_all: list[tuple[str, str]] = []
        delete_from: list[tuple[str, str, str]] = []
        rows: list[tuple[Any, ...]] = []
        for cid, judged in zip(self.order, self._judged, strict=True):
            for rid, cut, params in judged:
                if cut is None:
                    delete_all.append((cid, rid))
                else:
                    delete_from.append((cid, rid, cut))
                rows.extend(params)
        return [
            (f"DELETE FROM {COMPLIANCE} WHERE clinician_id = ? AND requirement_id = ?", delete_all),
            (
                f"DELETE FROM {COMPLIANCE} "
                "WHERE clinician_id = ? AND requirement_id = ? AND cycle_start >= ?",
                delete_from,
            ),
            (_INSERT, rows),
        ]


class PageInRuns:
    """A page dirtying more than ``run_clinicians`` clinicians, judged a run of them at a
    time (in clinician order), so that its memory is a run's, not the store's: a
    requirement change dirties every licensee of it, and a compliance-only rebuild's
    first page (the requirements' versions) every clinician at once.

    Each of ``runs()`` reads its clinicians' rows from the cursor it is given and
    starts judging them. The runner reads each run in a read transaction and writes
    it in a write transaction of its own, the view's position moving with the last
    run only (``runner.InRuns``); runs hold disjoint clinicians, so the rows are those
    of the page written at once (``prepare``), and the next run may be read and sent
    to the workers before the one before it is written. A row is a function of the recorded
    facts, so a run written before a crash is written again, the same, when the page
    is applied again.
    """

    def __init__(
        self, view: ComplianceView, runs: list[dict[tuple[str, str], Dirty]], day: date
    ) -> None:
        self.view = view
        self.day = day
        self.pairs = runs

    def runs(self) -> Iterator[Callable[[Cursor], Pending]]:
        """Each run: read its clinicians' rows from a cursor and start judging them
        (``Pending.finish()``: their writes)."""
        view, day = self.view, self.day
        for pairs in self.pairs:

            def run(cur: Cursor, pairs: dict[tuple[str, str], Dirty] = pairs) -> Pending:
                return view.begin_refresh(cur, pairs, day)

            yield run


_CHUNKS_PER_WORKER = 4  # a page is split in this many jobs per worker, to even out the tail

# ------------------------------------------------------------- judging, in any process


def judge_clinician(
    given: ClinicianInput, documents: Mapping[str, list[dict[str, Any]]], registry: Registry
) -> list[PairResult]:
    """Judge one clinician's dirty pairs (``documents``: every requirement's versions)."""
    cid = given.clinician_id
    credits = [CreditState.from_json(data) for data in given.credits]
    licenses = [
        license_state(dict(zip(LICENSE_ROW_FIELDS, r, strict=True))) for r in given.licenses
    ]
    completed = {c.credit_id: c.completed_on for c in credits}
    day = date.fromisoformat(given.day)
    out: list[PairResult] = []
    for rid, ids, moved, last in given.pairs:
        known = None if last is None else date.fromisoformat(last)
        # Cycles that closed before the earliest touched credit (or before the day the
        # view moved on to) keep their rows, if any.
        since = (
            min((completed[i] for i in ids), default=None) if ids and known is not None else None
        )
        if moved is not None and known is not None:
            since = date.fromisoformat(moved)
        judged, cut = judge_pair(
            cid, rid, documents[rid], credits, licenses, registry, since, known, day
        )
        out.append((rid, None if cut is None else cut.isoformat(), [_params(r) for r in judged]))
    return out


def judge_chunk(
    registry: Registry, chunk: tuple[dict[str, str | None], list[ClinicianInput]]
) -> list[list[PairResult]]:
    """A worker's job: judge a run of clinicians (their requirements' versions as JSON)."""
    raw, inputs = chunk
    documents = {rid: decode_versions(text) for rid, text in raw.items()}
    return [judge_clinician(given, documents, registry) for given in inputs]


def _chunked(
    inputs: Iterable[ClinicianInput], raw_documents: dict[str, str | None], size: int
) -> Iterator[tuple[dict[str, str | None], list[ClinicianInput]]]:
    """Runs of ``size`` clinicians, each with the versions of the requirements it needs."""
    run: list[ClinicianInput] = []
    for given in inputs:
        run.append(given)
        if len(run) == size:
            yield _job(run, raw_documents)
            run = []
    if run:
        yield _job(run, raw_documents)


def _job(
    run: list[ClinicianInput], raw_documents: dict[str, str | None]
) -> tuple[dict[str, str | None], list[ClinicianInput]]:
    needed = sorted({pair[0] for given in run for pair in given.pairs})
    return {rid: raw_documents[rid] for rid in needed}, run


class _DecodedDocuments(dict[str, list[dict[str, Any]]]):
    """Requirement versions decoded on first use from the page's raw rows (serial path)."""

    def __init__(self, raw: dict[str, str | None]) -> None:
        super().__init__()
        self.raw = raw

    def __missing__(self, requirement_id: str) -> list[dict[str, Any]]:
        value = self[requirement_id] = decode_versions(self.raw[requirement_id])
        return value


# ---------------------------------------------------------------------- evaluation


def horizon(credits: Sequence[CreditState], licenses: Sequence[LicenseState]) -> date:
    """The latest valid-time date in a clinician's facts: how far cycles are materialised."""
    days = [lic.issued_on for lic in licenses]
    for c in credits:
        days.append(c.completed_on)
        days.extend(c.claim_dates.values())
        if c.revoked_on is not None:
            days.append(c.revoked_on)
    return max(days)


def evaluate_pair(
    clinician_id: str,
    requirement_id: str,
    documents: list[dict[str, Any]],
    credits: Sequence[CreditState],
    licenses: Sequence[LicenseState],
    registry: Registry,
    day: date | None = None,
) -> list[ComplianceRow]:
    """Every materialised cycle of every license the clinician holds for the requirement
    (through the cycle containing ``day`` for the licence in force on it)."""
    return judge_pair(
        clinician_id, requirement_id, documents, credits, licenses, registry, day=day
    )[0]


def judge_pair(
    clinician_id: str,
    requirement_id: str,
    documents: list[dict[str, Any]],
    credits: Sequence[CreditState],
    licenses: Sequence[LicenseState],
    registry: Registry,
    since: date | None = None,
    known: date | None = None,
    day: date | None = None,
) -> tuple[list[ComplianceRow], date | None]:
    """The rows of the cycles still open on ``since`` (all cycles when None).

    ``known``: the start of the last cycle that has a row; later cycles (the horizon
    moved) are judged whatever ``since`` says. ``day``: the licence in force on it
    (``licences_in_force``) has its cycles materialised through the one containing it,
    not only through its horizon, so the standing on that day is a row.

    Returns the rows and the start of the first cycle judged (None: every row of the
    pair was judged, so every old row goes).
    """
    from credtrail.core.rules import as_versions, license_cycles
    from credtrail.core.rules.model import RollingCycle

    # Oldest first: where two licences share a cycle, the one that speaks last wins.
    held = sorted(
        (lic for lic in licenses if lic.requirement_id == requirement_id),
        key=judging.precedence,
    )
    if not held or not documents:
        return [], None
    current = (
        set()
        if day is None
        else {lic.license_id for lic in judging.licences_in_force(held, day, requirement_id)}
    )
    out: list[ComplianceRow] = []
    cut: date | None = None
    partial = since is not None
    for lic in held:
        try:
            versions = as_versions(documents)
            until = horizon(credits, [lic])
            for v in versions:
                until = max(until, v.effective_from)
            if lic.license_id in current:
                assert day is not None
                until = max(until, day)
            if lic.ended_on is not None:
                until = min(until, lic.ended_on)
            latest = versions[-1]
            if isinstance(latest.cycle, RollingCycle) and latest.cycle.ends == "evaluation-date":
                # A window that ends on the evaluation day: judged once, on the horizon.
                result = judging.judge(
                    versions, credits, lic, registry, until, credentials=licenses
                )
                out.append(_row(clinician_id, requirement_id, lic, result))
                partial = False
                continue
            # Cycles that closed before any known version was in force are not judged:
            # no rule applied to them. (This bound must not depend on credits, or a new
            # credit would change which old cycles exist.)
            first = max(lic.issued_on, versions[0].effective_from)
            # Each cycle with the version governing it: a rule change that moved the
            # cycle anchor (Ohio HB 166) keeps the old cycles under the old rule.
            for version, window in license_cycles(versions, lic, until):
                grace = timedelta(days=version.grace.days) + _ONE_DAY
                closed_before = (
                    since is not None
                    and window.end + grace < since
                    and (known is None or window.start <= known)
                )
                if window.end >= first and not closed_before:
                    if cut is None or window.start < cut:
                        cut = window.start
                    out.append(
                        _judge(
                            clinician_id,
                            requirement_id,
                            versions,
                            credits,
                            lic,
                            registry,
                            window,
                            grace,
                            licenses,
                        )
                    )
        except CredtrailError as exc:
            # A license that lacks what the cycle needs (expiry, birth date) is a fact
            # about the data, not a crash of the projection: record it as the row.
            out.append(_error_row(clinician_id, requirement_id, lic, exc))
            partial = False
    # Two licenses (one ended, one new) may share a cycle: the later license wins.
    unique = {r.cycle_start: r for r in out}
    rows = [unique[k] for k in sorted(unique)]
    if not partial:
        return rows, None
    if cut is None:
        return rows, date.max
    return rows, cut


def _judge(
    clinician_id: str,
    requirement_id: str,
    versions: Any,
    credits: Sequence[CreditState],
    lic: LicenseState,
    registry: Registry,
    window: Any,
    grace: timedelta,
    credentials: Sequence[LicenseState] = (),
) -> ComplianceRow:
    try:
        on = window.end + grace
        result = judging.judge(
            versions,
            credits,
            lic,
            registry,
            on,
            cycle_start=window.start,
            credentials=credentials,
        )
    except CredtrailError as exc:
        return _error_row(clinician_id, requirement_id, lic, exc, window.start)
    row = _row(clinician_id, requirement_id, lic, result)
    # The engine lists every credit completed after the cycle closed as excluded
    # ("not completed yet"); those bear on later cycles, not this one. Leaving them out
    # keeps a closed cycle's row independent of later credits, which is what lets a
    # catch-up keep rows of cycles that closed before a new credit.
    late = {c.credit_id for c in credits if c.completed_on >= on}
    if late:
        explanation = dict(row.explanation)
        explanation["excluded"] = [x for x in explanation["excluded"] if x["credit_id"] not in late]
        row = replace(row, explanation=explanation)
    return row


def _row(clinician_id: str, requirement_id: str, lic: LicenseState, result: Any) -> ComplianceRow:
    return ComplianceRow(
        clinician_id=clinician_id,
        requirement_id=requirement_id,
        license_id=lic.license_id,
        cycle_start=result.cycle_start,
        cycle_end=result.cycle_end,
        status=result.status,
        counted=result.counted,
        required=result.required,
        missing=result.missing,
        explanation=result.to_json(),
    )


def _error_row(
    clinician_id: str,
    requirement_id: str,
    lic: LicenseState,
    exc: Exception,
    start: date | None = None,
) -> ComplianceRow:
    # Older versions may define cycles differently from the newest one the windows
    # come from; the engine then refuses that window. Keep the refusal as the row.
    return ComplianceRow(
        clinician_id=clinician_id,
        requirement_id=requirement_id,
        license_id=lic.license_id,
        cycle_start=start or lic.issued_on,
        cycle_end=start or lic.issued_on,
        status="error",
        counted=Decimal(0),
        required=Decimal(0),
        missing=(),
        explanation={"error": str(exc)},
    )


def _params(row: ComplianceRow) -> tuple[Any, ...]:
    return (
        row.clinician_id,
        row.requirement_id,
        row.cycle_start.isoformat(),
        row.cycle_end.isoformat(),
        row.license_id,
        row.status,
        str(row.counted),
        str(row.required),
        orjson.dumps([[p, str(u)] for p, u in row.missing]).decode(),
        orjson.dumps(row.explanation).decode(),
    )


def evaluate_on(
    cur: Cursor, clinician_id: str, requirement_id: str, on: date, registry: Registry
) -> list[ComplianceRow]:
    """The standing on ``on`` judged now from the view's rows (no materialised row):
    ``credtrail.core.compliance.judge_on`` over the transcript view's states."""
    documents = {requirement_id: load_documents(cur, requirement_id)}
    licences = load_licenses(cur, clinician_id)
    if not judging.licences_in_force(licences, on, requirement_id):
        return []
    credits = load_credits(cur, clinician_id)
    return judge_rows(clinician_id, requirement_id, on, registry, licences, credits, documents)


def judge_rows(
    clinician_id: str,
    requirement_id: str,
    on: date,
    registry: Registry,
    licences: Sequence[LicenseState],
    credits: Sequence[CreditState],
    documents: Mapping[str, judging.Documents],
) -> list[ComplianceRow]:
    """``evaluate_on`` for facts already read (the roster reads many clinicians' at once)."""
    out = []
    for judged in judging.judge_on(licences, credits, documents, registry, on, requirement_id):
        if judged.evaluation is not None:
            out.append(_row(clinician_id, requirement_id, judged.licence, judged.evaluation))
        elif judged.error is not None:
            out.append(_error_row(clinician_id, requirement_id, judged.licence, judged.error))
    return out

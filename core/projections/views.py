"""``Views``: the query API over the materialised views (catches up before reading)."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import date
from typing import TYPE_CHECKING, Any

from credtrail.core.compliance import licences_in_force
from credtrail.core.errors import CredtrailError, UnknownClinicianError
from credtrail.core.plugins import plugin_versions
from credtrail.core.projections.compliance import (
    PARALLEL_THRESHOLD,
    ComplianceRow,
    ComplianceView,
    clinician_known,
    evaluate_on,
    load_all_licenses,
    load_documents,
    load_licenses,
    read_compliance,
    read_compliance_covering,
)
from credtrail.core.projections.parallel import resolve_workers
from credtrail.core.projections.runner import (
    DEFAULT_PAGE_SIZE,
    Progress,
    Runner,
    View,
    ViewStatus,
)
from credtrail.core.projections.transcript import Streams, TranscriptView, read_transcript
from credtrail.core.registry import Registry
from credtrail.core.store import EventStore
from credtrail.core.transcript import Transcript

if TYPE_CHECKING:
    from credtrail.core.application import Credtrail
    from credtrail.core.domain import LicenseState
    from credtrail.core.projections.db import Cursor


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
        fingerprint: str | None = None,
    ) -> None:
        """``workers``: processes judging compliance on big pages (None: the default,
        ``CREDTRAIL_WORKERS`` or ``min(CPUs, 4)``; 1: all in this process).
        ``parallel_threshold``: how many clinicians a page must dirty to use them.
        ``fingerprint``: of the plugins judging compliance (default: the registry's,
        without versions; ``Views.of`` adds the plugins' versions)."""
        self.store = store
        self.registry = registry
        self.workers = resolve_workers(workers)
        streams = Streams()
        views: list[View] = [TranscriptView(streams)]
        if registry is not None:
            # Compliance needs the plugins' rules; without them only transcripts run.
            views.append(
                ComplianceView(
                    streams,
                    registry,
                    workers=self.workers,
                    parallel_threshold=parallel_threshold,
                    fingerprint=fingerprint,
                )
            )
        self.runner = Runner(store, views, page_size=page_size)
        # Reading a transcript needs only the transcript view current, not compliance.
        self._transcripts = Runner(store, views[:1], page_size=page_size)

    @classmethod
    def of(
        cls,
        app: Credtrail,
        *,
        page_size: int = DEFAULT_PAGE_SIZE,
        workers: int | None = None,
        parallel_threshold: int = PARALLEL_THRESHOLD,
    ) -> Views:
        """All views of an application's store, judged with its plugins."""
        return cls(
            app.store,
            app.registry,
            page_size=page_size,
            workers=workers,
            parallel_threshold=parallel_threshold,
            fingerprint=app.registry.fingerprint(plugin_versions(app.pm)),
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

    def catch_up(self, progress: Callable[[Progress], None] | None = None) -> int:
        return self.runner.catch_up(progress)

    def rebuild(
        self,
        names: Sequence[str] | None = None,
        progress: Callable[[Progress], None] | None = None,
    ) -> int:
        return self.runner.rebuild(names, progress)

    def status(self) -> list[ViewStatus]:
        return self.runner.status()

    def transcript(self, clinician_id: str, *, catch_up: bool = True) -> Transcript:
        """A clinician's transcript from the view, equal to ``transcript_of(ledger)``."""
        if catch_up:
            self._transcripts.catch_up()
        with self.runner.db.transaction(commit=False) as cur:
            result = read_transcript(cur, clinician_id)
        if result is None:
            raise UnknownClinicianError(clinician_id)
        return result

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
        if self.registry is None:
            raise CredtrailError("compliance needs the plugins' rules: build Views with a registry")
        if catch_up:
            self.catch_up()
        with self.runner.db.transaction(commit=False) as cur:
            rows = read_compliance(cur, clinician_id, requirement)
            if not rows and not clinician_known(cur, clinician_id):
                raise UnknownClinicianError(clinician_id)
            if on is None:
                return rows
            # Which requirements the clinician is subject to on the day, and by which
            # licence: the one answer (credtrail.core.compliance).
            held = licences_in_force(load_licenses(cur, clinician_id), on, requirement)
            return self._standing(cur, clinician_id, held, rows, on)

    def compliance_on(self, on: date, *, catch_up: bool = True) -> dict[str, list[ComplianceRow]]:
        """Every clinician's standing on ``on`` (clinician id -> rows), as
        ``compliance(clinician, on=on)`` gives it for each, read in bulk: one query for
        the rows of the cycles containing the day, one for the licences. Clinicians
        subject to no requirement that day are left out."""
        if self.registry is None:
            raise CredtrailError("compliance needs the plugins' rules: build Views with a registry")
        if catch_up:
            self.catch_up()
        with self.runner.db.transaction(commit=False) as cur:
            rows: dict[str, list[ComplianceRow]] = {}
            for row in read_compliance_covering(cur, on):
                rows.setdefault(row.clinician_id, []).append(row)
            versions = _Versions(cur)
            out = {}
            for cid, licences in load_all_licenses(cur).items():
                held = licences_in_force(licences, on)
                if held:
                    out[cid] = self._standing(
                        cur, cid, held, rows.get(cid, []), on, licences=licences, versions=versions
                    )
            return out

    def _standing(
        self,
        cur: Cursor,
        clinician_id: str,
        held: Sequence[LicenseState],
        rows: Sequence[ComplianceRow],
        on: date,
        *,
        licences: Sequence[LicenseState] | None = None,
        versions: Mapping[str, Sequence[Any]] | None = None,
    ) -> list[ComplianceRow]:
        """Per licence in force on ``on``: its materialised row, else a direct judgement
        (``licences``, ``versions``: what the caller already read, see ``evaluate_on``)."""
        assert self.registry is not None
        out = []
        for lic in held:
            rid = lic.requirement_id
            hit = [
                r for r in rows if r.requirement_id == rid and r.cycle_start <= on <= r.cycle_end
            ]
            if hit and on >= date.today() and hit[0].license_id == lic.license_id:
                # The fast path: a row counts every credit of its cycle; none is
                # completed after today, so it is the standing today (status's hot
                # path). A property test holds it equal to judging on the day.
                out.append(hit[0].as_of(on))
                continue
            # A past day (or a day no row covers) is judged directly from the view's
            # rows, counting only credit completed and claimed by then.
            out.extend(
                evaluate_on(
                    cur, clinician_id, rid, on, self.registry, licences=licences, versions=versions
                )
            )
        return out


class _Versions(dict[str, list[Any]]):
    """Requirement id -> its versions, read and validated once per roster query."""

    def __init__(self, cur: Cursor) -> None:
        super().__init__()
        self.cur = cur

    def __missing__(self, requirement_id: str) -> list[Any]:
        from credtrail.core.rules.evaluate import as_versions

        documents = load_documents(self.cur, requirement_id)
        versions: list[Any] = as_versions(documents) if documents else []
        self[requirement_id] = versions
        return versions

"""The import pipeline: read, validate every record, then write (or write nothing).

Two streaming passes over the file keep memory bounded by the number of distinct
clinicians and credits, not by the file:

1. *validate*: parse each record, resolve its clinician (existing, or one the file
   identifies well enough to create), check it with ``Credtrail.check_credit`` (core
   and plugin rules), find duplicates within the file and against the store;
2. *write*: only if pass 1 found nothing wrong (or ``partial``), read the file again
   and record the valid, new credits.

All-or-nothing: by default every event of the file is saved in ONE ``save`` (one
database transaction, eventsourcing saves many aggregates atomically). The
aggregates touched stay in memory until then. ``commit_every=N`` saves every N
events instead (memory bounded on any file); a crash between two commits leaves
the first ones written, and running the same import again finishes it, because
every record has a natural key and recorded ones are skipped.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, Literal

from credtrail.core.application import Credtrail
from credtrail.core.domain import ClinicianLedger, CreditState, amend_credit, check_amendment
from credtrail.core.errors import (
    ConflictError,
    CreditRejectedError,
    InputError,
    StoreError,
    UnknownClinicianError,
    UnknownCodeError,
)
from credtrail.core.exchange.formats import ImportFormat, ReadContext, import_formats
from credtrail.core.exchange.records import (
    ClinicianIdentity,
    ImportRecord,
    Issue,
    Location,
    RejectedRecord,
    describe_issues,
)
from credtrail.core.exchange.sources import TextSource
from credtrail.core.inputs import check_npi
from credtrail.core.requests import EarnRequest, differences, request_of

MAX_REPORTED_ERRORS = 200
"""Error lines kept for the report; the count is always exact."""

Phase = Literal["validate", "write"]
ProgressCallback = Callable[[Phase, int, int], None]
"""``(phase, bytes done, bytes total)``."""


@dataclass
class ImportSummary:
    """What an import did (or, with ``dry_run``, would do)."""

    file: str
    format: str
    read: int = 0
    written: int = 0
    amended: int = 0
    """Recorded credits corrected by the file's content (``--amend``)."""
    deleted: int = 0
    skipped: int = 0
    rejected: int = 0
    clinicians_created: int = 0
    dry_run: bool = False
    partial: bool = False
    errors: list[str] = field(default_factory=list)
    error_count: int = 0
    notices: list[str] = field(default_factory=list)
    """What the reader reported without rejecting (e.g. columns it ignored)."""

    @property
    def committed(self) -> bool:
        """True when the import wrote (or would write) what it validated."""
        return self.partial or self.rejected == 0

    def add_errors(self, location: Location, issues: tuple[Issue, ...] | list[Issue]) -> None:
        self.rejected += 1
        self.error_count += len(issues)
        room = MAX_REPORTED_ERRORS - len(self.errors)
        if room > 0:
            self.errors.extend(describe_issues(location, issues)[:room])

    def counts(self) -> str:
        """``read 3, written 3, skipped 0, rejected 0`` (amended and deleted when any)."""
        amended = f", amended {self.amended}" if self.amended else ""
        deleted = f", deleted {self.deleted}" if self.deleted else ""
        return (
            f"read {self.read}, written {self.written}{amended}{deleted}, "
            f"skipped {self.skipped}, rejected {self.rejected}"
        )

    def describe(self) -> str:
        """The one line an import ends with; a dry run gives the very line a real run
        would print, after saying that nothing was written (one wording for both)."""
        n = self.clinicians_created
        added = f"; {n} clinician{'s' if n != 1 else ''} added" if n else ""
        if self.written == 0 and self.deleted == 0 and self.amended == 0 and self.rejected == 0:
            outcome = (
                f"Nothing written: every record of {self.file} is already recorded "
                f"({self.counts()})"
                if self.read
                else f"Nothing written: {self.file} has no records"
            )
        else:
            outcome = f"Imported {self.file} ({self.format}): {self.counts()}{added}"
        if self.dry_run:
            return f"Dry run of {self.file}, nothing written. A real run would say: {outcome}"
        return outcome

    def as_dict(self) -> dict[str, object]:
        return {
            "file": self.file,
            "format": self.format,
            "dry_run": self.dry_run,
            "partial": self.partial,
            "committed": self.committed and not self.dry_run,
            "read": self.read,
            "written": self.written,
            "amended": self.amended,
            "deleted": self.deleted,
            "skipped": self.skipped,
            "rejected": self.rejected,
            "clinicians_created": self.clinicians_created,
            "errors": self.errors,
            "errors_omitted": self.error_count - len(self.errors),
            "notices": self.notices,
        }


@dataclass
class _Clinician:
    """What pass 1 knows about one clinician the file names."""

    profession: str
    credits: dict[str, CreditState]
    """The clinician's standing credits by natural key (conflicts are found against them)."""
    revoked: set[str] = field(default_factory=set)
    """Natural keys of credits recorded and since revoked (a delete already applied)."""
    new: ClinicianIdentity | None = None
    first_line: str = ""
    used: bool = False


class ClinicianDirectory:
    """NPI -> clinician id: the store's (``Credtrail.npi_holders``, read once, the first
    time an NPI must be resolved) and the clinicians this file will add."""

    def __init__(self, app: Credtrail) -> None:
        self.app = app
        self._by_npi: dict[str, str] | None = None

    def by_npi(self, npi: str) -> str | None:
        if self._by_npi is None:
            self._by_npi = self.app.npi_holders()
        return self._by_npi.get(npi)

    def add(self, npi: str, clinician_id: str) -> None:
        """A clinician the file adds holds ``npi`` from now on."""
        if self._by_npi is None:
            self._by_npi = self.app.npi_holders()
        self._by_npi[npi] = clinician_id


def _short(location: Location) -> str:
    if location.line is not None:
        return f"line {location.line}"
    return location.path or location.file


KEY_FIELDS = frozenset({"provider", "activity_id", "completed_on", "credit_type"})


def file_conflicts(recorded: CreditState, request: EarnRequest) -> dict[str, tuple[Any, Any]]:
    """Where a record says something else than the credit recorded under its key.

    Only what the file states counts: an empty title, topic list or format is "not
    said", not "remove it". The key's own fields match by definition (compared with
    spacing and case folded), so a difference of case there is no conflict.
    """
    return {
        name: (old, new)
        for name, (old, new) in differences(recorded, request).items()
        if name not in KEY_FIELDS and new not in (None, [], {})
    }


def _shown(value: Any) -> str:
    if value is None or value == [] or value == {}:
        return "(none)"
    if isinstance(value, list):
        return ";".join(str(v) for v in value)
    if isinstance(value, dict):
        return ";".join(f"{k}={v}" for k, v in value.items())
    return repr(value) if isinstance(value, str) and not value[:1].isdigit() else str(value)


def _key_hash(clinician_id: str, natural_key: str) -> int:
    digest = hashlib.blake2b(f"{clinician_id}\x1f{natural_key}".encode(), digest_size=8)
    return int.from_bytes(digest.digest(), "big")


class Importer:
    """One import of one file into one store (see the module docstring)."""

    def __init__(
        self,
        app: Credtrail,
        path: Path,
        fmt: ImportFormat,
        *,
        dry_run: bool = False,
        partial: bool = False,
        commit_every: int | None = None,
        progress: ProgressCallback | None = None,
        display_name: str | None = None,
        learners: Mapping[str, str] | None = None,
        require_proof: bool = False,
        options: Mapping[str, str] | None = None,
        amend: bool = False,
        amended_by: str = "import",
    ) -> None:
        self.app = app
        self.amend = amend
        self.amended_by = amended_by
        self.fmt = fmt
        self.source = TextSource(path, display_name)
        self.context = ReadContext(
            app.registry,
            learners=dict(learners or {}),
            require_proof=require_proof,
            options=dict(options or {}),
        )
        self.dry_run = dry_run
        self.partial = partial
        if commit_every is not None and commit_every < 1:
            raise InputError("--commit-every must be at least 1")
        self.commit_every = commit_every
        self.progress = progress
        self.summary = ImportSummary(self.source.name, fmt.name, dry_run=dry_run, partial=partial)
        self.directory = ClinicianDirectory(app)
        self._clinicians: dict[str, _Clinician] = {}
        self._seen: dict[int, tuple[int, str, str]] = {}  # key -> (ordinal, action, where)
        self._rejected: set[int] = set()
        self._to_add = 0
        self._to_amend = 0
        self._to_delete = 0
        self._committed = 0
        self._validated_digest = ""
        self._validated_stamp = (0, 0)

    # -- pass 1 -----------------------------------------------------------------------

    def _records(self, phase: Phase) -> Iterator[tuple[int, ImportRecord | RejectedRecord]]:
        step = max(self.source.size // 200, 1)
        next_report = 0
        for ordinal, item in enumerate(self.fmt.reader(self.source, self.context)):
            if self.progress is not None and self.source.position >= next_report:
                self.progress(phase, self.source.position, self.source.size)
                next_report = self.source.position + step
            yield ordinal, item
        if self.progress is not None:
            self.progress(phase, self.source.size, self.source.size)

    def _resolve(self, identity: ClinicianIdentity) -> str:
        if not identity.explicit and identity.npi:
            return self.directory.by_npi(identity.npi) or identity.clinician_id
        return identity.clinician_id

    def _clinician(
        self, cid: str, identity: ClinicianIdentity, where: str
    ) -> _Clinician | list[Issue]:
        if identity.npi:
            try:
                check_npi(identity.npi)  # every format's NPI, as the CLI's is checked
            except ValueError as exc:
                return [Issue("npi", "npi", str(exc))]
        known = self._clinicians.get(cid)
        if known is None:
            try:
                ledger = self.app.ledger(cid)
            except UnknownClinicianError:
                ledger = None
            if ledger is not None:
                revoked = {c.natural_key for c in ledger.credits.values() if c.revoked}
                known = _Clinician(
                    ledger.profession,
                    {k: ledger.credits[c] for k, c in ledger.natural_keys.items()},
                    revoked,
                )
            else:
                missing = identity.missing_for_creation()
                if missing:
                    return [
                        Issue(
                            "clinician",
                            "known-clinician",
                            f"{cid!r} is not in the store and the record lacks "
                            f"{', '.join(missing)} to add it; add it first with "
                            f"'credtrail clinician add {cid} --profession ...'",
                        )
                    ]
                assert identity.profession is not None
                try:
                    self.app.registry.profession(identity.profession)
                except UnknownCodeError as exc:
                    return [Issue("profession", "known-profession", str(exc))]
                if not cid.strip() or cid != cid.strip():
                    return [
                        Issue("clinician_id", "clinician-id", "must have no surrounding spaces")
                    ]
                holder = self.directory.by_npi(identity.npi) if identity.npi else None
                if holder is not None and holder != cid:
                    return [
                        Issue(
                            "npi",
                            "unique-npi",
                            f"{identity.npi} already belongs to clinician {holder!r}; "
                            "one NPI identifies one clinician",
                        )
                    ]
                if identity.npi:
                    self.directory.add(identity.npi, cid)
                known = _Clinician(identity.profession, {}, new=identity, first_line=where)
            self._clinicians[cid] = known
        if identity.profession and identity.profession != known.profession:
            origin = f" (created by {known.first_line})" if known.new else ""
            return [
                Issue(
                    "profession",
                    "clinician-profession",
                    f"clinician {cid!r} is a {known.profession}{origin}, "
                    f"the record says {identity.profession}",
                )
            ]
        return known

    def _validate(self, ordinal: int, record: ImportRecord) -> list[Issue]:
        cid = self._resolve(record.clinician)
        where = record.location.describe()
        clinician = self._clinician(cid, record.clinician, where)
        if isinstance(clinician, list):
            return clinician
        request = record.request.model_copy(update={"clinician_id": cid})
        try:
            self.app.check_credit(request, clinician.profession)
        except CreditRejectedError as exc:
            return [Issue(v.field, v.rule, v.message) for v in exc.violations]
        natural_key = request.natural_key()
        key = _key_hash(cid, natural_key)
        earlier = self._seen.get(key)
        if earlier is not None:
            _, action, earlier_where = earlier
            if action == record.action:
                rule, what = "duplicate-in-file", "repeats"
            else:
                rule, what = "add-and-delete", "contradicts"
            return [
                Issue(
                    "record",
                    rule,
                    f"{what} {earlier_where} (same learner, provider, activity, date and "
                    "credit type); keep one of them",
                )
            ]
        self._seen[key] = (ordinal, record.action, _short(record.location))
        recorded = clinician.credits.get(natural_key)
        if record.action == "delete" and recorded is None and natural_key not in clinician.revoked:
            return [
                Issue(
                    "record",
                    "delete-unrecorded",
                    f"deletes a credit clinician {cid!r} never had recorded (no credit "
                    "with this provider, activity, date and credit type): nothing to delete",
                )
            ]
        if record.action == "add" and recorded is not None:
            conflicts = file_conflicts(recorded, request)
            if conflicts and not self.amend:
                return [
                    Issue(
                        name,
                        "recorded-differs",
                        f"recorded {_shown(old)}, the file says {_shown(new)} (same learner, "
                        "provider, activity, date and type as credit "
                        f"{recorded.credit_id}); import with --amend to correct the record",
                    )
                    for name, (old, new) in conflicts.items()
                ]
            if conflicts:
                merged = request_of(cid, recorded).model_copy(
                    update={name: getattr(request, name) for name in conflicts}
                )
                try:
                    self.app.check_credit(merged, clinician.profession)
                except CreditRejectedError as exc:
                    return [Issue(v.field, v.rule, v.message) for v in exc.violations]
                after = {name: new for name, (_, new) in conflicts.items()}
                try:
                    check_amendment(recorded, amend_credit(recorded, after))
                except ConflictError as exc:
                    return [Issue("record", "amendment-allowed", str(exc))]
                self._to_amend += 1
            else:
                self.summary.skipped += 1
            clinician.used = True
            return []
        clinician.used = True
        if (record.action == "add") == (recorded is not None):
            self.summary.skipped += 1
        elif record.action == "add":
            self._to_add += 1
        else:
            self._to_delete += 1
        return []

    def _stamp(self) -> tuple[int, int]:
        stat = self.source.path.stat()
        return stat.st_size, stat.st_mtime_ns

    def validate(self) -> None:
        self._validated_stamp = self._stamp()
        for ordinal, item in self._records("validate"):
            self.summary.read += 1
            issues = (
                list(item.issues)
                if isinstance(item, RejectedRecord)
                else self._validate(ordinal, item)
            )
            if issues:
                self._rejected.add(ordinal)
                self.summary.add_errors(item.location, issues)
        self.summary.notices = list(self.context.notices)
        self._validated_digest = self.source.digest

    # -- pass 2 -----------------------------------------------------------------------

    def write(self) -> None:
        ledgers: dict[str, ClinicianLedger] = {}  # touched since the last commit
        cache: dict[str, ClinicianLedger] = {}  # committed, kept to avoid reloading
        created: set[str] = set()
        pending = 0
        for ordinal, item in self._records("write"):
            if ordinal in self._rejected or isinstance(item, RejectedRecord):
                continue
            cid = self._resolve(item.clinician)
            ledger = ledgers.get(cid)
            if ledger is None:
                ledger = cache.pop(cid, None)
            if ledger is not None:
                ledgers[cid] = ledger
            else:
                info = self._clinicians[cid]
                # Created by another writer since pass 1? Then save() raises a conflict.
                if info.new is not None and cid not in created:
                    created.add(cid)
                    ledger = ClinicianLedger.register(
                        cid, info.profession, name=info.new.name, npi=info.new.npi
                    )
                    self.summary.clinicians_created += 1
                    pending += 1
                else:
                    ledger = self.app.ledger(cid)
                ledgers[cid] = ledger
            request: EarnRequest = item.request.model_copy(update={"clinician_id": cid})
            existing = ledger.natural_keys.get(request.natural_key())
            if item.action == "add" and existing is None:
                self.app.apply_earn(ledger, request)  # checked in pass 1
                self.summary.written += 1
                pending += 1
            elif item.action == "add" and existing is not None and self.amend:
                conflicts = file_conflicts(ledger.credit(existing), request)
                if conflicts:  # checked in pass 1
                    ledger.amend(
                        existing,
                        {name: new for name, (_, new) in conflicts.items()},
                        reason=f"corrected by {self.fmt.name} import, {item.location.describe()}",
                        amended_by=self.amended_by,
                    )
                    self.summary.amended += 1
                    pending += 1
            elif item.action == "delete" and existing is not None:
                reason = (
                    f"deleted by the provider ({self.fmt.name} import, {item.location.describe()})"
                )
                ledger.revoke(existing, reason, date.today())
                self.summary.deleted += 1
                pending += 1
            if self.commit_every is not None and pending >= self.commit_every:
                self._commit(ledgers)
                # Saved ledgers are current: keep the most recent ones (bounded) so a
                # file that cycles through learners does not reload them every batch.
                cache.update(ledgers)
                ledgers.clear()
                for stale in list(cache)[: max(0, len(cache) - self.commit_every)]:
                    del cache[stale]
                pending = 0
        if self.source.digest != self._validated_digest:
            raise InputError(
                f"{self.source.name} changed while it was being imported; "
                + (
                    "nothing was written"
                    if self._committed == 0
                    else f"{self._committed} records were already committed (--commit-every)"
                )
                + ": import it again"
            )
        if pending:
            self._commit(ledgers)

    def _commit(self, ledgers: dict[str, ClinicianLedger]) -> None:
        if self.commit_every is not None and self._stamp() != self._validated_stamp:
            # The digest is only known after the whole pass; between batches the
            # size and modification time are what can be checked.
            raise InputError(
                f"{self.source.name} changed while it was being imported; "
                f"{self._committed} records were already committed (--commit-every): "
                "import it again"
            )
        try:
            self.app.save(*ledgers.values())
        except (ConflictError, StoreError) as exc:
            if self._committed == 0:
                raise
            # Earlier batches are in the store: say so, and how to finish the job.
            raise type(exc)(
                f"{self.source.name}: the batch after {self._committed} committed records "
                f"failed ({exc}); run the same import again to finish it, records already "
                "recorded are skipped"
            ) from None
        self._committed = self.summary.written + self.summary.amended + self.summary.deleted

    def run(self) -> ImportSummary:
        self.validate()
        if self.dry_run:
            # What a real run would write; clinicians only count if they get a credit.
            self.summary.written = self._to_add
            self.summary.amended = self._to_amend
            self.summary.deleted = self._to_delete
            self.summary.clinicians_created = sum(
                1 for c in self._clinicians.values() if c.new is not None and c.used
            )
        elif self.summary.committed and (self._to_add or self._to_amend or self._to_delete):
            with self.app.staging():
                self.write()
        return self.summary


def import_file(
    app: Credtrail,
    path: Path,
    format_name: str,
    *,
    dry_run: bool = False,
    partial: bool = False,
    commit_every: int | None = None,
    progress: ProgressCallback | None = None,
    display_name: str | None = None,
    learners: Mapping[str, str] | None = None,
    require_proof: bool = False,
    options: Mapping[str, str] | None = None,
    amend: bool = False,
    amended_by: str = "import",
) -> ImportSummary:
    """Import ``path`` in ``format_name`` into ``app``'s store; see ``Importer``."""
    formats = import_formats(app.pm)
    fmt = formats.get(format_name)
    if fmt is None:
        raise InputError(
            f"unknown import format {format_name!r}; known: {', '.join(sorted(formats))}"
        )
    return Importer(
        app,
        path,
        fmt,
        dry_run=dry_run,
        partial=partial,
        commit_every=commit_every,
        progress=progress,
        display_name=display_name,
        learners=learners,
        require_proof=require_proof,
        options=options,
        amend=amend,
        amended_by=amended_by,
    ).run()

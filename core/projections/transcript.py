"""The transcript view: clinicians, their licenses and credits, and requirement versions.

One row per credit with its current state (claimed units per authority, revoked and
why), one row per clinician and per license, one row per requirement with its
versions. A page of events is applied in memory first (rows touched by the page are
loaded once, changed, and written back with one ``executemany`` per table), so a
page costs a handful of statements whatever its size.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import singledispatchmethod
from typing import Any

import orjson

from credtrail.core.domain import (
    ClinicianLedger,
    CreditState,
    DomainEvent,
    LicenseState,
    RequirementHistory,
    RequirementVersionState,
)
from credtrail.core.models import trusted
from credtrail.core.projections.db import (
    CLINICIANS,
    CREDITS,
    LICENSES,
    REQUIREMENTS,
    Cursor,
    Writes,
    chunks,
)
from credtrail.core.projections.decode import LogEvent
from credtrail.core.transcript import Transcript, transcript_from_states

LICENSE_FIELDS = (
    "license_id",
    "requirement_id",
    "issued_on",
    "expires_on",
    "birth_date",
    "number",
    "ended_on",
    "end_reason",
    "attributes",
    "facts",
)
"""The licence table's columns after ``clinician_id``: ``LicenseState``'s fields (``facts``:
its renewals, exams, certifications and attestations as one JSON object)."""
LICENSE_COLUMNS = ", ".join(("clinician_id", *LICENSE_FIELDS))

_UPSERT_CREDIT = (
    f"INSERT INTO {CREDITS} (clinician_id, credit_id, data) VALUES (?, ?, ?) "
    "ON CONFLICT (clinician_id, credit_id) DO UPDATE SET data = excluded.data"
)
_UPSERT_LICENSE = (
    f"INSERT INTO {LICENSES} ({LICENSE_COLUMNS}) VALUES ({', '.join('?' * 11)}) "
    "ON CONFLICT (clinician_id, license_id) DO UPDATE SET ended_on = excluded.ended_on, "
    "end_reason = excluded.end_reason, expires_on = excluded.expires_on, "
    "facts = excluded.facts"
)
_UPSERT_CLINICIAN = (
    f"INSERT INTO {CLINICIANS} (clinician_id, stream, profession, name, npi) "
    "VALUES (?, ?, ?, ?, ?) ON CONFLICT (clinician_id) DO UPDATE SET "
    "profession = excluded.profession, name = excluded.name, npi = excluded.npi"
)
# Versions only ever grow (every writer holds a prefix of the same list, read from one
# log), so a longer list is a newer one: the row never goes back to fewer versions, even
# when partitions at different positions write it (core/projections/partition.py).
_UPSERT_REQUIREMENT = (
    f"INSERT INTO {REQUIREMENTS} (requirement_id, stream, authority, versions) "
    "VALUES (?, ?, ?, ?) ON CONFLICT (requirement_id) DO UPDATE SET "
    "versions = excluded.versions "
    f"WHERE length(excluded.versions) > length({REQUIREMENTS}.versions)"
)

_EARNED = ClinicianLedger.CreditEarned
_CREDIT_EVENTS = (
    ClinicianLedger.CreditClaimed,
    ClinicianLedger.CreditRevoked,
    ClinicianLedger.CreditAmended,
    ClinicianLedger.CertificateAttached,
    ClinicianLedger.CertificateDetached,
)
_LICENSE_CHANGES = (
    ClinicianLedger.LicenseEnded,
    ClinicianLedger.LicenseRenewed,
    ClinicianLedger.LicenseFactRecorded,
    ClinicianLedger.CertificationRenewed,
    ClinicianLedger.CertificationEnded,
)


# ------------------------------------------------------------- rows <-> domain states


def license_row(clinician_id: str, lic: LicenseState) -> tuple[Any, ...]:
    """A licence's state as its row (``LICENSE_COLUMNS``)."""
    return (
        clinician_id,
        lic.license_id,
        lic.requirement_id,
        lic.issued_on.isoformat(),
        _iso(lic.expires_on),
        _iso(lic.birth_date),
        lic.number,
        _iso(lic.ended_on),
        lic.end_reason,
        orjson.dumps(lic.attributes).decode(),
        orjson.dumps(
            {
                "renewals": lic.renewals,
                "exams": lic.exams,
                "certifications": lic.certifications,
                "attestations": lic.attestations,
                # A certification (credtrail certification) is a row of this table too.
                **(
                    {
                        "kind": lic.kind,
                        "certification": lic.certification,
                        "certifier": lic.certifier,
                    }
                    if lic.kind != "license"
                    else {}
                ),
            }
        ).decode(),
    )


def license_state(row: Any) -> LicenseState:
    """A licence row (``LICENSE_COLUMNS``) as the domain's state (trusted: the view wrote it)."""
    return trusted(
        LicenseState,
        {
            "license_id": row["license_id"],
            "requirement_id": row["requirement_id"],
            "issued_on": date.fromisoformat(row["issued_on"]),
            "expires_on": _day(row["expires_on"]),
            "birth_date": _day(row["birth_date"]),
            "number": row["number"],
            "ended_on": _day(row["ended_on"]),
            "end_reason": row["end_reason"],
            "attributes": orjson.loads(row["attributes"]),
            **_facts(row["facts"]),
        },
    )


def _facts(text: str) -> dict[str, Any]:
    facts = orjson.loads(text)
    return {
        "renewals": [tuple(date.fromisoformat(d) for d in r) for r in facts["renewals"]],
        "exams": [(name, date.fromisoformat(on)) for name, on in facts["exams"]],
        "certifications": [
            (name, date.fromisoformat(start), _day(end))
            for name, start, end in facts["certifications"]
        ],
        "attestations": [
            (part, date.fromisoformat(on), why) for part, on, why in facts["attestations"]
        ],
        "kind": facts.get("kind", "license"),
        "certification": facts.get("certification"),
        "certifier": facts.get("certifier"),
    }


def _iso(value: date | None) -> str | None:
    return None if value is None else value.isoformat()


def _day(value: str | None) -> date | None:
    return None if value is None else date.fromisoformat(value)


@dataclass
class _Requirement:
    stream: str
    authority: str
    versions: list[RequirementVersionState]


@dataclass
class _Page:
    """The rows a page touches, as domain states, until they are written back."""

    clinicians: list[tuple[Any, ...]] = field(default_factory=list)
    credits: dict[tuple[str, str], CreditState] = field(default_factory=dict)
    licenses: dict[tuple[str, str], LicenseState] = field(default_factory=dict)
    requirements: dict[str, _Requirement] = field(default_factory=dict)


class Streams:
    """Which clinician or requirement an event stream belongs to (cached; ids never move)."""

    def __init__(self) -> None:
        self.clinicians: dict[str, str] = {}
        self.requirements: dict[str, str] = {}

    def clear(self) -> None:
        self.clinicians.clear()
        self.requirements.clear()

    def resolve(self, cur: Cursor, events: Sequence[LogEvent]) -> None:
        """Learn the owner of every stream in ``events`` (from the page or the views)."""
        unknown_c: set[str] = set()
        unknown_r: set[str] = set()
        clinicians, requirements = self.clinicians, self.requirements
        for stream, event in ((e.stream, e.event) for e in events):
            if stream in clinicians or stream in requirements:
                continue  # the common case: a stream seen before
            if isinstance(event, ClinicianLedger.Created):
                clinicians[stream] = event.clinician_id
            elif isinstance(event, RequirementHistory.Created):
                requirements[stream] = event.requirement_id
            elif isinstance(event, RequirementHistory.RequirementChanged):
                unknown_r.add(stream)
            else:
                unknown_c.add(stream)
        for table, key, unknown, found in (
            (CLINICIANS, "clinician_id", unknown_c, self.clinicians),
            (REQUIREMENTS, "requirement_id", unknown_r, self.requirements),
        ):
            for part in chunks(sorted(unknown), 500):
                marks = ", ".join("?" * len(part))
                cur.execute(f"SELECT stream, {key} FROM {table} WHERE stream IN ({marks})", part)
                for row in cur.fetchall():
                    found[row["stream"]] = row[key]


class TranscriptView:
    """Maintains the clinicians, licenses, credits and requirements tables.

    A page is applied to the domain's own state objects (``CreditState``,
    ``LicenseState``, ``RequirementVersionState``) by the domain's own events, one
    handler per event class (``process_event``), as the aggregates apply them.
    """

    name = "transcript"
    tables: tuple[str, ...] = (CLINICIANS, LICENSES, CREDITS, REQUIREMENTS)
    fingerprint = "log-only"
    """The rows follow from the log alone: no plugin judges them."""

    def __init__(self, streams: Streams, *, name: str = "transcript") -> None:
        """``name``: of the tracking row (a partition's own, ``transcript@3/16``)."""
        self.name = name
        self.streams = streams
        self._page = _Page()
        self._stream = ""

    def reset(self) -> None:
        self.streams.clear()

    def prepare(self, cur: Cursor, events: Sequence[LogEvent]) -> Writes:
        page = self._page = _Page()
        self._load_missing(cur, events)
        process = self.process_event  # bound once: the dispatcher is looked up per event
        for e in events:
            self._stream = e.stream
            process(e.event)
        self._page = _Page()
        credits, licenses, requirements = page.credits, page.licenses, page.requirements
        return [
            (_UPSERT_CLINICIAN, page.clinicians),
            (_UPSERT_LICENSE, [license_row(cid, lic) for (cid, _), lic in licenses.items()]),
            (
                _UPSERT_REQUIREMENT,
                [
                    (rid, r.stream, r.authority, _versions_json(r.versions))
                    for rid, r in requirements.items()
                ],
            ),
            (
                _UPSERT_CREDIT,
                [(cid, key, c.to_json().decode()) for (cid, key), c in credits.items()],
            ),
        ]

    # -- one handler per event class ---------------------------------------------------

    @singledispatchmethod
    def process_event(self, event: DomainEvent) -> None:
        raise TypeError(f"the transcript view has no handler for {type(event).__name__}")

    @process_event.register
    def _clinician(self, event: ClinicianLedger.Created) -> None:
        self._page.clinicians.append(
            (event.clinician_id, self._stream, event.profession, event.name, event.npi)
        )

    @process_event.register
    def _earned(self, event: ClinicianLedger.CreditEarned) -> None:
        self._page.credits[self._clinician_id(), event.credit_id] = event.credit_state()

    @process_event.register
    def _claimed(self, event: ClinicianLedger.CreditClaimed) -> None:
        event.apply_to(self._page.credits[self._clinician_id(), event.credit_id])

    @process_event.register
    def _revoked(self, event: ClinicianLedger.CreditRevoked) -> None:
        event.apply_to(self._page.credits[self._clinician_id(), event.credit_id])

    @process_event.register
    def _amended(self, event: ClinicianLedger.CreditAmended) -> None:
        key = self._clinician_id(), event.credit_id
        self._page.credits[key] = event.amended(self._page.credits[key])

    @process_event.register
    def _attached(self, event: ClinicianLedger.CertificateAttached) -> None:
        event.apply_to(self._page.credits[self._clinician_id(), event.credit_id])

    @process_event.register
    def _detached(self, event: ClinicianLedger.CertificateDetached) -> None:
        event.apply_to(self._page.credits[self._clinician_id(), event.credit_id])

    @process_event.register
    def _licensed(self, event: ClinicianLedger.LicenseRegistered) -> None:
        self._page.licenses[self._clinician_id(), event.license_id] = event.license_state()

    @process_event.register
    def _ended(self, event: ClinicianLedger.LicenseEnded) -> None:
        event.apply_to(self._page.licenses[self._clinician_id(), event.license_id])

    @process_event.register
    def _renewed(self, event: ClinicianLedger.LicenseRenewed) -> None:
        event.apply_to(self._page.licenses[self._clinician_id(), event.license_id])

    @process_event.register
    def _fact(self, event: ClinicianLedger.LicenseFactRecorded) -> None:
        event.apply_to(self._page.licenses[self._clinician_id(), event.license_id])

    @process_event.register
    def _certified(self, event: ClinicianLedger.CertificationRecorded) -> None:
        self._page.licenses[self._clinician_id(), event.certification_id] = event.license_state()

    @process_event.register
    def _certification_changed(
        self, event: ClinicianLedger.CertificationRenewed | ClinicianLedger.CertificationEnded
    ) -> None:
        event.apply_to(self._page.licenses[self._clinician_id(), event.certification_id])

    @process_event.register
    def _defined(self, event: RequirementHistory.Created) -> None:
        self._page.requirements[event.requirement_id] = _Requirement(
            self._stream, event.authority, []
        )

    @process_event.register
    def _changed(self, event: RequirementHistory.RequirementChanged) -> None:
        rid = self.streams.requirements[self._stream]
        versions = self._page.requirements[rid].versions
        state = event.version_state()
        # A partition ahead of this one may have stored this version already.
        if state not in versions:
            versions.append(state)

    def _clinician_id(self) -> str:
        return self.streams.clinicians[self._stream]

    # -- rows the page changes but did not create ------------------------------------

    def _load_missing(self, cur: Cursor, events: Sequence[LogEvent]) -> None:
        """Load, as domain states, the rows that events of this page change but did not create."""
        self.streams.resolve(cur, events)
        clinicians = self.streams.clinicians
        page = self._page
        created: set[tuple[str, str]] = set()
        want_credits: dict[str, set[str]] = {}
        want_licenses: set[tuple[str, str]] = set()
        created_reqs: set[str] = set()
        want_reqs: set[str] = set()
        for stream, event in ((e.stream, e.event) for e in events):
            kind = type(event)
            if kind is _EARNED:
                created.add((clinicians[stream], event.credit_id))  # type: ignore[attr-defined]
            elif kind in _CREDIT_EVENTS:
                key = (clinicians[stream], event.credit_id)  # type: ignore[attr-defined]
                if key not in created:
                    want_credits.setdefault(key[0], set()).add(key[1])
            elif kind is ClinicianLedger.LicenseRegistered:
                created.add((clinicians[stream], event.license_id))  # type: ignore[attr-defined]
            elif kind is ClinicianLedger.CertificationRecorded:
                created.add((clinicians[stream], event.certification_id))  # type: ignore[attr-defined]
            elif kind in _LICENSE_CHANGES:
                lid = getattr(event, "license_id", None) or getattr(event, "certification_id")  # noqa: B009
                key = (clinicians[stream], lid)
                if key not in created:
                    want_licenses.add(key)
            elif kind is RequirementHistory.Created:
                created_reqs.add(event.requirement_id)  # type: ignore[attr-defined]
            elif kind is RequirementHistory.RequirementChanged:
                rid = self.streams.requirements[stream]
                if rid not in created_reqs:
                    want_reqs.add(rid)
        for cid, ids in want_credits.items():
            for part in chunks(sorted(ids), 500):
                marks = ", ".join("?" * len(part))
                cur.execute(
                    f"SELECT credit_id, data FROM {CREDITS} "
                    f"WHERE clinician_id = ? AND credit_id IN ({marks})",
                    [cid, *part],
                )
                for row in cur.fetchall():
                    page.credits[cid, row["credit_id"]] = CreditState.from_json(row["data"])
        for cid, lid in sorted(want_licenses):
            cur.execute(
                f"SELECT {LICENSE_COLUMNS} FROM {LICENSES} "
                "WHERE clinician_id = ? AND license_id = ?",
                [cid, lid],
            )
            page.licenses[cid, lid] = license_state(cur.fetchone())
        for rid in sorted(want_reqs):
            cur.execute(
                f"SELECT stream, authority, versions FROM {REQUIREMENTS} WHERE requirement_id = ?",
                [rid],
            )
            row = cur.fetchone()
            page.requirements[rid] = _Requirement(
                row["stream"], row["authority"], read_versions_json(row["versions"])
            )


def _versions_json(versions: list[RequirementVersionState]) -> str:
    return orjson.dumps([v.model_dump(mode="json") for v in versions]).decode()


def read_versions_json(text: str) -> list[RequirementVersionState]:
    """A requirement row's versions as the domain's states."""
    return [RequirementVersionState.model_validate(v) for v in orjson.loads(text)]


# ---------------------------------------------------------------------------- reads


def read_transcript(cur: Cursor, clinician_id: str) -> Transcript | None:
    """The transcript of one clinician from the view (None if the view does not know them)."""
    cur.execute(
        f"SELECT clinician_id, profession, name FROM {CLINICIANS} WHERE clinician_id = ?",
        [clinician_id],
    )
    who = cur.fetchone()
    if who is None:
        return None
    cur.execute(f"SELECT data FROM {CREDITS} WHERE clinician_id = ?", [clinician_id])
    rows = [r["data"] for r in cur.fetchall()]
    return transcript_from_rows(who["clinician_id"], who["name"], who["profession"], rows)


def read_npi_holders(cur: Cursor, npi: str | None = None) -> dict[str, str]:
    """NPI -> the clinician the view records with it (``npi``: that one only); the first
    by id, should two clinicians recorded before NPIs were unique have one."""
    where, params = ("WHERE npi = ?", [npi]) if npi is not None else ("WHERE npi IS NOT NULL", [])
    cur.execute(f"SELECT npi, clinician_id FROM {CLINICIANS} {where} ORDER BY clinician_id", params)
    holders: dict[str, str] = {}
    for row in cur.fetchall():
        holders.setdefault(str(row["npi"]), str(row["clinician_id"]))
    return holders


def transcript_from_rows(
    clinician_id: str, name: str | None, profession: str, rows: Iterable[str | bytes]
) -> Transcript:
    """The transcript from credit rows: the domain's states, ordered as ``transcript_of``."""
    return transcript_from_states(
        clinician_id, name, profession, [CreditState.from_json(r) for r in rows]
    )

"""The transcript view: clinicians, their licenses and credits, and requirement versions.

One row per credit with its current state (claimed units per authority, revoked and
why), one row per clinician and per license, one row per requirement with its
versions. A page of events is applied in memory first (rows touched by the page are
loaded once, changed, and written back with one ``executemany`` per table), so a
page costs a handful of statements whatever its size.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import orjson

from credtrail.core.projections import decode as ev
from credtrail.core.projections.db import (
    CLINICIANS,
    CREDITS,
    LICENSES,
    REQUIREMENTS,
    Cursor,
    chunks,
)
from credtrail.core.projections.decode import LogEvent
from credtrail.core.transcript import Transcript, TranscriptCredit

CREDIT_COLUMNS = (
    "clinician_id, credit_id, credit_type, units, completed_on, recorded_at, provider, "
    "accreditor, activity_id, title, topics, format, designated_units, evidence, "
    "natural_key, revoked, revoked_reason, revoked_on, claims, claim_dates"
)
LICENSE_COLUMNS = (
    "clinician_id, license_id, requirement_id, issued_on, expires_on, birth_date, number, "
    "ended_on, end_reason"
)
_CLAIMS, _CLAIM_DATES, _REVOKED = 18, 19, 15

_UPSERT_CREDIT = (
    f"INSERT INTO {CREDITS} ({CREDIT_COLUMNS}) VALUES ({', '.join('?' * 20)}) "
    "ON CONFLICT (clinician_id, credit_id) DO UPDATE SET revoked = excluded.revoked, "
    "revoked_reason = excluded.revoked_reason, revoked_on = excluded.revoked_on, "
    "claims = excluded.claims, claim_dates = excluded.claim_dates"
)
_UPSERT_LICENSE = (
    f"INSERT INTO {LICENSES} ({LICENSE_COLUMNS}) VALUES ({', '.join('?' * 9)}) "
    "ON CONFLICT (clinician_id, license_id) DO UPDATE SET ended_on = excluded.ended_on, "
    "end_reason = excluded.end_reason"
)
_UPSERT_CLINICIAN = (
    f"INSERT INTO {CLINICIANS} (clinician_id, stream, profession, name, npi) "
    "VALUES (?, ?, ?, ?, ?) ON CONFLICT (clinician_id) DO UPDATE SET "
    "profession = excluded.profession, name = excluded.name, npi = excluded.npi"
)
_UPSERT_REQUIREMENT = (
    f"INSERT INTO {REQUIREMENTS} (requirement_id, stream, authority, versions) "
    "VALUES (?, ?, ?, ?) ON CONFLICT (requirement_id) DO UPDATE SET "
    "versions = excluded.versions"
)


def _json(value: Any) -> str:
    return orjson.dumps(value).decode()


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
        for e in events:
            if e.topic == ev.CLINICIAN_REGISTERED:
                self.clinicians[e.stream] = e.state["clinician_id"]
            elif e.topic == ev.REQUIREMENT_DEFINED:
                self.requirements[e.stream] = e.state["requirement_id"]
            elif e.topic in ev.CLINICIAN_TOPICS:
                if e.stream not in self.clinicians:
                    unknown_c.add(e.stream)
            elif e.topic == ev.REQUIREMENT_CHANGED and e.stream not in self.requirements:
                unknown_r.add(e.stream)
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
    """Maintains the clinicians, licenses, credits and requirements tables."""

    name = "transcript"
    tables = (CLINICIANS, LICENSES, CREDITS, REQUIREMENTS)

    def __init__(self, streams: Streams) -> None:
        self.streams = streams

    def reset(self) -> None:
        self.streams.clear()

    def apply(self, cur: Cursor, events: Sequence[LogEvent]) -> None:
        clinicians = self.streams.clinicians
        credits: dict[tuple[str, str], list[Any]] = {}
        licenses: dict[tuple[str, str], list[Any]] = {}
        requirements: dict[str, list[Any]] = {}
        new_clinicians: list[tuple[Any, ...]] = []
        self._load_missing(cur, events, credits, licenses, requirements)
        for e in events:
            s, topic = e.state, e.topic
            if topic == ev.CREDIT_EARNED:
                cid = clinicians[e.stream]
                credits[cid, s["credit_id"]] = [
                    cid,
                    s["credit_id"],
                    s["credit_type"],
                    s["units"],
                    s["completed_on"],
                    s["timestamp"],
                    s["provider"],
                    s.get("accreditor"),
                    s["activity_id"],
                    s.get("title"),
                    s.get("topics") or [],
                    s.get("format"),
                    s.get("designated_units"),
                    s.get("evidence"),
                    s["natural_key"],
                    0,
                    None,
                    None,
                    {},
                    {},
                ]
            elif topic == ev.CREDIT_CLAIMED:
                row = credits[clinicians[e.stream], s["credit_id"]]
                claims, authority = row[_CLAIMS], s["authority"]
                claims[authority] = str(Decimal(claims.get(authority, "0")) + Decimal(s["units"]))
                row[_CLAIM_DATES].setdefault(authority, s["claimed_on"])
            elif topic == ev.CREDIT_REVOKED:
                row = credits[clinicians[e.stream], s["credit_id"]]
                row[_REVOKED : _REVOKED + 3] = [1, s["reason"], s["revoked_on"]]
            elif topic == ev.CLINICIAN_REGISTERED:
                new_clinicians.append(
                    (s["clinician_id"], e.stream, s["profession"], s.get("name"), s.get("npi"))
                )
            elif topic == ev.LICENSE_REGISTERED:
                cid = clinicians[e.stream]
                licenses[cid, s["license_id"]] = [
                    cid,
                    s["license_id"],
                    s["requirement_id"],
                    s["issued_on"],
                    s.get("expires_on"),
                    s.get("birth_date"),
                    s.get("number"),
                    None,
                    None,
                ]
            elif topic == ev.LICENSE_ENDED:
                lic = licenses[clinicians[e.stream], s["license_id"]]
                lic[7:9] = [s["ended_on"], s.get("reason")]
            elif topic == ev.REQUIREMENT_DEFINED:
                requirements[s["requirement_id"]] = [
                    s["requirement_id"],
                    e.stream,
                    s["authority"],
                    [],
                ]
            elif topic == ev.REQUIREMENT_CHANGED:
                req = requirements[self.streams.requirements[e.stream]]
                req[3].append(
                    {
                        "version": s["version"],
                        "effective_from": s["effective_from"],
                        "document": s["document"],
                        "source": s["source"],
                        "recorded_at": s["timestamp"],
                    }
                )
        cur.executemany(_UPSERT_CLINICIAN, new_clinicians)
        cur.executemany(_UPSERT_LICENSE, list(licenses.values()))
        cur.executemany(_UPSERT_REQUIREMENT, [(*r[:3], _json(r[3])) for r in requirements.values()])
        cur.executemany(_UPSERT_CREDIT, [_credit_params(r) for r in credits.values()])

    def _load_missing(
        self,
        cur: Cursor,
        events: Sequence[LogEvent],
        credits: dict[tuple[str, str], list[Any]],
        licenses: dict[tuple[str, str], list[Any]],
        requirements: dict[str, list[Any]],
    ) -> None:
        """Load the rows that events of this page change but did not create."""
        self.streams.resolve(cur, events)
        clinicians = self.streams.clinicians
        created_credits: set[tuple[str, str]] = set()
        created_licenses: set[tuple[str, str]] = set()
        created_reqs: set[str] = set()
        want_credits: dict[str, set[str]] = {}
        want_licenses: dict[str, set[str]] = {}
        want_reqs: set[str] = set()
        for e in events:
            topic = e.topic
            if topic == ev.CREDIT_EARNED:
                created_credits.add((clinicians[e.stream], e.state["credit_id"]))
            elif topic in (ev.CREDIT_CLAIMED, ev.CREDIT_REVOKED):
                key = (clinicians[e.stream], e.state["credit_id"])
                if key not in created_credits:
                    want_credits.setdefault(key[0], set()).add(key[1])
            elif topic == ev.LICENSE_REGISTERED:
                created_licenses.add((clinicians[e.stream], e.state["license_id"]))
            elif topic == ev.LICENSE_ENDED:
                key = (clinicians[e.stream], e.state["license_id"])
                if key not in created_licenses:
                    want_licenses.setdefault(key[0], set()).add(key[1])
            elif topic == ev.REQUIREMENT_DEFINED:
                created_reqs.add(e.state["requirement_id"])
            elif topic == ev.REQUIREMENT_CHANGED:
                rid = self.streams.requirements[e.stream]
                if rid not in created_reqs:
                    want_reqs.add(rid)
        for cid, ids in want_credits.items():
            for part in chunks(sorted(ids), 500):
                marks = ", ".join("?" * len(part))
                cur.execute(
                    f"SELECT {CREDIT_COLUMNS} FROM {CREDITS} "
                    f"WHERE clinician_id = ? AND credit_id IN ({marks})",
                    [cid, *part],
                )
                for row in cur.fetchall():
                    credits[cid, row["credit_id"]] = _credit_from_row(row)
        for cid, ids in want_licenses.items():
            for lid in ids:
                cur.execute(
                    f"SELECT {LICENSE_COLUMNS} FROM {LICENSES} "
                    "WHERE clinician_id = ? AND license_id = ?",
                    [cid, lid],
                )
                row = cur.fetchone()
                licenses[cid, lid] = [row[c.strip()] for c in LICENSE_COLUMNS.split(",")]
        for rid in want_reqs:
            cur.execute(
                f"SELECT requirement_id, stream, authority, versions FROM {REQUIREMENTS} "
                "WHERE requirement_id = ?",
                [rid],
            )
            row = cur.fetchone()
            requirements[rid] = [
                rid,
                row["stream"],
                row["authority"],
                orjson.loads(row["versions"]),
            ]


_CREDIT_NAMES = tuple(c.strip() for c in CREDIT_COLUMNS.split(","))
_JSON_COLUMNS = frozenset({10, 13, 18, 19})


def _credit_params(row: list[Any]) -> tuple[Any, ...]:
    out = list(row)
    for i in _JSON_COLUMNS:
        out[i] = None if out[i] is None else _json(out[i])
    return tuple(out)


def _credit_from_row(row: Any) -> list[Any]:
    out = [row[name] for name in _CREDIT_NAMES]
    for i in _JSON_COLUMNS:
        out[i] = None if out[i] is None else orjson.loads(out[i])
    return out


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
    cur.execute(f"SELECT {CREDIT_COLUMNS} FROM {CREDITS} WHERE clinician_id = ?", [clinician_id])
    rows = [_credit_from_row(r) for r in cur.fetchall()]
    return transcript_from_rows(who["clinician_id"], who["name"], who["profession"], rows)


def transcript_from_rows(
    clinician_id: str, name: str | None, profession: str, rows: Iterable[list[Any]]
) -> Transcript:
    """Same order and totals as ``transcript_of``: completion date, recording time, id."""
    ordered = sorted(
        rows, key=lambda r: (date.fromisoformat(r[4]), datetime.fromisoformat(r[5]), r[1])
    )
    totals: dict[str, Decimal] = {}
    credits = []
    for r in ordered:
        units = Decimal(r[3])
        if not r[_REVOKED]:
            totals[r[2]] = totals.get(r[2], Decimal(0)) + units
        credits.append(
            TranscriptCredit(
                credit_id=r[1],
                type=r[2],
                units=units,
                date=date.fromisoformat(r[4]),
                accreditor=r[7],
                provider=r[6],
                activity=r[8],
                title=r[9],
                topics=list(r[10]),
                format=r[11],
                revoked=bool(r[_REVOKED]),
                revoked_reason=r[16],
                claimed={k: Decimal(v) for k, v in r[_CLAIMS].items()},
            )
        )
    return Transcript(
        clinician=clinician_id, name=name, profession=profession, credits=credits, totals=totals
    )

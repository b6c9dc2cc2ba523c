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
    Writes,
    chunks,
)
from credtrail.core.projections.decode import LogEvent
from credtrail.core.transcript import Transcript, TranscriptCredit

LICENSE_COLUMNS = (
    "clinician_id, license_id, requirement_id, issued_on, expires_on, birth_date, number, "
    "ended_on, end_reason, attributes"
)

_UPSERT_CREDIT = (
    f"INSERT INTO {CREDITS} (clinician_id, credit_id, data) VALUES (?, ?, ?) "
    "ON CONFLICT (clinician_id, credit_id) DO UPDATE SET data = excluded.data"
)
_UPSERT_LICENSE = (
    f"INSERT INTO {LICENSES} ({LICENSE_COLUMNS}) VALUES ({', '.join('?' * 10)}) "
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
    tables: tuple[str, ...] = (CLINICIANS, LICENSES, CREDITS, REQUIREMENTS)
    fingerprint = "log-only"
    """The rows follow from the log alone: no plugin judges them."""

    def __init__(self, streams: Streams) -> None:
        self.streams = streams

    def reset(self) -> None:
        self.streams.clear()

    def prepare(self, cur: Cursor, events: Sequence[LogEvent]) -> Writes:
        clinicians = self.streams.clinicians
        credits: dict[tuple[str, str], dict[str, Any]] = {}
        licenses: dict[tuple[str, str], list[Any]] = {}
        requirements: dict[str, list[Any]] = {}
        new_clinicians: list[tuple[Any, ...]] = []
        self._load_missing(cur, events, credits, licenses, requirements)
        for e in events:
            s, topic = e.state, e.topic
            if topic == ev.CREDIT_EARNED:
                # The decoded state is ours alone: reshape it in place into the row.
                del s["originator_id"], s["originator_version"]
                s["recorded_at"] = s.pop("timestamp")
                s["revoked"] = False
                s["revoked_reason"] = s["revoked_on"] = None
                s["claims"] = {}
                s["claim_dates"] = {}
                s["claim_log"] = []
                credits[clinicians[e.stream], s["credit_id"]] = s
            elif topic == ev.CREDIT_CLAIMED:
                row = credits[clinicians[e.stream], s["credit_id"]]
                claims, authority = row["claims"], s["authority"]
                claims[authority] = str(Decimal(claims.get(authority, "0")) + Decimal(s["units"]))
                row["claim_dates"].setdefault(authority, s["claimed_on"])
                # Every claim keeps its date (a late partial claim must not count).
                row.setdefault("claim_log", []).append([authority, s["units"], s["claimed_on"]])
            elif topic == ev.CREDIT_REVOKED:
                row = credits[clinicians[e.stream], s["credit_id"]]
                row["revoked"] = True
                row["revoked_reason"] = s["reason"]
                row["revoked_on"] = s["revoked_on"]
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
                    _json(s.get("attributes") or {}),
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
        dumps = orjson.dumps
        return [
            (_UPSERT_CLINICIAN, new_clinicians),
            (_UPSERT_LICENSE, list(licenses.values())),
            (_UPSERT_REQUIREMENT, [(*r[:3], _json(r[3])) for r in requirements.values()]),
            (_UPSERT_CREDIT, [(k[0], k[1], dumps(r).decode()) for k, r in credits.items()]),
        ]

    def _load_missing(
        self,
        cur: Cursor,
        events: Sequence[LogEvent],
        credits: dict[tuple[str, str], dict[str, Any]],
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
                    f"SELECT credit_id, data FROM {CREDITS} "
                    f"WHERE clinician_id = ? AND credit_id IN ({marks})",
                    [cid, *part],
                )
                for row in cur.fetchall():
                    credits[cid, row["credit_id"]] = orjson.loads(row["data"])
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
    rows = [orjson.loads(r["data"]) for r in cur.fetchall()]
    return transcript_from_rows(who["clinician_id"], who["name"], who["profession"], rows)


def transcript_from_rows(
    clinician_id: str, name: str | None, profession: str, rows: Iterable[dict[str, Any]]
) -> Transcript:
    """Same order and totals as ``transcript_of``: completion date, recording time, id."""
    ordered = sorted(
        rows,
        key=lambda r: (
            date.fromisoformat(r["completed_on"]),
            datetime.fromisoformat(r["recorded_at"]),
            r["credit_id"],
        ),
    )
    totals: dict[str, Decimal] = {}
    credits = []
    for r in ordered:
        units = Decimal(r["units"])
        if not r["revoked"]:
            totals[r["credit_type"]] = totals.get(r["credit_type"], Decimal(0)) + units
        credits.append(
            TranscriptCredit(
                credit_id=r["credit_id"],
                type=r["credit_type"],
                units=units,
                date=date.fromisoformat(r["completed_on"]),
                accreditor=r.get("accreditor"),
                provider=r["provider"],
                activity=r["activity_id"],
                title=r.get("title"),
                topics=list(r.get("topics") or ()),
                format=r.get("format"),
                revoked=bool(r["revoked"]),
                revoked_reason=r["revoked_reason"],
                claimed={k: Decimal(v) for k, v in r["claims"].items()},
            )
        )
    return Transcript(
        clinician=clinician_id, name=name, profession=profession, credits=credits, totals=totals
    )

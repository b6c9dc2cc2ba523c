"""What is due by when: each renewal and each one-time part still to do, per licence.

Every date here is one the rule engine computed, read back from its verdict: a
renewal is due at the end of the cycle the engine judged (``Evaluation.cycle_end``),
a one-time part by the deadline it derived from the licence's history
(``PartResult.due_by``). The verdicts come from the compliance view
(``Views.compliance(..., on=day)``: the materialised row of the cycle containing the
day, or a direct judgement where no row covers it), so no date is computed twice.

A rolling window that ends on the day it is judged (the AMA award, Oklahoma's
physicians) has no renewal date and gives no renewal deadline.

Each deadline has a stable UID built from the clinician, requirement, cycle and part,
so an iCalendar feed exported again updates its events instead of duplicating them.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any, Literal

from credtrail.core.errors import UnknownClinicianError
from credtrail.core.projections import Views
from credtrail.core.projections.compliance import ComplianceRow
from credtrail.core.projections.compliance_read import load_documents
from credtrail.core.projections.db import CLINICIANS, LICENSES, Cursor
from credtrail.core.projections.runner import collector_paused
from credtrail.core.transcript import format_units

Kind = Literal["renewal", "one-time"]
REMINDER_DAYS = (90, 30, 7)
"""Days before a deadline that the iCalendar feed reminds."""
UID_DOMAIN = "credtrail"


@dataclass(frozen=True)
class Shortfall:
    """Units still missing toward one part (or the total)."""

    part: str
    label: str
    units: Decimal

    def to_json(self) -> dict[str, str]:
        return {"part": self.part, "label": self.label, "units": format_units(self.units)}


@dataclass(frozen=True)
class Deadline:
    """One date something is due: a renewal (the cycle's end) or a one-time part."""

    clinician_id: str
    requirement_id: str
    authority: str
    license_id: str
    license_number: str | None
    kind: Kind
    part: str | None
    """The one-time part's id (None for a renewal)."""
    label: str
    cycle_start: date
    cycle_end: date
    due_on: date
    days_left: int
    status: str
    """The requirement's status (renewal) or the part's (``missing``, ``not-due``, ``overdue``)."""
    missing: tuple[Shortfall, ...]
    grace_until: date | None = None

    @property
    def uid(self) -> str:
        """Stable across exports: clinician, requirement, cycle and part.

        A one-time part is due once per licence whatever the cycle it is read in, so
        its "cycle" is its deadline: reading it in the next cycle keeps the UID.
        """
        cycle = self.cycle_start.isoformat() if self.kind == "renewal" else self.due_on.isoformat()
        key = "\x1f".join((self.clinician_id, self.requirement_id, cycle, self.part or "renewal"))
        return f"{hashlib.sha256(key.encode()).hexdigest()[:32]}@{UID_DOMAIN}"

    def to_json(self) -> dict[str, Any]:
        """The ``--json`` shape (snake_case keys, dates ISO, units as decimal strings)."""
        return {
            "clinician_id": self.clinician_id,
            "requirement_id": self.requirement_id,
            "authority": self.authority,
            "license_id": self.license_id,
            "license_number": self.license_number,
            "kind": self.kind,
            "part": self.part,
            "label": self.label,
            "cycle_start": self.cycle_start.isoformat(),
            "cycle_end": self.cycle_end.isoformat(),
            "due_on": self.due_on.isoformat(),
            "days_left": self.days_left,
            "status": self.status,
            "grace_until": self.grace_until.isoformat() if self.grace_until else None,
            "missing": [m.to_json() for m in self.missing],
            "uid": self.uid,
        }


def deadlines_of(
    row: ComplianceRow, on: date, *, number: str | None = None, fixed_cycle: bool = True
) -> list[Deadline]:
    """The deadlines one verdict gives (the engine's row for the cycle containing ``on``).

    ``fixed_cycle`` False: the cycle is a rolling window ending on the day judged, so
    it has no renewal date (only one-time parts are listed).
    """
    data = row.explanation
    if row.status == "error" or "parts" not in data:
        return []
    parts: list[dict[str, Any]] = data["parts"]
    labels = {p["part"]: p["label"] for p in parts}
    grace = data.get("grace_until")
    common: dict[str, Any] = {
        "clinician_id": row.clinician_id,
        "requirement_id": row.requirement_id,
        "authority": str(data.get("authority", "")),
        "license_id": row.license_id,
        "license_number": number,
        "cycle_start": row.cycle_start,
        "cycle_end": row.cycle_end,
    }
    out: list[Deadline] = []
    if fixed_cycle:
        out.append(
            Deadline(
                **common,
                kind="renewal",
                part=None,
                label=str(data.get("requirement", row.requirement_id)),
                due_on=row.cycle_end,
                days_left=(row.cycle_end - on).days,
                status=row.status,
                missing=tuple(Shortfall(p, labels.get(p, p), u) for p, u in row.missing),
                grace_until=date.fromisoformat(grace) if grace else None,
            )
        )
    for p in parts:
        due_by = p.get("due_by")
        if due_by is None or p["status"] not in ("missing", "not-due", "overdue"):
            continue
        short = max(Decimal(p["required"]) - Decimal(p["counted"]), Decimal(0))
        if p["status"] == "overdue":
            short = Decimal(p["missing"])
        if short <= 0:
            continue  # done early (not due yet, but already counted in full)
        due = date.fromisoformat(due_by)
        out.append(
            Deadline(
                **common,
                kind="one-time",
                part=p["part"],
                label=p["label"],
                due_on=due,
                days_left=(due - on).days,
                status=p["status"],
                missing=(Shortfall(p["part"], p["label"], short),),
            )
        )
    return out


@dataclass(frozen=True)
class Unjudged:
    """A licence the engine refused to judge (its deadlines are unknown), and why."""

    clinician_id: str
    requirement_id: str
    license_id: str
    error: str

    def to_json(self) -> dict[str, str]:
        return {
            "clinician_id": self.clinician_id,
            "requirement_id": self.requirement_id,
            "license_id": self.license_id,
            "error": self.error,
        }


@dataclass(frozen=True)
class Deadlines:
    """The deadlines found, by due date, and the licences that could not be judged."""

    items: list[Deadline]
    unjudged: list[Unjudged]


def deadlines(
    views: Views,
    clinician_ids: Sequence[str] | None,
    on: date,
    *,
    within: timedelta | None = None,
) -> Deadlines:
    """Every deadline of the clinicians (None: every clinician), by due date.

    ``within``: only those due by ``on + within`` (overdue ones are always listed).
    Raises ``UnknownClinicianError`` for a clinician the store does not know.
    """
    # Both readers catch the views up first, and judge directly (the one judging
    # function) where the compliance view is stale or has no row for the day.
    if clinician_ids is None:
        standing = views.compliance_on(on)
    else:
        standing = {cid: views.standings(cid, on).rows for cid in clinician_ids}
    # After the reads (a catch-up may fork workers): tens of thousands of deadlines, none
    # in a reference cycle, made with the collector paused (as the roster's read).
    with collector_paused():
        return _deadlines(views, standing, clinician_ids, on, within)


def _deadlines(
    views: Views,
    standing: Mapping[str, Sequence[ComplianceRow]],
    clinician_ids: Sequence[str] | None,
    on: date,
    within: timedelta | None,
) -> Deadlines:
    with views.runner.db.transaction(commit=False) as cur:
        numbers = _licence_numbers(cur, clinician_ids)
    cycles: dict[str, dict[str, bool]] = {}
    out: list[Deadline] = []
    unjudged: list[Unjudged] = []
    for cid, rows in standing.items():
        for row in rows:
            if row.status == "error":
                error = str(row.explanation.get("error", ""))
                unjudged.append(Unjudged(cid, row.requirement_id, row.license_id, error))
                continue
            if row.requirement_id not in cycles:
                cycles[row.requirement_id] = _fixed_cycles(views, row.requirement_id)
            version = str(row.explanation.get("version", ""))
            out.extend(
                deadlines_of(
                    row,
                    on,
                    number=numbers.get((cid, row.license_id)),
                    fixed_cycle=cycles[row.requirement_id].get(version, True),
                )
            )
    if within is not None:
        out = [d for d in out if d.due_on <= on + within]
    out.sort(key=lambda d: (d.due_on, d.clinician_id, d.requirement_id, d.part or ""))
    return Deadlines(out, unjudged)


def _licence_numbers(cur: Cursor, ids: Iterable[str] | None) -> dict[tuple[str, str], str]:
    """(clinician, licence id) -> the licence number the clinician recorded."""
    if ids is None:
        cur.execute(f"SELECT clinician_id, license_id, number FROM {LICENSES}")
        rows = cur.fetchall()
    else:
        rows = []
        for cid in ids:
            cur.execute(
                f"SELECT clinician_id, license_id, number FROM {LICENSES} WHERE clinician_id = ?",
                [cid],
            )
            found = cur.fetchall()
            if not found:
                cur.execute(f"SELECT 1 FROM {CLINICIANS} WHERE clinician_id = ?", [cid])
                if cur.fetchone() is None:
                    raise UnknownClinicianError(cid)
            rows.extend(found)
    return {(r["clinician_id"], r["license_id"]): r["number"] for r in rows if r["number"]}


def _fixed_cycles(views: Views, requirement_id: str) -> dict[str, bool]:
    """Per version of the requirement: False when its cycle is a rolling window ending
    on the day judged (no renewal date)."""
    with views.runner.db.transaction(commit=False) as cur:
        documents = load_documents(cur, requirement_id)
    return {str(d.get("version")): not _rolling_to_today(d.get("cycle", {})) for d in documents}


def _rolling_to_today(cycle: Mapping[str, Any]) -> bool:
    return cycle.get("kind") == "rolling" and cycle.get("ends", "evaluation-date") == (
        "evaluation-date"
    )


# ------------------------------------------------------------------------ iCalendar


def to_ical(items: Sequence[Deadline], stamp: datetime, authorities: Mapping[str, str]) -> bytes:
    """An RFC 5545 calendar: one all-day VEVENT per deadline, reminders 90/30/7 days ahead.

    ``stamp``: DTSTAMP of every event (when the feed was made, UTC): a calendar that
    imports the feed again replaces each event with the same UID by the newer one.
    ``authorities``: code -> the authority's name, for the summaries.
    """
    from icalendar import Alarm, Calendar, Event

    cal = Calendar()
    cal.add("prodid", "-//credtrail//deadlines//EN")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", "credtrail deadlines")
    for d in items:
        who = authorities.get(d.authority, d.authority)
        what = f"{d.requirement_id} renewal" if d.kind == "renewal" else d.label
        event = Event()
        event.add("uid", d.uid)
        event.add("dtstamp", stamp)
        event.add("dtstart", d.due_on)
        event.add("dtend", d.due_on + timedelta(days=1))
        event.add("summary", f"{d.clinician_id}: {what} due ({who})")
        event.add("description", describe(d, who))
        event.add("categories", ["credtrail", d.kind])
        event.add("transp", "TRANSPARENT")
        for days in REMINDER_DAYS:
            alarm = Alarm()
            alarm.add("action", "DISPLAY")
            alarm.add("description", f"{d.clinician_id}: {what} due in {days} days ({d.due_on})")
            alarm.add("trigger", timedelta(days=-days))
            event.add_component(alarm)
        cal.add_component(event)
    return bytes(cal.to_ical())


def describe(d: Deadline, authority: str) -> str:
    """A deadline in a sentence or two: what, for which licence, what is still missing."""
    number = f" (licence number {d.license_number})" if d.license_number else ""
    head = (
        f"Renewal of {d.requirement_id}{number} with {authority}: cycle {d.cycle_start} to "
        f"{d.cycle_end}, status {d.status.replace('_', ' ')}."
        if d.kind == "renewal"
        else f"One-time requirement of {d.requirement_id}{number} with {authority}: "
        f"{d.label}, due by {d.due_on}."
    )
    if not d.missing:
        return head + " Nothing is missing."
    missing = "; ".join(f"{format_units(m.units)} {m.label}" for m in d.missing)
    return f"{head} Missing: {missing}."

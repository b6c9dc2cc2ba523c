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

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

import orjson

from credtrail.core.domain import CreditState, LicenseState
from credtrail.core.errors import CredtrailError
from credtrail.core.projections import decode as ev
from credtrail.core.projections.db import (
    CLINICIANS,
    COMPLIANCE,
    CREDITS,
    LICENSES,
    REQUIREMENTS,
    Cursor,
    Writes,
    chunks,
)
from credtrail.core.projections.decode import LogEvent
from credtrail.core.projections.transcript import LICENSE_COLUMNS, Streams
from credtrail.core.registry import Registry

_ONE_DAY = timedelta(days=1)
_INSERT = (
    f"INSERT INTO {COMPLIANCE} (clinician_id, requirement_id, cycle_start, cycle_end, "
    "license_id, status, counted, required, missing, explanation) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)


@dataclass(frozen=True)
class ComplianceRow:
    """One clinician's standing for one cycle of one requirement."""

    clinician_id: str
    requirement_id: str
    license_id: str
    cycle_start: date
    cycle_end: date
    status: str
    counted: Decimal
    required: Decimal
    missing: tuple[tuple[str, Decimal], ...]
    explanation: dict[str, Any]

    def as_of(self, on: date) -> ComplianceRow:
        """The standing on ``on``: a cycle still open (grace included) is not yet failed."""
        grace = self.explanation.get("grace_until")
        closes = date.fromisoformat(grace) if grace else self.cycle_end
        if self.status == "deficient" and on <= closes:
            return replace(self, status="in_progress")
        return self


class ComplianceView:
    """Maintains the compliance table with the rule engine."""

    name = "compliance"
    tables: tuple[str, ...] = (COMPLIANCE,)

    def __init__(self, streams: Streams, registry: Registry) -> None:
        self.streams = streams
        self.registry = registry

    def reset(self) -> None:
        pass

    def prepare(self, cur: Cursor, events: Sequence[LogEvent]) -> Writes:
        self.streams.resolve(cur, events)
        # Per clinician, the credits the page touched (None: re-judge every cycle).
        touched: dict[str, set[str] | None] = {}
        changed_requirements: set[str] = set()
        for e in events:
            topic = e.topic
            if topic in _CREDIT_TOPICS:
                cid = self.streams.clinicians[e.stream]
                ids = touched.setdefault(cid, set())
                if ids is not None:
                    ids.add(e.state["credit_id"])
            elif topic in (ev.LICENSE_REGISTERED, ev.LICENSE_ENDED):
                touched[self.streams.clinicians[e.stream]] = None
            elif topic == ev.REQUIREMENT_CHANGED:
                changed_requirements.add(self.streams.requirements[e.stream])
        dirty: dict[tuple[str, str], set[str] | None] = {}
        for cid in sorted(touched):
            cur.execute(
                f"SELECT DISTINCT requirement_id FROM {LICENSES} WHERE clinician_id = ?", [cid]
            )
            for r in cur.fetchall():
                dirty[cid, r["requirement_id"]] = touched[cid]
        for part in chunks(sorted(changed_requirements), 500):
            marks = ", ".join("?" * len(part))
            cur.execute(
                f"SELECT DISTINCT clinician_id, requirement_id FROM {LICENSES} "
                f"WHERE requirement_id IN ({marks})",
                part,
            )
            for r in cur.fetchall():
                dirty[r["clinician_id"], r["requirement_id"]] = None
        return self.refresh(cur, dirty)

    def refresh(self, cur: Cursor, pairs: dict[tuple[str, str], set[str] | None]) -> Writes:
        """Re-judge each (clinician, requirement) pair from the transcript view's rows.

        A pair dirtied only by credit events keeps its rows for cycles that closed
        (grace included) before the earliest touched credit was completed: no credit
        reaches back into an earlier cycle, so those rows cannot change.
        """
        by_clinician: dict[str, dict[str, set[str] | None]] = {}
        for (cid, rid), ids in pairs.items():
            by_clinician.setdefault(cid, {})[rid] = ids
        documents: dict[str, list[dict[str, Any]]] = {}
        delete_all: list[tuple[str, str]] = []
        delete_from: list[tuple[str, str, str]] = []
        rows: list[tuple[Any, ...]] = []
        for cid in sorted(by_clinician):
            credits = load_credits(cur, cid)
            licenses = load_licenses(cur, cid)
            completed = {c.credit_id: c.completed_on for c in credits}
            cur.execute(
                f"SELECT requirement_id, MAX(cycle_start) AS last FROM {COMPLIANCE} "
                "WHERE clinician_id = ? GROUP BY requirement_id",
                [cid],
            )
            last = {r["requirement_id"]: date.fromisoformat(r["last"]) for r in cur.fetchall()}
            for rid, ids in sorted(by_clinician[cid].items()):
                if rid not in documents:
                    documents[rid] = load_documents(cur, rid)
                since = min((completed[i] for i in ids), default=None) if ids else None
                if rid not in last:
                    since = None
                judged, cut = judge_pair(
                    cid, rid, documents[rid], credits, licenses, self.registry, since, last.get(rid)
                )
                if cut is None:
                    delete_all.append((cid, rid))
                else:
                    delete_from.append((cid, rid, cut.isoformat()))
                rows.extend(_params(row) for row in judged)
        return [
            (f"DELETE FROM {COMPLIANCE} WHERE clinician_id = ? AND requirement_id = ?", delete_all),
            (
                f"DELETE FROM {COMPLIANCE} "
                "WHERE clinician_id = ? AND requirement_id = ? AND cycle_start >= ?",
                delete_from,
            ),
            (_INSERT, rows),
        ]


_CREDIT_TOPICS = frozenset({ev.CREDIT_EARNED, ev.CREDIT_CLAIMED, ev.CREDIT_REVOKED})


# ------------------------------------------------------------------ reading the view


def load_credits(cur: Cursor, clinician_id: str) -> list[CreditState]:
    """The clinician's credits as the engine takes them (trusted rows: no re-validation)."""
    cur.execute(f"SELECT data FROM {CREDITS} WHERE clinician_id = ?", [clinician_id])
    return [credit_state(orjson.loads(r["data"])) for r in cur.fetchall()]


def credit_state(d: dict[str, Any]) -> CreditState:
    designated = d.get("designated_units")
    revoked_on = d.get("revoked_on")
    return CreditState.model_construct(
        credit_id=d["credit_id"],
        credit_type=d["credit_type"],
        units=Decimal(d["units"]),
        completed_on=date.fromisoformat(d["completed_on"]),
        provider=d["provider"],
        accreditor=d.get("accreditor"),
        activity_id=d["activity_id"],
        title=d.get("title"),
        topics=tuple(d.get("topics") or ()),
        format=d.get("format"),
        designated_units=None if designated is None else Decimal(designated),
        evidence=d.get("evidence"),
        natural_key=d["natural_key"],
        recorded_at=datetime.fromisoformat(d["recorded_at"]),
        revoked=bool(d["revoked"]),
        revoked_reason=d.get("revoked_reason"),
        revoked_on=None if revoked_on is None else date.fromisoformat(revoked_on),
        claims={k: Decimal(v) for k, v in d["claims"].items()},
        claim_dates={k: date.fromisoformat(v) for k, v in d["claim_dates"].items()},
        # Every field is given: pydantic's model_construct inspects the signature of a
        # missing field's default_factory, which cost 40% of a compliance rebuild.
        claim_log=[
            (who, Decimal(units), date.fromisoformat(on))
            for who, units, on in d.get("claim_log", ())
        ],
    )


def load_licenses(cur: Cursor, clinician_id: str) -> list[LicenseState]:
    cur.execute(f"SELECT {LICENSE_COLUMNS} FROM {LICENSES} WHERE clinician_id = ?", [clinician_id])
    out = []
    for r in cur.fetchall():
        out.append(
            LicenseState.model_construct(
                license_id=r["license_id"],
                requirement_id=r["requirement_id"],
                issued_on=date.fromisoformat(r["issued_on"]),
                expires_on=_day(r["expires_on"]),
                birth_date=_day(r["birth_date"]),
                number=r["number"],
                ended_on=_day(r["ended_on"]),
                end_reason=r["end_reason"],
                attributes=orjson.loads(r["attributes"]),
            )
        )
    return out


def load_documents(cur: Cursor, requirement_id: str) -> list[dict[str, Any]]:
    cur.execute(f"SELECT versions FROM {REQUIREMENTS} WHERE requirement_id = ?", [requirement_id])
    row = cur.fetchone()
    return [] if row is None else [v["document"] for v in orjson.loads(row["versions"])]


def _day(value: str | None) -> date | None:
    return None if value is None else date.fromisoformat(value)


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
) -> list[ComplianceRow]:
    """Every materialised cycle of every license the clinician holds for the requirement."""
    return judge_pair(clinician_id, requirement_id, documents, credits, licenses, registry)[0]


def judge_pair(
    clinician_id: str,
    requirement_id: str,
    documents: list[dict[str, Any]],
    credits: Sequence[CreditState],
    licenses: Sequence[LicenseState],
    registry: Registry,
    since: date | None = None,
    known: date | None = None,
) -> tuple[list[ComplianceRow], date | None]:
    """The rows of the cycles still open on ``since`` (all cycles when None).

    ``known``: the start of the last cycle that has a row; later cycles (the horizon
    moved) are judged whatever ``since`` says.

    Returns the rows and the start of the first cycle judged (None: every row of the
    pair was judged, so every old row goes).
    """
    from credtrail.core.rules import as_versions, evaluate, license_cycles
    from credtrail.core.rules.model import RollingCycle

    held = [lic for lic in licenses if lic.requirement_id == requirement_id]
    if not held or not documents:
        return [], None
    out: list[ComplianceRow] = []
    cut: date | None = None
    partial = since is not None
    for lic in held:
        try:
            versions = as_versions(documents)
            until = horizon(credits, [lic])
            for v in versions:
                until = max(until, v.effective_from)
            if lic.ended_on is not None:
                until = min(until, lic.ended_on)
            latest = versions[-1]
            if isinstance(latest.cycle, RollingCycle) and latest.cycle.ends == "evaluation-date":
                # A window that ends on the evaluation day: judged once, on the horizon.
                result = evaluate(versions, credits, lic, registry, on=until)
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
) -> ComplianceRow:
    from credtrail.core.rules import evaluate

    try:
        on = window.end + grace
        result = evaluate(versions, credits, lic, registry, on=on, cycle_start=window.start)
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


def read_compliance(
    cur: Cursor, clinician_id: str, requirement_id: str | None = None
) -> list[ComplianceRow]:
    sql = (
        "SELECT clinician_id, requirement_id, license_id, cycle_start, cycle_end, status, "
        f"counted, required, missing, explanation FROM {COMPLIANCE} WHERE clinician_id = ?"
    )
    params = [clinician_id]
    if requirement_id is not None:
        sql += " AND requirement_id = ?"
        params.append(requirement_id)
    cur.execute(sql + " ORDER BY requirement_id, cycle_start", params)
    return [
        ComplianceRow(
            clinician_id=r["clinician_id"],
            requirement_id=r["requirement_id"],
            license_id=r["license_id"],
            cycle_start=date.fromisoformat(r["cycle_start"]),
            cycle_end=date.fromisoformat(r["cycle_end"]),
            status=r["status"],
            counted=Decimal(r["counted"]),
            required=Decimal(r["required"]),
            missing=tuple((p, Decimal(u)) for p, u in orjson.loads(r["missing"])),
            explanation=orjson.loads(r["explanation"]),
        )
        for r in cur.fetchall()
    ]


def evaluate_on(
    cur: Cursor, clinician_id: str, requirement_id: str, on: date, registry: Registry
) -> list[ComplianceRow]:
    """The standing on ``on`` evaluated now from the view's rows (no materialised row)."""
    from credtrail.core.rules import evaluate

    documents = load_documents(cur, requirement_id)
    held = [
        lic
        for lic in load_licenses(cur, clinician_id)
        if lic.requirement_id == requirement_id
        and lic.issued_on <= on
        and (lic.ended_on is None or on <= lic.ended_on)
    ]
    if not held or not documents:
        return []
    credits = load_credits(cur, clinician_id)
    lic = held[-1]
    try:
        result = evaluate(documents, credits, lic, registry, on=on)
    except CredtrailError as exc:
        return [_error_row(clinician_id, requirement_id, lic, exc)]
    return [_row(clinician_id, requirement_id, lic, result)]


def clinician_known(cur: Cursor, clinician_id: str) -> bool:
    cur.execute(f"SELECT 1 FROM {CLINICIANS} WHERE clinician_id = ?", [clinician_id])
    return cur.fetchone() is not None

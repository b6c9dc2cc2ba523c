"""Reading the views' rows that judging a clinician needs, and the compliance rows.

The compliance view (``compliance.py``) judges from the transcript view's tables, read
here: a page's clinicians ``READ_BATCH`` per statement (``read_clinicians``), one
clinician's states (``load_credits``, ``load_licenses``), a requirement's recorded
versions, and the compliance table's rows (``read_compliance``).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import date
from typing import Any, NamedTuple

import orjson

from credtrail.core.domain import CreditState, LicenseState
from credtrail.core.projections.db import (
    CLINICIANS,
    COMPLIANCE,
    CREDITS,
    LICENSES,
    REQUIREMENTS,
    Cursor,
    chunks,
)
from credtrail.core.projections.transcript import LICENSE_COLUMNS, LICENSE_FIELDS, license_state
from credtrail.core.standing import ComplianceRow, compliance_row

Dirty = set[str] | date | None
"""What of a (clinician, requirement) pair is judged again: the cycles open when the
earliest of these credits (touched by a page) was completed; the cycles open on this day
(the day moved on); None: every cycle."""


class ClinicianInput(NamedTuple):
    """What judging one clinician's dirty pairs takes, as read from the views.

    Strings and tuples only, so it is cheap to send to a worker process: decoding
    happens where the judging does.
    """

    clinician_id: str
    credits: list[str]
    """The clinician's credit rows (``data``: JSON), as ``load_credits`` reads them."""
    licenses: list[tuple[Any, ...]]
    """The clinician's license rows, columns in ``LICENSE_COLUMNS`` order."""
    pairs: list[tuple[str, tuple[str, ...] | None, str | None, str | None]]
    """Per dirty requirement (sorted): the credits the page touched (None: re-judge
    every cycle), the day whose open cycles are re-judged instead (or None), and the
    start of the last cycle that has a row (None: no row yet)."""
    day: str
    """The day whose cycle is materialised for the licence in force on it (ISO)."""


PairResult = tuple[str, str | None, list[tuple[Any, ...]]]
"""(requirement, start of the first cycle re-judged or None for all, the rows to insert)."""


READ_BATCH = 500
"""Clinicians whose rows one statement reads: a page's reads are a few statements (a
round trip each on PostgreSQL), not four per clinician."""


def read_clinicians(
    cur: Cursor,
    order: Sequence[str],
    pairs: Mapping[str, dict[str, Dirty]],
    documents: dict[str, str | None],
    day: date,
) -> Iterator[ClinicianInput]:
    """Read what judging each clinician's ``pairs`` needs, in ``order``, ``READ_BATCH``
    clinicians per statement; their requirements' versions into ``documents``."""
    for batch in chunks(order, READ_BATCH):
        marks = ", ".join("?" * len(batch))
        credits: dict[str, list[str]] = {cid: [] for cid in batch}
        cur.execute(
            f"SELECT clinician_id, data FROM {CREDITS} WHERE clinician_id IN ({marks}) "
            "ORDER BY clinician_id, credit_id",
            batch,
        )
        for r in cur.fetchall():
            credits[r["clinician_id"]].append(r["data"])
        licenses: dict[str, list[tuple[Any, ...]]] = {cid: [] for cid in batch}
        cur.execute(
            f"SELECT {LICENSE_COLUMNS} FROM {LICENSES} WHERE clinician_id IN ({marks}) "
            "ORDER BY clinician_id, license_id",
            batch,
        )
        for r in cur.fetchall():
            licenses[r["clinician_id"]].append(tuple(r[name] for name in LICENSE_ROW_FIELDS))
        last: dict[str, dict[str, str]] = {cid: {} for cid in batch}
        cur.execute(
            f"SELECT clinician_id, requirement_id, MAX(cycle_start) AS last FROM {COMPLIANCE} "
            f"WHERE clinician_id IN ({marks}) GROUP BY clinician_id, requirement_id",
            batch,
        )
        for r in cur.fetchall():
            last[r["clinician_id"]][r["requirement_id"]] = r["last"]
        read_versions_of(cur, {rid for cid in batch for rid in pairs[cid]}, documents)
        for cid in batch:
            yield ClinicianInput(
                cid,
                credits[cid],
                licenses[cid],
                [
                    (rid, *dirty_of(ids), last[cid].get(rid))
                    for rid, ids in sorted(pairs[cid].items())
                ],
                day.isoformat(),
            )


def read_versions_of(
    cur: Cursor, requirement_ids: Iterable[str], documents: dict[str, str | None]
) -> None:
    """Add to ``documents`` the versions (JSON) of the requirements not in it yet (None:
    a requirement without a row), one statement per ``READ_BATCH``."""
    missing = sorted(set(requirement_ids) - documents.keys())
    for part in chunks(missing, READ_BATCH):
        cur.execute(
            f"SELECT requirement_id, versions FROM {REQUIREMENTS} "
            f"WHERE requirement_id IN ({', '.join('?' * len(part))})",
            part,
        )
        found = {r["requirement_id"]: str(r["versions"]) for r in cur.fetchall()}
        for rid in part:
            documents[rid] = found.get(rid)


def dirty_of(ids: Dirty) -> tuple[tuple[str, ...] | None, str | None]:
    """A pair's ``Dirty`` as sent to a judge: (touched credits, or None; day, or None)."""
    if ids is None:
        return None, None
    if isinstance(ids, date):
        return (), ids.isoformat()
    return tuple(sorted(ids)), None


# ------------------------------------------------------------------ one clinician


def load_credits(cur: Cursor, clinician_id: str) -> list[CreditState]:
    """The clinician's credits from the view, as the domain's states."""
    cur.execute(f"SELECT data FROM {CREDITS} WHERE clinician_id = ?", [clinician_id])
    return [CreditState.from_json(r["data"]) for r in cur.fetchall()]


def load_licenses(cur: Cursor, clinician_id: str) -> list[LicenseState]:
    """The clinician's licences from the view, as the domain's states."""
    cur.execute(f"SELECT {LICENSE_COLUMNS} FROM {LICENSES} WHERE clinician_id = ?", [clinician_id])
    return [license_state(r) for r in cur.fetchall()]


def load_documents(cur: Cursor, requirement_id: str) -> list[dict[str, Any]]:
    return decode_versions(read_versions(cur, requirement_id))


def read_versions(cur: Cursor, requirement_id: str) -> str | None:
    """The requirement row's versions (JSON), None if the requirement has no row."""
    cur.execute(f"SELECT versions FROM {REQUIREMENTS} WHERE requirement_id = ?", [requirement_id])
    row = cur.fetchone()
    return None if row is None else str(row["versions"])


def decode_versions(versions: str | None) -> list[dict[str, Any]]:
    """Every recorded document of a requirement, from its row's versions (JSON)."""
    return [] if versions is None else [v["document"] for v in orjson.loads(versions)]


LICENSE_ROW_FIELDS = ("clinician_id", *LICENSE_FIELDS)


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
    return _fetch_rows(cur)


def read_compliance_covering(cur: Cursor, on: date) -> list[ComplianceRow]:
    """Every clinician's rows of the cycles containing ``on``, explanations included."""
    cur.execute(
        "SELECT clinician_id, requirement_id, license_id, cycle_start, cycle_end, status, "
        f"counted, required, missing, explanation FROM {COMPLIANCE} "
        "WHERE cycle_start <= ? AND cycle_end >= ? "
        "ORDER BY clinician_id, requirement_id, cycle_start",
        [on.isoformat(), on.isoformat()],
    )
    return _fetch_rows(cur)


def _fetch_rows(cur: Cursor) -> list[ComplianceRow]:
    return [compliance_row(r, orjson.loads(r["explanation"])) for r in cur.fetchall()]


def clinician_known(cur: Cursor, clinician_id: str) -> bool:
    cur.execute(f"SELECT 1 FROM {CLINICIANS} WHERE clinician_id = ?", [clinician_id])
    return cur.fetchone() is not None

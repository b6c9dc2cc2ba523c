"""Histories recorded at chosen instants, and an attacker's direct access to the tables."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pytest

from credtrail.core.application import Credtrail, EarnRequest
from credtrail.core.audit.reader import EventRow, LogReader
from credtrail.core.clock import frozen_at
from credtrail.core.store import GENESIS, event_hash, link


def at(day: str, hour: int = 12) -> datetime:
    """An instant on ``day`` (YYYY-MM-DD) at ``hour`` UTC."""
    return datetime.fromisoformat(day).replace(hour=hour, tzinfo=UTC)


def cme(clinician: str, activity: str, units: str, completed: str) -> EarnRequest:
    """An ACCME-accredited AMA PRA Category 1 credit."""
    return EarnRequest(
        clinician_id=clinician,
        credit_type="ama_pra_1",
        units=Decimal(units),
        completed_on=date.fromisoformat(completed),
        provider="Example Medical School",
        accreditor="ACCME",
        activity_id=activity,
        topics=("ethics",),
    )


def record_history(app: Credtrail, license_for: str | None = None) -> dict[str, str]:
    """Two physicians over 2024–2026: credits, a claim, a revocation, a late record.

    With ``license_for``, dr-lee is licensed (issued 2023-01-01) under that
    requirement on 2024-01-10. Returns the credit ids by a short name.
    """
    ids: dict[str, str] = {}
    with frozen_at(at("2024-01-10")):
        app.add_clinician("dr-lee", "physician", name="Dr. Ada Lee")
        app.add_clinician("dr-kim", "physician")
        if license_for is not None:
            app.add_license("dr-lee", license_for, issued_on=date(2023, 1, 1))
    with frozen_at(at("2024-03-01")):
        ids["lee-1"] = app.earn(cme("dr-lee", "act-1", "2", "2024-02-20"))
        ids["kim-1"] = app.earn(cme("dr-kim", "act-1", "1.5", "2024-02-21"))
    with frozen_at(at("2024-06-01")):
        ids["lee-2"] = app.earn(cme("dr-lee", "act-2", "3", "2024-05-30"))
        app.claim("dr-lee", ids["lee-1"], "AMA", claimed_on=date(2024, 6, 1))
    with frozen_at(at("2025-02-01")):
        app.revoke("dr-lee", ids["lee-2"], "provider withdrew the activity", date(2025, 2, 1))
    with frozen_at(at("2026-01-15")):
        # Completed in 2024, recorded only in 2026: a late record.
        ids["lee-late"] = app.earn(cme("dr-lee", "act-3", "4", "2024-11-05"))
        ids["kim-2"] = app.earn(cme("dr-kim", "act-2", "1", "2026-01-10"))
    return ids


def events(app: Credtrail) -> list[EventRow]:
    reader = LogReader(app.store)
    return list(reader.events_from(1, reader.last_position()))


def tamper(reader: LogReader, statement: str, params: Sequence[Any] = ()) -> None:
    """Run one writing statement straight on the database, as an attacker would."""
    with reader.datastore.transaction(commit=True) as cursor:
        cursor.execute(reader.sql(statement), list(params))


def rechain(app: Credtrail, reader: LogReader) -> None:
    """Recompute every log row's hash and link, and every batch head, from the events as
    they now are: what a thorough attacker without the organisation's key can do."""
    head, count, links = GENESIS, 0, {}
    for row in reader.events_from(reader.first_position(), reader.last_position()):
        digest = event_hash(row.position, row.stream, row.version, row.topic, row.state)
        head, count = link(head, digest), count + 1
        links[row.position] = (head, count)
        tamper(
            reader,
            f"UPDATE {reader.log} SET event_hash = ?, chain = ? WHERE notification_id = ?",
            (digest, head, row.position),
        )
    tamper(reader, f"DELETE FROM {reader.heads_table}")
    for position, (chain, number) in links.items():
        tamper(
            reader,
            f"INSERT INTO {reader.heads_table} VALUES (?, ?, ?, ?, ?, ?)",
            (position, number, chain, "2026-01-01T00:00:00+00:00", None, None),
        )


@pytest.fixture
def reader(app: Credtrail) -> LogReader:
    """Direct SQL on the store's tables: what an attacker with database access can do."""
    return LogReader(app.store)

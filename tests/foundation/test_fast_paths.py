"""The ingest hot path's shortcuts give exactly what the plain, validated path gives.

Recording a credit skips three costs: re-validating values that were validated already
(``trusted``), the dict round trip of encoding an event (pydantic's JSON serializer),
and one INSERT per event (one ``executemany``). Each is pinned here against the slow
path it replaces.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import orjson
import pluggy
import pytest
from pydantic import BaseModel, PrivateAttr

from credtrail.core.application import Credtrail, EarnRequest
from credtrail.core.domain import ClinicianLedger, CreditState, RequirementHistory
from credtrail.core.models import Citation, CreditDraft, trusted
from credtrail.core.store import LOG_TABLE, PydanticMapper

SOURCE = Citation(authority="credtrail tests", document="fast paths", date_read=date(2026, 11, 23))


def every_event() -> list[Any]:
    """One of each ledger and requirement event, with awkward values (unicode, None)."""
    ledger = ClinicianLedger.register("dr-ü", "physician", name="Zoë Ångström", npi=None)
    ledger.add_license(
        license_id="us-ca#1",
        requirement_id="us-ca",
        issued_on=date(2020, 1, 1),
        expires_on=date(2022, 1, 31),
        birth_date=None,
        number="A12",
        attributes={"dea": "yes"},
    )
    ledger.earn(
        credit_id="c1",
        natural_key="k1",
        credit_type="ama_pra_1",
        units=Decimal("1.25"),
        completed_on=date(2021, 3, 1),
        provider="Mercy CME — “grand rounds”",
        accreditor="ACCME",
        activity_id="A-1",
        title=None,
        topics=("ethics", "pain-management"),
        format="live",
        designated_units=Decimal("2"),
        evidence={"certificate": "c.pdf", "pages": 2, "nested": {"ok": True, "x": None}},
    )
    ledger.claim("c1", "AMA", Decimal("0.5"), date(2021, 3, 2))
    ledger.revoke("c1", "provider withdrew the activity", date(2021, 4, 1))
    ledger.end_license("us-ca#1", date(2021, 12, 31), "moved")
    history = RequirementHistory.define("us-xx", "Test Board")
    history.change("1", date(2020, 1, 1), {"id": "us-xx", "total": "50.5"}, SOURCE)
    return [*ledger.collect_events(), *history.collect_events()]


def test_stored_bytes_are_what_orjson_makes_of_the_json_dump() -> None:
    """The mapper's serializer writes, byte for byte, orjson(model_dump(mode="json"))."""
    from credtrail.core.store import OrjsonTranscoder

    mapper = PydanticMapper(transcoder=OrjsonTranscoder())
    events = every_event()
    assert len({type(e) for e in events}) == 8
    for event in events:
        stored = mapper.to_stored_event(event)
        assert stored.state == orjson.dumps(event.model_dump(mode="json")), type(event)
        again = mapper.to_domain_event(stored)
        assert again == event


def credit_values() -> dict[str, Any]:
    return {
        "credit_id": "c1",
        "credit_type": "ama_pra_1",
        "units": Decimal("1.5"),
        "completed_on": date(2024, 1, 1),
        "provider": "P",
        "accreditor": "ACCME",
        "activity_id": "A",
        "title": None,
        "topics": ("ethics",),
        "format": None,
        "designated_units": None,
        "evidence": None,
        "natural_key": "k",
        "recorded_at": datetime(2024, 1, 2, tzinfo=UTC),
        "revoked": False,
        "revoked_reason": None,
        "revoked_on": None,
        "claims": {},
        "claim_dates": {},
        "claim_log": [],
        "topic_units": {},
        "amendments": [],
        "certificates": [],
    }


def test_trusted_instance_equals_the_validated_one_and_stays_mutable() -> None:
    fast = trusted(CreditState, credit_values())
    slow = CreditState(**credit_values())
    assert fast == slow
    assert fast.model_dump() == slow.model_dump()
    fast.revoked = True  # the ledger mutates credit states in place
    assert fast.model_fields_set == set(CreditState.model_fields)  # every field given
    other = trusted(CreditState, credit_values())
    other.claims["AMA"] = Decimal(1)
    assert other.revoked is False  # instances share nothing but the (full) fields-set
    assert other.claims != fast.claims
    assert fast.revoked
    assert not slow.revoked


def test_trusted_refuses_missing_fields_and_keeps_private_state() -> None:
    values = credit_values()
    del values["claim_log"]
    with pytest.raises(TypeError, match="claim_log"):
        trusted(CreditState, values)
    values["claim_logs"] = []  # a misspelt field is not the field
    with pytest.raises(TypeError, match="unknown \\['claim_logs'\\]"):
        trusted(CreditState, values)

    class WithPrivate(BaseModel):
        a: int
        _cache: dict[str, int] = PrivateAttr(default_factory=dict)

    built = trusted(WithPrivate, {"a": 1})  # built by pydantic itself: private state too
    assert built.a == 1
    assert built._cache == {}


def test_check_credit_judges_a_trusted_draft_like_a_validated_one(app: Credtrail) -> None:
    request = EarnRequest(
        clinician_id="dr-1",
        credit_type="ama_pra_1",
        units=Decimal("0.1"),  # not a multiple of AMA's 0.25: a plugin rejects it
        completed_on=date(2024, 1, 1),
        provider="P",
        accreditor="ACCME",
        activity_id="A",
    )
    draft = CreditDraft(
        profession="physician", **request.model_dump(exclude={"evidence", "topic_units"})
    )
    from credtrail.core.errors import CreditRejectedError
    from credtrail.core.registry import core_violations, plugin_violations

    expected = core_violations(app.registry, draft) + plugin_violations(app.pm, app.registry, draft)
    assert expected, "the request must be one a plugin rejects"
    with pytest.raises(CreditRejectedError) as caught:
        app.check_credit(request, "physician")
    assert caught.value.violations == expected


def test_batched_insert_gives_each_event_its_own_position(app: Credtrail) -> None:
    """Positions returned by a batched save are the events' rowids, in save order."""
    ledgers = [ClinicianLedger.register(f"dr-{i}", "physician") for i in range(3)]
    for i, ledger in enumerate(ledgers):
        for n in range(i + 1):
            ledger.add_license(
                license_id=f"us-ca#{n}",
                requirement_id="us-ca",
                issued_on=date(2020, 1, 1),
                expires_on=date(2022, 1, 31),
            )
    first = app.store.save(*ledgers)
    second = app.store.save(ClinicianLedger.register("dr-9", "physician"))
    ids = [r.notification.id for r in [*first, *second]]
    assert ids == list(range(1, 11))
    notes = app.store.recorder.select_notifications(1, 100)
    assert [(n.id, n.originator_id, n.originator_version) for n in notes] == [
        (r.notification.id, r.notification.originator_id, r.notification.originator_version)
        for r in [*first, *second]
    ]
    logged = app.store.read_rows(
        f"SELECT notification_id, originator_version FROM {app.store.qualified(LOG_TABLE)} "
        "ORDER BY notification_id"
    )
    assert [tuple(row) for row in logged] == [(n.id, n.originator_version) for n in notes]


def test_saving_nothing_writes_nothing(
    app: Credtrail, store_url: str, pm: pluggy.PluginManager
) -> None:
    """A save with no pending events (an idempotent batch) is not an error, even as the
    first write of a connection (SQLite's last_insert_rowid() is then 0)."""
    ledger = ClinicianLedger.register("dr-1", "physician")
    app.store.save(ledger)
    assert app.store.save(ledger) == []  # its events were collected by the first save
    again = Credtrail.open(store_url, pm)
    try:
        assert again.store.save() == []
        assert again.store.save(again.ledger("dr-1")) == []
        assert again.store.recorder.max_notification_id() == 1
    finally:
        again.close()

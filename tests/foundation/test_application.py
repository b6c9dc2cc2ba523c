"""The application service validates before it writes and writes each command atomically."""

from __future__ import annotations

import gc
import sqlite3
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pluggy
import pytest

from credtrail.core import hookimpl
from credtrail.core.application import Credtrail, EarnRequest
from credtrail.core.errors import (
    ClinicianExistsError,
    CreditRejectedError,
    DuplicateCreditError,
    RuleError,
    StoreError,
    StoreNotInitialisedError,
    UnknownAuthorityError,
    UnknownClinicianError,
    UnknownProfessionError,
    UnknownRequirementError,
)
from credtrail.core.store import GENESIS, chain_link


def cde(**overrides: Any) -> EarnRequest:
    fields: dict[str, Any] = {
        "clinician_id": "dds-1",
        "credit_type": "cde",
        "units": Decimal("1.5"),
        "completed_on": date(2025, 5, 1),
        "provider": "Dental CE Inc",
        "accreditor": "ADA",
        "activity_id": "ACT-1",
    }
    fields.update(overrides)
    return EarnRequest(**fields)


def event_count(app: Credtrail) -> int:
    return int(app.store.recorder.max_notification_id() or 0)


@pytest.fixture
def dentist(dental_app: Credtrail) -> Credtrail:
    dental_app.add_clinician("dds-1", "dentist", name="Ada Molar")
    return dental_app


def test_opening_a_missing_sqlite_store_says_to_run_init(
    tmp_path: Path, dental_pm: pluggy.PluginManager
) -> None:
    """Commands other than init never create a store silently."""
    with pytest.raises(StoreNotInitialisedError, match="credtrail init"):
        Credtrail.open(str(tmp_path / "nope.db"), dental_pm)
    assert not (tmp_path / "nope.db").exists()


def test_store_url_with_unknown_scheme_is_rejected(dental_pm: pluggy.PluginManager) -> None:
    """Only file paths and postgresql:// URLs are stores."""
    with pytest.raises(StoreError, match="postgresql:// URL"):
        Credtrail.open("mysql://x@y/z", dental_pm)


def test_clinician_needs_a_registered_profession_and_a_free_id(dentist: Credtrail) -> None:
    """Unknown professions list the known ones; ids are unique."""
    with pytest.raises(UnknownProfessionError, match="known: dentist"):
        dentist.add_clinician("x", "astronaut")
    with pytest.raises(ClinicianExistsError):
        dentist.add_clinician("dds-1", "dentist")


def test_earned_credit_is_stored_and_read_back_after_reopening(
    dentist: Credtrail, store_url: str, dental_pm: pluggy.PluginManager
) -> None:
    """The ledger is rebuilt from the stored events with exact decimals and dates."""
    credit_id = dentist.earn(cde(topics=("infection-control",)))
    dentist.claim("dds-1", credit_id, "XX-BOD", Decimal("1"), date(2025, 5, 2))
    dentist.close()
    reopened = Credtrail.open(store_url, dental_pm)
    credit = reopened.ledger("dds-1").credits[credit_id]
    assert credit.units == Decimal("1.5")
    assert credit.completed_on == date(2025, 5, 1)
    assert credit.claims == {"XX-BOD": Decimal("1")}
    assert credit.topics == ("infection-control",)
    reopened.close()


def test_violations_of_increment_and_accreditor_are_all_reported_and_nothing_written(
    dentist: Credtrail,
) -> None:
    """Core checks the registered increment and accepted accreditors before writing."""
    before = event_count(dentist)
    with pytest.raises(CreditRejectedError) as info:
        dentist.earn(cde(units=Decimal("1.25"), accreditor="ACCME"))
    rules = [v.rule for v in info.value.violations]
    assert rules == ["cde-increment", "known-accreditor"]
    assert "1.25 is not a multiple of 0.5 hour" in str(info.value)
    assert event_count(dentist) == before


def test_self_claimed_credit_takes_no_accreditor(dentist: Credtrail) -> None:
    """A self-claimed type rejects an accreditor and accepts none."""
    with pytest.raises(CreditRejectedError, match="self-claimed"):
        dentist.earn(cde(credit_type="self_study", accreditor="ADA"))
    assert dentist.earn(cde(credit_type="self_study", accreditor=None)).startswith("cr-")


def test_accredited_type_requires_an_accreditor(dentist: Credtrail) -> None:
    """Leaving out the accreditor of an accredited type names the accepted ones."""
    with pytest.raises(CreditRejectedError, match=r"accredited provider \(ADA\)"):
        dentist.earn(cde(accreditor=None))


def test_plugin_violations_reach_the_user_with_their_rule(dentist: Credtrail) -> None:
    """The profession plugin's own rule is reported with its slug."""
    with pytest.raises(CreditRejectedError, match=r"units: 41 hours exceed .* \[cde-daily-limit\]"):
        dentist.earn(cde(units=Decimal("41")))


def test_units_above_the_designated_maximum_are_rejected(dentist: Credtrail) -> None:
    """A clinician claims only credit commensurate with participation."""
    with pytest.raises(CreditRejectedError, match="within-designated-maximum"):
        dentist.earn(cde(units=Decimal("2"), designated_units=Decimal("1.5")))


def test_recording_the_same_credit_twice_is_refused(dentist: Credtrail) -> None:
    """Same provider, activity, date and type: the second earn names the first credit."""
    first = dentist.earn(cde())
    with pytest.raises(DuplicateCreditError, match=first):
        dentist.earn(cde(provider="  dental ce  INC "))


def test_batch_is_all_or_nothing(dentist: Credtrail) -> None:
    """One invalid request in a batch leaves the store exactly as it was."""
    before = event_count(dentist)
    with pytest.raises(CreditRejectedError):
        dentist.earn_many([cde(), cde(activity_id="ACT-2", units=Decimal("0.3"))])
    assert event_count(dentist) == before
    assert dentist.ledger("dds-1").credits == {}


def test_a_batch_leaves_the_garbage_collector_as_it_found_it(dentist: Credtrail) -> None:
    """earn_many pauses Python's collector for the batch only, rejected or recorded."""
    with pytest.raises(CreditRejectedError):
        dentist.earn_many([cde(), cde(activity_id="ACT-2", units=Decimal("0.3"))])
    assert gc.isenabled()
    dentist.earn_many([cde()])
    assert gc.isenabled()
    gc.disable()
    try:
        dentist.earn_many([cde(activity_id="ACT-3")])
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_batch_rerun_is_idempotent(dentist: Credtrail) -> None:
    """Re-running the same batch records nothing new and returns the existing ids."""
    batch = [cde(), cde(activity_id="ACT-2")]
    first = dentist.earn_many(batch)
    after_first = event_count(dentist)
    second = dentist.earn_many(batch)
    assert [r.created for r in first] == [True, True]
    assert [r.created for r in second] == [False, False]
    assert [r.credit_id for r in first] == [r.credit_id for r in second]
    assert event_count(dentist) == after_first


def test_claim_needs_a_registered_authority_and_a_known_clinician(dentist: Credtrail) -> None:
    """Typos in authority or clinician are named, nothing is written."""
    credit_id = dentist.earn(cde())
    with pytest.raises(UnknownAuthorityError, match="known: XX-BOD"):
        dentist.claim("dds-1", credit_id, "XX-BOX")
    with pytest.raises(UnknownClinicianError, match="clinician add dds-2"):
        dentist.claim("dds-2", credit_id, "XX-BOD")


def test_every_event_is_indexed_with_both_times_and_chained(
    tmp_path: Path, dental_pm: pluggy.PluginManager
) -> None:
    """The log side table holds recorded/valid time and an unbroken SHA-256 chain."""
    dentist = Credtrail.open(str(tmp_path / "core.db"), dental_pm, create=True)
    dentist.add_clinician("dds-1", "dentist")
    credit_id = dentist.earn(cde())
    dentist.revoke("dds-1", credit_id, "duplicate certificate", date(2025, 6, 1))
    dentist.close()
    db = sqlite3.connect(tmp_path / "core.db")
    rows = db.execute(
        "SELECT e.rowid, e.originator_id, e.originator_version, e.topic, e.state, "
        "l.valid_on, l.recorded_at, l.chain FROM stored_events e "
        "JOIN credtrail_log l ON l.notification_id = e.rowid ORDER BY e.rowid"
    ).fetchall()
    assert [r[3] for r in rows] == [
        "credtrail:ClinicianRegistered",
        "credtrail:CreditEarned",
        "credtrail:CreditRevoked",
    ]
    assert [r[5] for r in rows] == [None, "2025-05-01", "2025-06-01"]
    head = GENESIS
    for nid, stream, version, topic, state, _valid, recorded, link in rows:
        head = chain_link(head, nid, stream, version, topic, state)
        assert link == head
        assert recorded.endswith("+00:00")


DENTAL_RULE = {
    "id": "us-xx-dentist",
    "authority": "XX-BOD",
    "professions": ["dentist"],
    "version": "2024",
    "effective_from": "2024-01-01",
    "source": {"authority": "XX", "document": "Rule 1", "date_read": "2026-11-23"},
    "cycle": {"kind": "fixed", "anchor": "2024-01-01", "length_months": 24},
    "total": {"units": "20"},
}


def test_requirement_versions_are_recorded_once_with_their_citation(dentist: Credtrail) -> None:
    """RequirementChanged is idempotent per (version, document) and keeps history."""
    assert dentist.record_requirement(DENTAL_RULE) is True
    assert dentist.record_requirement(dict(DENTAL_RULE)) is False
    newer = {**DENTAL_RULE, "version": "2026", "effective_from": date(2026, 1, 1)}
    assert dentist.record_requirement(newer) is True
    versions = dentist.requirement_history("us-xx-dentist").versions
    assert [v.version for v in versions] == ["2024", "2026"]
    assert versions[0].source.document == "Rule 1"
    assert [h.requirement_id for h in dentist.requirement_histories()] == ["us-xx-dentist"]


def test_malformed_requirement_document_names_the_field(dentist: Credtrail) -> None:
    """A document without a citation or with a bad rule is refused, naming the field."""
    no_source = {k: v for k, v in DENTAL_RULE.items() if k != "source"}
    with pytest.raises(RuleError, match=r"source: Field required"):
        dentist.record_requirement(no_source)
    with pytest.raises(RuleError, match=r"total"):
        dentist.record_requirement({**DENTAL_RULE, "total": {"units": "-3"}})
    with pytest.raises(UnknownAuthorityError, match="XX-BOX"):
        dentist.record_requirement({**DENTAL_RULE, "authority": "XX-BOX"})
    assert dentist.requirement_histories() == []


def test_license_needs_a_recorded_requirement(dentist: Credtrail) -> None:
    """A license names a requirement that exists in the store."""
    with pytest.raises(UnknownRequirementError, match="us-xx-dentist"):
        dentist.add_license("dds-1", "us-xx-dentist", date(2020, 1, 1))


def test_two_plugins_may_share_an_accreditor_but_not_contradict_it() -> None:
    """The same accreditor from two plugins merges; a different name is a conflict."""
    from credtrail.core.errors import DuplicateRegistrationError
    from credtrail.core.models import Accreditor
    from credtrail.core.plugins import build_plugin_manager
    from credtrail.core.registry import build_registry

    from .testplugin import SOURCE, Dentistry

    class Hygiene:
        def __init__(self, name: str) -> None:
            self.name = name

        @hookimpl
        def credtrail_register_accreditors(self, register: Any) -> None:
            register(Accreditor(code="ADA", name=self.name, source=SOURCE))

    same = build_plugin_manager(
        extra=[("dentistry", Dentistry()), ("hygiene", Hygiene("ADA CERP"))], load_entrypoints=False
    )
    assert build_registry(same).accreditor("ADA").name == "ADA CERP"
    clash = build_plugin_manager(
        extra=[("dentistry", Dentistry()), ("hygiene", Hygiene("Other"))], load_entrypoints=False
    )
    with pytest.raises(DuplicateRegistrationError, match="accreditor 'ADA' is already registered"):
        build_registry(clash)


def test_an_empty_database_is_not_a_store_until_init(
    store_url: str, dental_pm: pluggy.PluginManager
) -> None:
    """On both backends, only init creates tables; other commands say to run it."""
    if not store_url.startswith("postgresql"):
        sqlite3.connect(store_url).close()  # an existing but empty SQLite file
    with pytest.raises(StoreNotInitialisedError, match="credtrail init"):
        Credtrail.open(store_url, dental_pm)
    Credtrail.open(store_url, dental_pm, create=True).close()
    Credtrail.open(store_url, dental_pm).close()

"""As-of replay by transaction time, and the diff to now, on both backends."""

from __future__ import annotations

import copy
from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from credtrail.core.application import Credtrail
from credtrail.core.audit.asof import AsOf
from credtrail.core.audit.diff import changes_since
from credtrail.core.clock import frozen_at
from credtrail.core.errors import AuditError, UnknownClinicianError

from .conftest import at, cme, record_history


@pytest.fixture
def history(app: Credtrail) -> dict[str, str]:
    return record_history(app)


def totals(app: Credtrail, instant: str) -> dict[str, str]:
    transcript = AsOf(app.store, at(instant)).transcript("dr-lee")
    return transcript.model_dump(mode="json")["totals"]


def test_credit_recorded_late_is_unknown_before_it_was_recorded(
    app: Credtrail, history: dict[str, str]
) -> None:
    """A credit completed in 2024 but recorded in 2026 is absent as of 2025."""
    as_2025 = AsOf(app.store, at("2025-06-30")).transcript("dr-lee")
    assert history["lee-late"] not in {c.credit_id for c in as_2025.credits}
    as_2026 = AsOf(app.store, at("2026-02-01")).transcript("dr-lee")
    assert history["lee-late"] in {c.credit_id for c in as_2026.credits}


def test_replay_follows_revocations_and_claims_in_transaction_time(
    app: Credtrail, history: dict[str, str]
) -> None:
    """Totals step as events were recorded: earn, claim, revoke, late record."""
    assert totals(app, "2024-02-01") == {}
    assert totals(app, "2024-03-01") == {"ama_pra_1": "2"}  # recorded exactly at the instant
    assert totals(app, "2024-12-31") == {"ama_pra_1": "5"}
    assert totals(app, "2025-06-30") == {"ama_pra_1": "2"}
    assert totals(app, "2026-06-30") == {"ama_pra_1": "6"}
    ledger = AsOf(app.store, at("2024-12-31")).ledger("dr-lee")
    assert ledger.credits[history["lee-1"]].claims == {"AMA": Decimal(2)}
    assert not ledger.credits[history["lee-2"]].revoked


def test_as_of_now_equals_the_live_ledger(app: Credtrail, history: dict[str, str]) -> None:
    """Replaying everything recorded up to now gives today's transcripts."""
    view = AsOf(app.store, at("2030-01-01"))
    for clinician in ("dr-lee", "dr-kim"):
        assert view.transcript(clinician) == app.transcript(clinician)
    assert sorted(ledger.clinician_id for ledger in view.clinicians()) == ["dr-kim", "dr-lee"]


def test_clinician_not_yet_recorded_is_a_clear_error(
    app: Credtrail, history: dict[str, str]
) -> None:
    """Before a clinician was added the error says when they were; unknown ids say so."""
    with pytest.raises(
        AuditError, match=r"'dr-lee' was not recorded yet as of 2023-.*first recorded at 2024-01-10"
    ):
        AsOf(app.store, at("2023-12-31")).ledger("dr-lee")
    with pytest.raises(UnknownClinicianError, match="dr-nobody"):
        AsOf(app.store, at("2026-01-01")).ledger("dr-nobody")
    assert list(AsOf(app.store, at("2023-12-31")).clinicians()) == []


def record_versions(app: Credtrail) -> None:
    """us-ca-physician v1 recorded in 2024; v2 published in 2026, effective 2025-01-01."""
    v1: dict[str, Any] = copy.deepcopy(app.registry.requirements["us-ca-physician@v1"])
    v2 = {**copy.deepcopy(v1), "version": "v2-test", "effective_from": "2025-01-01"}
    with frozen_at(at("2024-01-05")):
        assert app.record_requirement(v1)
    with frozen_at(at("2026-03-01")):
        assert app.record_requirement(v2)


def test_requirement_published_later_with_earlier_effect_is_unknown_before(
    app: Credtrail,
) -> None:
    """A version published in 2026 effective 2025 is neither known nor in force as of 2025."""
    record_versions(app)
    then = AsOf(app.store, at("2025-06-30")).requirement("us-ca-physician")
    assert then is not None
    assert [v.version for v in then.versions] == ["v1"]
    assert then.in_force is not None
    assert then.in_force.version == "v1"
    now = AsOf(app.store, at("2026-06-30")).requirement("us-ca-physician", on=date(2025, 6, 30))
    assert now is not None
    assert [v.version for v in now.versions] == ["v1", "v2-test"]
    assert now.in_force is not None
    assert now.in_force.version == "v2-test"
    assert AsOf(app.store, at("2023-01-01")).requirement("us-ca-physician") is None
    known = [r.requirement_id for r in AsOf(app.store, at("2025-01-01")).requirements()]
    assert known == ["us-ca-physician"]


def test_diff_names_each_change_since_the_instant_with_why(
    app: Credtrail, history: dict[str, str]
) -> None:
    """Between end of 2024 and now: a revocation and a late record for dr-lee."""
    changes = changes_since(app.store, at("2024-12-31"), clinician_id="dr-lee")
    assert [(c.why, c.event) for c in changes] == [
        ("revocation", "CreditRevoked"),
        ("late-record", "CreditEarned"),
    ]
    revocation, late = changes
    assert revocation.summary == (
        f"3 ama_pra_1 {history['lee-2']} revoked on 2025-02-01: provider withdrew the activity"
    )
    assert late.valid_on == date(2024, 11, 5)
    assert late.recorded_at == at("2026-01-15")
    assert "completed 2024-11-05 — recorded 2026-01-15, after the instant" in late.summary
    assert revocation.position < late.position


def test_diff_over_the_whole_store_includes_rule_changes(
    app: Credtrail, history: dict[str, str]
) -> None:
    """Without a clinician, every stream's changes are listed in log order."""
    record_versions(app)
    changes = changes_since(app.store, at("2025-06-30"))
    assert [(c.subject, c.why) for c in changes] == [
        ("clinician dr-lee", "late-record"),
        ("clinician dr-kim", "new-record"),
        ("requirement us-ca-physician", "rule-change"),
    ]
    assert "retroactive" in changes[-1].summary
    assert changes_since(app.store, at("2030-01-01")) == []


def test_clock_stepping_back_never_lets_a_later_event_in(app: Credtrail) -> None:
    """If a stream's clock stepped back, as-of stops at the first event recorded after T."""
    with frozen_at(at("2024-01-10")):
        app.add_clinician("dr-lee", "physician")
    with frozen_at(at("2024-05-01")):
        first = app.earn(cme("dr-lee", "act-1", "1", "2024-04-01"))
    with frozen_at(at("2024-04-01")):  # a skewed clock: recorded "before" the previous event
        app.earn(cme("dr-lee", "act-2", "2", "2024-03-01"))
    assert AsOf(app.store, at("2024-04-15")).transcript("dr-lee").credits == []
    known = AsOf(app.store, at("2024-06-01")).transcript("dr-lee").credits
    assert len(known) == 2
    assert first in {c.credit_id for c in known}

"""``status`` after a licence's expiry passed with no renewal recorded: a plain warning."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest
from click.testing import Result

Run = Callable[..., Result]


@pytest.fixture
def lapsed(run: Run) -> Run:
    """A Texas physician whose licence expired 2026-03-31 with 8 of 48 credits."""
    invoke = run
    assert invoke("clinician", "add", "md-1", "--profession", "physician").exit_code == 0
    added = invoke(
        "license",
        "add",
        "md-1",
        "--requirement",
        "us-tx-physician",
        "--issued",
        "2020-04-01",
        "--expires",
        "2026-03-31",
        "--number",
        "TX123",
    )
    assert added.exit_code == 0, added.output
    earned = invoke(
        "credit",
        "earn",
        "md-1",
        "--type",
        "ama_pra_1",
        "--units",
        "8",
        "--date",
        "2025-01-10",
        "--provider",
        "Mercy CME",
        "--accreditor",
        "ACCME",
        "--activity",
        "A1",
        "--topic",
        "ethics",
    )
    assert earned.exit_code == 0, earned.output
    return invoke


def test_status_warns_that_the_licence_expired_and_its_cycle_was_not_met(lapsed: Run) -> None:
    """Text: one warning line naming the expiry day and the unmet cycle ending then."""
    result = lapsed("status", "md-1", "--on", "2026-06-01")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].startswith("us-tx-physician (TX-TMB), cycle 2026-04-01 to 2028-03-31")
    assert lines[1] == (
        "  warning: licence us-tx-physician#1 (number TX123) expired on 2026-03-31 and no "
        "renewal is recorded; the cycle 2024-04-01 to 2026-03-31 was NOT met (8 of 48 "
        "counted, deficient); record a renewal with 'credtrail license renew' or its end "
        "with 'credtrail license end'"
    )


def test_status_json_carries_the_expiry_and_the_cycle_ending_then(lapsed: Run) -> None:
    """--json: ``expired_unrenewed`` with the expiry, that cycle's verdict and the warning."""
    (row,) = json.loads(lapsed("status", "md-1", "--on", "2026-06-01", "--json").output)
    lapse = row["expired_unrenewed"]
    assert {k: v for k, v in lapse.items() if k != "warning"} == {
        "license_id": "us-tx-physician#1",
        "license_number": "TX123",
        "expired_on": "2026-03-31",
        "cycle_start": "2024-04-01",
        "cycle_end": "2026-03-31",
        "cycle_status": "deficient",
        "cycle_met": False,
        "counted": "8",
        "required": "48",
    }
    assert lapse["warning"].startswith("licence us-tx-physician#1 (number TX123) expired on")


def test_no_warning_before_the_expiry_or_after_a_renewal(lapsed: Run) -> None:
    """Before the expiry, and once a renewal is recorded, there is nothing to warn about."""
    (before,) = json.loads(lapsed("status", "md-1", "--on", "2026-03-31", "--json").output)
    assert before["expired_unrenewed"] is None
    renewed = lapsed(
        "license", "renew", "md-1", "us-tx-physician#1", "--expires", "2028-03-31", "--date",
        "2026-03-20",
    )  # fmt: skip
    assert renewed.exit_code == 0, renewed.output
    (after,) = json.loads(lapsed("status", "md-1", "--on", "2026-06-01", "--json").output)
    assert after["expired_unrenewed"] is None
    assert "warning" not in lapsed("status", "md-1", "--on", "2026-06-01").output


def test_a_rebuilt_compliance_view_gives_the_same_warning(lapsed: Run) -> None:
    """The warning reads the same from rows materialised by a rebuild as by the catch-up."""
    text = lapsed("status", "md-1", "--on", "2026-06-01").output
    assert lapsed("projections", "rebuild", "--view", "compliance").exit_code == 0
    assert lapsed("status", "md-1", "--on", "2026-06-01").output == text

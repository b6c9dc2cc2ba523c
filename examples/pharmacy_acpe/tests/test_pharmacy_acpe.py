"""The pharmacy plugin keeps credtrail's plugin contract, and its own rules hold."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import credtrail_pharmacy_acpe
import pytest
from credtrail_pharmacy_acpe.kinds import AudienceRule
from credtrail_pharmacy_acpe.uan import parse_uan

from credtrail.core import Candidate, CycleWindow
from credtrail.core.testing import PluginContract
from credtrail.core.testing.properties import PluginProperties


class TestPharmacyContract(PluginContract, PluginProperties):
    """Every test of credtrail.core.testing.PluginContract and its Hypothesis properties."""

    plugin = credtrail_pharmacy_acpe.plugin
    plugin_name = "pharmacy_acpe"


def test_parse_uan() -> None:
    """A UAN's fields are read; jointly provided activities have 9999 as second field."""
    uan = parse_uan("0204-9999-25-101-L05-P")
    assert uan is not None
    assert (uan.provider, uan.year, uan.format, uan.topic, uan.audience) == (
        "0204",
        2025,
        "L",
        "05",
        "P",
    )
    assert uan.jointly_provided
    assert parse_uan("0204-9999-25-101-X05-P") is None


def candidate(credit_id: str, activity: str) -> Candidate:
    return Candidate(
        credit_id=credit_id,
        credit_type="acpe_contact_hour",
        units=Decimal(2),
        completed_on=date(2025, 1, 5),
        topics=(),
        format=None,
        activity_id=activity,
        title=None,
        accreditor="ACPE",
        provider="TPA",
    )


def test_audience_rule_zeroes_technician_activities() -> None:
    """Only activities of the other audience are adjusted, to zero, with a reason."""
    window = CycleWindow(start=date(2024, 1, 1), end=date(2025, 12, 31), number=1)
    rule = AudienceRule()
    adjusted = rule.adjust(
        [candidate("a", "0669-0000-24-001-H04-P"), candidate("b", "0669-0000-24-002-H04-T")],
        {"audience": "P"},
        window,
    )
    assert [(a.credit_id, a.units) for a in adjusted] == [("b", Decimal(0))]
    assert "pharmacy technicians" in adjusted[0].reason


def test_audience_rule_checks_params() -> None:
    """A wrong audience is a ValueError the rule engine reports when loading."""
    with pytest.raises(ValueError, match=r"params\.audience must be one of P, T"):
        AudienceRule().check({"audience": "X"})

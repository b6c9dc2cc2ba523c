"""A certification a board REQUIRES for renewal (not one it accepts in lieu of hours)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from credtrail.core.compliance import judge
from credtrail.core.domain import LicenseState, held_on
from credtrail.core.errors import RuleError
from credtrail.core.requests import condition_keys
from credtrail.core.rules import load_requirement
from credtrail.core.rules.result import Evaluation

from .support import credit, document
from .test_certifications import (
    CREDITS,
    LICENCE,
    PROPERTY,
    REGISTRY,
    certification,
    certification_histories,
    drawn_credits,
)

# Alaska's shape: "Physician assistants must maintain a current active NCCPA
# certification to qualify for renewal", plus a state mandate for DEA registrants.
REQUIRED = document(
    authority="XX-B",
    professions=["pa"],
    credit_types=["aapa_1", "aapa_2"],
    cycle={"kind": "fixed", "anchor": "2023-01-01", "length_months": 24},
    parts=[{"id": "mandate", "units": 2, "types": ["aapa_1"], "topics": ["ethics"]}],
    required_certifications=[{"id": "national", "certifications": ["xx-cert"]}],
)
WITH_ATTRIBUTE = {
    **REQUIRED,
    "required_certifications": [
        {
            "id": "national",
            "certifications": ["xx-cert"],
            "accepts_attributes": {"xx-certified": "yes"},
        }
    ],
}
MANDATE = credit(2, date(2024, 3, 1), "aapa_1", accreditor="AAPA", topics=("ethics",))


def judged(
    credits: list[Any],
    on: date,
    *held: LicenseState,
    doc: dict[str, Any] = REQUIRED,
    licence: LicenseState = LICENCE,
) -> Evaluation:
    """The 2023-2024 cycle judged on ``on``."""
    return judge(
        [doc],
        credits,
        licence,
        REGISTRY,
        on,
        cycle_start=date(2023, 1, 1),
        credentials=[licence, *held],
    )


def test_held_on_the_cycle_end_meets_it_and_says_until_when() -> None:
    """Held on the cycle's end: the part is met, its why names the certification, the
    day and the expiry; the mandate's hours still decide the rest."""
    cert = certification(date(2018, 6, 1), date(2026, 12, 31))
    result = judged([MANDATE], date(2025, 3, 1), cert)
    national = result.part("national")
    assert (result.status, national.status, national.missing) == ("compliant", "met", 0)
    assert national.why == (
        "certification xx-cert required: held on 2024-12-31 (from 2018-06-01, until 2026-12-31)"
    )
    assert (result.required, result.counted) == (2, 2)  # hours only: no unit for it


def test_not_held_is_missing_whatever_the_hours() -> None:
    """No certification recorded: deficient after the cycle, the part missing (1 of 1),
    though every hour is there: no false all-clear."""
    result = judged([MANDATE], date(2025, 3, 1))
    assert result.status == "deficient"
    assert result.missing == (("national", 1),)
    assert result.part("national").why == (
        "certification xx-cert required on 2024-12-31: none recorded (credtrail certification add)"
    )
    assert judged([MANDATE], date(2024, 6, 1)).status == "in_progress"


def test_lapsed_before_the_day_judged_is_missing_and_says_what_was_recorded() -> None:
    """Expired before the cycle end and not renewed: missing, the recorded period shown."""
    lapsed = certification(date(2018, 6, 1), date(2024, 6, 30))
    result = judged([MANDATE], date(2025, 3, 1), lapsed)
    assert result.status == "deficient"
    assert result.part("national").why == (
        "certification xx-cert required on 2024-12-31: not held then "
        "(recorded: xx-cert 2018-06-01 to 2024-06-30)"
    )
    # Judged before it lapsed, the day judged is what counts.
    assert judged([MANDATE], date(2024, 5, 1), lapsed).part("national").status == "met"


def test_a_licence_attribute_counts_only_where_the_rule_accepts_it() -> None:
    """The older attribute stand-in meets it only when the rule lists it."""
    marked = LICENCE.model_copy(update={"attributes": {"xx-certified": "yes"}})
    assert judged([MANDATE], date(2025, 3, 1), licence=marked).status == "deficient"
    accepted = judged([MANDATE], date(2025, 3, 1), licence=marked, doc=WITH_ATTRIBUTE)
    assert accepted.status == "compliant"
    assert "accepts in its place" in (accepted.part("national").why or "")


def test_a_pathway_or_first_cycle_exemption_does_not_waive_it_unless_named() -> None:
    """A pathway meeting 'all' leaves a required certification required; one naming it
    in exempts waives it."""
    all_met = {
        **REQUIRED,
        "pathways": [{"id": "exam", "exams": ["XX-EXAM"], "satisfies": "all"}],
    }
    examined = LICENCE.model_copy(update={"exams": [("XX-EXAM", date(2024, 2, 1))]})
    assert judged([], date(2025, 3, 1), doc=all_met, licence=examined).status == "deficient"
    named = {
        **REQUIRED,
        "pathways": [
            {"id": "exam", "exams": ["XX-EXAM"], "satisfies": "parts", "exempts": ["national"]}
        ],
    }
    result = judged([MANDATE], date(2025, 3, 1), doc=named, licence=examined)
    assert (result.status, result.part("national").status) == ("compliant", "exempt")


def test_conditions_and_ids_are_validated() -> None:
    """only_if/unless apply; ids are unique with the parts'; a certification list is needed;
    a rule with only a required certification is valid."""
    inactive = {
        **REQUIRED,
        "required_certifications": [
            {"id": "national", "certifications": ["xx-cert"], "unless": {"inactive": "yes"}}
        ],
    }
    resting = LICENCE.model_copy(update={"attributes": {"inactive": "yes"}})
    result = judged([MANDATE], date(2025, 3, 1), doc=inactive, licence=resting)
    assert (result.status, result.part("national").status) == ("compliant", "not-applicable")
    with pytest.raises(RuleError, match="unique"):
        load_requirement(
            {**REQUIRED, "required_certifications": [{"id": "mandate", "certifications": ["x"]}]}
        )
    with pytest.raises(RuleError, match="certifications"):
        load_requirement({**REQUIRED, "required_certifications": [{"id": "n"}]})
    assert "xx-certified" in condition_keys(WITH_ATTRIBUTE)  # a licence may record it
    only = load_requirement({**REQUIRED, "parts": []})
    assert [c.id for c in only.required_certifications] == ["national"]


@PROPERTY
@given(
    cert=st.one_of(st.none(), certification_histories()),
    raw=CREDITS,
    on_days=st.integers(min_value=0, max_value=6 * 365),
)
def test_a_required_certification_is_met_exactly_when_held_on_the_day_judged(
    cert: LicenseState | None, raw: list[tuple[int, int, str, bool]], on_days: int
) -> None:
    """The part is met iff ``held_on`` says the certification is held on the cycle's end
    (or the day judged, if earlier); not held, the cycle is never compliant, cured or
    exempt; held, the verdict is the one the same rule without it gives."""
    credits = drawn_credits(raw)
    on = date(2023, 1, 1) + timedelta(days=on_days)
    held = () if cert is None else (cert,)
    result = judged(credits, on, *held)
    day = min(on, result.cycle_end)
    holds = cert is not None and held_on(cert.held_periods(), day)
    assert (result.part("national").status == "met") is holds
    hours_only = judged(credits, on, *held, doc={**REQUIRED, "required_certifications": []})
    if holds:
        assert (result.status, result.missing) == (hours_only.status, hours_only.missing)
    else:
        assert result.status in ("in_progress", "deficient")
        assert result.missing == (*hours_only.missing, ("national", 1))

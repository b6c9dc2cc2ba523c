"""Certifications as the clinician's records: held when, read by which pathway (#13, #19)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from credtrail.core.compliance import judge, with_clinician_facts
from credtrail.core.domain import LicenseState, held_on
from credtrail.core.models import Certification, Citation
from credtrail.core.rules.result import Evaluation

from .support import credit, document, license, make_registry

REGISTRY = make_registry()
REGISTRY.certifications["xx-cert"] = Certification(
    code="xx-cert",
    name="A national certification",
    certifier="XX-C",
    professions=("pa",),
    requirement="xx-cme",
    counts_as=("national-certification",),
    source=Citation(authority="XX-C", document="test", date_read=date(2026, 12, 7)),
)
PROPERTY = settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# A PA board accepting current certification in lieu of its hours, its own mandate
# remaining (17 DCMR § 4907.3 and § 4906.4(c), as us-dc-pa encodes it).
IN_LIEU = document(
    authority="XX-B",
    professions=["pa"],
    credit_types=["aapa_1", "aapa_2"],
    cycle={"kind": "fixed", "anchor": "2023-01-01", "length_months": 24},
    total={"units": 20},
    parts=[
        {"id": "category-1", "units": 10, "types": ["aapa_1"]},
        {"id": "mandate", "units": 2, "types": ["aapa_1"], "topics": ["ethics"]},
    ],
    pathways=[
        {
            "id": "certification",
            "certifications": ["xx-cert"],
            "satisfies": "parts",
            "exempts": ["total", "category-1"],
        }
    ],
)
LICENCE = license(date(2015, 1, 1), requirement="us-xx-test")
MET = ("compliant", "cured", "exempt")


def certification(
    issued: date,
    expires: date | None,
    *,
    renewals: tuple[tuple[date, date], ...] = (),
    ended: date | None = None,
    code: str = "xx-cert",
) -> LicenseState:
    """A certification as ``CertificationRecorded`` and its renewals and end leave it."""
    cert = LicenseState(
        license_id=f"{code}#2",
        requirement_id="xx-cme",
        issued_on=issued,
        expires_on=expires,
        birth_date=None,
        number=None,
        kind="certification",
        certification=code,
        certifier="XX-C",
    )
    for renewed_on, new_expiry in renewals:
        cert.record_renewal(renewed_on, new_expiry)
    cert.ended_on = ended
    return cert


def judged(credits: list[Any], on: date, *held: LicenseState) -> Evaluation:
    return judge([IN_LIEU], credits, LICENCE, REGISTRY, on, credentials=[LICENCE, *held])


def test_a_late_renewal_leaves_a_lapse_and_an_end_cuts_the_last_period() -> None:
    """Held from issue to expiry; renewed after the expiry, not held in between; not after
    the day it ended."""
    cert = certification(
        date(2018, 6, 1),
        date(2020, 12, 31),
        renewals=((date(2020, 11, 1), date(2022, 12, 31)), (date(2023, 2, 1), date(2024, 12, 31))),
        ended=date(2024, 3, 1),
    )
    assert cert.held_periods() == [
        (date(2018, 6, 1), date(2022, 12, 31)),
        (date(2023, 2, 1), date(2024, 3, 1)),
    ]
    periods = cert.held_periods()
    assert held_on(periods, date(2022, 12, 31))
    assert not held_on(periods, date(2023, 1, 15))
    assert held_on(periods, date(2024, 3, 1))
    assert not held_on(periods, date(2024, 3, 2))
    assert certification(date(2018, 6, 1), None).held_periods() == [(date(2018, 6, 1), None)]


def test_a_recorded_certification_is_read_by_another_licence_s_pathway() -> None:
    """The certification is the clinician's: the board licence's pathway reads it, under
    its code and the names its vocabulary counts it as; exams recorded anywhere too."""
    other = license(date(2010, 1, 1), requirement="other").model_copy(
        update={"exams": [("PANRE-LA", date(2024, 10, 1))]}
    )
    cert = certification(date(2018, 6, 1), date(2026, 12, 31))
    facts = with_clinician_facts(LICENCE, [LICENCE, other, cert], REGISTRY)
    assert facts.exams == [("PANRE-LA", date(2024, 10, 1))]
    assert sorted(name for name, _, _ in facts.certifications) == [
        "national-certification",
        "xx-cert",
    ]
    mandate = credit(2, date(2024, 3, 1), "aapa_1", accreditor="AAPA", topics=("ethics",))
    result = judged([mandate], date(2024, 12, 31), cert)
    assert (result.status, result.pathway) == ("compliant", "certification")
    assert result.part("mandate").status == "met"
    assert judged([], date(2024, 12, 31), cert).missing == (("mandate", 2),)


def test_a_certification_lapsed_at_the_cycle_s_end_is_not_counted() -> None:
    """Expired during the cycle and not renewed: the hours are owed as if none were held."""
    lapsed = certification(date(2018, 6, 1), date(2024, 6, 30))
    result = judged([], date(2024, 12, 31), lapsed)
    assert result.pathway is None
    assert dict(result.missing) == {"total": 20, "category-1": 10, "mandate": 2}


_DAYS = st.integers(min_value=0, max_value=6 * 365)
_START = date(2020, 1, 1)


@st.composite
def certification_histories(draw: st.DrawFn) -> LicenseState:
    issued = _START + timedelta(days=draw(_DAYS))
    expires = issued + timedelta(days=draw(st.integers(min_value=1, max_value=3 * 365)))
    renewals = []
    for _ in range(draw(st.integers(min_value=0, max_value=2))):
        renewed_on = expires + timedelta(days=draw(st.integers(min_value=-60, max_value=200)))
        renewed_on = max(renewed_on, issued)
        expires = expires + timedelta(days=draw(st.integers(min_value=30, max_value=2 * 365)))
        renewals.append((renewed_on, expires))
    ended = (
        issued + timedelta(days=draw(st.integers(min_value=0, max_value=5 * 365)))
        if draw(st.booleans())
        else None
    )
    return certification(issued, expires, renewals=tuple(renewals), ended=ended)


CREDITS = st.lists(
    st.tuples(
        st.integers(min_value=0, max_value=4 * 365),
        st.integers(min_value=1, max_value=12),
        st.sampled_from(["aapa_1", "aapa_2"]),
        st.booleans(),
    ),
    max_size=6,
)


def drawn_credits(raw: list[tuple[int, int, str, bool]]) -> list[Any]:
    """``CREDITS``' draws as credits: (days after 2023-01-01, units, type, on ethics)."""
    return [
        credit(
            units,
            date(2023, 1, 1) + timedelta(days=days),
            kind,
            accreditor="AAPA" if kind == "aapa_1" else None,
            topics=("ethics",) if ethics else (),
            credit_id=f"c{i}",
        )
        for i, (days, units, kind, ethics) in enumerate(raw)
    ]


@PROPERTY
@given(
    cert=certification_histories(),
    raw=CREDITS,
    on_days=st.integers(min_value=0, max_value=6 * 365),
)
def test_holding_a_certification_never_makes_a_clinician_less_compliant(
    cert: LicenseState, raw: list[tuple[int, int, str, bool]], on_days: int
) -> None:
    """A certification held on the judged cycle's end never turns a met requirement into an
    unmet one, never adds a missing unit; one not held then (lapsed, ended, not yet
    issued) changes nothing."""
    credits = drawn_credits(raw)
    on = date(2023, 1, 1) + timedelta(days=on_days)
    without = judged(credits, on)
    with_cert = judged(credits, on, cert)
    day = min(on, without.cycle_end)
    if held_on(cert.held_periods(), day):
        assert with_cert.pathway == "certification"
        if without.status in MET:
            assert with_cert.status in MET
        for part in with_cert.parts:
            assert part.missing <= without.part(part.part).missing
    else:
        assert with_cert.pathway is None
        assert (with_cert.status, with_cert.missing) == (without.status, without.missing)

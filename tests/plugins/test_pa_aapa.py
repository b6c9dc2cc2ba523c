"""AAPA/NCCPA CME: Category 1 equivalences per authority (G03, G04) and AAPA formats."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from credtrail.core.application import Credtrail, EarnRequest
from credtrail.core.errors import InputError
from credtrail.core.registry import Registry
from credtrail.plugins.pa_aapa import designate_credit, plugin, preceptor_credit

MakeRequest = Callable[..., EarnRequest]
Rejections = Callable[[EarnRequest], set[str]]


def _category_1_for(registry: Registry, ledger: Credtrail, authority: str) -> Decimal:
    """Units of the PA's recorded credit that count as AAPA Category 1 for ``authority``."""
    total = Decimal(0)
    for credit in ledger.ledger("pa-a").credits.values():
        ratio = registry.counts_as(credit.credit_type, "aapa_1", authority)
        if ratio is not None:
            total += credit.units * ratio
    return total


def test_g03_ama_category_1_completes_the_nccpa_category_1_minimum(
    registry: Registry, ledger: Credtrail, make_request: MakeRequest
) -> None:
    """G03: 40 AAPA Cat 1 + 60 Cat 2 is 40 Cat 1; adding 10 ACCME AMA PRA Cat 1 makes 50."""
    ledger.earn(make_request("pa-a", "aapa_1", 40, accreditor="AAPA"))
    ledger.earn(make_request("pa-a", "aapa_2", 60))
    assert _category_1_for(registry, ledger, "NCCPA") == 40
    ledger.earn(make_request("pa-a", "ama_pra_1", 10, accreditor="ACCME"))
    assert _category_1_for(registry, ledger, "NCCPA") == 50


def test_g04_sa_and_pi_count_at_face_value_for_a_state_board(
    registry: Registry, ledger: Credtrail, make_request: MakeRequest
) -> None:
    """G04: 10 SA + 30 PI + 35 Cat 2 is 40 Category 1 at face value (NCCPA weights separately)."""
    ledger.earn(make_request("pa-a", "nccpa_sa_cme", 10, accreditor="AAPA"))
    ledger.earn(make_request("pa-a", "nccpa_pi_cme", 30, accreditor="ACCME"))
    ledger.earn(make_request("pa-a", "aapa_2", 35))
    assert _category_1_for(registry, ledger, "TX-PAB") == 40
    assert _category_1_for(registry, ledger, "NCCPA") == 40


@pytest.mark.parametrize(
    ("from_type", "authorities"),
    [
        ("ama_pra_1", {"NCCPA", "CA-PAB", "NE-DHHS"}),
        ("aoa_1a", {"NCCPA", "CA-PAB", "NE-DHHS"}),
        ("aafp_prescribed", {"NCCPA", "CA-PAB"}),
    ],
)
def test_other_category_1_counts_only_where_the_authority_lists_it(
    registry: Registry, from_type: str, authorities: set[str]
) -> None:
    """NCCPA, CA and NE list other sponsors' Category 1; TX §185.6 names only AAPA sponsors;
    the state boards list theirs in the [[equivalence]] entries of authorities/*.toml."""
    in_files = {(e.from_type, code) for e in plugin.file_equivalences() for code in e.authorities}
    pa_authorities = {c for c, a in registry.authorities.items() if a.professions == ("pa",)}
    for authority in pa_authorities:
        listed = (from_type, authority) in in_files
        expected = Decimal(1) if authority in authorities or listed else None
        assert registry.counts_as(from_type, "aapa_1", authority) == expected, authority


def test_state_board_equivalences_name_registered_pa_boards(registry: Registry) -> None:
    """Each [[equivalence]] of authorities/*.toml names PA boards and applies to them only."""
    for equivalence in plugin.file_equivalences():
        assert equivalence.authorities, equivalence
        for code in equivalence.authorities:
            assert registry.authorities[code].professions == ("pa",), code
            assert registry.counts_as(equivalence.from_type, equivalence.to_type, code) == 1


def test_category_2_never_counts_as_category_1(registry: Registry) -> None:
    """No authority counts AAPA or AMA PRA Category 2 as AAPA Category 1."""
    for authority in [*registry.authorities, None]:
        assert registry.counts_as("aapa_2", "aapa_1", authority) is None
        assert registry.counts_as("ama_pra_2", "aapa_1", authority) is None


@given(st.integers(min_value=0, max_value=100_000))
def test_aapa_credit_is_the_nearest_quarter_hour(minutes: int) -> None:
    """AAPA clock hours round to the nearest quarter hour, like the AMA's (G01)."""
    credit = designate_credit(minutes)
    assert credit % Decimal("0.25") == 0
    assert abs(credit * 60 - minutes) <= Decimal("7.5")


def test_preceptor_credit_is_two_per_student_week() -> None:
    """2 students for 3 weeks earn 12 AAPA Category 1 credits; negatives are refused."""
    assert preceptor_credit(6) == 12
    with pytest.raises(InputError):
        preceptor_credit(-1)


def test_preceptor_credit_must_be_whole_student_weeks(
    ledger: Credtrail, make_request: MakeRequest, rejections: Rejections
) -> None:
    """Preceptor credit of 6 records; 5 is refused by aapa-preceptor-rate."""
    ledger.earn(make_request("pa-a", "aapa_1", 6, accreditor="AAPA", format="preceptor"))
    req = make_request("pa-a", "aapa_1", 5, accreditor="AAPA", format="preceptor")
    assert rejections(req) == {"aapa-preceptor-rate"}


def test_preceptor_credit_comes_from_aapa(
    make_request: MakeRequest, rejections: Rejections
) -> None:
    """Preceptor credit from a JA provider is refused by aapa-preceptor-aapa."""
    req = make_request("pa-a", "aapa_1", 2, accreditor="JA", format="preceptor")
    assert rejections(req) == {"aapa-preceptor-aapa"}


def test_certification_programs_are_aapa_preapproved(
    ledger: Credtrail, make_request: MakeRequest, rejections: Rejections
) -> None:
    """A certification program (ACLS) is AAPA Category 1 from AAPA; as SA-CME it is refused."""
    ok = make_request("pa-a", "aapa_1", 8, accreditor="AAPA", format="certification-program")
    ledger.earn(ok)
    bad = make_request(
        "pa-a", "nccpa_sa_cme", 8, accreditor="ACCME", format="certification-program"
    )
    assert rejections(bad) == {"nccpa-certification-program-aapa"}


def test_aapa_category_1_from_a_nursing_accreditor_is_refused(
    make_request: MakeRequest, rejections: Rejections
) -> None:
    """AAPA Category 1 from an ANCC provider, and Category 2 with AAPA, are refused."""
    ancc = make_request("pa-a", "aapa_1", 1, accreditor="ANCC")
    assert rejections(ancc) == {"aapa_1-accepted-accreditors"}
    cat2 = make_request("pa-a", "aapa_2", 1, accreditor="AAPA")
    assert rejections(cat2) == {"aapa_2-self-claimed"}

"""The three built-in plugins register a coherent, fully cited catalogue."""

from __future__ import annotations

import copy
import re
from datetime import date
from decimal import Decimal

import pytest

from credtrail.core.errors import DuplicateRegistrationError
from credtrail.core.models import ACRONYM_PATTERN, TOPIC_PATTERN, Citation
from credtrail.core.plugins import build_plugin_manager
from credtrail.core.registry import Registry, build_registry
from credtrail.plugins import physician_ama
from credtrail.plugins._common import DATE_READ
from credtrail.plugins.topics import KNOWN_TOPICS

CREDIT_TYPES = {
    "ama_pra_1": ("physician", Decimal("0.25"), ("ACCME", "SMS", "JA", "AMA"), True),
    "ama_pra_2": ("physician", Decimal("0.25"), (), False),
    "aoa_1a": ("physician", Decimal("0.25"), ("AOA",), True),
    "aafp_prescribed": ("physician", Decimal("0.25"), ("AAFP",), True),
    "ancc_contact_hour": ("nurse", Decimal("0.01"), ("ANCC", "JA"), True),
    "aanp_contact_hour": ("nurse", Decimal("0.01"), ("AANP",), True),
    "np_practice_hour": ("nurse", Decimal("0.01"), (), False),
    "aapa_1": ("pa", Decimal("0.25"), ("AAPA", "JA"), True),
    "aapa_2": ("pa", Decimal("0.25"), (), False),
    "nccpa_sa_cme": ("pa", Decimal("0.25"), ("AAPA", "JA", "ACCME", "SMS", "AOA", "AAFP"), True),
    "nccpa_pi_cme": ("pa", Decimal("0.25"), ("AAPA", "JA", "ACCME", "SMS", "AOA", "AAFP"), True),
} | {  # MOC points reported through PARS, one type per board (issue 16)
    f"moc_{board}": ("physician", Decimal("0.25"), ("ACCME", "JA"), True)
    for board in ("aba", "abim", "abohns", "abos", "abp", "abpath", "abs", "abts")
}

AUTHORITIES = {
    "AMA": ("physician", True),
    "CA-MBC": ("physician", False),
    "TX-TMB": ("physician", False),
    "FL-BOM": ("physician", False),
    "NY-DOH": ("physician", False),
    "PA-SBM": ("physician", False),
    "OH-SMB": ("physician", False),
    "IL-IDFPR": ("physician", False),
    "MA-BORIM": ("physician", False),
    "ANCC": ("nurse", True),
    "AANP": ("nurse", True),
    "CA-BRN": ("nurse", False),
    "TX-BON": ("nurse", False),
    "FL-BON": ("nurse", False),
    "MN-BON": ("nurse", False),
    "NC-BON": ("nurse", False),
    "NCCPA": ("pa", True),
    "CA-PAB": ("pa", False),
    "TX-PAB": ("pa", False),
    "NE-DHHS": ("pa", False),
}


def test_professions_have_their_labels(registry: Registry) -> None:
    """physician, nurse and pa are registered, the physician as 'Physician (MD/DO)'."""
    assert set(registry.professions) == {"physician", "nurse", "pa"}
    assert registry.professions["physician"].label == "Physician (MD/DO)"


def test_credit_types_have_their_rules(registry: Registry) -> None:
    """Every built-in credit type has the profession, increment and accreditors pinned here."""
    assert set(registry.credit_types) == set(CREDIT_TYPES)
    for code, (profession, increment, accreditors, required) in CREDIT_TYPES.items():
        ct = registry.credit_types[code]
        assert (ct.profession, ct.increment, ct.accreditors, ct.requires_accreditor) == (
            profession,
            increment,
            accreditors,
            required,
        ), code


def test_category_2_types_are_self_claimed(registry: Registry) -> None:
    """Category 2 types (and practice hours, which are not CE) accept no accreditor;
    every other type requires one."""
    for ct in registry.credit_types.values():
        self_claimed = not ct.requires_accreditor and not ct.accreditors
        assert (ct.category in ("2", "practice")) == self_claimed


def test_authorities_and_claiming(registry: Registry) -> None:
    """Certifying bodies and the AMA award count claimed credit; boards count earned credit."""
    assert set(AUTHORITIES) | {"DEA"} <= set(registry.authorities)
    # The federal DEA (plugin federal) binds every profession.
    assert registry.authorities["DEA"].professions == ("physician", "nurse", "pa")
    boards = set(registry.authorities) - set(AUTHORITIES) - {"DEA"}
    for code in boards:  # boards in authorities/*.toml
        assert registry.authorities[code].requires_claim is False, code
        assert re.match(ACRONYM_PATTERN, code)
    for code, (profession, requires_claim) in AUTHORITIES.items():
        auth = registry.authorities[code]
        assert auth.professions == (profession,), code
        assert auth.requires_claim is requires_claim, code
        assert re.match(ACRONYM_PATTERN, code)


def test_each_accreditor_registered_once_by_its_owner(registry: Registry) -> None:
    """Shared accreditors (ACCME, JA) belong to physician_ama; each plugin owns its own."""
    owners = {code: registry.owner("accreditor", code) for code in registry.accreditors}
    assert owners == {
        "ACCME": "physician_ama",
        "SMS": "physician_ama",
        "JA": "physician_ama",
        "AMA": "physician_ama",
        "AOA": "physician_ama",
        "AAFP": "physician_ama",
        "ANCC": "nursing_ancc",
        "AANP": "nursing_ancc",
        "AAPA": "pa_aapa",
    }


def _all_citations(registry: Registry) -> list[tuple[str, Citation]]:
    found: list[tuple[str, Citation]] = []
    found += [(f"credit type {c}", ct.source) for c, ct in registry.credit_types.items()]
    found += [(f"accreditor {c}", a.source) for c, a in registry.accreditors.items()]
    found += [(f"authority {c}", a.source) for c, a in registry.authorities.items()]
    found += [(f"equivalence {e.from_type}->{e.to_type}", e.source) for e in registry.equivalences]
    return found


def test_everything_registered_cites_a_readable_source(registry: Registry) -> None:
    """Each type, accreditor, authority and equivalence cites a url read on DATE_READ."""
    citations = _all_citations(registry)
    # 20 built-in authorities, plus the boards of authorities/*.toml (issue 18, read 2026-12-07)
    assert len(citations) == 11 + 8 + 9 + len(registry.authorities) + len(registry.equivalences)
    assert len(registry.authorities) >= 20
    for where, source in citations:
        assert source.url, where
        assert source.url.startswith(("http://", "https://")), where
        assert DATE_READ <= source.date_read <= date.today(), where  # later research reads later


def test_unconfirmed_increments_say_so(registry: Registry) -> None:
    """Increments no source states are flagged in the citation's note."""
    for code in ("ancc_contact_hour", "aanp_contact_hour", "ama_pra_2", "aoa_1a", "aapa_2"):
        note = registry.credit_types[code].source.note or ""
        assert "unconfirmed" in note, code


def test_topic_vocabulary_is_slugs() -> None:
    """Every known topic is a lowercase slug with a description."""
    for slug, description in KNOWN_TOPICS.items():
        assert re.match(TOPIC_PATTERN, slug), slug
        assert description.strip(), slug


def test_registering_a_plugin_twice_is_refused() -> None:
    """A second copy of a plugin under another name clashes on its first code."""
    pm = build_plugin_manager(
        [("physician_ama", physician_ama.plugin)],
        extra=[("physician_copy", copy.copy(physician_ama.plugin))],
        load_entrypoints=False,
    )
    with pytest.raises(DuplicateRegistrationError, match="already registered by plugin"):
        build_registry(pm)

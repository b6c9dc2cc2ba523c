"""Physician assistant data: AAPA CME, NCCPA certification maintenance, PA boards.

Sources are those of research.md §1.4 and §2.3, read 2026-11-23. Credit types and
equivalences name ACCME, JA, ama_pra_1, ... registered by physician_ama: load both.
"""

from __future__ import annotations

from decimal import Decimal

from credtrail.core import Authority, CreditType, Equivalence, Profession
from credtrail.plugins._common import cite
from credtrail.plugins.accreditors import AAPA_ACCREDITATION

PA = Profession(code="pa", label="Physician Assistant (PA)")

# -- citations ----------------------------------------------------------------------

AAPA_PRECEPTOR = cite(
    "AAPA",
    "AAPA CME accreditation: PA preceptorship credit update",
    url="https://www.aapa.org/cme-central/aapa-cme-accreditation/",
    section="2 AAPA Category 1 CME credits per PA student per 40-hour week; the former "
    "limit of 20 no longer applies",
)
AAPA_FAQ = cite(
    "AAPA",
    "CME FAQs: types of CME",
    url="https://www.aapa.org/cme-central/cme-faqs/",
    section="Category 1, Category 1 Self-Assessment CME, Category 1 PI-CME; Category 2",
    note="The 0.25 increment of Category 2 is assumed as for Category 1: unconfirmed.",
)
NCCPA_CATEGORY_TYPES = cite(
    "NCCPA",
    "Category 1 and 2 CME",
    url="https://www.nccpa.net/CMECategoryTypes",
    section="accepted Category 1: AAPA; AMA PRA Category 1 from ACCME or a recognized "
    "state medical society; AOA 1A; AAFP Prescribed; ...; SA-CME and PI-CME are Category 1",
)
NCCPA_CERT_PROGRAMS = cite(
    "NCCPA",
    "Category 1 and 2 CME: certification programs",
    url="https://www.nccpa.net/CMECategoryTypes",
    section="certification programs preapproved (sponsored) by AAPA; the same program "
    "counts once per calendar year and at most twice per logging cycle",
)
NCCPA_MAINTAIN = cite(
    "NCCPA",
    "Maintain certification; Continuing medical education",
    url="https://www.nccpa.net/maintain-certification",
    section="every 2 years log 100 CME including 50 Category 1, earned from May 1 of the "
    "issue year to Dec 31 of the expiration year",
)
SA_PI_FACE_VALUE = cite(
    "NCCPA",
    "Questions and answers on SA-CME and PI-CME",
    url="https://www.nccpa.net/qanda",
    section="SA-CME and PI-CME are Category 1; NCCPA alone adds 50% to SA-CME and "
    "doubles the first 20 PI-CME credits per cycle",
    note="Counted here at face value (ratio 1); the NCCPA-only weighting belongs in "
    "NCCPA's requirement. That states take face value is from kentuckypa.org (secondary).",
)
CA_PAB = cite(
    "Physician Assistant Board of California",
    "Continuing medical education information (16 CCR §§1399.615-1399.616)",
    url="https://www.pab.ca.gov/licensees/cmeregs.shtml",
    section="approved if designated Category I by AAPA, AMA, AOACCME, AAFP, ACCME or a "
    "state medical society recognized by the ACCME",
)
NE_DHHS = cite(
    "Nebraska Department of Health and Human Services, Licensure Unit",
    "Physician assistant continuing education",
    url="http://dhhs.ne.gov/publichealth/Pages/crl_medical_medsur_pa_ce.aspx",
    section="50 hours of Category 1 approved by ACCME, AOA or AAPA in the 24 months "
    "before expiry (carry over up to 25), or NCCPA re-registration",
    note="An older copy of the page: confirm it is current before relying on it.",
)
TX_185_6 = cite(
    "Texas Physician Assistant Board",
    "22 Tex. Admin. Code §185.6, Biennial renewal of license",
    url="https://www.tmb.state.tx.us/apply-renew/physician-assistant/"
    "continuing-education-requirements-physician-assistants",
    section="(b)(1) at least 20 hours designated for Category I credit by a CME sponsor "
    "approved by AAPA, or approved by the board",
    note="AMA PRA Category 1 is not listed, so no equivalence into aapa_1 holds for TX-PAB.",
)

# -- accreditors --------------------------------------------------------------------


# -- credit types -------------------------------------------------------------------

QUARTER = Decimal("0.25")
CATEGORY_1_SPONSORS = ("AAPA", "JA", "ACCME", "SMS", "AOA", "AAFP")
"""Whose Category 1 activities NCCPA accepts (NCCPA_CATEGORY_TYPES), as registered codes."""

CREDIT_TYPES = (
    CreditType(
        code="aapa_1",
        label="AAPA Category 1 CME",
        profession="pa",
        unit="credit",
        increment=QUARTER,
        accreditors=("AAPA", "JA"),
        category="1",
        source=AAPA_ACCREDITATION,
    ),
    CreditType(
        code="aapa_2",
        label="AAPA Category 2 CME (self-claimed)",
        profession="pa",
        unit="credit",
        increment=QUARTER,
        accreditors=(),
        requires_accreditor=False,
        category="2",
        source=AAPA_FAQ,
    ),
    CreditType(
        code="nccpa_sa_cme",
        label="Category 1 Self-Assessment CME (NCCPA SA-CME)",
        profession="pa",
        unit="credit",
        increment=QUARTER,
        accreditors=CATEGORY_1_SPONSORS,
        category="1",
        source=NCCPA_CATEGORY_TYPES,
    ),
    CreditType(
        code="nccpa_pi_cme",
        label="Category 1 Performance Improvement CME (NCCPA PI-CME)",
        profession="pa",
        unit="credit",
        increment=QUARTER,
        accreditors=CATEGORY_1_SPONSORS,
        category="1",
        source=NCCPA_CATEGORY_TYPES,
    ),
)


CERTIFICATION_PROGRAM = "certification-program"
"""``format`` of an AAPA-preapproved certification program (ACLS and the like)."""
PRECEPTOR = "preceptor"
"""``format`` of AAPA preceptorship credit."""
PRECEPTOR_CREDITS_PER_STUDENT_WEEK = Decimal(2)

# -- authorities --------------------------------------------------------------------

AUTHORITIES = (
    Authority(
        code="NCCPA",
        name="National Commission on Certification of Physician Assistants "
        "(certification maintenance)",
        credential="PA-C certification",
        credential_kind="certification",
        professions=("pa",),
        jurisdiction="US",
        requires_claim=True,  # only CME logged with NCCPA counts
        source=NCCPA_MAINTAIN,
    ),
    Authority(
        code="CA-PAB",
        name="Physician Assistant Board of California",
        credential="Physician assistant (PA) licence",
        professions=("pa",),
        jurisdiction="US-CA",
        source=CA_PAB,
    ),
    Authority(
        code="TX-PAB",
        name="Texas Physician Assistant Board",
        credential="Physician assistant (PA) licence",
        professions=("pa",),
        jurisdiction="US-TX",
        source=TX_185_6,
    ),
    Authority(
        code="NE-DHHS",
        name="Nebraska DHHS Licensure Unit (physician assistants)",
        credential="Physician assistant (PA) licence",
        professions=("pa",),
        jurisdiction="US-NE",
        source=NE_DHHS,
    ),
)

# -- equivalences -------------------------------------------------------------------

EQUIVALENCES: tuple[Equivalence, ...] = (
    # Other sponsors' Category 1, only where an authority's text lists the sponsor.
    Equivalence(
        from_type="ama_pra_1", to_type="aapa_1", authorities=("NCCPA",), source=NCCPA_CATEGORY_TYPES
    ),
    Equivalence(from_type="ama_pra_1", to_type="aapa_1", authorities=("CA-PAB",), source=CA_PAB),
    Equivalence(from_type="ama_pra_1", to_type="aapa_1", authorities=("NE-DHHS",), source=NE_DHHS),
    Equivalence(
        from_type="aoa_1a", to_type="aapa_1", authorities=("NCCPA",), source=NCCPA_CATEGORY_TYPES
    ),
    Equivalence(from_type="aoa_1a", to_type="aapa_1", authorities=("CA-PAB",), source=CA_PAB),
    Equivalence(from_type="aoa_1a", to_type="aapa_1", authorities=("NE-DHHS",), source=NE_DHHS),
    Equivalence(
        from_type="aafp_prescribed",
        to_type="aapa_1",
        authorities=("NCCPA",),
        source=NCCPA_CATEGORY_TYPES,
    ),
    Equivalence(
        from_type="aafp_prescribed", to_type="aapa_1", authorities=("CA-PAB",), source=CA_PAB
    ),
    # SA-CME and PI-CME are Category 1 everywhere, at face value.
    Equivalence(from_type="nccpa_sa_cme", to_type="aapa_1", source=SA_PI_FACE_VALUE),
    Equivalence(from_type="nccpa_pi_cme", to_type="aapa_1", source=SA_PI_FACE_VALUE),
)

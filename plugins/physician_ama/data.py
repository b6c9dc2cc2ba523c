"""Physician (MD/DO) data: AMA PRA credit, its accreditors, the AMA award and boards.

Sources are those of research.md §1.1-1.2 and §2.1, read 2026-11-23. Where a fact is
only in a secondary source or not found, the citation's ``confidence`` says so.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from credtrail.core import Authority, CreditType, Equivalence, Profession
from credtrail.plugins._common import cite

PHYSICIAN = Profession(code="physician", label="Physician (MD/DO)")

# -- citations ----------------------------------------------------------------------

PRA_BOOKLET = cite(
    "American Medical Association",
    "The Physician's Recognition Award and credit system (2006 booklet), as quoted by "
    "Boston University Chobanian & Avedisian SOM CME, 'CME Credit'",
    url="https://www.bumc.bu.edu/cme/activity-planning/cme-credit/",
    section="60 minutes = 1 credit; 15-minute / 0.25-credit increments; nearest quarter hour",
    confidence="secondary",
)
PRA_AWARD = cite(
    "American Medical Association",
    "Apply for the AMA Physician's Recognition Award",
    url="https://www.ama-assn.org/education/apply-ama-physician-recognition-award",
    note="The Category 1 minimums of the 1/2/3-year certificates were not found in any "
    "source read (research.md §1.1).",
)
TX_161_35 = cite(
    "Texas Medical Board",
    "22 Tex. Admin. Code §161.35, Continuing medical education",
    url="https://www.tmb.state.tx.us",
    section="(a): formal hours are AMA PRA Category 1, also AOA Category 1-A and AAFP "
    "prescribed credit",
)

# -- accreditors --------------------------------------------------------------------


# -- credit types -------------------------------------------------------------------

QUARTER = Decimal("0.25")

CREDIT_TYPES: tuple[CreditType, ...] = (
    CreditType(
        code="ama_pra_1",
        label="AMA PRA Category 1 Credit™",
        profession="physician",
        unit="credit",
        increment=QUARTER,
        accreditors=("ACCME", "SMS", "JA", "AMA"),
        category="1",
        source=PRA_BOOKLET,
    ),
    CreditType(
        code="ama_pra_2",
        label="AMA PRA Category 2 Credit™",
        profession="physician",
        unit="credit",
        increment=QUARTER,
        accreditors=(),
        requires_accreditor=False,
        category="2",
        source=cite(
            "American Medical Association",
            "The Physician's Recognition Award and credit system (2006 booklet), as quoted "
            "by Boston University CME, 'CME Credit'",
            url="https://www.bumc.bu.edu/cme/activity-planning/cme-credit/",
            section="Category 2 is self-designated and self-claimed; accredited providers "
            "do not designate it",
            confidence="secondary",
            note="The 0.25 increment is assumed to be the same as Category 1: unconfirmed.",
        ),
    ),
    CreditType(
        code="aoa_1a",
        label="AOA Category 1-A CME credit",
        profession="physician",
        unit="credit",
        increment=QUARTER,
        accreditors=("AOA",),
        category="1",
        source=cite(
            "NCCPA",
            "Category 1 and 2 CME",
            url="https://www.nccpa.net/CMECategoryTypes",
            section="AOA Category 1A Credit by the AOACCME",
            note="The 0.25 increment was not found in an AOA source: unconfirmed.",
        ),
    ),
    CreditType(
        code="aafp_prescribed",
        label="AAFP Prescribed credit",
        profession="physician",
        unit="credit",
        increment=QUARTER,
        accreditors=("AAFP",),
        category="1",
        source=cite(
            "NCCPA",
            "Category 1 and 2 CME",
            url="https://www.nccpa.net/CMECategoryTypes",
            section="AAFP Prescribed Credit by the American Academy of Family Physicians",
            note="The 0.25 increment was not found in an AAFP source: unconfirmed.",
        ),
    ),
)

# -- MOC points a provider reports through PARS ----------------------------------------

PARS_ACTIVITY_SCHEMA = cite(
    "ACCME",
    "PARS activity JSON schema, draft v0.1.2 (accme-pars-activity.schema_v0_1_2.json)",
    url="https://github.com/elliottACCME/tempSchema",
    section="MOCRegistration.boardName enum; mocPoints 'MOC/CC points (minimum increments "
    "of 0.25)'; learner reports: activityCertification 'See board-specific values', "
    "creditUnit 'Point'",
    confidence="secondary",
    note="A draft, unofficial schema; ACCME's Appendix G (board-specific MOC credit types) "
    "was not read, so each board's points are one credit type, not one per MOC category.",
)

MOC_BOARDS = {
    "ABA": "American Board of Anesthesiology",
    "ABIM": "American Board of Internal Medicine",
    "ABOHNS": "American Board of Otolaryngology - Head and Neck Surgery",
    "ABOS": "American Board of Orthopaedic Surgery",
    "ABP": "American Board of Pediatrics",
    "ABPATH": "American Board of Pathology",
    "ABS": "American Board of Surgery",
    "ABTS": "American Board of Thoracic Surgery",
}
"""The boards PARS registers MOC for (the activity schema's ``boardName`` enum)."""

MOC_CREDIT_TYPES = tuple(
    CreditType(
        code=f"moc_{board.lower()}",
        label=f"{board} MOC points",
        profession="physician",
        unit="point",
        increment=QUARTER,
        accreditors=("ACCME", "JA"),
        source=PARS_ACTIVITY_SCHEMA,
    )
    for board in MOC_BOARDS
)

CREDIT_TYPES = (*CREDIT_TYPES, *MOC_CREDIT_TYPES)


# -- AMA direct credit --------------------------------------------------------------

DIRECT_PREFIX = "direct:"
MOC_CUTOFF = date(2010, 9, 1)
"""ABMS certification or MOC completed on or after this date earns 60, before it 25."""

DIRECT_CREDIT: dict[str, tuple[str, Decimal]] = {
    "direct:article": ("first author of a peer-reviewed article in a MEDLINE journal", Decimal(10)),
    "direct:poster": (
        "first author of a poster in the published abstracts of a Category 1 conference",
        Decimal(5),
    ),
    "direct:degree": ("a medically related master's or doctoral degree", Decimal(25)),
    "direct:moc": ("ABMS board certification or MOC", Decimal(60)),
    "direct:residency": ("each year of an ACGME residency or fellowship", Decimal(20)),
}
"""``format`` of AMA direct credit -> (what it is, credits awarded); see accreditors.AMA_DIRECT."""

MOC_BEFORE_CUTOFF = Decimal(25)

# -- authorities --------------------------------------------------------------------


# Where osteopathic physicians have a board of their own, the medical board's licence is MD.
_MD_ONLY = ("CA", "FL", "PA")


def _board(
    code: str, name: str, state: str, document: str, url: str, note: str | None = None
) -> Authority:
    return Authority(
        code=code,
        name=name,
        credential="Physician (MD) licence" if state in _MD_ONLY else "Physician (MD/DO) licence",
        professions=("physician",),
        jurisdiction=f"US-{state}",
        requires_claim=False,  # boards take an attestation and audit it afterwards
        source=cite(name, document, url=url, note=note),
    )


AUTHORITIES = (
    Authority(
        code="AMA",
        name="AMA Physician's Recognition Award (PRA)",
        credential="AMA PRA certificate",
        credential_kind="award",
        professions=("physician",),
        jurisdiction="US",
        requires_claim=True,  # credit counts only once claimed in the PRA application
        source=PRA_AWARD,
    ),
    _board(
        "CA-MBC",
        "Medical Board of California",
        "CA",
        "Continuing medical education; 16 CCR §§1336-1338; Bus. & Prof. Code §§2190-2190.5",
        "https://www.mbc.ca.gov",
    ),
    _board(
        "TX-TMB",
        "Texas Medical Board",
        "TX",
        "22 Tex. Admin. Code §161.35; Occ. Code §§156.055, 156.060",
        "https://www.tmb.state.tx.us",
    ),
    _board(
        "FL-BOM",
        "Florida Board of Medicine",
        "FL",
        "Fla. Admin. Code 64B8-13.005; Fla. Stat. §456.0301",
        "https://www.flrules.org/gateway/ruleNo.asp?id=64B8-13.005",
    ),
    _board(
        "NY-DOH",
        "New York State Department of Health (physician infection-control and "
        "controlled-substance training mandates)",
        "NY",
        "N.Y. Public Health Law §239 and §3309-a",
        "https://www.nysenate.gov/legislation/laws/PBH/239",
        note="NY has no general CME hour total; licences are registered with NYSED's "
        "Office of the Professions, the mandates are DOH's.",
    ),
    _board(
        "PA-SBM",
        "Pennsylvania State Board of Medicine",
        "PA",
        "49 Pa. Code §16.19",
        "https://www.pacodeandbulletin.gov/Display/pacode?file=/secure/pacode/data/049/"
        "chapter16/s16.19.html",
    ),
    _board(
        "OH-SMB",
        "State Medical Board of Ohio",
        "OH",
        "Ohio Admin. Code 4731-10",
        "https://codes.ohio.gov/ohio-administrative-code/chapter-4731-10",
    ),
    _board(
        "IL-IDFPR",
        "Illinois Department of Financial and Professional Regulation (physicians)",
        "IL",
        "68 Ill. Adm. Code 1285.110",
        "https://idfpr.illinois.gov",
    ),
    _board(
        "MA-BORIM",
        "Massachusetts Board of Registration in Medicine",
        "MA",
        "243 CMR 2.06",
        "https://www.mass.gov/orgs/board-of-registration-in-medicine",
    ),
)

# -- equivalences -------------------------------------------------------------------

EQUIVALENCES = (
    Equivalence(from_type="aoa_1a", to_type="ama_pra_1", authorities=("TX-TMB",), source=TX_161_35),
    Equivalence(
        from_type="aafp_prescribed", to_type="ama_pra_1", authorities=("TX-TMB",), source=TX_161_35
    ),
)

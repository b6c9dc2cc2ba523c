"""Accreditors of the built-in professions, shared: data, not a plugin.

An accreditor is not owned by one profession (Joint Accreditation accredits for all
of them; ACCME's providers award credit that PAs and nurses count), so the built-in
plugins take the ones their credit types name from here, each registering what it
needs so it loads alone; core merges the same accreditor registered twice.
Nothing here imports a plugin.
"""

from __future__ import annotations

from collections.abc import Iterable

from credtrail.core import Accreditor, CreditType
from credtrail.plugins._common import cite

# -- citations ----------------------------------------------------------------------

AMA_PROVIDER_FAQ = cite(
    "American Medical Association",
    "AMA PRA credit system: FAQ for accredited CME providers",
    url="https://www.ama-assn.org/ama/pub/category/16354.html",
    section="only providers accredited by ACCME or an ACCME-recognized state medical "
    "society (or joint providers with them) designate AMA PRA Category 1 Credit",
)

AMA_DIRECT = cite(
    "American Medical Association",
    "Unconventional ways to earn CME (AMA PRA credit system, credit claimed directly from the AMA)",
    url="https://www.ama-assn.org/education/ama-pra-credit-system/unconventional-ways-earn-cme",
    section="article 10; poster 5; degree 25; ABMS certification/MOC 60 on or after "
    "2010-09-01, 25 before; ACGME residency/fellowship 20 per year",
    note="Teaching at a live activity is also listed, but its text was truncated in the "
    "copy read: not encoded.",
)

JA_LEARNERS = cite(
    "Joint Accreditation for Interprofessional Continuing Education",
    "For learners: the credit types jointly accredited providers may award",
    url="https://jointaccreditation.org/joint-accreditation/for-learners",
    section="AMA PRA Category 1, ANCC contact hours, AAPA Category 1 CME, IPCE, ...",
)

NCCPA_CATEGORY_TYPES = cite(
    "NCCPA",
    "Category 1 and 2 CME",
    url="https://www.nccpa.net/CMECategoryTypes",
    section="AOA Category 1A Credit by the AOACCME; AAFP Prescribed Credit by the AAFP",
)

ANCC_CRITERIA = cite(
    "American Nurses Credentialing Center",
    "ANCC accreditation criteria (2013), as quoted by the Midwest Multistate Division "
    "(an ANCC accredited approver), FAQ 'Contact Hours'",
    url="https://midwestnurses.org/faq_category/contact-hours/",
    section="a contact hour is 60 minutes of an organized learning activity; 1 CEU = 10 "
    "contact hours",
    confidence="secondary",
)

AANP_CE_FAQ = cite(
    "American Association of Nurse Practitioners",
    "Accreditation, CE Center and NP preparation FAQs",
    url="https://www.aanp.org/education/faqs",
    section="1 CH = 60 minutes of education, excluding introductions, breaks, meals and "
    "evaluation; pharmacology CHs are requested up front",
)

AAPA_ACCREDITATION = cite(
    "AAPA",
    "AAPA CME accreditation (eligibility, criteria and policies)",
    url="https://www.aapa.org/cme-central/aapa-cme-accreditation/",
    section="AAPA is the only accreditor for the AAPA Category 1 CME system; credit in "
    "clock hours rounded to the nearest quarter hour",
)

ACCREDITORS: dict[str, Accreditor] = {
    a.code: a
    for a in (
        # physician_ama
        Accreditor(
            code="ACCME",
            name="Accreditation Council for Continuing Medical Education",
            source=AMA_PROVIDER_FAQ,
        ),
        Accreditor(
            code="SMS",
            name="ACCME-recognized state medical society (accredits intrastate CME providers)",
            source=AMA_PROVIDER_FAQ,
        ),
        Accreditor(
            code="JA",
            name="Joint Accreditation for Interprofessional Continuing Education "
            "(ACCME, ACPE and ANCC together)",
            source=JA_LEARNERS,
        ),
        Accreditor(
            code="AMA",
            name="American Medical Association (AMA PRA Category 1 Credit claimed directly "
            "from the AMA)",
            source=AMA_DIRECT,
        ),
        Accreditor(
            code="AOA",
            name="American Osteopathic Association Council on Continuing Medical Education "
            "(AOACCME)",
            source=NCCPA_CATEGORY_TYPES,
        ),
        Accreditor(
            code="AAFP",
            name="American Academy of Family Physicians (Prescribed credit)",
            source=NCCPA_CATEGORY_TYPES,
        ),
        # nursing_ancc
        Accreditor(
            code="ANCC",
            name="American Nurses Credentialing Center, Commission on Accreditation (NCPD)",
            source=ANCC_CRITERIA,
        ),
        Accreditor(
            code="AANP",
            name="American Association of Nurse Practitioners (CE accreditation)",
            source=AANP_CE_FAQ,
        ),
        # pa_aapa
        Accreditor(
            code="AAPA",
            name="American Academy of Physician Associates (AAPA Category 1 CME)",
            source=AAPA_ACCREDITATION,
        ),
    )
}
"""Every accreditor a built-in credit type names, by code."""


def accreditors_for(
    credit_types: Iterable[CreditType], also: Iterable[str] = ()
) -> list[Accreditor]:
    """The accreditors ``credit_types`` accept, and ``also`` (codes), sorted by code."""
    codes = {code for ct in credit_types for code in ct.accreditors} | set(also)
    return [ACCREDITORS[code] for code in sorted(codes)]

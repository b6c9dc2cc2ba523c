"""Nursing data: ANCC and AANP contact hours, ANCC and AANPCB renewal, nursing boards.

Sources are those of research.md §1.3 and §2.2, read 2026-11-23. Credit types name
ACCME and JA, which the physician plugin registers: load both.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from credtrail.core import Authority, CreditType, Equivalence, Profession
from credtrail.plugins._common import cite
from credtrail.plugins.accreditors import AANP_CE_FAQ, ANCC_CRITERIA

NURSE = Profession(code="nurse", label="Nurse (RN/APRN)")

# -- citations ----------------------------------------------------------------------

INCREMENT_NOTE = (
    "No ANCC (or AANP) increment or rounding rule was found (research.md §7): 0.01 "
    "contact hour is a choice, unconfirmed; it never rejects a certificate's hours."
)
ANCC_RENEWAL = cite(
    "American Nurses Credentialing Center",
    "ANCC certification renewal requirements (renewal application, 2010/2011 editions)",
    url="https://www.nursingworld.org/our-certifications/",
    section="every 5 years; 75 contact hours (Category 1) as half of the professional "
    "development; APRNs at least 25 in pharmacotherapeutics from 2014-01-01",
    note="Read in copies of the renewal application; the current form was not read.",
)
AANPCB_RECERT = cite(
    "American Academy of Nurse Practitioners Certification Board (AANPCB)",
    "Recertification",
    url="https://www.aanpcert.org/recert/index",
    section="every 5 years: 1,000 practice hours and 100 CE contact hours including 25 "
    "pharmacology, or re-examination",
)
NCBON_NP = cite(
    "North Carolina Board of Nursing",
    "Nurse practitioner continuing education (21 NCAC 36.0807)",
    url="https://www.ncbon.com/node/122",
    section="50 contact hours per 2 years, at least 20 approved by ANCC or ACCME (or "
    "national certification)",
)

# -- accreditors --------------------------------------------------------------------


# -- credit types -------------------------------------------------------------------

HUNDREDTH = Decimal("0.01")

CREDIT_TYPES = (
    CreditType(
        code="ancc_contact_hour",
        label="ANCC contact hours (nursing continuing professional development)",
        profession="nurse",
        unit="contact hour",
        increment=HUNDREDTH,
        accreditors=("ANCC", "JA"),
        source=ANCC_CRITERIA.model_copy(update={"note": INCREMENT_NOTE}),
    ),
    CreditType(
        code="aanp_contact_hour",
        label="AANP-accredited contact hours (nurse practitioner CE)",
        profession="nurse",
        unit="contact hour",
        increment=HUNDREDTH,
        accreditors=("AANP",),
        source=AANP_CE_FAQ.model_copy(update={"note": INCREMENT_NOTE}),
    ),
    CreditType(
        code="np_practice_hour",
        label="Nurse practitioner practice hours in the population focus (not CE)",
        profession="nurse",
        unit="practice hour",
        increment=HUNDREDTH,
        requires_accreditor=False,
        category="practice",
        source=cite(
            "American Academy of Nurse Practitioners Certification Board (AANPCB)",
            "Recertification; news item 'clinical practice hours'",
            url="https://www.aanpcert.org/newsitem?id=135",
            section="at least 1,000 hours of NP practice in the population focus within the "
            "5-year certification period; from 2023-04-01 including administrative, "
            "education and research roles",
            date_read=date(2026, 12, 7),
            note="Recorded as hours with the employer as provider, only so that AANPCB's "
            "practice-hours part can be checked; never continuing education (aanp-renewal "
            "caps them at 0 toward its CE targets, and no other rule lists the type).",
        ),
    ),
)


MINUTES_PER_CONTACT_HOUR = 60
CONTACT_HOURS_PER_CEU = Decimal(10)

# -- authorities --------------------------------------------------------------------


def _board(code: str, name: str, state: str, document: str, url: str) -> Authority:
    return Authority(
        code=code,
        name=name,
        credential="Registered nurse (RN) licence",
        professions=("nurse",),
        jurisdiction=f"US-{state}",
        requires_claim=False,  # attestation at renewal, random audit afterwards
        source=cite(name, document, url=url),
    )


AUTHORITIES = (
    Authority(
        code="ANCC",
        name="American Nurses Credentialing Center (certification renewal)",
        credential="ANCC board certification",
        credential_kind="certification",
        professions=("nurse",),
        jurisdiction="US",
        requires_claim=True,  # hours count once entered in the Professional Development Record
        source=ANCC_RENEWAL,
    ),
    Authority(
        code="AANP",
        name="American Academy of Nurse Practitioners Certification Board (AANPCB recertification)",
        credential="AANPCB nurse practitioner certification",
        credential_kind="certification",
        professions=("nurse",),
        jurisdiction="US",
        requires_claim=True,  # CE counts once submitted with the recertification application
        source=AANPCB_RECERT,
    ),
    _board(
        "CA-BRN",
        "California Board of Registered Nursing",
        "CA",
        "16 CCR §1451; Bus. & Prof. Code §2811",
        "https://www.rn.ca.gov",
    ),
    _board(
        "TX-BON",
        "Texas Board of Nursing",
        "TX",
        "22 Tex. Admin. Code §216.3",
        "https://www.bon.texas.gov",
    ),
    _board(
        "FL-BON",
        "Florida Board of Nursing",
        "FL",
        "Fla. Stat. §464.013; Board of Nursing FAQ",
        "https://floridasnursing.gov",
    ),
    _board(
        "MN-BON",
        "Minnesota Board of Nursing",
        "MN",
        "Continuing education requirements",
        "https://mn.gov/boards/nursing/",
    ),
    _board(
        "NC-BON",
        "North Carolina Board of Nursing",
        "NC",
        "21 NCAC 36.0807 (nurse practitioners)",
        "https://www.ncbon.com/node/122",
    ),
)

# -- equivalences -------------------------------------------------------------------

_ANCC_ACCEPTS_AMA = cite(
    "North American Neuromodulation Society (ACCME-accredited provider)",
    "Credit for nurses and nurse practitioners (activity credit statement)",
    url="https://education.neuromodulation.org/Listing/Prior-Authorization-Module-How-to-Win-"
    "the-Game-and-Help-Your-Patients-17204",
    section="ANCC accepts activities approved for AMA PRA Category 1 Credit for "
    "recertification; 1 contact hour = 60 minutes = 1 AMA PRA Category 1 Credit",
    confidence="secondary",
)
_AANPCB_ACCEPTS = cite(
    "American Medical Seminars (CE provider)",
    "How non-physician practitioners maintain credentials with AMA credits (2023-09-25)",
    url="https://www.americanmedicalseminars.com/how-non-physician-practitioners-maintain-"
    "credentials-with-ama-credits/",
    section="the AANP Certification Board accepts CE from activities approved by the AMA, "
    "ACCME, ANCC and AANP",
    confidence="secondary",
)
_AAPA_FOR_NPS = cite(
    "AAPA",
    "AAPA CME accreditation",
    url="https://www.aapa.org/cme-central/aapa-cme-accreditation/",
    section="NPs can often claim AAPA Category 1 CME credit with AANPCB and ANCC",
    confidence="secondary",
    note="AAPA's statement about other bodies, who were not read: AAPA says 'often' and "
    "advises NPs to check with their certifying or licensing authority.",
)

EQUIVALENCES = (
    Equivalence(
        from_type="ama_pra_1",
        to_type="ancc_contact_hour",
        authorities=("ANCC",),
        source=_ANCC_ACCEPTS_AMA,
    ),
    Equivalence(
        from_type="ama_pra_1",
        to_type="ancc_contact_hour",
        authorities=("AANP",),
        source=_AANPCB_ACCEPTS,
    ),
    Equivalence(
        from_type="ama_pra_1",
        to_type="ancc_contact_hour",
        authorities=("NC-BON",),
        source=NCBON_NP,
    ),
    Equivalence(
        from_type="aanp_contact_hour",
        to_type="ancc_contact_hour",
        authorities=("AANP",),
        source=_AANPCB_ACCEPTS,
    ),
    Equivalence(
        from_type="aapa_1",
        to_type="ancc_contact_hour",
        authorities=("ANCC", "AANP"),
        source=_AAPA_FOR_NPS,
    ),
)

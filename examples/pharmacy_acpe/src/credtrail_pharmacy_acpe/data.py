"""What the pharmacy plugin registers, each with the source it comes from.

Sources were read on ``DATE_READ``; ``confidence`` says whether the text is the
authority's own (``authority``), a provider or publisher quoting it (``secondary``),
or not confirmed (``unconfirmed``).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from credtrail.core import (
    Accreditor,
    Authority,
    Citation,
    CreditType,
    Equivalence,
    Profession,
)

PLUGIN = "pharmacy_acpe"
DATE_READ = date(2026, 11, 23)

TX_295_8 = Citation(
    authority="Texas State Board of Pharmacy",
    document="22 Tex. Admin. Code §295.8, Continuing Education Requirements",
    section="(a)(1): 30 contact hours (3.0 CEUs) per license period; (b)(7)-(8): contact "
    "hour = about 60 minutes, 1 CEU = 10 contact hours; (d)(1)(A): at least 1 contact "
    "hour of Texas pharmacy laws or rules",
    url="https://casetext.com/regulation/texas-administrative-code/title-22-examining-boards/"
    "part-15-texas-state-board-of-pharmacy/chapter-295-pharmacists/"
    "section-2958-continuing-education-requirements",
    date_read=DATE_READ,
    confidence="secondary",
    note="Casetext copy of the rule, current through Texas Register 49/43 (2024-10-25).",
)

TSBP_FAQ = Citation(
    authority="Texas State Board of Pharmacy",
    document="Continuing Education — Pharmacists (FAQ)",
    section="30 hours of approved CE (rule 295.8(d)(1)), including 1 contact hour of Texas "
    "pharmacy laws or rules",
    url="https://www.pharmacy.texas.gov/infocist/continue.asp",
    date_read=DATE_READ,
    confidence="authority",
)

ACPE_UAN = Citation(
    authority="Accreditation Council for Pharmacy Education",
    document="CPE Provider Accreditation Program Policies and Procedures Manual "
    "(version 10, July 2017), as explained by the Ohio Pharmacists Foundation, "
    "'Deciphering ACPE Numbers'",
    section="Universal Activity Number: provider-joint provider-year-sequence-"
    "format and topic-audience (e.g. 0129-0000-19-001-H01-P)",
    url="https://www.ohiopharmacists.org/aws/OPA/pt/sp/education_acpe",
    date_read=DATE_READ,
    confidence="secondary",
    note="H = home study, L = live; P = pharmacists, T = pharmacy technicians; 9999 in the "
    "second field = jointly provided. C (combined live and home study) is listed from "
    "memory of the ACPE manual: unconfirmed.",
)

ACPE_TOPICS = Citation(
    authority="Accreditation Council for Pharmacy Education",
    document="CPE Provider Accreditation Program Policies and Procedures Manual, UAN topic "
    "designators",
    section="01 disease state management/drug therapy, 02 AIDS therapy, 03 law related to "
    "pharmacy practice, 04 general pharmacy, 05 patient safety, 06 immunizations, "
    "07 compounding, 08 pain management and opioids",
    url="http://careersdocbox.com/Nursing/69848467-Acpe-continuing-pharmacy-education-"
    "provider-accreditation-program-policies-and-procedures-manual-a-guide-for-acpe-"
    "accredited-providers.html",
    date_read=DATE_READ,
    confidence="unconfirmed",
    note="Only 03 = law is corroborated (a Texas pharmacy-law course of rxce.com carries UAN "
    "0669-0000-23-022-H03-P); the other designators were not found in the copies read.",
)

TECHNICIAN_COURSES = Citation(
    authority="ContinuingEducation.com (quoting the Texas State Board of Pharmacy)",
    document="Texas State Board of Pharmacy Requirements",
    section="ACPE-approved courses for pharmacy technicians end in T, courses for pharmacists in P",
    url="http://www.continuingeducation.com/pharmacy/state-ce-requirements/texas",
    date_read=DATE_READ,
    confidence="secondary",
)

INCREMENT_NOTE = (
    "No ACPE rule on the smallest credit step was found: 0.25 contact hour (0.025 CEU, "
    "15 minutes) is assumed, like AMA PRA credit."
)

# -- what is registered ------------------------------------------------------------------

PHARMACIST = Profession(code="pharmacist", label="Pharmacist (RPh)")

ACPE = Accreditor(
    code="ACPE",
    name="Accreditation Council for Pharmacy Education (CPE provider accreditation)",
    source=ACPE_UAN,
)

CONTACT_HOUR = CreditType(
    code="acpe_contact_hour",
    label="ACPE contact hour",
    profession="pharmacist",
    unit="contact hour",
    increment=Decimal("0.25"),
    accreditors=("ACPE",),
    source=TX_295_8.model_copy(update={"note": INCREMENT_NOTE}),
)

CEU = CreditType(
    code="acpe_ceu",
    label="ACPE continuing education unit (CEU)",
    profession="pharmacist",
    unit="CEU",
    increment=Decimal("0.025"),
    accreditors=("ACPE",),
    source=TX_295_8.model_copy(update={"note": INCREMENT_NOTE}),
)

CA_WEBINARS = Citation(
    authority="California State Board of Pharmacy",
    document="Law and Ethics Webinar",
    section="16 CCR §1732.5(b): two of the 30 hours by the Board's law and ethics courses; "
    "no third-party coursework meets the requirement (CE FAQ)",
    url="https://www.pharmacy.ca.gov/licensees/webinars/law_and_ethics.shtml",
    date_read=DATE_READ,
    confidence="authority",
    note="The webinars carry no UAN in the Board's pages, hence a credit type of their own. "
    + INCREMENT_NOTE,
)

BOARD_HOUR = CreditType(
    code="board_contact_hour",
    label="Board of Pharmacy course contact hour",
    profession="pharmacist",
    unit="contact hour",
    increment=Decimal("0.25"),
    accreditors=(),
    requires_accreditor=False,
    source=CA_WEBINARS,
)

ACPE_TYPES = (CONTACT_HOUR, CEU)
ACPE_TYPE_CODES = frozenset(ct.code for ct in ACPE_TYPES)
"""Credit carrying an ACPE Universal Activity Number."""

CREDIT_TYPES = (*ACPE_TYPES, BOARD_HOUR)

CEU_AS_CONTACT_HOURS = Equivalence(
    from_type="acpe_ceu",
    to_type="acpe_contact_hour",
    ratio=Decimal(10),
    source=TX_295_8,
)

TX_BOP = Authority(
    code="TX-BOP",
    name="Texas State Board of Pharmacy",
    professions=("pharmacist",),
    jurisdiction="US-TX",
    requires_claim=False,
    source=TSBP_FAQ,
)

CA_CE = Citation(
    authority="California State Board of Pharmacy",
    document="Continuing Education (CE) Information",
    section="30 hours per renewal period (B&P §4231); law and ethics (16 CCR §1732.5(b))",
    url="https://pharmacy.ca.gov/licensees/personal/ce.shtml",
    date_read=DATE_READ,
    confidence="authority",
)

CA_BOP = Authority(
    code="CA-BOP",
    name="California State Board of Pharmacy",
    professions=("pharmacist",),
    jurisdiction="US-CA",
    requires_claim=False,
    source=CA_CE,
)

AUTHORITIES = (TX_BOP, CA_BOP)

TOPICS: dict[str, str] = {
    "disease-state-management": "disease state management and drug therapy (UAN 01)",
    "hiv-aids": "AIDS therapy (UAN 02)",
    "pharmacy-law": "law related to pharmacy practice (UAN 03; Texas: 1 hour per period)",
    "general-pharmacy": "general pharmacy (UAN 04)",
    "patient-safety": "patient safety (UAN 05)",
    "immunization": "immunizations (UAN 06; Texas immunizers: 3 hours per period)",
    "compounding": "compounding (UAN 07)",
    "pain-management": "pain management and opioids (UAN 08; Texas 2021-2023 renewals)",
    "controlled-substances": "prescribing and monitoring controlled substances (Texas)",
    "human-trafficking": "human-trafficking prevention (Texas HHSC course)",
    "ethics": "ethics (California: the Board's ethics webinar)",
    "cultural-competency": "cultural competency and humility (California from 2024)",
}
"""Topic slugs pharmacists' credits are tagged with, and where each comes from."""

TOPIC_DESIGNATORS: dict[str, str] = {
    "01": "disease-state-management",
    "02": "hiv-aids",
    "03": "pharmacy-law",
    "04": "general-pharmacy",
    "05": "patient-safety",
    "06": "immunization",
    "07": "compounding",
    "08": "pain-management",
}
"""UAN topic designator -> the topic slug it implies (``ACPE_TOPICS``)."""

FORMATS: dict[str, str] = {"L": "live", "H": "home-study", "C": "combined"}
"""UAN activity-type letter -> the credit ``format`` it means."""

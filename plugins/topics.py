"""The topic vocabulary of the built-in plugins: slugs credits are tagged with.

Boards mandate hours on topics (pain management, implicit bias, ...); a credit says
which topics it covers with these slugs, and requirement documents name the same
slugs. Core knows no topic: the list lives here, with the mandates that need each.
Keep one slug per concept, so a credit and a rule never miss each other over
spelling (``hiv-aids``, not ``hiv`` and ``aids``).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from credtrail.core import Citation, Topic, topics_from_files

TOPICS_SOURCE = Citation(
    authority="credtrail",
    document="Built-in topic vocabulary, compiled from the state-board and certifying-body "
    "mandates surveyed in research.md §1.3, §2 and §3",
    section="credtrail.plugins.topics.KNOWN_TOPICS",
    date_read=date(2026, 11, 23),
    confidence="secondary",
    note="Each slug names a topic some authority mandates; see the description for which.",
)

KNOWN_TOPICS: dict[str, str] = {
    "addiction": "addiction and substance-use disorder (CA Schedule II / addiction, NY DEA "
    "prescriber topics, PA opioid education)",
    "board-regulations": "the licensing board's own regulations (MA: 2 credits per chapter)",
    "child-abuse": "recognising and reporting child abuse (PA, NY, MA, IL)",
    "controlled-substances": "prescribing controlled substances (FL DEA registrants, APRN CS)",
    "cultural-competency": "cultural and linguistic competency (CA every course, IL 2026)",
    "dementia": "care of patients with dementia (IL, CA PA geriatrics)",
    "domestic-violence": "domestic and sexual violence (FL every third biennium, MA one-time)",
    "duty-to-report": "the duty to report misconduct (OH from 2021)",
    "electronic-health-records": "electronic health records (MA one-time, 3 credits)",
    "end-of-life-care": "end-of-life care and care of the terminally ill (CA, MA)",
    "ethics": "medical ethics and professional responsibility (TX MD 2 h, MI, TX RN)",
    "geriatrics": "geriatric medicine (CA MD/PA with >25% patients aged 65+)",
    "hiv-aids": "HIV/AIDS (FL first renewal)",
    "human-trafficking": "human-trafficking prevention (TX HHSC-approved course, FL)",
    "implicit-bias": "implicit bias (CA, MA from 2022-06-01, IL, CA RN)",
    "infection-control": "infection control and sepsis (NY every 4 years)",
    "medical-errors": "prevention of medical errors (FL MD and RN 2 h)",
    "nursing-jurisprudence": "nursing jurisprudence (TX RN every third cycle, with ethics)",
    "nursing-laws-and-rules": "the state's nursing laws and rules (FL RN 2 h)",
    "opioid-prescribing": "opioid prescribing (TX, PA Act 124, IL, NY DEA prescribers)",
    "pain-management": "pain management (CA one-time 12 h, TX, MA, MI)",
    "patient-safety": "patient safety (PA 12 h patient safety or risk management)",
    "pharmacology": "pharmacology / pharmacotherapeutics (ANCC and AANPCB APRN renewal, TX APRN)",
    "practice-management": "practice management (CA caps it at 30% of the hours)",
    "risk-management": "risk management (MA 10 credits, PA with patient safety)",
    "sexual-harassment": "sexual-harassment prevention (IL)",
    "teaching-methods": "teaching methods (CA caps them with practice management)",
    "volunteer-care": "volunteer care of underserved patients (OH caps it at 3 h, TX PA Cat II)",
    "workplace-impairment": "recognising impairment in the workplace (FL RN every other biennium)",
}
"""Known topic slugs and, for each, the mandates that use it."""


VOCABULARY_DIR = Path(__file__).parent / "vocabulary"
"""More slugs, one file per board that needed them (``[topics]`` slug = description):
research that encodes a new board adds the topics its mandates name in a file of its
own, so two boards added at once never edit the same lines."""

for _topic in topics_from_files(VOCABULARY_DIR):
    KNOWN_TOPICS.setdefault(_topic.code, _topic.description)

TOPICS = tuple(
    Topic(code=slug, description=description, source=TOPICS_SOURCE)
    for slug, description in sorted(KNOWN_TOPICS.items())
)
"""The built-in vocabulary every built-in plugin registers (core merges it)."""

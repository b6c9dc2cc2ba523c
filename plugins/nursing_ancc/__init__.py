"""Built-in plugin for nurses (RN/APRN): ANCC and AANP contact hours, ANCC and AANPCB
certification renewal and state boards of nursing.

Its equivalences from AMA PRA / AAPA credit apply only when those plugins are loaded
too. Data with citations: ``data.py``; boards and requirements:
``authorities/*.toml`` and ``rules/*.toml``.
"""

from __future__ import annotations

from pathlib import Path

from credtrail.core import ProfessionPlugin
from credtrail.plugins.accreditors import accreditors_for
from credtrail.plugins.nursing_ancc import data
from credtrail.plugins.nursing_ancc.validation import contact_hours, contact_hours_from_ceu
from credtrail.plugins.topics import TOPICS

plugin = ProfessionPlugin(
    folder=Path(__file__).parent,
    professions=[data.NURSE],
    credit_types=data.CREDIT_TYPES,
    accreditors=accreditors_for(data.CREDIT_TYPES),
    authorities=data.AUTHORITIES,
    equivalences=data.EQUIVALENCES,
    topics=TOPICS,
)

__all__ = ["contact_hours", "contact_hours_from_ceu", "plugin"]

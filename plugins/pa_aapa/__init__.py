"""Built-in plugin for physician assistants: AAPA Category 1/2 CME, NCCPA SA-CME and
PI-CME, NCCPA certification maintenance and state PA boards.

Its equivalences from AMA PRA credit apply only when physician_ama is loaded too.
Data with citations: ``data.py``; checks of its own credits: ``validation.py``;
boards and requirements: ``authorities/*.toml`` and ``rules/*.toml``.
"""

from __future__ import annotations

from pathlib import Path

from credtrail.core import ProfessionPlugin
from credtrail.plugins.accreditors import accreditors_for
from credtrail.plugins.pa_aapa import data
from credtrail.plugins.pa_aapa.validation import designate_credit, preceptor_credit, validate
from credtrail.plugins.topics import TOPICS

plugin = ProfessionPlugin(
    folder=Path(__file__).parent,
    professions=[data.PA],
    credit_types=data.CREDIT_TYPES,
    accreditors=accreditors_for(data.CREDIT_TYPES),
    authorities=data.AUTHORITIES,
    equivalences=data.EQUIVALENCES,
    topics=TOPICS,
    validate=validate,
)

__all__ = ["designate_credit", "plugin", "preceptor_credit"]

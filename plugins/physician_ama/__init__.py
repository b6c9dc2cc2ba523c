"""Built-in plugin for physicians (MD/DO): AMA PRA credit, its accreditors, the AMA
Physician's Recognition Award and state medical boards.

Data with citations: ``data.py``; checks of its own credits: ``validation.py``; the
PARS import format: ``pars.py`` (export: ``pars_export.py``; CME Passport
transcripts: ``transcript.py``); boards and requirements: ``authorities/*.toml`` and
``rules/*.toml``.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from credtrail.core import ProfessionPlugin
from credtrail.plugins.accreditors import accreditors_for
from credtrail.plugins.physician_ama import data
from credtrail.plugins.physician_ama.validation import (
    designate_credit,
    direct_credit_amount,
    validate,
)
from credtrail.plugins.topics import TOPICS

if TYPE_CHECKING:
    from credtrail.core import ImportFormat


def import_formats() -> list[ImportFormat]:
    # Imported when `credtrail import` asks, not whenever the plugin loads.
    from credtrail.plugins.physician_ama.pars import PARS_FORMAT
    from credtrail.plugins.physician_ama.transcript import TRANSCRIPT_FORMAT

    return [PARS_FORMAT, TRANSCRIPT_FORMAT]


plugin = ProfessionPlugin(
    folder=Path(__file__).parent,
    professions=[data.PHYSICIAN],
    credit_types=data.CREDIT_TYPES,
    # AOA and AAFP: the physician boards' other formal credit (data.TX_161_35).
    accreditors=accreditors_for(data.CREDIT_TYPES, also=("AOA", "AAFP")),
    authorities=data.AUTHORITIES,
    equivalences=data.EQUIVALENCES,
    topics=TOPICS,
    import_formats=import_formats,
    validate=validate,
)

__all__ = ["designate_credit", "direct_credit_amount", "plugin"]

"""credtrail plugin for pharmacists: ACPE contact hours and CEUs, UAN checks, and the
Texas and California Boards of Pharmacy's renewal requirements.

An external package: it imports only ``credtrail.core`` and is found through its
``credtrail`` entry point (``pharmacy_acpe = "credtrail_pharmacy_acpe:plugin"`` in
``pyproject.toml``). It is one ``ProfessionPlugin`` over its data: data and citations
in ``data.py``, UAN checks in ``uan.py``, a custom rule kind in ``kinds.py``,
requirement documents in ``rules/``.
"""

from __future__ import annotations

from pathlib import Path

from credtrail.core import ProfessionPlugin, Topic
from credtrail_pharmacy_acpe import data, kinds, uan

__version__ = "0.1.0"

plugin = ProfessionPlugin(
    folder=Path(__file__).parent,
    professions=[data.PHARMACIST],
    credit_types=data.CREDIT_TYPES,
    accreditors=[data.ACPE],
    authorities=data.AUTHORITIES,
    equivalences=[data.CEU_AS_CONTACT_HOURS],
    topics=[
        Topic(code=slug, description=text, source=data.ACPE_TOPICS)
        for slug, text in data.TOPICS.items()
    ],
    rule_kinds={kinds.KIND: kinds.AudienceRule()},
    validate=uan.validate,
    version=__version__,
)

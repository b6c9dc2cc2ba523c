"""Every accreditor the built-in plugins know, so each plugin can register the ones
its credit types name and still load alone (``--plugins pa_aapa``).

Core merges identical registrations of the same accreditor from several plugins.
"""

from __future__ import annotations

from collections.abc import Iterable

from credtrail.core.models import Accreditor, CreditType
from credtrail.plugins.nursing_ancc import data as nursing
from credtrail.plugins.pa_aapa import data as pa
from credtrail.plugins.physician_ama import data as physician

ALL: dict[str, Accreditor] = {
    a.code: a for a in (*physician.ACCREDITORS, *nursing.ACCREDITORS, *pa.ACCREDITORS)
}


def needed_by(credit_types: Iterable[CreditType], own: Iterable[Accreditor]) -> list[Accreditor]:
    """A plugin's own accreditors plus every other one its credit types accept."""
    out = {a.code: a for a in own}
    for credit_type in credit_types:
        for code in credit_type.accreditors:
            out.setdefault(code, ALL[code])
    return [out[code] for code in sorted(out)]

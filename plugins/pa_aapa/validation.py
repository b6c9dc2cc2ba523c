"""Accreditation rules of AAPA CME that core's generic checks cannot express."""

from __future__ import annotations

from decimal import Decimal

from credtrail.core import CreditDraft, InputError, Violation
from credtrail.plugins._common import nearest_quarter_hour
from credtrail.plugins.pa_aapa.data import (
    AAPA_PRECEPTOR,
    CERTIFICATION_PROGRAM,
    NCCPA_CERT_PROGRAMS,
    PRECEPTOR,
    PRECEPTOR_CREDITS_PER_STUDENT_WEEK,
)


def designate_credit(minutes: int) -> Decimal:
    """AAPA Category 1 credit for ``minutes`` of activity: clock hours rounded to the
    nearest quarter hour (``data.AAPA_ACCREDITATION``).

    :raises InputError: ``minutes`` is negative or not a whole number.
    """
    return nearest_quarter_hour(minutes)


def preceptor_credit(student_weeks: int) -> Decimal:
    """AAPA Category 1 credit for precepting: 2 per PA student per 40-hour week.

    :param student_weeks: students times 40-hour weeks (2 students for 3 weeks: 6).
    :raises InputError: ``student_weeks`` is negative or not a whole number.
    """
    if isinstance(student_weeks, bool) or not isinstance(student_weeks, int) or student_weeks < 0:
        raise InputError(f"student-weeks must be a whole number >= 0, got {student_weeks!r}")
    return PRECEPTOR_CREDITS_PER_STUDENT_WEEK * student_weeks


def validate(credit: CreditDraft) -> list[Violation]:
    """Violations of a credit of one of this plugin's types (empty: valid).

    Core checked type, accreditor, increment and topics already; the plugin's
    ``ProfessionPlugin`` calls this only for its own credit types.
    """
    out: list[Violation] = []
    if credit.format == CERTIFICATION_PROGRAM and (
        credit.credit_type != "aapa_1" or credit.accreditor != "AAPA"
    ):
        out.append(
            Violation(
                field="format",
                rule="nccpa-certification-program-aapa",
                message=(
                    "certification programs are preapproved by AAPA: record them as aapa_1 "
                    "with accreditor AAPA"
                ),
                source=NCCPA_CERT_PROGRAMS,
            )
        )
    if credit.format == PRECEPTOR:
        if credit.credit_type != "aapa_1" or credit.accreditor != "AAPA":
            out.append(
                Violation(
                    field="format",
                    rule="aapa-preceptor-aapa",
                    message=(
                        "preceptorship credit comes from programs AAPA accredited: record it "
                        "as aapa_1 with accreditor AAPA"
                    ),
                    source=AAPA_PRECEPTOR,
                )
            )
        if credit.units % PRECEPTOR_CREDITS_PER_STUDENT_WEEK != 0:
            out.append(
                Violation(
                    field="units",
                    rule="aapa-preceptor-rate",
                    message=(
                        f"preceptorship earns {PRECEPTOR_CREDITS_PER_STUDENT_WEEK} credits per "
                        f"PA student per 40-hour week: {credit.units} is not a whole number of "
                        "student-weeks"
                    ),
                    source=AAPA_PRECEPTOR,
                )
            )
    return out

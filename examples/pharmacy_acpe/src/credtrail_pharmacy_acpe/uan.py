"""ACPE Universal Activity Numbers and the checks a pharmacist's credit must pass.

A UAN reads ``PPPP-JJJJ-YY-NNN-FTT-A``: provider number, joint-provider number (0000:
none, 9999: several), release year, sequence, format letter (L live, H home study,
C combined) with the topic designator, and the audience (P pharmacists, T pharmacy
technicians). Source: ``data.ACPE_UAN`` and ``data.ACPE_TOPICS``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from credtrail.core import CreditDraft, Violation
from credtrail_pharmacy_acpe import data

UAN_PATTERN = re.compile(
    r"^(?P<provider>\d{4})-(?P<joint>\d{4})-(?P<year>\d{2})-(?P<sequence>\d{3})-"
    r"(?P<format>[LHC])(?P<topic>\d{2})-(?P<audience>[PT])$"
)


@dataclass(frozen=True)
class Uan:
    """The parts of a Universal Activity Number."""

    provider: str
    joint: str
    year: int
    sequence: str
    format: str
    topic: str
    audience: str

    @property
    def jointly_provided(self) -> bool:
        return self.joint == "9999"


def parse_uan(text: str) -> Uan | None:
    """The parts of ``text`` if it is a well-formed UAN, else ``None``."""
    match = UAN_PATTERN.match(text.strip().upper())
    if match is None:
        return None
    parts = match.groupdict()
    return Uan(
        provider=parts["provider"],
        joint=parts["joint"],
        year=2000 + int(parts["year"]),
        sequence=parts["sequence"],
        format=parts["format"],
        topic=parts["topic"],
        audience=parts["audience"],
    )


def validate(credit: CreditDraft) -> list[Violation]:
    """Violations of a credit of one of this plugin's types (empty: valid)."""
    out: list[Violation] = []
    if credit.credit_type not in data.ACPE_TYPE_CODES:
        return out
    uan = parse_uan(credit.activity_id)
    if uan is None:
        out.append(
            Violation(
                field="activity",
                rule="acpe-uan-format",
                message=(
                    f"{credit.activity_id!r} is not an ACPE Universal Activity Number; use the "
                    "UAN on the statement of credit, e.g. 0129-0000-25-001-L03-P"
                ),
                source=data.ACPE_UAN,
            )
        )
        return out
    if uan.year > credit.completed_on.year:
        out.append(
            Violation(
                field="activity",
                rule="acpe-uan-release-year",
                message=(
                    f"UAN {credit.activity_id} was released in {uan.year}, after the "
                    f"completion date {credit.completed_on.isoformat()}"
                ),
                source=data.ACPE_UAN,
            )
        )
    expected_format = data.FORMATS[uan.format]
    if credit.format is not None and credit.format != expected_format:
        out.append(
            Violation(
                field="format",
                rule="acpe-uan-format-letter",
                message=(
                    f"UAN {credit.activity_id} is a {expected_format} activity "
                    f"({uan.format}), not {credit.format!r}"
                ),
                source=data.ACPE_UAN,
            )
        )
    if uan.topic not in data.TOPIC_DESIGNATORS:
        known = ", ".join(sorted(data.TOPIC_DESIGNATORS))
        out.append(
            Violation(
                field="activity",
                rule="acpe-uan-topic",
                message=f"UAN topic designator {uan.topic} is not one of {known}",
                source=data.ACPE_TOPICS,
            )
        )
    return out

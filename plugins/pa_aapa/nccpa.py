"""``credtrail export nccpa``: what a PA types into NCCPA's "Log New CME" form.

NCCPA has no bulk upload; a PA logs each activity in the PA Portal. The fields, in the
order the form asks for them (NCCPA, "CME Logging Instructions", nccpa.net/?p=4170,
read 2026-12-07): activity type, Activity Start Date, Activity End Date (optional),
cycle, Credits Logged, Activity Title, Sponsor, Provider, specialty or CAQ (optional);
the PA first agrees to the logging agreement and certifies the entry is true. credtrail
records one completion date, so start and end dates are that date; the cycle is left
for the PA to choose (the form offers the cycles whose window holds the dates).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable

from credtrail.core import CreditState, spreadsheet_cell

ACTIVITY_TYPES = {
    "aapa_1": "Category 1",
    "nccpa_sa_cme": "Category 1 - Self-Assessment (SA-CME)",
    "nccpa_pi_cme": "Category 1 - Performance Improvement (PI-CME)",
    "aapa_2": "Category 2",
}
"""credtrail PA credit type -> the activity type chosen in the form (assumed names:
the form's drop-down list was not read)."""

COLUMNS = (
    "Activity Type",
    "Activity Start Date",
    "Activity End Date",
    "Credits Logged",
    "Activity Title",
    "Sponsor",
    "Provider",
    "Attestation",
)

ATTESTATION = "I certify that the information entered is true and correct"


def nccpa_entries(credits: Iterable[CreditState]) -> list[dict[str, str]]:
    """One log entry per live credit of a type NCCPA logs, oldest first."""
    entries = []
    for credit in sorted(credits, key=lambda c: (c.completed_on, c.credit_id)):
        kind = ACTIVITY_TYPES.get(credit.credit_type)
        if credit.revoked or kind is None:
            continue
        day = credit.completed_on.strftime("%m/%d/%Y")
        entries.append(
            {
                "Activity Type": kind,
                "Activity Start Date": day,
                "Activity End Date": day,
                "Credits Logged": f"{credit.units.normalize():f}",
                "Activity Title": credit.title or credit.activity_id,
                "Sponsor": credit.accreditor or "",
                "Provider": credit.provider,
                "Attestation": ATTESTATION,
            }
        )
    return entries


def nccpa_csv(entries: Iterable[dict[str, str]]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    # Cells a spreadsheet could run as a formula are neutralised (OWASP).
    writer.writerows({k: spreadsheet_cell(v) for k, v in entry.items()} for entry in entries)
    return out.getvalue()


def nccpa_text(entries: Iterable[dict[str, str]]) -> str:
    blocks = []
    for number, entry in enumerate(entries, start=1):
        width = max(len(c) for c in COLUMNS)
        lines = [f"Entry {number}"] + [f"  {c:<{width}}  {entry[c]}" for c in COLUMNS]
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks) + "\n" if blocks else "No credits NCCPA logs.\n"

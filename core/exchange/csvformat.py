"""The generic ``csv`` layout: one credit per row, a header naming the columns.

It is also what ``credtrail transcript --format csv`` writes, so a transcript
exported from one store imports into another (see docs/formats.md).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

from credtrail.core import inputs
from credtrail.core.exchange.formats import Columns, ImportFormat, ReadContext, delimited_rows
from credtrail.core.exchange.records import (
    ClinicianIdentity,
    FieldCollector,
    ImportRecord,
    Location,
    Parsed,
    RejectedRecord,
)
from credtrail.core.exchange.sources import TextSource

REQUIRED = ("clinician_id", "credit_type", "units", "completed_on", "provider", "activity_id")
OPTIONAL = (
    "profession",
    "name",
    "npi",
    "accreditor",
    "title",
    "topics",
    "format",
    "designated_units",
)
EXPORT_ONLY = ("credit_id", "revoked", "claimed")
"""Written by ``transcript --format csv``; accepted and not imported (see ``read_csv``)."""

COLUMNS = Columns(required=REQUIRED, optional=OPTIONAL, ignored=EXPORT_ONLY)
HEADER = [*REQUIRED[:1], *OPTIONAL[:3], *REQUIRED[1:], *OPTIONAL[3:], *EXPORT_ONLY]


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
"""What a spreadsheet may read as the start of a formula (OWASP, "CSV Injection")."""
_NUMBER = re.compile(r"-?[0-9]+(?:\.[0-9]+)?")


def spreadsheet_cell(value: str) -> str:
    """A cell a spreadsheet shows as text and never runs: one starting with ``= + - @``,
    a tab or a carriage return gets a leading single quote, as OWASP recommends
    (``=HYPERLINK(...)`` from a title would otherwise be a live link or command).

    A plain number (``-1.5``) is left as it is: spreadsheets read it as a number, not
    a formula, and a quote would make it text the sheet's user cannot add up.
    """
    if value.startswith(FORMULA_STARTS) and not _NUMBER.fullmatch(value):
        return "'" + value
    return value


def spreadsheet_row(row: Iterable[object]) -> list[str]:
    """Every cell of ``row`` through :func:`spreadsheet_cell`."""
    return [spreadsheet_cell(str(cell)) for cell in row]


def _as_typed(value: str) -> str:
    """A cell as the user typed it: the quote :func:`spreadsheet_cell` added is dropped,
    so a transcript exported as csv imports back unchanged."""
    if value.startswith("'") and value[1:].startswith(FORMULA_STARTS):
        return value[1:]
    return value


def check_npi(fields: FieldCollector, value: str | None) -> str | None:
    """The row's NPI, checked as every entry point checks one (``inputs.check_npi``)."""
    text = fields.text("npi", value)
    if text is None:
        return None
    try:
        return inputs.check_npi(text)
    except ValueError as exc:
        fields.add("npi", "npi", str(exc))
        return None


def read_csv(source: TextSource, context: ReadContext) -> Iterator[Parsed]:
    for item in delimited_rows(source, COLUMNS, allow_tab=False):
        if isinstance(item, RejectedRecord):
            yield item
            continue
        line, row = item
        row = {key: _as_typed(value) for key, value in row.items()}
        location = Location(source.name, line)
        if row.get("revoked", "").strip():
            # A revoked credit in an export is history, not a credit to record again.
            continue
        f = FieldCollector()
        clinician_id = f.text("clinician_id", row["clinician_id"], required=True)
        npi = check_npi(f, row.get("npi"))
        # Checked before the request is built, so a bad name rejects the row too.
        profession = f.text("profession", row.get("profession"))
        name = f.text("name", row.get("name"))
        # Not in the future: the request checks it, for every entry point.
        completed_on = f.iso_date("completed_on", row["completed_on"])
        topics = tuple(t.strip() for t in row.get("topics", "").split(";") if t.strip())
        request = f.request(
            clinician_id=clinician_id or "?",
            credit_type=(row["credit_type"] or "").strip(),
            units=f.units("units", row["units"], required=True),
            completed_on=completed_on,
            provider=f.text("provider", row["provider"], required=True),
            accreditor=f.text("accreditor", row.get("accreditor")),
            activity_id=f.text("activity_id", row["activity_id"], required=True),
            title=f.text("title", row.get("title")),
            topics=topics,
            format=f.text("format", row.get("format")),
            designated_units=f.units("designated_units", row.get("designated_units")),
        )
        if request is None or clinician_id is None:
            yield RejectedRecord(location, tuple(f.issues))
            continue
        identity = ClinicianIdentity(
            clinician_id=clinician_id,
            profession=profession,
            name=name,
            npi=npi,
            explicit=True,
        )
        yield ImportRecord(location, identity, request)


CSV_FORMAT = ImportFormat(
    name="csv",
    label="generic CSV with a header (credtrail's own layout; see docs/formats.md)",
    reader=read_csv,
    source="credtrail docs/formats.md",
)

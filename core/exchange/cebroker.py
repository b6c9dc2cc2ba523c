"""``cebroker``: CE Broker's course-roster upload (Excel columns A-J, saved as CSV).

Education providers report completions to CE Broker, which state boards (Florida and
others) read, as a roster file without a header (help.cebroker.com, "Creating Excel
Files (Full Course Credit)", article 15226514662548, and "(Partial Course Credit)",
article 15226532103572):

A provider tracking number (without ``50-``), B course tracking number (without
``20-``) or C the provider's own course id, D publishing number (optional), E licence
number, F completion date ``M/D/YYYY``, G ``State=XX``, H ``Profession=CODE``, and for
partial credit I subject-area code and J hours.

A full-credit row carries no hours: they come from the course catalogue
(``--option catalogue=FILE``, a CSV; see docs/formats.md). A partial-credit row is its
own credit of J hours for the subject area (the activity id is ``COURSE/SUBJECT`` so
two subject areas of one course are two credits); the subject-area code is kept in
the credit's evidence and, when the user maps it (``--option subject:CODE=TOPIC``;
credtrail's topics are not CE Broker's subject areas), the hours are that topic's
hours (``topic_units``).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from credtrail.core.domain import ClinicianLedger, CreditState
from credtrail.core.errors import InputError
from credtrail.core.exchange.csvformat import spreadsheet_row
from credtrail.core.exchange.formats import ImportFormat, ReadContext
from credtrail.core.exchange.records import (
    ClinicianIdentity,
    FieldCollector,
    ImportRecord,
    Issue,
    Location,
    Parsed,
    RejectedRecord,
)
from credtrail.core.exchange.sources import TextSource
from credtrail.core.inputs import MAX_ID, MAX_TEXT, check_text
from credtrail.core.requests import checked

PROFESSIONS = {
    "RN": "nurse",
    "LPN": "nurse",
    "APRN": "nurse",
    "ARNP": "nurse",
    "ME": "physician",
    "OS": "physician",
    "PA": "pa",
}
"""CE Broker profession codes -> credtrail professions (assumed from Florida's codes,
not read from CE Broker's code list; an unknown code is rejected, naming it)."""

CATALOGUE_COLUMNS = ("provider_number", "course_number", "credit_type", "hours", "accreditor")
CATALOGUE_OPTIONAL = ("provider", "title")


@dataclass(frozen=True)
class Course:
    """One catalogue line: what a full-credit row of this course is worth."""

    credit_type: str
    hours: Decimal
    accreditor: str
    provider: str | None
    title: str | None


def read_catalogue(path: Path) -> dict[tuple[str, str], Course]:
    """The course catalogue CSV: (provider number, course number) -> course."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise InputError(f"cannot read the catalogue {path}: {exc.strerror}") from None
    rows = csv.DictReader(io.StringIO(text))
    header = [h.strip().lower() for h in rows.fieldnames or []]
    missing = [c for c in CATALOGUE_COLUMNS if c not in header]
    if missing:
        raise InputError(
            f"{path.name} line 1: missing column {', '.join(map(repr, missing))}; the "
            f"catalogue header must have: {', '.join(CATALOGUE_COLUMNS)}"
        )
    courses: dict[tuple[str, str], Course] = {}
    for number, raw in enumerate(rows, start=2):
        row = {k.strip().lower(): (v or "").strip() for k, v in raw.items() if k}
        f = FieldCollector()
        hours = f.units("hours", row["hours"], required=True)
        if hours is None or not row["credit_type"] or not row["course_number"]:
            why = "; ".join(i.describe() for i in f.issues) or "credit_type and course_number"
            raise InputError(f"{path.name} line {number}: {why}")
        key = (_number(row["provider_number"], "50-"), _number(row["course_number"], "20-"))
        courses[key] = Course(
            credit_type=row["credit_type"],
            hours=hours,
            accreditor=row["accreditor"],
            provider=row.get("provider") or None,
            title=row.get("title") or None,
        )
    return courses


def add_course(path: Path, provider_number: str, course_number: str, course: Course) -> bool:
    """Add (or replace) one course in the catalogue CSV, written whole or not at all;
    True when it replaced a course already listed."""
    # The catalogue's text is checked as every entry point checks text (one line, plain).
    for field, value, limit in (
        ("PROVIDER_NUMBER", provider_number, MAX_ID),
        ("COURSE_NUMBER", course_number, MAX_ID),
        ("--provider", course.provider, MAX_TEXT),
        ("--title", course.title, MAX_TEXT),
    ):
        if value is not None:
            checked(field, check_text, value, limit=limit, what=f"the {field.strip('-').lower()}")
    courses = read_catalogue(path) if path.exists() else {}
    key = (_number(provider_number, "50-"), _number(course_number, "20-"))
    if not key[0].isdigit() or not key[1]:
        raise InputError(
            f"{provider_number!r} / {course_number!r}: give a numeric provider tracking "
            "number and a course number"
        )
    replaced = key in courses
    courses[key] = course
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([*CATALOGUE_COLUMNS, *CATALOGUE_OPTIONAL])
    for (provider, number), c in sorted(courses.items()):
        hours = f"{c.hours.normalize():f}"
        writer.writerow(
            [provider, number, c.credit_type, hours, c.accreditor, c.provider or "", c.title or ""]
        )
    temporary = path.with_name(f".{path.name}.tmp")
    try:
        temporary.write_text(out.getvalue(), encoding="utf-8")
        temporary.replace(path)
    except OSError as exc:
        raise InputError(f"cannot write {path}: {exc.strerror}") from None
    return replaced


def _number(text: str, prefix: str) -> str:
    text = text.strip()
    return text[len(prefix) :] if text.startswith(prefix) else text


def us_date(f: FieldCollector, field_name: str, value: str) -> date | None:
    """``M/D/YYYY`` as Excel writes it (``12/3/2008``), or ISO ``YYYY-MM-DD``."""
    text = value.strip()
    parts = text.split("/")
    try:
        if len(parts) == 3 and len(parts[2]) == 4 and all(p.isdigit() for p in parts):
            return date(int(parts[2]), int(parts[0]), int(parts[1]))
        if len(text) == 10 and text[4] == "-":
            return date.fromisoformat(text)
    except ValueError:
        pass
    f.add(field_name, "date", f"{text!r} is not a date; use M/D/YYYY, e.g. 12/3/2008")
    return None


def _tagged(f: FieldCollector, field_name: str, value: str, tag: str) -> str | None:
    text = value.strip()
    key, sep, rest = text.partition("=")
    if not sep or key.strip().casefold() != tag.casefold() or not rest.strip():
        f.add(field_name, "cebroker-tag", f"{text!r} is not {tag}=VALUE (e.g. {tag}=FL)")
        return None
    return rest.strip().upper()


def read_cebroker(source: TextSource, context: ReadContext) -> Iterator[Parsed]:
    catalogue_path = context.options.get("catalogue")
    catalogue = read_catalogue(Path(catalogue_path)) if catalogue_path else {}
    reader = csv.reader(source.lines(), delimiter=",", strict=True)
    while True:
        line = source.line + 1
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            yield RejectedRecord(
                Location(source.name, line), (Issue("row", "csv-syntax", str(exc)),)
            )
            continue
        if not cells or all(not c.strip() for c in cells):
            continue
        if line == 1 and not _number(cells[0], "50-").strip().isdigit():
            continue  # a header row (CE Broker's template has none; a person may add one)
        yield _record(Location(source.name, line), cells, catalogue, context)


def _record(
    location: Location,
    cells: list[str],
    catalogue: dict[tuple[str, str], Course],
    context: ReadContext,
) -> Parsed:
    f = FieldCollector()
    while len(cells) > 8 and not cells[-1].strip() and len(cells) != 10:
        cells = cells[:-1]  # empty trailing cells a spreadsheet wrote
    if len(cells) not in (8, 10):
        f.add("row", "field-count", f"has {len(cells)} columns; expected A-H, or A-J")
        return RejectedRecord(location, tuple(f.issues))
    a, b, c, d, e, when, state_cell, profession_cell = (x.strip() for x in cells[:8])
    subject, hours_text = (cells[8].strip(), cells[9].strip()) if len(cells) == 10 else ("", "")
    provider_number = _number(a, "50-")
    if not provider_number.isdigit():
        f.add("A", "cebroker-provider", f"{a!r} is not a provider tracking number")
    course = _number(b, "20-") or c
    if not course:
        f.add("B", "required", "is empty, and so is C; give a course tracking number or id")
    licence = f.text("E", e, required=True)
    completed = us_date(f, "F", when)
    if completed is not None and completed > date.today():
        f.add("F", "not-in-future", f"{completed} is in the future")
    state = _tagged(f, "G", state_cell, "State")
    code = _tagged(f, "H", profession_cell, "Profession")
    profession = PROFESSIONS.get(code or "")
    if code and profession is None:
        f.add("H", "cebroker-profession", f"profession code {code!r} is not one credtrail maps")
    if bool(subject) != bool(hours_text):
        f.add("I/J", "cebroker-partial", "a partial credit needs both a subject area and hours")
    entry = catalogue.get((provider_number, course))
    if entry is None:
        f.add(
            "B",
            "cebroker-course",
            f"course {course!r} of provider {provider_number!r} is not in the catalogue; "
            "give --option catalogue=FILE with its credit type and hours",
        )
    units = f.units("J", hours_text, required=True) if subject else (entry.hours if entry else None)
    evidence: dict[str, Any] = {
        "provider_number": provider_number,
        "course_number": _number(b, "20-"),
        "course_id": c,
        "publishing_number": d,
        "license": licence,
        "state": state,
        "profession": code,
    }
    topic = context.options.get(f"subject:{subject}") if subject else None
    if subject:
        evidence |= {"subject_area": subject, "hours": hours_text}
    cid = f"lic:{state}:{licence}"
    cid = context.learners.get(cid, cid)
    request = f.request(
        clinician_id=cid,
        credit_type=entry.credit_type if entry else "?",
        units=units,
        completed_on=completed,
        provider=(entry.provider if entry else None) or f"CE Broker provider 50-{provider_number}",
        accreditor=(entry.accreditor if entry else None) or None,
        activity_id=f"{course}/{subject}" if subject else course or "?",
        title=entry.title if entry else None,
        topics=(topic,) if topic else (),
        topic_units={topic: units} if topic and units is not None else {},
        evidence={"cebroker": evidence},
    )
    if request is None:
        return RejectedRecord(location, tuple(f.issues))
    identity = ClinicianIdentity(clinician_id=cid, profession=profession, explicit=True)
    return ImportRecord(location, identity, request)


CEBROKER_FORMAT = ImportFormat(
    name="cebroker",
    label="CE Broker course roster (Excel columns A-J saved as CSV; --option catalogue=FILE)",
    reader=read_cebroker,
    source="help.cebroker.com articles 15226514662548 (full credit), 15226532103572 "
    "(partial credit)",
)


# ------------------------------------------------------------------------- export


def cebroker_rows(
    credits: Iterable[tuple[ClinicianLedger, CreditState]], provider_number: str | None = None
) -> Iterator[list[str]]:
    """Roster rows A-J of the credits recorded from (or for) a CE Broker roster."""
    for _, credit in credits:
        ev = (credit.evidence or {}).get("cebroker")
        if not isinstance(ev, dict):
            continue
        if provider_number and ev.get("provider_number") != _number(provider_number, "50-"):
            continue
        day = credit.completed_on
        row = [
            str(ev.get("provider_number") or ""),
            str(ev.get("course_number") or ""),
            str(ev.get("course_id") or ""),
            str(ev.get("publishing_number") or ""),
            str(ev.get("license") or ""),
            f"{day.month}/{day.day}/{day.year}",
            f"State={ev.get('state') or ''}",
            f"Profession={ev.get('profession') or ''}",
        ]
        if ev.get("subject_area"):
            row += [str(ev["subject_area"]), f"{credit.units.normalize():f}"]
        yield row


def cebroker_csv(rows: Iterable[list[str]]) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows(spreadsheet_row(r) for r in rows)
    return out.getvalue()

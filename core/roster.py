"""Importing a roster: clinicians and their licences in bulk, from a CSV file.

One row per licence (or per clinician, with the licence columns empty)::

    clinician_id,profession,name,npi,requirement_id,issued,expires,birth_date,number,attributes
    dr-chen,physician,Mei Chen,1234567893,us-tx-physician,2020-04-01,2026-03-31,,Q1234,
    np-ruiz,nurse,Ana Ruiz,,aanp-renewal,2022-01-15,2027-01-14,,,

Every row is checked by the application's own functions, the ones ``clinician add``
and ``license add`` call (``Credtrail.new_clinician``, ``Credtrail.apply_license``),
so a row is accepted exactly when the two commands would accept it. Then:

- atomic: one invalid row and nothing is written; the errors name the file, the line
  and the column;
- idempotent: a clinician already recorded with the same profession, name and NPI, and
  a licence already held for the same requirement from the same issue date, are
  skipped, so importing the same file again writes nothing;
- everything valid is written in one transaction.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from credtrail.core.errors import (
    ClinicianExistsError,
    ConflictError,
    CredtrailError,
    InputError,
    InvalidInputError,
    UnknownClinicianError,
    UnknownProfessionError,
    UnknownRequirementError,
)
from credtrail.core.inputs import check_npi

if TYPE_CHECKING:
    from credtrail.core.application import Credtrail
    from credtrail.core.domain import ClinicianLedger

REQUIRED = ("clinician_id", "profession")
COLUMNS = (
    *REQUIRED,
    "name",
    "npi",
    "requirement_id",
    "issued",
    "expires",
    "birth_date",
    "number",
    "attributes",
)
LICENCE_COLUMNS = ("requirement_id", "issued", "expires", "birth_date", "number", "attributes")


@dataclass(frozen=True)
class RowError:
    """Why one row (or the file) was refused."""

    file: str
    line: int
    field: str | None
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" + (f": {self.field}" if self.field else "")
        return f"{where}: {self.message}"

    def as_dict(self) -> dict[str, Any]:
        return {"file": self.file, "line": self.line, "field": self.field, "error": self.message}


@dataclass
class RosterSummary:
    """What a roster import did (or, in a dry run, would do)."""

    file: str
    dry_run: bool
    rows: int = 0
    clinicians_added: int = 0
    clinicians_skipped: int = 0
    licenses_added: int = 0
    licenses_skipped: int = 0
    errors: list[RowError] = field(default_factory=list)

    @property
    def committed(self) -> bool:
        """Written (or, in a dry run, would be written): no row was refused."""
        return not self.errors

    def as_dict(self) -> dict[str, Any]:
        return {
            "file": self.file,
            "format": "roster",
            "dry_run": self.dry_run,
            "rows": self.rows,
            "clinicians_added": self.clinicians_added,
            "clinicians_skipped": self.clinicians_skipped,
            "licenses_added": self.licenses_added,
            "licenses_skipped": self.licenses_skipped,
            "committed": self.committed and not self.dry_run,
            "errors": [e.as_dict() for e in self.errors],
        }


def import_roster(app: Credtrail, path: Path, *, dry_run: bool = False) -> RosterSummary:
    """Check every row of the roster at ``path``; write them all in one transaction
    unless one is refused (or ``dry_run``). See the module docstring for the layout.

    Checked, staged and saved as a batch (``Credtrail.staging``), like a credit import."""
    with app.staging():
        return _import_roster(app, path, dry_run)


def _import_roster(app: Credtrail, path: Path, dry_run: bool) -> RosterSummary:
    name = str(path)
    summary = RosterSummary(name, dry_run)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise InputError(f"cannot read {name}: {exc.strerror}") from None
    except UnicodeDecodeError:
        raise InputError(f"{name} is not UTF-8 text; save the roster as UTF-8 CSV") from None
    reader = csv.DictReader(text.splitlines())
    header = [h.strip() for h in reader.fieldnames or []]
    reader.fieldnames = header
    unknown = [h for h in header if h not in COLUMNS]
    missing = [h for h in REQUIRED if h not in header]
    if unknown or missing:
        problem = "; ".join(
            [f"unknown column {h!r}" for h in unknown] + [f"missing column {h!r}" for h in missing]
        )
        summary.errors.append(RowError(name, 1, None, f"{problem} (columns: {', '.join(COLUMNS)})"))
        return summary
    staged: dict[str, ClinicianLedger] = {}
    for row in reader:
        summary.rows += 1
        line = reader.line_num
        values = {k: (v or "").strip() for k, v in row.items() if k is not None}
        if None in row:
            summary.errors.append(RowError(name, line, None, "more values than columns"))
            continue
        try:
            _apply_row(app, staged, values, summary)
        except _RowError as exc:
            summary.errors.append(RowError(name, line, exc.field, exc.message))
        except InvalidInputError as exc:  # a value of the row: name its column
            column = "requirement_id" if exc.field == "requirement" else exc.field
            if column in COLUMNS:
                summary.errors.append(RowError(name, line, column, exc.problem))
            else:
                summary.errors.append(RowError(name, line, None, str(exc)))
        except CredtrailError as exc:
            summary.errors.append(RowError(name, line, _field_of(exc), str(exc)))
    if summary.errors or dry_run:
        return summary
    ledgers = [ledger for ledger in staged.values() if _pending(ledger)]
    if ledgers:
        app.save(*ledgers)
    return summary


class _RowError(Exception):
    def __init__(self, field: str | None, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


def _field_of(exc: CredtrailError) -> str | None:
    """The column an application error is about, where its class says so (else None:
    the message names it)."""
    if isinstance(exc, UnknownProfessionError):
        return "profession"
    if isinstance(exc, UnknownRequirementError | ConflictError):
        return "requirement_id"
    if isinstance(exc, ClinicianExistsError | UnknownClinicianError):
        return "clinician_id"
    return None


def _date(values: dict[str, str], column: str) -> date | None:
    text = values.get(column, "")
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise _RowError(column, f"{text!r} is not a date; use YYYY-MM-DD") from None


def _attributes(text: str) -> dict[str, str]:
    facts: dict[str, str] = {}
    for item in (p.strip() for p in text.split(";")):
        if not item:
            continue
        key, sep, value = item.partition("=")
        if not sep or not key.strip() or not value.strip():
            raise _RowError("attributes", f"{item!r} is not KEY=VALUE (e.g. dea=yes; ...)")
        facts[key.strip()] = value.strip()
    return facts


def _apply_row(
    app: Credtrail,
    staged: dict[str, ClinicianLedger],
    values: dict[str, str],
    summary: RosterSummary,
) -> None:
    cid = values.get("clinician_id", "")
    profession = values.get("profession", "")
    name = values.get("name") or None
    npi = values.get("npi") or None
    if not cid:
        raise _RowError("clinician_id", "empty: every row names its clinician")
    if npi is not None:
        try:
            check_npi(npi)  # as `clinician add` does before the application, to name it
        except ValueError as exc:
            raise _RowError("npi", str(exc)) from None
    ledger = staged.get(cid)
    if ledger is None:
        if app.has_clinician(cid):
            ledger = app.ledger(cid)
            _same_person(ledger, profession, name, npi)
            summary.clinicians_skipped += 1
        else:
            ledger = app.new_clinician(cid, profession, name=name, npi=npi)
            summary.clinicians_added += 1
        staged[cid] = ledger
    else:
        _same_person(ledger, profession, name, npi)
    requirement = values.get("requirement_id", "")
    if not requirement:
        others = [c for c in LICENCE_COLUMNS if values.get(c)]
        if others:
            raise _RowError("requirement_id", f"empty, but {', '.join(others)} given")
        return
    issued = _date(values, "issued")
    if issued is None:
        raise _RowError("issued", "empty: a licence needs its issue date")
    expires = _date(values, "expires")
    birth = _date(values, "birth_date")
    for lic in ledger.licenses.values():
        if lic.requirement_id == requirement and lic.issued_on == issued:
            summary.licenses_skipped += 1
            return
    app.apply_license(
        ledger,
        requirement,
        issued,
        expires_on=expires,
        birth_date=birth,
        number=values.get("number") or None,
        attributes=_attributes(values.get("attributes", "")),
    )
    summary.licenses_added += 1


def _same_person(
    ledger: ClinicianLedger, profession: str, name: str | None, npi: str | None
) -> None:
    """A clinician named again (another row, or already recorded) must match."""
    for column, given, known in (
        ("profession", profession, ledger.profession),
        ("name", name, ledger.name),
        ("npi", npi, ledger.npi),
    ):
        if given and given != known:
            raise _RowError(
                column,
                f"clinician {ledger.clinician_id!r} is recorded with {column} {known!r}, "
                f"not {given!r}",
            )


def _pending(ledger: ClinicianLedger) -> bool:
    return bool(ledger.pending_events)

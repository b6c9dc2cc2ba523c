"""``credtrail requirement change|list|show|coverage``: requirements and their versions.

``list --stale N`` and ``coverage`` are data-quality views of the recorded rules: which
were read too long ago, and which jurisdiction and profession have no rule at all.
``scripts/gen_requirements_doc.py`` builds docs/requirements.md from the same functions.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import click

from credtrail.cli.context import Env, pass_env
from credtrail.cli.options import DateType, echo_json, json_option, table
from credtrail.core import clock
from credtrail.core.domain import RequirementHistory
from credtrail.core.errors import InputError
from credtrail.core.models import Citation
from credtrail.core.registry import Registry
from credtrail.core.rules import RequirementVersion, load_requirement, read_requirement_file
from credtrail.core.rules.dates import add_months

US_JURISDICTIONS: tuple[str, ...] = (
    "US",
    *(
        f"US-{s}"
        for s in [
            "AK",
            "AL",
            "AR",
            "AZ",
            "CA",
            "CO",
            "CT",
            "DC",
            "DE",
            "FL",
            "GA",
            "HI",
            "IA",
            "ID",
            "IL",
            "IN",
            "KS",
            "KY",
            "LA",
            "MA",
            "MD",
            "ME",
            "MI",
            "MN",
            "MO",
            "MS",
            "MT",
            "NC",
            "ND",
            "NE",
            "NH",
            "NJ",
            "NM",
            "NV",
            "NY",
            "OH",
            "OK",
            "OR",
            "PA",
            "RI",
            "SC",
            "SD",
            "TN",
            "TX",
            "UT",
            "VA",
            "VT",
            "WA",
            "WI",
            "WV",
            "WY",
        ]
    ),
)
"""Federal ("US") and the 50 states and DC: the rows ``coverage`` always shows."""

CONFIDENCE_ORDER = ("authority", "secondary", "unconfirmed")
"""From the strongest to the weakest source."""


@click.group()
def requirement() -> None:
    """Requirements of authorities, every version with its source."""


@requirement.command()
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@json_option
@pass_env
def change(env: Env, file: Path, as_json: bool) -> None:
    """Record a new version of a requirement from a TOML or JSON FILE (docs/rules.md).

    The whole document is validated first; a version already recorded is not
    recorded again.
    """
    document = read_requirement_file(file)
    recorded = env.app().record_requirement(document)
    rid, version = document.get("id"), document.get("version")
    if as_json:
        echo_json(
            {
                "requirement_id": rid,
                "version": version,
                "effective_from": document.get("effective_from"),
                "recorded": recorded,
            }
        )
        return
    if recorded:
        click.echo(
            f"Recorded {rid} version {version}, effective from {document.get('effective_from')}"
        )
    else:
        click.echo(f"{rid} version {version} is already recorded; nothing written")


def _summary(history: RequirementHistory) -> dict[str, object]:
    newest = max(history.versions, key=lambda v: (v.effective_from, v.recorded_at))
    version = load_requirement(newest.document)
    return {
        "id": history.requirement_id,
        "authority": history.authority,
        "title": newest.document.get("title"),
        "versions": len(history.versions),
        "latest_version": newest.version,
        "effective_from": newest.effective_from,
        "confidence": newest.source.confidence,
        "date_read": oldest_read(version),
    }


def citations(version: RequirementVersion) -> list[Citation]:
    """Every citation of a version: the document's, then each part's own."""
    return [version.source, *(p.source for p in version.parts if p.source)]


def oldest_read(version: RequirementVersion) -> date:
    """When the least recently read source of a version was read."""
    return min(c.date_read for c in citations(version))


def weakest_confidence(versions: Iterable[RequirementVersion]) -> str:
    """The weakest confidence among the versions' citations, parts' included."""
    found = {c.confidence for v in versions for c in citations(v)}
    return max(found, key=CONFIDENCE_ORDER.index, default="authority")


def latest(documents: Iterable[Mapping[str, Any]]) -> dict[str, RequirementVersion]:
    """The latest version (by effective date, then listing order) of each requirement id."""
    out: dict[str, RequirementVersion] = {}
    for document in documents:
        version = load_requirement(document)
        known = out.get(version.id)
        if known is None or version.effective_from >= known.effective_from:
            out[version.id] = version
    return out


def stale_months(value: str | None) -> int | None:
    """``--stale`` as a whole number of months, at least 1.

    :raises InputError: anything else, saying what is expected.
    """
    if value is None:
        return None
    try:
        months = int(value)
    except ValueError:
        months = 0
    if months < 1 or months > 1200:
        raise InputError(f"--stale takes a whole number of months from 1 to 1200, got {value!r}")
    return months


def is_stale(version: RequirementVersion, on: date, months: int) -> bool:
    """Some source of the version was read more than ``months`` months before ``on``."""
    return oldest_read(version) < add_months(on, -months)


@dataclass(frozen=True)
class CoverageRow:
    """One jurisdiction and profession: the requirements encoded for it, if any."""

    jurisdiction: str
    profession: str
    requirements: tuple[str, ...]
    confidence: str | None
    date_read: date | None

    @property
    def encoded(self) -> bool:
        return bool(self.requirements)

    def to_json(self) -> dict[str, Any]:
        return {
            "jurisdiction": self.jurisdiction,
            "profession": self.profession,
            "encoded": self.encoded,
            "requirements": list(self.requirements),
            "confidence": self.confidence,
            "date_read": self.date_read.isoformat() if self.date_read else None,
        }


def coverage(
    versions: Iterable[RequirementVersion],
    registry: Registry,
    jurisdictions: Sequence[str] = US_JURISDICTIONS,
) -> list[CoverageRow]:
    """Jurisdiction x profession: which requirements cover it, how well sourced, when read.

    Every listed jurisdiction gets a row per profession, encoded or not, so gaps show;
    a requirement whose authority is not registered (its plugin is not loaded) is under
    jurisdiction ``?``. Confidence is the weakest of the requirements' sources, the
    date the oldest date any of their sources was read.
    """
    chosen = list(versions)
    professions = list(registry.professions)
    for version in chosen:
        professions += [p for p in version.professions if p not in professions]
    by_cell: dict[tuple[str, str], list[RequirementVersion]] = {}
    for version in chosen:
        authority = registry.authorities.get(version.authority)
        where = (authority.jurisdiction if authority else None) or "?"
        for profession in version.professions:
            by_cell.setdefault((where, profession), []).append(version)
    places = list(jurisdictions) + sorted({j for j, _ in by_cell} - set(jurisdictions))
    rows = []
    for place in places:
        for profession in professions:
            found = sorted(by_cell.get((place, profession), []), key=lambda v: v.id)
            rows.append(
                CoverageRow(
                    jurisdiction=place,
                    profession=profession,
                    requirements=tuple(v.id for v in found),
                    confidence=weakest_confidence(found) if found else None,
                    date_read=min(oldest_read(v) for v in found) if found else None,
                )
            )
    return rows


def coverage_table(rows: Sequence[CoverageRow]) -> list[list[str]]:
    """Rows of the coverage table as text (``not encoded`` where nothing is)."""
    return [
        [
            r.jurisdiction,
            r.profession,
            ", ".join(r.requirements) if r.encoded else "not encoded",
            r.confidence or "-",
            r.date_read.isoformat() if r.date_read else "-",
        ]
        for r in rows
    ]


COVERAGE_HEADERS = ["jurisdiction", "profession", "requirements", "confidence", "read"]


def _recorded(env: Env) -> dict[str, RequirementVersion]:
    """The latest recorded version of each requirement in the store."""
    documents = []
    for history in env.app().requirement_histories():
        ordered = sorted(history.versions, key=lambda v: (v.effective_from, v.recorded_at))
        documents += [v.document for v in ordered]
    return latest(documents)


@requirement.command("list")
@click.option("--authority", help="Only this authority's requirements, e.g. TX-TMB.")
@click.option(
    "--stale",
    "stale",
    metavar="MONTHS",
    help="Only requirements whose latest version cites a source read more than MONTHS "
    "months ago (e.g. 12).",
)
@click.option(
    "--on",
    "on",
    type=DateType(),
    help="Judge staleness on this day instead of today (YYYY-MM-DD).",
)
@json_option
@pass_env
def list_(
    env: Env, authority: str | None, stale: str | None, on: date | None, as_json: bool
) -> None:
    """List recorded requirements (built-ins are recorded by 'credtrail init')."""
    months = stale_months(stale)
    day = on or clock.now().date()
    histories = [h for h in env.app().requirement_histories() if authority in (None, h.authority)]
    rows = [_summary(h) for h in histories if h.versions]
    if months is not None:
        latest_of = _recorded(env)
        rows = [r for r in rows if is_stale(latest_of[str(r["id"])], day, months)]
    if as_json:
        echo_json(rows)
        return
    if not rows:
        if months is not None:
            click.echo(f"No requirement cites a source read more than {months} months before {day}")
        else:
            click.echo("No requirements recorded; run 'credtrail init' to record the built-ins.")
        return
    click.echo(
        table(
            [
                [
                    str(r["id"]),
                    str(r["authority"]),
                    str(r["latest_version"]),
                    str(r["effective_from"]),
                    str(r["date_read"]),
                    str(r["title"] or ""),
                ]
                for r in rows
            ],
            ["id", "authority", "version", "effective", "read", "title"],
        )
    )


@requirement.command()
@click.argument("requirement_id", metavar="ID")
@json_option
@pass_env
def show(env: Env, requirement_id: str, as_json: bool) -> None:
    """Show every version of a requirement with its source and effective date."""
    history = env.app().requirement_history(requirement_id)
    versions = sorted(history.versions, key=lambda v: (v.effective_from, v.recorded_at))
    if as_json:
        echo_json(
            {
                "id": history.requirement_id,
                "authority": history.authority,
                "versions": [
                    {
                        "version": v.version,
                        "effective_from": v.effective_from,
                        "recorded_at": v.recorded_at,
                        "source": v.source.model_dump(mode="json"),
                        "document": v.document,
                    }
                    for v in versions
                ],
            }
        )
        return
    click.echo(f"{history.requirement_id} ({history.authority})")
    for v in versions:
        title = v.document.get("title")
        click.echo(
            f"\nversion {v.version}, effective from {v.effective_from}"
            + (f": {title}" if title else "")
        )
        click.echo(f"  source: {v.source.describe()}")
        if v.source.url:
            click.echo(f"  {v.source.url}")
        if v.source.confidence != "authority":
            click.echo(f"  confidence: {v.source.confidence}")
        for note in [v.source.note, *v.document.get("notes", [])]:
            if note:
                click.echo(f"  note: {note}")
        click.echo(f"  recorded {v.recorded_at.isoformat()}")


@requirement.command("coverage")
@click.option("--profession", help="Only this profession, e.g. nurse.")
@click.option("--jurisdiction", help="Only this jurisdiction, e.g. US-TX (US: federal).")
@click.option("--missing", is_flag=True, help="Only jurisdictions with nothing encoded.")
@json_option
@pass_env
def coverage_(
    env: Env, profession: str | None, jurisdiction: str | None, missing: bool, as_json: bool
) -> None:
    """Which jurisdiction and profession have a recorded requirement, how sourced, read when.

    One row per jurisdiction (federal, the 50 states and DC) and profession, with
    "not encoded" where no requirement is recorded, so gaps show.
    """
    registry = env.registry
    if profession is not None and profession not in registry.professions:
        known = ", ".join(registry.professions)
        raise InputError(f"unknown profession {profession!r}; use one of: {known}")
    if jurisdiction is not None:
        jurisdiction = jurisdiction.strip().upper()
        if jurisdiction not in US_JURISDICTIONS:
            raise InputError(
                f"unknown jurisdiction {jurisdiction!r}; use US (federal) or US-XX with a "
                "state's postal code, e.g. US-TX, US-DC"
            )
    rows = [
        r
        for r in coverage(_recorded(env).values(), registry)
        if profession in (None, r.profession)
        and jurisdiction in (None, r.jurisdiction)
        and not (missing and r.encoded)
    ]
    if as_json:
        echo_json([r.to_json() for r in rows])
        return
    click.echo(table(coverage_table(rows), COVERAGE_HEADERS))
    encoded = sum(r.encoded for r in rows)
    click.echo(f"\n{encoded} of {len(rows)} jurisdiction/profession rows have a requirement.")


COMMANDS = [requirement]

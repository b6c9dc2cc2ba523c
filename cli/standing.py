"""Printing one clinician's standing (``credtrail status CLINICIAN``): the one rendering.

Both ways of getting the rows use it: read straight from the views
(``credtrail.core.viewread``) or through ``Views`` (catch-up, or judging directly).
Import-light: no pydantic model, no engine.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from decimal import Decimal
from functools import lru_cache
from typing import Any, Protocol

import click

from credtrail.cli.options import echo_json
from credtrail.core.inputs import format_units
from credtrail.core.standing import ComplianceRow
from credtrail.core.status import MET, Standing


class Lapsed(Protocol):
    """A licence in force that expired before the day with no renewal recorded, and the
    verdict on the cycle that ended with it (``Views.lapses`` gives them)."""

    @property
    def licence(self) -> Any: ...
    @property
    def expired_on(self) -> date: ...
    @property
    def cycle(self) -> ComplianceRow | None: ...


def units(value: Any) -> str:
    """Units as text shows them (``1.5``, ``2``)."""
    return format_units(Decimal(str(value)))


@lru_cache(maxsize=64)
def spelled(status: str) -> str:
    """The status as text shows it: the one spelling (``Standing``), ``in_progress``."""
    try:
        return Standing.of(status).value
    except ValueError:
        return status


def json_keys(data: dict[str, Any], clinician_id: str) -> dict[str, Any]:
    """An evaluation's JSON with the key names every command uses (``requirement_id``)."""
    out = {"clinician_id": clinician_id}
    for key, value in data.items():
        out["requirement_id" if key == "requirement" else key] = value
    return out


def unclaimed_text(amount: Decimal, authority: str, clinician_id: str) -> str:
    """The hint under a row whose requirement would count credit recorded, not claimed."""
    return (
        f"{units(amount)} units recorded but not claimed would count here; claim them with "
        f"'credtrail credit claim --all --authority {authority} --clinician {clinician_id}'"
    )


def show_standing(
    clinician_id: str,
    day: date,
    rows: Sequence[ComplianceRow],
    unclaimed: Mapping[str, Decimal | None],
    lapses: Mapping[str, Lapsed],
    *,
    direct: bool,
    as_json: bool,
) -> None:
    """Print the rows (``--json``: as a list of objects); ``unclaimed``: per requirement,
    the units that claiming would add (None: no hint); ``lapses``: per requirement, the
    licence that expired unrenewed (a warning line); ``direct``: judged directly."""
    if as_json:
        echo_json(
            [
                {
                    **json_keys(row.explanation, clinician_id),
                    "requirement_id": row.requirement_id,
                    "license_id": row.license_id,
                    "status": spelled(row.status),
                    "unclaimed_would_count": unclaimed.get(row.requirement_id),
                    "expired_unrenewed": lapse_json(lapses.get(row.requirement_id)),
                    "evaluated_directly": direct,
                }
                for row in rows
            ]
        )
        return
    if not rows:
        click.echo(
            f"{clinician_id} is subject to no requirement on {day}; "
            f"add a license with 'credtrail license add {clinician_id} --requirement ...'"
        )
        return
    for row in rows:
        data = row.explanation
        if "error" in data:
            click.echo(f"{row.requirement_id}: cannot evaluate: {data['error']}")
            continue
        held = data.get("certification")
        label = f"certification {held}: " if held else ""
        click.echo(
            f"{label}{row.requirement_id} ({data.get('authority', '')}), "
            f"cycle {row.cycle_start} to {row.cycle_end}: {spelled(row.status)}, "
            f"{units(row.counted)} of {units(row.required)} counted"
        )
        lapse = lapses.get(row.requirement_id)
        if lapse is not None:
            click.echo("  " + lapse_text(lapse))
        for part, amount in row.missing:
            click.echo(f"  missing {units(amount)} {part}")
        extra = unclaimed.get(row.requirement_id)
        if extra is not None:
            click.echo("  " + unclaimed_text(extra, data.get("authority", ""), clinician_id))
    click.echo(f"\nExplain one: credtrail explain {clinician_id} REQUIREMENT")


def lapse_met(lapse: Lapsed) -> bool | None:
    """Whether the cycle that ended with the expiry was met (None: not judged)."""
    cycle = lapse.cycle
    if cycle is None or cycle.status == "error":
        return None
    return cycle.status in MET


def lapse_json(lapse: Lapsed | None) -> dict[str, Any] | None:
    """``status --json``'s ``expired_unrenewed``: null, or the expiry and its cycle."""
    if lapse is None:
        return None
    cycle = lapse.cycle
    judged = cycle is not None and cycle.status != "error"
    return {
        "license_id": lapse.licence.license_id,
        "license_number": lapse.licence.number,
        "expired_on": lapse.expired_on.isoformat(),
        "cycle_start": cycle.cycle_start.isoformat() if judged and cycle else None,
        "cycle_end": cycle.cycle_end.isoformat() if judged and cycle else None,
        "cycle_status": spelled(cycle.status) if judged and cycle else None,
        "cycle_met": lapse_met(lapse),
        "counted": str(cycle.counted) if judged and cycle else None,
        "required": str(cycle.required) if judged and cycle else None,
        "warning": lapse_text(lapse).removeprefix("warning: "),
    }


def lapse_text(lapse: Lapsed) -> str:
    """One plain warning line: the licence expired on D, and whether its last cycle was met."""
    lic = lapse.licence
    kind = "certification" if lic.kind == "certification" else "licence"
    group = "certification" if lic.kind == "certification" else "license"
    number = f" (number {lic.number})" if lic.number else ""
    said = (
        f"warning: {kind} {lic.license_id}{number} expired on {lapse.expired_on} "
        "and no renewal is recorded"
    )
    met, cycle = lapse_met(lapse), lapse.cycle
    if met is None or cycle is None:
        return f"{said}; the cycle ending then could not be judged"
    verdict = "was met" if met else "was NOT met"
    return (
        f"{said}; the cycle {cycle.cycle_start} to {cycle.cycle_end} {verdict} "
        f"({units(cycle.counted)} of {units(cycle.required)} counted, {spelled(cycle.status)}); "
        f"record a renewal with 'credtrail {group} renew' or its end with 'credtrail {group} end'"
    )

"""``credtrail deadlines``: what is due by when, as a table, JSON or an iCalendar feed."""

from __future__ import annotations

import re
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import click

from credtrail.cli.context import Env, pass_env
from credtrail.cli.options import DATE, echo_json, json_option, table
from credtrail.core.errors import InputError
from credtrail.core.transcript import format_units


class DurationType(click.ParamType[timedelta, Any]):
    """A span of days: ``180d``, ``26w`` or a bare number of days."""

    name = "DURATION"

    def convert(
        self, value: Any, param: click.Parameter | None, ctx: click.Context | None
    ) -> timedelta:
        if isinstance(value, timedelta):
            return value
        found = re.fullmatch(r"\s*(\d{1,5})\s*([dw]?)\s*", str(value))
        if found is None:
            self.fail(f"{value!r} is not a duration; use e.g. 90d, 180d or 26w", param, ctx)
        n = int(found.group(1))
        return timedelta(weeks=n) if found.group(2) == "w" else timedelta(days=n)


DURATION = DurationType()


@click.command()
@click.argument("clinician_id", metavar="[CLINICIAN]", required=False)
@click.option("--all", "every", is_flag=True, help="Every clinician in the store.")
@click.option("--within", type=DURATION, help="Only deadlines due within this span (e.g. 180d).")
@click.option("--on", type=DATE, help="Count days left from this date (default: today).")
@click.option(
    "--ics",
    "ics",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Also write the deadlines as an iCalendar feed (reminders 90, 30 and 7 days ahead).",
)
@click.option("--force", is_flag=True, help="Replace the --ics file if it exists.")
@json_option
@pass_env
def deadlines(
    env: Env,
    clinician_id: str | None,
    every: bool,
    within: timedelta | None,
    on: date | None,
    ics: Path | None,
    force: bool,
    as_json: bool,
) -> None:
    """Every renewal and every one-time requirement due, with its date, days left and
    what is still missing, for CLINICIAN or --all clinicians.

    Dates are the rule engine's: a renewal is due at the end of the cycle it judged, a
    one-time course by the deadline it derived from the licence.
    """
    from credtrail.core import clock
    from credtrail.core.deadlines import deadlines as find
    from credtrail.core.deadlines import to_ical
    from credtrail.core.persistence.files import create_private
    from credtrail.core.projections import Views

    if every == (clinician_id is not None):
        raise InputError("give one CLINICIAN or --all (not both)")
    day = on or date.today()
    app = env.app()
    with Views.of(app) as views:
        result = find(views, None if every else [clinician_id or ""], day, within=within)
    names = {code: a.name for code, a in app.registry.authorities.items()}
    if ics is not None:
        calendar = to_ical(result.items, clock.now(), names)
        create_private(ics, calendar, force=force, what="calendar file")
        click.echo(f"Wrote {len(result.items)} deadlines to {ics}", err=True)
    if as_json:
        echo_json(
            {
                "deadlines": [d.to_json() for d in result.items],
                "not_judged": [u.to_json() for u in result.unjudged],
            }
        )
        return
    found = result.items
    for u in result.unjudged:
        click.echo(f"{u.clinician_id} {u.requirement_id}: cannot judge: {u.error}", err=True)
    if not found:
        span = f" within {within.days} days" if within is not None else ""
        click.echo(f"Nothing due{span} from {day}.")
        return
    rows = []
    for d in found:
        what = (
            f"renewal ({names.get(d.authority, d.authority)})"
            if d.kind == "renewal"
            else (f"one-time: {d.label}")
        )
        missing = "; ".join(f"{format_units(m.units)} {m.part}" for m in d.missing) or "-"
        left = f"{d.days_left}" if d.days_left >= 0 else f"{-d.days_left} overdue"
        row = [d.due_on.isoformat(), left, d.requirement_id, what, missing]
        rows.append([d.clinician_id, *row] if every else row)
    headers = ["due", "days left", "requirement", "deadline", "missing"]
    click.echo(table(rows, ["clinician", *headers] if every else headers))


COMMANDS = [deadlines]

"""``credtrail exam record``: examinations a requirement's pathways accept (PANRE, AANPCB)."""

from __future__ import annotations

from datetime import date

import click

from credtrail.cli.context import Env, pass_env
from credtrail.cli.options import DATE


@click.group()
def exam() -> None:
    """Examinations passed (a requirement may accept one instead of credit)."""


@exam.command("record")
@click.argument("clinician_id", metavar="CLINICIAN")
@click.option("--name", required=True, help="The examination, as rules name it (PANRE).")
@click.option("--date", "passed_on", type=DATE, required=True, help="When it was passed.")
@click.option("--license", "license_id", help="Only this licence (default: every one held).")
@pass_env
def record(env: Env, clinician_id: str, name: str, passed_on: date, license_id: str | None) -> None:
    """Record an examination passed, on the licences held that day."""
    ids = env.app().record_fact(clinician_id, "exam", name, passed_on, license_id=license_id)
    click.echo(f"Recorded {name} passed {passed_on} on {', '.join(ids)}")


COMMANDS = (exam,)

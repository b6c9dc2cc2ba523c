"""``credtrail exam record``: examinations a requirement's pathways accept (PANRE, AANPCB)."""

from __future__ import annotations

from datetime import date

import click

from credtrail.cli.context import Env, pass_env
from credtrail.cli.options import DATE, echo_json, json_option


@click.group()
def exam() -> None:
    """Examinations passed (a requirement may accept one instead of credit)."""


@exam.command("record")
@click.argument("clinician_id", metavar="CLINICIAN")
@click.option("--name", required=True, help="The examination, as rules name it (PANRE).")
@click.option("--date", "passed_on", type=DATE, required=True, help="When it was passed.")
@click.option("--license", "license_id", help="Only this licence (default: every one held).")
@json_option
@pass_env
def record(
    env: Env, clinician_id: str, name: str, passed_on: date, license_id: str | None, as_json: bool
) -> None:
    """Record an examination passed, on the licences held that day."""
    ids = env.app().record_fact(clinician_id, "exam", name, passed_on, license_id=license_id)
    if as_json:
        echo_json(
            {"clinician_id": clinician_id, "exam": name, "passed_on": passed_on, "license_ids": ids}
        )
        return
    click.echo(f"Recorded {name} passed {passed_on} on {', '.join(ids)}")


COMMANDS = (exam,)

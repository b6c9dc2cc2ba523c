"""``credtrail exam record``: examinations a requirement's pathways accept (PANRE, AANPCB).

Exams are the clinician's facts: any licence's pathway reads them."""

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
@click.option(
    "--license",
    "license_id",
    help="Record it on this licence or certification (default: those held that day).",
)
@json_option
@pass_env
def record(
    env: Env,
    clinician_id: str,
    name: str,
    passed_on: date,
    license_id: str | None,
    as_json: bool,
) -> None:
    """Record an examination passed (PANRE, PANRE-LA, AANPCB-FNP).

    An exam is a fact about the clinician: every licence's and certification's pathways
    read it, whichever credential it is stored on (those held that day, else the
    latest one recorded).
    """
    ids = env.app().record_fact(clinician_id, "exam", name, passed_on, license_id=license_id)
    if as_json:
        echo_json(
            {"clinician_id": clinician_id, "exam": name, "passed_on": passed_on, "license_ids": ids}
        )
        return
    click.echo(f"Recorded {name} passed {passed_on} on {', '.join(ids)}")


COMMANDS = (exam,)

"""``credtrail course``: the course catalogue a CE Broker roster import reads."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import click

from credtrail.cli.context import Env, pass_env
from credtrail.cli.options import UNITS, echo_json, json_option
from credtrail.core.errors import InputError


@click.group()
def course() -> None:
    """The course catalogue (a CSV) giving each course's credit type and hours."""


@course.command("add")
@click.argument("catalogue", type=click.Path(dir_okay=False, path_type=Path))
@click.argument("provider_number", metavar="PROVIDER_NUMBER")
@click.argument("course_number", metavar="COURSE_NUMBER")
@click.option(
    "--type", "credit_type", required=True, help="Credit type code, e.g. ancc_contact_hour."
)
@click.option("--hours", required=True, type=UNITS, help="The course's full credit, e.g. 3.")
@click.option("--accreditor", required=True, help="The accreditor's code, e.g. ANCC.")
@click.option("--provider", "provider_name", help="The provider's name (default: its number).")
@click.option("--title", help="The course title.")
@json_option
@pass_env
def add(
    env: Env,
    catalogue: Path,
    provider_number: str,
    course_number: str,
    credit_type: str,
    hours: Decimal,
    accreditor: str,
    provider_name: str | None,
    title: str | None,
    as_json: bool,
) -> None:
    """Add (or replace) a course in CATALOGUE, for `import --format cebroker
    --option catalogue=CATALOGUE`. PROVIDER_NUMBER and COURSE_NUMBER are CE Broker's
    tracking numbers (the 50- and 20- prefixes may be left out)."""
    from credtrail.core.exchange.cebroker import Course, add_course

    registry = env.registry
    if credit_type not in registry.credit_types:
        raise InputError(
            f"unknown credit type {credit_type!r}; see `credtrail credit-types` for the codes"
        )
    if accreditor not in registry.accreditors:
        raise InputError(
            f"unknown accreditor {accreditor!r}; known: {', '.join(sorted(registry.accreditors))}"
        )
    entry = Course(credit_type, hours, accreditor, provider_name, title)
    replaced = add_course(catalogue, provider_number, course_number, entry)
    if as_json:
        echo_json(
            {
                "catalogue": str(catalogue),
                "provider_number": provider_number,
                "course_number": course_number,
                "replaced": replaced,
            }
        )
        return
    verb = "Replaced" if replaced else "Added"
    click.echo(f"{verb} course {course_number} of provider {provider_number} in {catalogue}")


COMMANDS = [course]

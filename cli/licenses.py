"""``credtrail license add|end|renew|attest|list``: what subjects a clinician to a requirement."""

from __future__ import annotations

from datetime import date

import click

from credtrail.cli.context import Env, pass_env
from credtrail.cli.options import DATE, echo_json, json_option, table


@click.group()
def license() -> None:
    """Licenses and certifications that subject a clinician to requirements."""


@license.command("add")
@click.argument("clinician_id", metavar="CLINICIAN")
@click.option("--requirement", "requirement_id", required=True, help="e.g. us-ca-physician.")
@click.option("--issued", required=True, type=DATE, help="Issue (or certification) date.")
@click.option(
    "--expires",
    type=DATE,
    help="Expiry date (needed where cycles end at expiry: refused without it).",
)
@click.option(
    "--birth-date", type=DATE, help="Birth date (needed where cycles follow the birthday)."
)
@click.option("--number", help="License or certificate number.")
@click.option(
    "--attribute",
    "attributes",
    multiple=True,
    metavar="KEY=VALUE",
    help="A fact the rules condition on, e.g. dea=yes (repeatable; docs/requirements.md).",
)
@json_option
@pass_env
def add(
    env: Env,
    clinician_id: str,
    requirement_id: str,
    issued: date,
    expires: date | None,
    birth_date: date | None,
    number: str | None,
    attributes: tuple[str, ...],
    as_json: bool,
) -> None:
    """Subject CLINICIAN to a requirement from a date; prints the license id."""
    facts: dict[str, str] = {}
    for item in attributes:
        key, sep, value = item.partition("=")
        if not sep or not key.strip() or not value.strip():
            raise click.BadParameter(
                f"{item!r} is not KEY=VALUE, e.g. dea=yes", param_hint="--attribute"
            )
        facts[key.strip()] = value.strip()
    license_id = env.app().add_license(
        clinician_id,
        requirement_id,
        issued,
        expires_on=expires,
        birth_date=birth_date,
        number=number,
        attributes=facts,
    )
    if as_json:
        echo_json({"license_id": license_id})
    else:
        click.echo(license_id)


@license.command("end")
@click.argument("clinician_id", metavar="CLINICIAN")
@click.argument("license_id", metavar="LICENSE_ID")
@click.option("--date", "ended_on", type=DATE, help="Date it ended (default: today).")
@click.option("--reason", help="Why: lapsed, surrendered, moved...")
@json_option
@pass_env
def end(
    env: Env,
    clinician_id: str,
    license_id: str,
    ended_on: date | None,
    reason: str | None,
    as_json: bool,
) -> None:
    """Stop a license: its requirement no longer applies after the date."""
    day = ended_on or date.today()
    env.app().end_license(clinician_id, license_id, day, reason)
    if as_json:
        echo_json(
            {
                "clinician_id": clinician_id,
                "license_id": license_id,
                "ended_on": day,
                "reason": reason,
            }
        )
        return
    click.echo(f"Ended {license_id}")


@license.command("renew")
@click.argument("clinician_id", metavar="CLINICIAN")
@click.argument("license_id", metavar="LICENSE_ID")
@click.option("--expires", "expires_on", type=DATE, required=True, help="The new expiry date.")
@click.option("--date", "renewed_on", type=DATE, help="Date it was renewed (default: today).")
@json_option
@pass_env
def renew(
    env: Env,
    clinician_id: str,
    license_id: str,
    expires_on: date,
    renewed_on: date | None,
    as_json: bool,
) -> None:
    """Record a renewal: its cycles and renewal numbers follow the recorded expiries."""
    day = renewed_on or date.today()
    env.app().renew_license(clinician_id, license_id, expires_on, day)
    if as_json:
        echo_json(
            {
                "clinician_id": clinician_id,
                "license_id": license_id,
                "expires_on": expires_on,
                "renewed_on": day,
            }
        )
        return
    click.echo(f"Renewed {license_id} to {expires_on}")


@license.command("attest")
@click.argument("clinician_id", metavar="CLINICIAN")
@click.argument("license_id", metavar="LICENSE_ID")
@click.option("--part", required=True, help="The one-time part done (e.g. hiv-aids).")
@click.option("--date", "completed_on", type=DATE, required=True, help="When it was done.")
@click.option("--reason", required=True, help="Why credtrail has no record of it.")
@json_option
@pass_env
def attest(
    env: Env,
    clinician_id: str,
    license_id: str,
    part: str,
    completed_on: date,
    reason: str,
    as_json: bool,
) -> None:
    """Attest a one-time part was done before credtrail's records (shown as attested)."""
    env.app().record_fact(
        clinician_id, "attestation", part, completed_on, license_id=license_id, reason=reason
    )
    if as_json:
        echo_json(
            {
                "clinician_id": clinician_id,
                "license_id": license_id,
                "part": part,
                "completed_on": completed_on,
                "reason": reason,
            }
        )
        return
    click.echo(f"Attested {part} on {license_id}")


@license.command("list")
@click.argument("clinician_id", metavar="CLINICIAN")
@json_option
@pass_env
def list_(env: Env, clinician_id: str, as_json: bool) -> None:
    """List a clinician's licenses, current and ended."""
    licenses = sorted(env.app().ledger(clinician_id).licenses.values(), key=lambda x: x.issued_on)
    if as_json:
        echo_json([lic.model_dump(mode="json") for lic in licenses])
        return
    if not licenses:
        click.echo(f"{clinician_id} holds no license yet; add one with 'credtrail license add'.")
        return
    rows = [
        [
            lic.license_id,
            lic.requirement_id,
            lic.issued_on.isoformat(),
            lic.expires_on.isoformat() if lic.expires_on else "-",
            lic.ended_on.isoformat() if lic.ended_on else "current",
        ]
        for lic in licenses
    ]
    click.echo(table(rows, ["license", "requirement", "issued", "expires", "ended"]))


COMMANDS = [license]

"""``credtrail credit earn|claim|revoke``."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import click

from credtrail.cli.context import Env, pass_env
from credtrail.cli.options import PAST_DATE, UNITS, echo_json, json_option
from credtrail.core.application import EarnRequest
from credtrail.core.transcript import format_units


@click.group()
def credit() -> None:
    """Record, claim and revoke credits."""


@credit.command()
@click.argument("clinician_id", metavar="CLINICIAN")
@click.option("--type", "credit_type", required=True, help="Credit type code, e.g. ama_pra_1.")
@click.option("--units", required=True, type=UNITS, help="Units awarded, e.g. 1.5.")
@click.option("--date", "completed_on", required=True, type=PAST_DATE, help="Completion date.")
@click.option("--provider", required=True, help="The accredited provider's name.")
@click.option(
    "--accreditor", help="Accreditor of the provider (ACCME, JA, ANCC, AAPA...); none for Cat 2."
)
@click.option("--activity", "activity_id", required=True, help="The provider's activity id.")
@click.option("--title", help="Activity title.")
@click.option(
    "--topic",
    "topics",
    multiple=True,
    help="Topic slug (repeatable), e.g. ethics; TOPIC=UNITS when only part of the credit "
    "is on it (pharmacology=4.5).",
)
@click.option("--format", "fmt", help="Activity format, e.g. live, enduring, direct:moc.")
@click.option("--designated", type=UNITS, help="Maximum units the activity was designated for.")
@json_option
@pass_env
def earn(
    env: Env,
    clinician_id: str,
    credit_type: str,
    units: Decimal,
    completed_on: date,
    provider: str,
    accreditor: str | None,
    activity_id: str,
    title: str | None,
    topics: tuple[str, ...],
    fmt: str | None,
    designated: Decimal | None,
    as_json: bool,
) -> None:
    """Record a credit a provider awarded; prints the new credit id."""
    names, topic_units = _topics(topics)
    request = EarnRequest.parse(
        clinician_id=clinician_id,
        credit_type=credit_type,
        units=units,
        completed_on=completed_on,
        provider=provider,
        accreditor=accreditor,
        activity_id=activity_id,
        title=title,
        topics=names,
        format=fmt,
        designated_units=designated,
        topic_units=topic_units,
    )
    credit_id = env.app().earn(request)
    if as_json:
        echo_json({"credit_id": credit_id})
    else:
        click.echo(credit_id)


def _topics(given: tuple[str, ...]) -> tuple[tuple[str, ...], dict[str, str]]:
    """``--topic`` values: names, and the units (as typed: the request reads them) of
    those written ``TOPIC=UNITS``."""
    names: list[str] = []
    units: dict[str, str] = {}
    for value in given:
        name, sep, amount = value.partition("=")
        names.append(name)
        if sep:
            units[name] = amount
    return tuple(names), units


@credit.command()
@click.argument("clinician_id", metavar="CLINICIAN")
@click.argument("credit_id", metavar="CREDIT_ID")
@click.option("--authority", required=True, help="Authority code, e.g. NCCPA (see authorities).")
@click.option("--units", type=UNITS, help="Units to claim (default: all unclaimed for it).")
@click.option("--date", "claimed_on", type=PAST_DATE, help="Claim date (default: today).")
@json_option
@pass_env
def claim(
    env: Env,
    clinician_id: str,
    credit_id: str,
    authority: str,
    units: Decimal | None,
    claimed_on: date | None,
    as_json: bool,
) -> None:
    """Claim an earned credit (all or part) toward an authority's requirement."""
    amount = env.app().claim(clinician_id, credit_id, authority, units, claimed_on)
    if as_json:
        echo_json({"credit_id": credit_id, "authority": authority, "units": amount})
    else:
        click.echo(f"Claimed {format_units(amount)} of {credit_id} toward {authority}")


@credit.command()
@click.argument("clinician_id", metavar="CLINICIAN")
@click.argument("credit_id", metavar="CREDIT_ID")
@click.option("--reason", required=True, help="Why the credit is withdrawn (kept in the log).")
@click.option("--date", "revoked_on", type=PAST_DATE, help="Revocation date (default: today).")
@pass_env
def revoke(
    env: Env, clinician_id: str, credit_id: str, reason: str, revoked_on: date | None
) -> None:
    """Withdraw an earned credit; it and its claims stop counting (history is kept)."""
    env.app().revoke(clinician_id, credit_id, reason, revoked_on)
    click.echo(f"Revoked {credit_id}")


COMMANDS = [credit]

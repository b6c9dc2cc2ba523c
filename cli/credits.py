"""``credtrail credit earn|claim|revoke|amend|attach|detach|certificate``."""

from __future__ import annotations

import sys
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import click

from credtrail.cli.claiming import claim_all_options, run_claim_all
from credtrail.cli.context import Env, pass_env
from credtrail.cli.options import PAST_DATE, UNITS, echo_json, json_option, os_user
from credtrail.core.requests import EarnRequest
from credtrail.core.transcript import format_units


@click.group()
def credit() -> None:
    """Record, claim, revoke and correct credits; keep their certificates."""


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
@click.option(
    "--activity-format", "activity_format", help="Activity format, e.g. live, enduring, direct:moc."
)
@click.option("--format", "fmt", hidden=True, help="Deprecated: --activity-format.")
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
    activity_format: str | None,
    fmt: str | None,
    designated: Decimal | None,
    as_json: bool,
) -> None:
    """Record a credit a provider awarded; prints the new credit id."""
    if fmt is not None:
        # --format means the output format everywhere else; kept here for old scripts.
        if activity_format is not None:
            raise click.UsageError("give --activity-format only (--format is its old name)")
        click.echo("Warning: --format is deprecated here; use --activity-format", err=True)
        activity_format = fmt
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
        format=activity_format,
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
@click.argument("clinician_id", metavar="[CLINICIAN]", required=False)
@click.argument("credit_id", metavar="[CREDIT_ID]", required=False)
@click.option("--authority", required=True, help="Authority code, e.g. NCCPA (see authorities).")
@click.option("--units", type=UNITS, help="Units to claim (default: all unclaimed for it).")
@click.option("--date", "claimed_on", type=PAST_DATE, help="Claim date (default: today).")
@claim_all_options
@json_option
@pass_env
def claim(
    env: Env,
    /,
    clinician_id: str | None,
    credit_id: str | None,
    authority: str,
    units: Decimal | None,
    claimed_on: date | None,
    as_json: bool,
    **claim_all: Any,
) -> None:
    """Claim an earned credit (all or part) toward an authority's requirement.

    With --all: every unclaimed credit the authority's requirements would count (as
    the rule engine judges it); on a terminal the claims are listed and you confirm,
    otherwise give --yes (or --dry-run to only list them).
    """
    if claim_all["everything"] or clinician_id is None or credit_id is None:
        run_claim_all(
            env, clinician_id, credit_id, authority, units, claimed_on, as_json, claim_all
        )
        return
    amount = env.app().claim(clinician_id, credit_id, authority, units, claimed_on)
    if as_json:
        echo_json(
            {
                "clinician_id": clinician_id,
                "credit_id": credit_id,
                "authority": authority,
                "units": amount,
            }
        )
    else:
        click.echo(f"Claimed {format_units(amount)} of {credit_id} toward {authority}")


@credit.command()
@click.argument("clinician_id", metavar="CLINICIAN")
@click.argument("credit_id", metavar="CREDIT_ID")
@click.option("--reason", required=True, help="Why the credit is withdrawn (kept in the log).")
@click.option("--date", "revoked_on", type=PAST_DATE, help="Revocation date (default: today).")
@json_option
@pass_env
def revoke(
    env: Env,
    clinician_id: str,
    credit_id: str,
    reason: str,
    revoked_on: date | None,
    as_json: bool,
) -> None:
    """Withdraw an earned credit; it and its claims stop counting (history is kept)."""
    env.app().revoke(clinician_id, credit_id, reason, revoked_on)
    if as_json:
        echo_json(
            {
                "clinician_id": clinician_id,
                "credit_id": credit_id,
                "revoked_on": revoked_on or date.today(),
                "reason": reason.strip(),
            }
        )
        return
    click.echo(f"Revoked {credit_id}")


# -- corrections and certificates ------------------------------------------------------


@credit.command()
@click.argument("clinician_id", metavar="CLINICIAN")
@click.argument("credit_id", metavar="CREDIT_ID")
@click.option("--units", type=UNITS, help="Corrected units.")
@click.option("--date", "completed_on", type=PAST_DATE, help="Corrected completion date.")
@click.option("--title", help="Corrected activity title.")
@click.option("--provider", help="Corrected provider name.")
@click.option("--type", "credit_type", help="Corrected credit type code.")
@click.option("--accreditor", help="Corrected accreditor.")
@click.option("--activity", "activity_id", help="Corrected provider's activity id.")
@click.option("--activity-format", "fmt", help="Corrected activity format (live, enduring...).")
@click.option("--designated", type=UNITS, help="Corrected designated maximum units.")
@click.option(
    "--topic",
    "topics",
    multiple=True,
    help="The corrected topics (repeatable; replaces them all); TOPIC=UNITS for part.",
)
@click.option("--reason", required=True, help="Why the credit is corrected (kept in the log).")
@click.option("--by", "amended_by", help="Who corrects it (default: the OS user).")
@json_option
@pass_env
def amend(
    env: Env,
    clinician_id: str,
    credit_id: str,
    units: Decimal | None,
    completed_on: date | None,
    title: str | None,
    provider: str | None,
    credit_type: str | None,
    accreditor: str | None,
    activity_id: str | None,
    fmt: str | None,
    designated: Decimal | None,
    topics: tuple[str, ...],
    reason: str,
    amended_by: str | None,
    as_json: bool,
) -> None:
    """Correct a recorded credit: old and new values, the reason and who are kept."""
    changes: dict[str, Any] = {
        name: value
        for name, value in (
            ("units", units),
            ("completed_on", completed_on),
            ("title", title),
            ("provider", provider),
            ("credit_type", credit_type),
            ("accreditor", accreditor),
            ("activity_id", activity_id),
            ("format", fmt),
            ("designated_units", designated),
        )
        if value is not None
    }
    if topics:
        changes["topics"], changes["topic_units"] = _topics(topics)
    if not changes:
        raise click.UsageError("give at least one field to correct, e.g. --units 5")
    changed = env.app().amend(
        clinician_id, credit_id, changes, reason=reason, amended_by=amended_by or os_user()
    )
    if as_json:
        echo_json(
            {
                "credit_id": credit_id,
                "changes": [
                    {"field": name, "old": old, "new": new} for name, (old, new) in changed.items()
                ],
            }
        )
        return
    click.echo(f"Amended {credit_id}:")
    for name, (old, new) in changed.items():
        click.echo(f"  {name}: {_shown(old)} -> {_shown(new)}")


def _shown(value: Any) -> str:
    if value is None or value == [] or value == {}:
        return "(none)"
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    if isinstance(value, dict):
        return ", ".join(f"{k}={v}" for k, v in value.items())
    return str(value)


@credit.command()
@click.argument("clinician_id", metavar="CLINICIAN")
@click.argument("credit_id", metavar="CREDIT_ID")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@json_option
@pass_env
def attach(env: Env, clinician_id: str, credit_id: str, file: Path, as_json: bool) -> None:
    """Keep a credit's certificate (PDF or image) in the store, by its SHA-256."""
    from credtrail.core.exchange.certificates import read_certificate

    certificate = read_certificate(file)
    created = env.app().attach(clinician_id, credit_id, certificate)
    if as_json:
        echo_json(
            {
                "credit_id": credit_id,
                "sha256": certificate.sha256,
                "media_type": certificate.media_type,
                "filename": certificate.filename,
                "size": len(certificate.data),
                "attached": created,
            }
        )
        return
    what = "Attached" if created else "Already attached:"
    click.echo(
        f"{what} {certificate.filename} ({certificate.media_type}, {len(certificate.data)} "
        f"bytes, sha256 {certificate.sha256}) to {credit_id}"
    )


@credit.command()
@click.argument("clinician_id", metavar="CLINICIAN")
@click.argument("credit_id", metavar="CREDIT_ID")
@click.option(
    "-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="Write to FILE (0600)."
)
@click.option("--sha256", "sha256", metavar="PREFIX", help="Which certificate, if several.")
@click.option("--force", is_flag=True, help="Replace FILE if it exists.")
@json_option
@pass_env
def certificate(
    env: Env,
    clinician_id: str,
    credit_id: str,
    output: Path | None,
    sha256: str | None,
    force: bool,
    as_json: bool,
) -> None:
    """Get a credit's certificate back, checked against the SHA-256 the log recorded."""
    from credtrail.core.persistence.files import create_private

    listed, data = env.app().certificate(clinician_id, credit_id, sha256)
    if output is None:
        if as_json or sys.stdout.isatty():
            raise click.UsageError("give -o FILE (or redirect the output) to get the file")
        sys.stdout.buffer.write(data)
        return
    create_private(output, data, force=force, what="certificate file")
    if as_json:
        echo_json({**listed.model_dump(mode="json"), "credit_id": credit_id, "output": str(output)})
    else:
        click.echo(
            f"Wrote {listed.filename} ({listed.media_type}, sha256 {listed.sha256}) to {output}"
        )


@credit.command()
@click.argument("clinician_id", metavar="CLINICIAN")
@click.argument("credit_id", metavar="CREDIT_ID")
@click.option("--sha256", "sha256", metavar="PREFIX", help="Which certificate, if several.")
@click.option("--reason", required=True, help="Why it is removed (kept in the log).")
@json_option
@pass_env
def detach(
    env: Env, clinician_id: str, credit_id: str, sha256: str | None, reason: str, as_json: bool
) -> None:
    """Remove a certificate from a credit: from now on it is not listed or bundled. The
    file stays in the store (history is never rewritten: an as-of replay before now
    still lists it)."""
    removed = env.app().detach(clinician_id, credit_id, reason, sha256)
    if as_json:
        echo_json(
            {
                "clinician_id": clinician_id,
                "credit_id": credit_id,
                "sha256": removed.sha256,
                "media_type": removed.media_type,
                "filename": removed.filename,
                "reason": reason.strip(),
                "detached": True,
            }
        )
        return
    click.echo(
        f"Removed {removed.filename} (sha256 {removed.sha256}) from {credit_id}; "
        "the file stays in the store's history"
    )


COMMANDS = [credit]

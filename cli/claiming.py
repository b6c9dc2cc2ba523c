"""``credtrail credit claim --all``: claim what the authority's requirements would count."""

from __future__ import annotations

import sys
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any

import click

from credtrail.cli.context import Env
from credtrail.cli.options import DATE, echo_json, table
from credtrail.core.transcript import format_units


def claim_all_options(f: Callable[..., Any]) -> Callable[..., Any]:
    """The options of ``--all`` (passed on as keyword arguments)."""
    for option in reversed(
        [
            click.option(
                "--all",
                "everything",
                is_flag=True,
                help="Claim every unclaimed credit the authority's requirements would count.",
            ),
            click.option(
                "--clinician",
                "clinicians",
                multiple=True,
                help="With --all: only this clinician (repeatable; default: every one "
                "holding a licence of the authority).",
            ),
            click.option(
                "--since", type=DATE, help="With --all: only credit completed on or after this."
            ),
            click.option("--dry-run", is_flag=True, help="With --all: list the claims only."),
            click.option("--yes", "-y", is_flag=True, help="With --all: claim without asking."),
        ]
    ):
        f = option(f)
    return f


def run_claim_all(
    env: Env,
    clinician_id: str | None,
    credit_id: str | None,
    authority: str,
    units: Decimal | None,
    claimed_on: date | None,
    as_json: bool,
    given: dict[str, Any],
) -> None:
    """``credit claim`` with --all (or missing what a single claim needs)."""
    if not given["everything"]:
        for option, key in (("--clinician", "clinicians"), ("--since", "since")):
            if given[key]:
                raise click.UsageError(f"{option} goes with --all")
        raise click.UsageError("give CLINICIAN and CREDIT_ID, or --all")
    if credit_id is not None or units is not None:
        raise click.UsageError("--all claims whole credits: give no CREDIT_ID or --units")
    who = [*((clinician_id,) if clinician_id else ()), *given["clinicians"]]
    claim_all(
        env,
        authority,
        who,
        claimed_on or date.today(),
        since=given["since"],
        dry_run=given["dry_run"],
        yes=given["yes"],
        as_json=as_json,
    )


def at_terminal() -> bool:
    """A person is there to confirm (stdin and stdout are a terminal)."""
    return sys.stdin.isatty() and sys.stdout.isatty()


def claim_all(
    env: Env,
    authority: str,
    clinicians: list[str],
    day: date,
    *,
    since: date | None,
    dry_run: bool,
    yes: bool,
    as_json: bool,
) -> None:
    """List the claims (``credtrail.core.claiming.plan_claims``), confirm, make them."""
    from credtrail.core.claiming import make_claims, plan_claims
    from credtrail.core.projections import Views

    interactive = at_terminal() and not as_json
    if not (dry_run or yes or interactive):
        raise click.UsageError(
            "not a terminal: give --yes to claim, or --dry-run to list the claims first"
        )
    app = env.app()
    app.registry.authority(authority)
    who = clinicians or [
        e.clinician_id for e in Views.of(app).clinicians(authority=authority, on=day)
    ]
    plans = plan_claims(app, authority, who, day, since=since)
    total = sum((p.units for p in plans), Decimal(0))
    rows: list[dict[str, Any]] = [
        {
            "clinician_id": p.clinician_id,
            "credit_id": p.credit_id,
            "completed_on": p.completed_on,
            "units": p.units,
            "requirement_ids": list(p.requirement_ids),
        }
        for p in plans
    ]
    if not as_json:
        if not plans:
            click.echo(f"Nothing to claim toward {authority}: no unclaimed credit would count.")
            return
        listed = [
            [
                p.clinician_id,
                p.credit_id,
                p.completed_on.isoformat(),
                format_units(p.units),
                ", ".join(p.requirement_ids),
            ]
            for p in plans
        ]
        click.echo(table(listed, ["clinician", "credit", "completed", "units", "counts toward"]))
        verb = "Would claim" if dry_run else "To claim"
        click.echo(
            f"{verb} {format_units(total)} units of {len(plans)} credit(s) toward {authority} "
            f"on {day}."
        )
    if dry_run or not plans:
        if as_json:
            echo_json(_as_json(authority, day, rows, total, dry_run=dry_run, committed=False))
        return
    if interactive and not yes:
        click.confirm("Claim them?", abort=True)
    claimed = make_claims(app, plans, day)
    if as_json:
        echo_json(_as_json(authority, day, rows, claimed, dry_run=False, committed=True))
        return
    click.echo(
        f"Claimed {format_units(claimed)} units of {len(plans)} credit(s) toward {authority}."
    )


def _as_json(
    authority: str,
    day: date,
    rows: list[dict[str, Any]],
    units: Decimal,
    *,
    dry_run: bool,
    committed: bool,
) -> dict[str, Any]:
    return {
        "authority": authority,
        "claimed_on": day,
        "dry_run": dry_run,
        "committed": committed,
        "units": units,
        "claims": rows,
    }

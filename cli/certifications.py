"""``credtrail certification add|renew|end|list``: national certifications a clinician holds.

A certification (NCCPA PA-C, ANCC FNP-BC, AANPCB FNP) is a fact about the clinician:
it subjects them to its certifier's requirement (its own renewal cycle, shown by
``status`` as a certification), and any licence's requirement whose pathways accept
it ("current NCCPA certification in lieu of CME") reads it on the day it judges.
The vocabulary (which certifier, which requirement, which cycle) is the plugins'
data: ``credtrail certification list --known``.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import click

from credtrail.cli.context import Env, pass_env
from credtrail.cli.options import DATE, echo_json, json_option, table
from credtrail.core.domain import LicenseState
from credtrail.core.errors import CredtrailError


@click.group()
def certification() -> None:
    """National certifications (NCCPA, ANCC, AANPCB) a clinician holds."""


@certification.command("add")
@click.argument("clinician_id", metavar="CLINICIAN")
@click.option("--certification", "code", required=True, help="e.g. nccpa-pa-c (see --known).")
@click.option("--issued", required=True, type=DATE, help="Date the certification was granted.")
@click.option("--expires", type=DATE, help="Its expiry date (the certifier's cycle end).")
@click.option("--number", help="Certificate number.")
@json_option
@pass_env
def add(
    env: Env,
    clinician_id: str,
    code: str,
    issued: date,
    expires: date | None,
    number: str | None,
    as_json: bool,
) -> None:
    """Record that CLINICIAN holds a certification from --issued; prints its id."""
    app = env.app()
    known = app.registry.certification(code)
    ledger = app.ledger(clinician_id)
    if ledger.profession not in known.professions:
        raise CredtrailError(
            f"{code} certifies {', '.join(known.professions)}, not {ledger.profession} "
            f"({clinician_id})"
        )
    requirement_id = known.requirement or ""
    if requirement_id:
        app.requirement_history(requirement_id)  # must be known to the store
    certification_id = f"{code}#{len(ledger.licenses) + 1}"
    ledger.add_certification(
        certification_id=certification_id,
        certification=code,
        certifier=known.certifier,
        requirement_id=requirement_id,
        issued_on=issued,
        expires_on=expires,
        number=number,
        attributes=known.attributes,
    )
    app.save(ledger)
    if as_json:
        echo_json({"certification_id": certification_id, "requirement_id": requirement_id or None})
    else:
        click.echo(certification_id)


@certification.command("renew")
@click.argument("clinician_id", metavar="CLINICIAN")
@click.argument("certification_id", metavar="CERTIFICATION_ID")
@click.option("--expires", "expires_on", type=DATE, required=True, help="The new expiry date.")
@click.option("--date", "renewed_on", type=DATE, help="Date it was renewed (default: today).")
@json_option
@pass_env
def renew(
    env: Env,
    clinician_id: str,
    certification_id: str,
    expires_on: date,
    renewed_on: date | None,
    as_json: bool,
) -> None:
    """Record a renewal; renewed after the old expiry, it was not held in between."""
    app = env.app()
    ledger = app.ledger(clinician_id)
    on = renewed_on or date.today()
    ledger.renew_certification(certification_id, on, expires_on)
    app.save(ledger)
    if as_json:
        echo_json(
            {
                "certification_id": certification_id,
                "renewed_on": on.isoformat(),
                "expires_on": expires_on.isoformat(),
            }
        )
    else:
        click.echo(f"Renewed {certification_id} to {expires_on}")


@certification.command("end")
@click.argument("clinician_id", metavar="CLINICIAN")
@click.argument("certification_id", metavar="CERTIFICATION_ID")
@click.option("--date", "ended_on", type=DATE, help="Last day it was held (default: today).")
@click.option("--reason", help="Why: lapsed, revoked, retired...")
@json_option
@pass_env
def end(
    env: Env,
    clinician_id: str,
    certification_id: str,
    ended_on: date | None,
    reason: str | None,
    as_json: bool,
) -> None:
    """Stop a certification: not held after the date, its requirement no longer applies."""
    app = env.app()
    ledger = app.ledger(clinician_id)
    on = ended_on or date.today()
    ledger.end_certification(certification_id, on, reason)
    app.save(ledger)
    if as_json:
        echo_json({"certification_id": certification_id, "ended_on": on.isoformat()})
    else:
        click.echo(f"Ended {certification_id}")


@certification.command("list")
@click.argument("clinician_id", metavar="CLINICIAN", required=False)
@click.option("--known", is_flag=True, help="List the certifications the plugins know.")
@json_option
@pass_env
def list_(env: Env, clinician_id: str | None, known: bool, as_json: bool) -> None:
    """List a clinician's certifications (or, with --known, the vocabulary)."""
    if known or clinician_id is None:
        vocabulary = sorted(env.registry.certifications.values(), key=lambda c: c.code)
        if as_json:
            echo_json([c.model_dump(mode="json") for c in vocabulary])
            return
        rows = [
            [
                c.code,
                c.certifier,
                c.requirement or "-",
                f"{c.cycle_months} months" if c.cycle_months else "-",
                c.name,
            ]
            for c in vocabulary
        ]
        click.echo(table(rows, ["certification", "certifier", "requirement", "cycle", "name"]))
        return
    held = sorted(
        (c for c in env.app().ledger(clinician_id).licenses.values() if c.kind == "certification"),
        key=lambda c: (c.issued_on, c.license_id),
    )
    if as_json:
        echo_json([_as_json(c) for c in held])
        return
    if not held:
        click.echo(
            f"{clinician_id} holds no certification yet; add one with "
            "'credtrail certification add'."
        )
        return
    rows = [
        [
            c.license_id,
            c.certification or "",
            c.certifier or "",
            c.issued_on.isoformat(),
            c.expires_on.isoformat() if c.expires_on else "-",
            c.ended_on.isoformat() if c.ended_on else "current",
        ]
        for c in held
    ]
    click.echo(
        table(
            rows, ["certification_id", "certification", "certifier", "issued", "expires", "ended"]
        )
    )


def _as_json(cert: LicenseState) -> dict[str, Any]:
    return {
        "certification_id": cert.license_id,
        "certification": cert.certification,
        "certifier": cert.certifier,
        "requirement_id": cert.requirement_id or None,
        "number": cert.number,
        "issued_on": cert.issued_on.isoformat(),
        "expires_on": cert.expires_on.isoformat() if cert.expires_on else None,
        "ended_on": cert.ended_on.isoformat() if cert.ended_on else None,
        "end_reason": cert.end_reason,
        "renewals": [
            {"renewed_on": r.isoformat(), "term_end": t.isoformat(), "expires_on": e.isoformat()}
            for r, t, e in cert.renewals
        ],
        "held": [
            {"from": a.isoformat(), "until": b.isoformat() if b else None}
            for a, b in cert.held_periods()
        ],
        "exams": [{"name": n, "on": d.isoformat()} for n, d in cert.exams],
    }


COMMANDS = [certification]

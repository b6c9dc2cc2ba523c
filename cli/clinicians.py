"""``credtrail clinician ...`` and ``credtrail transcript``."""

from __future__ import annotations

import csv
import io
from typing import Any

import click

from credtrail.cli.context import Env, pass_env
from credtrail.cli.options import echo_json, json_option, table
from credtrail.core.inputs import check_npi
from credtrail.core.projections import Views
from credtrail.core.transcript import format_units, transcript_notes


@click.group()
def clinician() -> None:
    """Add and inspect clinicians."""


@clinician.command("add")
@click.argument("clinician_id", metavar="ID")
@click.option("--profession", required=True, help="physician, nurse or pa (see credit-types).")
@click.option("--name", help="Full name, as on the license.")
@click.option("--npi", help="National Provider Identifier (10 digits), if known.")
@json_option
@pass_env
def add(
    env: Env, clinician_id: str, profession: str, name: str | None, npi: str | None, as_json: bool
) -> None:
    """Add a clinician with a profession; ID is yours to choose (e.g. a staff number)."""
    if npi is not None:
        try:
            check_npi(npi)  # as the application checks it, but named as the option
        except ValueError as exc:
            raise click.BadParameter(str(exc), param_hint="--npi") from None
    env.app().add_clinician(clinician_id, profession, name=name, npi=npi)
    if as_json:
        echo_json(
            {"clinician_id": clinician_id, "profession": profession, "name": name, "npi": npi}
        )
        return
    click.echo(f"Added {profession} {clinician_id}" + (f" ({name})" if name else ""))


@clinician.command("list")
@click.option("--profession", help="Only this profession (physician, nurse, pa...).")
@click.option("--authority", help="Only clinicians holding a licence of this authority now.")
@click.option(
    "--requirement", "requirement_id", help="Only clinicians subject to this requirement now."
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "csv", "json"]),
    default="table",
    show_default=True,
    help="Output format (--json is --format json).",
)
@json_option
@pass_env
def list_(
    env: Env,
    profession: str | None,
    authority: str | None,
    requirement_id: str | None,
    fmt: str,
    as_json: bool,
) -> None:
    """List the clinicians (the roster), with the requirements their licences carry today."""
    entries = Views.of(env.app()).clinicians(
        profession=profession, authority=authority, requirement=requirement_id
    )
    rows: list[dict[str, Any]] = [
        {
            "clinician_id": e.clinician_id,
            "name": e.name,
            "profession": e.profession,
            "npi": e.npi,
            "requirement_ids": list(e.requirements),
            "authorities": list(e.authorities),
        }
        for e in entries
    ]
    if as_json or fmt == "json":
        echo_json(rows)
        return
    if fmt == "csv":
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(["clinician_id", "name", "profession", "npi", "requirement_ids"])
        for r in rows:
            writer.writerow(
                [
                    r["clinician_id"],
                    r["name"] or "",
                    r["profession"],
                    r["npi"] or "",
                    " ".join(r["requirement_ids"]),
                ]
            )
        click.echo(out.getvalue(), nl=False)
        return
    if not rows:
        click.echo("No clinician matches; add one with 'credtrail clinician add'.")
        return
    click.echo(
        table(
            [
                [
                    str(r["clinician_id"]),
                    str(r["name"] or "-"),
                    str(r["profession"]),
                    str(r["npi"] or "-"),
                    ", ".join(r["requirement_ids"]) or "-",
                ]
                for r in rows
            ],
            ["clinician", "name", "profession", "npi", "requirements"],
        )
    )


@click.command()
@click.argument("clinician_id", metavar="CLINICIAN")
@json_option
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json", "csv", "html"]),
    default="text",
    help="csv: the import layout (docs/formats.md); html: one self-contained page.",
)
@pass_env
def transcript(env: Env, clinician_id: str, as_json: bool, fmt: str) -> None:
    """Show a clinician's credits, claims, revocations and totals by credit type."""
    # From the transcript view (caught up first), not by replaying the ledger.
    app = env.app()
    result = Views.of(app).transcript(clinician_id)
    if result.profession not in app.registry.professions:
        # Events of an uninstalled profession are kept, never dropped: say why the
        # plugin's rules and checks are missing instead of failing.
        click.echo(
            f"Note: no loaded plugin provides profession {result.profession!r} (uninstalled, "
            f"or not selected with --plugins); its {len(result.credits)} credit(s) are "
            "shown as recorded.",
            err=True,
        )
    if as_json or fmt == "json":
        data = result.model_dump(mode="json")
        # The key every command uses for the clinician (the model calls it "clinician").
        echo_json({"clinician_id": data.pop("clinician"), **data})
        return
    if fmt in ("csv", "html"):
        from credtrail.core.exchange.render import transcript_csv, transcript_html

        if fmt == "csv":
            click.echo(transcript_csv(env.app().ledger(clinician_id)), nl=False)
        else:
            click.echo(transcript_html(result), nl=False)
        return
    who = f"{result.clinician}" + (f" ({result.name})" if result.name else "")
    click.echo(f"Transcript of {who}, {result.profession}")
    if not result.credits:
        click.echo("No credits recorded yet.")
        return
    rows = []
    for c in result.credits:
        claimed = ", ".join(f"{a} {format_units(u)}" for a, u in sorted(c.claimed.items()))
        status = f"REVOKED: {c.revoked_reason}" if c.revoked else claimed
        rows.append(
            [
                c.credit_id,
                c.date.isoformat(),
                c.type,
                format_units(c.units),
                c.accreditor or "-",
                c.provider,
                c.activity,
                ",".join(c.topics),
                status,
            ]
        )
    headers = ["credit", "date", "type", "units", "accr.", "provider", "activity", "topics"]
    click.echo(table(rows, [*headers, "claimed"]))
    for line in transcript_notes(result):
        click.echo(line)
    click.echo("")
    click.echo(
        "Totals (unrevoked): "
        + ", ".join(f"{t} {format_units(u)}" for t, u in sorted(result.totals.items()))
    )


COMMANDS = [clinician, transcript]

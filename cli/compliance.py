"""``credtrail status`` (what is still missing) and ``credtrail explain`` (and why)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

import click

from credtrail.cli.context import Env, pass_env
from credtrail.cli.options import DATE, INSTANT, echo_json, json_option
from credtrail.core.compliance import judge, licence_for
from credtrail.core.domain import ClinicianLedger, LicenseState, RequirementVersionState
from credtrail.core.errors import CredtrailError, UnknownLicenseError
from credtrail.core.projections import Views
from credtrail.core.rules import Evaluation
from credtrail.core.transcript import format_units

STATUS_WORDS = {
    "compliant": "compliant",
    "cured": "compliant (cured in the grace period)",
    "in_progress": "in progress",
    "deficient": "DEFICIENT",
    "exempt": "exempt",
}


def _u(value: Any) -> str:
    return format_units(Decimal(str(value)))


@click.command()
@click.argument("clinician_id", metavar="CLINICIAN")
@click.option(
    "--requirement", "requirement_id", help="Only this requirement, e.g. us-ca-physician."
)
@click.option("--on", type=DATE, help="Judge the cycle containing this date (default: today).")
@json_option
@pass_env
def status(
    env: Env, clinician_id: str, requirement_id: str | None, on: date | None, as_json: bool
) -> None:
    """What CLINICIAN still needs, per requirement, for the cycle containing --on.

    Reads the compliance view (brought up to date first).
    """
    day = on or date.today()
    rows = Views.of(env.app()).compliance(clinician_id, requirement_id, on=day)
    if requirement_id is not None and not rows:
        raise UnknownLicenseError(
            f"clinician {clinician_id!r} holds no license for {requirement_id} on {day}; "
            f"see 'credtrail license list {clinician_id}'"
        )
    if as_json:
        echo_json([{**row.explanation, "status": row.status} for row in rows])
        return
    if not rows:
        click.echo(
            f"{clinician_id} is subject to no requirement on {day}; "
            f"add a license with 'credtrail license add {clinician_id} --requirement ...'"
        )
        return
    for row in rows:
        data = row.explanation
        if "error" in data:
            click.echo(f"{row.requirement_id}: cannot evaluate: {data['error']}")
            continue
        word = STATUS_WORDS.get(row.status, row.status)
        held = data.get("certification")
        label = f"certification {held}: " if held else ""
        click.echo(
            f"{label}{row.requirement_id} ({data.get('authority', '')}), "
            f"cycle {row.cycle_start} to {row.cycle_end}: {word}, "
            f"{_u(row.counted)} of {_u(row.required)} counted"
        )
        for part, units in row.missing:
            click.echo(f"  missing {_u(units)} {part}")
    click.echo(f"\nExplain one: credtrail explain {clinician_id} REQUIREMENT")


def _license_for(ledger: ClinicianLedger, requirement_id: str, day: date) -> LicenseState:
    licence = licence_for(ledger.licenses.values(), requirement_id, day)
    if licence is None:
        raise UnknownLicenseError(
            f"clinician {ledger.clinician_id!r} holds no license for {requirement_id}; "
            f"add one with 'credtrail license add {ledger.clinician_id} "
            f"--requirement {requirement_id} --issued ...'"
        )
    return licence


@click.command()
@click.argument("clinician_id", metavar="CLINICIAN")
@click.argument("requirement_id", metavar="REQUIREMENT")
@click.option("--cycle", "cycle_start", type=DATE, help="Explain the cycle starting this day.")
@click.option("--on", type=DATE, help="Judge as of this date (default: today).")
@click.option(
    "--as-of",
    "as_of",
    type=INSTANT,
    help="Only what the store had recorded by this instant (an auditor's view).",
)
@json_option
@pass_env
def explain(
    env: Env,
    clinician_id: str,
    requirement_id: str,
    cycle_start: date | None,
    on: date | None,
    as_of: datetime | None,
    as_json: bool,
) -> None:
    """The decision and its evidence: each credit counted toward each part, what was
    excluded and why, the rule version and its citation."""
    app = env.app()
    if as_of is not None:
        from credtrail.core.audit.asof import AsOf

        past = AsOf(app.store, as_of)
        ledger = past.ledger(clinician_id)
        known = past.requirement(requirement_id)
        if known is None:
            raise CredtrailError(
                f"requirement {requirement_id} was not recorded yet as of {as_of.isoformat()}"
            )
        versions: list[RequirementVersionState] = known.versions
        day = on or as_of.date()
    else:
        ledger = app.ledger(clinician_id)
        versions = app.requirement_history(requirement_id).versions
        day = on or date.today()
    # The licence in force on the day (else the last one held), judged as status,
    # report and audit judge it: credtrail.core.compliance.
    license = _license_for(ledger, requirement_id, day)
    result = judge(
        [v.document for v in versions],
        ledger.credits,
        license,
        app.registry,
        day,
        cycle_start=cycle_start,
        credentials=ledger.licenses.values(),
    )
    if as_json:
        echo_json(result.to_json())
        return
    click.echo(render_explanation(result, ledger))


def render_explanation(result: Evaluation, ledger: ClinicianLedger) -> str:
    """The evaluation as a person reads it: status, parts, evidence, exclusions, source."""
    lines = [
        f"{result.requirement} version {result.version} ({result.authority}) for "
        f"{ledger.clinician_id}, {'certification' if result.certification else 'license'} "
        f"{result.license_id}",
        f"cycle {result.cycle_start} to {result.cycle_end} (renewal {result.renewal_number}), "
        f"judged on {result.evaluated_on}; counts {result.counts} credit",
        f"status: {STATUS_WORDS.get(result.status, result.status)}",
        "",
        "parts:",
    ]
    width = max((len(p.part) for p in result.parts), default=5)
    for p in result.parts:
        state = f"missing {_u(p.missing)}" if p.missing > 0 else p.status
        line = f"  {p.part.ljust(width)}  {_u(p.counted):>7} of {_u(p.required):<7} {state}"
        if p.why:
            line += f" ({p.why})"
        lines.append(line)
    titles = {c.credit_id: c for c in ledger.credits.values()}

    def label(credit_id: str) -> str:
        c = titles.get(credit_id)
        if c is None:
            return credit_id
        return (
            f"{credit_id} {c.completed_on} {c.credit_type} {_u(c.units)} {c.title or c.activity_id}"
        )

    if result.allocation:
        lines += ["", "counted:"]
        for a in sorted(result.allocation, key=lambda a: (a.credit_id, a.part)):
            lines.append(f"  {_u(a.units):>6} toward {a.part:<{width}}  from {label(a.credit_id)}")
    if result.valued:
        lines += ["", "valued differently:"]
        for v in result.valued:
            lines.append(f"  {label(v.credit_id)}: {_u(v.units)} -> {_u(v.value)} ({v.reason})")
    if result.excluded:
        lines += ["", "not counted:"]
        for x in result.excluded:
            lines.append(f"  {_u(x.units):>6} of {label(x.credit_id)}: {x.reason} [{x.rule}]")
    if result.unused:
        lines += ["", "eligible but not needed or over a cap:"]
        for un in result.unused:
            lines.append(f"  {_u(un.units):>6} of {label(un.credit_id)}: {un.reason}")
    if result.carry_in or result.carry_out:
        lines += ["", f"carried in {_u(result.carry_in)}, carries out {_u(result.carry_out)}"]
    lines += ["", f"source: {result.source.describe()}"]
    if result.source.url:
        lines.append(f"  {result.source.url}")
    if result.source.confidence != "authority":
        lines.append(f"  confidence: {result.source.confidence}")
    for note in result.notes:
        lines.append(f"note: {note}")
    return "\n".join(lines)


COMMANDS = [status, explain]

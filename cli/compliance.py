"""``credtrail status`` (what is still missing) and ``credtrail explain`` (and why)."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import click

# Light imports only: `status CLINICIAN` answers from the views without the engine when
# it can (credtrail.core.viewread); the rest is imported where it is used.
from credtrail.cli.context import Env, pass_env
from credtrail.cli.options import DATE, DAYS, INSTANT, echo_json, json_option, table
from credtrail.cli.standing import json_keys as _keys
from credtrail.cli.standing import show_standing, unclaimed_text
from credtrail.cli.standing import spelled as _spelled
from credtrail.cli.standing import units as _u
from credtrail.core.errors import CredtrailError, UnknownLicenseError
from credtrail.core.standing import ComplianceRow, may_count_unclaimed
from credtrail.core.status import Standing

if TYPE_CHECKING:
    from credtrail.core.domain import ClinicianLedger, LicenseState, RequirementVersionState
    from credtrail.core.projections import Views
    from credtrail.core.projections.views import Lapse, RosterRow
    from credtrail.core.rules import Evaluation


@click.command()
@click.argument("clinician_id", metavar="[CLINICIAN]", required=False)
@click.option(
    "--all", "everyone", is_flag=True, help="Every clinician: the roster, one row per requirement."
)
@click.option(
    "--requirement", "requirement_id", help="Only this requirement, e.g. us-ca-physician."
)
@click.option("--authority", help="Only requirements of this authority, e.g. TX-TMB (--all).")
@click.option("--profession", help="Only clinicians of this profession (--all).")
@click.option("--deficient", is_flag=True, help="Only rows whose standing is deficient (--all).")
@click.option(
    "--due-within",
    type=DAYS,
    metavar="DAYS",
    help="Only rows with something missing and a cycle ending within this, e.g. 90d (--all).",
)
@click.option("--on", type=DATE, help="Judge the cycle containing this date (default: today).")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "csv", "json"]),
    default="table",
    show_default=True,
    help="Output format of --all (--json is --format json).",
)
@json_option
@pass_env
def status(
    env: Env,
    clinician_id: str | None,
    everyone: bool,
    requirement_id: str | None,
    authority: str | None,
    profession: str | None,
    deficient: bool,
    due_within: int | None,
    on: date | None,
    fmt: str,
    as_json: bool,
) -> None:
    """What CLINICIAN still needs, per requirement, for the cycle containing --on; with
    --all, every clinician's standing (filter with --deficient, --due-within 90d,
    --requirement, --authority, --profession; --format csv or json).

    Reads the compliance view (brought up to date first). After a plugin was installed
    or upgraded the view is stale: the answer is then judged directly, and says so.
    """
    day = on or date.today()
    if everyone == (clinician_id is not None):
        raise click.UsageError("give a CLINICIAN, or --all for every clinician")
    if clinician_id is None:
        _roster(
            env,
            day,
            requirement_id=requirement_id,
            authority=authority,
            profession=profession,
            deficient=deficient,
            due_within=due_within,
            fmt="json" if as_json else fmt,
        )
        return
    roster_only = {
        "--authority": authority,
        "--profession": profession,
        "--deficient": deficient or None,
        "--due-within": due_within,
        "--format": None if fmt == "table" else fmt,
    }
    for option, value in roster_only.items():
        if value is not None:
            raise click.UsageError(f"{option} goes with --all (the roster), not one clinician")
    from credtrail.core.viewread import standings

    # From the views alone when they are current (no engine, no plugins), else in full.
    rows = standings(env.location, env.selection, clinician_id, day, requirement_id)
    direct = False
    unclaimed: dict[str, Decimal | None] = {}
    lapses: dict[str, Lapse] = {}  # the views answered alone only if no licence lapsed
    if rows is None:
        rows, direct, unclaimed, lapses = _standings_in_full(env, clinician_id, day, requirement_id)
    if requirement_id is not None and not rows:
        raise UnknownLicenseError(
            f"clinician {clinician_id!r} holds no license for {requirement_id} on {day}; "
            f"see 'credtrail license list {clinician_id}'"
        )
    if direct:
        _say_direct()
    show_standing(clinician_id, day, rows, unclaimed, lapses, direct=direct, as_json=as_json)


def _standings_in_full(
    env: Env, clinician_id: str, day: date, requirement_id: str | None
) -> tuple[list[ComplianceRow], bool, dict[str, Decimal | None], dict[str, Lapse]]:
    """The rows through ``Views`` (caught up first, or judged directly when the
    compliance view is stale), whether they were judged directly, per requirement
    what claiming would add, and the licences that expired unrenewed."""
    from credtrail.core.pluginmemo import remember
    from credtrail.core.projections import Views

    views = Views.of(env.app())
    # The plugins' fingerprint is known now: later calls can check the view without them.
    remember(env.selection, views.runner.view("compliance").fingerprint)
    answer = views.standings(clinician_id, day, requirement_id)
    unclaimed = {row.requirement_id: _unclaimed(views, env, row, day) for row in answer.rows}
    lapses = {
        lapse.licence.requirement_id: lapse
        for lapse in views.lapses(clinician_id, day, requirement_id, direct=answer.direct)
    }
    return answer.rows, answer.direct, unclaimed, lapses


def _say_direct() -> None:
    from credtrail.core.projections.views import REBUILD_COMPLIANCE

    click.echo(f"Note: evaluated directly: views are stale; run `{REBUILD_COMPLIANCE}`", err=True)


def _unclaimed(views: Views, env: Env, row: ComplianceRow, day: date) -> Decimal | None:
    """Units recorded but not claimed that the row's requirement would count (None when
    it counts earned credit, or nothing is excluded as not claimed)."""
    if not may_count_unclaimed(row):
        return None
    from credtrail.core.claiming import claimable

    lic = next(
        (
            x
            for x in views.licences(row.clinician_id, catch_up=False)
            if x.license_id == row.license_id
        ),
        None,
    )
    if lic is None:
        return None
    found = claimable(
        views.documents(row.requirement_id, catch_up=False),
        views.credits(row.clinician_id, catch_up=False),
        lic,
        env.registry,
        day,
    )
    return sum((c.units for c in found), Decimal(0)) if found else None


ROSTER_COLUMNS = (
    "clinician_id",
    "name",
    "profession",
    "requirement_id",
    "authority",
    "license_id",
    "license_number",
    "cycle_start",
    "cycle_end",
    "days_left",
    "status",
    "counted",
    "required",
    "missing",
)


def _roster(
    env: Env,
    day: date,
    *,
    requirement_id: str | None,
    authority: str | None,
    profession: str | None,
    deficient: bool,
    due_within: int | None,
    fmt: str,
) -> None:
    from credtrail.core.projections import Views
    from credtrail.core.projections.runner import collector_paused
    from credtrail.core.projections.views import due_within as is_due_within

    answer = Views.of(env.app()).roster(
        day, requirement=requirement_id, authority=authority, profession=profession
    )
    rows = answer.rows
    if deficient:
        rows = [r for r in rows if r.status == Standing.DEFICIENT]
    if due_within is not None:
        rows = [r for r in rows if is_due_within(r, day, due_within)]
    if answer.direct:
        _say_direct()
    # Rendering makes a few objects per row and none in a cycle: the collector paused,
    # as for the read (credtrail.core.projections.runner.collector_paused).
    with collector_paused():
        _render_roster(rows, day, fmt)


def _render_roster(rows: list[RosterRow], day: date, fmt: str) -> None:
    if fmt == "json":
        echo_json([_roster_json(r) for r in rows])
        return
    if fmt == "csv":
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(ROSTER_COLUMNS)
        for r in rows:
            data = _roster_json(r)
            data["missing"] = "; ".join(f"{m['part']} {m['units']}" for m in data["missing"])
            writer.writerow(["" if data[k] is None else data[k] for k in ROSTER_COLUMNS])
        click.echo(out.getvalue(), nl=False)
        return
    if not rows:
        click.echo(f"No clinician matches on {day}.")
        return
    click.echo(
        table(
            [
                [
                    r.clinician_id,
                    r.name or "-",
                    r.requirement_id,
                    r.authority,
                    r.cycle_end.isoformat() if r.cycle_end else "-",
                    "-" if r.days_left is None else str(r.days_left),
                    _spelled(r.status),
                    f"{_u(r.counted)}/{_u(r.required)}",
                    r.error or ", ".join(f"{_u(u)} {p}" for p, u in r.missing) or "-",
                ]
                for r in rows
            ],
            [
                "clinician",
                "name",
                "requirement",
                "authority",
                "cycle ends",
                "days",
                "status",
                "counted",
                "missing",
            ],
        )
    )
    click.echo(f"\n{len(rows)} row(s) on {day}.")


def _roster_json(r: RosterRow) -> dict[str, Any]:
    return {
        "clinician_id": r.clinician_id,
        "name": r.name,
        "profession": r.profession,
        "requirement_id": r.requirement_id,
        "authority": r.authority,
        "license_id": r.license_id,
        "license_number": r.license_number,
        "cycle_start": r.cycle_start,
        "cycle_end": r.cycle_end,
        "days_left": r.days_left,
        "status": _spelled(r.status),
        "counted": r.counted,
        "required": r.required,
        "missing": [{"part": p, "units": u} for p, u in r.missing],
        "error": r.error,
    }


def _license_for(ledger: ClinicianLedger, requirement_id: str, day: date) -> LicenseState:
    from credtrail.core.compliance import licence_for

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
    from credtrail.core.claiming import claimable
    from credtrail.core.compliance import judge

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
    # What claiming now would add: for the current cycle, not a past one or a past view.
    now = cycle_start is None and as_of is None
    found = (
        claimable(
            [v.document for v in versions], ledger.credits.values(), license, app.registry, day
        )
        if now and any(x.rule == "not-claimed" for x in result.excluded)
        else []
    )
    extra = sum((c.units for c in found), Decimal(0)) if found else None
    if as_json:
        echo_json({**_keys(result.to_json(), clinician_id), "unclaimed_would_count": extra})
        return
    click.echo(render_explanation(result, ledger))
    if extra is not None:
        click.echo(unclaimed_text(extra, result.authority, clinician_id))


def render_explanation(result: Evaluation, ledger: ClinicianLedger) -> str:
    """The evaluation as a person reads it: status, parts, evidence, exclusions, source."""
    lines = [
        f"{result.requirement} version {result.version} ({result.authority}) for "
        f"{ledger.clinician_id}, {'certification' if result.certification else 'license'} "
        f"{result.license_id}",
        f"cycle {result.cycle_start} to {result.cycle_end} (renewal {result.renewal_number}), "
        f"judged on {result.evaluated_on}; counts {result.counts} credit",
        f"status: {_spelled(result.status)}",
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

"""``credtrail audit replay|checkpoint|verify|export``: the auditor's commands."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Any

import click

from credtrail.cli.context import Env, pass_env
from credtrail.cli.options import DATE, INSTANT, echo_json, json_option, table
from credtrail.core.audit.asof import AsOf
from credtrail.core.audit.compliance import Standing, standings
from credtrail.core.audit.diff import Change, changes_since
from credtrail.core.audit.integrity import Checkpoint, VerifyReport, make_checkpoint, verify
from credtrail.core.errors import AuditError, CredtrailError, LogIntegrityError
from credtrail.core.persistence.files import create_private_text
from credtrail.core.persistence.signing import key_from_env
from credtrail.core.transcript import Transcript, format_units, transcript_of

CHECKPOINT_FILE = click.Path(exists=True, dir_okay=False, path_type=Path)


def _trusted_key(public_key: str | None) -> str | None:
    """The public key the auditor trusts: ``--public-key``, else CREDTRAIL_KEY's."""
    if public_key:
        value = public_key.strip().lower()
        if len(value) != 64 or any(c not in "0123456789abcdef" for c in value):
            raise CredtrailError("--public-key must be 64 hex digits (see 'credtrail key show')")
        return value
    signer = key_from_env()
    return signer.public_hex if signer is not None else None


def _read_checkpoint(path: Path | None) -> Checkpoint | None:
    if path is None:
        return None
    try:
        return Checkpoint.from_json(path.read_bytes(), str(path))
    except OSError as exc:
        raise AuditError(f"cannot read checkpoint {path}: {exc.strerror}") from None


@click.group()
def audit() -> None:
    """Replay the past, prove the log was not rewritten, export evidence."""


# ------------------------------------------------------------------------------ replay


def _standing_line(s: Standing) -> str:
    e = s.evaluation
    if e is None:
        return f"  {s.requirement_id}: cannot evaluate: {s.problem}"
    missing = ", ".join(f"{format_units(u)} {p}" for p, u in e.missing)
    return (
        f"  {s.requirement_id} {e.version} ({e.authority}), cycle {e.cycle_start} to "
        f"{e.cycle_end}: {e.status}, {format_units(e.counted)} of {format_units(e.required)}"
        + (f"; missing {missing}" if missing else "")
        + f"  [{e.source.describe()}]"
    )


def _transcript_lines(t: Transcript) -> list[str]:
    who = t.clinician + (f" ({t.name})" if t.name else "")
    lines = [f"{who}, {t.profession}"]
    if not t.credits:
        return [*lines, "  no credits recorded by then"]
    rows = []
    for c in t.credits:
        claimed = ", ".join(f"{a} {format_units(u)}" for a, u in sorted(c.claimed.items()))
        rows.append(
            [
                c.credit_id,
                c.date.isoformat(),
                c.type,
                format_units(c.units),
                f"REVOKED: {c.revoked_reason}" if c.revoked else claimed,
            ]
        )
    lines += [
        "  " + line
        for line in table(rows, ["credit", "completed", "type", "units", "claimed"]).splitlines()
    ]
    totals = ", ".join(f"{k} {format_units(v)}" for k, v in sorted(t.totals.items()))
    return [*lines, f"  totals: {totals or 'none'}"]


def _changes_lines(changes: list[Change]) -> list[str]:
    if not changes:
        return ["Nothing was recorded after the instant."]
    rows = [
        [str(c.position), c.recorded_at.date().isoformat(), c.subject, c.why, c.summary]
        for c in changes
    ]
    return ["Recorded since:", table(rows, ["position", "recorded", "subject", "why", "what"])]


@audit.command()
@click.option("--as-of", "as_of", type=INSTANT, required=True, help="Transaction time T.")
@click.option("--on", type=DATE, help="Judge compliance on this date (default: T's date).")
@click.option("--clinician", "clinician_id", help="Only this clinician.")
@click.option("--requirement", "requirement_id", help="Only this requirement.")
@click.option("--diff", is_flag=True, help="Also list what was recorded after T, and why.")
@json_option
@pass_env
def replay(
    env: Env,
    as_of: datetime,
    on: date | None,
    clinician_id: str | None,
    requirement_id: str | None,
    diff: bool,
    as_json: bool,
) -> None:
    """What the system knew at T (only events recorded by then) and concluded on --on,
    with the requirement versions known at T."""
    app = env.app()
    view = AsOf(app.store, as_of)
    day = on or as_of.date()
    ledgers = [view.ledger(clinician_id)] if clinician_id else list(view.clinicians())
    result: dict[str, Any] = {"as_of": as_of.isoformat(), "on": day.isoformat()}
    people = []
    for ledger in ledgers:
        judged = standings(view, ledger, app.registry, on=day, requirement_id=requirement_id)
        if requirement_id and not clinician_id and not judged:
            continue  # not licensed under it: not part of this requirement's audit
        people.append((transcript_of(ledger), judged))
    result["clinicians"] = [
        {"transcript": _transcript_json(t), "standings": [_standing_json(s) for s in judged]}
        for t, judged in people
    ]
    known = view.requirement(requirement_id, on=day) if requirement_id else None
    if requirement_id:
        result["requirement_id"] = requirement_id
        result["known_versions"] = [v.version for v in known.versions] if known else []
        result["version_in_force"] = known.in_force.version if known and known.in_force else None
    changes: list[Change] = []
    if diff:
        extra = [requirement_id] if requirement_id else []
        changes = changes_since(app.store, as_of, clinician_id, extra)
        result["changes"] = [c.as_dict() for c in changes]
    if as_json:
        echo_json(result)
        return
    click.echo(f"As of {as_of.isoformat()} (recorded by then), judged on {day}:")
    if requirement_id:
        versions = ", ".join(result["known_versions"]) or "none recorded yet"
        click.echo(
            f"{requirement_id}: versions known {versions}; in force on {day}: "
            f"{result['version_in_force'] or 'none'}"
        )
    if not people:
        click.echo("No clinician was recorded by then.")
    for transcript, judged in people:
        click.echo("")
        for line in _transcript_lines(transcript):
            click.echo(line)
        for s in judged:
            click.echo(_standing_line(s))
    if diff:
        click.echo("")
        for line in _changes_lines(changes):
            click.echo(line)


_CONVENTION_KEYS = {
    "clinician": "clinician_id",
    "requirement": "requirement_id",
    "license": "license_id",
}


def _transcript_json(transcript: Transcript) -> dict[str, Any]:
    """A transcript as ``credtrail transcript --json`` gives it (``clinician_id``)."""
    data = transcript.model_dump(mode="json")
    return {"clinician_id": data.pop("clinician"), **data}


def _standing_json(standing: Standing) -> dict[str, Any]:
    """A replayed standing with the key names every command uses (``requirement_id``, in
    the engine's evaluation too, as ``status --json`` and ``explain --json`` give it); the
    evidence bundle's ``standings.json`` keeps its own recorded format."""
    out = {_CONVENTION_KEYS.get(k, k): v for k, v in standing.as_dict().items()}
    if out.get("evaluation") is not None:
        out["evaluation"] = {_CONVENTION_KEYS.get(k, k): v for k, v in out["evaluation"].items()}
    return out


# -------------------------------------------------------------------------- integrity


@audit.command()
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    help="Write the checkpoint here (default: print it).",
)
@click.option("--force", is_flag=True, help="Replace an existing file.")
@json_option
@pass_env
def checkpoint(env: Env, output: Path | None, force: bool, as_json: bool) -> None:
    """Verify the whole log, then record its position, chain head and Merkle root
    (and, in a keyed store, the last batch's signed head).

    Keep the file somewhere the store's operators cannot change it: it is what
    proves later that nothing before it was altered, removed or cut off.
    """
    cp = make_checkpoint(env.app().store, trusted_key=_trusted_key(None))
    if output is None:
        click.echo(cp.to_json(), nl=False)
        return
    try:
        create_private_text(output, cp.to_json(), force=force, what="checkpoint file")
    except OSError as exc:
        raise AuditError(f"cannot write the checkpoint to {output}: {exc.strerror}") from None
    if as_json:
        echo_json({**cp.model_dump(mode="json"), "file": str(output)})
        return
    click.echo(
        f"Checkpoint of {cp.events} events up to position {cp.position} written to {output}\n"
        f"head {cp.head}\nroot {cp.root}"
    )


def _report_text(report: VerifyReport) -> str:
    lines = [
        f"OK: {report.events} events verified up to position {report.position}",
        f"head {report.head}",
        f"root {report.root}",
    ]
    signed = report.signed
    if signed is None:
        lines.append("the store has no key: batch heads are not signed (see 'credtrail key init')")
    else:
        anchor = (
            "anchored on your key"
            if signed.anchored
            else "NOT anchored: give --public-key or CREDTRAIL_KEY to trust them"
        )
        lines.append(
            f"{signed.heads} batch heads checked, signed by key(s) {', '.join(signed.keys)} "
            f"({anchor}); last signed head at {signed.last_signed_at or 'never'} "
            f"(position {signed.last_position})"
        )
    cp = report.checkpoint
    if cp is not None:
        lines.append(
            f"the log up to the checkpoint of {cp.created_at.isoformat()} ({cp.events} events, "
            f"position {cp.position}) is unchanged"
        )
    else:
        lines.append("not proven without a checkpoint: that no whole batches were cut off the end")
    return "\n".join(lines)


@audit.command("verify")
@click.option(
    "--checkpoint", "checkpoint_file", type=CHECKPOINT_FILE, help="A checkpoint you kept."
)
@click.option(
    "--bundle",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    help="Verify an exported evidence bundle instead of the store (no store needed).",
)
@click.option(
    "--public-key",
    "public_key",
    metavar="HEX",
    help="The organisation's public key to anchor signatures on (default: CREDTRAIL_KEY's).",
)
@click.option(
    "--views", "check_views", is_flag=True, help="Also rebuild the views elsewhere and compare."
)
@json_option
@click.pass_context
def verify_command(
    ctx: click.Context,
    checkpoint_file: Path | None,
    bundle: Path | None,
    public_key: str | None,
    check_views: bool,
    as_json: bool,
) -> None:
    """Recompute every hash and check every signature of the log (or of a bundle);
    exit 1 naming the first break."""
    env = ctx.find_object(Env)
    assert env is not None
    trusted = _read_checkpoint(checkpoint_file)
    if bundle is not None:
        _verify_bundle(ctx, env, bundle, trusted, _trusted_key(public_key), as_json)
        return
    app = env.app()
    report = verify(app.store, trusted, _trusted_key(public_key))
    views = None
    if check_views and report.ok:
        from credtrail.core.audit.views import verify_views

        views = verify_views(app)
    if as_json:
        data = report.as_dict()
        if views is not None:
            data["views"] = {
                "ok": views.ok,
                "position": views.position,
                "differences": [d.describe() for d in views.differences],
            }
        echo_json(data)
        if not report.ok or (views is not None and not views.ok):
            ctx.exit(1)
        return
    report.raise_for_problem()
    click.echo(_report_text(report))
    if views is not None:
        if not views.ok:
            details = "; ".join(d.describe() for d in views.differences)
            raise LogIntegrityError(f"the views differ from what the log gives: {details}")
        click.echo(
            f"views ({', '.join(views.tables)}) equal a rebuild from the log up to "
            f"position {views.position}"
        )


def _verify_bundle(
    ctx: click.Context,
    env: Env,
    bundle: Path,
    trusted: Checkpoint | None,
    trusted_key: str | None,
    as_json: bool,
) -> None:
    from credtrail.core.audit.bundle import verify_bundle

    try:
        result = verify_bundle(
            bundle, trusted=trusted, registry=env.registry, trusted_key=trusted_key
        )
    except LogIntegrityError as exc:
        if not as_json:
            raise
        echo_json({"ok": False, "problem": str(exc)})
        ctx.exit(1)
    if as_json:
        echo_json(result.as_dict())
        return
    click.echo(
        f"OK: bundle of {result.clinician} as of {result.as_of}: {result.events} events "
        f"in {result.streams} streams proved against root {result.checkpoint.root}"
    )
    click.echo("transcript reproduced from the proven events")
    if result.standings_reproduced:
        click.echo(f"standings reproduced by the rule engine: {result.standings}")
    if result.certificates:
        click.echo(f"certificates matching their recorded SHA-256: {result.certificates}")
    for note in result.notes:
        click.echo(note)


@audit.command()
@click.argument("clinician_id", metavar="CLINICIAN")
@click.option("--as-of", "as_of", type=INSTANT, required=True, help="Transaction time T.")
@click.option("--on", type=DATE, help="Judge compliance on this date (default: T's date).")
@click.option(
    "-o",
    "--output",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="A new (or empty) folder for the bundle.",
)
@click.option(
    "--checkpoint",
    "checkpoint_file",
    type=CHECKPOINT_FILE,
    help="An older checkpoint the auditor holds: include the proof that the log extends it.",
)
@json_option
@pass_env
def export(
    env: Env,
    clinician_id: str,
    as_of: datetime,
    on: date | None,
    output: Path,
    checkpoint_file: Path | None,
    as_json: bool,
) -> None:
    """Write CLINICIAN's evidence bundle as of T into a folder, verifiable without the store."""
    from credtrail.core.audit.bundle import export_bundle

    app = env.app()
    trusted = _read_checkpoint(checkpoint_file)
    try:
        manifest = export_bundle(
            app.store,
            app.registry,
            clinician_id,
            as_of,
            output,
            on=on,
            trusted=trusted,
            trusted_key=_trusted_key(None),
        )
    except OSError as exc:
        raise AuditError(f"cannot write the bundle to {output}: {exc.strerror}") from None
    if as_json:
        echo_json(
            {
                "clinician_id": clinician_id,
                "events": manifest["events"],
                "as_of": manifest["as_of"],
                "bundle": str(output),
            }
        )
        return
    click.echo(
        f"Exported {manifest['events']} events of {clinician_id} as of {manifest['as_of']} "
        f"to {output}\nVerify anywhere with: credtrail audit verify --bundle {output}"
    )


COMMANDS = [audit]

"""``credtrail import``, ``credtrail export`` (openbadges, clr, pars, cebroker, nccpa) and
``credtrail report``."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime
from pathlib import Path
from typing import Any, TypeVar

import click

from credtrail.cli.context import Env, pass_env
from credtrail.cli.options import DATE, echo_json, json_option, os_user
from credtrail.core.errors import InputError
from credtrail.core.exchange import import_file
from credtrail.core.exchange.pipeline import ImportSummary, Phase, ProgressCallback
from credtrail.core.inputs import printable

_F = TypeVar("_F", bound=Any)

_FORCE = "credtrail_force_output"


def _remember_force(ctx: click.Context, param: click.Parameter, value: bool) -> bool:
    ctx.meta[_FORCE] = value
    return value


def output_option(func: _F) -> _F:
    """Every export's ``-o FILE`` (stdout without it) and ``--force``: one spelling, one
    help text. The file is created 0600, never through a symlink (``write_output``)."""
    func = click.option(
        "--force",
        is_flag=True,
        expose_value=False,
        callback=_remember_force,
        help="Replace FILE if it exists.",
    )(func)
    return click.option(
        "-o",
        "--output",
        type=click.Path(dir_okay=False, path_type=Path),
        help="Write to FILE (created private, 0600; an existing FILE needs --force).",
    )(func)


key_option = click.option(
    "--key",
    "key_path",
    type=click.Path(dir_okay=False, path_type=Path),
    envvar="CREDTRAIL_KEY",
    help="The organisation's Ed25519 private key (PEM) to sign with "
    "[env: CREDTRAIL_KEY]; `credtrail key init` makes one.",
)
proof_option = click.option(
    "--proof",
    type=click.Choice(["eddsa", "jwt"]),
    default="eddsa",
    show_default=True,
    help="eddsa: an eddsa-rdfc-2022 Data Integrity proof (JSON); jwt: a VC-JWT "
    "(compact JWS, EdDSA), see docs/formats.md.",
)
did_web_option = click.option(
    "--did-web",
    "did_web",
    metavar="HOST[:PATH]",
    envvar="CREDTRAIL_DID_WEB",
    help="Issue as did:web:HOST[:PATH] instead of the key's did:key [env: CREDTRAIL_DID_WEB]; "
    "publish `credtrail key did-document` there.",
)
organisation_option = click.option(
    "--organisation",
    default="credtrail",
    show_default=True,
    help="The issuing organisation's name, as the credential's issuer.",
)

_PHASES = {"validate": "Validating", "write": "Writing   "}


@contextmanager
def _progress(enabled: bool) -> Iterator[ProgressCallback | None]:
    """A progress bar per phase on stderr, only for a person at a terminal."""
    if not enabled:
        yield None
        return
    bars: dict[str, Any] = {}

    def update(phase: Phase, done: int, total: int) -> None:
        bar = bars.get(phase)
        if bar is None:
            for other in bars.values():
                other.render_finish()
            bar = click.progressbar(length=max(total, 1), label=_PHASES[phase], file=sys.stderr)
            bar.__enter__()
            bars[phase] = bar
        bar.update(done - bar.pos)

    try:
        yield update
    finally:
        for bar in bars.values():
            bar.__exit__(None, None, None)


def _errors_text(s: ImportSummary) -> str:
    # Errors quote the file's values: never let them drive the terminal.
    lines = [f"  {printable(e)}" for e in s.errors]
    omitted = s.error_count - len(s.errors)
    if omitted > 0:
        lines.append(f"  ... and {omitted} more")
    return "\n".join(lines)


@click.command("import")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--format",
    "format_name",
    required=True,
    metavar="FORMAT",
    help="pars, cebroker, openbadges or csv (and any format a plugin adds); see docs/formats.md. "
    "roster: clinicians and licences (credtrail.core.roster).",
)
@click.option("--dry-run", is_flag=True, help="Validate and count; write nothing.")
@click.option(
    "--partial",
    is_flag=True,
    help="Write the valid records and report the rest (default: all or nothing).",
)
@click.option(
    "--commit-every",
    type=click.IntRange(min=1),
    metavar="N",
    help="Commit every N events instead of once (bounded memory; see docs/formats.md).",
)
@click.option(
    "--learner",
    "learners",
    multiple=True,
    metavar="ID=CLINICIAN",
    help="Map an identifier the file uses for a learner (a DID, a hashed e-mail) to a "
    "clinician id; repeatable.",
)
@click.option(
    "--require-proof",
    is_flag=True,
    help="Refuse every record whose signature was not verified (Open Badges / CLR "
    "eddsa-rdfc-2022 proofs and VC-JWTs).",
)
@click.option(
    "--did-document",
    "did_documents",
    multiple=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    metavar="FILE",
    help="A did:web issuer's DID document (did.json) to check its signatures against; "
    "repeatable. DIDs are never resolved online.",
)
@click.option(
    "--amend",
    is_flag=True,
    help="Correct recorded credits the file states differently (default: report a conflict).",
)
@click.option("--by", "amended_by", help="Who the --amend corrections are by (default: OS user).")
@click.option(
    "--option",
    "options",
    multiple=True,
    metavar="KEY=VALUE",
    help="A format's own option, e.g. catalogue=courses.csv for cebroker; repeatable.",
)
@json_option
@pass_env
def import_(
    env: Env,
    file: Path,
    format_name: str,
    dry_run: bool,
    partial: bool,
    commit_every: int | None,
    learners: tuple[str, ...],
    require_proof: bool,
    did_documents: tuple[Path, ...],
    options: tuple[str, ...],
    amend: bool,
    amended_by: str | None,
    as_json: bool,
) -> None:
    """Import the credits in FILE: every record is validated before anything is written.

    Importing the same file twice writes nothing the second time: each record has a
    natural key (learner, provider, activity, completion date, credit type).
    """
    if format_name == "roster":
        from credtrail.cli.roster import import_roster_file

        given = {"--partial": partial, "--commit-every": commit_every, "--learner": learners}
        given |= {"--require-proof": require_proof, "--option": options}
        import_roster_file(env, file, dry_run=dry_run, as_json=as_json, given=given)
        return
    mapping: dict[str, str] = {}
    for item in learners:
        key, sep, clinician = item.rpartition("=")
        if not sep or not key.strip() or not clinician.strip():
            raise click.BadParameter(
                f"{item!r} is not ID=CLINICIAN (e.g. did:example:123=dr-rivera)",
                param_hint="--learner",
            )
        mapping[key.strip()] = clinician.strip()
    format_options: dict[str, str] = {}
    for item in options:
        key, sep, value = item.partition("=")
        if not sep or not key.strip() or not value.strip():
            raise click.BadParameter(
                f"{item!r} is not KEY=VALUE (e.g. catalogue=courses.csv)", param_hint="--option"
            )
        format_options[key.strip()] = value.strip()
    if did_documents:
        from credtrail.core.exchange.openbadges import DID_DOCUMENTS_OPTION

        format_options[DID_DOCUMENTS_OPTION] = "\n".join(str(p) for p in did_documents)
    app = env.app()
    with _progress(sys.stderr.isatty() and not as_json) as progress:
        summary = import_file(
            app,
            file,
            format_name,
            dry_run=dry_run,
            partial=partial,
            commit_every=commit_every,
            progress=progress,
            learners=mapping,
            require_proof=require_proof,
            options=format_options,
            amend=amend,
            amended_by=amended_by or os_user(),
        )
    if as_json:
        echo_json(summary.as_dict())
        if not summary.committed:
            sys.exit(1)
        return
    if not summary.committed:
        raise InputError(
            f"{summary.file}: {summary.rejected} of {summary.read} records rejected; "
            "nothing was written (fix them, or use --partial to import the valid ones):\n"
            + _errors_text(summary)
        )
    click.echo(summary.describe())
    for notice in summary.notices:
        click.echo(f"Note: {printable(notice)}", err=True)
    if summary.rejected:
        click.echo(f"Rejected (not imported):\n{_errors_text(summary)}", err=True)


@click.group()
def export() -> None:
    """Export credits in exchange formats."""


@export.command("openbadges")
@click.argument("clinician_id", metavar="CLINICIAN")
@click.argument("credit_id", metavar="CREDIT_ID")
@key_option
@click.option("--unsigned", is_flag=True, help="Write the credential without a proof.")
@proof_option
@did_web_option
@organisation_option
@output_option
@json_option
@pass_env
def export_openbadges(
    env: Env,
    clinician_id: str,
    credit_id: str,
    key_path: Path | None,
    unsigned: bool,
    proof: str,
    did_web: str | None,
    organisation: str,
    output: Path | None,
    as_json: bool,
) -> None:
    """Write an Open Badges 3.0 credential for one credit, signed (eddsa-rdfc-2022 or JWT).

    A credit imported from a credential is written back exactly as it was received,
    with its issuer's own signature. Otherwise the organisation is the issuer
    (did:key of its key, or --did-web) and the provider is the achievement's creator.
    """
    from credtrail.core.exchange.openbadges_export import (
        export_credential,
        original_credential,
        original_jwt,
    )

    app = env.app()
    ledger = app.ledger(clinician_id)
    credit = ledger.credit(credit_id)
    if credit.revoked:
        raise InputError(
            f"credit {credit_id!r} was revoked ({credit.revoked_reason}); "
            "a revoked credit cannot be exported as a credential"
        )
    key = None
    if original_credential(credit) is None and original_jwt(credit) is None and not unsigned:
        key = _signing_key(key_path)
    document = export_credential(
        clinician_id=clinician_id,
        name=ledger.name,
        npi=ledger.npi,
        credit=credit,
        registry=app.registry,
        private_key=key,
        organisation=organisation,
        proof=proof,
        did=_did(did_web),
    )
    _write(_serialised(document), output, as_json=as_json)


@export.command("clr")
@click.argument("clinician_id", metavar="CLINICIAN")
@key_option
@click.option("--unsigned", is_flag=True, help="Write the transcript without a proof.")
@proof_option
@did_web_option
@organisation_option
@output_option
@json_option
@pass_env
def export_clr(
    env: Env,
    clinician_id: str,
    key_path: Path | None,
    unsigned: bool,
    proof: str,
    did_web: str | None,
    organisation: str,
    output: Path | None,
    as_json: bool,
) -> None:
    """Write the clinician's CLR 2.0 transcript (ClrCredential), signed by the organisation.

    Every live credit is in it: credentials received from providers unchanged (their
    own signatures), the others as credentials the organisation issues. See
    docs/formats.md "CLR 2.0 transcripts".
    """
    from credtrail.core.exchange.clr import export_transcript

    app = env.app()
    ledger = app.ledger(clinician_id)
    credits = [c for c in ledger.credits.values() if not c.revoked]
    key = None if unsigned else _signing_key(key_path)
    document = export_transcript(
        clinician_id=clinician_id,
        name=ledger.name,
        npi=ledger.npi,
        credits=credits,
        registry=app.registry,
        private_key=key,
        organisation=organisation,
        proof=proof,
        did=_did(did_web),
    )
    text = _serialised(document)
    if as_json and output is None and isinstance(document, str):
        text = json.dumps({"jwt": document}) + "\n"
    _write(text, output, quiet=as_json)
    if as_json and output is not None:
        echo_json(
            {
                "clinician_id": clinician_id,
                "output": str(output),
                "proof": "unsigned" if key is None else proof,
                "credentials": len(credits),
            }
        )


def _signing_key(key_path: Path | None) -> Any:
    if key_path is None:
        raise InputError(
            "no signing key: give --key FILE or set CREDTRAIL_KEY (`credtrail key init` "
            "makes one), or write it unsigned with --unsigned"
        )
    return _private_key(key_path)


def _did(did_web: str | None) -> str | None:
    from credtrail.core.exchange.dataintegrity import did_web as did_web_of

    return did_web_of(did_web) if did_web else None


def _serialised(document: dict[str, Any] | str) -> str:
    """A JSON credential indented, a VC-JWT as its one line."""
    if isinstance(document, str):
        return document + "\n"
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


@export.command("pars")
@click.argument("clinicians", nargs=-1, metavar="[CLINICIAN]...")
@click.option("--provider", metavar="ID", help="Only this ACCME provider id's credits.")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["tsv", "json"]),
    default="tsv",
    show_default=True,
    help="Tab-delimited (what `import --format pars` reads) or ACCMELearnerReports JSON.",
)
@output_option
@json_option
@pass_env
def export_pars(
    env: Env,
    clinicians: tuple[str, ...],
    provider: str | None,
    fmt: str,
    output: Path | None,
    as_json: bool,
) -> None:
    """Write the PARS learner-completion upload for credits recorded with a provider id.

    Every clinician's (or the CLINICIANs') AMA PRA Category 1 and MOC credits whose
    ACCME provider id is known, one row per credit (see docs/formats.md).
    """
    from credtrail.core.exchange.exports import live_credits
    from credtrail.plugins.physician_ama.pars_export import pars_json, pars_rows, pars_tsv

    app = env.app()
    rows = list(pars_rows(live_credits(app, clinicians), provider))
    if fmt == "json":
        if not rows:
            raise InputError("no credit has an ACCME provider id; nothing to report to PARS")
        document = pars_json(rows, datetime.now())
        _write(json.dumps(document, indent=2, ensure_ascii=False) + "\n", output, as_json=as_json)
    else:
        _write(pars_tsv(rows), output, as_json=as_json)


@export.command("cebroker")
@click.argument("clinicians", nargs=-1, metavar="[CLINICIAN]...")
@click.option("--provider", metavar="NUMBER", help="Only this CE Broker provider number's.")
@output_option
@json_option
@pass_env
def export_cebroker(
    env: Env,
    clinicians: tuple[str, ...],
    provider: str | None,
    output: Path | None,
    as_json: bool,
) -> None:
    """Write a CE Broker roster (columns A-J, no header) of the credits recorded from one.

    Full-credit rows leave I and J empty: CE Broker (and `import --format cebroker`
    with the catalogue) take the course's hours.
    """
    from credtrail.core.exchange.cebroker import cebroker_csv, cebroker_rows
    from credtrail.core.exchange.exports import live_credits

    app = env.app()
    _write(
        cebroker_csv(cebroker_rows(live_credits(app, clinicians), provider)),
        output,
        as_json=as_json,
    )


@export.command("nccpa")
@click.argument("clinician_id", metavar="CLINICIAN")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "csv"]),
    default="text",
    show_default=True,
    help="One block per entry, or one CSV row per entry.",
)
@output_option
@json_option
@pass_env
def export_nccpa(env: Env, clinician_id: str, fmt: str, output: Path | None, as_json: bool) -> None:
    """List a PA's credits with the fields of NCCPA's "Log New CME" form, in its order."""
    from credtrail.plugins.pa_aapa.nccpa import nccpa_csv, nccpa_entries, nccpa_text

    app = env.app()
    entries = nccpa_entries(app.ledger(clinician_id).credits.values())
    _write(nccpa_csv(entries) if fmt == "csv" else nccpa_text(entries), output, as_json=as_json)


def _private_key(path: Path) -> Any:
    """The organisation's Ed25519 key, read as ``credtrail key init`` wrote it."""
    from credtrail.core.persistence.signing import load_key

    return load_key(path).private_key


def _write(text: str, output: Path | None, *, as_json: bool = False, quiet: bool = False) -> None:
    """The document on stdout, or in ``output`` (then, with --json, ``{"output": ...}``;
    ``quiet`` when the caller reports the file itself)."""
    if output is None:
        click.echo(text, nl=False)
        return
    from credtrail.core.exchange.exports import write_output

    write_output(output, text, force=bool(click.get_current_context().meta.get(_FORCE)))
    if quiet:
        return
    if as_json:
        echo_json({"output": str(output)})
        return
    click.echo(f"Wrote {output}", err=True)


@click.command()
@click.argument("clinician_id", metavar="CLINICIAN")
@click.option(
    "--requirement", "requirement_id", help="Only this requirement, e.g. us-tx-physician."
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["html", "pdf"]),
    default="html",
    show_default=True,
    help="html (self-contained) or pdf (printed by headless Chromium).",
)
@click.option(
    "--paper",
    type=click.Choice(["letter", "a4"]),
    default="letter",
    show_default=True,
    help="Page size when printed.",
)
@output_option
@click.option("--on", "on", type=DATE, help="Evaluate as of this date (default: today).")
@json_option
@pass_env
def report(
    env: Env,
    clinician_id: str,
    requirement_id: str | None,
    fmt: str,
    paper: str,
    output: Path | None,
    on: date | None,
    as_json: bool,
) -> None:
    """A compliance report to send a board: a page per requirement with the licence
    number, NPI, cycle and days left, each part with the credits counted (and not, and
    why), citations and an attestation to sign; the engine's notes in an appendix.

    --format pdf prints it with headless Chromium and needs -o FILE.
    """
    from credtrail.core.exchange.compliance import report_facts
    from credtrail.core.exchange.render import html_to_pdf, report_html

    facts = report_facts(env.app(), clinician_id, on or date.today(), requirement_id)
    html = report_html(facts, paper="a4" if paper == "a4" else "letter")
    if fmt == "html":
        _write(html, output, as_json=as_json)
        return
    if output is None:
        raise InputError("--format pdf writes a file: give -o FILE.pdf")
    pdf = html_to_pdf(html)
    from credtrail.core.exchange.exports import write_output

    write_output(output, pdf, force=bool(click.get_current_context().meta.get(_FORCE)))
    if as_json:
        echo_json({"output": str(output)})
        return
    click.echo(f"Wrote {output}", err=True)


COMMANDS = [import_, export, report]

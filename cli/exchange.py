"""``credtrail import``, ``credtrail export`` (openbadges, pars, cebroker, nccpa) and
``credtrail report``."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime
from pathlib import Path
from typing import Any

import click

from credtrail.cli.context import Env, pass_env
from credtrail.cli.options import DATE, echo_json, json_option
from credtrail.core.errors import InputError
from credtrail.core.exchange import import_file
from credtrail.core.exchange.pipeline import ImportSummary, Phase, ProgressCallback

output_option = click.option(
    "-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="Write to FILE."
)
"""Every export's ``-o FILE`` (stdout without it): one spelling, one help text."""

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


def _counts(s: ImportSummary) -> str:
    deleted = f", deleted {s.deleted}" if s.deleted else ""
    return (
        f"read {s.read}, written {s.written}{deleted}, skipped {s.skipped}, rejected {s.rejected}"
    )


def _report_text(s: ImportSummary) -> str:
    added = (
        f"; {s.clinicians_created} clinician{'s' if s.clinicians_created != 1 else ''} added"
        if s.clinicians_created
        else ""
    )
    if s.dry_run:
        return f"Dry run of {s.file} ({s.format}), nothing written: would have {_counts(s)}{added}"
    if s.written == 0 and s.deleted == 0 and s.rejected == 0:
        return (
            f"Nothing written: every record of {s.file} is already recorded ({_counts(s)})"
            if s.read
            else f"Nothing written: {s.file} has no records"
        )
    return f"Imported {s.file} ({s.format}): {_counts(s)}{added}"


def _errors_text(s: ImportSummary) -> str:
    lines = [f"  {e}" for e in s.errors]
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
    help="pars, cebroker, openbadges or csv (and any format a plugin adds); see docs/formats.md.",
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
    help="Refuse every record whose signature was not verified (Open Badges proofs).",
)
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
    options: tuple[str, ...],
    as_json: bool,
) -> None:
    """Import the credits in FILE: every record is validated before anything is written.

    Importing the same file twice writes nothing the second time: each record has a
    natural key (learner, provider, activity, completion date, credit type).
    """
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
    click.echo(_report_text(summary))
    for notice in summary.notices:
        click.echo(f"Note: {notice}", err=True)
    if summary.rejected:
        click.echo(f"Rejected (not imported):\n{_errors_text(summary)}", err=True)


@click.group()
def export() -> None:
    """Export credits in exchange formats."""


@export.command("openbadges")
@click.argument("clinician_id", metavar="CLINICIAN")
@click.argument("credit_id", metavar="CREDIT_ID")
@click.option(
    "--key",
    "key_path",
    type=click.Path(dir_okay=False, path_type=Path),
    envvar="CREDTRAIL_KEY",
    help="The organisation's Ed25519 private key (PEM) to sign with "
    "[env: CREDTRAIL_KEY]; `credtrail key init` makes one.",
)
@click.option("--unsigned", is_flag=True, help="Write the credential without a proof.")
@click.option(
    "--organisation",
    default="credtrail",
    show_default=True,
    help="The issuing organisation's name, as the credential's issuer.",
)
@output_option
@pass_env
def export_openbadges(
    env: Env,
    clinician_id: str,
    credit_id: str,
    key_path: Path | None,
    unsigned: bool,
    organisation: str,
    output: Path | None,
) -> None:
    """Write an Open Badges 3.0 credential for one credit, signed (eddsa-rdfc-2022).

    A credit imported from a credential is written back exactly as it was received,
    with its issuer's own signature. Otherwise the organisation is the issuer
    (did:key of its key) and the provider is the achievement's creator.
    """
    from credtrail.core.exchange.openbadges import export_credential, original_credential

    app = env.app()
    ledger = app.ledger(clinician_id)
    credit = ledger.credit(credit_id)
    if credit.revoked:
        raise InputError(
            f"credit {credit_id!r} was revoked ({credit.revoked_reason}); "
            "a revoked credit cannot be exported as a credential"
        )
    key = None
    if original_credential(credit) is None and not unsigned:
        if key_path is None:
            raise InputError(
                "no signing key: give --key FILE or set CREDTRAIL_KEY (`credtrail key init` "
                "makes one), or write an unsigned credential with --unsigned"
            )
        key = _private_key(key_path)
    document = export_credential(
        clinician_id=clinician_id,
        name=ledger.name,
        npi=ledger.npi,
        credit=credit,
        registry=app.registry,
        private_key=key,
        organisation=organisation,
    )
    _write(json.dumps(document, indent=2, ensure_ascii=False) + "\n", output)


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
@pass_env
def export_pars(
    env: Env, clinicians: tuple[str, ...], provider: str | None, fmt: str, output: Path | None
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
        _write(json.dumps(document, indent=2, ensure_ascii=False) + "\n", output)
    else:
        _write(pars_tsv(rows), output)


@export.command("cebroker")
@click.argument("clinicians", nargs=-1, metavar="[CLINICIAN]...")
@click.option("--provider", metavar="NUMBER", help="Only this CE Broker provider number's.")
@output_option
@pass_env
def export_cebroker(
    env: Env, clinicians: tuple[str, ...], provider: str | None, output: Path | None
) -> None:
    """Write a CE Broker roster (columns A-J, no header) of the credits recorded from one.

    Full-credit rows leave I and J empty: CE Broker (and `import --format cebroker`
    with the catalogue) take the course's hours.
    """
    from credtrail.core.exchange.cebroker import cebroker_csv, cebroker_rows
    from credtrail.core.exchange.exports import live_credits

    app = env.app()
    _write(cebroker_csv(cebroker_rows(live_credits(app, clinicians), provider)), output)


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
@pass_env
def export_nccpa(env: Env, clinician_id: str, fmt: str, output: Path | None) -> None:
    """List a PA's credits with the fields of NCCPA's "Log New CME" form, in its order."""
    from credtrail.plugins.pa_aapa.nccpa import nccpa_csv, nccpa_entries, nccpa_text

    app = env.app()
    entries = nccpa_entries(app.ledger(clinician_id).credits.values())
    _write(nccpa_csv(entries) if fmt == "csv" else nccpa_text(entries), output)


def _private_key(path: Path) -> Any:
    """The organisation's Ed25519 key, read as ``credtrail key init`` wrote it."""
    from credtrail.core.persistence.signing import load_key

    return load_key(path).private_key


def _write(text: str, output: Path | None) -> None:
    if output is None:
        click.echo(text, nl=False)
        return
    try:
        output.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise InputError(f"cannot write {output}: {exc.strerror}") from None
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
@pass_env
def report(
    env: Env,
    clinician_id: str,
    requirement_id: str | None,
    fmt: str,
    paper: str,
    output: Path | None,
    on: date | None,
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
        _write(html, output)
        return
    if output is None:
        raise InputError("--format pdf writes a file: give -o FILE.pdf")
    pdf = html_to_pdf(html)
    try:
        output.write_bytes(pdf)
    except OSError as exc:
        raise InputError(f"cannot write {output}: {exc.strerror}") from None
    click.echo(f"Wrote {output}", err=True)


COMMANDS = [import_, export, report]

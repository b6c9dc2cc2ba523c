"""``credtrail import --format roster FILE``: clinicians and licences in bulk."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from credtrail.cli.context import Env
from credtrail.cli.options import echo_json
from credtrail.core.errors import InputError
from credtrail.core.roster import RosterSummary, import_roster


def import_roster_file(
    env: Env, file: Path, *, dry_run: bool, as_json: bool, given: dict[str, Any]
) -> None:
    """Import a roster (``credtrail.core.roster``) and report as ``import`` does."""
    for option, value in given.items():
        if value:
            raise click.UsageError(f"{option} does not apply to --format roster")
    summary = import_roster(env.app(), file, dry_run=dry_run)
    if as_json:
        echo_json(summary.as_dict())
        if not summary.committed:
            sys.exit(1)
        return
    if not summary.committed:
        shown = "\n".join(f"  {e}" for e in summary.errors[:50])
        more = len(summary.errors) - 50
        raise InputError(
            f"{summary.file}: {len(summary.errors)} error(s); nothing was written:\n{shown}"
            + (f"\n  ... and {more} more" if more > 0 else "")
        )
    click.echo(roster_text(summary))


def roster_text(s: RosterSummary) -> str:
    """The same words for a dry run and a real one ("would add" / "added")."""
    counts = (
        f"{s.clinicians_added} clinician(s) {{verb}}, {s.clinicians_skipped} already recorded; "
        f"{s.licenses_added} licence(s) {{verb}}, {s.licenses_skipped} already recorded"
    )
    if s.dry_run:
        return f"Dry run of {s.file} (roster), nothing written: " + counts.format(
            verb="would be added"
        )
    if not s.clinicians_added and not s.licenses_added:
        return f"Nothing written: every row of {s.file} is already recorded ({s.rows} rows)"
    return f"Imported {s.file} (roster): " + counts.format(verb="added")

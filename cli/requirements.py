"""``credtrail requirement change|list|show``: requirements and their versions."""

from __future__ import annotations

from pathlib import Path

import click

from credtrail.cli.context import Env, pass_env
from credtrail.cli.options import echo_json, json_option, table
from credtrail.core.domain import RequirementHistory
from credtrail.core.rules import read_requirement_file


@click.group()
def requirement() -> None:
    """Requirements of authorities, every version with its source."""


@requirement.command()
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@pass_env
def change(env: Env, file: Path) -> None:
    """Record a new version of a requirement from a TOML or JSON FILE (docs/rules.md).

    The whole document is validated first; a version already recorded is not
    recorded again.
    """
    document = read_requirement_file(file)
    recorded = env.app().record_requirement(document)
    rid, version = document.get("id"), document.get("version")
    if recorded:
        click.echo(
            f"Recorded {rid} version {version}, effective from {document.get('effective_from')}"
        )
    else:
        click.echo(f"{rid} version {version} is already recorded; nothing written")


def _summary(history: RequirementHistory) -> dict[str, object]:
    latest = max(history.versions, key=lambda v: (v.effective_from, v.recorded_at))
    return {
        "id": history.requirement_id,
        "authority": history.authority,
        "title": latest.document.get("title"),
        "versions": len(history.versions),
        "latest_version": latest.version,
        "effective_from": latest.effective_from,
    }


@requirement.command("list")
@click.option("--authority", help="Only this authority's requirements, e.g. TX-TMB.")
@json_option
@pass_env
def list_(env: Env, authority: str | None, as_json: bool) -> None:
    """List recorded requirements (built-ins are recorded by 'credtrail init')."""
    histories = [h for h in env.app().requirement_histories() if authority in (None, h.authority)]
    rows = [_summary(h) for h in histories if h.versions]
    if as_json:
        echo_json(rows)
        return
    if not rows:
        click.echo("No requirements recorded; run 'credtrail init' to record the built-ins.")
        return
    click.echo(
        table(
            [
                [
                    str(r["id"]),
                    str(r["authority"]),
                    str(r["latest_version"]),
                    str(r["effective_from"]),
                    str(r["title"] or ""),
                ]
                for r in rows
            ],
            ["id", "authority", "version", "effective", "title"],
        )
    )


@requirement.command()
@click.argument("requirement_id", metavar="ID")
@json_option
@pass_env
def show(env: Env, requirement_id: str, as_json: bool) -> None:
    """Show every version of a requirement with its source and effective date."""
    history = env.app().requirement_history(requirement_id)
    versions = sorted(history.versions, key=lambda v: (v.effective_from, v.recorded_at))
    if as_json:
        echo_json(
            {
                "id": history.requirement_id,
                "authority": history.authority,
                "versions": [
                    {
                        "version": v.version,
                        "effective_from": v.effective_from,
                        "recorded_at": v.recorded_at,
                        "source": v.source.model_dump(mode="json"),
                        "document": v.document,
                    }
                    for v in versions
                ],
            }
        )
        return
    click.echo(f"{history.requirement_id} ({history.authority})")
    for v in versions:
        title = v.document.get("title")
        click.echo(
            f"\nversion {v.version}, effective from {v.effective_from}"
            + (f": {title}" if title else "")
        )
        click.echo(f"  source: {v.source.describe()}")
        if v.source.url:
            click.echo(f"  {v.source.url}")
        if v.source.confidence != "authority":
            click.echo(f"  confidence: {v.source.confidence}")
        for note in [v.source.note, *v.document.get("notes", [])]:
            if note:
                click.echo(f"  note: {note}")
        click.echo(f"  recorded {v.recorded_at.isoformat()}")


COMMANDS = [requirement]

"""``init`` and the catalogue commands: what plugins provide, before any credit exists."""

from __future__ import annotations

import click

from credtrail.cli.context import Env, pass_env
from credtrail.cli.options import echo_json, json_option, table
from credtrail.core.plugins import describe_plugins
from credtrail.core.transcript import format_units


@click.command()
@json_option
@pass_env
def init(env: Env, as_json: bool) -> None:
    """Create the store (SQLite file or PostgreSQL tables) and record built-in rules.

    Safe to run again: it records only requirement versions the store lacks. Without
    --store or CREDTRAIL_STORE the store is your per-user one (see 'credtrail info').
    """
    app = env.app(create=True)
    recorded = app.sync_builtin_requirements()
    where = env.store_display()
    if as_json:
        echo_json(
            {
                "store": where,
                "store_source": env.source,
                "backend": app.location.backend,
                "recorded_versions": recorded,
            }
        )
        return
    click.echo(f"Store ready at {where} ({env.describe_source()})")
    click.echo(f"Recorded {recorded} new built-in requirement version(s).")


@click.command("plugins")
@json_option
@pass_env
def plugins_cmd(env: Env, as_json: bool) -> None:
    """List loaded plugins, their versions and the hooks they implement."""
    infos = describe_plugins(env.pm)
    if as_json:
        echo_json(
            [
                {"name": i.name, "version": i.version, "builtin": i.builtin, "hooks": list(i.hooks)}
                for i in infos
            ]
        )
        return
    for info in infos:
        kind = "built-in" if info.builtin else "third-party"
        click.echo(f"{info.name} {info.version or '?'} ({kind})")
        for hook in info.hooks:
            click.echo(f"  {hook}")


@click.command("credit-types")
@click.option("--profession", help="Only this profession's credit types (physician, nurse, pa).")
@json_option
@pass_env
def credit_types(env: Env, profession: str | None, as_json: bool) -> None:
    """List the credit types users can record, with their units and accreditors."""
    registry = env.registry
    if profession is not None:
        registry.profession(profession)
    types = sorted(
        (t for t in registry.credit_types.values() if profession in (None, t.profession)),
        key=lambda t: (t.profession, t.code),
    )
    if as_json:
        echo_json(
            [
                {
                    **t.model_dump(mode="json"),
                    "increment": format_units(t.increment),
                    "plugin": registry.credit_type_owner(t.code),
                }
                for t in types
            ]
        )
        return
    rows = [
        [
            t.code,
            t.profession,
            t.label,
            f"{format_units(t.increment)} {t.unit}",
            ", ".join(t.accreditors) or ("self-claimed" if not t.requires_accreditor else "-"),
        ]
        for t in types
    ]
    click.echo(table(rows, ["code", "profession", "label", "increment", "accreditors"]))


@click.command()
@click.option("--profession", help="Only authorities of this profession.")
@json_option
@pass_env
def authorities(env: Env, profession: str | None, as_json: bool) -> None:
    """List the authorities credit can be claimed toward (boards, certifiers, awards)."""
    registry = env.registry
    if profession is not None:
        registry.profession(profession)
    items = sorted(
        (a for a in registry.authorities.values() if profession in (None, *a.professions)),
        key=lambda a: a.code,
    )
    if as_json:
        echo_json([a.model_dump(mode="json") for a in items])
        return
    rows = [
        [a.code, a.name, ",".join(a.professions), "claimed" if a.requires_claim else "earned"]
        for a in items
    ]
    click.echo(table(rows, ["code", "name", "professions", "counts"]))


@click.command()
@json_option
@pass_env
def accreditors(env: Env, as_json: bool) -> None:
    """List the accreditors whose providers may award credit."""
    registry = env.registry
    items = sorted(registry.accreditors.values(), key=lambda a: a.code)
    if as_json:
        echo_json([a.model_dump(mode="json") for a in items])
        return
    click.echo(table([[a.code, a.name] for a in items], ["code", "name"]))


COMMANDS = [init, plugins_cmd, credit_types, authorities, accreditors]

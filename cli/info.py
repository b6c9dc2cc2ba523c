"""``credtrail info``: which store this is, and what state it is in."""

from __future__ import annotations

from typing import Any

import click

from credtrail.cli.context import Env, pass_env
from credtrail.cli.options import echo_json, json_option, table
from credtrail.core.plugins import describe_plugins


@click.command()
@json_option
@pass_env
def info(env: Env, as_json: bool) -> None:
    """The store (where, which backend, how many events), the views' lag, the plugins.

    The store is --store, else CREDTRAIL_STORE, else your per-user one; a password in
    a PostgreSQL URL is never shown.
    """
    from credtrail.core.projections import Views
    from credtrail.core.store import LOG_TABLE

    app = env.app()
    ((events,),) = app.store.read_rows(f"SELECT COUNT(*) FROM {app.store.qualified(LOG_TABLE)}")
    views = Views.of(app).status()
    plugins = describe_plugins(env.pm)
    data: dict[str, Any] = {
        "store": env.store_display(),
        "store_source": env.source,
        "backend": app.location.backend,
        "events": int(events),
        "views": [
            {"view": s.view, "position": s.position, "lag": s.lag, "stale": s.stale} for s in views
        ],
        "plugins": [{"name": p.name, "version": p.version, "builtin": p.builtin} for p in plugins],
    }
    if as_json:
        echo_json(data)
        return
    click.echo(f"store    {data['store']} ({env.describe_source()})")
    click.echo(f"backend  {data['backend']}")
    click.echo(f"events   {events:,}")
    click.echo("views:")
    rows = [
        [s.view, f"{s.position:,}", f"{s.lag:,}", "STALE: rebuild" if s.stale else "-"]
        for s in views
    ]
    click.echo(
        "  " + table(rows, ["view", "position", "lag", "plugins changed"]).replace("\n", "\n  ")
    )
    click.echo("plugins:")
    for p in plugins:
        kind = "built-in" if p.builtin else "third-party"
        click.echo(f"  {p.name} {p.version or '?'} ({kind})")


COMMANDS = [info]

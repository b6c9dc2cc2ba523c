"""``credtrail projections status | catch-up | rebuild``: the materialised views."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from typing import TextIO

import click

from credtrail.cli.context import Env, pass_env
from credtrail.cli.options import echo_json, json_option, table
from credtrail.core.projections import Progress, Views

VIEW_NAMES = ("transcript", "compliance")


@click.group()
def projections() -> None:
    """Keep the transcript and compliance views current, or rebuild them."""


@projections.command("status")
@json_option
@pass_env
def status(env: Env, as_json: bool) -> None:
    """Each view's position against the head of the log, and how far it lags."""
    rows = Views.of(env.app()).status()
    if as_json:
        echo_json(
            [
                {
                    "view": s.view,
                    "position": s.position,
                    "head": s.head,
                    "lag": s.lag,
                    "rebuilt_at": s.rebuilt_at,
                    "stale": s.stale,
                }
                for s in rows
            ]
        )
        return
    click.echo(
        table(
            [
                [
                    s.view,
                    f"{s.position}",
                    f"{s.head}",
                    f"{s.lag}",
                    s.rebuilt_at or "-",
                    "STALE" if s.stale else "-",
                ]
                for s in rows
            ],
            ["view", "position", "head", "lag", "rebuilt", "plugins changed"],
        )
    )
    stale = [s.view for s in rows if s.stale]
    if stale:
        click.echo(
            f"\n{', '.join(stale)}: built with other plugins than the ones loaded now; "
            f"rebuild with 'credtrail projections rebuild "
            f"{' '.join(f'--view {v}' for v in stale)}'"
        )


workers_option = click.option(
    "--workers",
    type=click.IntRange(min=1),
    default=None,
    metavar="N",
    help="Processes judging compliance on big pages (default: $CREDTRAIL_WORKERS, "
    "else the CPUs available, at most 4); 1 judges everything in this process.",
)


@projections.command("catch-up")
@workers_option
@json_option
@pass_env
def catch_up(env: Env, workers: int | None, as_json: bool) -> None:
    """Apply the events the views have not seen yet, page by page."""
    views = Views.of(env.app(), workers=workers)
    n = views.catch_up(progress=None if as_json else _reporter("catch-up"))
    at = min(s.position for s in views.status())
    if as_json:
        echo_json({"events": n, "position": at})
        return
    click.echo(f"Caught up {n:,} events; views at position {at:,}.")


@projections.command("rebuild")
@click.option(
    "--view",
    "names",
    multiple=True,
    type=click.Choice(VIEW_NAMES),
    help="Rebuild only this view (repeatable); default: all.",
)
@workers_option
@json_option
@pass_env
def rebuild(env: Env, names: tuple[str, ...], workers: int | None, as_json: bool) -> None:
    """Drop the views and replay them from the first event (after a plugin or rule change)."""
    views = Views.of(env.app(), workers=workers)
    started = time.perf_counter()
    n = views.rebuild(list(names) or None, progress=None if as_json else _reporter("rebuild"))
    elapsed = time.perf_counter() - started
    if as_json:
        echo_json({"views": list(names or views.names), "events": n, "seconds": elapsed})
        return
    which = ", ".join(names or views.names)
    click.echo(f"Rebuilt {which} from {n:,} events in {elapsed:.1f} s.")


def _reporter(label: str, stream: TextIO | None = None) -> Callable[[Progress], None]:
    """A bar with rate and ETA on a terminal; otherwise a plain line at most every second."""
    out = stream or sys.stderr
    tty = out.isatty()
    last = [0.0]

    def report(p: Progress) -> None:
        total = max(p.head - p.start, 1)
        done = p.position - p.start
        rate = p.events / p.elapsed if p.elapsed > 0 else 0.0
        eta = (p.head - p.position) / rate if rate > 0 else 0.0
        finished = p.position >= p.head
        if tty:
            width = 30
            filled = int(width * done / total)
            bar = "#" * filled + "-" * (width - filled)
            click.echo(
                f"\r{label} [{bar}] {done:,}/{total:,} {rate:,.0f} events/s ETA {eta:.0f} s",
                file=out,
                nl=finished,
            )
            return
        if finished or p.elapsed - last[0] >= 1.0:
            last[0] = p.elapsed
            click.echo(
                f"{label}: {done:,}/{total:,} events ({done / total:.0%}), "
                f"{rate:,.0f} events/s, ETA {eta:.0f} s",
                file=out,
            )

    return report


COMMANDS = [projections]

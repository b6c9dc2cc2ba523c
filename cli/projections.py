"""``credtrail projections status | catch-up | rebuild | worker``: the materialised views."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from typing import TextIO

import click

from credtrail.cli.context import Env, pass_env
from credtrail.cli.options import echo_json, json_option, table
from credtrail.core.projections import Progress, Views
from credtrail.core.projections.partition import WorkerReport

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


partitions_option = click.option(
    "--partitions",
    type=click.IntRange(min=1),
    default=None,
    metavar="N",
    help="PostgreSQL: split the clinicians in N partitions (default: as the views are "
    "split, else 16); another count than the views have needs a rebuild.",
)


@projections.command("rebuild")
@click.option(
    "--view",
    "names",
    multiple=True,
    type=click.Choice(VIEW_NAMES),
    help="Rebuild only this view (repeatable); default: all.",
)
@workers_option
@partitions_option
@json_option
@pass_env
def rebuild(
    env: Env, names: tuple[str, ...], workers: int | None, partitions: int | None, as_json: bool
) -> None:
    """Drop the views and replay them from the first event (after a plugin or rule change).

    On PostgreSQL, with --workers or --partitions (or once the views are partitioned),
    N worker processes rebuild the partitions ('projections worker' on other machines
    may join in).
    """
    app = env.app()
    views = Views.of(app, workers=workers)
    started = time.perf_counter()
    if app.store.is_postgres and (
        workers is not None or partitions is not None or views.partitions is not None
    ):
        from credtrail.core.projections.parallel import resolve_workers
        from credtrail.core.projections.partition import DEFAULT_PARTITIONS

        n = resolve_workers(workers)
        parts = partitions or views.partitions or DEFAULT_PARTITIONS
        views.rebuild_partitioned(parts, list(names) or None, run=False)
        _run_workers(env, n, parts)
        # Whatever a worker left (one that died): finished here, taking over its leases.
        views.worker(partitions=parts).run(once=True, wait=True)
        elapsed = time.perf_counter() - started
        which = ", ".join(names or views.names)
        head = views.runner.reader.head()
        if as_json:
            echo_json(
                {
                    "views": list(names or views.names),
                    "events": head,
                    "seconds": elapsed,
                    "workers": n,
                    "partitions": parts,
                }
            )
            return
        click.echo(
            f"Rebuilt {which} from {head:,} events in {elapsed:.1f} s "
            f"({n} worker process{'es' if n > 1 else ''}, {parts} partitions)."
        )
        return
    n = views.rebuild(list(names) or None, progress=None if as_json else _reporter("rebuild"))
    elapsed = time.perf_counter() - started
    if as_json:
        echo_json({"views": list(names or views.names), "events": n, "seconds": elapsed})
        return
    which = ", ".join(names or views.names)
    click.echo(f"Rebuilt {which} from {n:,} events in {elapsed:.1f} s.")


def _run_workers(env: Env, workers: int, partitions: int) -> None:
    """Start ``workers`` processes of 'projections worker --once' and wait for them."""
    root = click.get_current_context().find_root()
    child_env = dict(os.environ, CREDTRAIL_STORE=env.location)
    plugins = root.params.get("plugins")
    if plugins:
        child_env["CREDTRAIL_LOAD_PLUGINS"] = plugins
    command = [sys.executable, "-m", "credtrail.cli.main", "projections", "worker", "--once"]
    command += ["--partitions", str(partitions)]
    children = [subprocess.Popen(command, env=child_env) for _ in range(workers)]
    try:
        for child in children:
            child.wait()
    finally:
        for child in children:
            if child.poll() is None:
                child.terminate()
                child.wait()


@projections.command("worker")
@partitions_option
@click.option(
    "--lease-seconds",
    type=click.FloatRange(min=0, min_open=True),
    default=30.0,
    show_default=True,
    metavar="S",
    help="How long a claimed partition stays ours without a renewal (renewed every "
    "quarter of it while the worker lives); a dead or paused worker's partitions are "
    "taken over this long after its last renewal.",
)
@click.option(
    "--once",
    is_flag=True,
    help="Stop once every partition has applied the log as it was at start "
    "(default: keep the views current until stopped).",
)
@json_option
@pass_env
def worker(
    env: Env, partitions: int | None, lease_seconds: float, once: bool, as_json: bool
) -> None:
    """PostgreSQL: keep the views current as one of many worker processes.

    Claims one partition of the clinicians at a time (a lease row in the store),
    applies the log to it and releases it. Run as many as you like, on any machine.
    """
    app = env.app()
    from credtrail.core.projections.partition import NeedsPostgresError

    if not app.store.is_postgres:
        raise NeedsPostgresError
    views = Views.of(app, workers=1)
    runner = views.worker(
        partitions=partitions,
        lease_seconds=lease_seconds,
        say=lambda message: click.echo(f"worker: {message}", err=True),
    )
    stopping: list[int] = []
    previous = signal.signal(signal.SIGTERM, lambda *_: stopping.append(1))
    seen = [0]

    def report(part: int, r: WorkerReport) -> None:
        if r.events > seen[0] and not as_json:
            click.echo(
                f"worker: partition {part}/{runner.parts} caught up ({r.events:,} events)",
                err=True,
            )
        seen[0] = r.events

    started = time.perf_counter()
    try:
        done = runner.run(
            once=once,
            wait=True,
            poll=min(1.0, lease_seconds / 4),
            stop=lambda: bool(stopping),
            progress=report,
        )
    finally:
        signal.signal(signal.SIGTERM, previous)
    elapsed = time.perf_counter() - started
    if as_json:
        echo_json(
            {
                "owner": runner.owner,
                "partitions": runner.parts,
                "caught_up": done.partitions,
                "events": done.events,
                "lost_leases": done.lost,
                "takeovers": done.takeovers,
                "seconds": round(elapsed, 3),
            }
        )
        return
    click.echo(
        f"Worker {runner.owner}: {len(done.partitions)} partition catch-ups of "
        f"{runner.parts}, {done.events:,} events in {elapsed:.1f} s "
        f"({done.takeovers} taken over, {done.lost} leases lost)."
    )


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

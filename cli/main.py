"""The ``credtrail`` command: the root group, its context, and the one place errors are
translated for people.

- ``CredtrailError``      -> ``Error: <message>``, exit 1
- pydantic ``ValidationError`` -> ``Error: invalid input`` and one ``field: message``
  line per error, exit 1
- misuse of the command line -> click's usage error, exit 2
Anything else is a bug and shows its traceback.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import click
from pydantic import ValidationError

from credtrail.cli.context import DEFAULT_STORE, STORE_ENV, Env
from credtrail.core.errors import CredtrailError
from credtrail.core.plugins import LOAD_ENV


class UserError(click.ClickException):
    """A user's mistake, already worded for them (exit 1, no traceback)."""

    exit_code = 1


def describe_validation_error(exc: ValidationError) -> str:
    lines = ["invalid input:"]
    for err in exc.errors():
        where = ".".join(str(p) for p in err["loc"]) or "value"
        lines.append(f"  {where}: {err['msg']}")
    return "\n".join(lines)


class CredtrailGroup(click.Group):
    """A click group that turns credtrail's errors into clean messages."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except CredtrailError as exc:
            raise UserError(str(exc)) from None
        except ValidationError as exc:
            raise UserError(describe_validation_error(exc)) from None


@click.group(cls=CredtrailGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--store",
    envvar=STORE_ENV,
    default=DEFAULT_STORE,
    show_default=True,
    metavar="PATH|URL",
    help=f"SQLite file or postgresql://user@host:port/db URL (env {STORE_ENV}).",
)
@click.option(
    "--plugins",
    envvar=LOAD_ENV,
    default=None,
    metavar="NAMES",
    help=f"Comma-separated plugins to load (env {LOAD_ENV}); default: all installed.",
)
@click.version_option(package_name="credtrail")
@click.pass_context
def cli(ctx: click.Context, store: str, plugins: str | None) -> None:
    """credtrail: an event-sourced ledger of continuing-education credit.

    Record credits, claim them toward boards, and see what is still missing.
    Start with 'credtrail init', then 'credtrail clinician add'.
    """
    env = Env(store, plugins)
    ctx.obj = env
    ctx.call_on_close(env.close)


# Each command group lives in its own module exporting COMMANDS; adding one is one
# line here (one per line, so parallel edits do not collide).
COMMAND_MODULES = (
    "audit",
    "catalog",
    "clinicians",
    "compliance",
    "credits",
    "exams",
    "exchange",
    "licenses",
    "projections",
    "plugin_new",
    "requirements",
)


def _register_commands() -> None:
    import importlib

    for name in COMMAND_MODULES:
        module = importlib.import_module(f"credtrail.cli.{name}")
        for command in module.COMMANDS:
            cli.add_command(command)


_register_commands()


def main(argv: Sequence[str] | None = None) -> None:
    """Console-script entry point."""
    cli.main(args=list(argv) if argv is not None else None, prog_name="credtrail")


if __name__ == "__main__":  # pragma: no cover
    main()

"""The ``credtrail`` command: the root group, its context, and the one place errors are
translated for people.

- ``CredtrailError``      -> ``Error: <message>``, exit 1
- pydantic ``ValidationError`` -> ``Error: invalid input`` and one ``field: message``
  line per error, exit 1
- misuse of the command line -> click's usage error, exit 2
Anything else is a bug and shows its traceback.
"""

from __future__ import annotations

import importlib
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import click

from credtrail.cli.context import DEFAULT_STORE, STORE_ENV, Env
from credtrail.core.errors import CredtrailError
from credtrail.core.plugins import LOAD_ENV

if TYPE_CHECKING:
    from pydantic import ValidationError


class UserError(click.ClickException):
    """A user's mistake, already worded for them (exit 1, no traceback)."""

    exit_code = 1


def describe_validation_error(exc: ValidationError) -> str:
    lines = ["invalid input:"]
    for err in exc.errors():
        where = ".".join(str(p) for p in err["loc"]) or "value"
        lines.append(f"  {where}: {err['msg']}")
    return "\n".join(lines)


# Each command lives in a module of credtrail.cli exporting COMMANDS; a command's
# module is imported only when it runs (or for --help), so `credtrail --version` and
# each command pay only for their own imports. Adding a command is one line here (one
# per line, so parallel edits do not collide); a test checks it against COMMANDS.
COMMAND_MODULES = {
    "accreditors": "catalog",
    "audit": "audit",
    "authorities": "catalog",
    "clinician": "clinicians",
    "course": "courses",
    "credit": "credits",
    "credit-types": "catalog",
    "deadlines": "deadlines",
    "exam": "exams",
    "explain": "compliance",
    "export": "exchange",
    "import": "exchange",
    "init": "catalog",
    "key": "keys",
    "license": "licenses",
    "plugin": "plugin_new",
    "plugins": "catalog",
    "projections": "projections",
    "report": "exchange",
    "requirement": "requirements",
    "status": "compliance",
    "transcript": "clinicians",
}


class CredtrailGroup(click.Group):
    """A click group that loads its commands lazily and turns credtrail's errors into
    clean messages."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*COMMAND_MODULES, *self.commands})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        module = COMMAND_MODULES.get(cmd_name)
        if cmd_name in self.commands or module is None:
            return self.commands.get(cmd_name)
        for command in importlib.import_module(f"credtrail.cli.{module}").COMMANDS:
            if command.name == cmd_name:
                return command  # type: ignore[no-any-return]
        return None

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except CredtrailError as exc:
            raise UserError(str(exc)) from None
        except Exception as exc:
            # pydantic is imported by the commands that validate, not by every command.
            from pydantic import ValidationError

            if isinstance(exc, ValidationError):
                raise UserError(describe_validation_error(exc)) from None
            raise


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


def main(argv: Sequence[str] | None = None) -> None:
    """Console-script entry point."""
    cli.main(args=list(argv) if argv is not None else None, prog_name="credtrail")


if __name__ == "__main__":  # pragma: no cover
    main()

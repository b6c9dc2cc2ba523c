"""The ``credtrail`` command: the root group, its context, and the one place errors are
translated for people.

- ``CredtrailError``      -> ``Error: <message>``, exit 1
- pydantic ``ValidationError`` -> ``Error: invalid input`` and one ``field: message``
  line per error, exit 1
- misuse of the command line -> click's usage error, exit 2
Anything else is a bug and shows its traceback.

With ``--json`` on the command line, each of these is instead one JSON object on
stderr, ``{"error": ..., "field": ..., "code": ...}``, with the same exit code:
``code`` names the error class (``unknown_clinician``, ``usage``, ``invalid_input``...),
``field`` the option or input field at fault where one is known.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Sequence
from typing import IO, TYPE_CHECKING, Any

import click

from credtrail.cli.context import STORE_ENV, Env
from credtrail.cli.options import JSON_MODE, echo_error_json, json_mode, json_option
from credtrail.core.errors import CredtrailError
from credtrail.core.plugins import LOAD_ENV

if TYPE_CHECKING:
    from pydantic import ValidationError


class UserError(click.ClickException):
    """A user's mistake, already worded for them (exit 1, no traceback).

    ``code`` and ``field`` are what ``--json`` prints with the message.
    """

    exit_code = 1

    def __init__(
        self,
        message: str,
        *,
        code: str = "error",
        field: str | None = None,
        as_json: bool = False,
        errors: list[dict[str, str]] | None = None,
    ) -> None:
        super().__init__(message)
        self.code = code
        self.field = field
        self.as_json = as_json
        self.errors = errors

    def show(self, file: IO[Any] | None = None) -> None:
        if not self.as_json:
            super().show(file)
            return
        extra = {} if self.errors is None else {"errors": self.errors}
        echo_error_json(self.message, code=self.code, field=self.field, **extra)


class JsonClickError(click.ClickException):
    """Click's own error (bad parameter, usage) shown as one JSON object; same exit code."""

    def __init__(self, original: click.ClickException) -> None:
        super().__init__(original.format_message())
        # usage, bad_parameter, missing_parameter, no_such_option, bad_option_usage...
        kind = type(original).__name__
        self.code = _code(kind) if kind != "ClickException" else "error"
        self.field: str | None = None
        if isinstance(original, click.BadParameter):
            param = original.param
            hint = original.param_hint
            self.field = (param.name if param is not None else None) or (
                hint if isinstance(hint, str) else None
            )
        elif isinstance(original, click.NoSuchOption | click.BadOptionUsage):
            self.field = original.option_name

    def show(self, file: IO[Any] | None = None) -> None:
        echo_error_json(self.message, code=self.code, field=self.field)


class JsonUsageError(JsonClickError):
    """A usage error (exit 2) shown as one JSON object."""

    exit_code = 2


def json_click_error(original: click.ClickException) -> JsonClickError:
    """``original`` as JSON, keeping its exit code (2 for misuse, else 1)."""
    if original.exit_code == 2:
        return JsonUsageError(original)
    return JsonClickError(original)


def _code(class_name: str) -> str:
    """``UnknownClinicianError`` -> ``unknown_clinician``: a stable name for scripts."""
    name = class_name.removesuffix("Error").removesuffix("Exception") or "error"
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def user_error(exc: Exception, *, as_json: bool) -> UserError:
    """The ``UserError`` a ``CredtrailError`` or a pydantic ``ValidationError`` becomes.

    Messages quote what the user gave (ids, file contents): made terminal-safe."""
    from credtrail.core.inputs import printable

    if isinstance(exc, CredtrailError):
        return UserError(
            printable(str(exc)),
            code=_code(type(exc).__name__),
            field=getattr(exc, "field", None),
            as_json=as_json,
        )
    from pydantic import ValidationError

    assert isinstance(exc, ValidationError)
    errors = [
        {"field": ".".join(str(p) for p in err["loc"]) or "value", "message": err["msg"]}
        for err in exc.errors()
    ]
    return UserError(
        printable(describe_validation_error(exc)),
        code="invalid_input",
        field=errors[0]["field"] if errors else None,
        as_json=as_json,
        errors=errors,
    )


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
    "certification": "certifications",
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
    "info": "info",
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

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        # Known before any option is parsed, so that a usage error in a subcommand's
        # options is reported as JSON too. Only the root group sees the whole line.
        if ctx.parent is None and "--json" in args[: _end_of_options(args)]:
            ctx.meta[JSON_MODE] = True
        return super().parse_args(ctx, args)

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except CredtrailError as exc:
            raise user_error(exc, as_json=json_mode(ctx)) from None
        except click.ClickException as exc:
            from credtrail.core.inputs import printable

            # Usage errors quote what was typed too (click's own wording).
            setattr(exc, "message", printable(exc.message))  # noqa: B010 (Final in click's stubs)
            if json_mode(ctx) and not isinstance(exc, UserError | JsonClickError):
                raise json_click_error(exc) from None
            raise
        except Exception as exc:
            # pydantic is imported by the commands that validate, not by every command.
            from pydantic import ValidationError

            if isinstance(exc, ValidationError):
                raise user_error(exc, as_json=json_mode(ctx)) from None
            raise

    def make_context(
        self,
        info_name: str | None,
        args: list[str],
        parent: click.Context | None = None,
        **extra: Any,
    ) -> click.Context:
        wants_json = parent is None and "--json" in args[: _end_of_options(args)]
        try:
            return super().make_context(info_name, args, parent, **extra)
        except click.ClickException as exc:
            # A usage error in the root's own options, before any context holds the mode.
            if wants_json and not isinstance(exc, JsonClickError):
                raise json_click_error(exc) from None
            raise


def _end_of_options(args: list[str]) -> int:
    return args.index("--") if "--" in args else len(args)


@click.group(cls=CredtrailGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--store",
    envvar=STORE_ENV,
    default=None,
    metavar="PATH|URL",
    help=f"SQLite file or postgresql://user@host:port/db URL (env {STORE_ENV}); "
    "default: credtrail.db in your user data folder (see 'credtrail info').",
)
@click.option(
    "--plugins",
    envvar=LOAD_ENV,
    default=None,
    metavar="NAMES",
    help=f"Comma-separated plugins to load (env {LOAD_ENV}); default: all installed.",
)
@json_option
@click.version_option(package_name="credtrail")
@click.pass_context
def cli(ctx: click.Context, store: str | None, plugins: str | None, as_json: bool) -> None:
    """credtrail: an event-sourced ledger of continuing-education credit.

    Record credits, claim them toward boards, and see what is still missing.
    Start with 'credtrail init', then 'credtrail clinician add'.
    """
    source = ctx.get_parameter_source("store")
    given = (
        {
            click.core.ParameterSource.COMMANDLINE: "--store",
            click.core.ParameterSource.ENVIRONMENT: STORE_ENV,
        }.get(source)
        if source is not None
        else None
    )
    env = Env(store, plugins, source=given)
    ctx.obj = env
    ctx.call_on_close(env.close)


def main(argv: Sequence[str] | None = None) -> None:
    """Console-script entry point."""
    cli.main(args=list(argv) if argv is not None else None, prog_name="credtrail")


if __name__ == "__main__":  # pragma: no cover
    main()

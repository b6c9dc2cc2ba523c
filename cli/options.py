"""Parameter types and output helpers shared by every command group."""

from __future__ import annotations

import contextlib
import json
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any

import click

from credtrail.core.errors import InvalidInputError

if TYPE_CHECKING:
    from decimal import Decimal  # imported where used: `credtrail --version` loads this module


def _option(param: click.Parameter | None) -> str:
    """How the user wrote the parameter (``--units``), for error messages."""
    if param is None:
        return "value"
    return param.opts[0] if param.opts else (param.name or "value")


class DateType(click.ParamType[date, Any]):
    """An ISO date (YYYY-MM-DD). A malformed value is the user's input error (exit 1,
    naming the option), checked as the application checks dates."""

    name = "YYYY-MM-DD"

    def __init__(self, *, past: bool = False) -> None:
        self.past = past
        # past: refuse a day after today (the option records something that happened).

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> date:
        if isinstance(value, date):
            day = value
        else:
            text = str(value).strip()
            parsed: date | None = None
            with contextlib.suppress(ValueError):
                parsed = date.fromisoformat(text) if len(text) == 10 and text.isascii() else None
            if parsed is None:
                raise InvalidInputError(
                    _option(param), f"{value!r} is not a date; use YYYY-MM-DD, e.g. 2025-03-31"
                )
            day = parsed
        if self.past:
            from credtrail.core.models import not_in_future
            from credtrail.core.requests import checked

            # The machine's local date, as the import formats judge it (not-in-future).
            day = checked(_option(param), not_in_future, day)
        return day


class InstantType(click.ParamType[datetime, Any]):
    """An ISO instant; a bare date means midnight UTC, a naive time means UTC."""

    name = "INSTANT"

    def convert(
        self, value: Any, param: click.Parameter | None, ctx: click.Context | None
    ) -> datetime:
        if isinstance(value, datetime):
            return value
        text = str(value).strip()
        try:
            parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            self.fail(
                f"{value!r} is not an instant; use e.g. 2025-06-30T12:00:00Z or 2025-06-30",
                param,
                ctx,
            )
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


class UnitsType(click.ParamType["Decimal", Any]):
    """A positive decimal amount of credit (never a float), read by the one rule the
    application reads units by (``credtrail.core.inputs.read_units``)."""

    name = "UNITS"

    def convert(
        self, value: Any, param: click.Parameter | None, ctx: click.Context | None
    ) -> Decimal:
        from decimal import Decimal

        if isinstance(value, Decimal):
            return value
        from credtrail.core.inputs import read_units
        from credtrail.core.requests import checked

        return checked(_option(param), read_units, str(value))


class DaysType(click.ParamType[int, Any]):
    """A span in days: ``90d``, ``12w`` or a bare number of days."""

    name = "DAYS"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> int:
        if isinstance(value, int):
            return value
        text = str(value).strip().lower()
        factor = {"d": 1, "w": 7}.get(text[-1:], 0)
        number = text[:-1] if factor else text
        if not number.isdigit():
            self.fail(f"{value!r} is not a span of days; use e.g. 90d, 12w or 90", param, ctx)
        return int(number) * (factor or 1)


DAYS = DaysType()
DATE = DateType()
PAST_DATE = DateType(past=True)
INSTANT = InstantType()
UNITS = UnitsType()

JSON_MODE = "credtrail.json"
"""``ctx.meta`` key: the command line asked for JSON (errors too are printed as JSON)."""


def _remember_json(ctx: click.Context, param: click.Parameter, value: bool) -> bool:
    # ctx.meta is shared by every context of one invocation: the root sees it.
    if value:
        ctx.meta[JSON_MODE] = True
    return value


json_option = click.option(
    "--json",
    "as_json",
    is_flag=True,
    is_eager=True,
    callback=_remember_json,
    help="Print JSON instead of text; an error is one JSON object on stderr.",
)
"""The ``--json`` flag every command takes (``as_json`` in the function): one decorator."""


def json_mode(ctx: click.Context | None = None) -> bool:
    """Whether this invocation asked for JSON output (``--json`` anywhere on its line)."""
    ctx = ctx or click.get_current_context(silent=True)
    return bool(ctx is not None and ctx.meta.get(JSON_MODE))


def echo_error_json(error: str, *, code: str, field: str | None = None, **extra: Any) -> None:
    """The one shape of an error under ``--json``: one object on stderr."""
    data: dict[str, Any] = {"error": error, "field": field, "code": code, **extra}
    click.echo(json.dumps(data, default=_default, ensure_ascii=False), err=True)


def _decimal_json(value: Decimal) -> str:
    """A Decimal in JSON output: plain digits, no exponent, no trailing zeros."""
    return format(value.normalize(), "f")


def _default(obj: Any) -> Any:
    # pydantic is imported here, not at the top: the root group (``--version``) loads
    # this module for --json and must not pay for pydantic.
    from decimal import Decimal

    from pydantic import BaseModel

    if isinstance(obj, BaseModel):
        return obj.model_dump(mode="json")
    if isinstance(obj, Decimal):
        return _decimal_json(obj)
    if isinstance(obj, date | datetime):
        return obj.isoformat()
    if isinstance(obj, set | frozenset | tuple):
        return sorted(obj) if isinstance(obj, set | frozenset) else list(obj)
    raise TypeError(f"cannot render {type(obj).__name__} as JSON")


def echo_json(data: Any) -> None:
    """Print ``data`` as indented JSON (pydantic models in their JSON form)."""
    from pydantic import BaseModel

    if isinstance(data, BaseModel):
        data = data.model_dump(mode="json")
    from decimal import Decimal

    import orjson  # a roster is tens of thousands of rows: the stdlib encoder takes seconds

    def default(obj: Any) -> Any:
        # Decimals first, without _default's imports each time: a roster has ~100,000.
        return _decimal_json(obj) if isinstance(obj, Decimal) else _default(obj)

    try:
        text = orjson.dumps(
            data, default=default, option=orjson.OPT_INDENT_2 | orjson.OPT_NON_STR_KEYS
        ).decode()
    except orjson.JSONEncodeError:
        # What orjson refuses and json does not (an integer past 64 bits, say).
        text = json.dumps(data, indent=2, default=_default, ensure_ascii=False)
    click.echo(text)


def table(rows: list[list[str]], headers: list[str]) -> str:
    """A plain aligned text table (no colours: output is read by people and by grep)."""
    if not rows:
        return ""
    widths = [max(len(str(x)) for x in col) for col in zip(headers, *rows, strict=True)]
    lines = ["  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True)).rstrip()]
    lines.append("  ".join("-" * w for w in widths))
    for row in rows:
        lines.append("  ".join(str(c).ljust(w) for c, w in zip(row, widths, strict=True)).rstrip())
    return "\n".join(lines)


def os_user() -> str:
    """Who runs the command, for ``--by`` defaults (``unknown`` when the OS cannot say)."""
    import getpass  # here: only commands that record who did something need it

    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no name for this uid (a container), no $USER
        return "unknown"

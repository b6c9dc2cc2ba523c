"""Reading requirement documents from TOML or JSON files (the only I/O in the rules package)."""

from __future__ import annotations

import json
import tomllib
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from credtrail.core.errors import RuleError

MAX_BYTES = 4_000_000
"""The largest requirement document read (the biggest built-in is a few kB)."""


def read_requirement_file(path: str | Path) -> dict[str, Any]:
    """Read a ``.toml`` or ``.json`` requirement document as a JSON-safe dict.

    TOML floats become exact decimal strings (``0.1`` stays ``"0.1"``) and dates become
    ISO strings, so the document can be recorded in an event and validated later by
    ``load_requirement`` without loss.

    :raises RuleError: the file is missing, not TOML/JSON, or not a table.
    """
    path = Path(path)
    if path.exists() and not path.is_file():
        # /dev/zero or a FIFO would be read without end.
        raise RuleError(f"requirement file {path} is not a regular file")
    try:
        with path.open("rb") as handle:
            raw = handle.read(MAX_BYTES + 1)
    except OSError as exc:
        raise RuleError(f"cannot read requirement file {path}: {exc.strerror}") from None
    if len(raw) > MAX_BYTES:
        raise RuleError(f"requirement file {path} is larger than {MAX_BYTES // 1_000_000} MB")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise RuleError(
            f"requirement file {path} is not UTF-8 (byte {exc.start}); save it as UTF-8"
        ) from None
    try:
        if path.suffix == ".json":
            data = json.loads(text, parse_float=Decimal)
        elif path.suffix == ".toml":
            data = tomllib.loads(text, parse_float=Decimal)
        else:
            raise RuleError(f"requirement file {path} must end in .toml or .json")
        if not isinstance(data, dict):
            raise RuleError(f"requirement file {path} must hold one table/object")
        result = _json_safe(data)
    except (tomllib.TOMLDecodeError, json.JSONDecodeError) as exc:
        raise RuleError(f"requirement file {path} is not valid {path.suffix[1:]}: {exc}") from None
    except RecursionError:
        raise RuleError(f"requirement file {path} is nested too deeply to be a rule") from None
    assert isinstance(result, dict)
    return result


def _json_safe(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_json_safe(v) for v in value]
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value

"""Reading a folder of TOML data files (rules, authorities, vocabulary), with a cache.

Every command builds the registry from the built-in plugins' data: some 230 TOML files,
whose parsing (``tomllib`` is pure Python; long ``notes`` strings are read character by
character) was two thirds of a ``credtrail status`` call. ``toml_folder`` is the one
reader; it keeps what it parsed in a per-user cache file and reuses it while no file of
the folder changed (same names, sizes and modification times), so the parse is paid
once per edit, not per command.

The cache is an optimisation only: a missing, unreadable, corrupt or stale cache file
is ignored and the folder parsed again, and a cache that cannot be written is not an
error. What the cache returns equals what ``tomllib`` returns, value for value and type
for type (dates, times, date-times and infinite floats are tagged in the JSON);
tests/foundation/test_datafiles.py holds that as a property.

Where the cache lives: ``$CREDTRAIL_CACHE_DIR``, else ``$XDG_CACHE_HOME/credtrail``,
else ``~/.cache/credtrail``; ``CREDTRAIL_CACHE_DIR=""`` turns it off.
"""

from __future__ import annotations

import contextlib
import math
import os
import sys
from collections.abc import Callable
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

import orjson

from credtrail.core.errors import CredtrailError, InputError

_FORMAT = 2
_TAGS: dict[str, Callable[[str], Any]] = {
    "$date": date.fromisoformat,
    "$datetime": datetime.fromisoformat,
    "$time": time.fromisoformat,
    "$float": float,  # inf, -inf and nan, which JSON cannot hold
}


def toml_folder(folder: Path) -> list[tuple[Path, dict[str, Any]]]:
    """``(path, parsed)`` of every ``*.toml`` in ``folder``, by name; none if it is missing.

    :raises InputError: a file is not valid TOML (the message names it).
    """
    if not folder.is_dir():
        READ[str(folder)] = None
        return []
    paths = sorted(folder.glob("*.toml"))
    key = READ[str(folder)] = _key(paths)
    cache = _cache_file(folder)
    documents = _read_cache(cache, key) if cache is not None else None
    if documents is None or len(documents) != len(paths):
        documents = [_parse(path) for path in paths]
        if cache is not None:
            _write_cache(cache, key, documents)
    return list(zip(paths, documents, strict=True))


READ: dict[str, list[Any] | None] = {}
"""Every folder ``toml_folder`` read in this process, with its ``folder_key`` then: what
a result derived from the data (the plugins' fingerprint) depends on."""


def folder_key(folder: Path) -> list[Any] | None:
    """What identifies the folder's data files now (names, sizes, modification times;
    None: no such folder); ``toml_folder`` reparses when it changes."""
    return _key(sorted(folder.glob("*.toml"))) if folder.is_dir() else None


def parse_toml(path: Path) -> dict[str, Any]:
    """One TOML file, parsed (no cache).

    :raises InputError: it is not valid TOML.
    """
    return _parse(path)


def _parse(path: Path) -> dict[str, Any]:
    import tomllib  # here: reading a fresh cache (or only its keys) does not need it

    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except tomllib.TOMLDecodeError as exc:
        raise InputError(f"{path}: not valid TOML: {exc}") from None


def _key(paths: list[Path]) -> list[Any]:
    """What the cache must match: the format, the Python and every file's name and stat."""
    entries: list[Any] = [_FORMAT, sys.version]
    for path in paths:
        stat = path.stat()
        entries.append([path.name, stat.st_size, stat.st_mtime_ns])
    return entries


def cache_folder() -> Path | None:
    """Where parsed data files are cached; ``None`` when caching is turned off."""
    configured = os.environ.get("CREDTRAIL_CACHE_DIR")
    if configured is not None:
        return Path(configured) if configured else None
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "credtrail"


def _cache_file(folder: Path) -> Path | None:
    root = cache_folder()
    if root is None:
        return None
    import hashlib

    digest = hashlib.sha256(str(folder.resolve()).encode()).hexdigest()[:32]
    return root / f"toml-{digest}.json"


def _read_cache(cache: Path, key: list[Any]) -> list[dict[str, Any]] | None:
    try:
        data = orjson.loads(cache.read_bytes())
    except (OSError, orjson.JSONDecodeError):
        return None
    if not isinstance(data, dict) or data.get("key") != key:
        return None
    documents = data.get("documents")
    if not isinstance(documents, list):
        return None
    try:
        decoded = [_decode(document) for document in documents]
    except (ValueError, TypeError):
        return None
    if not all(isinstance(document, dict) for document in decoded):
        return None
    return decoded


def _write_cache(cache: Path, key: list[Any], documents: list[dict[str, Any]]) -> None:
    write_cache_file(
        cache, orjson.dumps({"key": key, "documents": [_encode(d) for d in documents]})
    )


def write_cache_file(path: Path, blob: bytes) -> None:
    """Replace the cache file ``path`` with ``blob`` at once (private to the user: 0600 in
    a 0700 folder); a failure is ignored, as a cache is a convenience (a read-only home or
    a full disk is not an error)."""
    # Imported here: persistence is not needed when the cache is fresh.
    from credtrail.core.persistence.files import create_private, make_private_dir

    partial = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    try:
        make_private_dir(path.parent, what="cache folder")
        create_private(partial, blob, force=True, what="cache file")
        os.replace(partial, path)
    except (OSError, CredtrailError):
        with contextlib.suppress(OSError):
            partial.unlink()


def _encode(value: Any) -> Any:
    if isinstance(value, dict):
        encoded = {str(k): _encode(v) for k, v in value.items()}
        if len(encoded) == 1 and next(iter(encoded)).startswith("$"):
            return {"$table": encoded}  # a real one-key table named like a tag
        return encoded
    if isinstance(value, list):
        return [_encode(v) for v in value]
    if isinstance(value, datetime):  # before date: a datetime is a date
        return {"$datetime": value.isoformat()}
    if isinstance(value, date):
        return {"$date": value.isoformat()}
    if isinstance(value, time):
        return {"$time": value.isoformat()}
    if isinstance(value, float) and not math.isfinite(value):
        return {"$float": repr(value)}
    return value


def _decode(value: Any) -> Any:
    kind = type(value)
    if kind is dict:
        if len(value) == 1:
            ((tag, inner),) = value.items()
            if tag == "$table":
                return {k: _decode(v) for k, v in inner.items()}
            parse = _TAGS.get(tag)
            if parse is not None:
                return parse(inner)
        return {k: _decode(v) for k, v in value.items()}
    if kind is list:
        return [_decode(v) for v in value]
    return value

"""The plugins' fingerprint, remembered per installation, so that it can be known
without loading the plugins.

The compliance view records the fingerprint of the plugins that judged it
(``Registry.fingerprint``); a view built with other plugins is stale. Computing the
fingerprint means loading every plugin and its data, which is most of a command's
start-up, so ``credtrail status`` of one clinician (``credtrail.core.viewread``) asks
``recall`` instead: the fingerprint a full run computed, remembered by ``remember``
under what it was computed from, and returned only while none of that changed:

- the Python, the plugin selection (``--plugins`` / ``CREDTRAIL_LOAD_PLUGINS``), and
  every distribution installed on ``sys.path`` (the names of its ``*.dist-info`` folders,
  which carry the versions, and their modification times: installing, removing,
  upgrading or reinstalling any package forgets);
- each data folder the plugins read (``credtrail.core.datafiles.READ``: names, sizes
  and modification times of its TOML files);
- each of credtrail's own modules that was loaded (its size and modification time:
  an edited built-in plugin in a development checkout forgets).

A third-party plugin installed in editable mode and edited in place without a new
version is not seen (its version is what the fingerprint itself goes by). The memo
lives in the cache folder of ``credtrail.core.datafiles`` (``CREDTRAIL_CACHE_DIR``;
empty: no memo, so every ``status`` takes the full path). Anything missing, unreadable
or different means "not known": the caller takes the full path, which remembers anew.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

import orjson

from credtrail.core.datafiles import READ, cache_folder, folder_key, write_cache_file

_FORMAT = 1


def recall(selection: set[str] | None) -> str | None:
    """The fingerprint of the plugins ``selection`` loads here, if a run remembered it
    and nothing it depends on changed since; else None."""
    memo = _memo_file()
    if memo is None:
        return None
    try:
        data = orjson.loads(memo.read_bytes())
    except (OSError, orjson.JSONDecodeError):
        return None
    if not isinstance(data, dict) or not isinstance(data.get("fingerprint"), str):
        return None
    if data.get("environment") != _environment(selection):
        return None
    folders = data.get("folders")
    modules = data.get("modules")
    if not isinstance(folders, dict) or not isinstance(modules, dict):
        return None
    for folder, key in folders.items():
        if folder_key(Path(folder)) != key:
            return None
    for path, stamp in modules.items():
        if _stamp(path) != stamp:
            return None
    return str(data["fingerprint"])


def remember(selection: set[str] | None, fingerprint: str) -> None:
    """Remember that the plugins ``selection`` loads here have ``fingerprint`` (call it
    in the process that computed it, after the plugins read their data)."""
    memo = _memo_file()
    if memo is None:
        return
    modules = {}
    for name, module in list(sys.modules.items()):
        path = getattr(module, "__file__", None)
        if name.startswith("credtrail.") and path:
            modules[path] = _stamp(path)
    blob = orjson.dumps(
        {
            "environment": _environment(selection),
            "fingerprint": fingerprint,
            "folders": READ,
            "modules": modules,
        }
    )
    write_cache_file(memo, blob)


def _memo_file() -> Path | None:
    root = cache_folder()
    return None if root is None else root / "plugins-fingerprint.json"


def _environment(selection: set[str] | None) -> list[Any]:
    """What the fingerprint is remembered under (one memo: the last full run's)."""
    chosen = None if selection is None else sorted(selection)
    return [_FORMAT, sys.version, sys.executable, chosen, _distributions()]


def _distributions() -> list[str]:
    """The ``*.dist-info`` / ``*.egg-info`` folders on ``sys.path``, each with its
    modification time (a reinstall of the same version rewrites it)."""
    names: list[str] = []
    for entry in sys.path:
        try:
            with os.scandir(entry or ".") as found:
                names.extend(
                    f"{entry}/{e.name} {e.stat().st_mtime_ns}"
                    for e in found
                    if e.name.endswith((".dist-info", ".egg-info"))
                )
        except OSError:
            continue
    return sorted(names)


def _stamp(path: str) -> Any:
    try:
        stat = os.stat(path)
    except OSError:
        return None
    return [stat.st_size, stat.st_mtime_ns]

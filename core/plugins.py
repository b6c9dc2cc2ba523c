"""Building the plugin manager: core's own plugins, the defaults, then entry points.

Core never imports a plugin. It registers its own default plugins (``CORE_PLUGINS``:
the ``csv``, ``openbadges`` and ``cebroker`` import formats) always; the caller (the CLI, a test)
passes the other defaults in (``credtrail.plugins.DEFAULT_PLUGINS``: name ->
``module:attribute``), imported only when selected; third-party plugins come from
the ``credtrail`` entry-point group.
"""

from __future__ import annotations

import importlib
import os
import sys
import weakref
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from credtrail.core.errors import CredtrailError, PluginError

if TYPE_CHECKING:
    import pluggy

ENTRY_POINT_GROUP = "credtrail"
LOAD_ENV = "CREDTRAIL_LOAD_PLUGINS"
TRACE_ENV = "CREDTRAIL_TRACE_PLUGINS"

CORE_PLUGINS: dict[str, str] = {
    "csv": "credtrail.core.exchange.csvformat:CSV_FORMAT",
    "openbadges": "credtrail.core.exchange.openbadges:OPENBADGES_FORMAT",
    "cebroker": "credtrail.core.exchange.cebroker:CEBROKER_FORMAT",
}
"""Core's own default plugins, registered in every plugin manager: plugin name -> the
``ImportFormat`` it registers (imported when the formats are listed, not before)."""

# Distribution version of each entry-point plugin, per manager (for `credtrail plugins`).
_VERSIONS: weakref.WeakKeyDictionary[pluggy.PluginManager, dict[str, str]] = (
    weakref.WeakKeyDictionary()
)
# Names of the default plugins (core's and the caller's) of each manager.
_BUILTINS: weakref.WeakKeyDictionary[pluggy.PluginManager, frozenset[str]] = (
    weakref.WeakKeyDictionary()
)


@dataclass(frozen=True)
class PluginInfo:
    """One loaded plugin as ``credtrail plugins`` shows it."""

    name: str
    version: str | None
    builtin: bool
    hooks: tuple[str, ...]


def parse_selection(value: str | None) -> set[str] | None:
    """``CREDTRAIL_LOAD_PLUGINS`` / ``--plugins``: comma-separated names; empty: none.

    ``None`` (unset) means every installed plugin.
    """
    if value is None:
        return None
    return {name.strip() for name in value.split(",") if name.strip()}


def load_target(target: str) -> object:
    """The object an entry-point style ``module:attribute`` (or ``module``) names."""
    module_name, _, attribute = target.partition(":")
    obj: object = importlib.import_module(module_name)
    for part in attribute.split(".") if attribute else ():
        obj = getattr(obj, part)
    return obj


def _core_format_plugin(target: str) -> object:
    """A plugin registering the ``ImportFormat`` at ``target`` when formats are listed."""
    from credtrail.core.hookspecs import hookimpl

    class CoreFormat:
        @hookimpl
        def credtrail_register_import_formats(self, register: Callable[[Any], None]) -> None:
            register(load_target(target))

        def __repr__(self) -> str:
            return f"<core format {target}>"

    return CoreFormat()


def build_plugin_manager(
    builtins: Iterable[tuple[str, object]] | Mapping[str, str] = (),
    *,
    load_entrypoints: bool = True,
    only: set[str] | None = None,
    extra: Iterable[tuple[str, object]] = (),
    trace: bool | None = None,
) -> pluggy.PluginManager:
    """A plugin manager with the credtrail hookspecs and the selected plugins.

    :param builtins: default plugins registered before entry points: a mapping
        ``name -> "module:attribute"`` (imported only when selected) or ``(name,
        plugin)`` pairs; a plugin given as a string is imported the same way.
    :param load_entrypoints: also load third-party plugins of the ``credtrail`` group.
    :param only: load only plugins with these names (None: all).
    :param extra: more ``(name, plugin)`` pairs, e.g. a test's plugin object.
    :param trace: print every hook call to stderr (default: ``CREDTRAIL_TRACE_PLUGINS``).
    """
    # Imported here, not at module level: the CLI reads this module's names for every
    # command, --version included, and builds a plugin manager for few of them.
    import pluggy

    from credtrail.core import hookspecs

    pm = pluggy.PluginManager(hookspecs.PROJECT)
    pm.add_hookspecs(hookspecs)
    defaults = list(builtins.items() if isinstance(builtins, Mapping) else builtins)
    for name, target in CORE_PLUGINS.items():
        _register(pm, name, _core_format_plugin(target))
    for name, plugin in [*defaults, *extra]:
        if only is not None and name not in only:
            continue
        if isinstance(plugin, str):
            try:
                plugin = load_target(plugin)
            except Exception as exc:
                raise PluginError(name, "load", f"cannot import {plugin}: {exc}") from exc
        _register(pm, name, plugin)
    _BUILTINS[pm] = frozenset({*CORE_PLUGINS, *(name for name, _ in defaults)})
    if load_entrypoints:
        _load_entrypoints(pm, only)
    if only is not None:
        missing = only - {name for name, _ in pm.list_name_plugin()}
        if missing:
            raise CredtrailError(
                f"plugins not installed: {', '.join(sorted(missing))} "
                f"(check {LOAD_ENV} / --plugins)"
            )
    try:
        pm.check_pending()
    except pluggy.PluginValidationError as exc:
        raise PluginError(_plugin_name(pm, exc.plugin), "check_pending", str(exc)) from None
    if trace if trace is not None else bool(os.environ.get(TRACE_ENV)):
        # pluggy's tracing sees calls through pm.hook; the registry calls each
        # implementation itself (to blame the right plugin), so it traces those.
        pm.trace.root.setwriter(lambda message: sys.stderr.write(f"[credtrail] {message}"))
        pm.enable_tracing()
        _TRACERS[pm] = HookTracer()
    return pm


class HookTracer:
    """Writes one stderr line per hook call the registry makes (``CREDTRAIL_TRACE_PLUGINS``).

    ``[credtrail] plugin.hook(args) -> result (0.12 ms)``; values are summarised, so a
    trace never dumps a whole registry or document.
    """

    def __init__(self, write: Callable[[str], object] | None = None) -> None:
        self._write = write

    def record(
        self,
        plugin: str,
        hook: str,
        kwargs: Mapping[str, Any],
        outcome: str,
        seconds: float,
    ) -> None:
        args = ", ".join(f"{k}={summarise(v)}" for k, v in kwargs.items())
        line = f"[credtrail] {plugin}.{hook}({args}) -> {outcome} ({seconds * 1000:.2f} ms)\n"
        # Resolved at each call so pytest's capture (and redirections) see it.
        (self._write or sys.stderr.write)(line)


_TRACERS: weakref.WeakKeyDictionary[pluggy.PluginManager, HookTracer] = weakref.WeakKeyDictionary()


def tracer_for(pm: pluggy.PluginManager) -> HookTracer | None:
    """The tracer of ``pm`` when it was built with tracing on, else None."""
    return _TRACERS.get(pm)


def summarise(value: Any, limit: int = 120) -> str:
    """A short, one-line description of a hook argument or result for traces."""
    from decimal import Decimal  # here: `credtrail --version` imports this module

    from pydantic import BaseModel

    if value is None or isinstance(value, bool | int | str | Decimal):
        text = repr(value)
    elif isinstance(value, BaseModel):
        fields = ", ".join(f"{k}={v!r}" for k, v in value.model_dump(exclude_defaults=True).items())
        text = f"{type(value).__name__}({fields})"
    elif isinstance(value, list | tuple):
        items = ", ".join(summarise(v, 60) for v in value[:3])
        text = f"[{len(value)}: {items}]" if value else "[]"
    elif isinstance(value, Mapping):
        text = f"{{{len(value)} keys: " + ", ".join(map(str, list(value)[:5])) + "}"
    elif callable(value):
        text = f"<{getattr(value, '__name__', type(value).__name__)}>"
    else:
        text = f"<{type(value).__name__}>"
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _register(pm: pluggy.PluginManager, name: str, plugin: object) -> None:
    import pluggy

    try:
        pm.register(plugin, name=name)
    except pluggy.PluginValidationError as exc:
        raise PluginError(name, "register", str(exc)) from None
    except ValueError as exc:  # pluggy: "already registered"
        raise PluginError(name, "register", str(exc)) from None


def _load_entrypoints(pm: pluggy.PluginManager, only: set[str] | None) -> None:
    # pluggy's load_setuptools_entrypoints cannot filter by name or attribute
    # failures to a plugin, so the loop is ours.
    seen: dict[str, str] = {}
    from importlib import metadata

    for dist in metadata.distributions():
        for ep in dist.entry_points:
            if ep.group != ENTRY_POINT_GROUP:
                continue
            if only is not None and ep.name not in only:
                continue
            if ep.name in seen:
                # The same distribution can be on the path twice (editable installs):
                # only a different target under the same name is a conflict.
                if seen[ep.name] != ep.value:
                    raise PluginError(
                        ep.name,
                        "load",
                        f"two installed packages publish entry point {ep.name!r}: "
                        f"{seen[ep.name]} and {ep.value}; uninstall one",
                    )
                continue
            seen[ep.name] = ep.value
            if pm.is_blocked(ep.name):
                continue
            taken = pm.get_plugin(ep.name)
            if taken is not None:
                raise PluginError(
                    ep.name,
                    "load",
                    f"{dist.metadata['Name']} publishes entry point {ep.name!r} = {ep.value}, "
                    f"but that name is taken by {getattr(taken, '__name__', repr(taken))}; "
                    "rename the entry point",
                )
            try:
                plugin = ep.load()
            except Exception as exc:
                raise PluginError(
                    ep.name, "load", f"cannot import {ep.value}: {type(exc).__name__}: {exc}"
                ) from exc
            _register(pm, ep.name, plugin)
            _VERSIONS.setdefault(pm, {})[ep.name] = dist.version


def _plugin_name(pm: pluggy.PluginManager, plugin: Any) -> str:
    return pm.get_name(plugin) or repr(plugin)


def describe_plugins(pm: pluggy.PluginManager) -> list[PluginInfo]:
    """Name, version and implemented hooks of every loaded plugin."""
    versions = _VERSIONS.get(pm, {})
    builtin = _BUILTINS.get(pm, frozenset())
    infos = []
    for name, plugin in sorted(pm.list_name_plugin(), key=lambda pair: pair[0]):
        hooks = tuple(sorted(h.name for h in pm.get_hookcallers(plugin) or []))
        version = versions.get(name) or getattr(plugin, "__version__", None)
        if version is None and name in builtin:
            version = _own_version()
        infos.append(PluginInfo(name=name, version=version, builtin=name in builtin, hooks=hooks))
    return infos


def plugin_versions(pm: pluggy.PluginManager) -> dict[str, str | None]:
    """Each loaded plugin's version, and credtrail's own under ``"credtrail"`` (its
    engine judges too): what ``Registry.fingerprint`` takes."""
    versions = {info.name: info.version for info in describe_plugins(pm)}
    versions["credtrail"] = _own_version()
    return versions


def _own_version() -> str | None:
    from importlib import metadata

    try:
        return metadata.version("credtrail")
    except metadata.PackageNotFoundError:
        return None

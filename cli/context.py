"""What every command needs, opened lazily (``--help`` touches no store or plugin)."""

from __future__ import annotations

from collections.abc import Sequence

import click
import pluggy

from credtrail.core.application import Credtrail
from credtrail.core.plugins import build_plugin_manager, parse_selection
from credtrail.core.registry import Registry, build_registry
from credtrail.core.store import StoreLocation
from credtrail.plugins import BUILTIN_NAMES, builtin_plugins

DEFAULT_STORE = "credtrail.db"
STORE_ENV = "CREDTRAIL_STORE"


class Env:
    """The store location and plugin selection given on the command line."""

    def __init__(self, store: str, plugins: str | None) -> None:
        self.location = store
        self.selection = parse_selection(plugins)
        self._pm: pluggy.PluginManager | None = None
        self._registry: Registry | None = None
        self._app: Credtrail | None = None

    @property
    def pm(self) -> pluggy.PluginManager:
        if self._pm is None:
            self._pm = build_plugin_manager(builtin_plugins(), only=self.selection)
        return self._pm

    @property
    def registry(self) -> Registry:
        """What the plugins registered; needs no store."""
        if self._registry is None:
            self._registry = build_registry(self.pm)
        return self._registry

    @property
    def builtin_names(self) -> Sequence[str]:
        return BUILTIN_NAMES

    def app(self, *, create: bool = False) -> Credtrail:
        """The application on the store; ``create`` only for ``credtrail init``."""
        if self._app is None:
            self._app = Credtrail.open(
                StoreLocation.parse(self.location), self.pm, create=create, registry=self.registry
            )
        return self._app

    def close(self) -> None:
        if self._app is not None:
            self._app.close()
            self._app = None


pass_env = click.make_pass_decorator(Env)

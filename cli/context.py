"""What every command needs, opened lazily (``--help`` touches no store or plugin)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from credtrail.core.plugins import parse_selection

if TYPE_CHECKING:
    import pluggy

    from credtrail.core.application import Credtrail
    from credtrail.core.registry import Registry

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
            from credtrail.core.plugins import build_plugin_manager
            from credtrail.plugins import DEFAULT_PLUGINS

            self._pm = build_plugin_manager(DEFAULT_PLUGINS, only=self.selection)
        return self._pm

    @property
    def registry(self) -> Registry:
        """What the plugins registered; needs no store."""
        if self._registry is None:
            from credtrail.core.registry import build_registry

            self._registry = build_registry(self.pm)
        return self._registry

    def app(self, *, create: bool = False) -> Credtrail:
        """The application on the store; ``create`` only for ``credtrail init``."""
        if self._app is None:
            from credtrail.core.application import Credtrail
            from credtrail.core.store import StoreLocation

            self._app = Credtrail.open(
                StoreLocation.parse(self.location), self.pm, create=create, registry=self.registry
            )
        return self._app

    def close(self) -> None:
        if self._app is not None:
            self._app.close()
            self._app = None


pass_env = click.make_pass_decorator(Env)

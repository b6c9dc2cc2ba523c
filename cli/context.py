"""What every command needs, opened lazily (``--help`` touches no store or plugin)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from credtrail.core.plugins import parse_selection

if TYPE_CHECKING:
    import pluggy

    from credtrail.core.application import Credtrail
    from credtrail.core.registry import Registry

STORE_ENV = "CREDTRAIL_STORE"
APP_NAME = "credtrail"


def default_store() -> str:
    """The per-user store: ``credtrail.db`` in the user's data folder for credtrail
    (``click.get_app_dir``: ~/.config/credtrail on Linux, ~/Library/Application
    Support/credtrail on macOS, %APPDATA%\\credtrail on Windows)."""
    from credtrail.core.persistence.location import user_store

    return str(user_store(click.get_app_dir(APP_NAME)))


class Env:
    """The store location and plugin selection given on the command line.

    ``store`` None means the per-user default; ``source`` says where a given one came
    from (``--store`` or ``CREDTRAIL_STORE``), for ``credtrail info`` and ``init``.
    """

    def __init__(self, store: str | None, plugins: str | None, source: str | None = None) -> None:
        self.is_default = store is None
        self.location = default_store() if store is None else store
        self.source = "default" if store is None else (source or "--store")
        self.selection = parse_selection(plugins)
        self._pm: pluggy.PluginManager | None = None
        self._registry: Registry | None = None
        self._app: Credtrail | None = None

    def store_display(self) -> str:
        """The store as messages show it: an absolute path, or the URL without password."""
        from credtrail.core.persistence.location import StoreLocation

        location = StoreLocation.parse(self.location)
        if location.backend == "sqlite" and self.location != ":memory:":
            from pathlib import Path

            return str(Path(self.location).expanduser().absolute())
        return location.display()

    def describe_source(self) -> str:
        """Why this store: the option, the environment variable or the per-user default."""
        if self.source == "default":
            return f"the per-user default; --store or {STORE_ENV} chooses another"
        if self.source == STORE_ENV:
            return f"from {STORE_ENV}"
        return "from --store"

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

            if create and self.is_default:
                # The per-user folder is made on first use, private (0700).
                from pathlib import Path

                from credtrail.core.persistence.files import make_private_dir

                make_private_dir(Path(self.location).parent, what="store folder")
            self._app = Credtrail.open(
                StoreLocation.parse(self.location), self.pm, create=create, registry=self.registry
            )
        return self._app

    def close(self) -> None:
        if self._app is not None:
            self._app.close()
            self._app = None


pass_env = click.make_pass_decorator(Env)

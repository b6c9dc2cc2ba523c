"""Built-in profession plugins: each a ``ProfessionPlugin`` over its own data.

``DEFAULT_PLUGINS`` is the one list of them (as llm's ``DEFAULT_PLUGINS`` is): the
CLI registers them before any third-party plugin of the ``credtrail`` entry-point
group, and ``--plugins`` / ``CREDTRAIL_LOAD_PLUGINS`` select among both by name.
Core's own import formats (``csv``, ``openbadges``) are core's default plugins
(``credtrail.core.plugins.CORE_PLUGINS``). Plugins never import each other: what they
share is data here (``accreditors.py``, ``topics.py``, ``vocabulary/``).
"""

from __future__ import annotations

DEFAULT_PLUGINS: dict[str, str] = {
    "physician_ama": "credtrail.plugins.physician_ama:plugin",
    "nursing_ancc": "credtrail.plugins.nursing_ancc:plugin",
    "pa_aapa": "credtrail.plugins.pa_aapa:plugin",
    "federal": "credtrail.plugins.federal:plugin",
}
"""Plugin name (what ``--plugins`` takes) -> ``module:attribute`` of the plugin."""


def builtin_plugins() -> list[tuple[str, object]]:
    """``(name, plugin)`` of every default plugin, imported, in a stable order."""
    import importlib

    out = []
    for name, target in DEFAULT_PLUGINS.items():
        module, _, attribute = target.partition(":")
        out.append((name, getattr(importlib.import_module(module), attribute)))
    return out

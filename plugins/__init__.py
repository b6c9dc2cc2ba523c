"""Built-in profession plugins.

They are ordinary plugins, published under the ``credtrail`` entry-point group like any
third-party one; ``BUILTINS`` lets the CLI and tests register them explicitly (under
the same names as their entry points) when entry-point loading is off.
"""

from __future__ import annotations

from types import ModuleType


def builtin_plugins() -> list[tuple[str, ModuleType]]:
    """``(entry-point name, module)`` of every built-in plugin, in a stable order."""
    from credtrail.plugins import federal, nursing_ancc, pa_aapa, physician_ama

    return [
        ("physician_ama", physician_ama),
        ("nursing_ancc", nursing_ancc),
        ("pa_aapa", pa_aapa),
        ("federal", federal),
    ]


BUILTIN_NAMES = ("physician_ama", "nursing_ancc", "pa_aapa", "federal")

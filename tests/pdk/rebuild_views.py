"""Run by test_example_plugin in the throwaway venv: rebuild the projections of a store
with whatever plugins are installed there, and print what they hold as JSON.

Usage: python rebuild_views.py STORE CLINICIAN
"""

from __future__ import annotations

import json
import sys

from credtrail.core.application import Credtrail
from credtrail.core.errors import StaleViewError
from credtrail.core.plugins import build_plugin_manager
from credtrail.core.projections import Views
from credtrail.plugins import builtin_plugins


def snapshot(views: Views, clinician: str) -> dict[str, object]:
    transcript = views.transcript(clinician).model_dump(mode="json")
    rows = views.compliance(clinician)
    return {
        "transcript": transcript,
        "compliance": sorted(
            [r.requirement_id, str(r.cycle_start), r.status, str(r.counted)] for r in rows
        ),
    }


def main(store: str, clinician: str) -> None:
    app = Credtrail.open(store, build_plugin_manager(builtin_plugins()))
    try:
        views = Views.of(app)
        try:
            before = snapshot(views, clinician)
        except StaleViewError as exc:  # built with other plugins: only a rebuild helps
            before = {"stale": str(exc)}
        replayed = views.rebuild()
        after = snapshot(views, clinician)
        ledger = app.transcript(clinician).model_dump(mode="json")
        report = {"before": before, "after": after, "replayed": replayed, "ledger": ledger}
        print(json.dumps(report))
    finally:
        app.close()


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])

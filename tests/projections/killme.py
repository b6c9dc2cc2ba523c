"""Run a catch-up or a rebuild in a child process, printing each committed page.

    python killme.py STORE catch-up|rebuild PAGE_SIZE [pipelined|runs]

``pipelined``: every page's compliance judged in two workers (the runner's pipeline);
``runs``: a clinician at a time (every page dirtying two or more is written in runs).

The fault test kills this process with SIGKILL part-way through. Each page line is
flushed before the next page starts, so the parent knows work has been committed.
"""

from __future__ import annotations

import sys

from credtrail.core.application import Credtrail
from credtrail.core.plugins import build_plugin_manager
from credtrail.core.projections import Progress, Views
from credtrail.plugins import builtin_plugins


def main() -> None:
    store, mode, page_size = sys.argv[1], sys.argv[2], int(sys.argv[3])
    pm = build_plugin_manager(builtin_plugins(), load_entrypoints=False)
    app = Credtrail.open(store, pm)
    if sys.argv[4:] == ["pipelined"]:
        views = Views.of(app, page_size=page_size, workers=2, parallel_threshold=1)
    elif sys.argv[4:] == ["runs"]:
        views = Views.of(app, page_size=page_size, workers=1, run_clinicians=1)
    else:
        views = Views.of(app, page_size=page_size)

    def report(p: Progress) -> None:
        print(f"page {p.position} {p.head}", flush=True)

    if mode == "rebuild":
        views.rebuild(progress=report)
    else:
        views.catch_up(progress=report)
    print("done", flush=True)


if __name__ == "__main__":
    main()

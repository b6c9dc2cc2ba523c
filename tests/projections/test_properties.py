"""Property: incremental catch-up in random pages == full rebuild == evaluation from the log.

Run with compliance judged in this process, in two worker processes for every page
(``parallel_threshold=1``), and in workers a clinician at a time (``run_clinicians=1``:
every page dirtying two or more is read, judged and written in runs, each run sent to
the workers before the one before it is written): all must meet the same property.
"""

from __future__ import annotations

from datetime import date

import pluggy
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from credtrail.core.application import Credtrail
from credtrail.core.projections import Views

from .conftest import StoreFactory
from .history import direct, dump, from_views, ops, record

CLINICIANS = [f"c{i}" for i in range(4)]


@pytest.mark.parametrize(
    ("workers", "run_clinicians"), [(1, 1000), (2, 1000), (2, 1)], ids=["serial", "workers", "runs"]
)
@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(history=st.lists(ops, min_size=1, max_size=30), final_page=st.integers(1, 50))
def test_incremental_equals_rebuild_equals_log(
    new_store: StoreFactory,
    pm: pluggy.PluginManager,
    history: list[tuple[object, ...]],
    final_page: int,
    workers: int,
    run_clinicians: int,
) -> None:
    """Catching up page by page, rebuilding, and evaluating the aggregates all agree."""
    with new_store() as url:
        app = Credtrail.open(url, pm, create=True)
        try:
            app.sync_builtin_requirements()
            counter = [0]
            # Every example has clinicians with licenses, so compliance always has rows.
            prelude = [("add", i) for i in range(4)] + [
                ("license", 0, date(2021, 3, 1)),
                ("license", 1, date(2023, 7, 9)),
            ]
            for op in [*prelude, *history]:
                if op[0] == "catch-up":
                    # A new runner each time: positions come from the database, not memory.
                    Views.of(
                        app,
                        page_size=int(op[1]),  # type: ignore[call-overload]
                        workers=workers,
                        parallel_threshold=1,
                        run_clinicians=run_clinicians,
                    ).catch_up()
                else:
                    record(app, op, counter)
            views = Views.of(
                app,
                page_size=final_page,
                workers=workers,
                parallel_threshold=1,
                run_clinicians=run_clinicians,
            )
            views.catch_up()
            incremental = dump(views)
            expected = direct(app, CLINICIANS)
            assert from_views(views, CLINICIANS) == expected
            views.rebuild()
            assert dump(views) == incremental
            assert from_views(views, CLINICIANS) == expected
        finally:
            app.close()

"""The catch-up pipeline: compliance page i is judged in workers while this process
applies the transcript view's page i + 1; the pool's asynchronous API under it."""

from __future__ import annotations

import itertools
import os
import time
from pathlib import Path
from typing import Any

import pytest

from credtrail.core.application import Credtrail
from credtrail.core.errors import CredtrailError
from credtrail.core.projections import Progress, Views
from credtrail.core.projections import compliance as compliance_module
from credtrail.core.projections.db import COMPLIANCE
from credtrail.core.projections.parallel import RemoteTraceback, WorkerPool
from credtrail.core.projections.runner import Runner

from .history import dump
from .test_parallel import app, gone  # noqa: F401 (the fixture)

PAGE = 60  # the first page must hold every built-in requirement definition (49 with group 2)


def record_commits(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, int]]:
    """Each committed (view, position), in the order the runner committed them."""
    commits: list[tuple[str, int]] = []
    real = Runner._commit

    def commit(self: Runner, v: Any, old: int, last: int, writes: Any) -> None:
        real(self, v, old, last, writes)
        commits.append((v.name, last))

    monkeypatch.setattr(Runner, "_commit", commit)
    return commits


def page_ends(head: int) -> list[int]:
    return [*range(PAGE, head, PAGE), head]


def test_a_rebuild_judges_compliance_page_i_while_the_transcript_view_applies_page_i_plus_1(
    app: Credtrail,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """With workers, compliance commits page i only after the transcript view committed
    page i + 1; the tables equal the serial rebuild's, and each page is reported once,
    the last at the head."""
    serial = Views.of(app, workers=1, page_size=PAGE)
    serial.rebuild()
    expected = dump(serial)
    head = app.store.recorder.max_notification_id()
    ends = page_ends(head)
    assert len(ends) > 3

    commits = record_commits(monkeypatch)
    reported: list[Progress] = []
    pipelined = Views.of(app, workers=2, page_size=PAGE, parallel_threshold=1)
    assert pipelined.rebuild(progress=reported.append) == head
    assert dump(pipelined) == expected
    # The first page (the requirements' definitions) dirties no clinician: judged here
    # and committed at once. From the second page on, the pipeline runs.
    interleaved = [("transcript", ends[0]), ("compliance", ends[0]), ("transcript", ends[1])]
    for before, end in itertools.pairwise(ends[1:]):
        interleaved += [("transcript", end), ("compliance", before)]
    interleaved.append(("compliance", ends[-1]))
    assert commits == interleaved
    assert [p.position for p in reported] == ends
    assert reported[-1].events == head
    assert pipelined.runner.positions() == {"transcript": head, "compliance": head}

    # One process: each page commits in both views before the next page (as before).
    commits.clear()
    serial.rebuild()
    assert commits == [(view, end) for end in ends for view in ("transcript", "compliance")]


def test_a_worker_error_in_page_i_leaves_compliance_at_page_i_minus_1(
    app: Credtrail,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The transcript view keeps page i + 1, which it committed while page i was judged;
    compliance writes nothing of page i; a catch-up afterwards == a rebuild."""
    real = compliance_module.judge_pair
    parent = os.getpid()

    def judge_pair(clinician_id: str, *args: Any, **kwargs: Any) -> Any:
        if os.getpid() != parent and clinician_id == "k07":
            raise ValueError("k07 cannot be judged")
        return real(clinician_id, *args, **kwargs)

    monkeypatch.setattr(compliance_module, "judge_pair", judge_pair)
    commits = record_commits(monkeypatch)
    views = Views.of(app, workers=2, page_size=PAGE, parallel_threshold=1)
    with pytest.raises(ValueError, match="k07 cannot be judged"):
        views.rebuild()
    positions = views.runner.positions()
    assert 0 < positions["compliance"] < positions["transcript"]
    assert positions["transcript"] == positions["compliance"] + 2 * PAGE
    assert commits[-1] == ("transcript", positions["transcript"])
    judged = {row[0] for row in dump(views)[COMPLIANCE]}
    assert "k00" in judged
    assert "k07" not in judged

    monkeypatch.undo()
    views.catch_up()
    caught_up = dump(views)
    Views.of(app, workers=1).rebuild()
    assert caught_up == dump(views)


def test_a_runner_that_loses_a_race_with_a_page_in_flight_drops_it(
    app: Credtrail,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Another runner catches up while compliance's page is judged: the page in flight
    is discarded, not written, and the loser stops where the winner left the views."""
    cancelled: list[int] = []
    real_cancel = compliance_module.Pending.cancel

    def cancel(self: compliance_module.Pending) -> None:
        cancelled.append(len(self.order))
        real_cancel(self)

    monkeypatch.setattr(compliance_module.Pending, "cancel", cancel)
    loser = Views.of(app, workers=2, page_size=PAGE, parallel_threshold=1)
    winner = Views.of(app, workers=1, page_size=13)
    reported: list[int] = []

    def on_page(p: Progress) -> None:
        reported.append(p.position)
        if len(reported) == 2:  # compliance's page 3 is in flight now
            winner.catch_up()

    assert loser.catch_up(progress=on_page) == 2 * PAGE
    assert reported == [PAGE, 2 * PAGE]
    assert len(cancelled) == 1  # compliance's page 3, judged but never written
    head = app.store.recorder.max_notification_id()
    assert loser.runner.positions() == {"transcript": head, "compliance": head}
    caught_up = dump(loser)
    Views.of(app, workers=1).rebuild()
    assert dump(loser) == caught_up


# ----------------------------------------------------------------- the pool's API


def _log_or_fail(context: str, item: int) -> int:
    (Path(context) / str(item)).touch()
    if item == 3:
        raise ValueError(f"item {item} failed")
    return item


def test_submit_returns_at_once_and_each_batch_its_results_in_input_order(
    tmp_path: Path,
) -> None:
    """Two batches out together (the jobs wait for a gate, so submit did not wait);
    pumping moves them on; results per batch, in order of their items."""
    with WorkerPool(str(tmp_path), workers=2) as pool:
        first = pool.submit(_after_gate, range(12))
        second = pool.submit(_after_gate, [7, 3, 5])
        pool.pump()
        assert not first.done
        assert not second.done
        (tmp_path / "gate").touch()
        while not (first.done and second.done):
            pool.pump()
        assert second.result() == [14, 6, 10]
        assert first.result() == [2 * i for i in range(12)]
        empty = pool.submit(_after_gate, [])
        assert empty.done
        assert empty.result() == []
        workers = set(pool.pids())
        assert len(workers) == 2
    assert gone(workers)


def test_a_failed_item_stops_its_batch_and_is_raised_by_result(tmp_path: Path) -> None:
    """No item after the failed one is sent; the same exception comes back with the
    worker's traceback; the pool goes on with the next batch."""
    with WorkerPool(str(tmp_path), workers=1) as pool:
        batch = pool.submit(_log_or_fail, range(8))
        with pytest.raises(ValueError, match="item 3 failed") as raised:
            batch.result()
        assert isinstance(raised.value.__cause__, RemoteTraceback)
        assert sorted(int(p.name) for p in tmp_path.iterdir()) == [0, 1, 2, 3]
        assert pool.map(_log_or_fail, [5, 6]) == [5, 6]


def test_a_cancelled_batch_sends_nothing_more_and_its_answers_are_dropped(
    tmp_path: Path,
) -> None:
    with WorkerPool(str(tmp_path), workers=1) as pool:
        batch = pool.submit(_log_or_fail, [10, 11, 12])
        batch.cancel()
        assert pool.map(_log_or_fail, [20, 21]) == [20, 21]
        with pytest.raises(CredtrailError, match="cancelled"):
            batch.result()
        # At most the job already out when it was cancelled ran.
        assert {p.name for p in tmp_path.iterdir()} <= {"10", "20", "21"}


def _after_gate(context: str, item: int) -> int:
    while not (Path(context) / "gate").exists():
        time.sleep(0.001)
    time.sleep(0.001 * (12 - item % 12))
    return item * 2


def test_a_batch_whose_pool_was_closed_cannot_be_waited_for(tmp_path: Path) -> None:
    """Closing the pool (an abort) loses the jobs out: waiting raises, nothing hangs."""
    pool = WorkerPool(str(tmp_path), workers=2)
    batch = pool.submit(_after_gate, range(12))  # the gate never opens
    workers = set(pool.pids())
    pool.close(abort=True)
    with pytest.raises(CredtrailError, match="closed before the batch was done"):
        batch.result()
    assert gone(workers)

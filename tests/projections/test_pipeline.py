"""The catch-up pipeline: compliance page i is judged in workers while this process
applies the transcript view's page i + 1."""

from __future__ import annotations

import itertools
import os
from typing import Any

import pytest

from credtrail.core import compliance as judging
from credtrail.core.application import Credtrail
from credtrail.core.projections import Progress, Views
from credtrail.core.projections import compliance as compliance_module
from credtrail.core.projections.db import COMPLIANCE
from credtrail.core.projections.runner import Runner

from .history import dump
from .test_parallel import app  # noqa: F401 (the fixture)

PAGE = 80  # the first page must hold every built-in requirement definition (69 with nurse group 1)


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


def definition_pages(app: Credtrail) -> int:  # noqa: F811
    """How many leading pages hold only the built-in requirements' definitions (they dirty
    no clinician): one while the built-ins fit in 40 events, more as rule data grows."""
    notifications = app.store.recorder.select_notifications(1, PAGE * 100)
    topics = ("credtrail:RequirementDefined", "credtrail:RequirementChanged")
    definitions = next(i for i, n in enumerate(notifications) if n.topic not in topics)
    return definitions // PAGE


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
    # The first pages (the requirements' definitions) dirty no clinician: judged here
    # and committed at once. From the next page on, the pipeline runs.
    k = definition_pages(app)
    interleaved = [(view, end) for end in ends[:k] for view in ("transcript", "compliance")]
    interleaved.append(("transcript", ends[k]))
    for before, end in itertools.pairwise(ends[k:]):
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
    real = judging.judge
    parent = os.getpid()

    def judge(documents: Any, credits: Any, *args: Any, **kwargs: Any) -> Any:
        mine = any(c.activity_id.startswith("k07-") for c in credits)
        if os.getpid() != parent and mine:
            raise ValueError("k07 cannot be judged")
        return real(documents, credits, *args, **kwargs)

    monkeypatch.setattr(judging, "judge", judge)
    commits = record_commits(monkeypatch)
    views = Views.of(app, workers=2, page_size=PAGE, parallel_threshold=1)
    with pytest.raises(ValueError, match="k07 cannot be judged"):
        views.rebuild()
    positions = views.runner.positions()
    assert 0 < positions["compliance"] < positions["transcript"]
    head = app.store.recorder.max_notification_id()
    # Two pages ahead, or at the end of the log if that comes first.
    assert positions["transcript"] == min(positions["compliance"] + 2 * PAGE, head)
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

    k = definition_pages(app)

    def on_page(p: Progress) -> None:
        reported.append(p.position)
        if len(reported) == k + 1:  # compliance's page k + 2 is in flight now
            winner.catch_up()

    assert loser.catch_up(progress=on_page) == (k + 1) * PAGE
    assert reported == [PAGE * (i + 1) for i in range(k + 1)]
    assert len(cancelled) == 1  # compliance's page 3, judged but never written
    head = app.store.recorder.max_notification_id()
    assert loser.runner.positions() == {"transcript": head, "compliance": head}
    caught_up = dump(loser)
    Views.of(app, workers=1).rebuild()
    assert dump(loser) == caught_up

"""Compliance judged in worker processes: the same tables as in one process, errors surface.

Workers are forked, so a function patched in this process before a catch-up is the one
they run: ``spy`` records which processes judged (``credtrail.core.compliance.judge``,
the one judging function), ``in_workers`` makes only the workers misbehave.
"""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pluggy
import pytest

from credtrail.core import compliance as judging
from credtrail.core.application import Credtrail, EarnRequest
from credtrail.core.domain import CreditState
from credtrail.core.errors import CredtrailError, PluginError, UnknownCreditTypeError
from credtrail.core.projections import Views
from credtrail.core.projections.db import COMPLIANCE
from credtrail.core.projections.parallel import (
    RemoteTraceback,
    WorkerDiedError,
    WorkerPool,
    default_workers,
)

from .history import REQUIREMENT, dump, latest_document
from .test_fault import populate


@pytest.fixture
def app(store_url: str, pm: pluggy.PluginManager) -> Any:
    """A store with 15 licensed clinicians, their credits, a claim and a revocation each,
    and a second version of their requirement."""
    app = Credtrail.open(store_url, pm, create=True)
    try:
        populate(app)
        doc = dict(latest_document(app, REQUIREMENT))
        doc["version"] = "test-2"
        doc["effective_from"] = "2023-06-01"
        app.record_requirement(doc)
        yield app
    finally:
        app.close()


def spy(monkeypatch: pytest.MonkeyPatch, log: Path) -> None:
    """Append the id of the process that judges each cycle to ``log``."""
    real = judging.judge

    def judge(*args: Any, **kwargs: Any) -> Any:
        with log.open("a") as f:
            f.write(f"{os.getpid()}\n")
        return real(*args, **kwargs)

    monkeypatch.setattr(judging, "judge", judge)


def judges(log: Path) -> set[int]:
    return {int(line) for line in log.read_text().split()} if log.exists() else set()


def in_workers(monkeypatch: pytest.MonkeyPatch, act: Callable[[], object]) -> None:
    """Reading a credit in a worker process does ``act()`` first (an error there is not
    a verdict, so it fails the page); this process reads as usual."""
    real = CreditState.from_json
    parent = os.getpid()

    def from_json(data: str | bytes) -> CreditState:
        if os.getpid() != parent:
            act()
        return real(data)

    monkeypatch.setattr(CreditState, "from_json", from_json)


def gone(pids: set[int]) -> bool:
    """None of these is still a child of this process, not even a zombie waiting to be
    reaped. (A pid alone is not enough: the kernel reuses pids, 32,768 of them here, so
    another process may carry a reaped worker's pid by the time it is checked.)"""
    return not any(_parent_of(pid) == os.getpid() for pid in pids)


def _parent_of(pid: int) -> int | None:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None  # no such process
    # "pid (command) state ppid ...": the command may hold spaces and parentheses.
    return int(stat.rsplit(")", 1)[1].split()[1])


def earn_one_each(app: Credtrail, clinicians: int = 15) -> None:
    """A new credit for every clinician, in the open cycle (re-judges its rows only)."""
    app.earn_many(
        [
            EarnRequest(
                clinician_id=f"k{c:02d}",
                credit_type="ama_pra_1",
                units=Decimal(2),
                completed_on=date(2026, 3, 1) + timedelta(days=c),
                provider="Provider",
                accreditor="ACCME",
                activity_id=f"late-{c}",
            )
            for c in range(clinicians)
        ]
    )


def test_workers_write_the_same_tables_as_one_process(
    app: Credtrail, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """A rebuild and an incremental catch-up judged in workers == the serial rebuild."""
    serial = Views.of(app, workers=1)
    serial.rebuild()
    expected = dump(serial)
    assert expected[COMPLIANCE]

    log = tmp_path / "judges"
    spy(monkeypatch, log)
    # Pages of 60 events dirty a few clinicians each: some pages go to the workers,
    # some stay here, and every page's rows land where the serial path puts them.
    parallel = Views.of(app, workers=2, page_size=60, parallel_threshold=3)
    parallel.rebuild()
    assert dump(parallel) == expected
    workers = judges(log) - {os.getpid()}
    assert len(workers) == 2
    assert gone(workers)

    # Incremental: one new credit per clinician re-judges only the open cycles.
    earn_one_each(app)
    log.unlink()
    Views.of(app, workers=2, parallel_threshold=3).catch_up()
    assert judges(log) - {os.getpid()}
    incremental = dump(parallel)
    serial.rebuild()
    assert incremental == dump(serial)


def test_a_page_of_few_clinicians_is_judged_here_without_starting_processes(
    app: Credtrail, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Below the threshold (and with one worker) nothing is forked."""
    log = tmp_path / "judges"
    spy(monkeypatch, log)

    def no_fork() -> int:
        raise AssertionError("a process was forked")

    monkeypatch.setattr(os, "fork", no_fork)
    Views.of(app, workers=2, parallel_threshold=16).catch_up()  # 15 clinicians
    assert judges(log) == {os.getpid()}
    Views.of(app, workers=1, parallel_threshold=1).rebuild()
    assert judges(log) == {os.getpid()}


@pytest.mark.parametrize(
    "error",
    [
        PluginError("rogue", "credtrail_rule_kinds", "crashed judging"),
        UnknownCreditTypeError("ama_pra_9", ["ama_pra_1"]),
        ValueError("not a number"),
    ],
    ids=["PluginError", "UnknownCreditTypeError", "ValueError"],
)
def test_an_error_in_a_worker_is_raised_here_and_the_page_writes_nothing(
    app: Credtrail, monkeypatch: pytest.MonkeyPatch, error: Exception
) -> None:
    """The same class, message and attributes; the compliance position stays put."""

    def fail() -> None:
        raise error

    in_workers(monkeypatch, fail)
    views = Views.of(app, workers=2, parallel_threshold=1)
    with pytest.raises(type(error)) as raised:
        views.catch_up()
    assert type(raised.value) is type(error)
    assert str(raised.value) == str(error)
    assert vars(raised.value) == vars(error)
    assert isinstance(raised.value.__cause__, RemoteTraceback)
    assert "in fail" in str(raised.value.__cause__)
    positions = views.runner.positions()
    assert positions["compliance"] == 0
    assert positions["transcript"] > 0  # the transcript view's page did commit
    assert dump(views)[COMPLIANCE] == []

    monkeypatch.undo()
    views.catch_up()
    caught_up = dump(views)
    views.rebuild()
    assert caught_up == dump(views)


def test_an_error_that_cannot_be_rebuilt_here_is_raised_as_a_runtime_error_naming_it(
    app: Credtrail, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A class that cannot be sent back (defined in a function) still surfaces, by name."""

    class LocalError(Exception):
        pass

    def fail() -> None:
        raise LocalError("only in the worker")

    in_workers(monkeypatch, fail)
    views = Views.of(app, workers=2, parallel_threshold=1)
    with pytest.raises(RuntimeError, match=r"LocalError: only in the worker$"):
        views.catch_up()
    assert views.runner.positions()["compliance"] == 0


def test_a_worker_that_dies_fails_the_page_and_no_process_is_left(
    app: Credtrail, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """A worker killed mid-page: an error here, nothing written, its siblings stopped."""
    in_workers(monkeypatch, lambda: os._exit(3))
    log = tmp_path / "judges"
    spy(monkeypatch, log)  # records the worker before it exits
    views = Views.of(app, workers=2, parallel_threshold=1)
    with pytest.raises(WorkerDiedError, match="exit code 3"):
        views.catch_up()
    assert views.runner.positions()["compliance"] == 0
    assert gone(judges(log) - {os.getpid()})


def test_an_interrupt_while_workers_judge_stops_them_and_writes_nothing(
    app: Credtrail, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Ctrl-C during a page: KeyboardInterrupt here, the workers terminated, no page."""
    once = tmp_path / "interrupted"

    def interrupt_then_hang() -> None:
        try:
            once.touch(exist_ok=False)
        except FileExistsError:
            pass
        else:
            os.kill(os.getppid(), signal.SIGINT)
        time.sleep(60)  # the parent must terminate it, not wait for it

    in_workers(monkeypatch, interrupt_then_hang)
    log = tmp_path / "judges"
    spy(monkeypatch, log)  # records the workers before they hang
    views = Views.of(app, workers=2, parallel_threshold=1)
    # Python's own handler, even if this run was started with SIGINT ignored.
    handler = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        with pytest.raises(KeyboardInterrupt):
            views.catch_up()
    finally:
        signal.signal(signal.SIGINT, handler)
    assert once.exists()
    assert views.runner.positions()["compliance"] == 0
    assert gone(judges(log) - {os.getpid()})


def test_the_pool_returns_results_in_input_order_and_can_be_reused() -> None:
    """Whichever worker finishes first, results come back in the order of the inputs."""
    with WorkerPool(10, workers=3) as pool:
        assert pool.map(_slow_add, range(12)) == [10 + i for i in range(12)]
        first = set(pool.pids())
        assert len(first) == 3
        assert pool.map(_slow_add, [5, 1]) == [15, 11]
        assert set(pool.pids()) == first  # started once, kept between maps
        assert pool.map(_slow_add, []) == []
    assert pool.pids() == []
    assert gone(first)
    with WorkerPool(10, workers=2) as idle:
        assert idle.map(_slow_add, iter([])) == []
        assert idle.pids() == []  # no work, no process


def _slow_add(context: int, item: int) -> int:
    time.sleep(0.001 * (12 - item))
    return context + item


def test_worker_count_comes_from_the_environment_else_the_cpus(
    monkeypatch: pytest.MonkeyPatch, sqlite_url: str, pm: pluggy.PluginManager
) -> None:
    """CREDTRAIL_WORKERS wins over the CPU count; nonsense is refused by name."""
    monkeypatch.setenv("CREDTRAIL_WORKERS", "3")
    assert default_workers() == 3
    monkeypatch.delenv("CREDTRAIL_WORKERS")
    assert 1 <= default_workers() <= 4
    app = Credtrail.open(sqlite_url, pm, create=True)
    try:
        assert Views.of(app, workers=5).workers == 5
        for bad in ("0", "two", "-1"):
            monkeypatch.setenv("CREDTRAIL_WORKERS", bad)
            with pytest.raises(CredtrailError, match=f"CREDTRAIL_WORKERS .* not '{bad}'"):
                Views.of(app)
        with pytest.raises(CredtrailError, match="workers must be at least 1, not 0"):
            Views.of(app, workers=0)
    finally:
        app.close()

"""Worker processes for the CPU-bound part of a view page (the compliance view's engine).

The standard library's ``concurrent.futures.ProcessPoolExecutor`` with the ``fork``
start method: the workers inherit what they need (the plugin registry, the pool's
*context*, handed over as the initializer's argument, which ``fork`` passes without
pickling); they are given compact inputs (strings and tuples read by the parent) and
return plain tuples. A worker never touches the database: the parent reads every row
before the work is sent and writes every result.

What this module adds to the executor:

- results in the order of the inputs (``Batch.result``), whichever worker finished first;
- an exception in a worker is raised again in the parent as the same class with the
  same message and attributes (credtrail's errors build their message in ``__init__``
  from other arguments, so they are rebuilt from their ``args``, not re-constructed),
  the worker's traceback chained as ``__cause__``; a class that cannot be rebuilt
  comes back as a ``RuntimeError`` naming it;
- a worker that dies raises ``WorkerDiedError``;
- Ctrl-C goes to the parent only (workers ignore SIGINT); closing with ``abort``
  terminates the workers at once, so nothing is left running or unreaped.

``multiprocessing`` and ``concurrent.futures`` are imported when a pool starts, not
with this module: most commands never judge in workers. Where ``fork`` is not
available ``fork_available()`` is false and callers stay serial.

The number of workers: ``workers=`` given by the caller, else the ``CREDTRAIL_WORKERS``
environment variable, else ``min(CPUs available, 4)``. One worker means serial: no
process is started.
"""

from __future__ import annotations

import os
import pickle
import signal
import traceback
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from credtrail.core.errors import CredtrailError

if TYPE_CHECKING:
    from concurrent.futures import Future, ProcessPoolExecutor
    from multiprocessing.process import BaseProcess

C = TypeVar("C")
T = TypeVar("T")
R = TypeVar("R")

WORKERS_ENV = "CREDTRAIL_WORKERS"
MAX_DEFAULT_WORKERS = 4
"""The default never starts more than this many workers, however many CPUs there are."""

_JOIN_SECONDS = 10.0


class WorkerDiedError(CredtrailError):
    """A worker process ended without answering (killed, or crashed in C code)."""


class RemoteTraceback(Exception):
    """The traceback of an exception raised in a worker (chained as ``__cause__``)."""

    def __str__(self) -> str:
        return f"\n\nIn the worker process:\n{self.args[0]}"


def fork_available() -> bool:
    import multiprocessing

    return "fork" in multiprocessing.get_all_start_methods()


def default_workers() -> int:
    """``CREDTRAIL_WORKERS`` if set, else ``min(CPUs this process may use, 4)``."""
    raw = os.environ.get(WORKERS_ENV, "").strip()
    if raw:
        try:
            n = int(raw)
        except ValueError:
            n = 0
        if n < 1:
            raise CredtrailError(f"{WORKERS_ENV} must be a whole number >= 1, not {raw!r}")
        return n
    try:
        cpus = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        cpus = os.cpu_count() or 1
    return max(1, min(cpus, MAX_DEFAULT_WORKERS))


def resolve_workers(workers: int | None) -> int:
    """The number of workers to use: ``workers`` if given, else ``default_workers()``."""
    if workers is None:
        return default_workers()
    if workers < 1:
        raise CredtrailError(f"workers must be at least 1, not {workers}")
    return workers


class WorkerPool(Generic[C]):
    """Forked worker processes running ``fn(context, item)`` (a ``ProcessPoolExecutor``)."""

    def __init__(self, context: C, workers: int) -> None:
        if workers < 1:
            raise CredtrailError(f"workers must be at least 1, not {workers}")
        self.context = context
        self.workers = workers
        self._executor: ProcessPoolExecutor | None = None
        self._processes: list[BaseProcess] = []

    def processes(self) -> list[BaseProcess]:
        """The worker processes (empty before the first job and after ``close``)."""
        return list(self._processes)

    def pids(self) -> list[int]:
        """The workers' process ids (empty before the first job and after ``close``)."""
        return [p.pid for p in self._processes if p.pid is not None]

    def submit(self, fn: Callable[[C, T], R], items: Iterable[T]) -> Batch[R]:
        """Start ``fn(context, item)`` for every item and return without waiting.

        ``fn`` must be a module-level function. ``items`` is consumed here, each item
        sent as soon as it is read, so a generator reading rows overlaps with the work.
        """
        from concurrent.futures.process import BrokenProcessPool

        batch: Batch[R] = Batch(self)
        try:
            for item in items:
                batch.futures.append(self._start().submit(_run, fn, item))
        except BrokenProcessPool:
            # A worker died while the items were being sent.
            notice = batch.death_notice()
            self.close(abort=True)
            raise WorkerDiedError(notice) from None
        except BaseException:
            self.close(abort=True)
            raise
        return batch

    def map(self, fn: Callable[[C, T], R], items: Iterable[T]) -> list[R]:
        """``[fn(context, item) for item in items]``, computed by the workers."""
        return self.submit(fn, items).result()

    def _start(self) -> ProcessPoolExecutor:
        if self._executor is not None:
            return self._executor
        import gc
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        before = set(multiprocessing.active_children())
        executor = ProcessPoolExecutor(
            max_workers=self.workers,
            mp_context=multiprocessing.get_context("fork"),
            initializer=_initialize,
            initargs=(self.context,),
        )
        # Block SIGINT while forking (a child would otherwise take a Ctrl-C before it
        # ignores SIGINT), and freeze the heap so the children's collector neither
        # copies every page nor runs finalizers of the parent's garbage (which may
        # hold the parent's database connections). With "fork" the executor starts
        # every worker at its first submit, so the workers are forked right here.
        blocked = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
        gc.freeze()
        try:
            executor.submit(int).result()
        finally:
            gc.unfreeze()
            signal.pthread_sigmask(signal.SIG_SETMASK, blocked)
        self._executor = executor
        self._processes = [p for p in multiprocessing.active_children() if p not in before]
        return executor

    def close(self, *, abort: bool = False) -> None:
        """Stop the workers and wait for them (no process is left running or unreaped).

        ``abort``: terminate them now (after an interrupt or a failure) instead of
        letting them finish the job in hand.
        """
        executor, processes = self._executor, self._processes
        self._executor, self._processes = None, []
        if executor is None:
            return
        if abort:
            for process in processes:
                process.terminate()
            for process in processes:
                process.join(_JOIN_SECONDS)
                if process.exitcode is None:
                    process.kill()
                    process.join()
        executor.shutdown(wait=True, cancel_futures=True)
        for process in processes:
            process.join(_JOIN_SECONDS)

    def __enter__(self) -> WorkerPool[C]:
        return self

    def __exit__(self, kind: object, value: object, tb: object) -> None:
        self.close(abort=value is not None)


class Batch(Generic[R]):
    """The jobs of one ``WorkerPool.submit``: their results, once all are in."""

    def __init__(self, pool: WorkerPool[Any]) -> None:
        self.pool = pool
        self.futures: list[Future[tuple[bool, Any]]] = []

    def cancel(self) -> None:
        """Forget the batch: jobs not started are dropped, answers still out ignored."""
        for future in self.futures:
            future.cancel()
        self.futures = []

    def result(self) -> list[R]:
        """Wait for every answer; the results in the order of the items.

        The first failed item's exception (in item order) is raised.
        """
        from concurrent.futures.process import BrokenProcessPool

        out: list[R] = []
        for future in self.futures:
            try:
                ok, value = future.result()
            except BrokenProcessPool:
                raise WorkerDiedError(self.death_notice()) from None
            if not ok:
                kind, args, attributes, text = value
                raise _rebuild(kind, args, attributes) from RemoteTraceback(text)
            out.append(value)
        return out

    def death_notice(self) -> str:
        """What to tell the user when the pool broke: which worker died, how."""
        codes = []
        for process in self.pool.processes():
            process.join(_JOIN_SECONDS)  # the pool is broken: it has exited or is exiting
            # The executor terminates the survivors of a broken pool (SIGTERM): the
            # worker that died is the one with another exit code.
            if process.exitcode and process.exitcode != -signal.SIGTERM:
                codes.append(str(process.exitcode))
        code = f" (exit code {', '.join(codes)})" if codes else ""
        return f"a worker process ended without answering{code}"


# ------------------------------------------------------------------- in the worker

_CONTEXT: Any = None


def _initialize(context: object) -> None:
    """Each worker: keep the context; leave Ctrl-C to the parent, which stops us."""
    global _CONTEXT
    _CONTEXT = context
    # The parent's SIGTERM handler (a test harness's, an application's) is inherited
    # by fork: a terminated worker must die, not run it.
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})


def _run(fn: Callable[[Any, Any], Any], item: Any) -> tuple[bool, Any]:
    try:
        return True, fn(_CONTEXT, item)
    except Exception as exc:
        return False, _describe(exc)


def _describe(
    exc: BaseException,
) -> tuple[type[BaseException], tuple[Any, ...], dict[str, Any], str]:
    """What the parent needs to raise ``exc`` again (class, args, attributes, traceback)."""
    text = "".join(traceback.format_exception(exc))
    state = (type(exc), exc.args, dict(vars(exc)))
    try:
        # Rebuilt exactly as the parent will, so a failure shows here, not there.
        rebuilt = _rebuild(*pickle.loads(pickle.dumps(state)))
        if type(rebuilt) is type(exc) and str(rebuilt) == str(exc):
            return (*state, text)
    except Exception:  # not rebuildable: sent as a RuntimeError naming the class
        pass
    return RuntimeError, (f"{type(exc).__module__}.{type(exc).__qualname__}: {exc}",), {}, text


def _rebuild(
    kind: type[BaseException], args: tuple[Any, ...], attributes: dict[str, Any]
) -> BaseException:
    # Not kind(*args): credtrail's errors build their message in __init__ from other
    # arguments (PluginError(plugin, hook, problem)); args already hold the message.
    exc = kind.__new__(kind, *args)
    exc.args = args
    vars(exc).update(attributes)
    return exc

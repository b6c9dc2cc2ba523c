"""Worker processes for the CPU-bound part of a view page (the compliance view's engine).

A ``WorkerPool`` forks its workers the first time it is given work and keeps them
until ``close()``; the runner closes it when a catch-up (or rebuild) ends, however it
ends. Workers are forked, so they inherit what they need (the plugin registry, passed
as the pool's *context*) without pickling it; they are given compact inputs (strings
and tuples read by the parent) and return plain tuples. A worker never touches the
database: the parent reads every row before the work is sent and writes every result.

Results come back in the order of the inputs, whichever worker finished first, so a
page judged in workers writes exactly what the serial path writes. An exception in a
worker is raised again in the parent as the same class with the same message and
attributes (its traceback in the worker is chained as ``__cause__``). Where ``fork``
is not available (Windows, macOS builds without it) ``fork_available()`` is false and
callers stay serial.

The number of workers: ``workers=`` given by the caller, else the ``CREDTRAIL_WORKERS``
environment variable, else ``min(CPUs available, 4)``. One worker means serial: no
process is started.
"""

from __future__ import annotations

import contextlib
import gc
import os
import pickle
import signal
import traceback
from collections import deque
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from credtrail.core.errors import CredtrailError

if TYPE_CHECKING:
    # multiprocessing is imported when a pool starts, not by every command.
    from multiprocessing.connection import Connection
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
    """Forked worker processes running ``fn(context, item)``; one job at a time each."""

    def __init__(self, context: C, workers: int) -> None:
        if workers < 1:
            raise CredtrailError(f"workers must be at least 1, not {workers}")
        self.context = context
        self.workers = workers
        self._processes: list[BaseProcess] = []
        self._conns: list[Connection] = []
        self._idle: list[Connection] = []
        self._busy: dict[Connection, tuple[Batch[Any], int]] = {}
        self._queue: deque[tuple[Batch[Any], int, Callable[[C, Any], Any], Any]] = deque()

    def pids(self) -> list[int]:
        """The workers' process ids (empty before the first job and after ``close``)."""
        return [p.pid for p in self._processes if p.pid is not None]

    def map(self, fn: Callable[[C, T], R], items: Iterable[T]) -> list[R]:
        """``[fn(context, item) for item in items]``, computed by the workers.

        ``fn`` must be a module-level function. ``submit(fn, items).result()``: each
        item is sent as soon as it is read and a worker is idle, so a generator
        reading rows overlaps with the work. If an item fails, no further item is
        sent; the first failed item's exception is raised once its batch's jobs have
        answered. Anything else that interrupts (a KeyboardInterrupt, an error reading
        the items) stops the workers at once.
        """
        return self.submit(fn, items).result()

    def submit(self, fn: Callable[[C, T], R], items: Iterable[T]) -> Batch[R]:
        """Start ``fn(context, item)`` for every item and return without waiting.

        ``items`` is consumed here, before this returns; each item goes to an idle
        worker as soon as it is read, the rest wait in this process and are sent by
        ``pump()`` (and by ``Batch.result()``) as workers answer. Call ``pump()``
        between steps of other work to keep the workers busy.
        """
        batch: Batch[R] = Batch(self)
        try:
            for index, item in enumerate(items):
                self._start()
                self._queue.append((batch, index, fn, item))
                batch._outstanding += 1
                batch._size += 1
                self.pump()
        except BaseException:
            self.close(abort=True)
            raise
        return batch

    def pump(self, *, block: bool = False) -> None:
        """Collect the answers that are in and send queued jobs to idle workers.

        Without ``block`` it never waits; with it, it waits for at least one answer
        (if any job is out). A worker that died raises ``WorkerDiedError``; then, and
        on any other exception (a KeyboardInterrupt), the workers are stopped at once.
        """
        from multiprocessing.connection import Connection, wait

        try:
            self._send()
            if not self._busy:
                return
            for ready in wait(list(self._busy), timeout=None if block else 0):
                assert isinstance(ready, Connection)
                batch, index = self._busy.pop(ready)
                try:
                    ok, value = ready.recv()
                except (EOFError, OSError):
                    raise WorkerDiedError(self._death_notice(ready)) from None
                self._idle.append(ready)
                batch._answer(index, ok, value)
            self._send()
        except BaseException:
            self.close(abort=True)
            raise

    def _send(self) -> None:
        # One job per worker: a worker is always reading when it is sent a job, so
        # neither side can block writing to a full pipe.
        while self._idle and self._queue:
            batch, index, fn, item = self._queue.popleft()
            if batch._dropped:
                batch._outstanding -= 1  # a failed or cancelled batch sends nothing more
                continue
            conn = self._idle.pop()
            conn.send((fn, item))
            self._busy[conn] = (batch, index)

    def _death_notice(self, conn: Connection) -> str:
        process = self._processes[self._conns.index(conn)]
        process.join(_JOIN_SECONDS)  # its pipe closed: it has exited or is exiting
        code = "" if process.exitcode is None else f" (exit code {process.exitcode})"
        return f"a worker process ended without answering{code}"

    def _start(self) -> None:
        if self._processes:
            return
        import multiprocessing

        ctx = multiprocessing.get_context("fork")
        # Block SIGINT while forking (a child would otherwise take a Ctrl-C before it
        # ignores SIGINT), and freeze the heap so the children's collector neither
        # copies every page nor runs finalizers of the parent's garbage (which may
        # hold the parent's database connections).
        blocked = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
        gc.freeze()
        try:
            for _ in range(self.workers):
                mine, theirs = ctx.Pipe(duplex=True)
                process = ctx.Process(
                    target=_serve,
                    args=(theirs, [mine, *self._conns], self.context),
                    name="credtrail-worker",
                    daemon=True,  # ended by multiprocessing's exit handler if never closed
                )
                process.start()
                theirs.close()
                self._processes.append(process)
                self._conns.append(mine)
            self._idle = list(reversed(self._conns))
        except BaseException:
            self.close(abort=True)
            raise
        finally:
            gc.unfreeze()
            signal.pthread_sigmask(signal.SIG_SETMASK, blocked)

    def close(self, *, abort: bool = False) -> None:
        """Stop the workers and wait for them (no process is left running or unreaped).

        ``abort``: terminate them now (after an interrupt or a failure) instead of
        letting them finish the job in hand.
        """
        processes, conns = self._processes, self._conns
        self._processes, self._conns = [], []
        # Batches still waiting can never complete: their result() raises.
        for batch, _ in self._busy.values():
            batch._lost = True
        for batch, _, _, _ in self._queue:
            batch._lost = True
        self._idle, self._busy, self._queue = [], {}, deque()
        for conn in conns:
            if not abort:
                with contextlib.suppress(OSError):  # a worker that died already
                    conn.send(None)
            conn.close()  # a worker reading its pipe then sees EOF and exits
        for process in processes:
            if abort:
                process.terminate()
            process.join(_JOIN_SECONDS)
            if process.exitcode is None:
                process.kill()
                process.join()
            process.close()

    def __enter__(self) -> WorkerPool[C]:
        return self

    def __exit__(self, kind: object, value: object, tb: object) -> None:
        self.close(abort=value is not None)


class Batch(Generic[R]):
    """The jobs of one ``WorkerPool.submit``: their results, once all are in."""

    def __init__(self, pool: WorkerPool[Any]) -> None:
        self._pool = pool
        self._size = 0
        self._outstanding = 0
        """Jobs queued or out with a worker."""
        self._results: dict[int, R] = {}
        self._failures: dict[int, _WorkerFailed] = {}
        self._cancelled = False
        self._lost = False
        """The pool was closed before every answer came in."""

    @property
    def _dropped(self) -> bool:
        return self._cancelled or bool(self._failures)

    @property
    def done(self) -> bool:
        """Every job has answered (or, after a failure, every job that was sent)."""
        return self._outstanding == 0

    def pump(self) -> None:
        """``WorkerPool.pump()`` of the pool this batch runs in (never waits)."""
        self._pool.pump()

    def _answer(self, index: int, ok: bool, value: Any) -> None:
        self._outstanding -= 1
        if self._cancelled:
            return
        if ok:
            self._results[index] = value
        else:
            self._failures[index] = _WorkerFailed(*value)

    def cancel(self) -> None:
        """Forget the batch: nothing more is sent for it, answers still out are dropped."""
        self._cancelled = True

    def result(self) -> list[R]:
        """Wait for every answer; the results in the order of the items.

        If an item failed, no further item was sent; the first failed item's exception
        is raised (as ``map`` raises it) once the batch's jobs have all answered.
        """
        if self._cancelled:
            raise CredtrailError("the batch was cancelled")
        while not self.done:
            if self._lost:
                raise CredtrailError("the worker pool was closed before the batch was done")
            self._pool.pump(block=True)
        if self._failures:
            failed = self._failures[min(self._failures)]
            raise failed.rebuilt() from RemoteTraceback(failed.text)
        return [self._results[i] for i in range(self._size)]


# ------------------------------------------------------------------- in the worker


def _serve(conn: Connection, inherited: list[Connection], context: object) -> None:
    """A worker's loop: run jobs until told to stop or the parent goes away."""
    # Ctrl-C goes to the whole process group: the parent handles it and stops us.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})
    for other in inherited:
        # The parent's ends of every pipe so far: holding them would keep a sibling
        # from seeing EOF if the parent died.
        other.close()
    while True:
        try:
            job = conn.recv()
        except (EOFError, OSError):
            return
        if job is None:
            return
        fn, item = job
        try:
            reply: tuple[bool, Any] = (True, fn(context, item))
        except Exception as exc:
            reply = (False, _describe(exc))
        try:
            conn.send(reply)
        except (EOFError, OSError):
            return
        except Exception as exc:  # an unpicklable result
            conn.send((False, _describe(exc)))


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


class _WorkerFailed(Exception):
    """A worker's description of an exception, until the parent raises it again."""

    def __init__(
        self,
        kind: type[BaseException],
        args: tuple[Any, ...],
        attributes: dict[str, Any],
        text: str,
    ) -> None:
        super().__init__(kind, args, attributes, text)
        self.kind, self.exc_args, self.attributes, self.text = kind, args, attributes, text

    def rebuilt(self) -> BaseException:
        return _rebuild(self.kind, self.exc_args, self.attributes)

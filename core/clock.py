"""Where credtrail reads the time: real UTC time, unless a test or a tool sets it.

Every event's ``timestamp`` (its transaction time, ``recorded_at`` in the log) comes
from :func:`now`. Audit tests need events recorded at chosen instants, so
:func:`frozen_at` and :func:`use_clock` replace the clock for the current context
only (a ``ContextVar``: other threads and tasks keep real time).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime

Clock = Callable[[], datetime]

_clock: ContextVar[Clock | None] = ContextVar("credtrail_clock", default=None)


def now() -> datetime:
    """The current instant, timezone-aware, in UTC."""
    clock = _clock.get()
    instant = datetime.now(tz=UTC) if clock is None else clock()
    if instant.tzinfo is None:
        raise ValueError(f"the clock returned a naive datetime ({instant}); give it a timezone")
    return instant.astimezone(UTC)


@contextmanager
def use_clock(clock: Clock) -> Iterator[None]:
    """Read the time from ``clock`` inside the block (then restore the previous clock)."""
    token = _clock.set(clock)
    try:
        yield
    finally:
        _clock.reset(token)


@contextmanager
def frozen_at(instant: datetime) -> Iterator[None]:
    """Every event created inside the block is recorded at ``instant``."""
    if instant.tzinfo is None:
        raise ValueError(f"frozen_at needs a timezone-aware instant, got {instant}")
    with use_clock(lambda: instant):
        yield

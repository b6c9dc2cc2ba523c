"""Retry what is safe: a command refused by optimistic concurrency, when it is idempotent.

Two writers that load the same ledger and save a new version of it race; the loser's
transaction is refused as a whole (``StoreChangedError``: nothing was written). For a
command that re-reads the store and re-validates before it writes — and means the same
thing when run again (an earned credit keyed by its natural key, a claim, an import) —
running it again is what the user would do by hand. :func:`retry_on_conflict` does it,
a bounded number of times, after a random pause that grows with each attempt ("full
jitter"), so writers that collided do not collide again in step.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from functools import wraps
from typing import ParamSpec, TypeVar

from credtrail.core.errors import StoreChangedError

ATTEMPTS = 10
BASE_DELAY = 0.01
MAX_DELAY = 0.5

_P = ParamSpec("_P")
_R = TypeVar("_R")


def retry_on_conflict(
    func: Callable[_P, _R],
    *,
    attempts: int = ATTEMPTS,
    sleep: Callable[[float], None] = time.sleep,
) -> Callable[_P, _R]:
    """Run ``func`` again (up to ``attempts`` times in all) when it raises ``StoreChangedError``.

    Apply it only to commands that reload and re-validate on each run; the last
    refusal is raised as it was.
    """

    @wraps(func)
    def wrapper(*args: _P.args, **kwargs: _P.kwargs) -> _R:
        for attempt in range(attempts - 1):
            try:
                return func(*args, **kwargs)
            except StoreChangedError:
                sleep(random.uniform(0, min(MAX_DELAY, BASE_DELAY * 2**attempt)))
        return func(*args, **kwargs)

    return wrapper

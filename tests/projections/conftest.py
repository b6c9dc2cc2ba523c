"""Fresh stores on demand, for tests that need several per run (Hypothesis examples)."""

from __future__ import annotations

import contextlib
import itertools
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from pathlib import Path

import pytest

StoreFactory = Callable[[], AbstractContextManager[str]]


@pytest.fixture
def new_store(store_backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> StoreFactory:
    """A factory of fresh, empty store locations on this run's backend."""
    counter = itertools.count()
    if store_backend == "postgres":
        server = request.getfixturevalue("postgres")
        return server.fresh_database  # type: ignore[no-any-return]

    @contextlib.contextmanager
    def sqlite() -> Iterator[str]:
        yield str(tmp_path / f"store-{next(counter)}.db")

    return sqlite

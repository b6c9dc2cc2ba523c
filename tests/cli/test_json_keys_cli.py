"""The same key names across commands: ``clinician_id``, ``requirement_id``, ``license_id``
in ``status``, ``explain`` and ``audit replay`` JSON, never ``requirement`` and kin."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from click.testing import Result

Run = Callable[..., Result]
OTHER_SPELLINGS = {"requirement", "clinician", "license"}


@pytest.fixture
def run(run: Run) -> Run:
    """A store with one Texas physician, a licence and a credit."""
    invoke = run
    assert invoke("clinician", "add", "md-1", "--profession", "physician").exit_code == 0
    assert (
        invoke(
            "license", "add", "md-1", "--requirement", "us-tx-physician", "--issued",
            "2020-04-01", "--expires", "2026-03-31",
        ).exit_code
        == 0
    )  # fmt: skip
    earned = invoke(
        "credit", "earn", "md-1", "--type", "ama_pra_1", "--units", "8", "--date",
        "2025-01-10", "--provider", "Mercy CME", "--accreditor", "ACCME", "--activity", "A1",
    )  # fmt: skip
    assert earned.exit_code == 0, earned.output
    return invoke


def keys(data: Any) -> Iterator[str]:
    """Every key of every object in ``data``, at any depth."""
    if isinstance(data, dict):
        for key, value in data.items():
            yield key
            yield from keys(value)
    elif isinstance(data, list):
        for value in data:
            yield from keys(value)


@pytest.mark.parametrize(
    "args",
    [
        ("status", "md-1", "--on", "2025-12-01"),
        ("explain", "md-1", "us-tx-physician", "--on", "2025-12-01"),
        ("audit", "replay", "--as-of", "NOW", "--on", "2025-12-01"),
        (
            "audit",
            "replay",
            "--as-of",
            "NOW",
            "--on",
            "2025-12-01",
            "--requirement",
            "us-tx-physician",
        ),
    ],
    ids=["status", "explain", "audit-replay", "audit-replay-requirement"],
)
def test_json_keys_are_the_shared_spelling(run: Run, args: tuple[str, ...]) -> None:
    """No ``requirement``/``clinician``/``license`` key: ``*_id`` as every command says."""
    now = datetime.now(UTC).isoformat()
    result = run(*[now if a == "NOW" else a for a in args], "--json")
    assert result.exit_code == 0, result.output
    found = set(keys(json.loads(result.output)))
    assert "requirement_id" in found
    assert not found & OTHER_SPELLINGS

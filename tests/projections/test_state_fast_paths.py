"""Properties: a view's credit row reads back as the state it was written from
(``CreditState.from_json``: pydantic's JSON validation), a state rebuilt with
``trusted()`` is the validated one, and pages applied with the cyclic garbage
collector paused are the plain path's pages."""

from __future__ import annotations

import contextlib
import gc
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from uuid import uuid4

import pluggy
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from credtrail.core.application import Credtrail
from credtrail.core.domain import Amendment, Certificate, CreditState
from credtrail.core.models import trusted
from credtrail.core.projections import Views
from credtrail.core.projections import runner as runner_module

from .history import dump, ops, record

text = st.text(max_size=12)
codes = st.text("abcdefghij-_", min_size=1, max_size=8)
units = st.decimals(min_value=0, max_value=100_000, places=4, allow_nan=False)
days = st.dates(date(1990, 1, 1), date(2040, 12, 31))
instants = st.datetimes(datetime(2000, 1, 1), datetime(2040, 1, 1), timezones=st.just(UTC))
json_leaf = st.one_of(st.none(), st.booleans(), st.integers(-(2**40), 2**40), text)
evidence = st.one_of(
    st.none(), st.dictionaries(codes, st.one_of(json_leaf, st.lists(json_leaf, max_size=3)))
)
amendments = st.builds(
    Amendment, at=instants, by=text, reason=text, fields=st.lists(codes, max_size=3).map(tuple)
)
certificates = st.builds(
    Certificate,
    sha256=st.text("0123456789abcdef", min_size=64, max_size=64),
    media_type=codes,
    filename=text,
    size=st.integers(0, 10**9),
    attached_at=instants,
)
credit_values = st.fixed_dictionaries(
    {
        "credit_id": codes,
        "credit_type": codes,
        "units": units,
        "completed_on": days,
        "provider": text,
        "accreditor": st.one_of(st.none(), codes),
        "activity_id": text,
        "title": st.one_of(st.none(), text),
        "topics": st.lists(codes, max_size=3).map(tuple),
        "format": st.one_of(st.none(), codes),
        "designated_units": st.one_of(st.none(), units),
        "evidence": evidence,
        "natural_key": text,
        "recorded_at": instants,
        "revoked": st.booleans(),
        "revoked_reason": st.one_of(st.none(), text),
        "revoked_on": st.one_of(st.none(), days),
        "claims": st.dictionaries(codes, units, max_size=3),
        "claim_dates": st.dictionaries(codes, days, max_size=3),
        "claim_log": st.lists(st.tuples(codes, units, days), max_size=4),
        "topic_units": st.dictionaries(codes, units, max_size=3),
        "amendments": st.lists(amendments, max_size=2),
        "certificates": st.lists(certificates, max_size=2),
    }
)


def _same(fast: Any, slow: Any) -> None:
    assert fast == slow
    assert type(fast) is type(slow)
    assert fast.model_dump() == slow.model_dump()
    assert fast.model_dump_json() == slow.model_dump_json()
    assert fast.model_fields_set == slow.model_fields_set


@settings(max_examples=150, deadline=None)
@given(values=credit_values)
def test_credit_row_reads_back_as_the_state_it_was_written_from(values: dict[str, Any]) -> None:
    """CreditState.from_json(state.to_json()) is the state, whatever it holds."""
    state = CreditState.model_validate(values)
    back = CreditState.from_json(state.to_json())
    _same(back, state)
    assert back.to_json() == state.to_json()
    assert CreditState.from_json(state.to_json().decode()) == state


@settings(max_examples=150, deadline=None)
@given(values=credit_values)
def test_trusted_state_is_the_validated_state(values: dict[str, Any]) -> None:
    """trusted(CreditState, values) equals CreditState.model_validate(values), whatever it holds."""
    slow = CreditState.model_validate(values)
    fast = trusted(CreditState, {name: getattr(slow, name) for name in CreditState.model_fields})
    _same(fast, slow)
    assert fast.to_json() == slow.to_json()


@settings(
    max_examples=10,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(history=st.lists(ops, min_size=1, max_size=30), page=st.integers(1, 9))
def test_pages_applied_with_the_collector_paused_are_the_plain_ones(
    tmp_path: Path,
    pm: pluggy.PluginManager,
    history: list[tuple[object, ...]],
    page: int,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Both views rebuilt with the collector paused per page equal the plain rebuild, and
    the collector is on again afterwards."""
    app = Credtrail.open(str(tmp_path / f"{uuid4().hex}.db"), pm, create=True)
    try:
        app.sync_builtin_requirements()
        counter = [0]
        for op in [("add", 0), ("license", 0, date(2021, 3, 1)), *history]:
            if op[0] != "catch-up":
                record(app, op, counter)
        views = Views.of(app, page_size=page, workers=1)
        views.rebuild()
        assert gc.isenabled()
        paused = dump(views)
        with monkeypatch.context() as patch:
            patch.setattr(runner_module, "collector_paused", contextlib.nullcontext)
            views.rebuild()
            plain = dump(views)
        assert paused == plain
    finally:
        app.close()


def test_collector_is_on_again_after_a_failed_page() -> None:
    """An error while the collector is paused leaves it as it was (on; or off if off)."""
    seen = []

    def failing_page() -> None:
        with runner_module.collector_paused():
            seen.append(gc.isenabled())
            raise RuntimeError("page failed")

    with pytest.raises(RuntimeError):
        failing_page()
    assert seen == [False]
    assert gc.isenabled()
    gc.disable()
    try:
        with runner_module.collector_paused():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()

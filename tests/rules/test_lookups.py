"""``tidy``'s output form, and the equivalence ratios an evaluation remembers (by value)
are the registry's own answers."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from credtrail.core.rules.eligibility import Scope, matches, tidy
from credtrail.core.rules.kinds import CycleWindow
from credtrail.core.rules.model import Selector, load_requirement

from .support import credit, document, make_registry

PROPERTY = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
REGISTRY = make_registry()
DAY = date(2024, 1, 1)

numbers = st.builds(
    lambda coefficient, exponent, sign: Decimal(
        (sign, tuple(int(d) for d in coefficient), exponent)
    ),
    st.from_regex(r"[0-9]{1,8}", fullmatch=True),
    st.integers(-6, 3),
    st.integers(0, 1),
)


def test_tidy_keeps_the_sign_of_zero_and_drops_trailing_zeros() -> None:
    assert tidy(Decimal("0.000")).as_tuple() == Decimal("0").as_tuple()
    assert tidy(Decimal("-0.000")).as_tuple() == Decimal("-0").as_tuple()
    assert str(tidy(Decimal("48.0000"))) == "48"
    assert str(tidy(Decimal("4.8E+1"))) == "48"
    assert str(tidy(Decimal("1.5000"))) == "1.5"


types = st.sampled_from(["ama_pra_1", "ama_pra_2", "aoa_1a", "aapa_1"])
topics = st.sampled_from(["ethics", "pain", "dv"])
selectors = st.builds(
    Selector,
    types=st.lists(types, max_size=2).map(tuple),
    topics=st.lists(topics, max_size=2).map(tuple),
    exclude_topics=st.lists(topics, max_size=1).map(tuple),
    formats=st.lists(st.sampled_from(["live", "enduring"]), max_size=1).map(tuple),
    exclude_formats=st.lists(st.sampled_from(["live", "enduring"]), max_size=1).map(tuple),
    accreditors=st.lists(st.sampled_from(["ACCME", "AOA"]), max_size=1).map(tuple),
)
credits = st.builds(
    lambda t, tp, fmt, acc: credit(1, DAY, t, topics=tuple(tp), fmt=fmt, accreditor=acc),
    types,
    st.lists(topics, max_size=2, unique=True),
    st.sampled_from([None, "live", "enduring"]),
    st.sampled_from([None, "ACCME", "AOA"]),
)


def scope(authority: str, memo: dict[Any, Any] | None = None) -> Scope:
    version = load_requirement(document(authority=authority, total={"units": 1}))
    return Scope(
        version,
        CycleWindow(DAY, DAY, 1),
        DAY,
        "earned",
        None,
        REGISTRY,
        {} if memo is None else memo,
    )


@PROPERTY
@given(
    st.lists(selectors, min_size=1, max_size=4),
    st.lists(credits, min_size=1, max_size=4),
    st.lists(
        st.tuples(st.integers(0, 3), st.integers(0, 3), st.sampled_from(["TX-TMB", "CA-MBC"])),
        max_size=30,
    ),
)
@example(  # AOA 1-A counts as AMA PRA Category 1 in Texas only
    [Selector(types=("ama_pra_1",))],
    [credit(1, DAY, "aoa_1a")],
    [(0, 0, "TX-TMB"), (0, 0, "CA-MBC"), (0, 0, "TX-TMB")],
)
def test_a_shared_memo_answers_as_the_registry(
    pool: list[Selector], held: list[Any], cases: list[tuple[int, int, str]]
) -> None:
    """Equivalence ratios asked again through one memo, under two authorities (they differ
    by authority): each answer, and each match, is the one a fresh scope works out."""
    memo: dict[Any, Any] = {}
    shared = {a: scope(a, memo) for a in ("TX-TMB", "CA-MBC")}
    for i, j, authority in cases:
        selector, c = pool[i % len(pool)], held[j % len(held)]
        assert matches(selector, c, shared[authority]) == matches(selector, c, scope(authority))
        assert shared[authority].counts_as(c.credit_type, "ama_pra_1") == REGISTRY.counts_as(
            c.credit_type, "ama_pra_1", authority
        )

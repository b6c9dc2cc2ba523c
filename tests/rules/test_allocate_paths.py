"""The allocator's shortcuts give exactly what the solver gives, allocation for allocation.

``allocate(..., shortcut=False)`` always runs the phased integer program; with the
shortcut on, problems where every credit can count in full toward every target it fits
are answered without it. The explanations show the allocation, so the two must agree
on every (credit, target) entry, not only on the shortfall.
"""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from credtrail.core.rules.allocate import Allocation, CapSpec, Item, Target, allocate

PROPERTY = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
NAMES = ("total", "a", "b", "c", "d")


@st.composite
def targets(draw: Any) -> list[Target]:
    out = []
    for name in NAMES:
        if name != "total" and not draw(st.booleans()):
            continue
        exclusive = name != "total" and draw(st.integers(0, 3)) == 0
        out.append(
            Target(
                name,
                draw(st.integers(0, 40)),
                due=draw(st.integers(0, 4)) > 0,
                exclusive=exclusive,
                group=None if exclusive or name == "total" else draw(st.sampled_from([None, "g"])),
            )
        )
    return out


@st.composite
def items(draw: Any) -> list[Item]:
    n = draw(st.integers(0, 7))
    return [
        Item(
            f"k{i}",
            draw(st.integers(0, 15)),
            frozenset(draw(st.sets(st.sampled_from([*NAMES, "unknown"]), max_size=4))),
        )
        for i in range(n)
    ]


@st.composite
def caps(draw: Any, keys: list[str]) -> list[CapSpec]:
    return [
        CapSpec(
            f"cap{j}",
            (draw(st.sampled_from(NAMES)),),
            frozenset(draw(st.sets(st.sampled_from(keys))) if keys else ()),
            draw(st.one_of(st.just(0), st.integers(0, 60))),
        )
        for j in range(draw(st.integers(0, 2)))
    ]


def same(fast: Allocation, slow: Allocation) -> None:
    assert fast.units == slow.units
    assert fast.shortfall == slow.shortfall


@st.composite
def problems(draw: Any) -> tuple[list[Item], list[Target], list[CapSpec]]:
    t = draw(targets())
    i = draw(items())
    return i, t, draw(caps([x.key for x in i]))


TOTAL = Target("total", 10)
A, B = Target("a", 4, group="g"), Target("b", 4, group="g")
X = Target("x", 2, exclusive=True)


@PROPERTY
@given(problems())
# A credit fitting two parts of one group, or an exclusive part and the total; an
# exclusive part offered more than it takes; a cap offered more than its limit.
@example(([Item("k", 6, frozenset({"a", "b", "total"}))], [TOTAL, A, B], []))
@example(([Item("k", 6, frozenset({"x", "total"}))], [TOTAL, X], []))
@example(([Item("k", 1, frozenset({"x"})), Item("m", 2, frozenset({"x"}))], [TOTAL, X], []))
@example(
    (
        [Item("k", 3, frozenset({"total"})), Item("m", 3, frozenset({"total"}))],
        [TOTAL],
        [CapSpec("cap", ("total",), frozenset({"k", "m"}), 4)],
    )
)
# A cap of nothing: its members count toward the parts only (Florida's category 2).
@example(
    (
        [Item("k", 3, frozenset({"total", "a"})), Item("m", 5, frozenset({"total"}))],
        [TOTAL, Target("a", 2)],
        [CapSpec("cap", ("total",), frozenset({"k"}), 0)],
    )
)
def test_any_problem_is_answered_as_the_solver_answers_it(
    problem: tuple[list[Item], list[Target], list[CapSpec]],
) -> None:
    """The shortcut (no solver when everything fits once a cap of nothing has barred its
    members) answers every problem as the solver does: random targets (exclusive,
    grouped, not due), credits and caps (of nothing, too)."""
    i, t, c = problem
    same(allocate(i, t, c), allocate(i, t, c, shortcut=False))

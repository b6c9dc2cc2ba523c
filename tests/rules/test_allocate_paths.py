"""The allocator's shortcuts give exactly what the solver gives, allocation for allocation.

``allocate(..., shortcut=False)`` always runs the phased integer program; with the
shortcut on, problems where every credit can count in full toward every target it fits
are answered without it. The explanations show the allocation, so the two must agree
on every (credit, target) entry, not only on the shortfall.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from unittest.mock import patch

import numpy as np
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from credtrail.core.rules import allocate as allocate_module
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
            draw(st.integers(0, 60)),
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
def test_any_problem_is_answered_as_the_solver_answers_it(
    problem: tuple[list[Item], list[Target], list[CapSpec]],
) -> None:
    """Random targets (exclusive, grouped, not due), credits and caps."""
    i, t, c = problem
    same(allocate(i, t, c), allocate(i, t, c, shortcut=False))


@st.composite
def roomy(draw: Any) -> tuple[list[Item], list[Target], list[CapSpec]]:
    """Problems where every credit fits everywhere in full, so the shortcut answers them:
    no credit fits two parts of one group or an exclusive part and anything else, and
    exclusive parts and caps have room for everything that fits them."""
    t = draw(targets())
    by_name = {x.name: x for x in t}
    out: list[Item] = []
    for item in draw(items()):
        names = sorted(item.targets)
        exclusive = [n for n in names if n in by_name and by_name[n].exclusive]
        if exclusive:
            names = [exclusive[0], *[n for n in names if n not in by_name]]
        else:
            grouped = [n for n in names if n in by_name and by_name[n].group]
            names = [n for n in names if n not in grouped[1:]]
        out.append(Item(item.key, item.value, frozenset(names)))
    for name, target in by_name.items():
        if target.exclusive:
            filled = sum(x.value for x in out if name in x.targets)
            by_name[name] = Target(name, max(target.required, filled), target.due, True)
    c = [
        CapSpec(
            cap.name,
            cap.targets,
            cap.members,
            max(
                cap.limit,
                sum(x.value for x in out if x.key in cap.members and cap.targets[0] in x.targets),
            ),
        )
        for cap in draw(caps([x.key for x in out]))
    ]
    return out, list(by_name.values()), c


@PROPERTY
@given(roomy())
def test_problems_where_everything_fits_are_answered_as_the_solver_answers_them(
    problem: tuple[list[Item], list[Target], list[CapSpec]],
) -> None:
    i, t, c = problem
    fast = allocate(i, t, c)
    same(fast, allocate(i, t, c, shortcut=False))
    # Every credit counts in full toward every target it fits.
    known = {x.name for x in t}
    assert fast.units == {
        (x.key, n): x.value for x in i if x.value > 0 for n in x.targets if n in known
    }


def test_a_binding_cap_is_left_to_the_solver() -> None:
    """Two credits under a cap with room for one: which counts is the solver's choice,
    and the shortcut must not make it."""
    items_ = [Item("x", 5, frozenset({"total"})), Item("y", 5, frozenset({"total"}))]
    targets_ = [Target("total", 20)]
    caps_ = [CapSpec("cap", ("total",), frozenset({"x", "y"}), 5)]
    fast = allocate(items_, targets_, caps_)
    same(fast, allocate(items_, targets_, caps_, shortcut=False))
    assert fast.counted("total") == 5


@contextmanager
def solver(solve: Any) -> Iterator[None]:
    with patch.object(allocate_module, "_solver", lambda: solve):
        yield


@PROPERTY
@given(problems())
def test_highs_called_directly_answers_as_milp(
    problem: tuple[list[Item], list[Target], list[CapSpec]],
) -> None:
    """scipy's HiGHS binding, called as ``milp`` calls it, gives the allocation ``milp``
    gives: the same model reaches the same solver."""
    assert allocate_module._highs() is not None  # this scipy's binding is the known one
    i, t, c = problem
    with solver(allocate_module._solve_highs):
        direct = allocate(i, t, c, shortcut=False)
    with solver(allocate_module._solve_milp):
        same(direct, allocate(i, t, c, shortcut=False))


@PROPERTY
@given(
    st.integers(1, 6).flatmap(
        lambda n: st.tuples(
            st.just(n),
            st.lists(
                st.lists(st.tuples(st.integers(0, n - 1), st.sampled_from([1.0, 2.0])), max_size=4),
                max_size=6,
            ),
            st.lists(
                st.lists(st.sampled_from([0.0, 1.0, -2.0]), min_size=n, max_size=n), max_size=2
            ),
        )
    )
)
def test_the_columns_given_to_highs_are_those_milp_gives(
    case: tuple[int, list[list[tuple[int, float]]], list[list[float]]],
) -> None:
    """The constraint matrix in compressed columns, as scipy builds it from the program's
    rows and the dense rows added in later phases (repeated entries summed)."""
    from scipy.sparse import csc_array, vstack

    n, rows, extra = case
    program = allocate_module._Program()
    for row in rows:
        program.row(row, 0, 1)
    blocks = [csc_array(program.constraint(n).A)] + [csc_array(np.array([r])) for r in extra]
    expected = vstack(blocks, format="csc") if len(blocks) > 1 else blocks[0]
    start, index, value = program.columns(n, extra)
    assert start.tolist() == expected.indptr.tolist()
    assert index.tolist() == expected.indices.tolist()
    assert value.tolist() == expected.data.tolist()


def test_milp_answers_when_the_highs_binding_is_not_the_known_one() -> None:
    with patch.object(allocate_module, "_HIGHS", [None]):
        assert allocate_module._solver() is allocate_module._solve_milp
    assert allocate_module._solver() is allocate_module._solve_highs

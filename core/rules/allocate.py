"""Exact allocation of credit units to a requirement's targets (an integer program).

Targets are the total and the parts. A credit's units may count toward several targets
at once (overlap), except that parts sharing a group split them, and an *exclusive*
part (``counts_toward_total = false``) consumes the units it takes. Caps bound what a
set of credits contributes to a target. Units are scaled to integers before solving,
so the answer is exact: it is rounded back and checked constraint by constraint.

Solved lexicographically: first the least total shortfall over the targets that are
due (zero whenever any allocation meets everything); if some remains, the least of it
in the parts (so the message is "N more units of anything" when that is true); then,
keeping those, the most units counted (total units weigh double, so spare units stay
in the total rather than in an additional part).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from credtrail.core.rules.model import TOTAL

if TYPE_CHECKING:
    from scipy.optimize import LinearConstraint

_INF = float("inf")


@dataclass(frozen=True)
class Item:
    """Units (scaled integer) of one credit, and the targets it qualifies for.

    ``limits``: targets that may take fewer than ``value`` units of it (a part selecting
    a topic takes only that topic's units of a credit listing units per topic).
    """

    key: str
    value: int
    targets: frozenset[str]
    limits: tuple[tuple[str, int], ...] = ()

    def most(self, target: str) -> int:
        """The units of this item ``target`` may take."""
        for name, limit in self.limits:
            if name == target:
                return min(limit, self.value)
        return self.value


@dataclass(frozen=True)
class Target:
    """A total or part: ``required`` scaled units; ``due`` targets count in the shortfall."""

    name: str
    required: int
    due: bool = True
    exclusive: bool = False
    group: str | None = None


@dataclass(frozen=True)
class CapSpec:
    """At most ``limit`` scaled units from ``members`` toward each of ``targets``."""

    name: str
    targets: tuple[str, ...]
    members: frozenset[str]
    limit: int


@dataclass(frozen=True)
class Allocation:
    units: dict[tuple[str, str], int]
    """(item key, target name) -> scaled units counted; only positive entries."""
    shortfall: int

    def counted(self, target: str) -> int:
        return sum(u for (_, t), u in self.units.items() if t == target)


class _Program:
    def __init__(self) -> None:
        self.rows: list[int] = []
        self.cols: list[int] = []
        self.vals: list[float] = []
        self.lower: list[float] = []
        self.upper: list[float] = []

    def row(self, coefficients: Sequence[tuple[int, float]], lo: float, hi: float) -> None:
        r = len(self.lower)
        for col, val in coefficients:
            self.rows.append(r)
            self.cols.append(col)
            self.vals.append(val)
        self.lower.append(lo)
        self.upper.append(hi)

    def constraint(self, n: int) -> LinearConstraint:
        from scipy.optimize import LinearConstraint
        from scipy.sparse import coo_array

        matrix = coo_array((self.vals, (self.rows, self.cols)), shape=(len(self.lower), n)).tocsr()
        return LinearConstraint(matrix, self.lower, self.upper)


def allocate(
    items: Sequence[Item],
    targets: Sequence[Target],
    caps: Sequence[CapSpec],
    *,
    shortcut: bool = True,
) -> Allocation:
    """The allocation with least shortfall, then most units counted. Deterministic.

    ``shortcut=False`` always runs the solver (tests compare the two paths).
    """
    by_name = {t.name: t for t in targets}
    variables: list[tuple[str, str]] = []
    index: dict[tuple[str, str], int] = {}
    for item in items:
        for name in sorted(item.targets):
            if name in by_name and item.value > 0:
                index[(item.key, name)] = len(variables)
                variables.append((item.key, name))
    due = [t for t in targets if t.due and t.required > 0]
    if not variables:
        return Allocation({}, sum(t.required for t in due))
    if shortcut:
        # A cap of nothing bars its members from its targets: the solver must leave each
        # of those (credit, target) units at 0, so they are left out before asking
        # whether the rest fits.
        barred = {
            (key, name)
            for cap in caps
            if cap.limit == 0
            for name in cap.targets
            for key in cap.members
        }
        open_items = (
            [
                replace(
                    item, targets=frozenset(t for t in item.targets if (item.key, t) not in barred)
                )
                for item in items
            ]
            if barred
            else list(items)
        )
        if _everything_fits(open_items, by_name, [cap for cap in caps if cap.limit != 0]):
            # Counting every unit toward every target it may go to breaks no constraint:
            # every phase's optimum is then this allocation, and it is the only one (each
            # unit counted adds to the objective of the last phase), so the solver would
            # find exactly it.
            units = {
                (item.key, name): item.most(name)
                for item in open_items
                if item.value > 0
                for name in sorted(item.targets)
                if name in by_name and item.most(name) > 0
            }
            direct = Allocation(units, _shortfall(units, due))
            _check(direct, items, by_name, caps, direct.shortfall)
            return direct
    n_x = len(variables)
    short_col = {t.name: n_x + j for j, t in enumerate(due)}
    n = n_x + len(due)

    program = _Program()
    _per_item_rows(program, items, by_name, index)
    for target in targets:
        cols = [(index[v], 1.0) for v in variables if v[1] == target.name]
        if target.exclusive:
            program.row(cols, 0, target.required)
        if target.name in short_col:
            program.row([*cols, (short_col[target.name], 1.0)], target.required, _INF)
    for cap in caps:
        for name in cap.targets:
            cols = [(index[(k, name)], 1.0) for k in sorted(cap.members) if (k, name) in index]
            if cols:
                program.row(cols, 0, cap.limit)

    most = {(item.key, name): item.most(name) for item in items for name in item.targets}
    upper = [float(most[v]) for v in variables] + [float(t.required) for t in due]
    solve = _solve

    phase1 = [0.0] * n_x + [1.0] * len(due)
    fun, _ = solve(phase1, program, [], upper)
    shortfall = round(fun)
    extra = [(phase1, shortfall + 0.5)]
    if shortfall > 0:
        # Among equally short allocations, meet the parts first: "2 more units of anything"
        # is the true, least specific message when re-allocating could do with any credit.
        parts_only = [0.0] * n
        for t in due:
            if t.name != TOTAL:
                parts_only[short_col[t.name]] = 1.0
        fun, _ = solve(parts_only, program, extra, upper)
        extra.append((parts_only, round(fun) + 0.5))

    phase2 = [0.0] * n
    for col, (_, name) in enumerate(variables):
        phase2[col] = -2.0 if name == TOTAL else -1.0
    _, x = solve(phase2, program, extra, upper)
    units = {variables[col]: round(x[col]) for col in range(n_x) if round(x[col]) > 0}
    result = Allocation(units, _shortfall(units, due))
    _check(result, items, by_name, caps, shortfall)
    return result


def _solve(
    c: Sequence[float],
    program: _Program,
    extra: Sequence[tuple[Sequence[float], float]],
    upper: Sequence[float],
) -> tuple[float, Sequence[float]]:
    """The optimum and a solution of an integer program: minimise ``c``, subject to the
    program's rows and the ``extra`` rows (each at most its bound), every column an
    integer from 0 to its ``upper`` bound. HiGHS, through scipy's public ``milp``."""
    # scipy costs ~0.4 s to import: only evaluations with competing parts need it, so
    # the CLI starts fast.
    from scipy.optimize import Bounds, LinearConstraint, milp

    n = len(c)
    constraints = [program.constraint(n)]
    if extra:
        constraints.append(
            LinearConstraint([row for row, _ in extra], -_INF, [hi for _, hi in extra])
        )
    result = milp(
        c,
        constraints=constraints,
        bounds=Bounds([0.0] * n, upper),
        integrality=[1] * n,
        options={"mip_rel_gap": 0.0, "presolve": True},
    )
    if not result.success:  # pragma: no cover - the program is always feasible (x = 0)
        raise RuntimeError(f"allocation solver failed: {result.message}")
    return float(result.fun), [float(v) for v in result.x]


def _everything_fits(
    items: Sequence[Item], by_name: dict[str, Target], caps: Sequence[CapSpec]
) -> bool:
    """Whether counting each credit's full value toward every target it fits is feasible.

    It is unless a credit splits its units (it fits an exclusive part and another
    target, or two parts of one group), an exclusive part would take more than it
    requires, or a cap would be exceeded.
    """
    if not caps and not any(t.exclusive or t.group for t in by_name.values()):
        return True
    keys: set[str] = set()
    filled: dict[str, int] = {}
    for item in items:
        if item.value <= 0:
            continue
        if item.key in keys:
            return False  # the same key twice: leave it to the solver
        keys.add(item.key)
        names = [name for name in item.targets if name in by_name]
        groups: set[str] = set()
        for name in names:
            target = by_name[name]
            if target.exclusive:
                if len(names) > 1:
                    return False
                filled[name] = filled.get(name, 0) + item.most(name)
            elif target.group is not None:
                if target.group in groups:
                    return False
                groups.add(target.group)
    if any(filled[name] > by_name[name].required for name in filled):
        return False
    for cap in caps:
        for name in cap.targets:
            if name in by_name:
                members = [i for i in items if i.key in cap.members and name in i.targets]
                if sum(i.most(name) for i in members if i.value > 0) > cap.limit:
                    return False
    return True


def _per_item_rows(
    program: _Program,
    items: Sequence[Item],
    by_name: dict[str, Target],
    index: dict[tuple[str, str], int],
) -> None:
    """Per credit: exclusive uses plus each shared group's use fit in its units."""
    for item in items:
        exclusive = [
            (index[(item.key, t)], 1.0)
            for t in sorted(item.targets)
            if (item.key, t) in index and by_name[t].exclusive
        ]
        for group in _shared_groups(item, by_name, index).values():
            program.row([*exclusive, *[(index[(item.key, t)], 1.0) for t in group]], 0, item.value)
        if exclusive and not _shared_groups(item, by_name, index):
            program.row(exclusive, 0, item.value)


def _shared_groups(
    item: Item, by_name: dict[str, Target], index: dict[tuple[str, str], int]
) -> dict[str, list[str]]:
    groups: dict[str, list[str]] = {}
    for name in sorted(item.targets):
        if (item.key, name) not in index or by_name[name].exclusive:
            continue
        group = by_name[name].group
        groups.setdefault(f"group:{group}" if group else f"target:{name}", []).append(name)
    return groups


def _shortfall(units: dict[tuple[str, str], int], due: Sequence[Target]) -> int:
    counted: dict[str, int] = {}
    for (_, name), u in units.items():
        counted[name] = counted.get(name, 0) + u
    return sum(max(0, target.required - counted.get(target.name, 0)) for target in due)


def _check(
    result: Allocation,
    items: Sequence[Item],
    by_name: dict[str, Target],
    caps: Sequence[CapSpec],
    optimum: int,
) -> None:
    """Re-check the rounded solution exactly; a failure is a bug, never user error."""
    units = result.units
    group_of = {
        name: None if t.exclusive else (t.group or f"target:{name}") for name, t in by_name.items()
    }
    for item in items:
        exclusive = 0
        groups: dict[str, int] = {}
        for t in item.targets:
            if t not in group_of:
                continue
            u = units.get((item.key, t), 0)
            key = group_of[t]
            if key is None:
                exclusive += u
            else:
                groups[key] = groups.get(key, 0) + u
        if exclusive + max(groups.values(), default=0) > item.value:
            raise AssertionError(f"allocation over-uses credit {item.key}")
        if any(units.get((item.key, t), 0) > item.most(t) for t in item.targets):
            raise AssertionError(f"allocation over-uses a topic of credit {item.key}")
    counted: dict[str, int] = {}
    for (_, name), u in units.items():
        counted[name] = counted.get(name, 0) + u
    for name, target in by_name.items():
        if target.exclusive and counted.get(name, 0) > target.required:
            raise AssertionError(f"allocation over-fills exclusive part {name}")
    for cap in caps:
        for name in cap.targets:
            got = sum(units.get((k, name), 0) for k in cap.members)
            if got > cap.limit:
                raise AssertionError(f"allocation exceeds cap {cap.name} on {name}")
    if result.shortfall != optimum:
        raise AssertionError("allocation lost optimality when rounded")

"""Evaluate a clinician against a requirement for one cycle: a pure function.

``evaluate`` takes plain data (requirement versions, the ledger's credits, one
licence, the plugin registry) and returns an ``Evaluation``; it does no I/O, so
projections and as-of replay call it with reconstructed state.

The engine's pieces: ``versions`` (which version and cycle), ``plan`` (which parts are
due, exempt or settled), ``allocate`` (credit to parts), ``wording`` (the explanation's
words); this module solves a cycle and reports it. Its public names stay importable
from here.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from datetime import date, timedelta
from decimal import ROUND_FLOOR, Decimal
from operator import attrgetter
from typing import Any

from credtrail.core.domain import CreditState, LicenseState
from credtrail.core.registry import Registry
from credtrail.core.rules.allocate import Allocation, CapSpec, Item, Target, allocate
from credtrail.core.rules.cycles import WindowSource, cycle_windows, previous_cycle
from credtrail.core.rules.eligibility import Scope, Working, eligible, matches, ordered, tidy
from credtrail.core.rules.kinds import CycleWindow
from credtrail.core.rules.model import TOTAL, RequirementVersion, RollingCycle
from credtrail.core.rules.plan import (
    Plan,
    Planner,
    certification_missing,
    counts_of,
    owed,
    topic_limit,
)
from credtrail.core.rules.result import (
    Counted,
    Evaluation,
    Excluded,
    PartResult,
    PartStatus,
    Status,
    Unused,
)
from credtrail.core.rules.scale import SCALE, scaled, unscaled
from credtrail.core.rules.versions import (
    Credits,
    Document,
    as_versions,
    governing_date,
    license_cycles,
    resolve,
    resolve_in,
    select_version,
    version_in_force,
)

__all__ = [
    "SCALE",
    "Credits",
    "Document",
    "Evaluation",
    "as_versions",
    "evaluate",
    "evaluate_history",
    "governing_date",
    "license_cycles",
    "resolve",
    "select_version",
    "topic_limit",
    "version_in_force",
]


def evaluate(
    documents: Iterable[Document],
    credits: Credits,
    license: LicenseState,
    registry: Registry,
    *,
    on: date,
    cycle_start: date | None = None,
) -> Evaluation:
    """Judge the clinician's credits against the requirement for one cycle.

    :param documents: every known version of the requirement (documents or models).
    :param credits: the ledger's credits (``ClinicianLedger.credits``) or an iterable.
    :param license: the licence subjecting the clinician to the requirement.
    :param registry: the plugin registry (equivalences, authorities, rule kinds).
    :param on: the evaluation date: the cycle containing it is judged, and only
        credit completed (and claimed) by then counts.
    :param cycle_start: judge the cycle starting on this date instead.
    """
    versions = as_versions(documents)
    version, window = resolve_in(versions, license, on, cycle_start, cycle_windows)
    return _Evaluator(versions, ordered(credits), license, registry, on).cycle(version, window)


def evaluate_history(
    documents: Iterable[Document],
    credits: Credits,
    license: LicenseState,
    registry: Registry,
    *,
    on: date,
    since: date | None = None,
) -> list[Evaluation]:
    """Every cycle of ``license`` from the first (or the one containing ``since``) to the one
    containing ``on``, judged on ``on``, oldest first.

    Cycles that ended (with their grace) by ``on`` get their final status. Carry-over and
    cure credit flow from each cycle to the next, computed once (evaluating cycle by cycle
    with ``evaluate`` recomputes the earlier ones for each). Each cycle is judged by the
    version its policy selects. Rolling windows give one evaluation.
    """
    versions = as_versions(documents)
    current_version, current = resolve_in(versions, license, on, None, cycle_windows)
    evaluator = _Evaluator(versions, ordered(credits), license, registry, on)
    if isinstance(current_version.cycle, RollingCycle):
        return [evaluator.cycle(current_version, current)]
    out = []
    for window in cycle_windows(current_version.cycle, license, on):
        if window.number > current.number:
            break
        if since is not None and window.end < since:
            continue
        out.append(evaluator.cycle(select_version(versions, window), window))
    return out


class _Evaluator:
    def __init__(
        self,
        versions: list[RequirementVersion],
        credits: list[CreditState],
        license: LicenseState,
        registry: Registry,
        on: date,
    ) -> None:
        self.versions = versions
        self.windows: WindowSource = cycle_windows
        self.credits = credits
        self.license = license
        self.registry = registry
        self.on = on
        self.memo: dict[date, Evaluation] = {}
        self.memo_lookups: dict[Any, Any] = {}
        self.planner = Planner(credits, license, registry, on, self.windows, self.memo_lookups)

    def cycle(self, version: RequirementVersion, window: CycleWindow) -> Evaluation:
        cached = self.memo.get(window.start)
        if cached is not None:
            return cached
        evaluation = self._judge(version, window)
        previous = self._transition_from(version, window)
        if previous is not None:
            older = self._judge(previous, window)
            met = ("compliant", "cured", "exempt")
            if evaluation.status not in met and older.status in met:
                why = (
                    f"in the transition to {version.version} (to {version.transition.until}"  # type: ignore[union-attr]
                    f"); judged by the previous version {previous.version}, which is met"
                )
                evaluation = older.model_copy(update={"version_why": why})
            else:
                why = f"in the transition from {previous.version}; judged by the newer version " + (
                    "(met)" if evaluation.status in met else "(neither version is met)"
                )
                evaluation = evaluation.model_copy(update={"version_why": why})
        self.memo[window.start] = evaluation
        return evaluation

    def _transition_from(
        self, version: RequirementVersion, window: CycleWindow
    ) -> RequirementVersion | None:
        """The previous version, if ``window`` falls in ``version``'s transition window."""
        rule = version.transition
        if rule is None:
            return None
        day = governing_date(window, version.version_policy)
        if not version.effective_from <= day <= rule.until:
            return None
        older = [v for v in self.versions if v.effective_from < version.effective_from]
        return older[-1] if older else None

    def _judge(self, version: RequirementVersion, window: CycleWindow) -> Evaluation:
        notes = list(version.notes)
        if version.effective_from > window.end:
            notes.append(
                f"no version was in force by {window.end}; judged by the earliest known, "
                f"{version.version} (effective {version.effective_from})"
            )
        counts = counts_of(version, self.registry, notes)
        plan = self.planner.plan(version, window)
        scope = Scope(
            version=version,
            window=window,
            on=self.on,
            counts=counts,
            prior_from=min(plan.lookback.values(), default=None),
            registry=self.registry,
            memo=self.memo_lookups,
        )
        working, excluded, valued = eligible(self.credits, scope)
        carry_in, working = self._from_previous(version, window, working, excluded)
        result = self._solve(version, window, scope, plan, working, excluded, carry_in)
        evaluation = Evaluation(
            requirement=version.id,
            authority=version.authority,
            version=version.version,
            effective_from=version.effective_from,
            source=version.source,
            license_id=self.license.license_id,
            certification=self.license.certification
            if self.license.kind == "certification"
            else None,
            cycle_start=window.start,
            cycle_end=window.end,
            renewal_number=window.number,
            evaluated_on=self.on,
            counts=counts,
            valued=tuple(valued),
            carry_in=unscaled(carry_in),
            grace_until=window.end + timedelta(days=version.grace.days)
            if version.grace.days
            else None,
            notes=tuple(notes),
            **result,
        )
        return evaluation

    # -- pieces ---------------------------------------------------------------------

    def _from_previous(
        self,
        version: RequirementVersion,
        window: CycleWindow,
        working: list[Working],
        excluded: list[Excluded],
    ) -> tuple[Decimal, list[Working]]:
        """Carry-over from the previous cycle, and credit it already used to cure itself."""
        before = previous_cycle(version.cycle, self.license, window, self.on, self.windows)
        if before is None:
            return Decimal(0), working
        prior_version = select_version(self.versions, before)
        if prior_version.carry_over is None and prior_version.grace.days == 0:
            return Decimal(0), working
        previous = self.cycle(prior_version, before)
        if previous.status != "cured" or prior_version.grace.cure_counts_next:
            return previous.carry_out, working
        used = {entry.credit_id: entry.units for entry in previous.cure}
        kept: list[Working] = []
        for w in working:
            late = w.credit.completed_on > before.end
            spent = used.get(w.credit_id, Decimal(0)) if late else Decimal(0)
            if not spent:
                kept.append(w)
                continue
            excluded.append(
                Excluded(
                    credit_id=w.credit_id,
                    units=tidy(min(spent, w.value)),
                    rule="used-to-cure",
                    reason=f"used to cure the cycle {before.start} to {before.end}",
                )
            )
            if w.value > spent:
                kept.append(Working(w.credit, tidy(w.value - spent), w.window))
        return previous.carry_out, kept

    def _solve(
        self,
        version: RequirementVersion,
        window: CycleWindow,
        scope: Scope,
        plan: Plan,
        working: list[Working],
        excluded: list[Excluded],
        carry_in: Decimal,
    ) -> dict[str, Any]:
        names = {t.name for t in plan.targets}
        carry_key = f"carry-over:{window.start}"
        items_main: list[Item] = []
        items_grace: list[Item] = []
        parts = [part for part in version.parts if part.id in names]
        for w in working:
            targets = set()
            limits = []
            for part in parts:
                if w.window == "prior" and not (
                    part.id in plan.lookback and w.credit.completed_on >= plan.lookback[part.id]
                ):
                    continue
                if part.id in plan.until and w.credit.completed_on > plan.until[part.id]:
                    continue  # a one-time part's credit completed after its deadline
                if matches(part, w.credit, scope):
                    targets.add(part.id)
                    limit = topic_limit(part, w.credit, w.value)
                    if limit is not None:
                        limits.append((part.id, scaled(limit)))
            if TOTAL in names and w.window != "prior":
                targets.add(TOTAL)
            if not targets:
                excluded.append(
                    Excluded(
                        credit_id=w.credit_id,
                        units=w.value,
                        rule="no-matching-part",
                        reason="counts toward none of the parts required this cycle",
                    )
                )
                continue
            item = Item(w.credit_id, scaled(w.value), frozenset(targets), tuple(limits))
            (items_grace if w.window == "grace" else items_main).append(item)
        if carry_in > 0 and TOTAL in names:
            items_main.append(Item(carry_key, scaled(carry_in), frozenset({TOTAL})))
        caps = self._caps(version, working, plan)
        due = any(t.due and t.required > 0 for t in plan.targets)

        allocation = allocate(items_main, plan.targets, caps)
        status: Status
        used_grace = False
        if plan.pathway is not None and plan.pathway[0].satisfies == "all":
            status = "compliant"
        elif not due:
            # Nothing owed this cycle: compliant when something that applies was met
            # (a one-time course done earlier), exempt when nothing applies at all.
            met = {"met", "met-late", "attested"}
            applied = any(r.status in met for r in plan.results.values())
            status = "compliant" if applied else "exempt"
        elif allocation.shortfall == 0:
            status = "compliant"
        else:
            if items_grace:
                allocation, chosen = _cure(items_main, items_grace, plan.targets, caps)
                used_grace = True
                kept = {item.key for item in chosen}
                _late(excluded, [i for i in items_grace if i.key not in kept], window)
                items_grace = chosen
            if allocation.shortfall == 0:
                status = "cured"
            elif self._still_open(version, window):
                status = "in_progress"
            else:
                status = "deficient"
        if status in ("compliant", "exempt", "cured") and (
            owed(version, plan.results) or certification_missing(version, plan.results)
        ):
            # A one-time mandate never completed is still owed, and a certification the
            # rule requires must be held: the renewal cannot be compliant without them,
            # though no credit is missing.
            status = "in_progress" if self._still_open(version, window) else "deficient"
        cure: tuple[Counted, ...] = ()
        if used_grace and status == "cured":
            cure = tuple(
                Counted(credit_id=item.key, part=part, units=unscaled(units))
                for item in items_grace
                for part, units in [_largest_use(item, allocation)]
                if units > 0
            )
        if not used_grace:
            _late(excluded, items_grace, window)
        items = [*items_main, *(items_grace if used_grace else [])]
        report = self._report(version, window, plan, items, caps, allocation, excluded, status)
        pathway = plan.pathway[0].id if plan.pathway else None
        return {**report, "cure": cure, "pathway": pathway}

    def _still_open(self, version: RequirementVersion, window: CycleWindow) -> bool:
        if isinstance(version.cycle, RollingCycle) and version.cycle.ends == "evaluation-date":
            return False
        return self.on <= window.end + timedelta(days=version.grace.days)

    def _caps(
        self, version: RequirementVersion, working: list[Working], plan: Plan
    ) -> list[CapSpec]:
        by_name = {t.name: t for t in plan.targets}
        specs: list[CapSpec] = []
        scope = self._scope_of(version)
        for cap in version.caps:
            members = frozenset(w.credit_id for w in working if matches(cap, w.credit, scope))
            for name in cap.applies_to:
                target = by_name.get(name)
                if target is None:
                    continue
                if cap.max_units is not None:
                    limit = scaled(cap.max_units)
                else:
                    assert cap.max_share is not None
                    share = target.required * cap.max_share
                    limit = int(share.to_integral_value(rounding=ROUND_FLOOR))
                specs.append(CapSpec(cap.id, (name,), members, limit))
        return specs

    def _scope_of(self, version: RequirementVersion) -> Scope:
        # Selector matching only reads the version, authority and registry.
        return Scope(
            version,
            CycleWindow(self.on, self.on, 1),
            self.on,
            "earned",
            None,
            self.registry,
            self.memo_lookups,
        )

    def _report(
        self,
        version: RequirementVersion,
        window: CycleWindow,
        plan: Plan,
        items: list[Item],
        caps: list[CapSpec],
        allocation: Allocation,
        excluded: list[Excluded],
        status: Status,
    ) -> dict[str, Any]:
        results = dict(plan.results)
        per_target: dict[str, int] = {}
        for (_, name), amount in allocation.units.items():
            per_target[name] = per_target.get(name, 0) + amount
        for target in plan.targets:
            counted = unscaled(per_target.get(target.name, 0))
            old = results[target.name]
            missing = max(Decimal(0), old.required - counted) if target.due else Decimal(0)
            part_status: PartStatus = "met" if counted >= old.required else old.status
            if target.due and missing > 0:
                part_status = "missing"
            results[target.name] = old.model_copy(
                update={"counted": counted, "missing": tidy(missing), "status": part_status}
            )
        ordered_results = tuple(results.values())
        allocation_rows = tuple(
            Counted(credit_id=key, part=name, units=unscaled(units))
            for (key, name), units in sorted(allocation.units.items(), key=_row_order(items))
        )
        unused = self._unused(plan, items, caps, allocation)
        total = results.get(TOTAL)
        if (
            total is not None
            and total.status not in ("not-applicable", "exempt")
            and total.required > 0
        ):
            required, counted = total.required, total.counted
        else:
            certifications = {c.id for c in version.required_certifications}
            due_parts = [
                p
                for p in ordered_results
                if p.status in ("met", "missing") and p.part not in certifications
            ]
            required = tidy(sum((p.required for p in due_parts), Decimal(0)))
            counted = tidy(sum((min(p.counted, p.required) for p in due_parts), Decimal(0)))
        carry_out = self._carry_out(version, window, items, allocation, total)
        return {
            "status": status,
            "required": required,
            "counted": counted,
            "parts": ordered_results,
            "allocation": allocation_rows,
            "excluded": tuple(sorted(excluded, key=attrgetter("credit_id"))),
            "unused": unused,
            "carry_out": carry_out,
        }

    def _unused(
        self, plan: Plan, items: list[Item], caps: list[CapSpec], allocation: Allocation
    ) -> tuple[Unused, ...]:
        exclusive = {t.name for t in plan.targets if t.exclusive}
        out = []
        for item in items:
            used = {t: allocation.units.get((item.key, t), 0) for t in item.targets}
            taken = sum(u for t, u in used.items() if t in exclusive)
            shared = max((u for t, u in used.items() if t not in exclusive), default=0)
            spare = item.value - taken - shared
            if spare <= 0:
                continue
            binding = [
                c.name
                for c in caps
                if item.key in c.members
                and sum(allocation.units.get((k, c.targets[0]), 0) for k in c.members) >= c.limit
            ]
            reason = f"cap {', '.join(binding)} reached" if binding else "not needed by any part"
            out.append(Unused(credit_id=item.key, units=unscaled(spare), reason=reason))
        return tuple(out)

    def _carry_out(
        self,
        version: RequirementVersion,
        window: CycleWindow,
        items: list[Item],
        allocation: Allocation,
        total: PartResult | None,
    ) -> Decimal:
        rule = version.carry_over
        if rule is None or total is None or total.status not in ("met",):
            return Decimal(0)
        excess = scaled(total.counted) - scaled(total.required)
        if excess <= 0:
            return Decimal(0)
        blocked = set(rule.exclude_parts)
        completed = {c.credit_id: c.completed_on for c in self.credits}
        carryable = 0
        for item in items:
            day = completed.get(item.key)  # None: the carried-in units, never carried again
            if day is None or day > window.end:
                continue
            if any(allocation.units.get((item.key, p), 0) > 0 for p in blocked):
                continue
            carryable += allocation.units.get((item.key, TOTAL), 0)
        limit = scaled(rule.max_units) if rule.max_units is not None else excess
        return unscaled(min(excess, carryable, limit))


# ---------------------------------------------------------------------------- helpers


def _cure(
    main: list[Item], grace: list[Item], targets: list[Target], caps: list[CapSpec]
) -> tuple[Allocation, list[Item]]:
    """Grace-window credit applied to a deficient cycle: only what helps, in completion
    order, the last one only as many units as needed (deterministic)."""
    best = allocate(main, targets, caps)
    chosen: list[Item] = []
    for item in grace:
        trial = allocate([*main, *chosen, item], targets, caps)
        if trial.shortfall < best.shortfall:
            chosen.append(item)
            best = trial
        if best.shortfall == 0:
            break
    if not chosen or best.shortfall > 0:
        return best, chosen
    last = chosen[-1]
    low, high = 1, last.value  # the least value of the last item that still cures
    while low < high:
        middle = (low + high) // 2
        trial = allocate([*main, *chosen[:-1], replace(last, value=middle)], targets, caps)
        if trial.shortfall == 0:
            high = middle
        else:
            low = middle + 1
    chosen[-1] = replace(last, value=high)
    return allocate([*main, *chosen], targets, caps), chosen


def _late(excluded: list[Excluded], items: list[Item], window: CycleWindow) -> None:
    for item in items:
        excluded.append(
            Excluded(
                credit_id=item.key,
                units=unscaled(item.value),
                rule="outside-cycle",
                reason=f"completed after the cycle end {window.end}; "
                "not needed to cure a deficiency",
            )
        )


def _largest_use(item: Item, allocation: Allocation) -> tuple[str, int]:
    uses = [(allocation.units.get((item.key, t), 0), t) for t in sorted(item.targets)]
    units, target = max(uses, default=(0, TOTAL))
    return target, units


def _row_order(items: list[Item]) -> Any:
    position = {item.key: i for i, item in enumerate(items)}
    return lambda row: (position.get(row[0][0], len(position)), row[0][1])

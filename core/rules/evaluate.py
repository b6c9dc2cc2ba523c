"""Evaluate a clinician against a requirement for one cycle: a pure function.

``evaluate`` takes plain data (requirement versions, the ledger's credits, one
licence, the plugin registry) and returns an ``Evaluation``; it does no I/O, so
projections and as-of replay call it with reconstructed state.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta
from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_UP, Decimal
from operator import attrgetter
from typing import Any, Literal

from credtrail.core.domain import CreditState, LicenseState
from credtrail.core.domain import held_on as held_on_day
from credtrail.core.errors import InputError, RuleError
from credtrail.core.registry import Registry
from credtrail.core.rules.allocate import Allocation, CapSpec, Item, Target, allocate
from credtrail.core.rules.cycles import (
    WindowSource,
    cycle_containing,
    cycle_starting,
    cycle_windows,
    nth_cycle,
    previous_cycle,
)
from credtrail.core.rules.dates import ONE_DAY, add_months, months_in
from credtrail.core.rules.eligibility import (
    Scope,
    Working,
    eligible,
    matches,
    ordered,
    quantize,
    tidy,
)
from credtrail.core.rules.kinds import CycleWindow
from credtrail.core.rules.model import (
    TOTAL,
    AtRenewals,
    EveryNthRenewal,
    OncePerLicense,
    Part,
    Pathway,
    RequirementVersion,
    RollingCycle,
    WithinMonths,
    load_requirement,
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

SCALE = 10_000
"""Units are solved as integers of 1/10,000 (credit units have at most 4 decimals)."""

Document = RequirementVersion | Mapping[str, Any]
Credits = Mapping[str, CreditState] | Iterable[CreditState]


def as_versions(documents: Iterable[Document]) -> list[RequirementVersion]:
    """Validate documents; versions ordered by ``effective_from`` (recording order kept)."""
    versions = [d if isinstance(d, RequirementVersion) else load_requirement(d) for d in documents]
    if not versions:
        raise RuleError("no version of this requirement is known")
    ids = {v.id for v in versions}
    if len(ids) > 1:
        raise RuleError(f"versions of different requirements mixed: {', '.join(sorted(ids))}")
    return sorted(versions, key=lambda v: v.effective_from)


def version_in_force(versions: Sequence[RequirementVersion], on: date) -> RequirementVersion:
    """The latest version effective on ``on`` (the earliest if none is yet)."""
    current = [v for v in versions if v.effective_from <= on]
    return current[-1] if current else versions[0]


def select_version(
    versions: Sequence[RequirementVersion], window: CycleWindow, policy: str | None = None
) -> RequirementVersion:
    """The version governing ``window``: the latest whose ``effective_from`` the window's
    governing date has reached, each version looking at the date its own
    ``version_policy`` names (Texas RN: v2 binds cycles that *start* after 2014-01-01,
    v3 renewals on or after 2020-09-01); ``policy`` overrides them all."""
    current = [
        v
        for v in versions
        if v.effective_from <= governing_date(window, policy or v.version_policy)
    ]
    return current[-1] if current else versions[0]


def governing_date(window: CycleWindow, policy: str) -> date:
    """The date a version policy looks at: the cycle's start, end, or recorded renewal."""
    if policy == "cycle-start":
        return window.start
    if policy == "renewal-date":
        return window.renewed_on or window.end
    return window.end


def resolve(
    documents: Iterable[Document],
    license: LicenseState,
    on: date,
    cycle_start: date | None = None,
) -> tuple[RequirementVersion, CycleWindow]:
    """The version and cycle to judge on ``on`` (or the cycle starting ``cycle_start``).

    The cycle comes from the version in force on ``on``; the version from the cycle,
    by policy. Should the two versions define cycles differently, the governing
    version's cycle is used.
    """
    return _resolve(as_versions(documents), license, on, cycle_start, cycle_windows)


def _resolve(
    versions: list[RequirementVersion],
    license: LicenseState,
    on: date,
    cycle_start: date | None,
    windows: WindowSource,
) -> tuple[RequirementVersion, CycleWindow]:
    guess = version_in_force(versions, on)
    try:
        for _ in range(2):
            if cycle_start is None:
                window = cycle_containing(guess.cycle, license, on, windows)
            else:
                window = cycle_starting(guess.cycle, license, cycle_start, on, windows)
            chosen = select_version(versions, window)
            if chosen.cycle == guess.cycle:
                return chosen, window
            guess = chosen
        return guess, window
    except InputError:
        if cycle_start is None:
            raise
        # The cycle may belong to an older version that defined cycles differently
        # (Ohio HB 166 moved cycles from expiry to issue anniversaries).
        for version, window in license_cycles(versions, license, max(on, cycle_start)):
            if window.start == cycle_start:
                return version, window
        raise


def license_cycles(
    documents: Iterable[Document], license: LicenseState, until: date
) -> list[tuple[RequirementVersion, CycleWindow]]:
    """Every cycle of ``license`` up to the one containing ``until``, oldest first, each
    with the version governing it.

    When versions define cycles differently, each contributes the cycles it governs
    (by the version policy), so a rule change that moves the cycle anchor keeps the
    old cycles judged by the old rule. Cycles of two such versions may overlap at the
    transition, as the boards' own transitions do.
    """
    versions = as_versions(documents)
    found: dict[date, tuple[RequirementVersion, CycleWindow]] = {}
    seen_cycles: list[Any] = []
    for version in versions:
        if isinstance(version.cycle, RollingCycle) or version.cycle in seen_cycles:
            continue
        seen_cycles.append(version.cycle)
        for window in cycle_windows(version.cycle, license, until):
            governing = select_version(versions, window)
            if governing.cycle == version.cycle:
                found.setdefault(window.start, (governing, window))
            if window.end >= until:
                break
    return [found[start] for start in sorted(found)]


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
    version, window = _resolve(versions, license, on, cycle_start, cycle_windows)
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
    current_version, current = _resolve(versions, license, on, None, cycle_windows)
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


@dataclass(frozen=True)
class _Plan:
    """The targets of one cycle: what is required, and why some parts are not."""

    results: dict[str, PartResult]
    targets: list[Target]
    lookback: dict[str, date]
    """Parts that count credit from before the cycle start, from which date."""
    until: dict[str, date]
    """Parts that count only credit completed by this date (one-time deadlines)."""
    pathway: tuple[Pathway, str] | None = None
    """The alternative pathway taken, and the facts that allowed it."""


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
        self.once_done: dict[tuple[str, str], date | None] = {}

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
        counts = self._counts(version, notes)
        plan = self._plan(version, window)
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
            carry_in=_units(carry_in),
            grace_until=window.end + timedelta(days=version.grace.days)
            if version.grace.days
            else None,
            notes=tuple(notes),
            **result,
        )
        return evaluation

    # -- pieces ---------------------------------------------------------------------

    def _counts(
        self, version: RequirementVersion, notes: list[str]
    ) -> Literal["claimed", "earned"]:
        if version.counts is not None:
            return version.counts
        authority = self.registry.authorities.get(version.authority)
        if authority is None:
            notes.append(f"authority {version.authority} is not registered: earned credit counts")
            return "earned"
        return "claimed" if authority.requires_claim else "earned"

    def _plan(self, version: RequirementVersion, window: CycleWindow) -> _Plan:
        attributes = self.license.attributes
        exempt_why = self._first_cycle_exemption(version, window)
        pathway = self._pathway(version, window)
        by_pathway: set[str] = set()
        pathway_why = ""
        if pathway is not None:
            taken, evidence = pathway
            every = {TOTAL, *(p.id for p in version.parts)}
            if taken.satisfies == "all":
                by_pathway = every
            elif taken.exempts_all_except is not None:
                by_pathway = every - set(taken.exempts_all_except)
            else:
                by_pathway = set(taken.exempts)
            pathway_why = f"pathway {taken.id}: {evidence}"
        except_parts = set(version.first_cycle.except_parts) if version.first_cycle else set()
        results: dict[str, PartResult] = {}
        targets: list[Target] = []
        lookback: dict[str, date] = {}
        until: dict[str, date] = {}
        if version.total is not None:
            total = version.total
            required, prorated = self._required(version, window, total.units, TOTAL)
            status: PartStatus | None = None
            why = prorated
            if not total.applies_to(attributes):
                status, why = "not-applicable", _condition_text(total.only_if, total.unless)
            elif TOTAL in by_pathway:
                status, why = "exempt", pathway_why
            elif exempt_why:
                status, why = "exempt", exempt_why
            results[TOTAL] = _part_result(TOTAL, total.label, required, status, why, total.note)
            if status is None:
                targets.append(Target(TOTAL, _scaled(required)))
        for part in version.parts:
            required, prorated = self._required(version, window, part.units, part.id)
            due, why = self._schedule(version, part, window)
            settled: tuple[PartStatus, str] | None = None
            due_by: date | None = None
            if isinstance(part.schedule, OncePerLicense):
                due, why, settled, due_by = self._once(version, part, window)
                if due:
                    until[part.id] = due_by
            status = None
            if not part.applies_to(attributes):
                status, why = "not-applicable", _condition_text(part.only_if, part.unless)
            elif due is None:
                status = "not-applicable"
            elif part.id in by_pathway:
                status, why = "exempt", pathway_why
            elif exempt_why and part.id not in except_parts:
                status, why = "exempt", exempt_why
            elif settled is not None:
                status, why = settled
            elif not due:
                status = "not-due"
            results[part.id] = _part_result(
                part.id,
                part.label or part.id,
                required,
                status,
                why or prorated,
                part.note,
                part=part,
                due_by=due_by,
            )
            if status == "overdue" and _still_owed(part):
                results[part.id] = results[part.id].model_copy(update={"missing": tidy(required)})
            if status in (None, "not-due"):
                if isinstance(part.schedule, OncePerLicense):
                    lookback[part.id] = self.license.issued_on
                elif isinstance(part.schedule, WithinMonths):
                    lookback[part.id] = add_months(window.end + ONE_DAY, -part.schedule.months)
                targets.append(
                    Target(
                        part.id,
                        _scaled(required),
                        due=status is None,
                        exclusive=not part.counts_toward_total,
                        group=part.group,
                    )
                )
        return _Plan(results, targets, lookback, until, pathway)

    def _pathway(
        self, version: RequirementVersion, window: CycleWindow
    ) -> tuple[Pathway, str] | None:
        """The first pathway whose conditions the licence's recorded facts meet."""
        lic = self.license
        exam_until = min(self.on, window.end + timedelta(days=version.grace.days))
        held_on = min(self.on, window.end)
        for pathway in version.pathways:
            if not pathway.applies_to(lic.attributes):
                continue
            evidence = (
                [_condition_text(pathway.only_if, pathway.unless)]
                if (pathway.only_if or pathway.unless)
                else []
            )
            if pathway.exams:
                passed = sorted(
                    (on, name)
                    for name, on in lic.exams
                    if name in pathway.exams and window.start <= on <= exam_until
                )
                if not passed:
                    continue
                evidence.append(f"exam {passed[0][1]} passed on {passed[0][0]}")
            if pathway.certifications:
                held = sorted(
                    (start, name)
                    for name, start, end in lic.certifications
                    if name in pathway.certifications and held_on_day([(start, end)], held_on)
                )
                if not held:
                    continue
                evidence.append(f"certification {held[0][1]} held on {held_on}")
            return pathway, "; ".join(evidence)
        return None

    def _first_cycle_exemption(
        self, version: RequirementVersion, window: CycleWindow
    ) -> str | None:
        rule = version.first_cycle
        if rule is None or not rule.exempt or window.number != 1:
            return None
        months = months_in(window.start, window.end, started=False)
        limit = rule.exempt_if_shorter_than_months
        if limit is not None and months >= limit:
            return None
        return "first cycle after licensure is exempt" + (
            f" ({months} months, under {limit})" if limit is not None else ""
        )

    def _required(
        self, version: RequirementVersion, window: CycleWindow, units: Decimal, name: str
    ) -> tuple[Decimal, str | None]:
        rule = version.pro_rating
        if (
            rule is None
            or window.number != 1
            or not window.shortened
            or window.full_months is None
            or (name != TOTAL and name not in rule.parts)
        ):
            return units, None
        months = months_in(window.start, window.end, started=rule.months == "started")
        if rule.method == "per-month":
            assert rule.units_per_month is not None
            raw = min(units, rule.units_per_month * months)
        else:
            raw = units * months / window.full_months
        mode = {"down": ROUND_FLOOR, "up": ROUND_CEILING, "nearest": ROUND_HALF_UP}[rule.rounding]
        steps = (raw / rule.round_to).quantize(Decimal(1), rounding=mode)
        required = tidy(min(units, steps * rule.round_to))
        return (
            required,
            f"pro-rated to {required} of {tidy(units)}: {months} of {window.full_months} months",
        )

    def _schedule(
        self, version: RequirementVersion, part: Part, window: CycleWindow
    ) -> tuple[bool | None, str | None]:
        """(True: due / False: not yet due / None: not this cycle, why)."""
        schedule, n = part.schedule, window.number
        if isinstance(schedule, EveryNthRenewal):
            hit = n >= schedule.first and (n - schedule.first) % schedule.every == 0
            text = f"renewal {schedule.first}, then every {schedule.every}"
            return (True, None) if hit else (None, f"required at {text}; this is renewal {n}")
        if isinstance(schedule, AtRenewals):
            listed = ", ".join(str(x) for x in schedule.numbers)
            if n in schedule.numbers:
                return True, None
            return None, f"required at renewal {listed} only; this is renewal {n}"
        if isinstance(schedule, WithinMonths):
            since = add_months(window.end + ONE_DAY, -schedule.months)
            return True, f"credit completed since {since} counts"
        return True, None

    def _once(
        self, version: RequirementVersion, part: Part, window: CycleWindow
    ) -> tuple[bool, str, tuple[PartStatus, str] | None, date]:
        """A one-time part in this cycle: (due now, why, settled status or None, deadline).

        Before the cycle holding the deadline it is not yet due; in that cycle it is due
        and only credit completed by the deadline counts; afterwards it is settled from
        the history: met, met late, attested, or overdue (never missing again).
        """
        schedule = part.schedule
        assert isinstance(schedule, OncePerLicense)
        deadline, due_end = self._once_deadline(version, schedule)
        attested = self._attested(part.id)
        if attested is not None and attested[0] <= deadline:
            return False, "", ("attested", _attested_text(attested)), deadline
        if window.end < deadline:
            return False, f"one-time, due by {deadline}; not yet due this cycle", None, deadline
        if window.end <= due_end:
            why = f"one-time, due by {deadline}; credit since licensure counts"
            return True, why, None, deadline
        done = self._once_completed(version, part)
        if attested is not None and (done is None or attested[0] < done):
            return False, "", ("met-late", _attested_text(attested) + " (late)"), deadline
        if done is None:
            why = f"one-time, was due by {deadline}; not completed"
            return False, why, ("overdue", why), deadline
        if done <= deadline:
            return False, "", ("met", f"one-time, due by {deadline}; completed {done}"), deadline
        why = f"one-time, due by {deadline}; completed late, on {done}"
        return False, why, ("met-late", why), deadline

    def _once_deadline(
        self, version: RequirementVersion, schedule: OncePerLicense
    ) -> tuple[date, date]:
        """(the deadline, the end of the cycle holding it)."""
        deadlines = []
        # A mandate enacted for licences already held (``since``) binds them from that
        # day: their renewals are counted, and the months run, from then.
        since = schedule.since
        start = max(self.license.issued_on, since) if since else self.license.issued_on
        if schedule.due_within_months is not None:
            deadlines.append(add_months(start, schedule.due_within_months) - ONE_DAY)
        if schedule.due_by_renewal is not None:
            if start == self.license.issued_on:
                nth = nth_cycle(
                    version.cycle, self.license, schedule.due_by_renewal, self.on, self.windows
                )
            else:
                after = (
                    w for w in self.windows(version.cycle, self.license, self.on) if w.end >= start
                )
                nth = next(
                    (w for n, w in enumerate(after, 1) if n == schedule.due_by_renewal), None
                )
            if nth is None:
                nth = next(iter(self.windows(version.cycle, self.license, self.on)))
            deadlines.append(nth.end)
        deadline = min(deadlines) if schedule.deadline == "earlier" else max(deadlines)
        for count, w in enumerate(self.windows(version.cycle, self.license, self.on)):
            if w.end >= deadline or count > 5000:
                return deadline, w.end
        return deadline, deadline  # pragma: no cover - cycle kinds always reach it

    def _attested(self, part_id: str) -> tuple[date, str] | None:
        found = sorted((on, why) for part, on, why in self.license.attestations if part == part_id)
        return found[0] if found else None

    def _once_completed(self, version: RequirementVersion, part: Part) -> date | None:
        """The day the credit recorded since licensure first added up to the part."""
        key = (version.version, part.id)
        if key not in self.once_done:
            scope = Scope(
                version,
                CycleWindow(self.license.issued_on, self.on, 1),
                self.on,
                self._counts(version, []),
                None,
                self.registry,
                self.memo_lookups,
            )
            working, _, _ = eligible(self.credits, scope)
            total, done = Decimal(0), None
            for w in working:
                if matches(part, w.credit, scope):
                    limit = topic_limit(part, w.credit, w.value)
                    total += w.value if limit is None else limit
                    if total >= part.units:
                        done = w.credit.completed_on
                        break
            self.once_done[key] = done
        return self.once_done[key]

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
        plan: _Plan,
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
                        limits.append((part.id, _scaled(limit)))
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
            item = Item(w.credit_id, _scaled(w.value), frozenset(targets), tuple(limits))
            (items_grace if w.window == "grace" else items_main).append(item)
        if carry_in > 0 and TOTAL in names:
            items_main.append(Item(carry_key, _scaled(carry_in), frozenset({TOTAL})))
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
        if status in ("compliant", "exempt", "cured") and _owed(version, plan.results):
            # A one-time mandate never completed is still owed: the renewal cannot be
            # compliant until it is done (or attested), though nothing else is missing.
            status = "in_progress" if self._still_open(version, window) else "deficient"
        cure: tuple[Counted, ...] = ()
        if used_grace and status == "cured":
            cure = tuple(
                Counted(credit_id=item.key, part=part, units=_units(units))
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
        self, version: RequirementVersion, working: list[Working], plan: _Plan
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
                    limit = _scaled(cap.max_units)
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
        plan: _Plan,
        items: list[Item],
        caps: list[CapSpec],
        allocation: Allocation,
        excluded: list[Excluded],
        status: Status,
    ) -> dict[str, Any]:
        results = dict(plan.results)
        per_target: dict[str, int] = {}
        for (_, name), scaled in allocation.units.items():
            per_target[name] = per_target.get(name, 0) + scaled
        for target in plan.targets:
            counted = _units(per_target.get(target.name, 0))
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
            Counted(credit_id=key, part=name, units=_units(units))
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
            due_parts = [p for p in ordered_results if p.status in ("met", "missing")]
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
        self, plan: _Plan, items: list[Item], caps: list[CapSpec], allocation: Allocation
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
            out.append(Unused(credit_id=item.key, units=_units(spare), reason=reason))
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
        excess = _scaled(total.counted) - _scaled(total.required)
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
        limit = _scaled(rule.max_units) if rule.max_units is not None else excess
        return _units(min(excess, carryable, limit))


# ---------------------------------------------------------------------------- helpers


def topic_limit(part: Part, credit: CreditState, value: Decimal) -> Decimal | None:
    """What a part selecting topics may take of a credit that lists units per topic:
    the listed amounts of its topics (in the credit's value), or None for all of it."""
    if not part.topics or not credit.topic_units:
        return None
    chosen = [t for t in part.topics if t in credit.topics or t in credit.topic_units]
    if not chosen or any(t not in credit.topic_units for t in chosen):
        return None  # a topic without an amount covers the whole credit
    amount = sum((credit.topic_units[t] for t in chosen), Decimal(0))
    if amount >= credit.units or credit.units <= 0:
        return None
    return quantize(value * amount / credit.units)


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
                units=_units(item.value),
                rule="outside-cycle",
                reason=f"completed after the cycle end {window.end}; "
                "not needed to cure a deficiency",
            )
        )


def _largest_use(item: Item, allocation: Allocation) -> tuple[str, int]:
    uses = [(allocation.units.get((item.key, t), 0), t) for t in sorted(item.targets)]
    units, target = max(uses, default=(0, TOTAL))
    return target, units


def _scaled(units: Decimal) -> int:
    return int((units * SCALE).to_integral_value(rounding=ROUND_FLOOR))


def _units(scaled: int | Decimal) -> Decimal:
    if isinstance(scaled, Decimal):
        return tidy(scaled)
    return tidy(Decimal(scaled) / SCALE)


def _row_order(items: list[Item]) -> Any:
    position = {item.key: i for i, item in enumerate(items)}
    return lambda row: (position.get(row[0][0], len(position)), row[0][1])


def _attested_text(attested: tuple[date, str]) -> str:
    return f"attested: completed {attested[0]} ({attested[1]}); not credit"


def _condition_text(only_if: Mapping[str, str], unless: Mapping[str, str]) -> str:
    parts = [f"{k}={v}" for k, v in only_if.items()]
    text = f"only when the licence has {', '.join(parts)}" if parts else ""
    if unless:
        no = ", ".join(f"{k}={v}" for k, v in unless.items())
        text = f"{text}; " if text else ""
        text += f"not when the licence has {no}"
    return text


def _schedule_text(part: Part) -> str:
    s = part.schedule
    if isinstance(s, EveryNthRenewal):
        return f"renewal {s.first}, then every {s.every}"
    if isinstance(s, AtRenewals):
        return "renewals " + ", ".join(str(n) for n in s.numbers)
    if isinstance(s, OncePerLicense):
        bits = []
        if s.due_by_renewal is not None:
            bits.append(f"renewal {s.due_by_renewal}")
        if s.due_within_months is not None:
            bits.append(f"{s.due_within_months} months after licensure")
        return "once per licence, by the earlier of " + " and ".join(bits)
    if isinstance(s, WithinMonths):
        return f"every cycle, counting credit from the {s.months} months before its end"
    return "every cycle"


def _still_owed(part: Part) -> bool:
    """A one-time part past its deadline that stays owed until done (``late = "owed"``)."""
    return isinstance(part.schedule, OncePerLicense) and part.schedule.late == "owed"


def _owed(version: RequirementVersion, results: dict[str, PartResult]) -> bool:
    """Some one-time mandate is overdue and still owed: the renewal cannot be compliant."""
    return any(
        _still_owed(part)
        and results.get(part.id) is not None
        and results[part.id].status == "overdue"
        for part in version.parts
    )


def _part_result(
    name: str,
    label: str,
    required: Decimal,
    status: PartStatus | None,
    why: str | None,
    note: str | None,
    part: Part | None = None,
    due_by: date | None = None,
) -> PartResult:
    return PartResult(
        part=name,
        label=label,
        status=status or "missing",
        required=tidy(required),
        counted=Decimal(0),
        missing=Decimal(0),
        counts_toward_total=part.counts_toward_total if part else True,
        schedule=_schedule_text(part) if part else "every cycle",
        why=why,
        source=part.source if part else None,
        note=note,
        due_by=due_by,
    )

"""What a cycle requires: which parts are due, exempt, not applicable or already
settled, and the targets the allocator must fill.

The ``Planner`` reads the licence's facts (attributes, exams, certifications,
attestations, renewals) and the requirement version; it does not count credit except
to date a one-time part's completion.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_UP, Decimal
from typing import Any, Literal

from credtrail.core.domain import CreditState, LicenseState
from credtrail.core.domain import held_on as held_on_day
from credtrail.core.registry import Registry
from credtrail.core.rules.allocate import Target
from credtrail.core.rules.cycles import WindowSource, nth_cycle
from credtrail.core.rules.dates import ONE_DAY, add_months, months_in
from credtrail.core.rules.eligibility import Scope, eligible, matches, quantize, tidy
from credtrail.core.rules.kinds import CycleWindow
from credtrail.core.rules.model import (
    TOTAL,
    AtRenewals,
    EveryNthRenewal,
    OncePerLicense,
    Part,
    Pathway,
    RequiredCertification,
    RequirementVersion,
    WithinMonths,
)
from credtrail.core.rules.result import PartResult, PartStatus
from credtrail.core.rules.scale import scaled
from credtrail.core.rules.wording import (
    attested_text,
    certification_result,
    certification_text,
    condition_text,
    part_result,
)


@dataclass(frozen=True)
class Plan:
    """The targets of one cycle: what is required, and why some parts are not."""

    results: dict[str, PartResult]
    targets: list[Target]
    lookback: dict[str, date]
    """Parts that count credit from before the cycle start, from which date."""
    until: dict[str, date]
    """Parts that count only credit completed by this date (one-time deadlines)."""
    pathway: tuple[Pathway, str] | None = None
    """The alternative pathway taken, and the facts that allowed it."""


class Planner:
    """Plans the cycles of one licence judged on one day (memoising one-time completions)."""

    def __init__(
        self,
        credits: list[CreditState],
        license: LicenseState,
        registry: Registry,
        on: date,
        windows: WindowSource,
        memo_lookups: dict[Any, Any],
    ) -> None:
        self.credits = credits
        self.license = license
        self.registry = registry
        self.on = on
        self.windows = windows
        self.memo_lookups = memo_lookups
        self.once_done: dict[tuple[str, str], date | None] = {}

    def plan(self, version: RequirementVersion, window: CycleWindow) -> Plan:
        """What this cycle requires: each part's result so far and the allocator's targets."""
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
                status, why = "not-applicable", condition_text(total.only_if, total.unless)
            elif TOTAL in by_pathway:
                status, why = "exempt", pathway_why
            elif exempt_why:
                status, why = "exempt", exempt_why
            results[TOTAL] = part_result(TOTAL, total.label, required, status, why, total.note)
            if status is None:
                targets.append(Target(TOTAL, scaled(required)))
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
                status, why = "not-applicable", condition_text(part.only_if, part.unless)
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
            results[part.id] = part_result(
                part.id,
                part.label or part.id,
                required,
                status,
                why or prorated,
                part.note,
                part=part,
                due_by=due_by,
            )
            if status == "overdue" and still_owed(part):
                results[part.id] = results[part.id].model_copy(update={"missing": tidy(required)})
            if status in (None, "not-due"):
                if isinstance(part.schedule, OncePerLicense):
                    lookback[part.id] = self.license.issued_on
                elif isinstance(part.schedule, WithinMonths):
                    lookback[part.id] = add_months(window.end + ONE_DAY, -part.schedule.months)
                targets.append(
                    Target(
                        part.id,
                        scaled(required),
                        due=status is None,
                        exclusive=not part.counts_toward_total,
                        group=part.group,
                    )
                )
        for rule in version.required_certifications:
            results[rule.id] = self._certification(rule, window, pathway)
        return Plan(results, targets, lookback, until, pathway)

    def _certification(
        self,
        rule: RequiredCertification,
        window: CycleWindow,
        pathway: tuple[Pathway, str] | None,
    ) -> PartResult:
        """A certification the rule requires: held on the cycle's end (or the day judged,
        if earlier), by the clinician's recorded periods (``with_clinician_facts``)."""
        lic = self.license
        if not rule.applies_to(lic.attributes):
            why = condition_text(rule.only_if, rule.unless)
            return certification_result(rule, "not-applicable", why)
        if pathway is not None and rule.id in pathway[0].exempts:
            return certification_result(rule, "exempt", f"pathway {pathway[0].id}: {pathway[1]}")
        day = min(self.on, window.end)
        periods = sorted(
            (name, start, end)
            for name, start, end in lic.certifications
            if name in rule.certifications
        )
        holding = [p for p in periods if held_on_day([(p[1], p[2])], day)]
        if holding:
            name, start, end = max(holding, key=lambda p: (p[2] is None, p[2] or day))
            until = f"until {end}" if end is not None else "no expiry recorded"
            why = f"certification {name} required: held on {day} (from {start}, {until})"
            return certification_result(rule, "met", why)
        stand_in = rule.accepts_attributes
        if stand_in and all(lic.attributes.get(k) == v for k, v in stand_in.items()):
            listed = ", ".join(f"{k}={v}" for k, v in stand_in.items())
            why = (
                f"certification {' or '.join(rule.certifications)} required: the licence "
                f"records {listed}, which this rule accepts in its place (no dates: taken "
                "as held; record the certification instead)"
            )
            return certification_result(rule, "met", why)
        return certification_result(
            rule, "missing", certification_text(rule.certifications, day, periods)
        )

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
                [condition_text(pathway.only_if, pathway.unless)]
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
            return False, "", ("attested", attested_text(attested)), deadline
        if window.end < deadline:
            return False, f"one-time, due by {deadline}; not yet due this cycle", None, deadline
        if window.end <= due_end:
            why = f"one-time, due by {deadline}; credit since licensure counts"
            return True, why, None, deadline
        done = self._once_completed(version, part)
        if attested is not None and (done is None or attested[0] < done):
            return False, "", ("met-late", attested_text(attested) + " (late)"), deadline
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
                counts_of(version, self.registry, []),
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


def counts_of(
    version: RequirementVersion, registry: Registry, notes: list[str]
) -> Literal["claimed", "earned"]:
    """Whether the version counts claimed or earned credit (its own word, else its
    authority's); a note is added when the authority is unknown."""
    if version.counts is not None:
        return version.counts
    authority = registry.authorities.get(version.authority)
    if authority is None:
        notes.append(f"authority {version.authority} is not registered: earned credit counts")
        return "earned"
    return "claimed" if authority.requires_claim else "earned"


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


def still_owed(part: Part) -> bool:
    """A one-time part past its deadline that stays owed until done (``late = "owed"``)."""
    return isinstance(part.schedule, OncePerLicense) and part.schedule.late == "owed"


def owed(version: RequirementVersion, results: dict[str, PartResult]) -> bool:
    """Some one-time mandate is overdue and still owed: the renewal cannot be compliant."""
    return any(
        still_owed(part)
        and results.get(part.id) is not None
        and results[part.id].status == "overdue"
        for part in version.parts
    )


def certification_missing(version: RequirementVersion, results: dict[str, PartResult]) -> bool:
    """Some certification the rule requires is not held: the renewal cannot be compliant,
    whatever credit was earned."""
    return any(
        results.get(rule.id) is not None and results[rule.id].status == "missing"
        for rule in version.required_certifications
    )

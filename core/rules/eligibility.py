"""Which credits may count for one cycle, and what each is worth to the authority.

Pure functions of their inputs. A credit is excluded with a reason (revoked, not
completed yet, outside the window, not claimed or claimed late, type or accreditor not
accepted, over a repeat limit, a plugin rule); otherwise it becomes a ``Working`` credit
with its *value*: units (claimed units where claiming is required) times the
equivalence ratio, then weights and plugin rule kinds.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import date, timedelta
from decimal import ROUND_DOWN, Decimal
from typing import Literal

from credtrail.core.domain import CreditState
from credtrail.core.errors import RuleError
from credtrail.core.registry import Registry
from credtrail.core.rules.dates import add_months, months_in
from credtrail.core.rules.kinds import Candidate, CycleWindow, RuleKindEvaluator
from credtrail.core.rules.model import RequirementVersion, Selector
from credtrail.core.rules.result import Excluded, ExclusionRule, Valued

QUANTUM = Decimal("0.0001")
"""Values are kept to 4 decimals (rounded down), the precision the flow is solved in."""

Window = Literal["cycle", "grace", "prior"]


@dataclass(frozen=True)
class Working:
    """An eligible credit: ``value`` is what it is worth toward this requirement."""

    credit: CreditState
    value: Decimal
    window: Window

    @property
    def credit_id(self) -> str:
        return self.credit.credit_id


@dataclass(frozen=True)
class Scope:
    """Everything eligibility depends on besides the credits."""

    version: RequirementVersion
    window: CycleWindow
    on: date
    counts: Literal["claimed", "earned"]
    prior_from: date | None
    """Credit completed from this date to the cycle start counts toward the parts that
    look back (one-time parts: since licensure; ``within`` parts: N months)."""
    registry: Registry


def quantize(value: Decimal) -> Decimal:
    return tidy(value.quantize(QUANTUM, rounding=ROUND_DOWN))


def tidy(value: Decimal) -> Decimal:
    """``48.0000`` -> ``48``; ``1.5000`` -> ``1.5`` (never ``4.8E+1``)."""
    if value == value.to_integral_value():
        return value.quantize(Decimal(1))
    return value.normalize()


def ordered(credits: Mapping[str, CreditState] | Iterable[CreditState]) -> list[CreditState]:
    """Credits in completion order (then id): the order never depends on recording."""
    items = credits.values() if isinstance(credits, Mapping) else credits
    return sorted(items, key=lambda c: (c.completed_on, c.credit_id))


def matches(selector: Selector, credit: CreditState, scope: Scope) -> bool:
    """Whether ``credit`` is the kind of credit ``selector`` describes."""
    authority = scope.version.authority
    if selector.types and not any(
        scope.registry.counts_as(credit.credit_type, t, authority) is not None
        for t in selector.types
    ):
        return False
    topics = set(credit.topics)
    if selector.topics and not topics.intersection(selector.topics):
        return False
    if topics.intersection(selector.exclude_topics):
        return False
    if selector.formats and credit.format not in selector.formats:
        return False
    if credit.format is not None and credit.format in selector.exclude_formats:
        return False
    return not (selector.accreditors and credit.accreditor not in selector.accreditors)


def eligible(
    credits: Iterable[CreditState], scope: Scope
) -> tuple[list[Working], list[Excluded], list[Valued]]:
    """Screen, then value, every credit for this cycle."""
    working: list[Working] = []
    excluded: list[Excluded] = []
    valued: list[Valued] = []
    # Credit more than a cycle away from the window is not listed as excluded: it is
    # plainly elsewhere, and listing it would bury the near misses that need explaining.
    win = scope.window
    span = win.full_months or months_in(win.start, win.end, started=True)
    near_from = add_months(win.start, -span)
    if scope.prior_from is not None:
        near_from = min(near_from, scope.prior_from)
    near_to = add_months(win.end + timedelta(days=scope.version.grace.days), span)
    for credit in credits:
        if not near_from <= credit.completed_on <= near_to:
            continue
        result = _screen(credit, scope)
        if isinstance(result, Excluded):
            excluded.append(result)
            continue
        units, window, ratio, as_type = result
        value = quantize(units * ratio)
        if ratio != 1:
            valued.append(
                Valued(
                    credit_id=credit.credit_id,
                    units=tidy(units),
                    value=value,
                    reason=f"{credit.credit_type} counts as {as_type} at {tidy(ratio)}x",
                )
            )
        working.append(Working(credit, value, window))
    working = _repeat_limits(working, scope, excluded)
    working = _weights(working, scope, valued)
    working = _custom(working, scope, excluded, valued)
    return working, excluded, valued


def _screen(credit: CreditState, scope: Scope) -> Excluded | tuple[Decimal, Window, Decimal, str]:
    version, win = scope.version, scope.window
    authority = version.authority

    def out(rule: ExclusionRule, reason: str, units: Decimal = credit.units) -> Excluded:
        return Excluded(credit_id=credit.credit_id, units=tidy(units), rule=rule, reason=reason)

    if credit.revoked:
        return out("revoked", f"revoked ({credit.revoked_reason or 'no reason given'})")
    if credit.completed_on > scope.on:
        return out("not-completed-yet", f"completed on {credit.completed_on}, after {scope.on}")
    grace_end = win.end + timedelta(days=version.grace.days)
    window: Window
    if win.start <= credit.completed_on <= win.end:
        window = "cycle"
    elif win.end < credit.completed_on <= grace_end:
        window = "grace"
    elif scope.prior_from is not None and scope.prior_from <= credit.completed_on < win.start:
        window = "prior"
    else:
        return out(
            "outside-cycle",
            f"completed on {credit.completed_on}, outside the cycle {win.start} to {win.end}"
            + (f" and its grace period to {grace_end}" if version.grace.days else ""),
        )
    units = credit.units
    if scope.counts == "claimed":
        claimed = credit.claimed_by(authority, scope.on)
        if claimed <= 0:
            return out("not-claimed", f"not claimed toward {authority} (it counts claimed credit)")
        deadline = win.end + timedelta(days=version.grace.claim_days)
        if window == "grace":
            deadline = max(deadline, grace_end)
        # Each claim keeps its own date: a partial claim logged after the deadline does
        # not count, even when an earlier claim of the same credit did.
        on_time = credit.claimed_by(authority, min(deadline, scope.on))
        if on_time <= 0:
            late = [on for who, _, on in credit.claim_log if who == authority] or [
                credit.claim_dates[authority]
            ]
            return out("claimed-late", f"claimed on {min(late)}, after the deadline {deadline}")
        units = on_time
    ratio, as_type = Decimal(1), credit.credit_type
    if version.credit_types:
        best: tuple[Decimal, str] | None = None
        for target in version.credit_types:
            r = scope.registry.counts_as(credit.credit_type, target, authority)
            if r is not None and (best is None or r > best[0]):
                best = (r, target)
        if best is None:
            accepted = ", ".join(version.credit_types)
            return out(
                "type-not-accepted",
                f"{credit.credit_type} does not count toward {version.id} (accepts {accepted} "
                "and registered equivalents)",
                units,
            )
        ratio, as_type = best
    if version.accreditors and credit.accreditor not in version.accreditors:
        return out(
            "accreditor-not-accepted",
            f"accreditor {credit.accreditor or 'none'} not accepted "
            f"(accepts {', '.join(version.accreditors)})",
            units,
        )
    return units, window, ratio, as_type


def _repeat_limits(working: list[Working], scope: Scope, excluded: list[Excluded]) -> list[Working]:
    for limit in scope.version.repeat_limits:
        per_year: dict[tuple[str, int], int] = {}
        per_cycle: dict[str, int] = {}
        kept: list[Working] = []
        for w in working:
            if not matches(limit, w.credit, scope):
                kept.append(w)
                continue
            raw = w.credit.activity_id if limit.same == "activity_id" else (w.credit.title or "")
            key = " ".join(raw.split()).casefold()
            year = w.credit.completed_on.year
            if limit.per_calendar_year is not None and (
                per_year.get((key, year), 0) >= limit.per_calendar_year
            ):
                excluded.append(_limit_out(w, limit.id, f"already counted in {year}"))
                continue
            if limit.per_cycle is not None and per_cycle.get(key, 0) >= limit.per_cycle:
                excluded.append(_limit_out(w, limit.id, f"counted {limit.per_cycle}x this cycle"))
                continue
            per_year[(key, year)] = per_year.get((key, year), 0) + 1
            per_cycle[key] = per_cycle.get(key, 0) + 1
            kept.append(w)
        working = kept
    return working


def _limit_out(w: Working, rule_id: str, why: str) -> Excluded:
    return Excluded(
        credit_id=w.credit_id,
        units=w.value,
        rule="repeat-limit",
        reason=f"the same activity ({w.credit.activity_id}) {why} [{rule_id}]",
    )


def _weights(working: list[Working], scope: Scope, valued: list[Valued]) -> list[Working]:
    for weight in scope.version.weights:
        budget = weight.first_units
        out: list[Working] = []
        for w in working:
            if not matches(weight, w.credit, scope):
                out.append(w)
                continue
            base = w.value if budget is None else min(budget, w.value)
            if budget is not None:
                budget -= base
            value = quantize(w.value - base + base * weight.factor)
            if value != w.value:
                limit = f" (first {tidy(weight.first_units)} units)" if weight.first_units else ""
                valued.append(
                    Valued(
                        credit_id=w.credit_id,
                        units=w.value,
                        value=value,
                        reason=f"weighted {tidy(weight.factor)}x{limit} [{weight.id}]",
                    )
                )
            out.append(replace(w, value=value))
        working = out
    return working


def _custom(
    working: list[Working], scope: Scope, excluded: list[Excluded], valued: list[Valued]
) -> list[Working]:
    for rule in scope.version.custom:
        evaluator = scope.registry.rule_kinds.get(rule.kind)
        if evaluator is None:
            known = ", ".join(sorted(scope.registry.rule_kinds)) or "none"
            raise RuleError(
                f"requirement {scope.version.id} uses rule kind {rule.kind!r}, which no "
                f"installed plugin registers (registered: {known})"
            )
        if not isinstance(evaluator, RuleKindEvaluator):
            raise RuleError(f"the evaluator registered for rule kind {rule.kind!r} has no adjust()")
        try:
            evaluator.check(rule.params)
        except ValueError as exc:
            raise RuleError(f"custom rule {rule.id!r} ({rule.kind}): {exc}") from None
        candidates = [_candidate(w) for w in working]
        changes = {a.credit_id: a for a in evaluator.adjust(candidates, rule.params, scope.window)}
        out: list[Working] = []
        for w in working:
            change = changes.get(w.credit_id)
            if change is None:
                out.append(w)
            elif change.units <= 0:
                excluded.append(
                    Excluded(
                        credit_id=w.credit_id,
                        units=w.value,
                        rule="custom",
                        reason=f"{change.reason} [{rule.id}]",
                    )
                )
            else:
                value = quantize(change.units)
                valued.append(
                    Valued(
                        credit_id=w.credit_id,
                        units=w.value,
                        value=value,
                        reason=f"{change.reason} [{rule.id}]",
                    )
                )
                out.append(replace(w, value=value))
        working = out
    return working


def _candidate(w: Working) -> Candidate:
    c = w.credit
    return Candidate(
        credit_id=c.credit_id,
        credit_type=c.credit_type,
        units=w.value,
        completed_on=c.completed_on,
        topics=c.topics,
        format=c.format,
        activity_id=c.activity_id,
        title=c.title,
        accreditor=c.accreditor,
        provider=c.provider,
    )

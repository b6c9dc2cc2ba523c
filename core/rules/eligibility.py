"""Which credits may count for one cycle, and what each is worth to the authority.

Pure functions of their inputs. A credit is excluded with a reason (revoked, not
completed yet, outside the window, not claimed or claimed late, type or accreditor not
accepted, over a repeat limit, a plugin rule); otherwise it becomes a ``Working`` credit
with its *value*: units (claimed units where claiming is required) times the
equivalence ratio, then weights and plugin rule kinds.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from decimal import ROUND_DOWN, Decimal
from operator import attrgetter
from typing import Any, Literal

from credtrail.core.domain import CreditState
from credtrail.core.errors import RuleError
from credtrail.core.registry import Registry
from credtrail.core.rules.dates import add_months, months_in
from credtrail.core.rules.kinds import Candidate, CycleWindow, RuleKindEvaluator
from credtrail.core.rules.model import RequirementVersion, Selector
from credtrail.core.rules.result import Excluded, ExclusionRule, Valued

_COMPLETION_ORDER = attrgetter("completed_on", "credit_id")

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
    memo: dict[Any, Any] = field(default_factory=dict, compare=False, repr=False)
    """Equivalence ratios already asked of the registry (keyed by value); scopes of one
    evaluation share it."""

    def counts_as(self, credit_type: str, target: str) -> Decimal | None:
        """``registry.counts_as`` for this version's authority, looked up once."""
        key = ("counts_as", credit_type, target, self.version.authority)
        try:
            ratio: Decimal | None = self.memo[key]
        except KeyError:
            ratio = self.memo[key] = self.registry.counts_as(
                credit_type, target, self.version.authority
            )
        return ratio


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
    return sorted(items, key=_COMPLETION_ORDER)


def matches(selector: Selector, credit: CreditState, scope: Scope) -> bool:
    """Whether ``credit`` is the kind of credit ``selector`` describes."""
    if selector.types and not any(
        scope.counts_as(credit.credit_type, t) is not None for t in selector.types
    ):
        return False
    topics = {*credit.topics, *credit.topic_units}
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
    near_from, near_to = near(scope)
    screen = _Screen(scope)
    for credit in credits:
        if not near_from <= credit.completed_on <= near_to:
            continue
        result = screen(credit)
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


def near(scope: Scope) -> tuple[date, date]:
    """Credit completed outside these days (inclusive) is not screened at all."""
    win = scope.window
    span = win.full_months or months_in(win.start, win.end, started=True)
    near_from = add_months(win.start, -span)
    if scope.prior_from is not None:
        near_from = min(near_from, scope.prior_from)
    near_to = add_months(win.end + timedelta(days=scope.version.grace.days), span)
    return near_from, near_to


class _Screen:
    """Why a credit does not count for one scope, or what it counts as: what is the same
    for every credit is worked out once."""

    def __init__(self, scope: Scope) -> None:
        version, win = scope.version, scope.window
        self.scope = scope
        self.authority = version.authority
        self.on = scope.on
        self.start, self.end = win.start, win.end
        self.grace_end = win.end + timedelta(days=version.grace.days)
        self.prior_from = scope.prior_from
        self.claimed = scope.counts == "claimed"
        self.claim_deadline = win.end + timedelta(days=version.grace.claim_days)
        self.outside = f", outside the cycle {win.start} to {win.end}" + (
            f" and its grace period to {self.grace_end}" if version.grace.days else ""
        )
        self.types: dict[str, tuple[Decimal, str] | None] = {}

    def __call__(self, credit: CreditState) -> Excluded | tuple[Decimal, Window, Decimal, str]:
        if credit.revoked:
            return _out(
                credit, "revoked", f"revoked ({credit.revoked_reason or 'no reason given'})"
            )
        day = credit.completed_on
        if day > self.on:
            return _out(credit, "not-completed-yet", f"completed on {day}, after {self.on}")
        window: Window
        if self.start <= day <= self.end:
            window = "cycle"
        elif self.end < day <= self.grace_end:
            window = "grace"
        elif self.prior_from is not None and self.prior_from <= day < self.start:
            window = "prior"
        else:
            return _out(credit, "outside-cycle", f"completed on {day}{self.outside}")
        units = credit.units
        authority = self.authority
        if self.claimed:
            claimed = credit.claimed_by(authority, self.on)
            if claimed <= 0:
                return _out(
                    credit,
                    "not-claimed",
                    f"not claimed toward {authority} (it counts claimed credit)",
                )
            deadline = self.claim_deadline
            if window == "grace":
                deadline = max(deadline, self.grace_end)
            # Each claim keeps its own date: a partial claim logged after the deadline does
            # not count, even when an earlier claim of the same credit did.
            on_time = credit.claimed_by(authority, min(deadline, self.on))
            if on_time <= 0:
                late = [on for who, _, on in credit.claim_log if who == authority] or [
                    credit.claim_dates[authority]
                ]
                return _out(
                    credit, "claimed-late", f"claimed on {min(late)}, after the deadline {deadline}"
                )
            units = on_time
        version = self.scope.version
        ratio, as_type = Decimal(1), credit.credit_type
        if version.credit_types:
            best = self._best_type(credit.credit_type)
            if best is None:
                accepted = ", ".join(version.credit_types)
                return _out(
                    credit,
                    "type-not-accepted",
                    f"{credit.credit_type} does not count toward {version.id} (accepts {accepted} "
                    "and registered equivalents)",
                    units,
                )
            ratio, as_type = best
        if version.accreditors and credit.accreditor not in version.accreditors:
            return _out(
                credit,
                "accreditor-not-accepted",
                f"accreditor {credit.accreditor or 'none'} not accepted "
                f"(accepts {', '.join(version.accreditors)})",
                units,
            )
        return units, window, ratio, as_type

    def _best_type(self, credit_type: str) -> tuple[Decimal, str] | None:
        """The accepted type ``credit_type`` counts as at the best ratio (the first of equals)."""
        if credit_type in self.types:
            return self.types[credit_type]
        best: tuple[Decimal, str] | None = None
        for target in self.scope.version.credit_types:
            r = self.scope.counts_as(credit_type, target)
            if r is not None and (best is None or r > best[0]):
                best = (r, target)
        self.types[credit_type] = best
        return best


def _out(
    credit: CreditState, rule: ExclusionRule, reason: str, units: Decimal | None = None
) -> Excluded:
    return Excluded(
        credit_id=credit.credit_id,
        units=tidy(credit.units if units is None else units),
        rule=rule,
        reason=reason,
    )


def _repeat_limits(working: list[Working], scope: Scope, excluded: list[Excluded]) -> list[Working]:
    for limit in scope.version.repeat_limits:
        per_year: dict[tuple[str, int], int] = {}
        per_cycle: dict[str, int] = {}
        kept: list[Working] = []
        for w in working:
            if not matches(limit, w.credit, scope):
                kept.append(w)
                continue
            key = _repeat_key(w.credit, limit.same)
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


def _repeat_key(credit: CreditState, same: str) -> str:
    """What makes two credits "the same course" for a repeat limit: the activity id, or
    the title (spacing and case ignored). A credit without a title is the same only as
    its own activity: untitled credits are not one course."""
    if same == "title" and credit.title and credit.title.strip():
        return "title:" + " ".join(credit.title.split()).casefold()
    return "activity:" + " ".join(credit.activity_id.split()).casefold()


def _course(credit: CreditState) -> str:
    if credit.title and credit.title.strip():
        return f"course ({' '.join(credit.title.split())}, activity {credit.activity_id})"
    return f"activity ({credit.activity_id})"


def _limit_out(w: Working, rule_id: str, why: str) -> Excluded:
    return Excluded(
        credit_id=w.credit_id,
        units=w.value,
        rule="repeat-limit",
        reason=f"the same {_course(w.credit)} {why} [{rule_id}]",
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

"""The requirement rule format: one published version of an authority's requirement.

A requirement version is data (a TOML or JSON document a plugin ships or a user
records with ``credtrail requirement change``); ``load_requirement`` validates it into
a frozen ``RequirementVersion``. ``docs/rules.md`` is the reference for authors, with
a complete commented example; this module is its single source of truth.

Units everywhere are ``Decimal``. Write them in TOML as integers or strings
(``units = 12`` or ``units = "0.5"``); ``read_requirement_file`` also turns TOML floats
into exact decimals.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import Field, ValidationError, model_validator

from credtrail.core.errors import RuleError
from credtrail.core.models import (
    CODE_PATTERN,
    TOPIC_PATTERN,
    Citation,
    Frozen,
    PositiveUnits,
    Units,
)

Slug = Annotated[str, Field(pattern=TOPIC_PATTERN)]
CreditTypeCode = Annotated[str, Field(pattern=CODE_PATTERN)]
Months = Annotated[int, Field(ge=1, le=240)]
Share = Annotated[Decimal, Field(gt=0, le=1, max_digits=6, decimal_places=4)]
Attributes = dict[str, str]

TOTAL = "total"
"""The reserved target name of the requirement's overall total."""


# ----------------------------------------------------------------------------- cycles


class FixedCycle(Frozen):
    """Fixed calendar periods: every ``length_months`` from ``anchor`` (any cycle's first day).

    Pennsylvania physicians: ``anchor = 2023-01-01``, ``length_months = 24`` (Jan 1 of
    an odd year to Dec 31 of the next even year). ``parity_anchors`` picks the anchor by
    the parity of the licence number's last digit (Texas PAs: even numbers renew in
    even years). ``min_first_months``: a first cycle (licensure to the first cycle end)
    shorter than this is merged into the next cycle.
    """

    kind: Literal["fixed"]
    anchor: date
    length_months: Months
    parity_anchors: dict[Literal["even", "odd"], date] | None = None
    min_first_months: Annotated[int, Field(ge=0, le=120)] = 0


class LicenseCycle(Frozen):
    """Cycles anchored to a licence date, one every ``period_months``.

    ``anchor = "expiry"``: a cycle ends on the licence's expiry date (and every
    ``period_months`` before and after it); ``"issue"``: cycles start on the issue date
    and every ``period_months`` after it. ``end_of`` moves each end to the last day of
    its month or year; the window is the ``window_months`` (default ``period_months``)
    ending there. NCCPA: expiry anchor, ``end_of = "year"``, ``window_months = 32`` gives
    May 1 of the issue year to Dec 31 of the expiry year. A window never starts before
    the licence was issued: the first cycle may be short; one shorter than
    ``min_first_months`` is merged into the next (NCCPA: 12, so a certificate issued in
    June 2018 has its first cycle end on 31 December 2020, not 2018).
    """

    kind: Literal["license"]
    anchor: Literal["expiry", "issue"] = "expiry"
    period_months: Months
    window_months: Months | None = None
    end_of: Literal["day", "month", "year"] = "day"
    min_first_months: Annotated[int, Field(ge=0, le=120)] = 0


class BirthCycle(Frozen):
    """Cycles ending on the licensee's birthday or the last day of the birth month.

    The first cycle ends on the ``first_after_issue``-th such date after the issue
    date (California RNs: the second birthday); later ones every ``period_months``
    (a multiple of 12). A 29 February birthday ends on 28 February in common years.
    """

    kind: Literal["birth"]
    ends_on: Literal["birthday", "birth-month-end"] = "birthday"
    period_months: Months
    first_after_issue: Annotated[int, Field(ge=1, le=10)] = 1
    window_months: Months | None = None

    @model_validator(mode="after")
    def _whole_years(self) -> BirthCycle:
        if self.period_months % 12:
            raise ValueError("period_months of a birth cycle must be a multiple of 12")
        return self


class RollingCycle(Frozen):
    """A rolling window: the ``months`` before the evaluation date (or licence expiry)."""

    kind: Literal["rolling"]
    months: Months
    ends: Literal["evaluation-date", "license-expiry"] = "evaluation-date"


class OnceCycle(Frozen):
    """Once per licence: from the issue date to a deadline.

    The deadline is the earlier of ``within_months`` after issue and (with
    ``by_expiry``) the licence's expiry date.
    """

    kind: Literal["once"]
    within_months: Months | None = None
    by_expiry: bool = False

    @model_validator(mode="after")
    def _has_deadline(self) -> OnceCycle:
        if self.within_months is None and not self.by_expiry:
            raise ValueError("a once cycle needs within_months, by_expiry = true, or both")
        return self


Cycle = Annotated[
    FixedCycle | LicenseCycle | BirthCycle | RollingCycle | OnceCycle,
    Field(discriminator="kind"),
]


# -------------------------------------------------------------------- part schedules


class EveryCycle(Frozen):
    """The part applies in every cycle (the default)."""

    kind: Literal["every-cycle"] = "every-cycle"


class EveryNthRenewal(Frozen):
    """The part applies at renewal ``first``, then every ``every`` renewals.

    Renewals are numbered from 1 (the first cycle after licensure). Florida domestic
    violence: ``every = 3, first = 3`` (3rd, 6th, ...); Texas trafficking: ``every = 3,
    first = 1`` (1st, 4th, ...).
    """

    kind: Literal["every-nth-renewal"]
    every: Annotated[int, Field(ge=1, le=20)]
    first: Annotated[int, Field(ge=1, le=20)] = 1


class AtRenewals(Frozen):
    """The part applies only at the listed renewal numbers (``[1]``: first renewal only)."""

    kind: Literal["renewals"]
    numbers: tuple[Annotated[int, Field(ge=1)], ...] = Field(min_length=1)


class OncePerLicense(Frozen):
    """A one-time mandate: credit earned any time since licensure counts, once satisfied.

    Due by the earlier (``deadline = "later"``: the later) of the end of renewal
    ``due_by_renewal`` and ``due_within_months`` after issue (or after ``since``, for a
    licence issued before the mandate took effect). Before the cycle holding
    the deadline the part is shown but not yet due; in that cycle only credit completed
    by the deadline counts; in later cycles it is shown as ``met``, ``met-late``,
    ``attested`` or ``overdue``, and never as missing.
    """

    kind: Literal["once"]
    due_by_renewal: Annotated[int, Field(ge=1)] | None = None
    due_within_months: Months | None = None
    deadline: Literal["earlier", "later"] = "earlier"
    since: date | None = None
    """The day the mandate took effect for licences already held: their renewals are
    counted, and ``due_within_months`` runs, from then (default: from the issue date)."""
    late: Literal["owed", "history"] = "owed"
    """After the deadline, a mandate never completed is still ``owed`` (the renewal is
    not compliant until it is done or attested: most "one-time course" mandates), or
    only ``history``: a past renewal's failure, shown overdue but not owed now (a
    "first renewal" course such as Florida's HIV/AIDS hour for nurses)."""

    @model_validator(mode="after")
    def _has_deadline(self) -> OncePerLicense:
        if self.due_by_renewal is None and self.due_within_months is None:
            raise ValueError("a once schedule needs due_by_renewal, due_within_months or both")
        return self


class WithinMonths(Frozen):
    """Due every cycle, met by credit completed in the ``months`` before the cycle's end.

    For mandates whose period differs from the cycle's: New York infection control
    every 4 years on a 3-year registration (``months = 48``); Illinois topics once per
    6 years (``months = 72``). Credit from before the cycle start counts toward this
    part only, never toward the total.
    """

    kind: Literal["within"]
    months: Months


Schedule = Annotated[
    EveryCycle | EveryNthRenewal | AtRenewals | OncePerLicense | WithinMonths,
    Field(discriminator="kind"),
]


# ------------------------------------------------------------------ parts and limits


class Selector(Frozen):
    """Which credits a part, cap or rule concerns. Empty lists mean "any".

    ``types``: accepted credit types; credit of another type counts when a plugin
    registered an equivalence into one of them for this authority. ``topics``: the
    credit carries at least one of them. ``exclude_topics``: it carries none of them
    (Pennsylvania: child-abuse hours may not count toward patient safety).
    ``formats``/``exclude_formats``: the credit's format (``enduring``, ``self-study``,
    ``live``). ``accreditors``: the credit's accreditor is one of them.
    """

    types: tuple[CreditTypeCode, ...] = ()
    topics: tuple[Slug, ...] = ()
    exclude_topics: tuple[Slug, ...] = ()
    formats: tuple[str, ...] = ()
    exclude_formats: tuple[str, ...] = ()
    accreditors: tuple[str, ...] = ()


class Conditional(Frozen):
    """Licence attributes deciding whether something applies.

    ``only_if``: every listed attribute of the licence has that value (``{dea = "yes"}``);
    ``unless``: not applied when any listed attribute has that value.
    """

    only_if: Attributes = Field(default_factory=dict)
    unless: Attributes = Field(default_factory=dict)

    def applies_to(self, attributes: Mapping[str, str]) -> bool:
        if any(attributes.get(k) != v for k, v in self.only_if.items()):
            return False
        return not any(attributes.get(k) == v for k, v in self.unless.items())


class Total(Conditional):
    """The overall number of units required per cycle."""

    units: Units
    label: str = "Total"
    note: str | None = None


class Part(Selector, Conditional):
    """A minimum of units from some kind of credit (a type, a topic, or both).

    ``counts_toward_total``: units counted here also count toward the total (usual);
    ``false`` makes the part's units additional to the total (Florida RNs: 2 h domestic
    violence on top of 24). Parts may overlap: one credit hour can count toward several
    parts at once (Texas: trafficking counts as ethics, formal and total), except
    between parts sharing a ``group``, which split a credit's units between them.
    """

    id: Slug
    label: str | None = None
    units: PositiveUnits
    counts_toward_total: bool = True
    group: Slug | None = None
    schedule: Schedule = Field(default_factory=EveryCycle)
    source: Citation | None = None
    note: str | None = None


class Cap(Selector):
    """At most ``max_units``, or ``max_share`` of the required units, from some credit.

    ``applies_to`` names the targets it limits (``"total"`` or part ids). A share is
    of the target's required units (after pro-rating): California's "practice
    management at most 30%" of 50 is 15.
    """

    id: Slug
    label: str | None = None
    applies_to: tuple[str, ...] = (TOTAL,)
    max_units: Units | None = None
    max_share: Share | None = None
    note: str | None = None

    @model_validator(mode="after")
    def _one_limit(self) -> Cap:
        if (self.max_units is None) == (self.max_share is None):
            raise ValueError("a cap needs exactly one of max_units and max_share")
        return self


class Weight(Selector):
    """The authority values some credit at ``factor`` times its units.

    ``first_units``: only the first N units per cycle (in completion order) are
    weighted (NCCPA: the first 20 PI-CME credits count double). Weighted units count
    everywhere the credit counts for this requirement, and nowhere else.
    """

    id: Slug
    factor: PositiveUnits
    first_units: PositiveUnits | None = None
    note: str | None = None


class RepeatLimit(Selector):
    """The same activity counts at most so many times (NCCPA certification programs).

    Credits are "the same" when they share ``same`` (activity id or title). Earlier
    completions win; the rest are excluded with the limit as reason.
    """

    id: Slug
    same: Literal["activity_id", "title"] = "activity_id"
    per_calendar_year: Annotated[int, Field(ge=1)] | None = None
    per_cycle: Annotated[int, Field(ge=1)] | None = None
    note: str | None = None

    @model_validator(mode="after")
    def _some_limit(self) -> RepeatLimit:
        if self.per_calendar_year is None and self.per_cycle is None:
            raise ValueError("a repeat limit needs per_calendar_year, per_cycle or both")
        return self


class CarryOver(Frozen):
    """Excess units of one cycle count toward the next cycle's total (only the next).

    ``max_units``: at most this many carry (none: all excess). Credits counted toward
    an ``exclude_parts`` part never carry (Texas: required-topic credit is earned anew).
    """

    max_units: Units | None = None
    exclude_parts: tuple[str, ...] = ()
    note: str | None = None


class Grace(Frozen):
    """Time allowed after a cycle ends.

    ``days``: a deficiency may be cured with credit completed within this many days
    after the cycle's end (status ``cured``; Texas: 30). ``claim_days``: claims
    (logging) dated up to this many days after the end still count.
    """

    days: Annotated[int, Field(ge=0, le=730)] = 0
    claim_days: Annotated[int, Field(ge=0, le=730)] = 0
    cure_counts_next: bool = False
    """``true``: credit used to cure also counts toward the next cycle (the authority
    allows it); by default it is excluded there (``used-to-cure``; Ohio)."""


class ProRating(Frozen):
    """Fewer units are required in a first cycle shortened by a mid-cycle licensure.

    ``proportional``: required x months in the cycle / months in a full cycle;
    ``per-month``: ``units_per_month`` x months in the cycle. ``months = "whole"``
    counts whole months only, ``"started"`` counts a started month as whole. The result
    is rounded to a multiple of ``round_to`` (``down``, ``up`` or ``nearest``). Parts
    listed in ``parts`` are pro-rated the same way; the total always is.
    """

    method: Literal["proportional", "per-month"] = "proportional"
    units_per_month: PositiveUnits | None = None
    months: Literal["whole", "started"] = "whole"
    round_to: PositiveUnits = Decimal(1)
    rounding: Literal["down", "up", "nearest"] = "down"
    parts: tuple[str, ...] = ()
    note: str | None = None

    @model_validator(mode="after")
    def _per_month_rate(self) -> ProRating:
        if self.method == "per-month" and self.units_per_month is None:
            raise ValueError("per-month pro-rating needs units_per_month")
        return self


class FirstCycle(Frozen):
    """The first cycle after licensure is exempt (wholly, or if it is short).

    ``exempt_if_shorter_than_months``: exempt only when the first cycle is shorter;
    ``except_parts``: parts still required in an exempt first cycle (Florida: HIV/AIDS).
    """

    exempt: bool = True
    exempt_if_shorter_than_months: Months | None = None
    except_parts: tuple[str, ...] = ()
    note: str | None = None


class Pathway(Conditional):
    """An alternative way to satisfy the requirement, or some of its parts.

    Taken when every condition holds: an examination in ``exams`` passed within the
    cycle (to its grace end), a certification in ``certifications`` held on the cycle's
    end (or on the evaluation date if earlier), and the licence attributes of
    ``only_if``/``unless``. ``satisfies = "all"`` meets the whole requirement;
    otherwise the parts listed in ``exempts`` (``"total"`` for the total) are exempt
    and the others remain (``exempts_all_except``: every target but these).
    """

    id: Slug
    label: str | None = None
    exams: tuple[str, ...] = ()
    certifications: tuple[str, ...] = ()
    satisfies: Literal["all", "parts"] = "all"
    exempts: tuple[str, ...] = ()
    exempts_all_except: tuple[str, ...] | None = None
    source: Citation | None = None
    note: str | None = None


class RequiredCertification(Conditional):
    """A certification the authority REQUIRES for renewal, not one it accepts in lieu of
    credit (that is a ``Pathway``): Alaska, "Physician assistants must maintain a current
    active NCCPA certification to qualify for renewal".

    Met only when the clinician holds one of ``certifications`` (a code or a
    ``counts_as`` name of the certification vocabulary) on the cycle's end, or on the
    day judged if earlier; otherwise it is missing and the cycle cannot be compliant,
    whatever credit was earned. ``accepts_attributes``: licence attributes accepted in
    place of a recorded certification (``{nccpa-certified = "yes"}``, the stand-in of
    licences recorded before certifications were records), only where the rule says
    so; an attribute carries no dates, so it is taken as held. Neither a first-cycle
    exemption nor a pathway waives it, unless a pathway names its id in ``exempts``.
    """

    id: Slug
    label: str | None = None
    certifications: tuple[str, ...] = Field(min_length=1)
    accepts_attributes: Attributes = Field(default_factory=dict)
    source: Citation | None = None
    note: str | None = None


class Transition(Frozen):
    """A renewal whose governing date falls from ``effective_from`` to ``until`` (inclusive)
    may be judged by the previous version instead: both are judged and the one met is
    used (the newer when both or neither are)."""

    until: date
    note: str | None = None


class CustomRule(Frozen):
    """A rule kind a plugin registered (``credtrail_register_rule_kinds``), with parameters."""

    id: Slug
    kind: str = Field(min_length=1)
    params: dict[str, Any] = Field(default_factory=dict)
    note: str | None = None


# ------------------------------------------------------------------ the requirement


class RequirementVersion(Frozen):
    """One published version of a requirement, effective from a date."""

    id: Slug
    authority: str = Field(min_length=1)
    title: str | None = None
    professions: tuple[CreditTypeCode, ...] = Field(min_length=1)
    version: str = Field(min_length=1)
    effective_from: date
    version_policy: Literal["cycle-end", "cycle-start", "renewal-date"] = "cycle-end"
    transition: Transition | None = None
    source: Citation
    counts: Literal["claimed", "earned"] | None = None
    credit_types: tuple[CreditTypeCode, ...] = ()
    accreditors: tuple[str, ...] = ()
    cycle: Cycle
    total: Total | None = None
    parts: tuple[Part, ...] = ()
    caps: tuple[Cap, ...] = ()
    weights: tuple[Weight, ...] = ()
    repeat_limits: tuple[RepeatLimit, ...] = ()
    carry_over: CarryOver | None = None
    grace: Grace = Field(default_factory=Grace)
    pro_rating: ProRating | None = None
    first_cycle: FirstCycle | None = None
    custom: tuple[CustomRule, ...] = ()
    pathways: tuple[Pathway, ...] = ()
    required_certifications: tuple[RequiredCertification, ...] = ()
    notes: tuple[str, ...] = ()

    @model_validator(mode="after")
    def _coherent(self) -> RequirementVersion:
        if self.total is None and not self.parts and not self.required_certifications:
            raise ValueError(
                "a requirement needs a total, at least one part or required certification"
            )
        ids = [p.id for p in self.parts] + [c.id for c in self.required_certifications]
        duplicates = sorted({i for i in ids if ids.count(i) > 1})
        if duplicates:
            raise ValueError(
                "part and required certification ids must be unique; repeated: "
                + ", ".join(duplicates)
            )
        if TOTAL in ids:
            raise ValueError(f"{TOTAL!r} is reserved for the requirement's total")
        targets = {*ids, TOTAL}  # a pathway may name a required certification it waives
        part_ids = {p.id for p in self.parts}
        for cap in self.caps:
            _known(f"cap {cap.id!r} applies_to", cap.applies_to, part_ids | {TOTAL})
        if self.carry_over:
            _known("carry_over.exclude_parts", self.carry_over.exclude_parts, part_ids)
        if self.pro_rating:
            _known("pro_rating.parts", self.pro_rating.parts, part_ids)
        if self.first_cycle:
            _known("first_cycle.except_parts", self.first_cycle.except_parts, part_ids)
        for pathway in self.pathways:
            _known(f"pathway {pathway.id!r} exempts", pathway.exempts, targets)
            _known(
                f"pathway {pathway.id!r} exempts_all_except",
                pathway.exempts_all_except or (),
                targets,
            )
            if not (pathway.exams or pathway.certifications or pathway.only_if):
                raise ValueError(f"pathway {pathway.id!r} needs an exam, certification or only_if")
        for name in ("caps", "weights", "repeat_limits", "custom", "pathways"):
            rule_ids = [r.id for r in getattr(self, name)]
            if len(rule_ids) != len(set(rule_ids)):
                raise ValueError(f"{name} ids must be unique")
        return self

    def part(self, part_id: str) -> Part:
        for p in self.parts:
            if p.id == part_id:
                return p
        raise KeyError(part_id)

    def label(self) -> str:
        return f"{self.id} {self.version}"


def _known(where: str, names: tuple[str, ...], known: set[str]) -> None:
    unknown = [n for n in names if n not in known]
    if unknown:
        raise ValueError(
            f"{where} names unknown part(s) {', '.join(unknown)}; known: {', '.join(sorted(known))}"
        )


def load_requirement(document: Mapping[str, Any]) -> RequirementVersion:
    """Validate a requirement document (a dict from TOML or JSON) into a version.

    :raises RuleError: naming each bad field by its path (``parts.1.units: ...``).
    """
    if isinstance(document, RequirementVersion):
        return document
    if not isinstance(document, Mapping):
        raise RuleError(
            f"a requirement document must be a table/object, not {type(document).__name__}"
        )
    try:
        return RequirementVersion.model_validate(dict(document))
    except ValidationError as exc:
        ident = document.get("id", "?")
        raise RuleError(f"requirement {ident!r} is invalid: {describe_errors(exc)}") from None


def describe_errors(exc: ValidationError) -> str:
    """One ``path: message`` per pydantic error, joined by ``; ``."""
    lines = []
    for err in exc.errors():
        # Discriminated unions insert the tag into the path (cycle.license.period_months):
        # keep it, it tells the author which variant was checked.
        where = ".".join(str(p) for p in err["loc"]) or "document"
        message = err["msg"].removeprefix("Value error, ")
        lines.append(f"{where}: {message}")
    return "; ".join(lines)

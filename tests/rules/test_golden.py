"""Golden scenarios (shared/domain/research.md §6 and domain/README.md), each citing its rule.

The requirement documents are built here from the cited rule, not read from the plugins'
files, so each scenario pins the engine's behaviour independently of the rule data.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from credtrail.core.rules import Evaluation, evaluate

from .support import credit, document, license, make_registry

REGISTRY = make_registry()
D = Decimal


def run(
    doc: dict[str, Any], credits: list[Any], lic: Any, on: date, start: date | None = None
) -> Evaluation:
    return evaluate([doc], credits, lic, REGISTRY, on=on, cycle_start=start)


# ----------------------------------------------------------------------------- NCCPA

NCCPA = document(
    id="nccpa-cme",
    authority="NCCPA",
    professions=["pa"],
    credit_types=["aapa_1", "aapa_2"],
    cycle={
        "kind": "license",
        "anchor": "expiry",
        "period_months": 24,
        "window_months": 32,
        "end_of": "year",
        "min_first_months": 12,
    },
    total={"units": 100},
    parts=[{"id": "category-1", "units": 50, "types": ["aapa_1"]}],
    repeat_limits=[
        {
            "id": "certification-programs",
            "formats": ["certification-program"],
            "per_calendar_year": 1,
            "per_cycle": 2,
        }
    ],
)


def logged(
    units: int, on: date, kind: str = "aapa_1", logged_on: date | None = None, **kw: Any
) -> Any:
    """A PA credit logged with NCCPA (claimed toward it)."""
    return credit(
        units, on, kind, accreditor=None, claims={"NCCPA": (units, logged_on or on)}, **kw
    )


def test_g03_nccpa_category_1_minimum_and_ama_equivalence() -> None:
    """G03: NCCPA needs 100 incl. 50 Cat 1 (nccpa.net/ContinuingMedicalEducation); AMA PRA
    Cat 1 counts as Cat 1 (nccpa.net/CMECategoryTypes)."""
    lic = license(date(2016, 3, 1), date(2026, 12, 31))
    credits = [logged(40, date(2024, 6, 1)), logged(60, date(2025, 1, 1), "aapa_2")]
    before = run(NCCPA, credits, lic, date(2027, 2, 1), date(2024, 5, 1))
    assert (before.cycle_start, before.cycle_end) == (date(2024, 5, 1), date(2026, 12, 31))
    assert before.status == "deficient"
    assert before.missing == (("category-1", D(10)),)
    assert before.part("total").counted == D(100)

    ama = logged(10, date(2025, 2, 1), "ama_pra_1", credit_id="ama-10")
    after = run(NCCPA, [*credits, ama], lic, date(2027, 2, 1), date(2024, 5, 1))
    assert after.status == "compliant"
    assert after.counted == D(110)
    assert after.part("category-1").counted == D(50)
    assert after.counted_for("ama-10") == {"category-1": D(10), "total": D(10)}


def test_g05_nccpa_earning_window_edges() -> None:
    """G05: credit counts from May 1 of the issue year (nccpa.net: expiring 2020 ->
    2018-05-01 to 2020-12-31); 2018-04-30 is outside."""
    lic = license(date(2012, 1, 1), date(2020, 12, 31))
    early = logged(50, date(2018, 4, 30), credit_id="early")
    first_day = logged(50, date(2018, 5, 1), credit_id="first-day")
    result = run(NCCPA, [early, first_day], lic, date(2021, 2, 1), date(2018, 5, 1))
    assert result.counted_for("first-day") == {"category-1": D(50), "total": D(50)}
    excluded = {e.credit_id: e.rule for e in result.excluded}
    assert excluded == {"early": "outside-cycle"}


def test_g05_nccpa_logging_deadline() -> None:
    """G05: log by Dec 31 of the expiry year (nccpa.net); a log entry on Jan 1 is late and
    the cycle is not met."""
    lic = license(date(2012, 1, 1), date(2020, 12, 31))
    base = [logged(50, date(2019, 1, 1)), logged(40, date(2019, 2, 1), "aapa_2")]
    on_time = logged(10, date(2020, 12, 1), "aapa_2", logged_on=date(2020, 12, 31))
    late = logged(10, date(2020, 12, 1), "aapa_2", logged_on=date(2021, 1, 1), credit_id="late")
    assert run(NCCPA, [*base, on_time], lic, date(2021, 2, 1), date(2018, 5, 1)).status == (
        "compliant"
    )
    result = run(NCCPA, [*base, late], lic, date(2021, 2, 1), date(2018, 5, 1))
    assert result.status == "deficient"
    assert [(e.credit_id, e.rule) for e in result.excluded] == [("late", "claimed-late")]


def test_g06_nccpa_certification_program_limit() -> None:
    """G06: the same certification program counts once per calendar year and at most twice
    per cycle (nccpa.net/CMECategoryTypes)."""
    lic = license(date(2019, 5, 1), date(2020, 12, 31))
    runs = [
        logged(8, day, activity_id="ACLS", fmt="certification-program", credit_id=f"acls-{day}")
        for day in (date(2019, 6, 1), date(2019, 11, 1), date(2020, 6, 1))
    ]
    result = run(NCCPA, runs, lic, date(2021, 2, 1), date(2019, 5, 1))
    assert (result.cycle_start, result.cycle_end) == (date(2019, 5, 1), date(2020, 12, 31))
    assert result.part("total").counted == D(16)
    assert [(e.credit_id, e.rule) for e in result.excluded] == [("acls-2019-11-01", "repeat-limit")]


# --------------------------------------------------------------------------- Texas MD

TEXAS = document(
    id="us-tx-physician",
    authority="TX-TMB",
    credit_types=["ama_pra_1", "ama_pra_2"],
    cycle={"kind": "license", "anchor": "expiry", "period_months": 24},
    total={"units": 48},
    parts=[
        {"id": "formal", "units": 24, "types": ["ama_pra_1"]},
        {
            "id": "ethics",
            "units": 2,
            "types": ["ama_pra_1"],
            "topics": ["ethics", "human-trafficking"],
        },
        {
            "id": "human-trafficking",
            "units": 1,
            "topics": ["human-trafficking"],
            "schedule": {"kind": "every-nth-renewal", "every": 3, "first": 1},
        },
        {"id": "opioid", "units": 2, "topics": ["pain-management"]},
    ],
    carry_over={"max_units": 48, "exclude_parts": ["ethics", "human-trafficking", "opioid"]},
    grace={"days": 30},
)


def _g07_credits(with_ethics: bool = True) -> list[Any]:
    day = date(2025, 3, 1)
    out = [
        credit(1, day, topics=("human-trafficking",), credit_id="trafficking"),
        credit(2, day, topics=("pain-management",), credit_id="opioid"),
        credit(20, day, credit_id="other-cat1"),
        credit(24, day, "ama_pra_2", accreditor=None, credit_id="informal"),
    ]
    if with_ethics:
        out.append(credit(1, day, topics=("ethics",), credit_id="ethics"))
    return out


def test_g07_texas_totals_topic_overlap_trafficking_as_ethics() -> None:
    """G07: 48 credits, 24 formal, 2 ethics, opioid 2 (22 TAC §161.35(a)); trafficking hours
    count as ethics and formal hours (Occ. Code §156.060(c))."""
    lic = license(date(2019, 6, 1), date(2026, 5, 31))  # renewal 4: trafficking applies
    result = run(TEXAS, _g07_credits(), lic, date(2026, 6, 15), date(2024, 6, 1))
    assert result.renewal_number == 4
    assert result.status == "compliant"
    assert result.part("total").counted == D(48)
    assert result.part("formal").counted == D(24)
    assert result.part("ethics").counted == D(2)
    assert result.counted_for("trafficking") == {
        "ethics": D(1),
        "formal": D(1),
        "human-trafficking": D(1),
        "opioid": D(0),
        "total": D(1),
    } or result.counted_for("trafficking") == {
        "ethics": D(1),
        "formal": D(1),
        "human-trafficking": D(1),
        "total": D(1),
    }

    without = run(TEXAS, _g07_credits(with_ethics=False), lic, date(2026, 7, 15), date(2024, 6, 1))
    assert without.status == "deficient"
    assert dict(without.missing) == {"total": D(1), "formal": D(1), "ethics": D(1)}


def test_g08_texas_carry_forward_cap_and_exclusion() -> None:
    """G08: at most 48 excess credits carry to the next period only; required-topic credits
    may not be carried (22 TAC §161.35(c)(2),(3))."""
    lic = license(date(2019, 6, 1), date(2026, 5, 31))
    day = date(2025, 1, 10)
    credits = [
        credit(1, day, topics=("human-trafficking",)),
        credit(1, day, topics=("ethics",)),
        credit(2, day, topics=("pain-management",)),
        credit(96, day),
    ]
    period = run(TEXAS, credits, lic, date(2026, 6, 15), date(2024, 6, 1))
    assert period.status == "compliant"
    assert period.counted - period.required == D(52)
    assert period.carry_out == D(48)

    nxt = run(TEXAS, credits, lic, date(2026, 7, 1))
    assert (nxt.cycle_start, nxt.carry_in) == (date(2026, 6, 1), D(48))
    assert nxt.part("total").status == "met"
    assert nxt.status == "in_progress"
    assert dict(nxt.missing) == {"formal": D(24), "ethics": D(2), "opioid": D(2)}


def test_g08_topic_credits_never_carry() -> None:
    """G08: excess made only of required-topic credit carries nothing."""
    lic = license(date(2019, 6, 1), date(2026, 5, 31))
    credits = [credit(60, date(2025, 1, 10), topics=("ethics", "pain-management"))]
    result = run(TEXAS, credits, lic, date(2026, 6, 15), date(2024, 6, 1))
    assert result.counted == D(60)
    assert result.carry_out == D(0)


def test_g09_texas_cure_window() -> None:
    """G09: a deficiency may be remedied within 30 days after the renewal due date
    (22 TAC §161.35(c)(1))."""
    lic = license(date(2019, 6, 1), date(2026, 5, 31))
    base = [*_g07_credits(with_ethics=True)]
    base[2] = credit(18, date(2025, 3, 1), credit_id="other-cat1")  # 46 of 48 at the due date
    cured = [*base, credit(2, date(2026, 6, 20), credit_id="cure")]
    late = [*base, credit(2, date(2026, 7, 5), credit_id="too-late")]

    result = run(TEXAS, cured, lic, date(2026, 8, 1), date(2024, 6, 1))
    assert result.status == "cured"
    assert result.grace_until == date(2026, 6, 30)
    assert result.counted_for("cure")["total"] == D(2)

    result = run(TEXAS, late, lic, date(2026, 8, 1), date(2024, 6, 1))
    assert result.status == "deficient"
    assert ("too-late", "outside-cycle") in [(e.credit_id, e.rule) for e in result.excluded]

    during = run(TEXAS, base, lic, date(2026, 6, 10), date(2024, 6, 1))
    assert during.status == "in_progress"


def test_g09_cure_credit_not_counted_twice() -> None:
    """G09/OH: credit used to cure a period does not also count for the next one."""
    lic = license(date(2019, 6, 1), date(2026, 5, 31))
    base = _g07_credits()
    base[2] = credit(18, date(2025, 3, 1))
    cure = credit(2, date(2026, 6, 20), credit_id="cure")
    nxt = run(TEXAS, [*base, cure], lic, date(2026, 8, 1))
    assert nxt.cycle_start == date(2026, 6, 1)
    reasons = [(e.credit_id, e.rule) for e in nxt.excluded]
    assert ("cure", "used-to-cure") in reasons
    assert nxt.counted_for("cure") == {}


# ----------------------------------------------------------------------- Pennsylvania

PENNSYLVANIA = document(
    id="us-pa-physician",
    authority="PA-SBM",
    credit_types=["ama_pra_1", "ama_pra_2"],
    cycle={"kind": "fixed", "anchor": "2023-01-01", "length_months": 24},
    total={"units": 100},
    parts=[
        {"id": "category-1", "units": 20, "types": ["ama_pra_1"]},
        {
            "id": "patient-safety",
            "units": 12,
            "topics": ["risk-management", "patient-safety"],
            "exclude_topics": ["child-abuse", "opioid"],
        },
        {"id": "child-abuse", "units": 2, "topics": ["child-abuse"]},
    ],
)


def test_g10_pennsylvania_exclusive_buckets() -> None:
    """G10: 100 h, ≥20 Cat 1, ≥12 patient safety, 2 h child abuse (49 Pa. Code §16.19(b));
    child-abuse and opioid hours may not count toward patient safety (cce.upmc.com ◐)."""
    lic = license(date(2005, 1, 1))
    day = date(2024, 3, 1)
    credits = [
        credit(2, day, topics=("child-abuse", "risk-management")),
        credit(2, day, topics=("opioid", "risk-management")),
        credit(8, day, "ama_pra_2", accreditor=None, topics=("risk-management",)),
        credit(21, day),
        credit(67, day, "ama_pra_2", accreditor=None),
    ]
    result = run(PENNSYLVANIA, credits, lic, date(2025, 2, 1), date(2023, 1, 1))
    assert (result.cycle_start, result.cycle_end) == (date(2023, 1, 1), date(2024, 12, 31))
    assert result.status == "deficient"
    assert result.part("patient-safety").counted == D(8)
    assert dict(result.missing) == {"patient-safety": D(4)}

    more = [*credits, credit(4, day, "ama_pra_2", accreditor=None, topics=("patient-safety",))]
    assert run(PENNSYLVANIA, more, lic, date(2025, 2, 1), date(2023, 1, 1)).status == ("compliant")


# ------------------------------------------------------------------------- Florida MD

FLORIDA_MD = document(
    id="us-fl-physician",
    authority="FL-BOM",
    credit_types=["ama_pra_1", "ama_pra_2"],
    cycle={"kind": "license", "anchor": "expiry", "period_months": 24},
    total={"units": 40},
    parts=[
        {
            "id": "hiv-aids",
            "units": 1,
            "types": ["ama_pra_1"],
            "topics": ["hiv-aids"],
            "schedule": {"kind": "renewals", "numbers": [1]},
        },
        {"id": "medical-errors", "units": 2, "topics": ["medical-errors"]},
        {
            "id": "domestic-violence",
            "units": 2,
            "topics": ["domestic-violence"],
            "schedule": {"kind": "every-nth-renewal", "every": 3, "first": 3},
        },
        {
            "id": "controlled-substances",
            "units": 2,
            "topics": ["controlled-substance-prescribing"],
            "only_if": {"dea": "yes"},
        },
    ],
    first_cycle={"exempt": True, "except_parts": ["hiv-aids", "medical-errors"]},
)


def test_g16_florida_first_renewal_hiv_not_dv() -> None:
    """G16: HIV/AIDS 1 h at the first renewal; the 40 h from the 2nd renewal on (◐ assumption,
    64B8-13.005(1)(b)); DV not required at renewal 1."""
    lic = license(date(2020, 3, 15), date(2022, 1, 31))
    day = date(2021, 3, 1)
    credits = [credit(1, day, topics=("hiv-aids",)), credit(2, day, topics=("medical-errors",))]
    result = run(FLORIDA_MD, credits, lic, date(2022, 3, 1), date(2020, 3, 15))
    assert result.renewal_number == 1
    assert result.status == "compliant"
    assert result.part("total").status == "exempt"
    assert result.part("hiv-aids").status == "met"
    assert result.part("domestic-violence").status == "not-applicable"


def test_g16_florida_third_renewal_dv_and_dea() -> None:
    """G16: renewal #3 needs 40 h incl. 2 h DV (64B8-13.005(1)(a)), no HIV; a DEA registrant
    also needs 2 h controlled-substance prescribing (F.S. 456.0301)."""
    day = date(2025, 3, 1)
    credits = [
        credit(2, day, topics=("domestic-violence",)),
        credit(2, day, topics=("medical-errors",)),
        credit(36, day),
    ]
    plain = license(date(2020, 3, 15), date(2022, 1, 31))
    result = run(FLORIDA_MD, credits, plain, date(2026, 3, 1), date(2024, 2, 1))
    assert result.renewal_number == 3
    assert result.status == "compliant"
    assert result.part("hiv-aids").status == "not-applicable"
    assert result.part("domestic-violence").status == "met"

    dea = license(date(2020, 3, 15), date(2022, 1, 31), attributes={"dea": "yes"})
    result = run(FLORIDA_MD, credits, dea, date(2026, 3, 1), date(2024, 2, 1))
    assert result.status == "deficient"
    assert dict(result.missing) == {"controlled-substances": D(2)}

    no_dv = [credits[1], credit(38, day)]
    result = run(FLORIDA_MD, no_dv, plain, date(2026, 3, 1), date(2024, 2, 1))
    assert dict(result.missing) == {"domestic-violence": D(2)}


# ------------------------------------------------------------------------- Florida RN

FLORIDA_RN = document(
    id="us-fl-nurse",
    authority="FL-BON",
    professions=["nurse"],
    credit_types=["ancc_contact_hour"],
    cycle={"kind": "license", "anchor": "expiry", "period_months": 24},
    total={"units": 24, "unless": {"specialty-certified": "yes"}},
    parts=[
        {
            "id": "medical-errors",
            "units": 2,
            "topics": ["medical-errors"],
            "unless": {"specialty-certified": "yes"},
        },
        {
            "id": "laws-and-rules",
            "units": 2,
            "topics": ["florida-laws-and-rules"],
            "unless": {"specialty-certified": "yes"},
        },
        {"id": "human-trafficking", "units": 2, "topics": ["human-trafficking"]},
        {
            "id": "domestic-violence",
            "units": 2,
            "topics": ["domestic-violence"],
            "counts_toward_total": False,
            "schedule": {"kind": "every-nth-renewal", "every": 3, "first": 3},
            "unless": {"specialty-certified": "yes"},
        },
    ],
)


def nurse_credit(units: int, on: date, *topics: str, **kw: Any) -> Any:
    return credit(units, on, "ancc_contact_hour", accreditor="ANCC", topics=topics, **kw)


def test_g17_florida_rn_third_renewal_needs_26_with_dv() -> None:
    """G17: 24 h per biennium; 2 h DV every third renewal on top (26 that time)
    (floridasnursing.gov FAQ)."""
    lic = license(date(2018, 6, 1), date(2020, 4, 30))  # renewal 3 ends 2024-04-30
    day = date(2023, 6, 1)
    mandated = [
        nurse_credit(2, day, "medical-errors"),
        nurse_credit(2, day, "florida-laws-and-rules"),
        nurse_credit(2, day, "human-trafficking"),
    ]
    no_dv = [*mandated, nurse_credit(18, day)]
    result = run(FLORIDA_RN, no_dv, lic, date(2024, 6, 1), date(2022, 5, 1))
    assert result.renewal_number == 3
    assert result.status == "deficient"
    assert dict(result.missing) == {"domestic-violence": D(2)}

    dv_inside = [*mandated, nurse_credit(2, day, "domestic-violence"), nurse_credit(16, day)]
    result = run(FLORIDA_RN, dv_inside, lic, date(2024, 6, 1), date(2022, 5, 1))
    assert dict(result.missing) == {"total": D(2)}

    full = [*dv_inside, nurse_credit(2, day)]
    assert run(FLORIDA_RN, full, lic, date(2024, 6, 1), date(2022, 5, 1)).status == "compliant"


def test_g17_specialty_certified_rn_needs_only_trafficking() -> None:
    """G17: a nurse with NCCA-accredited specialty certification is exempt from all but
    trafficking (floridasnursing.gov FAQ)."""
    lic = license(date(2018, 6, 1), date(2020, 4, 30), attributes={"specialty-certified": "yes"})
    credits = [nurse_credit(2, date(2023, 6, 1), "human-trafficking")]
    result = run(FLORIDA_RN, credits, lic, date(2024, 6, 1), date(2022, 5, 1))
    assert result.status == "compliant"
    assert result.part("total").status == "not-applicable"
    assert result.part("human-trafficking").status == "met"


# --------------------------------------------------------------- domain/README examples


def test_readme_example_1_pa_category_1_short_then_compliant() -> None:
    """README example 1: 100 credits with 40 Cat 1 is 10 Cat 1 short; 10 AMA PRA Cat 1 more
    makes the PA compliant (NCCPA; AMA PRA Cat 1 accepted as Cat 1)."""
    lic = license(date(2021, 1, 1), date(2026, 12, 31))
    on = date(2026, 10, 1)
    credits = [logged(40, date(2025, 1, 5)), logged(60, date(2025, 2, 5), "aapa_2")]
    result = run(NCCPA, credits, lic, on)
    assert result.status == "in_progress"
    assert result.missing == (("category-1", D(10)),)
    credits.append(logged(10, date(2025, 3, 5), "ama_pra_1"))
    assert run(NCCPA, credits, lic, on).status == "compliant"


def test_readme_example_3_credit_outside_cycle_does_not_count() -> None:
    """README example 3: credit for an activity completed outside the cycle does not count."""
    lic = license(date(2005, 1, 1))
    inside = credit(100, date(2024, 12, 31), credit_id="inside")
    outside = credit(100, date(2025, 1, 1), credit_id="outside")
    doc = document(total={"units": 100})
    result = run(doc, [inside, outside], lic, date(2024, 12, 31))
    assert result.counted_for("inside") == {"total": D(100)}
    assert result.counted_for("outside") == {}
    assert [(e.credit_id, e.rule) for e in result.excluded] == [("outside", "not-completed-yet")]
    later = run(doc, [outside], lic, date(2025, 6, 1), date(2023, 1, 1))
    assert [(e.credit_id, e.rule) for e in later.excluded] == [("outside", "outside-cycle")]
    assert later.status == "deficient"


def test_readme_example_4_category_2_never_counts_as_category_1() -> None:
    """README example 4: Category 2 credit never counts toward a Category 1 minimum."""
    lic = license(date(2005, 1, 1))
    doc = document(
        credit_types=["ama_pra_1", "ama_pra_2"],
        total={"units": 50},
        parts=[{"id": "category-1", "units": 20, "types": ["ama_pra_1"]}],
    )
    credits = [credit(500, date(2024, 1, 1), "ama_pra_2", accreditor=None)]
    result = run(doc, credits, lic, date(2025, 2, 1), date(2023, 1, 1))
    assert result.part("total").status == "met"
    assert result.part("category-1").counted == D(0)
    assert result.status == "deficient"

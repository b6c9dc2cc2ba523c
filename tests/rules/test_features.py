"""Rule features one at a time: counting, exclusions, caps, weights, schedules, versions."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from credtrail.core.errors import RuleError
from credtrail.core.models import Citation, Equivalence
from credtrail.core.rules import (
    Adjustment,
    Candidate,
    CycleWindow,
    Evaluation,
    check_requirement,
    evaluate,
    evaluate_history,
    load_requirement,
    resolve,
)

from .support import credit, document, license, make_registry

D = Decimal
REGISTRY = make_registry()
LIC = license(date(2005, 1, 1))
DAY = date(2024, 3, 1)
AFTER = date(2025, 3, 1)
START = date(2023, 1, 1)


def run(
    doc: dict[str, Any],
    credits: list[Any],
    lic: Any = LIC,
    on: date = AFTER,
    start: date | None = START,
    registry: Any = REGISTRY,
) -> Evaluation:
    return evaluate([doc], credits, lic, registry, on=on, cycle_start=start)


def rules(result: Evaluation) -> list[tuple[str, str]]:
    return [(e.credit_id, e.rule) for e in result.excluded]


# ------------------------------------------------------------------- what counts


def test_claimed_mode_counts_only_claimed_units() -> None:
    """Where the authority requires claiming, only the claimed units count."""
    doc = document(authority="NCCPA", total={"units": 10})
    part = credit(10, DAY, claims={"NCCPA": (4, DAY)}, credit_id="part")
    none = credit(10, DAY, credit_id="none")
    result = run(doc, [part, none])
    assert result.counts == "claimed"
    assert result.counted_for("part") == {"total": D(4)}
    assert rules(result) == [("none", "not-claimed")]


def test_earned_mode_ignores_claims() -> None:
    """A requirement that counts earned credit counts every unit earned."""
    result = run(document(total={"units": 10}), [credit(10, DAY)])
    assert (result.counts, result.status) == ("earned", "compliant")


def test_counts_field_overrides_authority_default() -> None:
    """counts = "claimed" in the document applies even if the authority attests."""
    result = run(document(counts="claimed", total={"units": 1}), [credit(1, DAY, credit_id="x")])
    assert rules(result) == [("x", "not-claimed")]


def test_revoked_credit_is_excluded_with_reason() -> None:
    """A revoked credit never counts; the reason says it was revoked and why."""
    result = run(document(total={"units": 1}), [credit(1, DAY, revoked=True, credit_id="r")])
    assert rules(result) == [("r", "revoked")]
    assert "provider withdrew it" in result.excluded[0].reason


def test_credit_completed_after_evaluation_date_is_not_counted() -> None:
    """Evaluating on a past date ignores credit completed after it (a valid-time view)."""
    result = run(
        document(total={"units": 1}),
        [credit(1, DAY, credit_id="x")],
        on=date(2024, 2, 1),
        start=None,
    )
    assert rules(result) == [("x", "not-completed-yet")]
    assert result.status == "in_progress"


def test_type_not_accepted() -> None:
    """Credit of a type the requirement does not accept is excluded, naming what it accepts."""
    doc = document(credit_types=["ama_pra_1"], total={"units": 1})
    result = run(doc, [credit(1, DAY, "ancc_contact_hour", credit_id="n")])
    assert rules(result) == [("n", "type-not-accepted")]
    assert "accepts ama_pra_1" in result.excluded[0].reason


def test_accreditor_not_accepted() -> None:
    """A requirement limited to some accreditors excludes credit from others."""
    doc = document(accreditors=["ACCME"], total={"units": 1})
    result = run(doc, [credit(1, DAY, accreditor="AOA", credit_id="a")])
    assert rules(result) == [("a", "accreditor-not-accepted")]


def test_equivalence_only_for_named_authority() -> None:
    """An equivalence restricted to one authority does not help another."""
    texas = document(authority="TX-TMB", credit_types=["ama_pra_1"], total={"units": 1})
    other = document(authority="XX-B", credit_types=["ama_pra_1"], total={"units": 1})
    aoa = credit(1, DAY, "aoa_1a", accreditor="AOA", credit_id="aoa")
    assert run(texas, [aoa]).status == "compliant"
    assert rules(run(other, [aoa])) == [("aoa", "type-not-accepted")]


def test_equivalence_ratio_multiplies_and_is_explained() -> None:
    """An equivalence at ratio 0.5 counts half the units, and says so."""
    registry = make_registry()
    registry.equivalences.append(
        Equivalence(
            from_type="ancc_contact_hour",
            to_type="ama_pra_2",
            ratio=D("0.5"),
            source=Citation(authority="T", document="t", date_read=DAY),
        )
    )
    doc = document(credit_types=["ama_pra_2"], total={"units": 5})
    result = run(doc, [credit(10, DAY, "ancc_contact_hour", credit_id="n")], registry=registry)
    assert result.counted_for("n") == {"total": D(5)}
    assert result.valued[0].value == D(5)
    assert "0.5x" in result.valued[0].reason


def test_part_with_no_matching_credit_excludes_unmatched() -> None:
    """Credit that fits no applicable target is excluded as matching no part."""
    doc = document(parts=[{"id": "ethics", "units": 2, "topics": ["ethics"]}])
    result = run(doc, [credit(5, DAY, credit_id="x")])
    assert rules(result) == [("x", "no-matching-part")]
    assert result.status == "deficient"


# ------------------------------------------------------------- allocation semantics


def test_overlap_counts_one_credit_toward_several_parts() -> None:
    """One credit hour counts toward the total and every part it fits."""
    doc = document(
        total={"units": 2},
        parts=[
            {"id": "ethics", "units": 2, "topics": ["ethics"]},
            {"id": "formal", "units": 2, "types": ["ama_pra_1"]},
        ],
    )
    result = run(doc, [credit(2, DAY, topics=("ethics",), credit_id="x")])
    assert result.status == "compliant"
    assert result.counted_for("x") == {"ethics": D(2), "formal": D(2), "total": D(2)}


def test_group_splits_units_and_is_solved_exactly() -> None:
    """Parts in one group split a credit's units; the exact solver finds the only fit
    (a greedy pass giving the two-topic credit to the first part would fail)."""
    doc = document(
        parts=[
            {"id": "alpha", "units": 2, "topics": ["a"], "group": "g"},
            {"id": "beta", "units": 2, "topics": ["b"], "group": "g"},
        ]
    )
    both = credit(2, date(2023, 2, 1), topics=("a", "b"), credit_id="both")
    only_a = credit(2, date(2023, 3, 1), topics=("a",), credit_id="only-a")
    result = run(doc, [both, only_a])
    assert result.status == "compliant"
    assert result.counted_for("both") == {"beta": D(2)}
    assert result.counted_for("only-a") == {"alpha": D(2)}


def test_exclusive_part_units_do_not_count_toward_total() -> None:
    """A part with counts_toward_total = false takes units the total cannot use."""
    doc = document(
        total={"units": 4},
        parts=[{"id": "dv", "units": 2, "topics": ["dv"], "counts_toward_total": False}],
    )
    result = run(doc, [credit(4, DAY, topics=("dv",), credit_id="x")])
    assert result.counted_for("x") == {"dv": D(2), "total": D(2)}
    assert dict(result.missing) == {"total": D(2)}


def test_cap_in_units_limits_the_total() -> None:
    """At most 24 informal (Category 2) credits count toward the total."""
    doc = document(
        credit_types=["ama_pra_1", "ama_pra_2"],
        total={"units": 48},
        caps=[{"id": "informal", "types": ["ama_pra_2"], "max_units": 24}],
    )
    credits = [credit(40, DAY, "ama_pra_2", accreditor=None, credit_id="cat2"), credit(20, DAY)]
    result = run(doc, credits)
    assert result.counted_for("cat2") == {"total": D(24)}
    assert dict(result.missing) == {"total": D(4)}
    assert [(u.credit_id, u.units) for u in result.unused] == [("cat2", D(16))]
    assert "cap informal reached" in result.unused[0].reason


def test_cap_as_share_of_required() -> None:
    """California: practice-management courses count for at most 30% of the 50 hours."""
    doc = document(
        total={"units": 50},
        caps=[{"id": "practice-mgmt", "topics": ["practice-management"], "max_share": "0.3"}],
    )
    credits = [credit(30, DAY, topics=("practice-management",), credit_id="pm"), credit(35, DAY)]
    result = run(doc, credits)
    assert result.counted_for("pm") == {"total": D(15)}
    assert result.status == "compliant"


def test_cap_does_not_limit_parts_it_does_not_name() -> None:
    """A cap on the total leaves the part the same credit fits untouched."""
    doc = document(
        total={"units": 10},
        parts=[{"id": "ethics", "units": 5, "topics": ["ethics"]}],
        caps=[{"id": "enduring", "formats": ["enduring"], "max_units": 2}],
    )
    result = run(doc, [credit(5, DAY, topics=("ethics",), fmt="enduring", credit_id="x")])
    assert result.counted_for("x") == {"ethics": D(5), "total": D(2)}


def test_weights_nccpa_sa_and_first_20_pi() -> None:
    """G04: NCCPA adds 50% to SA-CME and doubles the first 20 PI-CME credits per cycle
    (nccpa.net/qanda): 10 SA + 30 PI + 35 Cat 2 count as 100 with 65 Category 1."""
    doc = document(
        authority="NCCPA",
        counts="earned",
        total={"units": 100},
        parts=[{"id": "category-1", "units": 50, "topics": ["cat1"]}],
        weights=[
            {"id": "sa", "formats": ["sa-cme"], "factor": "1.5"},
            {"id": "pi", "formats": ["pi-cme"], "factor": 2, "first_units": 20},
        ],
    )
    credits = [
        credit(10, date(2023, 2, 1), topics=("cat1",), fmt="sa-cme"),
        credit(12, date(2023, 3, 1), topics=("cat1",), fmt="pi-cme", credit_id="pi-a"),
        credit(18, date(2023, 4, 1), topics=("cat1",), fmt="pi-cme", credit_id="pi-b"),
        credit(35, date(2023, 5, 1)),
    ]
    result = run(doc, credits)
    assert result.status == "compliant"
    assert result.part("total").counted == D(100)
    assert result.part("category-1").counted == D(65)
    assert result.counted_for("pi-b")["total"] == D(26)  # 8 doubled + 10 at face value


def test_repeat_limit_per_cycle() -> None:
    """A repeat limit of twice per cycle excludes the third completion."""
    doc = document(
        total={"units": 100},
        repeat_limits=[{"id": "twice", "same": "activity_id", "per_cycle": 2}],
    )
    credits = [
        credit(8, date(y, 6, 1), activity_id="ACLS", credit_id=f"a{y}") for y in (2023, 2024)
    ] + [credit(8, date(2024, 9, 1), activity_id="ACLS", credit_id="a-third")]
    assert rules(run(doc, credits)) == [("a-third", "repeat-limit")]


def test_repeat_limit_by_title_never_joins_untitled_credits() -> None:
    """Untitled credits are not one course: a title limit counts each on its own, and
    the same title (spacing and case aside) is the same course."""
    doc = document(
        total={"units": 100},
        repeat_limits=[{"id": "once", "same": "title", "per_cycle": 1}],
    )
    credits = [
        credit(2, date(2024, 3, 1), credit_id="untitled-1"),
        credit(2, date(2024, 4, 1), credit_id="untitled-2"),
        credit(2, date(2024, 5, 1), credit_id="acls-1", title="ACLS  Renewal"),
        credit(2, date(2024, 6, 1), credit_id="acls-2", title="acls renewal"),
    ]
    assert rules(run(doc, credits)) == [("acls-2", "repeat-limit")]


class HalveEnduring:
    """A plugin rule kind: enduring material counts half; over ``max`` units it is dropped."""

    def check(self, params: Mapping[str, Any]) -> None:
        if not isinstance(params.get("max"), int):
            raise ValueError("params.max must be an integer")

    def adjust(
        self, candidates: Sequence[Candidate], params: Mapping[str, Any], cycle: CycleWindow
    ) -> Sequence[Adjustment]:
        out = []
        for c in candidates:
            if c.format != "enduring":
                continue
            units = D(0) if c.units > params["max"] else c.units / 2
            out.append(Adjustment(credit_id=c.credit_id, units=units, reason="enduring halved"))
        return out


def test_custom_rule_kind_adjusts_and_excludes() -> None:
    """A plugin-registered rule kind changes values and excludes credits, with reasons."""
    registry = make_registry({"halve-enduring": HalveEnduring()})
    doc = document(
        total={"units": 10},
        custom=[{"id": "halve", "kind": "halve-enduring", "params": {"max": 10}}],
    )
    credits = [
        credit(8, DAY, fmt="enduring", credit_id="e"),
        credit(12, DAY, fmt="enduring", credit_id="big"),
        credit(6, DAY, credit_id="live"),
    ]
    result = run(doc, credits, registry=registry)
    assert result.counted_for("e") == {"total": D(4)}
    assert rules(result) == [("big", "custom")]
    assert "enduring halved [halve]" in result.excluded[0].reason
    assert result.status == "compliant"


def test_unknown_custom_kind_and_bad_params_are_rule_errors() -> None:
    """A rule kind no plugin registered, or bad params, is a RuleError naming it."""
    doc = document(total={"units": 1}, custom=[{"id": "x", "kind": "nope"}])
    with pytest.raises(RuleError, match=r"'nope'.*no installed plugin"):
        run(doc, [credit(1, DAY)])
    bad = document(total={"units": 1}, custom=[{"id": "x", "kind": "h", "params": {"max": "a"}}])
    with pytest.raises(RuleError, match=r"params\.max must be an integer"):
        run(bad, [credit(1, DAY)], registry=make_registry({"h": HalveEnduring()}))


def test_check_requirement_names_unregistered_codes() -> None:
    """check_requirement lists every unregistered code the document names."""
    version = load_requirement(
        document(
            credit_types=["ama_pra_9"],
            total={"units": 1},
            parts=[{"id": "p", "units": 1, "types": ["nope_1"]}],
        )
    )
    with pytest.raises(RuleError, match=r"ama_pra_9.*nope_1|nope_1.*ama_pra_9"):
        check_requirement(version, REGISTRY)
    check_requirement(load_requirement(document(total={"units": 1})), REGISTRY)


# ------------------------------------------------------------------------- cycles


def test_pro_rating_proportional_for_short_first_cycle() -> None:
    """A first cycle of 9 of 24 months requires 50 x 9/24 = 18.75, rounded down to 18."""
    doc = document(total={"units": 50}, pro_rating={"method": "proportional"})
    lic = license(date(2023, 3, 10))  # first cycle 2023-03-10 .. 2024-12-31: 21 whole months
    result = run(doc, [credit(43, DAY)], lic=lic, start=date(2023, 3, 10))
    assert result.required == D(43)  # 50 * 21 / 24 = 43.75 -> 43
    assert result.status == "compliant"
    assert "21 of 24 months" in (result.part("total").why or "")


def test_pro_rating_per_month_with_started_months() -> None:
    """Florida RN style: 1 hour per (started) month of a short first cycle."""
    doc = document(
        total={"units": 24},
        pro_rating={"method": "per-month", "units_per_month": 1, "months": "started"},
    )
    lic = license(date(2024, 3, 10))  # 2024-03-10 .. 2024-12-31: 10 started months
    result = run(doc, [], lic=lic, start=date(2024, 3, 10))
    assert result.required == D(10)


def test_full_cycle_is_not_pro_rated() -> None:
    """Pro-rating only touches a first cycle cut short by licensure."""
    doc = document(total={"units": 50}, pro_rating={"method": "proportional"})
    assert run(doc, []).required == D(50)


def test_first_cycle_exempt_only_if_short() -> None:
    """Texas PA (old rule): a first registration under 12 months is exempt; longer is not."""
    doc = document(total={"units": 40}, first_cycle={"exempt_if_shorter_than_months": 12})
    short = run(doc, [], lic=license(date(2024, 3, 1)), start=date(2024, 3, 1))
    assert short.status == "exempt"
    long = run(doc, [], lic=license(date(2023, 2, 1)), start=date(2023, 2, 1))
    assert long.status == "deficient"


def test_once_part_not_due_before_deadline_then_counts_prior_credit() -> None:
    """California: 12 h pain management once, by the earlier of the 2nd renewal or 4 years
    (B&P 2190.5); not yet due in cycle 1; credit from cycle 1 satisfies it in cycle 2."""
    doc = document(
        total={"units": 50},
        parts=[
            {
                "id": "pain",
                "units": 12,
                "topics": ["pain-management"],
                "schedule": {"kind": "once", "due_by_renewal": 2, "due_within_months": 48},
            }
        ],
    )
    lic = license(date(2021, 1, 1))
    first = [
        credit(12, date(2022, 5, 1), topics=("pain-management",), credit_id="pain"),
        credit(50, date(2022, 6, 1)),
    ]
    c1 = run(doc, first, lic=lic, start=date(2021, 1, 1), on=date(2023, 1, 15))
    assert c1.part("pain").status == "met"
    c1_short = run(doc, first[1:], lic=lic, start=date(2021, 1, 1), on=date(2023, 1, 15))
    assert c1_short.part("pain").status == "not-due"
    assert c1_short.status == "compliant"

    c2 = run(doc, [*first, credit(50, date(2024, 6, 1))], lic=lic, on=date(2025, 1, 15))
    assert c2.renewal_number == 2
    assert c2.counted_for("pain") == {"pain": D(12)}
    assert c2.status == "compliant"
    c2_without = run(doc, [first[1], credit(50, date(2024, 6, 1))], lic=lic, on=date(2025, 1, 15))
    assert dict(c2_without.missing) == {"pain": D(12)}


def test_statuses_before_and_after_cycle_end() -> None:
    """Unmet before the end is in progress; met early is compliant; unmet after is deficient."""
    doc = document(total={"units": 10})
    assert run(doc, [], on=date(2024, 6, 1), start=None).status == "in_progress"
    assert run(doc, [credit(10, DAY)], on=date(2024, 6, 1), start=None).status == "compliant"
    assert run(doc, [], on=date(2025, 1, 1), start=START).status == "deficient"


def test_rolling_window_is_judged_on_the_date() -> None:
    """A rolling window has no 'in progress': unmet on the date is deficient."""
    doc = document(cycle={"kind": "rolling", "months": 36}, total={"units": 16})
    credits = [credit(10, date(2022, 9, 1)), credit(10, date(2025, 1, 1))]
    assert run(doc, credits, on=date(2025, 6, 1), start=None).status == "compliant"
    late = run(doc, credits, on=date(2026, 6, 1), start=None)
    assert late.status == "deficient"


# ------------------------------------------------------------------------ versions

V1 = document(
    version="hb0",
    effective_from="2000-01-01",
    cycle={"kind": "license", "anchor": "issue", "period_months": 24},
    credit_types=["ama_pra_1", "ama_pra_2"],
    total={"units": 100},
    parts=[{"id": "category-1", "units": 40, "types": ["ama_pra_1"]}],
)
V2 = {
    **V1,
    "version": "hb166",
    "effective_from": "2019-10-17",
    "total": {"units": 50},
    "parts": [{"id": "category-1", "units": 50, "types": ["ama_pra_1"]}],
}


def test_mid_cycle_change_uses_version_in_force_at_cycle_end() -> None:
    """Ohio HB 166 (effective 2019-10-17): a cycle ending after the change is judged by the
    new rule, one ending before it by the old rule (default policy: version at cycle end)."""
    lic = license(date(2016, 1, 1))  # cycles 2016-01-01..2017-12-31, 2018-01-01..2019-12-31
    credits = [
        credit(45, date(2017, 6, 1)),
        credit(55, date(2017, 7, 1), "ama_pra_2", accreditor=None),
        credit(50, date(2019, 6, 1)),
    ]
    before = evaluate([V1, V2], credits, lic, REGISTRY, on=date(2017, 12, 31))
    assert (before.version, before.required, before.status) == ("hb0", D(100), "compliant")
    spanning = evaluate([V2, V1], credits, lic, REGISTRY, on=date(2019, 12, 31))
    assert (spanning.cycle_start, spanning.version) == (date(2018, 1, 1), "hb166")
    assert (spanning.required, spanning.status) == (D(50), "compliant")


def test_cycle_start_policy_keeps_the_old_version_for_a_spanning_cycle() -> None:
    """With version_policy = cycle-start, a cycle that began before a change keeps the old rule."""
    v1 = {**V1, "version_policy": "cycle-start"}
    v2 = {**V2, "version_policy": "cycle-start"}
    lic = license(date(2016, 1, 1))
    version, window = resolve([v1, v2], lic, date(2019, 12, 31))
    assert (window.start, version.version) == (date(2018, 1, 1), "hb0")
    version, window = resolve([v1, v2], lic, date(2020, 1, 1))
    assert (window.start, version.version) == (date(2020, 1, 1), "hb166")


def test_no_version_in_force_uses_earliest_with_note() -> None:
    """A cycle before every known version is judged by the earliest, and says so."""
    doc = document(effective_from="2030-01-01", total={"units": 1})
    result = run(doc, [credit(1, DAY)])
    assert result.status == "compliant"
    assert any("no version was in force" in n for n in result.notes)


def test_mixed_requirement_ids_are_rejected() -> None:
    """Versions of two different requirements cannot be evaluated together."""
    with pytest.raises(RuleError, match="different requirements"):
        evaluate(
            [document(total={"units": 1}), document(id="other", total={"units": 1})],
            [],
            LIC,
            REGISTRY,
            on=AFTER,
        )


# --------------------------------------------------------------------------- output


def test_json_shape_has_the_issue_keys_and_decimal_strings() -> None:
    """to_json has requirement, version, cycle dates, status, required, counted, missing
    and allocation first, with units as decimal strings."""
    doc = document(
        total={"units": "2.5"}, parts=[{"id": "ethics", "units": 1, "topics": ["ethics"]}]
    )
    data = run(doc, [credit("1.25", DAY, credit_id="x")]).to_json()
    assert list(data)[:9] == [
        "requirement",
        "version",
        "cycle_start",
        "cycle_end",
        "status",
        "required",
        "counted",
        "missing",
        "allocation",
    ]
    assert data["required"] == "2.5"
    assert data["counted"] == "1.25"
    assert data["missing"] == [{"part": "total", "units": "1.25"}, {"part": "ethics", "units": "1"}]
    assert data["allocation"] == [{"credit_id": "x", "part": "total", "units": "1.25"}]
    assert data["cycle_start"] == "2023-01-01"
    assert data["source"]["document"] == "test rule"


def test_history_matches_cycle_by_cycle_evaluation() -> None:
    """evaluate_history gives every cycle's final result, as evaluate does one at a time,
    with carry-over flowing between them (Texas: 22 TAC §161.35(c))."""
    doc = document(
        cycle={"kind": "license", "anchor": "expiry", "period_months": 24},
        total={"units": 48},
        carry_over={"max_units": 48},
        grace={"days": 30},
    )
    lic = license(date(2018, 6, 1), date(2026, 5, 31))
    credits = [
        credit(100, date(2019, 1, 1)),
        credit(46, date(2021, 1, 1)),
        credit(2, date(2022, 6, 20), credit_id="cure"),
    ]
    history = evaluate_history([doc], credits, lic, REGISTRY, on=date(2024, 7, 1))
    assert [(e.cycle_start, e.status) for e in history] == [
        (date(2018, 6, 1), "compliant"),
        (date(2020, 6, 1), "compliant"),
        (date(2022, 6, 1), "compliant"),
        (date(2024, 6, 1), "in_progress"),
    ]
    # 52 excess, 48 carried; next period the carried units meet the requirement first, so
    # its own 46 are excess and carry on; 2 + 46 meets the third period.
    assert (history[0].carry_out, history[1].carry_in) == (D(48), D(48))
    assert (history[1].carry_out, history[2].carry_in) == (D(46), D(46))
    one_by_one = [
        evaluate([doc], credits, lic, REGISTRY, on=date(2024, 7, 1), cycle_start=e.cycle_start)
        for e in history
    ]
    assert [e.to_json() for e in one_by_one] == [e.to_json() for e in history]
    assert (
        evaluate_history([doc], credits, lic, REGISTRY, on=date(2024, 7, 1), since=date(2023, 1, 1))
        == history[2:]
    )


def test_within_schedule_counts_credit_from_before_the_cycle() -> None:
    """New York: infection control every 4 years (PHL §239) on a 3-year registration: a
    course 3.5 years before the cycle end counts toward that part only; one 4.5 years
    before does not."""
    doc = document(
        cycle={"kind": "fixed", "anchor": "2024-01-01", "length_months": 36},
        total={"units": 0},
        parts=[
            {
                "id": "infection-control",
                "units": 1,
                "topics": ["infection-control"],
                "schedule": {"kind": "within", "months": 48},
            }
        ],
    )
    recent = credit(1, date(2023, 6, 1), topics=("infection-control",), credit_id="recent")
    old = credit(1, date(2022, 6, 1), topics=("infection-control",), credit_id="old")
    result = run(doc, [recent], on=date(2027, 1, 15), start=date(2024, 1, 1))
    assert result.status == "compliant"
    assert result.counted_for("recent") == {"infection-control": D(1)}
    assert "since 2023-01-01" in (result.part("infection-control").why or "")
    result = run(doc, [old], on=date(2027, 1, 15), start=date(2024, 1, 1))
    assert result.status == "deficient"
    assert (result.required, result.counted) == (D(1), D(0))
    assert rules(result) == [("old", "outside-cycle")]


def test_change_effective_mid_cycle_on_both_sides_of_the_date() -> None:
    """A version effective 2019-10-17 governs the cycle 2018-01-01..2019-12-31 whether it is
    judged before or after that date (policy: version at cycle end), the cycle before it
    keeps the old version, and without the new version recorded (as of an earlier
    instant) the old one applies."""
    lic = license(date(2016, 1, 1))
    credits = [credit(50, date(2018, 3, 1))]
    before_change = evaluate([V1, V2], credits, lic, REGISTRY, on=date(2019, 6, 1))
    after_change = evaluate([V1, V2], credits, lic, REGISTRY, on=date(2019, 11, 1))
    assert before_change.cycle_start == after_change.cycle_start == date(2018, 1, 1)
    assert (before_change.version, after_change.version) == ("hb166", "hb166")
    assert after_change.status == "compliant"
    earlier = evaluate([V1, V2], credits, lic, REGISTRY, on=date(2017, 6, 1))
    assert (earlier.cycle_start, earlier.version) == (date(2016, 1, 1), "hb0")
    as_recorded_then = evaluate([V1], credits, lic, REGISTRY, on=date(2019, 6, 1))
    assert (as_recorded_then.version, as_recorded_then.status) == ("hb0", "in_progress")

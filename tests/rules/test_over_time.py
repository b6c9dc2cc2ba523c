"""Requirements over time (issue 13): renewal history, one-time deadlines, version
transitions, cure credit, alternative pathways and topic hours inside a credit."""

from __future__ import annotations

import itertools
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from credtrail.core.domain import LicenseState
from credtrail.core.rules import evaluate, evaluate_history
from credtrail.core.rules.cycles import cycle_windows
from credtrail.core.rules.dates import add_months
from credtrail.core.rules.model import LicenseCycle
from credtrail.core.rules.result import Evaluation

from .support import credit, document, license, make_registry

D = Decimal
REGISTRY = make_registry()
PROPERTY = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
BIENNIAL = {"kind": "license", "anchor": "expiry", "period_months": 24}


def renewed(lic: LicenseState, *terms: tuple[date, date, date]) -> LicenseState:
    return lic.model_copy(update={"renewals": list(terms), "expires_on": terms[-1][2]})


def judge(doc: dict[str, Any], credits: list[Any], lic: LicenseState, on: date) -> Evaluation:
    return evaluate([doc], credits, lic, REGISTRY, on=on)


def renewal(
    docs: list[dict[str, Any]], credits: list[Any], lic: LicenseState, on: date, number: int | date
) -> Evaluation:
    """Renewal ``number`` (or the cycle ending on the date ``number``) as judged on ``on``."""
    history = evaluate_history(docs, credits, lic, REGISTRY, on=on)
    return next(e for e in history if number in (e.renewal_number, e.cycle_end))


# --------------------------------------------------------------------- renewal history


# B&P §2190.5 (California physicians, research.md §2.1): 12 hours of pain management by
# the earlier of the second renewal or four years after licensure. A short initial
# period merges into the first cycle (rule data: min_first_months).
CA_PAIN = document(
    authority="CA-MBC",
    cycle={**BIENNIAL, "min_first_months": 12},
    total={"units": 50},
    parts=[
        {
            "id": "pain-management",
            "units": 12,
            "topics": ["pain-management"],
            "schedule": {"kind": "once", "due_by_renewal": 2, "due_within_months": 48},
        }
    ],
)
CA_LICENCE = renewed(
    license(date(2021, 6, 10), requirement="us-xx-test"),
    (date(2023, 6, 1), date(2023, 6, 30), date(2025, 6, 30)),
)


def test_recorded_renewals_number_the_cycles_and_a_short_initial_period_merges() -> None:
    """Issued 2021-06-10, renewed for the term ending 2023-06-30: the 20 days to 2021-06-30
    are no renewal; 2025-06-30 is renewal 2 and the mandate is due 2025-06-09."""
    windows = list(
        itertools.islice(
            cycle_windows(
                LicenseCycle.model_validate(CA_PAIN["cycle"]), CA_LICENCE, date(2026, 1, 1)
            ),
            3,
        )
    )
    assert [(w.start, w.end, w.number) for w in windows] == [
        (date(2021, 6, 10), date(2023, 6, 30), 1),
        (date(2023, 7, 1), date(2025, 6, 30), 2),
        (date(2025, 7, 1), date(2027, 6, 30), 3),
    ]
    assert windows[0].renewed_on == date(2023, 6, 1)
    result = renewal([CA_PAIN], [credit(50, date(2024, 1, 1))], CA_LICENCE, date(2025, 7, 15), 2)
    assert result.part("pain-management").why == (
        "one-time, due by 2025-06-09; credit since licensure counts"
    )


def test_a_one_time_mandate_completed_after_its_deadline_is_not_met_then_met_late() -> None:
    """Pain hours completed 2025-06-20, after the 2025-06-09 deadline: renewal 2 is
    deficient; renewal 3 shows the part as met late, not missing."""
    late = [
        credit(50, date(2024, 1, 1)),
        credit(12, date(2025, 6, 20), topics=("pain-management",)),
    ]
    due = renewal([CA_PAIN], late, CA_LICENCE, date(2025, 7, 15), 2)
    assert due.status == "deficient"
    assert dict(due.missing) == {"pain-management": D(12)}
    later = renewal(
        [CA_PAIN], [*late, credit(50, date(2026, 1, 1))], CA_LICENCE, date(2027, 7, 15), 3
    )
    assert later.status == "compliant"
    assert later.part("pain-management").status == "met-late"
    on_time = [
        credit(50, date(2024, 1, 1)),
        credit(12, date(2025, 5, 1), topics=("pain-management",)),
    ]
    assert renewal([CA_PAIN], on_time, CA_LICENCE, date(2025, 7, 15), 2).status == "compliant"
    again = renewal(
        [CA_PAIN], [*on_time, credit(50, date(2026, 1, 1))], CA_LICENCE, date(2027, 7, 15), 3
    )
    assert again.part("pain-management").status == "met"


# Florida RN (floridasnursing.gov FAQ, research.md §2.2): 1 h HIV/AIDS once before the
# first renewal.
FL_HIV = document(
    authority="FL-BON",
    professions=["nurse"],
    credit_types=["ancc_contact_hour"],
    cycle=BIENNIAL,
    total={"units": 24},
    parts=[
        {
            "id": "hiv-aids",
            "units": 1,
            "topics": ["hiv-aids"],
            "schedule": {"kind": "once", "due_by_renewal": 1, "late": "history"},
        }
    ],
)
FL_LICENCE = license(date(2013, 5, 1), date(2027, 4, 30))


def test_a_first_renewal_mandate_is_not_missing_at_the_seventh_renewal() -> None:
    """Renewal 7 with no HIV/AIDS hour on record: shown overdue (due 2015-04-30), never as
    missing, and the renewal's status does not depend on it."""
    hours = [credit(24, date(2026, 1, 1), "ancc_contact_hour", accreditor="ANCC")]
    result = judge(FL_HIV, hours, FL_LICENCE, date(2027, 3, 1))
    assert result.renewal_number == 7
    assert result.part("hiv-aids").status == "overdue"
    assert result.missing == ()
    assert result.status == "compliant"


def test_an_attested_one_time_mandate_shows_as_attested_not_as_credit() -> None:
    """The clinician attests the HIV/AIDS hour was done in 2014, before credtrail's records."""
    lic = FL_LICENCE.model_copy(
        update={"attestations": [("hiv-aids", date(2014, 9, 1), "course before credtrail")]}
    )
    hours = [credit(24, date(2026, 1, 1), "ancc_contact_hour", accreditor="ANCC")]
    result = judge(FL_HIV, hours, lic, date(2027, 3, 1))
    part = result.part("hiv-aids")
    assert (part.status, part.counted) == ("attested", D(0))
    assert part.why == "attested: completed 2014-09-01 (course before credtrail); not credit"
    assert result.status == "compliant"
    assert "hiv-aids" not in {a.part for a in result.allocation}


def test_the_later_of_two_deadlines() -> None:
    """``deadline = "later"``: due by the later of renewal 1 (2020-12-31) and 36 months
    after issue (2022-12-31)."""
    doc = document(
        cycle=BIENNIAL,
        parts=[
            {
                "id": "x",
                "units": 2,
                "topics": ["ethics"],
                "schedule": {
                    "kind": "once",
                    "due_by_renewal": 1,
                    "due_within_months": 36,
                    "deadline": "later",
                },
            }
        ],
    )
    lic = license(date(2020, 1, 1), date(2026, 12, 31))
    first = judge(doc, [], lic, date(2020, 6, 1))  # renewal 1 ends 2020-12-31
    assert first.part("x").status == "not-due"
    assert first.part("x").why == "one-time, due by 2022-12-31; not yet due this cycle"


# ---------------------------------------------------------------- version transitions


def _versions(transition: dict[str, Any] | None) -> list[dict[str, Any]]:
    """Ohio HB 166 (research.md §2.1, §3: transition by renewal date): 100 hours before,
    50 Category 1 after; here the new version also asks 1 h of a new topic."""
    old = document(version="v1", cycle=BIENNIAL, total={"units": 100})
    new = document(
        version="v2",
        effective_from="2019-10-17",
        version_policy="renewal-date",
        cycle=BIENNIAL,
        total={"units": 50},
        parts=[{"id": "duty-to-report", "units": 1, "topics": ["duty-to-report"]}],
    )
    if transition:
        new["transition"] = transition
    return [old, new]


OH_LICENCE = license(date(2010, 1, 1), date(2020, 1, 31))
OH_END = date(2020, 1, 31)


def test_a_renewal_in_the_transition_window_may_be_judged_by_the_previous_version() -> None:
    """100 hours but no duty-to-report hour, renewal 2020-01-31: the new version is not
    met, the previous one is, and the evaluation says so."""
    hours = [credit(100, date(2019, 1, 1))]
    plain = renewal(_versions(None), hours, OH_LICENCE, date(2020, 3, 1), OH_END)
    assert (plain.cycle_end, plain.version, plain.status) == (date(2020, 1, 31), "v2", "deficient")
    eased = renewal(_versions({"until": "2020-12-31"}), hours, OH_LICENCE, date(2020, 3, 1), OH_END)
    assert (eased.version, eased.status) == ("v1", "compliant")
    assert eased.version_why is not None
    assert "previous version v1" in eased.version_why


def test_a_transition_keeps_the_newer_version_when_neither_is_met() -> None:
    """Neither version met: the newer one judges, and says neither was."""
    hours = [credit(10, date(2019, 1, 1))]
    result = renewal(
        _versions({"until": "2020-12-31"}), hours, OH_LICENCE, date(2020, 3, 1), OH_END
    )
    assert result.version == "v2"
    assert result.version_why is not None
    assert "neither" in result.version_why


@PROPERTY
@given(
    st.lists(st.tuples(st.integers(0, 700), st.integers(1, 60), st.booleans()), max_size=5),
    st.integers(0, 400),
)
def test_a_transition_never_makes_a_clinician_less_compliant_than_both_versions(
    raw: list[tuple[int, int, bool]], offset: int
) -> None:
    """Met under the transition whenever either version alone is met."""
    lic = license(date(2010, 1, 1), date(2020, 1, 31) + timedelta(days=offset))
    hours = [
        credit(
            units, date(2018, 6, 1) + timedelta(days=day), topics=("duty-to-report",) if t else ()
        )
        for day, units, t in raw
    ]
    on = date(2021, 6, 1)
    met = ("compliant", "cured", "exempt")
    old, new = _versions(None)
    eased = evaluate(_versions({"until": "2020-12-31"}), hours, lic, REGISTRY, on=on)
    start = eased.cycle_start
    if eased.status == "in_progress":
        return
    alone = [
        evaluate([v], hours, lic, REGISTRY, on=on, cycle_start=start).status for v in (old, new)
    ]
    if any(s in met for s in alone):
        assert eased.status in met


# ------------------------------------------------------------------------ cure credit


def _cure_doc(**grace: Any) -> dict[str, Any]:
    """22 TAC §161.35 (Texas physicians, research.md G09): a deficiency may be cured within
    30 days after the renewal date."""
    return document(
        authority="TX-TMB", cycle=BIENNIAL, total={"units": 48}, grace={"days": 30, **grace}
    )


TX_LICENCE = license(date(2010, 1, 1), date(2026, 5, 31))


def test_cure_credit_applies_only_what_is_needed_and_is_not_counted_twice() -> None:
    """46 of 48 by 2026-05-31; 5 credits on 2026-06-20: 2 cure the period (status cured),
    and in the next period 2 are excluded as used-to-cure while 3 count."""
    hours = [credit(46, date(2025, 1, 1)), credit(5, date(2026, 6, 20), credit_id="cure")]
    history = evaluate_history([_cure_doc()], hours, TX_LICENCE, REGISTRY, on=date(2026, 9, 1))
    cured, following = history[-2], history[-1]
    assert cured.status == "cured"
    assert [(c.credit_id, c.units) for c in cured.cure] == [("cure", D(2))]
    assert [
        (e.credit_id, e.units, e.rule) for e in following.excluded if e.credit_id == "cure"
    ] == [("cure", D(2), "used-to-cure")]
    assert following.counted_for("cure") == {"total": D(3)}


def test_cure_credit_counts_again_where_the_authority_allows_it() -> None:
    """``grace.cure_counts_next = true``: nothing excluded from the next period."""
    hours = [credit(46, date(2025, 1, 1)), credit(5, date(2026, 6, 20), credit_id="cure")]
    doc = _cure_doc(cure_counts_next=True)
    history = evaluate_history([doc], hours, TX_LICENCE, REGISTRY, on=date(2026, 9, 1))
    assert history[-2].status == "cured"
    assert [e for e in history[-1].excluded if e.credit_id == "cure"] == []
    assert history[-1].counted_for("cure") == {"total": D(5)}


# ------------------------------------------------------------------ pathways and topics


# AANPCB (aanpcert.org/recert, research.md §1.3): renew by 100 CE hours with >= 25
# pharmacology, or by re-examination.
AANP = document(
    authority="XX-B",
    professions=["nurse"],
    credit_types=["ancc_contact_hour"],
    cycle={"kind": "license", "anchor": "expiry", "period_months": 60},
    total={"units": 100},
    parts=[{"id": "pharmacology", "units": 25, "topics": ["pharmacology"]}],
    pathways=[{"id": "examination", "exams": ["AANPCB-FNP"]}],
)
NP_LICENCE = license(date(2020, 1, 1), date(2025, 12, 31))


def test_an_exam_pathway_satisfies_the_whole_requirement_and_is_named() -> None:
    """Recertified by examination in the cycle: compliant with no CE hours."""
    lic = NP_LICENCE.model_copy(update={"exams": [("AANPCB-FNP", date(2025, 9, 1))]})
    result = judge(AANP, [], lic, date(2025, 10, 1))
    assert (result.status, result.pathway) == ("compliant", "examination")
    assert (
        result.part("pharmacology").why
        == "pathway examination: exam AANPCB-FNP passed on 2025-09-01"
    )
    old_exam = NP_LICENCE.model_copy(update={"exams": [("AANPCB-FNP", date(2019, 9, 1))]})
    assert judge(AANP, [], old_exam, date(2025, 10, 1)).pathway is None


def test_a_certification_exempts_all_parts_but_the_named_ones() -> None:
    """Florida RN (FAQ, research.md G17): specialty certification exempts all but the
    trafficking hours, which remain."""
    doc = document(
        authority="FL-BON",
        professions=["nurse"],
        credit_types=["ancc_contact_hour"],
        cycle=BIENNIAL,
        total={"units": 24},
        parts=[
            {"id": "human-trafficking", "units": 2, "topics": ["human-trafficking"]},
            {"id": "laws-and-rules", "units": 2, "topics": ["laws-and-rules"]},
        ],
        pathways=[
            {
                "id": "specialty-certification",
                "certifications": ["NCCA"],
                "satisfies": "parts",
                "exempts_all_except": ["human-trafficking"],
            }
        ],
    )
    lic = license(date(2015, 1, 1), date(2027, 4, 30)).model_copy(
        update={"certifications": [("NCCA", date(2020, 1, 1), None)]}
    )
    trafficking = credit(
        2, date(2026, 1, 1), "ancc_contact_hour", accreditor="ANCC", topics=("human-trafficking",)
    )
    result = judge(doc, [trafficking], lic, date(2027, 3, 1))
    assert (result.status, result.pathway) == ("compliant", "specialty-certification")
    assert {p.part: p.status for p in result.parts} == {
        "total": "exempt",
        "human-trafficking": "met",
        "laws-and-rules": "exempt",
    }
    assert judge(doc, [], lic, date(2027, 3, 1)).status == "in_progress"


def test_topic_hours_inside_a_credit_count_only_toward_that_topic() -> None:
    """12.5 contact hours of which 4.5 pharmacology: the pharmacology part counts 4.5, the
    total counts 12.5."""
    c = credit(
        "12.5", date(2024, 1, 1), "ancc_contact_hour", accreditor="ANCC", topics=("pharmacology",)
    ).model_copy(update={"topic_units": {"pharmacology": D("4.5")}})
    result = judge(AANP, [c], NP_LICENCE, date(2025, 10, 1))
    assert result.counted_for(c.credit_id) == {"total": D("12.5"), "pharmacology": D("4.5")}
    whole = c.model_copy(update={"topic_units": {}})
    assert judge(AANP, [whole], NP_LICENCE, date(2025, 10, 1)).counted_for(c.credit_id) == {
        "total": D("12.5"),
        "pharmacology": D("12.5"),
    }


# ------------------------------------------------------------------ property: history


@PROPERTY
@given(
    st.integers(0, 3000).map(lambda n: date(2000, 1, 1) + timedelta(days=n)),
    st.integers(0, 700),
    st.sampled_from([12, 24, 36]),
    st.integers(1, 5),
    st.integers(0, 60),
)
def test_renewals_that_follow_the_rule_give_the_rule_s_cycles(
    issued: date, after: int, period: int, renewals: int, early: int
) -> None:
    """Recording each renewal at the end the rule computes (renewed up to 60 days early)
    gives exactly the cycles the rule's arithmetic gives."""
    cycle = LicenseCycle(kind="license", period_months=period)
    first = issued + timedelta(days=after + 1)
    # A first term longer than a cycle leaves a stub before the rule's first cycle that
    # recorded history counts from issue: the two agree only for first terms <= a cycle.
    assume(add_months(first + timedelta(days=1), -period) <= issued)
    ends = [add_months(first, k * period) for k in range(renewals + 1)]
    # A term ending Feb 29 renews to Feb 28: counting back from the current expiry, the
    # rule's arithmetic cannot know the earlier end was the 29th (recorded history does).
    assume(all(end.day == first.day for end in ends))
    plain = license(issued, ends[-1])
    terms = [(e - timedelta(days=early), e, n) for e, n in itertools.pairwise(ends)]
    recorded = renewed(plain, *terms)
    on = ends[-1]
    expected = list(itertools.islice(cycle_windows(cycle, plain, on), renewals + 3))
    got = list(itertools.islice(cycle_windows(cycle, recorded, on), renewals + 3))
    assert [(w.start, w.end, w.number) for w in got] == [
        (w.start, w.end, w.number) for w in expected
    ]


@PROPERTY
@given(
    st.lists(st.tuples(st.integers(-700, 90), st.integers(1, 30)), min_size=1, max_size=6),
    st.booleans(),
)
def test_cure_credit_never_counts_twice(raw: list[tuple[int, int]], again: bool) -> None:
    """Units of a credit applied to cure a period plus the units of it counted in the next
    period never exceed the credit (unless the rule lets cure credit count again)."""
    end = date(2026, 5, 31)
    hours = [credit(units, end + timedelta(days=day)) for day, units in raw]
    doc = _cure_doc(cure_counts_next=again)
    history = evaluate_history([doc], hours, TX_LICENCE, REGISTRY, on=date(2028, 9, 1))
    by_end = {e.cycle_end: e for e in history}
    cured, following = by_end[end], by_end[date(2028, 5, 31)]
    for c in hours:
        applied = sum((x.units for x in cured.cure if x.credit_id == c.credit_id), D(0))
        assert applied <= c.units
        if cured.status == "cured" and not again:
            assert applied + following.counted_for(c.credit_id).get("total", D(0)) <= c.units
    if cured.status != "cured":
        assert cured.cure == ()


@PROPERTY
@given(
    st.lists(
        st.tuples(
            st.integers(1, 40),
            st.one_of(st.none(), st.integers(0, 40)),
            st.integers(0, 1500),
        ),
        min_size=1,
        max_size=6,
    )
)
def test_a_topic_part_never_counts_more_than_the_topic_amount(
    raw: list[tuple[int, int | None, int]],
) -> None:
    """A part selecting a topic takes at most the credit's amount for that topic; the
    total may take the whole credit."""
    hours = []
    for units, topic, day in raw:
        c = credit(
            units,
            date(2021, 1, 1) + timedelta(days=day),
            "ancc_contact_hour",
            accreditor="ANCC",
            topics=("pharmacology",),
        )
        if topic is not None:
            c = c.model_copy(update={"topic_units": {"pharmacology": D(min(topic, units))}})
        hours.append(c)
    result = judge(AANP, hours, NP_LICENCE, date(2025, 10, 1))
    for c in hours:
        counted = result.counted_for(c.credit_id)
        limit = c.topic_units.get("pharmacology", c.units)
        assert counted.get("pharmacology", D(0)) <= limit
        assert counted.get("total", D(0)) <= c.units

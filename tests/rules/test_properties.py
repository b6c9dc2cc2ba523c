"""Properties of the rule engine (Hypothesis): monotone, bounded, order-free, exact."""

from __future__ import annotations

import itertools
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from credtrail.core.domain import CreditState
from credtrail.core.rules import Evaluation, evaluate

from .support import credit, document, license, make_registry

REGISTRY = make_registry()
LIC = license(date(2005, 1, 1))
START, END = date(2023, 1, 1), date(2024, 12, 31)
ON = date(2025, 3, 1)
FAST = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])

quarter_units = st.integers(min_value=1, max_value=60).map(lambda q: Decimal(q) / 4)


@st.composite
def credits(draw: Any, max_size: int = 8) -> list[CreditState]:
    n = draw(st.integers(min_value=0, max_value=max_size))
    out = []
    for i in range(n):
        out.append(
            credit(
                draw(quarter_units),
                START + timedelta(days=draw(st.integers(min_value=-60, max_value=800))),
                draw(st.sampled_from(["ama_pra_1", "ama_pra_2"])),
                accreditor=None,
                topics=tuple(draw(st.sets(st.sampled_from(["ethics", "pain", "dv"])))),
                fmt=draw(st.sampled_from([None, "enduring"])),
                credit_id=f"k{i}",
            )
        )
    return out


@st.composite
def documents(draw: Any, caps: bool = True) -> dict[str, Any]:
    parts: list[dict[str, Any]] = [
        {"id": "category-1", "units": draw(st.integers(1, 20)), "types": ["ama_pra_1"]},
        {"id": "ethics", "units": draw(st.integers(1, 6)), "topics": ["ethics"], "group": "g"},
        {"id": "pain", "units": draw(st.integers(1, 6)), "topics": ["pain"], "group": "g"},
    ]
    if draw(st.booleans()):
        parts.append(
            {
                "id": "dv",
                "units": draw(st.integers(1, 4)),
                "topics": ["dv"],
                "counts_toward_total": False,
            }
        )
    doc = document(
        credit_types=["ama_pra_1", "ama_pra_2"],
        total={"units": draw(st.integers(5, 40))},
        parts=parts,
    )
    if caps and draw(st.booleans()):
        doc["caps"] = [
            {"id": "enduring", "formats": ["enduring"], "max_units": draw(st.integers(0, 10))},
            {"id": "cat2", "types": ["ama_pra_2"], "max_share": "0.5"},
        ]
    return doc


def run(doc: dict[str, Any], items: list[CreditState]) -> Evaluation:
    return evaluate([doc], items, LIC, REGISTRY, on=ON, cycle_start=START)


@FAST
@given(documents(caps=False), credits(), credits(max_size=1))
def test_adding_a_credit_never_breaks_compliance(
    doc: dict[str, Any], base: list[CreditState], extra: list[CreditState]
) -> None:
    """Adding a credit never turns compliant into deficient (rules without caps)."""
    extra = [c.model_copy(update={"credit_id": f"extra{i}"}) for i, c in enumerate(extra)]
    before = run(doc, base)
    after = run(doc, [*base, *extra])
    if before.status == "compliant":
        assert after.status == "compliant"
    # The least total shortfall can only shrink: more credit widens the feasible
    # allocations. One part's shortfall may grow (grouped parts split a credit's units,
    # and optimal allocations are not unique), so the sum is the invariant.
    assert sum(p.missing for p in after.parts) <= sum(p.missing for p in before.parts)


@FAST
@given(documents(), credits())
def test_allocation_never_exceeds_a_credit_or_a_cap(
    doc: dict[str, Any], items: list[CreditState]
) -> None:
    """No credit gives more units than it has (shared targets overlap, group parts and
    exclusive parts split), and no cap is exceeded."""
    result = run(doc, items)
    by_id = {c.credit_id: c for c in items}
    for credit_id in {a.credit_id for a in result.allocation}:
        got = result.counted_for(credit_id)
        units = by_id[credit_id].units
        exclusive = got.get("dv", Decimal(0))
        group = got.get("ethics", Decimal(0)) + got.get("pain", Decimal(0))
        shared = max(got.get("total", Decimal(0)), got.get("category-1", Decimal(0)), group)
        assert exclusive + shared <= units
    for cap in doc.get("caps", []):
        members = {
            c.credit_id
            for c in items
            if (cap.get("formats") is None or c.format in cap["formats"])
            and (cap.get("types") is None or c.credit_type in cap["types"])
        }
        limit = (
            Decimal(cap["max_units"])
            if "max_units" in cap
            else Decimal(doc["total"]["units"]) * Decimal(cap["max_share"])
        )
        counted = sum(
            (a.units for a in result.allocation if a.part == "total" and a.credit_id in members),
            Decimal(0),
        )
        assert counted <= limit
    for part in result.parts:
        assert part.counted >= 0
        assert part.missing == max(Decimal(0), part.required - part.counted) or part.status in (
            "not-due",
            "not-applicable",
            "exempt",
        )


@FAST
@given(documents(), credits(), st.randoms(use_true_random=False))
def test_evaluation_is_independent_of_credit_order(
    doc: dict[str, Any], items: list[CreditState], rnd: Any
) -> None:
    """Shuffling the credits (the order events were recorded in) changes nothing."""
    shuffled = list(items)
    rnd.shuffle(shuffled)
    as_dict = {c.credit_id: c for c in reversed(items)}
    first = run(doc, items).to_json()
    assert run(doc, shuffled).to_json() == first
    assert evaluate([doc], as_dict, LIC, REGISTRY, on=ON, cycle_start=START).to_json() == first


# ------------------------------------------------- exactness against brute force

TINY_TOPICS = st.sets(st.sampled_from(["a", "b", "e"]))


@st.composite
def tiny(draw: Any) -> tuple[dict[str, Any], list[CreditState]]:
    doc = document(
        total={"units": draw(st.integers(0, 6))},
        parts=[
            {"id": "a", "units": draw(st.integers(1, 3)), "topics": ["a"], "group": "g"},
            {"id": "b", "units": draw(st.integers(1, 3)), "topics": ["b"], "group": "g"},
            {
                "id": "e",
                "units": draw(st.integers(1, 3)),
                "topics": ["e"],
                "counts_toward_total": False,
            },
        ],
        caps=[{"id": "cap", "formats": ["enduring"], "max_units": draw(st.integers(0, 4))}],
    )
    items = [
        credit(
            draw(st.integers(1, 3)),
            date(2023, 6, 1),
            topics=tuple(sorted(draw(TINY_TOPICS))),
            fmt=draw(st.sampled_from([None, "enduring"])),
            credit_id=f"t{i}",
        )
        for i in range(draw(st.integers(0, 3)))
    ]
    return doc, items


def brute_force_feasible(doc: dict[str, Any], items: list[CreditState]) -> bool:
    """Try every integer split of every credit: exclusive part, group a/b, rest overlaps."""
    need = {p["id"]: p["units"] for p in doc["parts"]}
    total_need = doc["total"]["units"]
    cap = doc["caps"][0]["max_units"]
    choices = []
    for c in items:
        u = int(c.units)
        options = []
        for to_e in range(u + 1 if "e" in c.topics else 1):
            rest = u - to_e
            for to_a in range(rest + 1 if "a" in c.topics else 1):
                to_b = rest - to_a if "b" in c.topics else 0
                options.append((to_e, to_a, to_b, rest))
        choices.append(options)
    for combo in itertools.product(*choices):
        got_e = sum(o[0] for o in combo)
        got_a = sum(o[1] for o in combo)
        got_b = sum(o[2] for o in combo)
        capped = sum(o[3] for o, c in zip(combo, items, strict=True) if c.format == "enduring")
        free = sum(o[3] for o, c in zip(combo, items, strict=True) if c.format != "enduring")
        total = free + min(cap, capped)
        if (
            got_e >= need["e"]
            and got_a >= need["a"]
            and got_b >= need["b"]
            and (total >= total_need)
        ):
            return True
    return False


@settings(max_examples=150, deadline=None)
@given(tiny())
def test_compliant_exactly_when_some_allocation_meets_everything(
    case: tuple[dict[str, Any], list[CreditState]],
) -> None:
    """Never deficient when a valid allocation exists, never compliant when none does
    (checked against brute-force enumeration of every integer split)."""
    doc, items = case
    status = run(doc, items).status
    assert (status == "compliant") == brute_force_feasible(doc, items)

"""Deadlines: every date listed is the engine's own, and the iCalendar feed round-trips."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from icalendar import Calendar

from credtrail.core.application import Credtrail, EarnRequest
from credtrail.core.compliance import judge
from credtrail.core.deadlines import REMINDER_DAYS, Deadline, deadlines, to_ical
from credtrail.core.projections import Views

# Physician requirements with one-time parts (due by renewal N or within months).
REQUIREMENTS = ("us-ca-physician", "us-fl-physician", "us-md-physician", "us-tx-physician")
TODAY = date.today()
days = st.integers(-9 * 365, 0).map(lambda n: TODAY + timedelta(days=n))
credits = st.lists(
    st.tuples(
        st.sampled_from(["ama_pra_1", "ama_pra_2"]),
        st.integers(1, 40),
        days,
        st.sampled_from([(), ("ethics",), ("pain-management",), ("controlled-substances",)]),
    ),
    max_size=8,
)
_ids = itertools.count()


@pytest.fixture
def loaded(app: Credtrail) -> Credtrail:
    """An application whose store holds every built-in requirement."""
    app.sync_builtin_requirements()
    return app


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    requirement=st.sampled_from(REQUIREMENTS),
    issued=st.integers(-12 * 365, -30).map(lambda n: TODAY + timedelta(days=n)),
    term=st.integers(12, 36),
    history=credits,
    offset=st.integers(-3 * 365, 2 * 365),
)
def test_every_deadline_is_the_engines_date(
    loaded: Credtrail,
    requirement: str,
    issued: date,
    term: int,
    history: list[tuple[str, int, date, tuple[str, ...]]],
    offset: int,
) -> None:
    """Each renewal listed is due at the cycle end the engine judged, each one-time part at
    the engine's due_by, every one-time part the engine says is still owed is listed, and
    --all lists each clinician's deadlines alike."""
    app = loaded
    cid = f"p{next(_ids)}"
    app.add_clinician(cid, "physician")
    expires = issued + timedelta(days=30 * term)
    app.add_license(cid, requirement, issued, expires_on=expires, number="N-1")
    for n, (ctype, quarters, when, topics) in enumerate(history):
        app.earn(
            EarnRequest(
                clinician_id=cid,
                credit_type=ctype,
                units=Decimal(quarters) / 4,
                completed_on=when,
                provider="Provider",
                accreditor="ACCME" if ctype == "ama_pra_1" else None,
                activity_id=f"a{n}",
                topics=topics,
            )
        )
    on = max(TODAY + timedelta(days=offset), issued)
    with Views.of(app) as views:
        found = deadlines(views, [cid], on)
        # The roster's bulk read (Views.compliance_on) gives each clinician the same.
        everyone = deadlines(views, None, on)
    assert [d for d in everyone.items if d.clinician_id == cid] == found.items
    ledger = app.ledger(cid)
    (licence,) = ledger.licenses.values()
    documents = [v.document for v in app.requirement_history(requirement).versions]
    ev = judge(documents, ledger.credits, licence, app.registry, on)
    assert not found.unjudged
    renewals = [d for d in found.items if d.kind == "renewal"]
    assert [(d.cycle_start, d.due_on) for d in renewals] == [(ev.cycle_start, ev.cycle_end)]
    assert renewals[0].license_number == "N-1"
    assert renewals[0].days_left == (ev.cycle_end - on).days
    listed = {d.part: d.due_on for d in found.items if d.kind == "one-time"}
    owed = {
        p.part: p.due_by
        for p in ev.parts
        if p.due_by is not None
        and (
            (p.status in ("missing", "not-due") and p.counted < p.required)
            or (p.status == "overdue" and p.missing > 0)
        )
    }
    event(f"one-time deadlines listed: {len(listed)}, renewal status {ev.status}")
    assert listed == owed


def _deadline(**change: object) -> Deadline:
    base: dict[str, object] = {
        "clinician_id": "md-1",
        "requirement_id": "us-ca-physician",
        "authority": "CA-MBC",
        "license_id": "us-ca-physician#1",
        "license_number": "A-1",
        "kind": "renewal",
        "part": None,
        "label": "us-ca-physician",
        "cycle_start": date(2025, 5, 1),
        "cycle_end": date(2027, 4, 30),
        "due_on": date(2027, 4, 30),
        "days_left": 100,
        "status": "in_progress",
        "missing": (),
    }
    return Deadline(**{**base, **change})  # type: ignore[arg-type]


@given(
    st.lists(
        st.tuples(
            st.sampled_from(["md-1", "md-2", "rn 3"]),
            st.sampled_from(["us-ca-physician", "us-tx-physician"]),
            st.integers(0, 3000).map(lambda n: date(2020, 1, 1) + timedelta(days=n)),
            st.sampled_from([None, "pain-management", "opioids"]),
        ),
        max_size=6,
        unique=True,
    ),
    st.datetimes(min_value=datetime(2025, 1, 1), max_value=datetime(2030, 1, 1)),
)
def test_ical_round_trips_with_stable_uids(
    keys: list[tuple[str, str, date, str | None]], later: datetime
) -> None:
    """The feed parses back (one VEVENT per deadline, all-day, alarms 90/30/7 days ahead) and
    a re-export made later carries the same UIDs, so calendars update instead of duplicating."""
    items = [
        _deadline(
            clinician_id=cid,
            requirement_id=rid,
            cycle_start=day,
            due_on=day + timedelta(days=700),
            kind="renewal" if part is None else "one-time",
            part=part,
        )
        for cid, rid, day, part in keys
    ]
    first = Calendar.from_ical(to_ical(items, datetime(2026, 12, 7, tzinfo=UTC), {}))
    again = Calendar.from_ical(to_ical(items, later.replace(tzinfo=UTC), {}))
    events = first.walk("VEVENT")
    assert [str(e["UID"]) for e in events] == [d.uid for d in items]
    assert [str(e["UID"]) for e in again.walk("VEVENT")] == [d.uid for d in items]
    assert len({d.uid for d in items}) == len(items)
    for vevent, d in zip(events, items, strict=True):
        assert vevent.decoded("DTSTART") == d.due_on
        assert vevent["DTSTART"].params["VALUE"] == "DATE"
        assert vevent.decoded("DTSTAMP") == datetime(2026, 12, 7, tzinfo=UTC)
        triggers = [a.decoded("TRIGGER") for a in vevent.walk("VALARM")]
        assert triggers == [timedelta(days=-n) for n in REMINDER_DAYS]


def test_uid_names_clinician_requirement_cycle_and_part() -> None:
    """Changing any of clinician, requirement, cycle or part changes the UID; nothing else does."""
    base = _deadline()
    assert _deadline(status="compliant", days_left=3).uid == base.uid
    for change in (
        {"clinician_id": "md-2"},
        {"requirement_id": "us-tx-physician"},
        {"cycle_start": date(2023, 5, 1)},
        {"part": "ethics"},
    ):
        assert _deadline(**change).uid != base.uid
    # A one-time part keeps its UID when read in the next cycle (its deadline is fixed).
    once = _deadline(kind="one-time", part="pain", due_on=date(2029, 4, 30))
    assert (
        _deadline(
            kind="one-time", part="pain", due_on=date(2029, 4, 30), cycle_start=date(2027, 5, 1)
        ).uid
        == once.uid
    )

"""A seeded, reproducible synthetic population of clinicians, and its batched ingest.

Shape (per clinician, on average): one registration, one or two licenses for
requirements their profession is subject to, ~40 credits of their profession's
credit types spread over 2019-2026 (several renewal cycles), ~8 claims toward
authorities, ~1 revocation in 50 credits: ~50 events. Requirement versions are
recorded first, and a second version of some requirements is recorded half-way
through ("requirement changes mid-stream"), so projections must fan out.

Everything is drawn from ``random.Random(seed)`` and the plugins' registry, so
the same seed and plugins give the same histories (event timestamps differ).

Ingest goes through the application: credits are validated by core and the
plugins (``Credtrail.check_credit``), commands run on the aggregates, and each
batch of clinicians is saved with ONE ``EventStore.save`` (one transaction, hash
chain and time index included).
"""

from __future__ import annotations

import random
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from credtrail.core.application import Credtrail, EarnRequest
from credtrail.core.domain import ClinicianLedger
from credtrail.core.errors import CredtrailError

TOPICS = (
    "ethics",
    "pain-management",
    "implicit-bias",
    "controlled-substances",
    "geriatrics",
    "child-abuse",
    "end-of-life-care",
)
FIRST_DAY = date(2019, 1, 1)
LAST_DAY = date(2026, 10, 31)
REASONS = ("provider withdrew the activity", "duplicate entry", "attendance not verified")


def valid_npi(base: int) -> str:
    """A 10-digit NPI for the 9-digit ``base``, with the check digit that makes it valid."""
    from credtrail.core.inputs import npi_check_digit_ok

    stem = f"{base:09d}"
    return next(stem + d for d in "0123456789" if npi_check_digit_ok(stem + d))


@dataclass
class Plan:
    """One clinician's history, before it is recorded."""

    clinician_id: str
    profession: str
    name: str
    npi: str
    licenses: list[tuple[str, date, date]] = field(default_factory=list)
    birth_date: date = date(1980, 1, 1)
    credits: list[EarnRequest] = field(default_factory=list)
    claims: list[tuple[int, str, Decimal, date]] = field(default_factory=list)
    revocations: list[tuple[int, str, date]] = field(default_factory=list)

    @property
    def events(self) -> int:
        return 1 + len(self.licenses) + len(self.credits) + len(self.claims) + len(self.revocations)


@dataclass(frozen=True)
class Kind:
    """A (credit type, accreditor) pair the plugins accept for a profession."""

    credit_type: str
    accreditor: str | None
    increment: Decimal


class Population:
    """Draws clinician plans from a seed and what the registered plugins allow."""

    def __init__(self, app: Credtrail, seed: int = 2026) -> None:
        self.app = app
        self.rng = random.Random(seed)
        self.kinds = self._valid_kinds()
        self.professions = sorted(self.kinds)
        if not self.professions:
            raise CredtrailError("no plugin registers a profession with a usable credit type")
        self.topics = [t for t in TOPICS if self._topic_ok(t)]
        self.authorities = {
            p: sorted(a.code for a in app.registry.authorities.values() if p in a.professions)
            for p in self.professions
        }
        self.requirements = self._requirements_by_profession()

    # -- what the plugins accept ------------------------------------------------------

    def _probe(self, profession: str, credit_type: str, accreditor: str | None, **kw: Any) -> bool:
        request = EarnRequest(
            clinician_id="probe",
            credit_type=credit_type,
            units=kw.pop("units", Decimal(1)),
            completed_on=date(2024, 3, 1),
            provider="Probe Provider",
            accreditor=accreditor,
            activity_id="PROBE-1",
            **kw,
        )
        try:
            self.app.check_credit(request, profession)
        except CredtrailError:
            return False
        return True

    def _valid_kinds(self) -> dict[str, list[Kind]]:
        out: dict[str, list[Kind]] = {}
        for ct in sorted(self.app.registry.credit_types.values(), key=lambda c: c.code):
            choices: list[str | None] = list(ct.accreditors) or [None]
            if not ct.requires_accreditor:
                choices = [None]
            for acc in choices:
                units = ct.increment * max(1, int(Decimal(1) / ct.increment))
                if acc != "AMA" and self._probe(ct.profession, ct.code, acc, units=units):
                    out.setdefault(ct.profession, []).append(Kind(ct.code, acc, ct.increment))
        return out

    def _topic_ok(self, topic: str) -> bool:
        profession = self.professions[0]
        kind = self.kinds[profession][0]
        units = kind.increment * max(1, int(Decimal(1) / kind.increment))
        return self._probe(
            profession, kind.credit_type, kind.accreditor, units=units, topics=(topic,)
        )

    def _requirements_by_profession(self) -> dict[str, list[dict[str, Any]]]:
        out: dict[str, list[dict[str, Any]]] = {p: [] for p in self.professions}
        seen: set[str] = set()
        for doc in sorted(self.app.registry.requirements.values(), key=lambda d: d["id"]):
            auth = self.app.registry.authorities.get(doc.get("authority", ""))
            if auth is None or doc["id"] in seen:
                continue
            seen.add(doc["id"])
            for p in auth.professions:
                if p in out:
                    out[p].append(doc)
        return out

    # -- plans ------------------------------------------------------------------------

    def plan(self, index: int) -> Plan:
        rng = self.rng
        profession = self.professions[index % len(self.professions)]
        plan = Plan(
            clinician_id=f"{profession[:2]}-{index:07d}",
            profession=profession,
            name=f"Clinician {index}",
            npi=valid_npi(100000000 + index),
            birth_date=date(1950, 1, 1) + timedelta(days=rng.randint(0, 40 * 365)),
        )
        reqs = self.requirements[profession]
        if reqs:
            for doc in rng.sample(reqs, k=min(len(reqs), rng.choice((1, 1, 2)))):
                issued = FIRST_DAY + timedelta(days=rng.randint(-2000, 400))
                # Licenses renew; the recorded expiry is the current one (2027-2028).
                expires = date(2027, 1, 31) + timedelta(days=rng.randint(0, 700))
                plan.licenses.append((doc["id"], issued, expires))
        kinds = self.kinds[profession]
        span = (LAST_DAY - FIRST_DAY).days
        for n in range(rng.randint(36, 44)):
            kind = kinds[0] if rng.random() < 0.6 else rng.choice(kinds)
            steps = max(1, int(Decimal(4) / kind.increment))
            units = kind.increment * rng.randint(max(1, steps // 16), steps)
            topics = (rng.choice(self.topics),) if self.topics and rng.random() < 0.15 else ()
            plan.credits.append(
                EarnRequest(
                    clinician_id=plan.clinician_id,
                    credit_type=kind.credit_type,
                    units=units,
                    completed_on=FIRST_DAY + timedelta(days=rng.randint(0, span)),
                    provider=f"Provider {rng.randint(1, 400)}",
                    accreditor=kind.accreditor,
                    activity_id=f"A{index:07d}-{n:03d}",
                    title=f"Activity {rng.randint(1, 5000)}",
                    topics=topics,
                )
            )
        authorities = self.authorities[profession]
        revoked: set[int] = set()
        for i in range(len(plan.credits)):
            if rng.random() < 0.02:
                revoked.add(i)
                done = plan.credits[i].completed_on + timedelta(days=rng.randint(1, 90))
                plan.revocations.append((i, rng.choice(REASONS), done))
        for i, credit in enumerate(plan.credits):
            if i in revoked or not authorities or rng.random() >= 0.2:
                continue
            part = credit.units if rng.random() < 0.8 else credit.units / 2
            part = (part // kind_increment(kinds, credit.credit_type)) * kind_increment(
                kinds, credit.credit_type
            ) or credit.units
            when = credit.completed_on + timedelta(days=rng.randint(0, 60))
            plan.claims.append((i, rng.choice(authorities), part, when))
        return plan

    def changed_versions(self) -> list[dict[str, Any]]:
        """A second version of up to three requirements, effective 2025-01-01."""
        out = []
        latest: dict[str, dict[str, Any]] = {}
        for doc in self.app.registry.requirements.values():
            latest[doc["id"]] = doc
        for doc in [latest[k] for k in sorted(latest)][:3]:
            new = dict(doc)
            new["version"] = f"{doc['version']}-bench2"
            new["effective_from"] = "2025-01-01"
            out.append(new)
        return out


def kind_increment(kinds: Sequence[Kind], credit_type: str) -> Decimal:
    for k in kinds:
        if k.credit_type == credit_type:
            return k.increment
    return Decimal("0.25")


# ------------------------------------------------------------------------- ingest


def registered(plan: Plan) -> ClinicianLedger:
    """A new ledger for the plan's clinician, with the plan's licences added."""
    ledger = ClinicianLedger.register(plan.clinician_id, plan.profession, plan.name, plan.npi)
    for n, (requirement_id, issued, expires) in enumerate(plan.licenses, start=1):
        ledger.add_license(
            license_id=f"{requirement_id}#{n}",
            requirement_id=requirement_id,
            issued_on=issued,
            expires_on=expires,
            birth_date=plan.birth_date,
            number=f"L{plan.npi[-6:]}{n}",
        )
    return ledger


def record_batch(app: Credtrail, plans: Sequence[Plan]) -> int:
    """Record the plans' whole histories in one transaction; returns events written."""
    with app.staging():  # what earn_many and imports do around a batch
        ledgers = []
        events = 0
        for plan in plans:
            app.registry.profession(plan.profession)
            ledger = registered(plan)
            ids = []
            for request in plan.credits:
                app.check_credit(request, plan.profession)
                # The same path earn_many takes, minus re-loading ledgers this batch created.
                ids.append(app.apply_earn(ledger, request))
            for i, reason, when in plan.revocations:
                ledger.revoke(ids[i], reason, when)
            for i, authority, units, when in plan.claims:
                ledger.claim(ids[i], authority, units, when)
            ledgers.append(ledger)
            events += plan.events
        app.save(*ledgers)
    return events


def ingest(
    app: Credtrail,
    population: Population,
    target_events: int,
    batch_events: int = 10_000,
    first_index: int = 0,
) -> Iterator[tuple[int, int, float]]:
    """Record clinicians until ``target_events`` events.

    Yields, per batch: events in the log, clinicians drawn, and the seconds spent so far
    recording (drawing the synthetic population is not recording).

    Requirement versions come first; the changed versions are recorded once half the
    events are in.
    """
    if first_index == 0:
        for doc in population.app.registry.requirements.values():
            app.record_requirement(dict(doc))
    written = app.store.recorder.max_notification_id() or 0
    changes = population.changed_versions() if first_index == 0 else []
    index = first_index
    batch: list[Plan] = []
    pending = 0
    recording = 0.0
    while written < target_events:
        plan = population.plan(index)
        index += 1
        batch.append(plan)
        pending += plan.events
        if pending >= batch_events or written + pending >= target_events:
            started = time.perf_counter()
            record_batch(app, batch)
            recording += time.perf_counter() - started
            written = app.store.recorder.max_notification_id()
            yield written, index, recording
            batch, pending = [], 0
            if changes and written >= target_events // 2:
                for doc in changes:
                    app.record_requirement(doc)
                changes = []

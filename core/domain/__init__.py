"""Aggregates and events: the facts credtrail records. No I/O here.

Each event is a pydantic model on an ``eventsourcing`` aggregate. Every event carries
two times: ``timestamp`` (when it was *recorded*, set by the library, UTC) and a
*valid-time* date in its payload (``completed_on``, ``claimed_on``, ``effective_from``).
Events are never edited: corrections are new events.

Topics are explicit and stable (``TOPIC``): a stored event names its class by topic,
so moving a class never orphans the log. Schema changes bump ``class_version`` and
add an ``upcast_vN_vM`` method.
"""

from __future__ import annotations

from credtrail.core.domain.base import (
    Aggregate,
    DomainEvent,
    clinician_uuid,
    requirement_uuid,
    valid_time,
)
from credtrail.core.domain.ledger import ClinicianLedger, check_amendment
from credtrail.core.domain.requirements import RequirementHistory, RequirementVersionState
from credtrail.core.domain.state import (
    AMENDABLE_FIELDS,
    Amendment,
    Certificate,
    CreditState,
    LicenseState,
    amend_credit,
    credit_natural_key,
    held_on,
)

EVENT_CLASSES: tuple[type[DomainEvent], ...] = (
    ClinicianLedger.Created,
    ClinicianLedger.CreditEarned,
    ClinicianLedger.CreditClaimed,
    ClinicianLedger.CreditRevoked,
    ClinicianLedger.LicenseRegistered,
    ClinicianLedger.LicenseEnded,
    ClinicianLedger.LicenseRenewed,
    ClinicianLedger.LicenseFactRecorded,
    RequirementHistory.Created,
    RequirementHistory.RequirementChanged,
    # corrections and certificates (#15 items 3, 7)
    ClinicianLedger.CreditAmended,
    ClinicianLedger.CertificateAttached,
    ClinicianLedger.CertificateDetached,
    ClinicianLedger.CertificationRecorded,
    ClinicianLedger.CertificationRenewed,
    ClinicianLedger.CertificationEnded,
)
"""Every event class, for tools that decode the log without loading aggregates."""

__all__ = [
    "AMENDABLE_FIELDS",
    "EVENT_CLASSES",
    "Aggregate",
    "Amendment",
    "Certificate",
    "ClinicianLedger",
    "CreditState",
    "DomainEvent",
    "LicenseState",
    "RequirementHistory",
    "RequirementVersionState",
    "amend_credit",
    "check_amendment",
    "clinician_uuid",
    "credit_natural_key",
    "held_on",
    "requirement_uuid",
    "valid_time",
]

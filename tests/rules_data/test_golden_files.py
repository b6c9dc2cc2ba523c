"""Golden histories written as data: ``tests/rules_data/golden/<requirement>.toml``.

Each file holds scenarios built from the rule text an authority published (not from
credtrail's implementation): a licence, the credits a clinician earned, the day the
standing is judged, and what the rule text says the answer is. They are judged
against the built-in requirement documents, exactly as ``credtrail status`` does.

A file::

    requirement = "us-al-physician"
    source = "Ala. Admin. Code r. 540-X-14-.02 (read 2026-12-07)"

    [[scenario]]
    name = "25 Category 1 credits in the calendar year: compliant"
    rule = "r. 540-X-14-.02(1): 25 AMA PRA Category 1 credits each calendar year"
    on = 2026-12-31                 # the day judged
    cycle_start = 2026-01-01        # optional: judge the cycle starting that day
    status = "compliant"            # compliant | cured | in_progress | deficient | exempt
    missing = { total = 0 }         # optional: part -> units still missing (others: none)
    parts = { ethics = "met" }      # optional: part -> met | missing | not-due | ...
    license = { issued = 2010-05-01, expires = 2027-12-31, birth = 1970-03-02,
                attributes = { dea-registered = "yes" } }

    [[scenario.certifications]]     # optional: national certifications the clinician
    code = "nccpa-pa-c"             # recorded (credtrail certification add), held
    issued = 2018-06-01             # from issued to expires (renewals extend it; one
    expires = 2020-12-31            # after the expiry leaves a lapse), ended cuts it
    renewals = [[2020-11-01, 2022-12-31]]   # optional: [renewed on, new expiry]
    ended = 2023-03-01              # optional

    [[scenario.exams]]              # optional: examinations passed (exam record)
    name = "PANRE-LA"
    date = 2024-10-01

    [[scenario.credits]]
    type = "ama_pra_1"
    units = "25"
    date = 2026-06-01
    topics = ["ethics"]             # optional
    format = "live"                 # optional
    claimed = "AMA"                 # optional: claimed in full toward this authority
"""

from __future__ import annotations

import tomllib
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from credtrail.core.compliance import judge as judge_with_facts
from credtrail.core.domain import LicenseState
from credtrail.core.registry import Registry

from .conftest import Judge, Ledger, documents, license_for

GOLDEN = Path(__file__).parent / "golden"


def _scenarios() -> list[Any]:
    params = []
    for path in sorted(GOLDEN.glob("*.toml")):
        with path.open("rb") as handle:
            document = tomllib.load(handle)
        for index, scenario in enumerate(document.get("scenario", [])):
            params.append(
                pytest.param(
                    document["requirement"],
                    scenario,
                    id=f"{path.stem}-{index}-{scenario['status']}",
                )
            )
    return params


def _asks_nothing(registry: Registry, requirement: str) -> bool:
    """Every version of the requirement asks for no units and no part (no CE at all)."""
    return all(
        Decimal(str(doc.get("total", {}).get("units", 0))) == 0 and not doc.get("parts")
        for doc in documents(registry, requirement)
    )


def test_every_golden_file_has_a_compliant_and_a_deficient_history(registry: Registry) -> None:
    """Each golden file pins a compliant and a non-compliant outcome (only the first where
    the authority requires no continuing education: nobody can be deficient there)."""
    for path in sorted(GOLDEN.glob("*.toml")):
        with path.open("rb") as handle:
            document = tomllib.load(handle)
        statuses = {s["status"] for s in document.get("scenario", [])}
        assert document.get("source"), f"{path.name}: say which rule text the scenarios follow"
        assert statuses & {"compliant", "exempt"}, f"{path.name}: no compliant history"
        if _asks_nothing(registry, document["requirement"]):
            continue
        assert statuses & {"deficient", "in_progress"}, f"{path.name}: no deficient history"


def certifications_of(scenario: dict[str, Any], registry: Registry) -> list[LicenseState]:
    """The scenario's recorded certifications, as ``CertificationRecorded`` and its
    renewals and end would leave them."""
    out = []
    for n, given in enumerate(scenario.get("certifications", []), start=1):
        known = registry.certification(given["code"])
        cert = LicenseState(
            license_id=f"{given['code']}#{n}",
            requirement_id=known.requirement or "",
            issued_on=given["issued"],
            expires_on=given.get("expires"),
            birth_date=None,
            number=None,
            attributes=dict(known.attributes),
            kind="certification",
            certification=given["code"],
            certifier=known.certifier,
        )
        for renewed_on, expires_on in given.get("renewals", []):
            cert.record_renewal(renewed_on, expires_on)
        cert.ended_on = given.get("ended")
        out.append(cert)
    return out


@pytest.mark.parametrize(("requirement", "scenario"), _scenarios())
def test_golden_history_is_judged_as_the_rule_text_says(
    judge: Judge, registry: Registry, requirement: str, scenario: dict[str, Any]
) -> None:
    """A golden scenario written from the authority's rule text gets the stated outcome."""
    ledger = Ledger()
    for credit in scenario.get("credits", []):
        claimed = credit.get("claimed")
        ledger.earn(
            credit["type"],
            str(credit["units"]),
            credit["date"],
            *credit.get("topics", []),
            fmt=credit.get("format"),
            claim=(claimed, credit["date"]) if claimed else None,
        )
    lic = scenario["license"]
    licence = license_for(
        requirement,
        lic["issued"],
        lic.get("expires"),
        birth=lic.get("birth"),
        **{k.replace("-", "_"): str(v) for k, v in lic.get("attributes", {}).items()},
    )
    on: date = scenario["on"]
    exams = [(e["name"], e["date"]) for e in scenario.get("exams", [])]
    if exams:
        licence = licence.model_copy(update={"exams": exams})
    certifications = certifications_of(scenario, registry)
    if certifications or exams:
        # As status judges it: the licence reads every certification and exam recorded.
        result = judge_with_facts(
            documents(registry, requirement),
            ledger.credits,
            licence,
            registry,
            on,
            cycle_start=scenario.get("cycle_start"),
            credentials=[licence, *certifications],
        )
    else:
        result = judge(
            requirement, ledger.credits, licence, on=on, cycle_start=scenario.get("cycle_start")
        )
    context = f"{scenario['name']} ({scenario.get('rule', '')})"
    assert result.status == scenario["status"], context
    if "missing" in scenario:
        expected = {k: Decimal(str(v)) for k, v in scenario["missing"].items() if Decimal(str(v))}
        assert dict(result.missing) == expected, context
    for part, status in scenario.get("parts", {}).items():
        assert result.part(part).status == status, f"{context}: part {part}"

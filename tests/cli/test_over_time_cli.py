"""``license renew``, ``license attest`` and ``exam record``: the facts requirements over
time read, recorded as events and judged alike by ``status`` (the views) and ``explain``."""

from __future__ import annotations

import json
from typing import Any


def _rows(run: Any, *args: str) -> Any:
    result = run(*args)
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def test_renewal_and_attestation_are_judged_alike_by_status_and_explain(run: Any) -> None:
    """A Florida RN renewed once is at renewal 2; the first-renewal HIV/AIDS hour without a
    record is overdue, and attested once she attests it (F.S. 464.013, research.md §2.2)."""
    assert run("clinician", "add", "rn-1", "--profession", "nurse").exit_code == 0
    added = run(
        "license", "add", "rn-1", "--requirement", "us-fl-nurse",
        "--issued", "2013-05-01", "--expires", "2015-04-30",
    )  # fmt: skip
    lid = added.output.strip()
    renewed = run(
        "license", "renew", "rn-1", lid, "--expires", "2017-04-30", "--date", "2015-04-10"
    )
    assert renewed.output == f"Renewed {lid} to 2017-04-30\n"
    on = ("--on", "2016-06-01", "--json")
    explained = _rows(run, "explain", "rn-1", "us-fl-nurse", *on)
    assert explained["renewal_number"] == 2
    parts = {p["part"]: p["status"] for p in explained["parts"]}
    assert parts["hiv-aids"] == "overdue"
    attested = run(
        "license", "attest", "rn-1", lid, "--part", "hiv-aids", "--date", "2014-09-01",
        "--reason", "course before credtrail",
    )  # fmt: skip
    assert attested.output == f"Attested hiv-aids on {lid}\n"
    explained = _rows(run, "explain", "rn-1", "us-fl-nurse", *on)
    assert {p["part"]: p["status"] for p in explained["parts"]}["hiv-aids"] == "attested"
    (row,) = _rows(run, "status", "rn-1", *on)
    assert (row["cycle_start"], row["cycle_end"]) == ("2015-05-01", "2017-04-30")
    assert row["status"] == explained["status"]


def test_an_exam_recorded_is_the_pathway_taken(run: Any) -> None:
    """AANPCB recertification by examination (aanpcert.org/recert)."""
    assert run("clinician", "add", "np-1", "--profession", "nurse").exit_code == 0
    added = run(
        "license", "add", "np-1", "--requirement", "aanp-renewal",
        "--issued", "2020-06-01", "--expires", "2025-05-31",
    )  # fmt: skip
    lid = added.output.strip()
    recorded = run("exam", "record", "np-1", "--name", "AANPCB-FNP", "--date", "2025-03-01")
    assert recorded.output == f"Recorded AANPCB-FNP passed 2025-03-01 on {lid}\n"
    explained = _rows(run, "explain", "np-1", "aanp-renewal", "--on", "2025-04-01", "--json")
    assert (explained["status"], explained["pathway"]) == ("compliant", "examination")


def test_a_renewal_must_move_the_expiry_forward(run: Any) -> None:
    """A user mistake is one line and exit 1, never a traceback."""
    assert run("clinician", "add", "rn-2", "--profession", "nurse").exit_code == 0
    lid = run(
        "license", "add", "rn-2", "--requirement", "us-fl-nurse",
        "--issued", "2013-05-01", "--expires", "2015-04-30",
    ).output.strip()  # fmt: skip
    result = run("license", "renew", "rn-2", lid, "--expires", "2015-04-30")
    assert result.exit_code == 1
    assert result.output == (
        f"Error: license {lid!r} already runs to 2015-04-30; a renewal needs a later expiry "
        "than 2015-04-30\n"
    )


def test_topic_hours_inside_a_credit_count_only_toward_their_part(run: Any) -> None:
    """``--topic pharmacology=4.5`` on 12.5 contact hours: 4.5 toward AANPCB's 25
    pharmacology hours, 12.5 toward its 100 (aanpcert.org, research.md §1.3)."""
    assert run("clinician", "add", "np-2", "--profession", "nurse").exit_code == 0
    run(
        "license", "add", "np-2", "--requirement", "aanp-renewal",
        "--issued", "2020-06-01", "--expires", "2025-05-31",
    )  # fmt: skip
    earned = run(
        "credit", "earn", "np-2", "--type", "ancc_contact_hour", "--units", "12.5",
        "--date", "2024-01-10", "--provider", "Nurse CE", "--accreditor", "ANCC",
        "--activity", "PH-1", "--topic", "pharmacology=4.5",
    )  # fmt: skip
    assert earned.exit_code == 0, earned.output
    credit_id = earned.output.strip()
    claimed = run(
        "credit", "claim", "np-2", credit_id, "--authority", "AANP", "--date", "2024-01-11"
    )
    assert claimed.exit_code == 0, claimed.output
    on = ("--on", "2024-06-01", "--json")
    explained = _rows(run, "explain", "np-2", "aanp-renewal", *on)
    counted = {a["part"]: a["units"] for a in explained["allocation"]}
    assert counted == {"total": "12.5", "pharmacology": "4.5"}
    (row,) = _rows(run, "status", "np-2", *on)
    assert {a["part"]: a["units"] for a in row["allocation"]} == counted


def test_topic_units_larger_than_the_credit_are_refused(run: Any) -> None:
    """The input error names the topic, exit 1, nothing recorded."""
    assert run("clinician", "add", "np-3", "--profession", "nurse").exit_code == 0
    result = run(
        "credit", "earn", "np-3", "--type", "ancc_contact_hour", "--units", "2",
        "--date", "2024-01-10", "--provider", "Nurse CE", "--accreditor", "ANCC",
        "--activity", "PH-2", "--topic", "pharmacology=4.5",
    )  # fmt: skip
    assert result.exit_code == 1
    assert result.output == (
        "Error: topic_units: topic 'pharmacology': 4.5 units is more than the credit's\n"
    )

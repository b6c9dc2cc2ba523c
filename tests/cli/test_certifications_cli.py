"""``credtrail certification add|renew|end|list`` end to end on each backend: a recorded
certification subjects its holder to the certifier's requirement (labelled as a
certification) and satisfies a board's "certification in lieu" pathway on the day judged."""

from __future__ import annotations

import json
from typing import Any


def _json(run: Any, *args: str) -> Any:
    result = run(*args)
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def _pa_with_dc_licence(run: Any) -> str:
    assert run("clinician", "add", "pa-1", "--profession", "pa").exit_code == 0
    added = run("license", "add", "pa-1", "--requirement", "us-dc-pa", "--issued", "2015-01-01")
    assert added.exit_code == 0, added.output
    return str(added.output.strip())


def _lgbtq_hours(run: Any) -> None:
    earned = run(
        "credit", "earn", "pa-1", "--type", "aapa_1", "--units", "2", "--date", "2024-03-01",
        "--provider", "AAPA", "--accreditor", "AAPA", "--activity", "lgbtq-1",
        "--topic", "lgbtq-cultural-competency",
    )  # fmt: skip
    assert earned.exit_code == 0, earned.output


def test_a_recorded_nccpa_certification_is_the_dc_pathway_and_its_own_requirement(
    run: Any,
) -> None:
    """17 DCMR § 4907.3: current NCCPA certification proves the CME; the LGBTQ hours remain.
    The certification also subjects the PA to NCCPA's CME, shown as a certification."""
    lid = _pa_with_dc_licence(run)
    _lgbtq_hours(run)
    added = _json(
        run, "certification", "add", "pa-1", "--certification", "nccpa-pa-c",
        "--issued", "2014-06-01", "--expires", "2024-12-31", "--number", "1234", "--json",
    )  # fmt: skip
    cid = added["certification_id"]
    assert added == {"certification_id": cid, "requirement_id": "nccpa-cme"}
    cycle = ("--cycle", "2023-01-01", "--on", "2025-03-01", "--json")
    explained = _json(run, "explain", "pa-1", "us-dc-pa", *cycle)
    assert explained["license_id"] == lid
    assert (explained["status"], explained["pathway"]) == ("compliant", "nccpa-certification")
    rows = _json(run, "status", "pa-1", "--on", "2024-06-01", "--json")
    assert {(r["requirement_id"], r.get("certification")) for r in rows} == {
        ("us-dc-pa", None),
        ("nccpa-cme", "nccpa-pa-c"),
    }
    text = run("status", "pa-1", "--on", "2024-06-01").output
    assert "certification nccpa-pa-c: nccpa-cme (NCCPA)" in text
    (listed,) = _json(run, "certification", "list", "pa-1", "--json")
    assert (listed["certification_id"], listed["certifier"], listed["number"]) == (
        cid,
        "NCCPA",
        "1234",
    )
    assert listed["held"] == [{"from": "2014-06-01", "until": "2024-12-31"}]


def test_a_lapsed_certification_is_not_counted_until_renewed(run: Any) -> None:
    """Expired mid-cycle and renewed after the cycle's end: the DC hours are owed for that
    cycle; the lapse shows in the held periods."""
    _pa_with_dc_licence(run)
    _lgbtq_hours(run)
    cid = _json(
        run, "certification", "add", "pa-1", "--certification", "nccpa-pa-c",
        "--issued", "2014-06-01", "--expires", "2024-06-30", "--json",
    )["certification_id"]  # fmt: skip
    renewed = _json(
        run, "certification", "renew", "pa-1", cid, "--expires", "2026-12-31",
        "--date", "2025-02-01", "--json",
    )  # fmt: skip
    assert renewed == {
        "certification_id": cid,
        "renewed_on": "2025-02-01",
        "expires_on": "2026-12-31",
    }
    cycle = ("--cycle", "2023-01-01", "--on", "2025-03-01", "--json")
    explained = _json(run, "explain", "pa-1", "us-dc-pa", *cycle)
    assert explained["pathway"] is None
    assert explained["status"] == "deficient"
    assert {m["part"] for m in explained["missing"]} == {"total", "category-1"}
    (listed,) = _json(run, "certification", "list", "pa-1", "--json")
    assert listed["held"] == [
        {"from": "2014-06-01", "until": "2024-06-30"},
        {"from": "2025-02-01", "until": "2026-12-31"},
    ]
    rows = _json(run, "status", "pa-1", "--on", "2026-06-01", "--json")
    dc = next(r for r in rows if r["requirement_id"] == "us-dc-pa")
    assert dc["pathway"] == "nccpa-certification"


def test_ending_a_certification_stops_its_requirement_and_the_pathway(run: Any) -> None:
    """Ended (retired): not held after the day, NCCPA's CME no longer applies."""
    _pa_with_dc_licence(run)
    cid = _json(
        run, "certification", "add", "pa-1", "--certification", "nccpa-pa-c",
        "--issued", "2014-06-01", "--expires", "2026-12-31", "--json",
    )["certification_id"]  # fmt: skip
    ended = _json(
        run, "certification", "end", "pa-1", cid, "--date", "2023-05-01", "--reason",
        "retired", "--json",
    )  # fmt: skip
    assert ended == {"certification_id": cid, "ended_on": "2023-05-01"}
    rows = _json(run, "status", "pa-1", "--on", "2024-06-01", "--json")
    assert [r["requirement_id"] for r in rows] == ["us-dc-pa"]
    assert rows[0]["pathway"] is None


def test_an_exam_recorded_before_any_licence_is_read_by_a_later_licence(run: Any) -> None:
    """AANPCB recertification by examination: the exam is the clinician's fact, read by
    the certification's requirement whichever credential stores it; the renewed
    certification is then Georgia's option (b) (r. 410-13-.01(1)(b))."""
    assert run("clinician", "add", "np-1", "--profession", "nurse").exit_code == 0
    cid = _json(
        run, "certification", "add", "np-1", "--certification", "aanpcb-fnp",
        "--issued", "2020-06-01", "--expires", "2025-05-31", "--json",
    )["certification_id"]  # fmt: skip
    lid = run(
        "license", "add", "np-1", "--requirement", "us-ga-nurse", "--issued", "2024-08-01",
        "--expires", "2026-01-31",
    ).output.strip()  # fmt: skip
    recorded = _json(
        run, "exam", "record", "np-1", "--name", "AANPCB-FNP", "--date", "2025-03-01", "--json"
    )
    assert set(recorded["license_ids"]) == {cid, lid}
    explained = _json(run, "explain", "np-1", "aanp-renewal", "--on", "2025-04-01", "--json")
    assert (explained["status"], explained["pathway"], explained["certification"]) == (
        "compliant",
        "examination",
        "aanpcb-fnp",
    )
    renewed = run(
        "certification", "renew", "np-1", cid, "--expires", "2030-05-31", "--date", "2025-04-15"
    )
    assert renewed.exit_code == 0, renewed.output
    ga = _json(run, "explain", "np-1", "us-ga-nurse", "--on", "2026-02-15", "--json")
    assert (ga["status"], ga["pathway"]) == ("compliant", "national-certification-recorded")


def test_mistakes_are_one_line_errors(run: Any) -> None:
    """Unknown codes, another profession's certification, a renewal that does not extend:
    exit 1 with a message, never a traceback."""
    _pa_with_dc_licence(run)
    unknown = run(
        "certification", "add", "pa-1", "--certification", "abc", "--issued", "2020-01-01"
    )
    assert unknown.exit_code == 1
    assert "unknown certification 'abc'" in unknown.output
    nurse_cert = run(
        "certification", "add", "pa-1", "--certification", "ancc-np", "--issued", "2020-01-01"
    )
    assert nurse_cert.exit_code == 1
    assert "certifies nurse, not pa" in nurse_cert.output
    cid = run(
        "certification", "add", "pa-1", "--certification", "nccpa-pa-c", "--issued",
        "2020-01-01", "--expires", "2022-12-31",
    ).output.strip()  # fmt: skip
    again = run("certification", "renew", "pa-1", cid, "--expires", "2022-06-30")
    assert again.exit_code == 1
    assert "needs a later expiry" in again.output
    not_cert = run("certification", "end", "pa-1", "us-dc-pa#1")
    assert not_cert.exit_code == 1
    assert "has no certification 'us-dc-pa#1'" in not_cert.output
    known = run("certification", "list", "--known").output
    assert "nccpa-pa-c" in known
    assert "aanpcb-fnp" in known

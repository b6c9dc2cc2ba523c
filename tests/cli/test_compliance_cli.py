"""status, explain, license and requirement commands as a user types them."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import Result

Run = Callable[..., Result]


@pytest.fixture
def texan(run: Run) -> Run:
    """A Texas physician, license expiring 2026-03-31, with 44 of 48 credits (G07-like)."""
    assert run("clinician", "add", "md-1", "--profession", "physician").exit_code == 0
    lic = run(
        "license",
        "add",
        "md-1",
        "--requirement",
        "us-tx-physician",
        "--issued",
        "2020-04-01",
        "--expires",
        "2026-03-31",
    )
    assert lic.output == "us-tx-physician#1\n"
    for i, topic in enumerate(["ethics", "pain-management", "ethics"], start=1):
        earned = run(
            "credit",
            "earn",
            "md-1",
            "--type",
            "ama_pra_1",
            "--units",
            "8",
            "--date",
            f"2025-0{i}-10",
            "--provider",
            "Mercy CME",
            "--accreditor",
            "ACCME",
            "--activity",
            f"A{i}",
            "--topic",
            topic,
        )
        assert earned.exit_code == 0, earned.output
    informal = run(
        "credit",
        "earn",
        "md-1",
        "--type",
        "ama_pra_2",
        "--units",
        "20",
        "--date",
        "2025-05-01",
        "--provider",
        "Self",
        "--activity",
        "reading",
    )
    assert informal.exit_code == 0, informal.output
    return run


def test_status_json_has_the_fields_the_issue_promises(texan: Run) -> None:
    """requirement, version, cycle, status, required, counted, missing, allocation."""
    result = texan("status", "md-1", "--on", "2025-12-01", "--json")
    assert result.exit_code == 0, result.output
    (row,) = json.loads(result.output)
    assert {k: row[k] for k in ("requirement_id", "version", "cycle_start", "cycle_end")} == {
        "requirement_id": "us-tx-physician",
        "version": "v2",  # SB 415 (2023-09-01) governs periods ending after it
        "cycle_start": "2024-04-01",
        "cycle_end": "2026-03-31",
    }
    assert (row["status"], row["required"], row["counted"]) == ("in_progress", "48", "44")
    assert row["missing"] == [{"part": "total", "units": "4"}]
    formal = sum(float(a["units"]) for a in row["allocation"] if a["part"] == "formal")
    assert formal == 24


def test_status_after_the_cycle_and_grace_is_deficient(texan: Run) -> None:
    """Inside the 30-day cure window 44 of 48 is still open; after it, a deficiency."""
    args = ("status", "md-1", "--requirement", "us-tx-physician", "--json")
    (in_grace,) = json.loads(texan(*args, "--on", "2026-03-31").output)
    assert in_grace["status"] == "in_progress"
    explained = json.loads(
        texan(
            "explain",
            "md-1",
            "us-tx-physician",
            "--cycle",
            "2024-04-01",
            "--on",
            "2026-06-01",
            "--json",
        ).output
    )
    assert (explained["status"], explained["cycle_end"]) == ("deficient", "2026-03-31")
    assert explained["missing"] == [{"part": "total", "units": "4"}]


def test_status_text_names_what_is_missing(texan: Run) -> None:
    """The text view says the standing and each missing part in units."""
    result = texan("status", "md-1", "--on", "2025-12-01")
    assert result.output.splitlines()[:2] == [
        "us-tx-physician (TX-TMB), cycle 2024-04-01 to 2026-03-31: in_progress, 44 of 48 counted",
        "  missing 4 total",
    ]


def test_one_more_credit_makes_the_physician_compliant(texan: Run) -> None:
    """Adding 4 formal credits completes the total of 48."""
    texan(
        "credit",
        "earn",
        "md-1",
        "--type",
        "ama_pra_1",
        "--units",
        "4",
        "--date",
        "2025-06-01",
        "--provider",
        "Mercy CME",
        "--accreditor",
        "ACCME",
        "--activity",
        "A9",
    )
    (row,) = json.loads(texan("status", "md-1", "--on", "2026-01-15", "--json").output)
    assert (row["status"], row["counted"], row["missing"]) == ("compliant", "48", [])


def test_explain_shows_evidence_exclusions_and_citation(texan: Run) -> None:
    """Each counted credit per part, what did not count and why, the rule's source."""
    earn = ["credit", "earn", "md-1", "--type", "ama_pra_1", "--units", "2"]
    withdrawn = texan(
        *earn,
        "--date",
        "2025-07-01",
        "--provider",
        "Old CME",
        "--accreditor",
        "ACCME",
        "--activity",
        "WITHDRAWN",
    ).output.strip()
    texan("credit", "revoke", "md-1", withdrawn, "--reason", "provider lost accreditation")
    result = texan("explain", "md-1", "us-tx-physician", "--on", "2025-12-01")
    assert result.exit_code == 0, result.output
    text = result.output
    assert "status: in_progress" in text
    assert "toward formal" in text
    assert f"of {withdrawn} 2025-07-01 ama_pra_1 2 WITHDRAWN" in text
    assert "[revoked]" in text
    assert "source: Texas Medical Board, 22 Tex. Admin. Code §161.35" in text
    data = json.loads(
        texan("explain", "md-1", "us-tx-physician", "--on", "2025-12-01", "--json").output
    )
    assert [(x["credit_id"], x["rule"]) for x in data["excluded"]] == [(withdrawn, "revoked")]
    assert data["source"]["document"].startswith("22 Tex. Admin. Code §161.35")


def test_explain_a_previous_cycle_by_its_start(texan: Run) -> None:
    """--cycle START judges that cycle instead of the current one."""
    data = json.loads(
        texan(
            "explain",
            "md-1",
            "us-tx-physician",
            "--cycle",
            "2022-04-01",
            "--on",
            "2025-12-01",
            "--json",
        ).output
    )
    assert (data["cycle_start"], data["cycle_end"]) == ("2022-04-01", "2024-03-31")
    assert data["counted"] == "0"


def test_requirement_change_applies_from_its_effective_date(texan: Run, tmp_path: Path) -> None:
    """A new version recorded from a file governs cycles ending after its effective date."""
    shown = json.loads(texan("requirement", "show", "us-tx-physician", "--json").output)
    document = dict(shown["versions"][-1]["document"])
    document.update(version="2026-test", effective_from="2026-01-01")
    document["total"] = {**document["total"], "units": "44"}
    path = tmp_path / "tx.json"
    path.write_text(json.dumps(document))
    result = texan("requirement", "change", str(path))
    assert (
        result.output == "Recorded us-tx-physician version 2026-test, effective from 2026-01-01\n"
    )
    again = texan("requirement", "change", str(path))
    assert (
        again.output == "us-tx-physician version 2026-test is already recorded; nothing written\n"
    )
    (row,) = json.loads(texan("status", "md-1", "--on", "2026-01-15", "--json").output)
    assert (row["version"], row["status"], row["required"]) == ("2026-test", "compliant", "44")
    versions = json.loads(texan("requirement", "show", "us-tx-physician", "--json").output)
    assert [v["version"] for v in versions["versions"]] == ["v1.1", "v2", "2026-test"]


def test_malformed_requirement_file_names_file_and_field(texan: Run, tmp_path: Path) -> None:
    """A bad document is refused with the field path; nothing is recorded."""
    bad = tmp_path / "bad.toml"
    bad.write_text('id = "us-zz-physician"\nauthority = "TX-TMB"\n')
    result = texan("requirement", "change", str(bad))
    assert result.exit_code == 1
    assert "source: Field required" in result.output
    broken = tmp_path / "broken.toml"
    broken.write_text("id = \n")
    result = texan("requirement", "change", str(broken))
    assert result.exit_code == 1
    assert result.output.startswith(f"Error: requirement file {broken} is not valid toml")
    listed = json.loads(texan("requirement", "list", "--json").output)
    assert "us-zz-physician" not in {r["id"] for r in listed}


def test_requirement_list_holds_the_ids_users_type(run: Run) -> None:
    """init records every built-in requirement named in the issue."""
    ids = {r["id"] for r in json.loads(run("requirement", "list", "--json").output)}
    expected = {
        "ama-pra-award-1y",
        "ama-pra-award-2y",
        "ama-pra-award-3y",
        "nccpa-cme",
        "ancc-renewal",
        "aanp-renewal",
        "us-ca-physician",
        "us-tx-physician",
        "us-fl-nurse",
        "us-ca-pa",
    }
    assert expected <= ids
    assert len([i for i in ids if i.endswith("-physician")]) >= 6
    assert len([i for i in ids if i.endswith("-nurse")]) >= 3
    assert len([i for i in ids if i.endswith("-pa")]) >= 3


def test_license_mistakes_are_named(texan: Run) -> None:
    """Unknown requirement, a second current license, expiry before issue, unknown license id."""
    result = texan(
        "license", "add", "md-1", "--requirement", "us-xx-physician", "--issued", "2020-01-01"
    )
    assert result.exit_code == 1
    assert result.output.startswith("Error: unknown requirement 'us-xx-physician'; did you mean ")
    assert "'us-tx-physician'" in result.output
    assert "known: credtrail requirement list)" in result.output
    result = texan(
        "license", "add", "md-1", "--requirement", "us-tx-physician", "--issued", "2021-01-01"
    )
    assert "already holds license 'us-tx-physician#1'" in result.output
    result = texan(
        "license",
        "add",
        "md-1",
        "--requirement",
        "us-ca-physician",
        "--issued",
        "2021-01-01",
        "--expires",
        "2020-01-01",
    )
    assert result.output == "Error: --expires 2020-01-01 must be after --issued 2021-01-01\n"
    result = texan("license", "end", "md-1", "nope#1")
    assert result.output == "Error: clinician 'md-1' has no license 'nope#1'\n"


def test_a_licence_without_the_date_its_cycles_count_from_is_refused_and_not_recorded(
    texan: Run,
) -> None:
    """California physicians' cycles end on the licence's expiry: without --expires the
    licence is refused (it could never be judged) and nothing is written."""
    result = texan(
        "license", "add", "md-1", "--requirement", "us-ca-physician", "--issued", "2021-01-01"
    )
    assert result.exit_code == 1
    assert result.output == (
        "Error: expires: us-ca-physician counts its cycles from the licence's expiry date: "
        "give --expires (as on the licence)\n"
    )
    listed = json.loads(texan("license", "list", "md-1", "--json").output)
    assert [lic["requirement_id"] for lic in listed] == ["us-tx-physician"]


def test_ended_license_stops_its_requirement(texan: Run) -> None:
    """After `license end`, status no longer lists the requirement for later dates."""
    assert (
        texan("license", "end", "md-1", "us-tx-physician#1", "--date", "2026-06-01").exit_code == 0
    )
    listed = json.loads(texan("license", "list", "md-1", "--json").output)
    assert listed[0]["ended_on"] == "2026-06-01"
    later = texan("status", "md-1", "--on", "2027-01-01")
    assert later.output.startswith("md-1 is subject to no requirement on 2027-01-01")


def test_license_attributes_switch_conditional_parts(run: Run) -> None:
    """dea=yes makes Florida's controlled-substance hours due; a misspelt key is refused."""
    run("clinician", "add", "md-2", "--profession", "physician")
    args = [
        "license",
        "add",
        "md-2",
        "--requirement",
        "us-fl-physician",
        "--issued",
        "2015-02-01",
        "--expires",
        "2026-01-31",
    ]
    typo = run(*args, "--attribute", "DEA=yes")
    assert typo.exit_code == 1
    assert typo.output.startswith(
        "Error: --attribute DEA: us-fl-physician has no condition on 'DEA'"
    )
    assert run(*args, "--attribute", "dea=yes").exit_code == 0

    def parts(clinician: str) -> dict[str, str]:
        data = json.loads(
            run("explain", clinician, "us-fl-physician", "--on", "2025-06-01", "--json").output
        )
        return {p["part"]: p["status"] for p in data["parts"]}

    run("clinician", "add", "md-3", "--profession", "physician")
    run(*[a if a != "md-2" else "md-3" for a in args])
    with_dea, without = parts("md-2"), parts("md-3")
    changed = {k for k in with_dea if with_dea[k] != without.get(k)}
    assert changed, (with_dea, without)
    assert all(without[k] == "not-applicable" for k in changed)


def test_status_on_a_past_day_counts_only_credit_completed_by_then(texan: Run) -> None:
    """On 2025-02-15 only the January and early-February credits (16) had been earned."""
    (row,) = json.loads(texan("status", "md-1", "--on", "2025-02-15", "--json").output)
    assert (row["status"], row["counted"]) == ("in_progress", "16")
    (later,) = json.loads(texan("status", "md-1", "--on", "2025-12-01", "--json").output)
    assert later["counted"] == "44"

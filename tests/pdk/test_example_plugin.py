"""The fourth profession, an external package, end to end through pip and the CLI.

examples/pharmacy_acpe is pip-installed (editable, offline) into a throwaway venv
that sees this environment's credtrail; that venv's ``credtrail`` runs every step a
user would. Then the package is uninstalled: the store stays readable and the
pharmacist's events are kept and shown, never dropped.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest

from .venvs import Venv, make_venv

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "pharmacy_acpe"

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def venv(tmp_path_factory: pytest.TempPathFactory) -> Venv:
    """A venv with the pharmacy plugin installed (module-scoped: installing takes a second)."""
    venv = make_venv(tmp_path_factory.mktemp("pharmacy") / "venv")
    venv.pip_install_editable(EXAMPLE)
    return venv


def credtrail(venv: Venv, store: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return venv.run(venv.bin / "credtrail", "--store", str(store), *args)


def ok(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode == 0, f"exit {result.returncode}\n{result.stdout}\n{result.stderr}"
    return result.stdout


EARN = (
    "credit", "earn", "rph-1", "--type", "acpe_contact_hour", "--units", "1",
    "--date", "2025-03-10", "--provider", "Texas Pharmacy Association",
    "--accreditor", "ACPE", "--topic", "pharmacy-law",
)  # fmt: skip


CEU = (
    "credit", "earn", "rph-1", "--type", "acpe_ceu", "--units", "0.15",
    "--date", "2025-03-12", "--provider", "Texas Pharmacy Association",
    "--accreditor", "ACPE", "--topic", "immunization",
)  # fmt: skip
ON = "2025-06-30"
REBUILD = Path(__file__).parent / "rebuild_views.py"


def rebuild_views(venv: Venv, store: Path) -> dict[str, Any]:
    """Rebuild the store's projections with the plugins installed in ``venv``."""
    result: dict[str, Any] = json.loads(ok(venv.run(venv.python, "-P", REBUILD, store, "rph-1")))
    return result


def test_example_passes_its_own_contract_tests(venv: Venv) -> None:
    """The package's tests (credtrail.core.testing contract included) pass once installed."""
    done = venv.run(venv.python, "-P", "-m", "pytest", "-q", "-p", "no:cacheprovider", cwd=EXAMPLE)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "TestPharmacyContract" not in done.stdout  # quiet mode: only a summary line
    assert " passed" in done.stdout


def test_pharmacist_end_to_end_then_uninstalled(venv: Venv, tmp_path: Path) -> None:
    """Listed, validated, required and recorded; after uninstalling, the store still reads."""
    store = tmp_path / "pharmacy.db"
    plugins = json.loads(ok(credtrail(venv, store, "plugins", "--json")))
    mine = [p for p in plugins if p["name"] == "pharmacy_acpe"]
    assert mine == [
        {
            "name": "pharmacy_acpe",
            "version": "0.1.0",
            "builtin": False,
            "hooks": [
                "credtrail_register_accreditors",
                "credtrail_register_authorities",
                "credtrail_register_certifications",
                "credtrail_register_credit_types",
                "credtrail_register_equivalences",
                "credtrail_register_import_formats",
                "credtrail_register_professions",
                "credtrail_register_requirements",
                "credtrail_register_rule_kinds",
                "credtrail_register_topics",
                "credtrail_validate_credit",
            ],
        }
    ]
    assert "Store ready at" in ok(credtrail(venv, store, "init"))
    ok(credtrail(venv, store, "clinician", "add", "rph-1", "--profession", "pharmacist"))
    lic = ok(
        credtrail(
            venv, store, "license", "add", "rph-1", "--requirement", "us-tx-pharmacist",
            "--issued", "2021-06-01", "--expires", "2025-06-30",
        )
    )  # fmt: skip
    assert "us-tx-pharmacist" in lic

    credit_id = ok(credtrail(venv, store, *EARN, "--activity", "0669-0000-25-022-H03-P")).strip()
    assert credit_id.startswith("cr-")
    refused = credtrail(venv, store, *EARN, "--activity", "law-update-2025")
    assert refused.returncode == 1
    assert refused.stderr.startswith("Error: credit rejected: activity: 'law-update-2025' is not")
    assert "[acpe-uan-format]" in refused.stderr
    assert "Traceback" not in refused.stderr
    # 0.15 CEU counts as 1.5 contact hours (equivalence); a technician activity not at all.
    ok(credtrail(venv, store, *CEU, "--activity", "0669-0000-25-031-H06-P"))
    ok(credtrail(venv, store, *EARN[:-2], "--units", "2", "--activity", "0669-0000-25-040-H04-T"))

    status = json.loads(ok(credtrail(venv, store, "status", "rph-1", "--on", ON, "--json")))
    assert [(s["requirement_id"], s["status"], s["counted"], s["missing"]) for s in status] == [
        ("us-tx-pharmacist", "in_progress", "2.5", [{"part": "total", "units": "27.5"}])
    ]
    why = ok(credtrail(venv, store, "explain", "rph-1", "us-tx-pharmacist", "--on", ON))
    assert "0.15 -> 1.5 (acpe_ceu counts as acpe_contact_hour at 10x)" in why
    assert "0669-0000-25-040-H04-T is for pharmacy technicians, not pharmacists" in why

    views = rebuild_views(venv, store)
    assert views["replayed"] > 0
    assert views["after"]["transcript"] == views["ledger"]
    assert ["us-tx-pharmacist", "2023-07-01", "deficient", "2.5"] in views["after"]["compliance"]

    before = json.loads(ok(credtrail(venv, store, "transcript", "rph-1", "--json")))
    assert [c["activity"] for c in before["credits"]] == [
        "0669-0000-25-022-H03-P",
        "0669-0000-25-040-H04-T",
        "0669-0000-25-031-H06-P",
    ]
    assert before["totals"] == {"acpe_ceu": "0.15", "acpe_contact_hour": "3"}

    venv.pip_uninstall("credtrail-pharmacy-acpe")
    try:
        names = [p["name"] for p in json.loads(ok(credtrail(venv, store, "plugins", "--json")))]
        assert "pharmacy_acpe" not in names
        # The events of a profession no plugin provides are kept and still shown.
        after = json.loads(ok(credtrail(venv, store, "transcript", "rph-1", "--json")))
        assert after == before
        text = ok(credtrail(venv, store, "transcript", "rph-1"))
        assert "Transcript of rph-1, pharmacist" in text
        assert "0669-0000-25-022-H03-P" in text
        assert "us-tx-pharmacist" in ok(credtrail(venv, store, "requirement", "list"))
        # The compliance view was judged with the plugin: it is stale, so status judges
        # directly (with the plugins loaded now) and says so.
        stale = credtrail(venv, store, "status", "rph-1", "--on", ON)
        assert stale.returncode == 0
        assert stale.stderr == (
            "Note: evaluated directly: views are stale; "
            "run `credtrail projections rebuild --view compliance`\n"
        )
        assert "rule kind 'acpe-audience', which no installed plugin registers" in stale.stdout
        # Projections rebuild without the plugin: the transcript is whole, and the
        # compliance row says why it cannot be judged instead of vanishing.
        views = rebuild_views(venv, store)
        assert "built with other plugins" in views["before"]["stale"]
        # The CLI names the clinician clinician_id; the transcript model, clinician.
        shown = {"clinician": after["clinician_id"]} | {
            k: v for k, v in after.items() if k != "clinician_id"
        }
        assert views["after"]["transcript"] == views["ledger"] == shown
        rows = views["after"]["compliance"]
        assert rows
        assert {(row[0], row[2]) for row in rows} == {("us-tx-pharmacist", "error")}
        reason = ok(credtrail(venv, store, "status", "rph-1", "--on", ON))
        assert "rule kind 'acpe-audience', which no installed plugin registers" in reason
        # New pharmacy credit cannot be recorded without the plugin: a clear error, exit 1.
        orphan = credtrail(venv, store, *EARN, "--activity", "0669-0000-25-023-H03-P")
        assert orphan.returncode == 1
        assert orphan.stderr.startswith("Error: ")
        assert "acpe_contact_hour" in orphan.stderr
        assert "Traceback" not in orphan.stderr
    finally:
        venv.pip_install_editable(EXAMPLE)

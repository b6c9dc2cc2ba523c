"""``credit detach``: a certificate removed from a credit is no longer listed or bundled
from then on; its bytes stay in the store and an as-of replay before it lists it."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import Result

from credtrail.core.clock import frozen_at

Run = Callable[..., Result]

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
PDF_SHA = hashlib.sha256(PDF).hexdigest()
PNG_SHA = hashlib.sha256(PNG).hexdigest()


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


@pytest.fixture
def run(run: Run) -> Run:
    """credtrail on a fresh store (each backend) with physician md-1."""
    invoke = run
    added = invoke("clinician", "add", "md-1", "--profession", "physician", "--name", "Ann Able")
    assert added.exit_code == 0, added.output
    return invoke


@pytest.fixture
def credit(run: Run, tmp_path: Path) -> str:
    """A credit of md-1 with two certificates, a PDF and a PNG, attached in 2030-01."""
    with frozen_at(at("2030-01-10T09:00:00")):
        earned = run(
            "credit", "earn", "md-1", "--type", "ama_pra_1", "--units", "1",
            "--date", "2025-03-01", "--provider", "Mercy CME", "--accreditor", "ACCME",
            "--activity", "MH-101",
        )  # fmt: skip
        assert earned.exit_code == 0, earned.output
        credit_id = earned.output.strip()
        for name, data in (("mercy.pdf", PDF), ("mercy.png", PNG)):
            (tmp_path / name).write_bytes(data)
            attached = run("credit", "attach", "md-1", credit_id, str(tmp_path / name))
            assert attached.exit_code == 0, attached.output
    return credit_id


def listed(run: Run, *extra: str) -> list[str]:
    """The sha256 of each certificate the transcript lists for md-1's credit."""
    result = run("transcript", "md-1", "--json", *extra)
    assert result.exit_code == 0, result.output
    (credit,) = json.loads(result.output)["credits"]
    return [c["sha256"] for c in credit["certificates"]]


def test_detach_removes_one_certificate_from_the_listing(run: Run, credit: str) -> None:
    """--json names what was removed; transcript and report list only the other one."""
    with frozen_at(at("2030-02-01T09:00:00")):
        result = run(
            "credit", "detach", "md-1", credit, "--sha256", PDF_SHA[:10],
            "--reason", "wrong file", "--json",
        )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert json.loads(result.output) == {
        "clinician_id": "md-1",
        "credit_id": credit,
        "sha256": PDF_SHA,
        "media_type": "application/pdf",
        "filename": "mercy.pdf",
        "reason": "wrong file",
        "detached": True,
    }
    assert listed(run) == [PNG_SHA]
    report = run("report", "md-1").output
    assert "mercy.png" in report
    assert "mercy.pdf" not in report
    gone = run("credit", "certificate", "md-1", credit, "--sha256", PDF_SHA[:10])
    assert gone.exit_code == 1
    assert "has no certificate whose sha256 starts with" in gone.output


def test_an_as_of_replay_before_the_removal_still_lists_it(run: Run, credit: str) -> None:
    """History is not rewritten: replayed before the removal the certificate is there;
    --diff names the removal and its reason."""
    with frozen_at(at("2030-02-01T09:00:00")):
        done = run("credit", "detach", "md-1", credit, "--sha256", PDF_SHA, "--reason", "dup")
    assert done.exit_code == 0, done.output

    def replayed(instant: str, *extra: str) -> tuple[list[str], dict[str, object]]:
        result = run("audit", "replay", "--as-of", instant, "--clinician", "md-1", "--json", *extra)
        assert result.exit_code == 0, result.output
        data = json.loads(result.output)
        (person,) = data["clinicians"]
        (row,) = person["transcript"]["credits"]
        return [c["sha256"] for c in row["certificates"]], data

    before, data = replayed("2030-01-20T00:00:00Z", "--diff")
    assert before == [PDF_SHA, PNG_SHA]
    assert (f"certificate sha256 {PDF_SHA[:12]} removed from {credit}: dup") in [
        c["summary"] for c in data["changes"]
    ]
    after, _ = replayed("2030-02-02T00:00:00Z")
    assert after == [PNG_SHA]


def test_the_bundle_leaves_a_removed_certificate_out(run: Run, credit: str, tmp_path: Path) -> None:
    """An evidence bundle exported after the removal holds only the listed certificate, and
    verifies; the store's integrity check still finds the removed file's bytes."""
    with frozen_at(at("2030-02-01T09:00:00")):
        done = run("credit", "detach", "md-1", credit, "--sha256", PNG_SHA, "--reason", "dup")
    assert done.exit_code == 0, done.output
    out = tmp_path / "bundle"
    exported = run("audit", "export", "md-1", "--as-of", "2100-01-01", "-o", str(out))
    assert exported.exit_code == 0, exported.output
    names = sorted(p.name for p in (out / "certificates").iterdir())
    assert names == [f"{PDF_SHA}.pdf"]
    verified = run("audit", "verify", "--bundle", str(out))
    assert verified.exit_code == 0, verified.output
    assert run("audit", "verify").exit_code == 0


def test_a_removed_certificate_can_be_attached_again(run: Run, credit: str, tmp_path: Path) -> None:
    """Detach, then attach the same file: it is listed again (a new event each time)."""
    assert (
        run("credit", "detach", "md-1", credit, "--sha256", PNG_SHA, "--reason", "x").exit_code == 0
    )
    again = run("credit", "attach", "md-1", credit, str(tmp_path / "mercy.png"), "--json")
    assert again.exit_code == 0, again.output
    assert json.loads(again.output)["attached"] is True
    assert listed(run) == [PDF_SHA, PNG_SHA]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["md-1", "cr-nope", "--reason", "x"], "cr-nope"),
        (["md-1", "CREDIT", "--reason", "x"], "has 2 certificates"),
        (["md-1", "CREDIT", "--sha256", "ffff", "--reason", "x"], "has no certificate whose"),
        (["md-1", "CREDIT", "--sha256", PDF_SHA, "--reason", " "], "needs a reason"),
        (["dr-nobody", "CREDIT", "--reason", "x"], "dr-nobody"),
    ],
    ids=["unknown-credit", "ambiguous", "no-such-certificate", "blank-reason", "unknown-clinician"],
)
def test_detach_mistakes_are_one_clear_error(
    run: Run, credit: str, args: list[str], message: str
) -> None:
    """Each mistake: exit 1, one JSON error object on stderr with --json, nothing removed."""
    argv = [credit if a == "CREDIT" else a for a in args]
    result = run("credit", "detach", *argv, "--json")
    assert result.exit_code == 1, result.output
    error = json.loads(result.stderr)
    assert message in error["error"]
    assert "Traceback" not in result.output
    assert listed(run) == [PDF_SHA, PNG_SHA]


def test_detach_needs_a_reason(run: Run, credit: str) -> None:
    """Without --reason it is a usage error (exit 2) and nothing is removed."""
    result = run("credit", "detach", "md-1", credit, "--sha256", PDF_SHA)
    assert result.exit_code == 2
    assert "--reason" in result.output
    assert listed(run) == [PDF_SHA, PNG_SHA]

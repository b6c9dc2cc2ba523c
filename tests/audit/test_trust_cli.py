"""The keyed log, private files, confined bundles and checked views, from the command line."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest

from credtrail.core.application import Credtrail
from credtrail.core.audit.reader import LogReader
from credtrail.core.audit.views import verify_views
from credtrail.core.projections import Views

from .conftest import record_history, tamper
from .test_audit_cli import Run, board_run, runner_for

__all__ = ["board_run"]  # a fixture used here


@pytest.fixture
def run(app: Credtrail, store_url: str) -> Run:
    """The CLI on a store holding the two physicians' 2024–2026 history."""
    record_history(app)
    return runner_for(store_url)


def test_key_init_signs_the_log_and_verify_reports_the_last_signed_head(
    run: Run, app: Credtrail, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """key init writes a 0600 key and signs the current head; later writes need the key;
    verify names the key and the time of the last signed head."""
    key = tmp_path / "keys" / "org.pem"
    key.parent.mkdir()
    made = run("key", "init", "--key", str(key))
    assert made.exit_code == 0, made.output
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    key_id = made.output.split()[1]

    refused = run("clinician", "add", "dr-new", "--profession", "physician")
    assert refused.exit_code == 1
    assert f"signed with key {key_id}: set CREDTRAIL_KEY" in refused.output

    monkeypatch.setenv("CREDTRAIL_KEY", str(key))
    added = run("clinician", "add", "dr-new", "--profession", "physician")
    assert added.exit_code == 0, added.output
    checked = run("audit", "verify")
    assert checked.exit_code == 0, checked.output
    line = checked.output.splitlines()[3]
    assert f"signed by key(s) {key_id} (anchored on your key); last signed head at 20" in line


def test_key_rotation_is_endorsed_and_the_old_key_can_no_longer_write(
    run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """rotate writes a new key endorsed by the old; writes then need the new one."""
    old, new = tmp_path / "k" / "old.pem", tmp_path / "k" / "new.pem"
    old.parent.mkdir()
    assert run("key", "init", "--key", str(old)).exit_code == 0
    rotated = run("key", "rotate", "--key", str(old), "--new", str(new))
    assert rotated.exit_code == 0, rotated.output
    monkeypatch.setenv("CREDTRAIL_KEY", str(old))
    refused = run("clinician", "add", "dr-new", "--profession", "physician")
    assert refused.exit_code == 1
    assert "rotate" in refused.output
    monkeypatch.setenv("CREDTRAIL_KEY", str(new))
    assert run("clinician", "add", "dr-new", "--profession", "physician").exit_code == 0
    report = json.loads(run("audit", "verify", "--json").output)
    assert report["ok"], report
    assert len(report["signed"]["keys"]) == 2


def test_checkpoint_file_is_private_and_never_overwritten_or_followed(
    run: Run, tmp_path: Path
) -> None:
    """checkpoint -o creates 0600; an existing file needs --force; a symlink is refused."""
    target = tmp_path / "cp.json"
    assert run("audit", "checkpoint", "-o", str(target)).exit_code == 0
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    again = run("audit", "checkpoint", "-o", str(target))
    assert again.exit_code == 1
    assert "exists; pass --force" in again.output
    assert run("audit", "checkpoint", "-o", str(target), "--force").exit_code == 0
    victim = tmp_path / "victim"
    victim.write_text("keep me")
    link = tmp_path / "link.json"
    link.symlink_to(victim)
    followed = run("audit", "checkpoint", "-o", str(link), "--force")
    assert followed.exit_code == 1
    assert "symbolic link" in followed.output
    assert victim.read_text() == "keep me"


def test_bundle_manifest_cannot_vouch_for_files_outside_the_bundle(
    run: Run, tmp_path: Path
) -> None:
    """A manifest naming /etc/hostname (or ../x) is refused, not read and hashed."""
    out = tmp_path / "bundle"
    assert run("audit", "export", "dr-lee", "--as-of", "2025-06-30", "-o", str(out)).exit_code == 0
    assert stat.S_IMODE(out.stat().st_mode) == 0o700
    assert all(stat.S_IMODE(p.stat().st_mode) == 0o600 for p in out.iterdir())
    manifest = json.loads((out / "manifest.json").read_text())
    for name in ("/etc/hostname", "../outside.json"):
        forged = {**manifest, "files": {**manifest["files"], name: "0" * 64}}
        (out / "manifest.json").write_text(json.dumps(forged))
        result = run("audit", "verify", "--bundle", str(out))
        assert result.exit_code == 1
        assert "only vouch for files inside the bundle" in result.output


def test_bundle_with_its_own_consistency_proof_says_what_it_proves(
    run: Run, app: Credtrail, tmp_path: Path
) -> None:
    """Exported against an older checkpoint, the bundle's proof is checked without the
    auditor's checkpoint, and the output says what that does and does not prove."""
    old = tmp_path / "old.json"
    assert run("audit", "checkpoint", "-o", str(old)).exit_code == 0
    app.add_clinician("dr-new", "physician")
    out = tmp_path / "bundle"
    exported = run(
        "audit",
        "export",
        "dr-lee",
        "--as-of",
        "2025-06-30",
        "-o",
        str(out),
        "--checkpoint",
        str(old),
    )
    assert exported.exit_code == 0, exported.output
    result = run("audit", "verify", "--bundle", str(out))
    assert result.exit_code == 0, result.output
    assert "proven: the bundle's log extends the checkpoint of" in result.output
    assert "not proven: that this is a checkpoint you hold" in result.output


def test_verify_views_catches_an_edited_view_row(board_run: Run, app: Credtrail) -> None:
    """UPDATE credtrail_v_compliance SET status = 'met' passes the log's verify, not --views."""
    with Views.of(app, workers=1) as views:
        views.catch_up()
    assert verify_views(app).ok
    table = app.store.qualified("credtrail_v_compliance")
    rows = app.store.read_rows(f"SELECT COUNT(*) FROM {table}")
    assert rows[0][0] > 0
    tamper(LogReader(app.store), f"UPDATE {table} SET status = 'met'")
    assert board_run("audit", "verify").exit_code == 0
    result = board_run("audit", "verify", "--views")
    assert result.exit_code == 1
    assert "the views differ from what the log gives: credtrail_v_compliance" in result.output


def test_key_file_beside_the_store_is_refused(tmp_path: Path) -> None:
    """The key must not live in the store's folder (whoever copies one gets both)."""
    store = tmp_path / "s.db"
    run = runner_for(str(store))
    assert run("init").exit_code == 0
    result = run("key", "init", "--key", str(tmp_path / "org.pem"))
    assert result.exit_code == 1
    assert "outside the store's folder" in result.output
    assert not os.path.exists(tmp_path / "org.pem")


def test_bundle_of_a_keyed_store_is_checked_against_your_key(
    run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A keyed store's bundle carries a signed checkpoint; --public-key anchors it and
    another key is refused."""
    key = tmp_path / "k" / "org.pem"
    key.parent.mkdir()
    assert run("key", "init", "--key", str(key)).exit_code == 0
    monkeypatch.setenv("CREDTRAIL_KEY", str(key))
    out = tmp_path / "bundle"
    assert run("audit", "export", "dr-lee", "--as-of", "2025-06-30", "-o", str(out)).exit_code == 0
    public = run("key", "show").output.split()[-1]
    monkeypatch.delenv("CREDTRAIL_KEY")
    ok = run("audit", "verify", "--bundle", str(out), "--public-key", public)
    assert ok.exit_code == 0, ok.output
    assert "signed with your key" in ok.output
    wrong = run("audit", "verify", "--bundle", str(out), "--public-key", "ab" * 32)
    assert wrong.exit_code == 1
    assert "not with your key" in wrong.output

"""Evidence bundles: exported from the store, verified on "another machine" (a copied
folder, no store), and tampered with."""

from __future__ import annotations

import base64
import hashlib
import json
import shutil
from pathlib import Path

import pytest

from credtrail.core.application import Credtrail
from credtrail.core.audit.bundle import export_bundle, verify_bundle
from credtrail.core.audit.integrity import make_checkpoint
from credtrail.core.audit.reader import LogReader
from credtrail.core.errors import AuditError, LogIntegrityError

from .conftest import at, events, record_history, tamper
from .test_compliance_asof import BOARD_V1, BOARD_V2


@pytest.fixture
def exported(app: Credtrail, tmp_path: Path) -> Path:
    """dr-lee's bundle as of mid-2025, copied to a folder the store knows nothing about."""
    from credtrail.core.clock import frozen_at

    with frozen_at(at("2024-01-05")):
        app.record_requirement(BOARD_V1)
    record_history(app, license_for="test-board")
    with frozen_at(at("2026-03-01")):
        app.record_requirement(BOARD_V2)
    export_bundle(app.store, app.registry, "dr-lee", at("2025-06-30"), tmp_path / "export")
    elsewhere = tmp_path / "elsewhere"
    shutil.copytree(tmp_path / "export", elsewhere)
    return elsewhere


def rewrite(folder: Path, name: str, text: str, *, fix_manifest: bool) -> None:
    (folder / name).write_text(text)
    if fix_manifest:
        manifest = json.loads((folder / "manifest.json").read_text())
        manifest["files"][name] = hashlib.sha256(text.encode()).hexdigest()
        (folder / "manifest.json").write_text(json.dumps(manifest))


def test_bundle_verifies_offline_and_reproduces_conclusions(app: Credtrail, exported: Path) -> None:
    """Every event is proved against the checkpoint; transcript and standings recompute."""
    report = verify_bundle(exported, registry=app.registry)
    lines = (exported / "events.jsonl").read_text().splitlines()
    assert report.events == len(lines) == 7 + 3  # dr-lee's stream, test-board's stream
    assert report.streams == 2
    assert report.transcript_reproduced
    assert report.standings_reproduced is True
    standings = json.loads((exported / "standings.json").read_text())
    assert [(s["requirement"], s["status"]) for s in standings] == [("test-board", "in_progress")]
    assert standings[0]["evaluation"]["counted"] == "2"
    rules = json.loads((exported / "rules.json").read_text())
    assert [v["version"] for v in rules[0]["versions"]] == ["v1"]  # v2 was published in 2026
    changes = json.loads((exported / "changes.json").read_text())
    assert [c["why"] for c in changes] == ["late-record", "rule-change"]
    proof_lengths = {len(json.loads(line)["proof"]) for line in lines}
    assert max(proof_lengths) <= 5  # ceil(log2(events in the log)) hashes, not the log


def test_bundle_file_edited_after_export_is_caught(exported: Path) -> None:
    """Editing a file without updating the manifest is named by file."""
    text = (exported / "transcript.json").read_text().replace('"2"', '"20"')
    rewrite(exported, "transcript.json", text, fix_manifest=False)
    with pytest.raises(LogIntegrityError, match=r"transcript\.json was changed after export"):
        verify_bundle(exported)


def test_forged_transcript_with_fixed_manifest_does_not_reproduce(exported: Path) -> None:
    """A forger who also fixes the manifest is caught by replaying the proven events."""
    text = (exported / "transcript.json").read_text().replace('"2"', '"20"')
    rewrite(exported, "transcript.json", text, fix_manifest=True)
    with pytest.raises(LogIntegrityError, match=r"transcript\.json is not what the proven events"):
        verify_bundle(exported)


def test_forged_event_bytes_are_caught_at_their_line(exported: Path) -> None:
    """Changed units in an event's bytes: the line, position, stream and version are named."""
    lines = (exported / "events.jsonl").read_text().splitlines()
    target = next(i for i, line in enumerate(lines) if "CreditEarned" in line)
    event = json.loads(lines[target])
    state = base64.b64decode(event["state"]).replace(b'"units":"2"', b'"units":"20"')
    event["state"] = base64.b64encode(state).decode()
    lines[target] = json.dumps(event)
    rewrite(exported, "events.jsonl", "\n".join(lines) + "\n", fix_manifest=True)
    with pytest.raises(
        LogIntegrityError,
        match=rf"line {target + 1} \(position {event['position']}, stream {event['stream']}, "
        rf"version {event['version']}\): stored bytes changed",
    ):
        verify_bundle(exported)


def test_recomputed_hashes_without_a_valid_proof_are_caught(exported: Path) -> None:
    """Forged bytes with a recomputed event hash and link still fail the inclusion proof."""
    from credtrail.core.store import event_hash, link

    lines = (exported / "events.jsonl").read_text().splitlines()
    target = next(i for i, line in enumerate(lines) if "CreditEarned" in line)
    e = json.loads(lines[target])
    state = base64.b64decode(e["state"]).replace(b'"units":"2"', b'"units":"20"')
    e["state"] = base64.b64encode(state).decode()
    e["event_hash"] = event_hash(e["position"], e["stream"], e["version"], e["topic"], state)
    e["link"] = link(e["previous_link"], e["event_hash"])
    lines[target] = json.dumps(e)
    rewrite(exported, "events.jsonl", "\n".join(lines) + "\n", fix_manifest=True)
    with pytest.raises(LogIntegrityError, match="inclusion proof does not lead to the checkpoint"):
        verify_bundle(exported)


def test_dropped_event_is_caught_as_a_version_gap(exported: Path) -> None:
    """Leaving out an event of the stream (e.g. a revocation) shows as missing versions."""
    lines = (exported / "events.jsonl").read_text().splitlines()
    kept = [line for line in lines if "CreditClaimed" not in line]
    rewrite(exported, "events.jsonl", "\n".join(kept) + "\n", fix_manifest=True)
    with pytest.raises(LogIntegrityError, match="events are missing"):
        verify_bundle(exported)


def test_bundle_proves_consistency_with_a_checkpoint_the_auditor_kept(
    app: Credtrail, tmp_path: Path
) -> None:
    """Exported with the auditor's older checkpoint, the bundle proves the log extends it;
    a checkpoint of another history is refused."""
    record_history(app)
    kept = make_checkpoint(app.store)
    app.add_clinician("dr-new", "physician")
    folder = tmp_path / "b"
    export_bundle(app.store, app.registry, "dr-kim", at("2030-01-01"), folder, trusted=kept)
    report = verify_bundle(folder, trusted=kept)
    assert report.consistent_with == kept
    assert report.checkpoint.events == kept.events + 1
    other = kept.model_copy(update={"root": "00" * 32})
    with pytest.raises(LogIntegrityError, match="another checkpoint than yours"):
        verify_bundle(folder, trusted=other)
    bigger = kept.model_copy(update={"events": kept.events + 5})
    with pytest.raises(LogIntegrityError, match="truncated"):
        verify_bundle(folder, trusted=bigger)


def test_export_refuses_a_tampered_store_and_a_used_folder(app: Credtrail, tmp_path: Path) -> None:
    """No bundle is made from a log that does not verify, nor over an existing one."""
    record_history(app)
    (tmp_path / "used").mkdir()
    (tmp_path / "used" / "x").write_text("x")
    with pytest.raises(AuditError, match="not empty"):
        export_bundle(app.store, app.registry, "dr-lee", at("2030-01-01"), tmp_path / "used")
    reader = LogReader(app.store)
    target = events(app)[1]
    tamper(
        reader,
        f"UPDATE {reader.events} SET state = ? WHERE {reader.id_column} = ?",
        (target.state + b" ", target.position),
    )
    with pytest.raises(LogIntegrityError, match=f"position {target.position}"):
        export_bundle(app.store, app.registry, "dr-lee", at("2030-01-01"), tmp_path / "b")
    assert not (tmp_path / "b").exists()

"""Evidence bundles: one clinician's history, provable on a machine without the store.

``export_bundle`` writes a folder::

    manifest.json     format, clinician, as-of instant, judged date, SHA-256 of each file
    checkpoint.json   the verified log's position, event count, chain head, Merkle root
    events.jsonl      every event of the clinician's stream and of the requirements they
                      are licensed under, up to the checkpoint: stored bytes (base64),
                      event hash, previous and own chain link, leaf index and the
                      RFC 6962 inclusion proof against the checkpoint's root
    transcript.json   the transcript as known at the instant
    standings.json    compliance as concluded at the instant (rule engine output,
                      with the rule versions and their citations)
    rules.json        the requirement versions known at the instant, with citations
    changes.json      what was recorded after the instant, and why
    certificates/     the certificate files attached to the clinician's credits by the
                      instant, each named by its SHA-256 (the hash the chained
                      ``CertificateAttached`` event recorded) and its type's extension
    consistency.json  (with a trusted older checkpoint) the RFC 6962 proof that the
                      bundle's log extends it

``verify_bundle`` checks every hash and proof, replays the events to recompute the
transcript (and, given the plugins' registry, the standings) and compares them with
the files. What it cannot prove: that the exporter left out a stream's *last*
events; compare the checkpoint with one you hold (``--checkpoint``) to bound that.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any
from uuid import UUID

import orjson
from eventsourcing.persistence import StoredEvent

from credtrail.core import clock
from credtrail.core.audit.asof import AsOf, check_instant, in_force, project
from credtrail.core.audit.compliance import standings
from credtrail.core.audit.diff import changes_since
from credtrail.core.audit.integrity import Checkpoint, make_checkpoint
from credtrail.core.audit.merkle import MerkleTree, verify_consistency, verify_inclusion
from credtrail.core.audit.reader import LogReader
from credtrail.core.domain import (
    ClinicianLedger,
    RequirementHistory,
    clinician_uuid,
    requirement_uuid,
)
from credtrail.core.errors import AuditError, LogIntegrityError
from credtrail.core.persistence.attachments import read_attachment, stored_name
from credtrail.core.persistence.files import create_private, create_private_text, make_private_dir
from credtrail.core.persistence.signing import key_id_of
from credtrail.core.registry import Registry
from credtrail.core.store import EventStore, OrjsonTranscoder, PydanticMapper, event_hash, link
from credtrail.core.transcript import transcript_of

BUNDLE_FORMAT = "credtrail-bundle/1"
FILES = (
    "checkpoint.json",
    "events.jsonl",
    "transcript.json",
    "standings.json",
    "rules.json",
    "changes.json",
)


CERTIFICATES = "certificates"
_CERTIFICATE_NAME = re.compile(rf"^{CERTIFICATES}/[0-9a-f]{{64}}\.[a-z]{{3,4}}$")


def _certificates(ledger: ClinicianLedger) -> list[tuple[str, str]]:
    """(sha256, media type) of every certificate attached to the ledger's credits."""
    found = {c.sha256: c.media_type for cr in ledger.credits.values() for c in cr.certificates}
    return sorted(found.items())


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _write_json(path: Path, data: Any) -> None:
    text = json.dumps(data, indent=2, ensure_ascii=False, default=str) + "\n"
    create_private_text(path, text, what="bundle file")


def _rules(histories: Iterable[RequirementHistory], on: date) -> list[dict[str, Any]]:
    out = []
    for history in histories:
        current = in_force(history.versions, on)
        out.append(
            {
                "requirement": history.requirement_id,
                "authority": history.authority,
                "in_force_on": on.isoformat(),
                "in_force": current.version if current else None,
                "versions": [
                    {
                        "version": v.version,
                        "effective_from": v.effective_from.isoformat(),
                        "recorded_at": v.recorded_at.isoformat(),
                        "source": v.source.model_dump(mode="json"),
                    }
                    for v in history.versions
                ],
            }
        )
    return out


# --------------------------------------------------------------------------- export


def export_bundle(
    store: EventStore,
    registry: Registry,
    clinician_id: str,
    as_of: datetime,
    out: Path,
    *,
    on: date | None = None,
    trusted: Checkpoint | None = None,
    trusted_key: str | None = None,
) -> dict[str, Any]:
    """Verify the log, then write the clinician's evidence bundle into ``out``.

    The folder is created 0700 and each file 0600; a symbolic link is refused.
    """
    check_instant(as_of)
    day = on or as_of.date()
    if out.is_symlink():
        raise AuditError(f"bundle folder {out} is a symbolic link; give the real path")
    if out.exists() and any(out.iterdir()):
        raise AuditError(f"bundle folder {out} is not empty; give a new or empty folder")
    checkpoint = make_checkpoint(store, trusted, trusted_key)
    view = AsOf(store, as_of)
    ledger = view.ledger(clinician_id)
    reader = LogReader(store)

    requirement_ids = sorted({lic.requirement_id for lic in ledger.licenses.values()})
    streams = [clinician_uuid(clinician_id).hex] + [
        requirement_uuid(r).hex for r in requirement_ids
    ]
    rows = [e for s in streams for e in reader.stream_events(s, stop=checkpoint.position)]
    wanted = {e.position for e in rows}
    index: dict[int, int] = {}
    leaves = bytearray()  # 32 bytes per event, not a Python object each
    for i, (position, digest) in enumerate(reader.leaf_hashes(checkpoint.position)):
        leaves += digest
        if position in wanted:
            index[position] = i
    tree = MerkleTree([bytes(leaves)])
    del leaves
    if tree.size != checkpoint.events or tree.root().hex() != checkpoint.root:
        raise LogIntegrityError("the log changed while the bundle was exported; run it again")

    make_private_dir(out, what="bundle folder")
    logs = {r.position: r for s in streams for r in reader.stream_log(s)}
    lines = []
    for e in sorted(rows, key=lambda r: r.position):
        lg = logs[e.position]
        line = {
            "index": index[e.position],
            "position": e.position,
            "stream": e.stream,
            "version": e.version,
            "topic": e.topic,
            "recorded_at": lg.recorded_at,
            "state": base64.b64encode(e.state).decode(),
            "event_hash": lg.event_hash,
            "previous_link": reader.previous_link(e.position),
            "link": lg.chain,
            "proof": [p.hex() for p in tree.audit_path(index[e.position])],
        }
        lines.append(json.dumps(line) + "\n")
    create_private(out / "events.jsonl", "".join(lines).encode(), what="bundle file")
    create_private_text(out / "checkpoint.json", checkpoint.to_json(), what="bundle file")
    _write_json(out / "transcript.json", transcript_of(ledger).model_dump(mode="json"))
    judged = standings(view, ledger, registry, on=day)
    _write_json(out / "standings.json", [s.as_dict() for s in judged])
    histories = [h for r in requirement_ids if (h := view.requirement_history(r)) is not None]
    _write_json(out / "rules.json", _rules(histories, day))
    changes = changes_since(store, as_of, clinician_id=clinician_id)
    _write_json(out / "changes.json", [c.as_dict() for c in changes])
    files = list(FILES)
    certificates = _certificates(ledger)
    if certificates:
        make_private_dir(out / CERTIFICATES, what="bundle folder")
    for sha256, media_type in certificates:
        name = f"{CERTIFICATES}/{stored_name(sha256, media_type)}"
        create_private(out / name, read_attachment(store, sha256), what="bundle file")
        files.append(name)
    if trusted is not None:
        proof = tree.consistency_proof(trusted.events) if trusted.events else []
        _write_json(
            out / "consistency.json",
            {"from": trusted.model_dump(mode="json"), "proof": [p.hex() for p in proof]},
        )
        files.append("consistency.json")
    manifest = {
        "format": BUNDLE_FORMAT,
        "clinician": clinician_id,
        "as_of": as_of.isoformat(),
        "on": day.isoformat(),
        "created_at": clock.now().isoformat(),
        "events": len(rows),
        "files": {name: _sha256(out / name) for name in files},
    }
    _write_json(out / "manifest.json", manifest)
    return manifest


# --------------------------------------------------------------------------- verify


@dataclass
class BundleReport:
    """What offline verification proved about a bundle."""

    clinician: str
    as_of: str
    checkpoint: Checkpoint
    events: int = 0
    streams: int = 0
    transcript_reproduced: bool = False
    standings_reproduced: bool | None = None
    standings: int = 0
    certificates: int = 0
    """Certificate files checked against the hashes the proven events recorded."""
    consistent_with: Checkpoint | None = None
    notes: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "ok": True,
            "clinician": self.clinician,
            "as_of": self.as_of,
            "checkpoint": self.checkpoint.model_dump(mode="json"),
            "events": self.events,
            "streams": self.streams,
            "transcript_reproduced": self.transcript_reproduced,
            "standings_reproduced": self.standings_reproduced,
            "standings": self.standings,
            "certificates": self.certificates,
            "consistent_with": (
                self.consistent_with.model_dump(mode="json") if self.consistent_with else None
            ),
            "notes": self.notes,
        }


def _load_json(path: Path) -> Any:
    try:
        return orjson.loads(path.read_bytes())
    except FileNotFoundError:
        raise AuditError(f"{path} is missing: not a complete credtrail bundle") from None
    except orjson.JSONDecodeError as exc:
        raise AuditError(f"{path} is not valid JSON: {exc}") from None


def _fail(message: str) -> LogIntegrityError:
    return LogIntegrityError(f"bundle does not verify: {message}")


def verify_bundle(
    folder: Path,
    trusted: Checkpoint | None = None,
    registry: Registry | None = None,
    trusted_key: str | None = None,
) -> BundleReport:
    """Check a bundle without the store; raises ``LogIntegrityError`` naming the first failure.

    ``trusted_key`` (the organisation's public key, hex): the checkpoint must be signed
    with it.
    """
    if not folder.is_dir():
        raise AuditError(f"bundle folder {folder} does not exist")
    manifest = _load_json(folder / "manifest.json")
    if not isinstance(manifest, dict) or manifest.get("format") != BUNDLE_FORMAT:
        raise AuditError(f"{folder / 'manifest.json'} is not a {BUNDLE_FORMAT} manifest")
    files = manifest.get("files")
    if not isinstance(files, dict):
        raise AuditError(f"{folder / 'manifest.json'} lists no files")
    for name, digest in files.items():
        _check_file(folder, name, digest)
    missing = [name for name in FILES if name not in files]
    if missing:
        raise _fail(f"the manifest does not cover {', '.join(missing)}")
    checkpoint = Checkpoint.from_json((folder / "checkpoint.json").read_bytes(), "checkpoint.json")
    report = BundleReport(manifest["clinician"], manifest["as_of"], checkpoint)
    _note_signature(report, checkpoint, trusted_key)
    as_of = datetime.fromisoformat(manifest["as_of"])
    root = bytes.fromhex(checkpoint.root)
    mapper = PydanticMapper(transcoder=OrjsonTranscoder())
    streams: dict[str, list[Any]] = {}
    for number, text in enumerate((folder / "events.jsonl").read_text().splitlines(), 1):
        e = json.loads(text)
        where = (
            f"events.jsonl line {number} (position {e['position']}, stream {e['stream']}, "
            f"version {e['version']})"
        )
        state = base64.b64decode(e["state"])
        digest = event_hash(e["position"], e["stream"], e["version"], e["topic"], state)
        if digest != e["event_hash"]:
            raise _fail(f"{where}: stored bytes changed: they hash to {digest[:16]}…")
        if link(e["previous_link"], digest) != e["link"]:
            raise _fail(f"{where}: link mismatch")
        if e["position"] > checkpoint.position or not verify_inclusion(
            bytes.fromhex(digest),
            e["index"],
            checkpoint.events,
            [bytes.fromhex(p) for p in e["proof"]],
            root,
        ):
            raise _fail(f"{where}: its inclusion proof does not lead to the checkpoint's root")
        stored = StoredEvent(UUID(e["stream"]), e["version"], e["topic"], state)
        event = mapper.to_domain_event(stored)
        if event.timestamp != datetime.fromisoformat(e["recorded_at"]):
            raise _fail(f"{where}: recorded_at differs from the event's own timestamp")
        streams.setdefault(e["stream"], []).append(event)
        report.events += 1
    report.streams = len(streams)
    known: dict[str, Any] = {}
    for stream, events in streams.items():
        versions = [ev.originator_version for ev in events]
        if versions != list(range(1, len(versions) + 1)):
            raise _fail(f"stream {stream} has versions {versions}: events are missing")
        prefix = []
        for ev in events:
            if ev.timestamp > as_of:
                break
            prefix.append(ev)
        if prefix:
            known[stream] = project(None, prefix)
    ledger = known.get(clinician_uuid(report.clinician).hex)
    if not isinstance(ledger, ClinicianLedger):
        raise _fail(
            f"the bundle has no events of clinician {report.clinician} recorded by {report.as_of}"
        )
    transcript = transcript_of(ledger).model_dump(mode="json")
    if transcript != _load_json(folder / "transcript.json"):
        raise _fail("transcript.json is not what the proven events give as of the instant")
    report.transcript_reproduced = True
    for sha256, media_type in _certificates(ledger):
        name = f"{CERTIFICATES}/{stored_name(sha256, media_type)}"
        if files.get(name) != sha256:
            raise _fail(
                f"certificate {sha256[:16]}… attached by a proven event is not in the bundle "
                f"(expected {name}, verified by its SHA-256)"
            )
        report.certificates += 1
    histories = [a for a in known.values() if isinstance(a, RequirementHistory)]
    day = date.fromisoformat(manifest["on"])
    rules = sorted(_rules(histories, day), key=lambda r: r["requirement"])
    if rules != sorted(_load_json(folder / "rules.json"), key=lambda r: r["requirement"]):
        raise _fail("rules.json is not what the proven requirement events give as of the instant")
    report.standings = len(_load_json(folder / "standings.json"))
    if registry is not None:
        report.standings_reproduced = _standings_match(
            folder, ledger, histories, registry, as_of, day
        )
        if not report.standings_reproduced:
            raise _fail(
                "standings.json is not what the rule engine concludes from the proven events"
            )
    if trusted is not None:
        _check_trusted(folder, checkpoint, trusted)
        report.consistent_with = trusted
        report.notes.append(
            f"proven: the bundle's log is the one your checkpoint of "
            f"{trusted.created_at.isoformat()} saw ({trusted.events} events), or extends it"
        )
    elif "consistency.json" in files:
        stated = _check_consistency(folder, checkpoint)
        report.notes.append(
            f"proven: the bundle's log extends the checkpoint of {stated.created_at.isoformat()} "
            f"({stated.events} events, root {stated.root[:16]}…) that the bundle names; "
            "not proven: that this is a checkpoint you hold (give --checkpoint YOURS)"
        )
    else:
        report.notes.append(
            "not proven: that the exporter left out no event after the bundle's checkpoint "
            "(no checkpoint of yours given, no consistency proof in the bundle)"
        )
    return report


def _check_file(folder: Path, name: Any, digest: Any) -> None:
    """A manifest entry must name one of the bundle's own files, inside the folder."""
    allowed = (*FILES, "consistency.json")
    if not isinstance(name, str) or (name not in allowed and not _CERTIFICATE_NAME.match(name)):
        raise _fail(
            f"the manifest names {name!r}, which is not a bundle file ({', '.join(allowed)}, "
            f"{CERTIFICATES}/SHA256.EXT): "
            "a manifest may only vouch for files inside the bundle"
        )
    path = folder / name
    if path.is_symlink() or (path.exists() and not path.resolve().is_relative_to(folder.resolve())):
        raise _fail(f"{name} is a symbolic link: a bundle's files must be inside the bundle")
    if not path.is_file():
        raise _fail(f"{name} is missing")
    if _sha256(path) != digest:
        raise _fail(f"{name} was changed after export (its SHA-256 is not the manifest's)")


def _note_signature(report: BundleReport, checkpoint: Checkpoint, trusted_key: str | None) -> None:
    if checkpoint.signature is None:
        if trusted_key is not None:
            raise _fail("the bundle's checkpoint is not signed, but you expect a signed log")
        report.notes.append("the bundle's checkpoint is not signed (the store had no key)")
        return
    if not checkpoint.signature_ok():
        raise _fail("the checkpoint's signed head does not verify: checkpoint.json was forged")
    if trusted_key is not None:
        if checkpoint.public_key != trusted_key:
            raise _fail(
                f"the checkpoint is signed with key {checkpoint.key_id}, not with your key "
                f"{key_id_of(trusted_key)}"
            )
        report.notes.append(
            f"proven: the checkpoint's head was signed with your key {checkpoint.key_id} "
            f"at {checkpoint.signed_at}"
        )
        return
    report.notes.append(
        f"proven: the checkpoint's head was signed by key {checkpoint.key_id} at "
        f"{checkpoint.signed_at} (compare the key with the organisation's: "
        "'credtrail key show')"
    )


def _check_consistency(folder: Path, checkpoint: Checkpoint) -> Checkpoint:
    """The bundle's own consistency proof, from the checkpoint it names to its own."""
    data = _load_json(folder / "consistency.json")
    stated = Checkpoint.model_validate(data["from"])
    proof = [bytes.fromhex(p) for p in data["proof"]]
    if stated.events > checkpoint.events or not verify_consistency(
        stated.events,
        checkpoint.events,
        bytes.fromhex(stated.root),
        bytes.fromhex(checkpoint.root),
        proof,
    ):
        raise _fail(
            "consistency.json does not prove that the bundle's log extends the checkpoint it names"
        )
    return stated


def _standings_match(
    folder: Path,
    ledger: ClinicianLedger,
    histories: list[RequirementHistory],
    registry: Registry,
    as_of: datetime,
    day: date,
) -> bool:
    from credtrail.core.compliance import judge

    by_id = {h.requirement_id: h for h in histories}
    recomputed = []
    for s in _load_json(folder / "standings.json"):
        history = by_id.get(s["requirement"])
        lic = ledger.licenses.get(s["license"])
        if history is None or lic is None or s["evaluation"] is None:
            recomputed.append(s)  # nothing to evaluate: the file states why
            continue
        result = judge(
            [v.document for v in history.versions],
            ledger.credits,
            lic,
            registry,
            day,
            credentials=ledger.licenses.values(),
        )
        recomputed.append({**s, "status": result.status, "evaluation": result.to_json()})
    return bool(recomputed == _load_json(folder / "standings.json"))


def _check_trusted(folder: Path, checkpoint: Checkpoint, trusted: Checkpoint) -> None:
    if trusted.events > checkpoint.events:
        raise _fail(
            f"your checkpoint covers {trusted.events} events, the bundle's only "
            f"{checkpoint.events}: the log the bundle was exported from is shorter (truncated?)"
        )
    if trusted.events == checkpoint.events:
        if (trusted.root, trusted.head) != (checkpoint.root, checkpoint.head):
            raise _fail("the bundle's checkpoint has the same size as yours but another root")
        return
    path = folder / "consistency.json"
    if not path.exists():
        raise _fail(
            "the bundle has no consistency proof from your checkpoint; export it with "
            "'credtrail audit export ... --checkpoint YOUR-CHECKPOINT'"
        )
    data = _load_json(path)
    if Checkpoint.model_validate(data["from"]).root != trusted.root:
        raise _fail("consistency.json proves consistency from another checkpoint than yours")
    proof = [bytes.fromhex(p) for p in data["proof"]]
    if not verify_consistency(
        trusted.events,
        checkpoint.events,
        bytes.fromhex(trusted.root),
        bytes.fromhex(checkpoint.root),
        proof,
    ):
        raise _fail(
            "the bundle's log does not extend your checkpoint: the log before it was rewritten"
        )

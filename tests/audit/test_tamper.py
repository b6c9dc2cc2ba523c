"""The tamper suite: an attacker with database access but without the organisation's key.

Each case edits the tables directly (SQLite and PostgreSQL), then ``verify`` runs
anchored on the organisation's public key — with and without a checkpoint taken
before the tampering. Everything is caught without a checkpoint except cutting off the
tail at a batch boundary, which needs one.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from uuid import UUID

import orjson
import pluggy
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from credtrail.core.application import Credtrail
from credtrail.core.audit.integrity import Checkpoint, make_checkpoint, verify
from credtrail.core.audit.reader import LogReader
from credtrail.core.persistence.chain import head_statement
from credtrail.core.persistence.signing import Signer, generate_key
from credtrail.core.store import event_hash, link

from .conftest import events, rechain, record_history, tamper


@pytest.fixture
def signer(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Signer:
    """The organisation's key, named by CREDTRAIL_KEY as the CLI would find it."""
    (tmp_path / "keys").mkdir()
    signer = generate_key(tmp_path / "keys" / "org.pem")
    monkeypatch.setenv("CREDTRAIL_KEY", str(signer.path))
    return signer


@pytest.fixture
def keyed(store_url: str, pm: pluggy.PluginManager, signer: Signer) -> Iterator[Credtrail]:
    """A keyed store holding a small history (every batch head signed)."""
    app = Credtrail.open(store_url, pm, create=True)
    try:
        record_history(app)
        yield app
    finally:
        app.close()


def _edit(app: Credtrail, reader: LogReader) -> None:
    """More units on the first earned credit."""
    target = next(e for e in events(app) if b'"units":"' in e.state)
    tamper(
        reader,
        f"UPDATE {reader.events} SET state = ? WHERE {reader.id_column} = ?",
        (target.state.replace(b'"units":"', b'"units":"9', 1), target.position),
    )


def _edit_rechain(app: Credtrail, reader: LogReader) -> None:
    _edit(app, reader)
    rechain(app, reader)


def _delete(app: Credtrail, reader: LogReader) -> None:
    target = events(app)[4]
    tamper(reader, f"DELETE FROM {reader.events} WHERE {reader.id_column} = ?", (target.position,))
    tamper(reader, f"DELETE FROM {reader.log} WHERE notification_id = ?", (target.position,))


def _delete_rechain(app: Credtrail, reader: LogReader) -> None:
    _delete(app, reader)
    rechain(app, reader)


def _insert(app: Credtrail, reader: LogReader) -> None:
    """A forged copy of a credit slipped in below the first position."""
    template = events(app)[3]
    stream = UUID(template.stream) if reader.postgres else template.stream
    tamper(
        reader,
        f"INSERT INTO {reader.events} ({reader.id_column}, originator_id, originator_version, "
        "topic, state) VALUES (?, ?, ?, ?, ?)",
        (0, stream, 99, template.topic, template.state),
    )


def _insert_rechain(app: Credtrail, reader: LogReader) -> None:
    _insert(app, reader)
    row = next(reader.events_from(0, 0))
    recorded = orjson.loads(row.state)["timestamp"]
    tamper(
        reader,
        f"INSERT INTO {reader.log} VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        (0, row.stream, row.version, row.topic, recorded, None, "0" * 64, ""),
    )
    rechain(app, reader)


def _append(app: Credtrail, reader: LogReader) -> None:
    """A new event at the tail with a correct log row and link, and an unsigned head."""
    last = events(app)[-1]
    template = events(app)[3]
    stream = UUID(template.stream) if reader.postgres else template.stream
    position = last.position + 1
    tamper(
        reader,
        f"INSERT INTO {reader.events} ({reader.id_column}, originator_id, originator_version, "
        "topic, state) VALUES (?, ?, ?, ?, ?)",
        (position, stream, 99, template.topic, template.state),
    )
    digest = event_hash(position, template.stream, 99, template.topic, template.state)
    previous = reader.previous_link(position)
    chain = link(previous, digest)
    recorded = orjson.loads(template.state)["timestamp"]
    tamper(
        reader,
        f"INSERT INTO {reader.log} VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        (position, template.stream, 99, template.topic, recorded, None, chain, digest),
    )
    count = len(events(app))
    tamper(
        reader,
        f"INSERT INTO {reader.heads_table} VALUES (?, ?, ?, ?, ?, ?)",
        (position, count, chain, "2027-01-01T00:00:00+00:00", None, None),
    )


def _reorder(app: Credtrail, reader: LogReader) -> None:
    """Two events swap positions (rows of both tables moved together), then re-chained."""
    a, b = events(app)[2], events(app)[3]
    for table, column in ((reader.events, reader.id_column), (reader.log, "notification_id")):
        tamper(reader, f"UPDATE {table} SET {column} = ? WHERE {column} = ?", (-1, a.position))
        tamper(
            reader, f"UPDATE {table} SET {column} = ? WHERE {column} = ?", (a.position, b.position)
        )
        tamper(reader, f"UPDATE {table} SET {column} = ? WHERE {column} = ?", (b.position, -1))
    rechain(app, reader)


def _truncate(app: Credtrail, reader: LogReader) -> None:
    """The last batch cut off: events, log rows and its head."""
    last = reader.last_head()
    assert last is not None
    previous = [h for h in reader.heads() if h.position < last.position][-1].position
    tamper(reader, f"DELETE FROM {reader.events} WHERE {reader.id_column} > ?", (previous,))
    tamper(reader, f"DELETE FROM {reader.log} WHERE notification_id > ?", (previous,))
    tamper(reader, f"DELETE FROM {reader.heads_table} WHERE notification_id > ?", (previous,))


def _truncate_keeping_heads(app: Credtrail, reader: LogReader) -> None:
    """The last batch's events and log rows cut off, its head left behind."""
    last = reader.last_head()
    assert last is not None
    previous = [h for h in reader.heads() if h.position < last.position][-1].position
    tamper(reader, f"DELETE FROM {reader.events} WHERE {reader.id_column} > ?", (previous,))
    tamper(reader, f"DELETE FROM {reader.log} WHERE notification_id > ?", (previous,))


def _own_key(app: Credtrail, reader: LogReader) -> None:
    """Rewrite, re-chain, and re-sign everything with the attacker's own key."""
    _edit_rechain(app, reader)
    attacker = Signer(Ed25519PrivateKey.generate())  # never registered by the organisation
    tamper(reader, f"DELETE FROM {reader.keys_table}")
    record = attacker.key_record(previous=None, since=0)
    tamper(reader, f"INSERT INTO {reader.keys_table} VALUES (?, ?, ?, ?, ?, ?, ?)", record)
    for head in list(reader.heads()):
        statement = head_statement(
            head.position, head.events, head.chain, head.signed_at, attacker.key_id
        )
        tamper(
            reader,
            f"UPDATE {reader.heads_table} SET key_id = ?, signature = ? WHERE notification_id = ?",
            (attacker.key_id, attacker.sign(statement), head.position),
        )


CASES: dict[str, tuple[Callable[[Credtrail, LogReader], None], set[str]]] = {
    "edit": (_edit, {"stored-bytes-changed"}),
    "edit+rechain": (_edit_rechain, {"unsigned"}),
    "delete": (_delete, {"link-mismatch", "head-mismatch"}),
    "delete+rechain": (_delete_rechain, {"unsigned"}),
    "insert": (_insert, {"event-missing-from-log"}),
    "insert+rechain": (_insert_rechain, {"unsigned"}),
    "append": (_append, {"unsigned"}),
    "reorder+rechain": (_reorder, {"unsigned", "order"}),
    "own-key": (_own_key, {"key-record"}),
    "truncate-keeping-heads": (_truncate_keeping_heads, {"head-mismatch"}),
}


@pytest.mark.parametrize("case", sorted(CASES))
@pytest.mark.parametrize("with_checkpoint", [False, True], ids=["alone", "checkpoint"])
def test_tampering_without_the_key_is_caught(
    keyed: Credtrail, signer: Signer, case: str, with_checkpoint: bool
) -> None:
    """Editing, deleting, inserting, appending, reordering or re-chaining events — even
    re-signing with another key — fails verification anchored on the organisation's key,
    with or without a checkpoint."""
    reader = LogReader(keyed.store)
    assert verify(keyed.store, trusted_key=signer.public_hex).ok
    checkpoint = make_checkpoint(keyed.store) if with_checkpoint else None
    apply, kinds = CASES[case]
    apply(keyed, reader)
    problem = verify(keyed.store, checkpoint, trusted_key=signer.public_hex).problem
    assert problem is not None
    assert problem.kind in kinds | {"checkpoint-mismatch", "truncated"}


def test_truncated_tail_needs_a_checkpoint(keyed: Credtrail, signer: Signer) -> None:
    """Cutting off the last batch leaves a consistent signed log; a checkpoint taken before
    it proves the loss."""
    checkpoint = make_checkpoint(keyed.store)
    assert checkpoint.signature_ok()
    _truncate(keyed, LogReader(keyed.store))
    assert verify(keyed.store, trusted_key=signer.public_hex).ok
    problem = verify(keyed.store, checkpoint, trusted_key=signer.public_hex).problem
    assert problem is not None
    assert problem.kind == "truncated"


def test_signed_checkpoint_that_was_edited_is_refused(keyed: Credtrail, signer: Signer) -> None:
    """A checkpoint whose head was changed no longer carries a valid signature."""
    checkpoint = make_checkpoint(keyed.store)
    forged = Checkpoint.model_validate({**checkpoint.model_dump(), "events": checkpoint.events - 1})
    problem = verify(keyed.store, forged).problem
    assert problem is not None
    assert problem.kind == "checkpoint-mismatch"


def test_verify_reports_the_last_signed_head(keyed: Credtrail, signer: Signer) -> None:
    """A keyed store's verification says which key signed and when the last head was signed."""
    report = verify(keyed.store, trusted_key=signer.public_hex)
    assert report.ok, report.problem
    assert report.signed is not None
    assert report.signed.anchored
    assert report.signed.keys == [signer.key_id]
    assert report.signed.last_position == report.position
    assert report.signed.last_signed_at is not None

"""Prove the log was not rewritten: recompute every hash, report the first break.

:func:`verify` streams the events table and ``credtrail_log`` side by side in
position order, in pages (memory stays bounded), and for every position checks that

1. both tables have the row (a log row without its event: the event was deleted; an
   event without a log row: it was inserted outside credtrail);
2. they name the same stream, version and topic (otherwise events were moved);
3. the event hash recomputed from the stored bytes equals the one logged when the
   event was written (otherwise the stored bytes were changed);
4. the link equals SHA-256(0x02 || previous link || event hash) (otherwise a log row
   was edited, or an event before it was removed or inserted);
5. the transaction time indexed in the log equals the event's own timestamp (the
   as-of replay trusts that index);
6. a ``CertificateAttached`` event's file is in ``credtrail_attachments`` and hashes
   to the SHA-256 the event recorded (the bytes are outside the chain, their hash in it).

Every committed batch also left a head in ``credtrail_heads`` (its last position, the
number of events so far, the chain head); in a keyed store the organisation's Ed25519
key signed it. Verify checks that each head matches the recomputed chain, that every
signature verifies with a key from the store's key chain (anchored on the key the
auditor trusts, when given), and that no event lies after the last head. So appending,
editing, inserting or re-chaining without the key is caught without any checkpoint.

A log cut off at the end of a batch is still a consistent, signed log. Given a
:class:`Checkpoint` (position, event count, chain head, RFC 6962 root, and in a keyed
store the signed head), verify also proves the log up to it is the one the checkpoint
saw — and reports truncation when the log ends before it.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any, Literal

import orjson
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from credtrail.core import clock
from credtrail.core.audit.merkle import MerkleAccumulator
from credtrail.core.audit.reader import EventRow, HeadRow, LogReader, LogRow
from credtrail.core.domain import ClinicianLedger
from credtrail.core.errors import AuditError, LogIntegrityError, NotFoundError
from credtrail.core.persistence.attachments import read_attachment
from credtrail.core.persistence.chain import head_statement
from credtrail.core.persistence.signing import KeyRecord, follow_keys, key_id_of, verify_signature
from credtrail.core.store import GENESIS, EventStore, event_hash, link

CHECKPOINT_FORMAT = "credtrail-checkpoint/1"

Kind = Literal[
    "stored-bytes-changed",
    "link-mismatch",
    "event-missing-from-log",
    "log-row-without-event",
    "order",
    "index-mismatch",
    "truncated",
    "checkpoint-mismatch",
    "head-mismatch",
    "unsigned",
    "bad-signature",
    "key-record",
    "uncovered-tail",
    "attachment-changed",
]

_WHAT = {
    "stored-bytes-changed": "stored bytes changed",
    "link-mismatch": "link mismatch",
    "event-missing-from-log": "event missing from the log",
    "log-row-without-event": "log row without event",
    "order": "order",
    "index-mismatch": "index mismatch",
    "truncated": "truncated",
    "checkpoint-mismatch": "checkpoint mismatch",
    "head-mismatch": "head mismatch",
    "unsigned": "unsigned head",
    "bad-signature": "bad signature",
    "key-record": "key record",
    "uncovered-tail": "events after the last head",
    "attachment-changed": "certificate file changed",
}


class Checkpoint(BaseModel):
    """What an auditor keeps to prove later that the log up to here never changed."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    format: Literal["credtrail-checkpoint/1"] = "credtrail-checkpoint/1"
    position: int = Field(ge=0, description="notification id of the last event covered")
    events: int = Field(ge=0, description="number of events covered (Merkle tree size)")
    head: str = Field(pattern=r"^[0-9a-f]{64}$", description="chain link at position")
    root: str = Field(pattern=r"^[0-9a-f]{64}$", description="RFC 6962 root of the events")
    created_at: datetime
    signed_at: str | None = Field(None, description="when the head was signed (keyed store)")
    key_id: str | None = Field(None, description="the key that signed the head")
    public_key: str | None = Field(None, description="that key's public half (hex)")
    signature: str | None = Field(None, description="Ed25519 signature of the head")

    def signature_ok(self) -> bool:
        """Whether the checkpoint carries a head signed by the key it names."""
        if not (self.signed_at and self.key_id and self.public_key and self.signature):
            return False
        statement = head_statement(
            self.position, self.events, self.head, self.signed_at, self.key_id
        )
        return key_id_of(self.public_key) == self.key_id and verify_signature(
            self.public_key, self.signature, statement
        )

    def to_json(self) -> str:
        return self.model_dump_json(indent=2) + "\n"

    @classmethod
    def from_json(cls, text: str | bytes, where: str = "checkpoint") -> Checkpoint:
        try:
            return cls.model_validate_json(text)
        except ValidationError as exc:
            first = exc.errors()[0]
            field = ".".join(str(p) for p in first["loc"]) or "value"
            raise AuditError(
                f"{where} is not a credtrail checkpoint ({field}: {first['msg']}); "
                "make one with 'credtrail audit checkpoint -o FILE'"
            ) from None


@dataclass(frozen=True)
class Problem:
    """The first place where the log differs from what was written."""

    kind: Kind
    position: int
    detail: str
    stream: str | None = None
    subject: str | None = None  # "clinician dr-lee", "requirement us-ca-md"
    version: int | None = None
    topic: str | None = None

    def describe(self) -> str:
        where = f"position {self.position}"
        if self.stream:
            who = f" ({self.subject})" if self.subject else ""
            where += f", stream {self.stream}{who}"
        if self.version is not None:
            where += f", version {self.version}"
        if self.topic:
            where += f" [{self.topic}]"
        return f"{where}: {_WHAT[self.kind]}: {self.detail}"

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "what": _WHAT[self.kind], "message": self.describe()}


@dataclass(frozen=True)
class Signed:
    """What the signatures proved: the keys, the heads checked, the last signed head."""

    keys: list[str]
    anchored: bool  # the auditor's own key is among them
    heads: int
    last_position: int
    last_signed_at: str | None


@dataclass(frozen=True)
class VerifyReport:
    """What verification saw: the size and hashes of the log, and the first break."""

    events: int
    position: int
    head: str
    root: str
    checkpoint: Checkpoint | None
    problem: Problem | None
    signed: Signed | None = None

    @property
    def ok(self) -> bool:
        return self.problem is None

    def as_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "events": self.events,
            "position": self.position,
            "head": self.head,
            "root": self.root,
            "checkpoint": self.checkpoint.model_dump(mode="json") if self.checkpoint else None,
            "problem": self.problem.as_dict() if self.problem else None,
            "signed": asdict(self.signed) if self.signed else None,
        }

    def raise_for_problem(self) -> None:
        if self.problem is not None:
            raise LogIntegrityError(f"the log was altered: {self.problem.describe()}", self.problem)


# ---------------------------------------------------------------------------- verify


def _pairs(
    reader: LogReader, start: int, stop: int
) -> Iterator[tuple[int, EventRow | None, LogRow | None]]:
    """Merge-join both tables on position (either side may lack a row)."""
    events, logs = reader.events_from(start, stop), reader.log_from(start, stop)
    ev, lg = next(events, None), next(logs, None)
    while ev is not None or lg is not None:
        if lg is None or (ev is not None and ev.position < lg.position):
            assert ev is not None
            yield ev.position, ev, None
            ev = next(events, None)
        elif ev is None or lg.position < ev.position:
            yield lg.position, None, lg
            lg = next(logs, None)
        else:
            yield ev.position, ev, lg
            ev, lg = next(events, None), next(logs, None)


def _decode_state(store: EventStore, state: bytes) -> dict[str, Any]:
    mapper: Any = store.mapper
    if mapper.cipher:
        state = mapper.cipher.decrypt(state)
    if mapper.compressor:
        state = mapper.compressor.decompress(state)
    decoded = orjson.loads(state)
    if not isinstance(decoded, dict):
        raise ValueError("stored state is not a JSON object")
    return decoded


CERTIFICATE_TOPIC = ClinicianLedger.CertificateAttached.TOPIC


def _attachment_problem(store: EventStore, ev: EventRow, position: int) -> Problem | None:
    """A proven ``CertificateAttached`` event: its file must be stored under its hash."""
    sha256 = str(_decode_state(store, ev.state).get("sha256", ""))
    try:
        read_attachment(store, sha256)
    except (NotFoundError, LogIntegrityError) as exc:
        return Problem(
            "attachment-changed",
            position,
            f"{exc} (the event recorded sha256 {sha256[:16]}…)",
            stream=ev.stream,
            version=ev.version,
            topic=ev.topic,
        )
    return None


def subject_of(store: EventStore, reader: LogReader, stream: str) -> str | None:
    """Whose stream this is ("clinician dr-lee"), read from its first event, if decodable."""
    first = reader.first_event(stream)
    if first is None:
        return None
    try:
        state = _decode_state(store, first.state)
    except (ValueError, TypeError, orjson.JSONDecodeError):
        return None
    for key, label in (("clinician_id", "clinician"), ("requirement_id", "requirement")):
        if isinstance(state.get(key), str):
            return f"{label} {state[key]}"
    return None


def _check(
    store: EventStore,
    head: str,
    ev: EventRow | None,
    lg: LogRow | None,
    position: int,
    previous: int,
) -> Problem | None:
    if ev is None:
        assert lg is not None
        return Problem(
            "log-row-without-event",
            position,
            "the log records this event but the events table has no row here: "
            "the event was deleted (or moved away)",
            stream=lg.stream,
            version=lg.version,
            topic=lg.topic,
        )
    if lg is None:
        return Problem(
            "event-missing-from-log",
            position,
            "the events table has this event but the log never recorded it: "
            "it was inserted outside credtrail",
            stream=ev.stream,
            version=ev.version,
            topic=ev.topic,
        )
    if (ev.stream, ev.version, ev.topic) != (lg.stream, lg.version, lg.topic):
        return Problem(
            "order",
            position,
            f"the log expects stream {lg.stream} version {lg.version} [{lg.topic}] here, "
            f"the events table holds stream {ev.stream} version {ev.version} [{ev.topic}]: "
            "events were moved or reordered",
            stream=ev.stream,
            version=ev.version,
            topic=ev.topic,
        )
    digest = event_hash(position, ev.stream, ev.version, ev.topic, ev.state)
    where: dict[str, Any] = {"stream": ev.stream, "version": ev.version, "topic": ev.topic}
    if digest != lg.event_hash:
        return Problem(
            "stored-bytes-changed",
            position,
            f"the stored event (bytes, stream, version, topic) hashes to {digest[:16]}…, "
            f"the log recorded {lg.event_hash[:16]}… when it was written",
            **where,
        )
    expected = link(head, digest)
    if expected != lg.chain:
        # A gap is normal on PostgreSQL (rolled-back sequence values) but worth naming.
        gap = (
            f" (no rows at positions {previous + 1}–{position - 1})"
            if position > previous + 1
            else ""
        )
        return Problem(
            "link-mismatch",
            position,
            f"the link should be {expected[:16]}… (from the previous link and this event) "
            f"but the log holds {lg.chain[:16]}…: an event before it was removed{gap} or "
            "inserted, or this log row was edited",
            **where,
        )
    try:
        timestamp = datetime.fromisoformat(str(_decode_state(store, ev.state)["timestamp"]))
        recorded = datetime.fromisoformat(lg.recorded_at)
    except (ValueError, TypeError, KeyError, orjson.JSONDecodeError) as exc:
        return Problem("index-mismatch", position, f"cannot read the event's time: {exc}", **where)
    if timestamp != recorded:
        return Problem(
            "index-mismatch",
            position,
            f"the log says it was recorded at {lg.recorded_at}, the event itself at "
            f"{timestamp.isoformat()}: the time index was edited (as-of replays would lie)",
            **where,
        )
    return None


class _Heads:
    """Checks each batch head against the recomputed chain, and its signature."""

    def __init__(self, reader: LogReader, trusted_key: str | None) -> None:
        self.rows = reader.heads()
        self.next: HeadRow | None = next(self.rows, None)
        records = reader.key_records()
        self.keys, self.key_problem = follow_keys(records)
        self.records: list[KeyRecord] = records
        self.trusted_key = trusted_key
        self.keyed = bool(records) or trusted_key is not None
        # Heads up to the first key's position were written before the store had a key.
        self.signed_from = records[0].since if records else -1
        self.checked = 0
        self.last: HeadRow | None = None

    def anchor_problem(self) -> Problem | None:
        if self.key_problem is not None:
            return Problem("key-record", 0, self.key_problem)
        if self.trusted_key is None:
            return None
        trusted_id = key_id_of(self.trusted_key)
        if trusted_id not in self.keys:
            found = ", ".join(self.keys) or "none"
            return Problem(
                "key-record",
                0,
                f"your key {trusted_id} is not among the store's keys ({found}): the key "
                "records were replaced or removed, so the signatures prove nothing",
            )
        return None

    def skipped(self, position: int) -> Problem | None:
        """A head at a position before ``position`` that no log row reached."""
        head = self.next
        if head is not None and head.position < position:
            return Problem(
                "head-mismatch",
                head.position,
                f"a batch head was committed at position {head.position}, but the log has "
                "no event there: events were removed (or moved)",
            )
        return None

    def check(self, position: int, count: int, chain: str) -> Problem | None:
        head = self.next
        if head is None or head.position != position:
            return None
        self.next = next(self.rows, None)
        self.checked += 1
        self.last = head
        if head.events != count or head.chain != chain:
            return Problem(
                "head-mismatch",
                position,
                f"the batch head committed here says {head.events} events with head "
                f"{head.chain[:16]}…, the log has {count} events with head {chain[:16]}…: "
                "the log before it was rewritten (events removed, inserted or re-chained)",
            )
        if not self.keyed or (position <= self.signed_from and not head.signature):
            return None
        if not head.key_id or not head.signature:
            return Problem(
                "unsigned",
                position,
                "this batch head is not signed, in a keyed store: it was written without "
                "the organisation's key (appended or rewritten outside credtrail)",
            )
        record = self.keys.get(head.key_id)
        statement = head_statement(position, count, chain, head.signed_at, head.key_id)
        if record is None or not verify_signature(record.public_key, head.signature, statement):
            why = "an unknown key" if record is None else f"key {head.key_id}"
            return Problem(
                "bad-signature",
                position,
                f"the batch head's signature does not verify with {why}: the head was "
                "forged or edited without the organisation's key",
            )
        return None

    def tail_problem(self, position: int) -> Problem | None:
        head = self.next
        if head is not None:
            return Problem(
                "head-mismatch",
                head.position,
                f"a batch head was committed at position {head.position} ({head.events} "
                f"events), but the log ends at position {position}: events at the tail "
                "were removed",
            )
        covered = self.last.position if self.last else 0
        if position > covered and (self.last is not None or self.keyed):
            return Problem(
                "uncovered-tail",
                position,
                f"events after position {covered} up to {position} are covered by no batch "
                "head: they were appended outside credtrail",
            )
        return None

    def summary(self) -> Signed | None:
        if not self.keyed:
            return None
        trusted = key_id_of(self.trusted_key) if self.trusted_key else None
        return Signed(
            keys=list(self.keys),
            anchored=trusted is not None and trusted in self.keys,
            heads=self.checked,
            last_position=self.last.position if self.last else 0,
            last_signed_at=self.last.signed_at if self.last and self.last.signature else None,
        )


def verify(
    store: EventStore, checkpoint: Checkpoint | None = None, trusted_key: str | None = None
) -> VerifyReport:
    """Recompute every hash of the log in order; report the first break (never raises on one).

    Also check every batch head (and, in a keyed store, its signature; ``trusted_key`` is
    the public key, hex, the auditor trusts). With ``checkpoint``, also prove that the log
    up to it is exactly what it saw.
    """
    reader = LogReader(store)
    stop = reader.last_position()
    head, count, position = GENESIS, 0, 0
    acc = MerkleAccumulator()
    problem: Problem | None = None
    heads = _Heads(reader, trusted_key)

    def report(problem: Problem | None) -> VerifyReport:
        if problem is not None and problem.stream and problem.subject is None:
            subject = subject_of(store, reader, problem.stream)
            problem = Problem(**{**asdict(problem), "subject": subject})
        return VerifyReport(
            count, position, head, acc.root().hex(), checkpoint, problem, heads.summary()
        )

    problem = heads.anchor_problem() or _checkpoint_key_problem(checkpoint, heads)
    if problem is not None:
        return report(problem)
    for pos, ev, lg in _pairs(reader, reader.first_position(), stop):
        problem = _check(store, head, ev, lg, pos, position) or heads.skipped(pos)
        if problem is None and ev is not None and ev.topic == CERTIFICATE_TOPIC:
            problem = _attachment_problem(store, ev, pos)
        if problem is not None:
            return report(problem)
        assert lg is not None
        if checkpoint is not None and count < checkpoint.events and pos > checkpoint.position:
            return report(_checkpoint_problem(checkpoint, pos, count, head, acc))
        head, position, count = lg.chain, pos, count + 1
        acc.append(bytes.fromhex(lg.event_hash))
        problem = heads.check(position, count, head)
        if problem is not None:
            return report(problem)
        if checkpoint is not None and count == checkpoint.events:
            problem = _compare(checkpoint, position, head, acc)
            if problem is not None:
                return report(problem)
    if checkpoint is not None and count < checkpoint.events and position >= checkpoint.position:
        # The log reaches the checkpoint's position with fewer events: removed, re-chained.
        return report(_checkpoint_problem(checkpoint, position, count, head, acc))
    if checkpoint is not None and count < checkpoint.events:
        return report(
            Problem(
                "truncated",
                position,
                f"the log ends at position {position} after {count} events, but the "
                f"checkpoint of {checkpoint.created_at.isoformat()} covers {checkpoint.events} "
                f"events up to position {checkpoint.position}: "
                f"{checkpoint.events - count} events at the tail were removed",
            )
        )
    return report(heads.tail_problem(position))


def _checkpoint_key_problem(checkpoint: Checkpoint | None, heads: _Heads) -> Problem | None:
    """A signed checkpoint must verify, and with one of the store's keys (or yours)."""
    if checkpoint is None or checkpoint.signature is None:
        return None
    if not checkpoint.signature_ok():
        return Problem(
            "checkpoint-mismatch",
            checkpoint.position,
            "the checkpoint's signed head does not verify: the checkpoint file was edited",
        )
    known = set(heads.keys) | ({key_id_of(heads.trusted_key)} if heads.trusted_key else set())
    if checkpoint.key_id not in known:
        return Problem(
            "key-record",
            checkpoint.position,
            f"the checkpoint was signed with key {checkpoint.key_id}, which the store's key "
            "records do not hold: the key records were replaced",
        )
    return None


def _compare(cp: Checkpoint, position: int, head: str, acc: MerkleAccumulator) -> Problem | None:
    if position != cp.position or head != cp.head or acc.root().hex() != cp.root:
        return _checkpoint_problem(cp, position, acc.size, head, acc)
    return None


def _checkpoint_problem(
    cp: Checkpoint, position: int, count: int, head: str, acc: MerkleAccumulator
) -> Problem:
    return Problem(
        "checkpoint-mismatch",
        position,
        f"after {count} events the log's head is {head[:16]}… and its root "
        f"{acc.root().hex()[:16]}…, but the checkpoint of {cp.created_at.isoformat()} has "
        f"head {cp.head[:16]}… and root {cp.root[:16]}… at position {cp.position}: "
        "the log before the checkpoint was rewritten (events altered, removed, inserted "
        "or reordered, and the chain recomputed)",
    )


def make_checkpoint(
    store: EventStore, trusted: Checkpoint | None = None, trusted_key: str | None = None
) -> Checkpoint:
    """Verify the whole log (against ``trusted`` too, if given), then return its checkpoint.

    In a keyed store the checkpoint carries the last batch's signed head, so the
    checkpoint itself is proof the organisation committed that head. Raises
    ``LogIntegrityError`` if the log is broken: a checkpoint never attests one.
    """
    result = verify(store, trusted, trusted_key)
    result.raise_for_problem()
    signed: dict[str, Any] = {}
    last = LogReader(store).last_head()
    if (
        last is not None
        and last.signature
        and last.key_id
        and (last.position, last.events, last.chain)
        == (result.position, result.events, result.head)
    ):
        record = next(r for r in LogReader(store).key_records() if r.key_id == last.key_id)
        signed = {
            "signed_at": last.signed_at,
            "key_id": last.key_id,
            "public_key": record.public_key,
            "signature": last.signature,
        }
    return Checkpoint(
        position=result.position,
        events=result.events,
        head=result.head,
        root=result.root,
        created_at=clock.now(),
        **signed,
    )

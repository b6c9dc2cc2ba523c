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
   as-of replay trusts that index).

A chain alone cannot see the *tail* cut off. Given a :class:`Checkpoint` (position,
event count, chain head, RFC 6962 root), verify also proves the log up to it is the
one the checkpoint saw — and reports truncation when the log ends before it.
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
from credtrail.core.audit.reader import EventRow, LogReader, LogRow
from credtrail.core.errors import AuditError, LogIntegrityError
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
class VerifyReport:
    """What verification saw: the size and hashes of the log, and the first break."""

    events: int
    position: int
    head: str
    root: str
    checkpoint: Checkpoint | None
    problem: Problem | None

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


def verify(store: EventStore, checkpoint: Checkpoint | None = None) -> VerifyReport:
    """Recompute every hash of the log in order; report the first break (never raises on one).

    With ``checkpoint``, also prove that the log up to it is exactly what it saw.
    """
    reader = LogReader(store)
    stop = reader.last_position()
    head, count, position = GENESIS, 0, 0
    acc = MerkleAccumulator()
    problem: Problem | None = None

    def report(problem: Problem | None) -> VerifyReport:
        if problem is not None and problem.stream and problem.subject is None:
            subject = subject_of(store, reader, problem.stream)
            problem = Problem(**{**asdict(problem), "subject": subject})
        return VerifyReport(count, position, head, acc.root().hex(), checkpoint, problem)

    for pos, ev, lg in _pairs(reader, reader.first_position(), stop):
        problem = _check(store, head, ev, lg, pos, position)
        if problem is not None:
            return report(problem)
        assert lg is not None
        if checkpoint is not None and count < checkpoint.events and pos > checkpoint.position:
            return report(_checkpoint_problem(checkpoint, pos, count, head, acc))
        head, position, count = lg.chain, pos, count + 1
        acc.append(bytes.fromhex(lg.event_hash))
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
    return report(None)


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


def make_checkpoint(store: EventStore, trusted: Checkpoint | None = None) -> Checkpoint:
    """Verify the whole log (against ``trusted`` too, if given), then return its checkpoint.

    Raises ``LogIntegrityError`` if the log is broken: a checkpoint never attests one.
    """
    result = verify(store, trusted)
    result.raise_for_problem()
    return Checkpoint(
        position=result.position,
        events=result.events,
        head=result.head,
        root=result.root,
        created_at=clock.now(),
    )
